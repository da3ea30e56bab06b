// SPDX-License-Identifier: MIT
#include "eq_panel.hpp"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "chain_model.hpp"
#include "controls.hpp"
#include "eq_curve_widget.hpp"
#include "theme.hpp"

namespace lathe::gui {
namespace {

constexpr FilterType kTypes[] = {FilterType::Peak, FilterType::LowShelf, FilterType::HighShelf, FilterType::HighPass,
                                 FilterType::LowPass};

}  // namespace

EqPanel::EqPanel(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  last_type_.fill(FilterType::Peak);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(6);

  auto* header = new QHBoxLayout;
  auto* title = new QLabel(tr("<b>EQUALISER</b>"));
  header->addWidget(title);
  header->addSpacing(12);
  header->addWidget(new QLabel(tr("Mode")));
  mode_ = new QComboBox;
  mode_->setObjectName("eqMode");
  mode_->addItems({tr("Stereo (L/R)"), tr("Mid/Side (M/S)")});
  header->addWidget(mode_);
  header->addSpacing(8);
  header->addWidget(new QLabel(tr("Edit")));
  target_ = new QComboBox;
  target_->setObjectName("eqTarget");
  target_->addItems({tr("Both channels"), tr("Left"), tr("Right")});
  header->addWidget(target_);
  header->addSpacing(8);
  header->addWidget(new QLabel(tr("Range")));
  auto* range = new QComboBox;
  range->setObjectName("eqRange");
  for (int db : {6, 12, 24}) range->addItem(QStringLiteral("\u00b1%1 dB").arg(db), db);
  range->setCurrentIndex(1);
  header->addWidget(range);
  header->addStretch(1);
  header->addWidget(new QLabel(tr("Input trim")));
  trim_ = make_spin_box("trim", -limits::kTrimDb, limits::kTrimDb, 1, tr(" dB"), 0.5);
  header->addWidget(trim_);
  layout->addLayout(header);

  curve_ = new EqCurveWidget(model_);
  curve_->setObjectName("eqCurve");
  layout->addWidget(curve_, 1);

  auto* grid = new QGridLayout;
  grid->setHorizontalSpacing(6);
  grid->setVerticalSpacing(3);
  const QString rows[] = {tr("Band"), tr("Type"), tr("Freq"), tr("Gain"), tr("Q / slope")};
  for (int r = 0; r < 5; ++r) {
    auto* l = new QLabel(rows[r]);
    l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    grid->addWidget(l, r, 0);
  }
  for (int b = 0; b < reg::kEqBands; ++b) {
    BandControls& c = bands_[b];
    const QString n = QString::number(b + 1);
    c.on = new QToolButton;
    c.on->setObjectName("bandOn" + n);
    c.on->setCheckable(true);
    c.on->setText(n);
    c.on->setToolTip(tr("Band %1 on/off").arg(n));
    c.on->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    c.type = new QComboBox;
    c.type->setObjectName("bandType" + n);
    c.type->addItems({tr("Peak"), tr("Low shelf"), tr("High shelf"), tr("High-pass"), tr("Low-pass")});
    c.freq = make_spin_box("bandFreq" + n, limits::kEqMinHz, 20000.0, 1, tr(" Hz"), 1.0);
    c.freq->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    c.gain = make_spin_box("bandGain" + n, -limits::kEqGainDb, limits::kEqGainDb, 1, tr(" dB"), 0.1);
    c.q = make_spin_box("bandQ" + n, limits::kEqMinQ, limits::kEqMaxQ, 2, QString(), 0.05);
    c.q->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    for (QDoubleSpinBox* box : {c.freq, c.gain, c.q}) box->setButtonSymbols(QAbstractSpinBox::NoButtons);
    QWidget* cells[] = {c.on, c.type, c.freq, c.gain, c.q};
    for (int r = 0; r < 5; ++r) {
      cells[r]->setMinimumWidth(84);
      grid->addWidget(cells[r], r, b + 1);
    }
    grid->setColumnStretch(b + 1, 1);

    connect(c.on, &QToolButton::toggled, this, [this, b](bool on) {
      edit(b, [&](EqBand& band) {
        band.type = on ? kTypes[bands_[b].type->currentIndex()] : FilterType::Off;
      });
    });
    connect(c.type, &QComboBox::currentIndexChanged, this, [this, b](int index) {
      last_type_[b] = kTypes[index];
      edit(b, [&](EqBand& band) {
        if (band.type != FilterType::Off) band.type = kTypes[index];
      });
    });
    connect(c.freq, &QDoubleSpinBox::valueChanged, this, [this, b](double v) { edit(b, [&](EqBand& band) { band.freq_hz = v; }); });
    connect(c.gain, &QDoubleSpinBox::valueChanged, this, [this, b](double v) { edit(b, [&](EqBand& band) { band.gain_db = v; }); });
    connect(c.q, &QDoubleSpinBox::valueChanged, this, [this, b](double v) { edit(b, [&](EqBand& band) { band.q = v; }); });
  }
  layout->addLayout(grid);

  connect(range, &QComboBox::currentIndexChanged, this, [this, range](int i) { curve_->setRangeDb(range->itemData(i).toInt()); });
  connect(mode_, &QComboBox::currentIndexChanged, this, [this](int i) { model_->setMidSide(i == 1); });
  connect(target_, &QComboBox::currentIndexChanged, this, [this](int i) { model_->setEqTarget(static_cast<EqTarget>(i)); });
  connect(trim_, &QDoubleSpinBox::valueChanged, model_, &ChainModel::setTrimDb);
  connect(model_, &ChainModel::changed, this, &EqPanel::refresh);
  connect(model_, &ChainModel::eqViewChanged, this, &EqPanel::refresh);
  refresh();
}

void EqPanel::edit(int band, const std::function<void(EqBand&)>& change) {
  EqBand value = model_->band(model_->eqChannel(), band);
  change(value);
  model_->setSelectedBand(band);
  model_->setBand(model_->eqTarget(), band, value);
}

void EqPanel::refresh() {
  const ChainParams& p = model_->params();
  {
    const QSignalBlocker b1(mode_), b2(target_);
    mode_->setCurrentIndex(p.eq.mid_side ? 1 : 0);
    target_->setItemText(1, p.eq.mid_side ? tr("Mid") : tr("Left"));
    target_->setItemText(2, p.eq.mid_side ? tr("Side") : tr("Right"));
    target_->setCurrentIndex(static_cast<int>(model_->eqTarget()));
  }
  show_value(trim_, p.trim_db);
  const double max_hz = limits::kEqMaxFraction * model_->sampleRate();
  const int shown = model_->eqChannel();
  for (int b = 0; b < reg::kEqBands; ++b) {
    BandControls& c = bands_[b];
    const EqBand& band = p.eq.bands[shown][b];
    const bool on = band.type != FilterType::Off;
    if (on) last_type_[b] = band.type;
    {
      const QSignalBlocker b1(c.on), b2(c.type), b3(c.freq);
      c.on->setChecked(on);
      c.type->setCurrentIndex(static_cast<int>(std::find(std::begin(kTypes), std::end(kTypes), last_type_[b]) - std::begin(kTypes)));
      c.freq->setMaximum(max_hz);
    }
    show_value(c.freq, band.freq_hz);
    show_value(c.gain, band.gain_db);
    show_value(c.q, band.q);
    const bool gain = on && (band.type == FilterType::Peak || band.type == FilterType::LowShelf || band.type == FilterType::HighShelf);
    c.type->setEnabled(on);
    c.freq->setEnabled(on);
    c.gain->setEnabled(gain);
    c.q->setEnabled(on);
    c.q->setToolTip(band.type == FilterType::LowShelf || band.type == FilterType::HighShelf ? tr("Shelf slope") : tr("Q"));
  }
  refreshSelection();
}

void EqPanel::refreshSelection() {
  for (int b = 0; b < reg::kEqBands; ++b) {
    const QColor c = colors::band(b);
    const bool selected = b == model_->selectedBand();
    bands_[b].on->setStyleSheet(
        QStringLiteral("QToolButton { border: %1px solid %2; border-radius: 3px; padding: 2px; color: %3; font-weight: bold;"
                       " background: #3a3e46; }"
                       "QToolButton:checked { background: %4; color: black; }")
            .arg(selected ? 2 : 1)
            .arg(selected ? QStringLiteral("white") : c.darker(130).name(), c.name(), c.name()));
  }
}

}  // namespace lathe::gui
