// SPDX-License-Identifier: MIT
#include "meters_panel.hpp"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "chain_model.hpp"
#include "theme.hpp"

namespace lathe::gui {
namespace {

constexpr double kFallDbPerS = 24.0;      // bar ballistics: instant rise, steady fall
constexpr qint64 kPeakHoldMs = 2000;

QLabel* readout(const char* name, const QString& tooltip, bool big = false) {
  auto* l = new QLabel(QStringLiteral("--"));
  l->setObjectName(name);
  l->setToolTip(tooltip);
  l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  QFont f = l->font();
  f.setFamily(QStringLiteral("DejaVu Sans Mono"));
  f.setStyleHint(QFont::Monospace);
  if (big) {
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
  }
  l->setFont(f);
  l->setMinimumWidth(big ? 84 : 64);
  return l;
}

QLabel* caption(const QString& text) {
  auto* l = new QLabel(text);
  l->setStyleSheet(QStringLiteral("color: #969ca6;"));
  return l;
}

}  // namespace

MeterBar::MeterBar(Kind kind, double min_db, double max_db, const QString& label, QWidget* parent)
    : QWidget(parent), kind_(kind), min_(min_db), max_(max_db), label_(label) {
  setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void MeterBar::setValue(double db) {
  if (db == value_) return;
  value_ = db;
  update();
}

void MeterBar::setHold(double db) {
  if (db == hold_) return;
  hold_ = db;
  update();
}

double MeterBar::fraction(double db) const {
  if (!std::isfinite(db)) return db > 0 ? 1.0 : 0.0;
  return std::clamp((db - min_) / (max_ - min_), 0.0, 1.0);
}

void MeterBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const double scale_w = show_scale_ ? 26.0 : 0.0;
  const QRectF bar(scale_w + 1, 2, width() - scale_w - 2, height() - 18);
  p.fillRect(bar, colors::kPlotBackground);
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.75);
  p.setFont(small);

  if (show_scale_) {
    const double step = (max_ - min_) > 30 ? 6.0 : 3.0;
    for (double db = std::ceil(min_ / step) * step; db <= max_ + 1e-9; db += step) {
      const double f = kind_ == Kind::kLevel ? fraction(db) : 1.0 - fraction(db);
      const double y = bar.bottom() - f * bar.height();
      p.setPen(colors::kAxisText);
      p.drawText(QRectF(0, y - 6, scale_w - 3, 12), Qt::AlignRight | Qt::AlignVCenter,
                 QString::number(kind_ == Kind::kReduction ? -db : db));
    }
  }
  // Dark ticks across the bar every scale step, drawn over the fill below.
  if (kind_ == Kind::kLevel) {
    const double f = fraction(value_);
    const QRectF fill(bar.left(), bar.bottom() - f * bar.height(), bar.width(), f * bar.height());
    QLinearGradient g(bar.bottomLeft(), bar.topLeft());
    const double warn = fraction(warn_), over = fraction(over_);
    g.setColorAt(0.0, colors::kMeterLow.darker(130));
    g.setColorAt(std::max(0.0, warn - 0.001), colors::kMeterLow);
    g.setColorAt(warn, colors::kMeterMid);
    g.setColorAt(std::max(warn, over - 0.001), colors::kMeterMid);
    g.setColorAt(over, colors::kMeterHigh);
    g.setColorAt(1.0, colors::kMeterHigh);
    p.fillRect(fill, g);
    if (std::isfinite(hold_) && hold_ > min_) {
      const double y = bar.bottom() - fraction(hold_) * bar.height();
      p.fillRect(QRectF(bar.left(), y - 1, bar.width(), 2), hold_ >= over_ ? colors::kMeterHigh : QColor(230, 230, 230));
    }
  } else {
    const double f = fraction(value_);
    p.fillRect(QRectF(bar.left(), bar.top(), bar.width(), f * bar.height()), colors::kReduction);
    if (std::isfinite(hold_) && hold_ > min_)
      p.fillRect(QRectF(bar.left(), bar.top() + fraction(hold_) * bar.height() - 1, bar.width(), 2), QColor(230, 230, 230));
  }
  if (marker_) {
    const double y = bar.bottom() - fraction(*marker_) * bar.height();
    p.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt::DashLine));
    p.drawLine(QPointF(bar.left() - 2, y), QPointF(bar.right() + 2, y));
  }
  for (int i = 1; i < 12; ++i) {
    const double y = bar.top() + bar.height() * i / 12.0;
    p.fillRect(QRectF(bar.left(), y, bar.width(), 1), QColor(0, 0, 0, 90));
  }
  QFont label_font = font();
  label_font.setPointSizeF(label_font.pointSizeF() * 0.85);
  p.setFont(label_font);
  p.setPen(colors::kAxisText);
  p.drawText(QRectF(bar.left() - 8, bar.bottom() + 1, bar.width() + 16, 16), Qt::AlignHCenter | Qt::AlignTop, label_);
}

MetersPanel::MetersPanel(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* title = new QHBoxLayout;
  title->addWidget(new QLabel(tr("<b>METERS</b>")));
  title->addStretch(1);
  position_ = caption(QString());
  position_->setObjectName("position");
  title->addWidget(position_);
  layout->addLayout(title);

  // Groups of bars, each under a caption.
  auto* bars = new QHBoxLayout;
  bars->setSpacing(10);
  auto group = [&](const QString& title, std::initializer_list<MeterBar*> members) {
    auto* column = new QVBoxLayout;
    column->setSpacing(2);
    auto* label = caption(title);
    label->setAlignment(Qt::AlignRight);
    column->addWidget(label);
    auto* row = new QHBoxLayout;
    row->setSpacing(3);
    for (MeterBar* b : members) row->addWidget(b);
    column->addLayout(row, 1);
    bars->addLayout(column);
  };
  for (int ch = 0; ch < 2; ++ch) {
    in_bars_[ch] = new MeterBar(MeterBar::Kind::kLevel, -60, 0, ch == 0 ? tr("L") : tr("R"));
    out_bars_[ch] = new MeterBar(MeterBar::Kind::kLevel, -60, 0, ch == 0 ? tr("L") : tr("R"));
    in_bars_[ch]->setZones(-12, -1);
    out_bars_[ch]->setZones(-12, -1);
  }
  in_bars_[0]->setShowScale(true);
  out_bars_[0]->setShowScale(true);
  comp_bar_ = new MeterBar(MeterBar::Kind::kReduction, 0, 24, tr("comp"));
  comp_bar_->setShowScale(true);
  lim_bar_ = new MeterBar(MeterBar::Kind::kReduction, 0, 24, tr("lim"));
  m_bar_ = new MeterBar(MeterBar::Kind::kLevel, -48, 0, tr("M"));
  s_bar_ = new MeterBar(MeterBar::Kind::kLevel, -48, 0, tr("S"));
  i_bar_ = new MeterBar(MeterBar::Kind::kLevel, -48, 0, tr("I"));
  m_bar_->setShowScale(true);
  group(tr("IN"), {in_bars_[0], in_bars_[1]});
  group(tr("OUT"), {out_bars_[0], out_bars_[1]});
  group(tr("GR"), {comp_bar_, lim_bar_});
  group(tr("LUFS"), {m_bar_, s_bar_, i_bar_});
  bars->addStretch(1);
  layout->addLayout(bars, 1);

  auto* numbers = new QGridLayout;
  numbers->setHorizontalSpacing(8);
  numbers->setVerticalSpacing(2);
  numbers->addWidget(caption(tr("in")), 0, 1, Qt::AlignRight);
  numbers->addWidget(caption(tr("out")), 0, 2, Qt::AlignRight);
  in_peak_ = readout("inPeak", tr("Input sample peak since reset (dBFS)"));
  out_peak_ = readout("outPeak", tr("Output sample peak since reset (dBFS)"));
  in_tp_ = readout("inTruePeak", tr("Input true peak since reset (dBTP, BS.1770-4 by libebur128: 4x below 96 kHz)"));
  out_tp_ = readout("outTruePeak", tr("Output true peak since reset (dBTP, BS.1770-4 by libebur128: 4x below 96 kHz)"));
  comp_gr_ = readout("compGr", tr("Largest compressor gain reduction since reset (dB)"));
  lim_gr_ = readout("limGr", tr("Largest limiter gain reduction since reset (dB)"));
  numbers->addWidget(caption(tr("Sample peak")), 1, 0);
  numbers->addWidget(in_peak_, 1, 1);
  numbers->addWidget(out_peak_, 1, 2);
  numbers->addWidget(caption(tr("True peak")), 2, 0);
  numbers->addWidget(in_tp_, 2, 1);
  numbers->addWidget(out_tp_, 2, 2);
  numbers->addWidget(caption(tr("GR comp / lim")), 3, 0);
  numbers->addWidget(comp_gr_, 3, 1);
  numbers->addWidget(lim_gr_, 3, 2);
  momentary_ = readout("momentaryLufs", tr("Momentary loudness (400 ms), LUFS"));
  shortterm_ = readout("shorttermLufs", tr("Short-term loudness (3 s), LUFS"));
  integrated_ = readout("integratedLufs", tr("Integrated loudness since reset, LUFS"), true);
  numbers->addWidget(caption(tr("Momentary / short-term")), 4, 0);
  numbers->addWidget(momentary_, 4, 1);
  numbers->addWidget(shortterm_, 4, 2);
  numbers->addWidget(caption(tr("Integrated")), 5, 0);
  numbers->addWidget(integrated_, 5, 1, 1, 2);
  numbers->setColumnStretch(0, 1);
  layout->addLayout(numbers);

  reset_ = new QPushButton(tr("Reset meters"));
  reset_->setObjectName("resetMeters");
  reset_->setToolTip(tr("Clear the maxima and start integrated loudness again"));
  layout->addWidget(reset_);
  connect(reset_, &QPushButton::clicked, this, [this] {
    resetMaxima();
    emit resetRequested();
  });
  connect(model_, &ChainModel::changed, this, &MetersPanel::refreshTargets);
  hold_clock_.start();
  resetMaxima();
  refreshTargets();
}

void MetersPanel::refreshTargets() {
  const auto& target = model_->preset().target_lufs;
  for (MeterBar* b : {m_bar_, s_bar_, i_bar_}) {
    b->setMarker(target);
    const double t = target.value_or(-14.0);
    b->setZones(t - 0.5, t + 3.0);
  }
  const double ceiling = model_->params().lim.ceiling_dbtp;
  for (MeterBar* b : out_bars_) b->setMarker(ceiling);
}

void MetersPanel::resetMaxima() {
  in_peak_max_ = out_peak_max_ = in_tp_max_ = out_tp_max_ = -HUGE_VAL;
  comp_gr_max_ = lim_gr_max_ = 0.0;
  in_hold_.fill(-HUGE_VAL);
  out_hold_.fill(-HUGE_VAL);
  for (QLabel* l : {in_peak_, out_peak_, in_tp_, out_tp_, comp_gr_, lim_gr_, momentary_, shortterm_, integrated_})
    l->setText(QStringLiteral("--"));
}

void MetersPanel::showReading(const MeterReading& r) {
  const double dt = since_last_.isValid() ? since_last_.restart() / 1000.0 : 0.0;
  if (!since_last_.isValid()) since_last_.start();
  const double fall = kFallDbPerS * dt;
  const qint64 now = hold_clock_.elapsed();
  auto ballistics = [&](double& shown, double& hold, qint64& hold_at, double fresh, MeterBar* bar) {
    shown = std::max(fresh, shown - fall);
    if (fresh >= hold || now - hold_at > kPeakHoldMs) hold = fresh, hold_at = now;
    bar->setValue(shown);
    bar->setHold(hold);
  };
  for (int ch = 0; ch < 2; ++ch) {
    ballistics(in_level_[ch], in_hold_[ch], in_hold_ms_[ch], r.in_peak_dbfs[ch], in_bars_[ch]);
    ballistics(out_level_[ch], out_hold_[ch], out_hold_ms_[ch], r.out_peak_dbfs[ch], out_bars_[ch]);
  }
  comp_level_ = std::max(r.comp_gr_db, comp_level_ - fall);
  lim_level_ = std::max(r.lim_gr_db, lim_level_ - fall);
  comp_bar_->setValue(comp_level_);
  lim_bar_->setValue(lim_level_);
  m_bar_->setValue(r.momentary_lufs);
  s_bar_->setValue(r.shortterm_lufs);
  i_bar_->setValue(r.integrated_lufs);

  in_peak_max_ = std::max({in_peak_max_, r.in_peak_dbfs[0], r.in_peak_dbfs[1]});
  out_peak_max_ = std::max({out_peak_max_, r.out_peak_dbfs[0], r.out_peak_dbfs[1]});
  in_tp_max_ = std::max(in_tp_max_, r.in_true_peak_dbtp);
  out_tp_max_ = std::max(out_tp_max_, r.out_true_peak_dbtp);
  comp_gr_max_ = std::max(comp_gr_max_, r.comp_gr_db);
  lim_gr_max_ = std::max(lim_gr_max_, r.lim_gr_db);
  comp_bar_->setHold(comp_gr_max_);
  lim_bar_->setHold(lim_gr_max_);
  in_peak_->setText(format_db(in_peak_max_));
  out_peak_->setText(format_db(out_peak_max_));
  in_tp_->setText(format_db(in_tp_max_));
  out_tp_->setText(format_db(out_tp_max_));
  const bool over = out_tp_max_ > model_->params().lim.ceiling_dbtp + 1e-9;
  out_tp_->setStyleSheet(over ? QStringLiteral("color: #eb463c;") : QString());
  // Gain reduction reads as a cut: "-3.2", and "0.0" when there is none.
  auto reduction = [](double db) { return db >= 0.05 ? QString::number(-db, 'f', 1) : QStringLiteral("0.0"); };
  comp_gr_->setText(reduction(comp_gr_max_));
  lim_gr_->setText(reduction(lim_gr_max_));
  momentary_->setText(format_db(r.momentary_lufs, 1, false));
  shortterm_->setText(format_db(r.shortterm_lufs, 1, false));
  integrated_->setText(format_db(r.integrated_lufs, 1, false));
  auto mmss = [](double s) {
    const int t = static_cast<int>(s);
    return QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
  };
  position_->setText(mmss(r.position_s) + " / " + mmss(r.duration_s));
}

void MetersPanel::clear() {
  since_last_.invalidate();
  for (int ch = 0; ch < 2; ++ch) {
    in_level_[ch] = out_level_[ch] = -HUGE_VAL;
    in_bars_[ch]->setValue(-HUGE_VAL);
    out_bars_[ch]->setValue(-HUGE_VAL);
  }
  comp_level_ = lim_level_ = 0.0;
  for (MeterBar* b : {comp_bar_, lim_bar_}) b->setValue(0.0);
  for (MeterBar* b : {m_bar_, s_bar_}) b->setValue(-HUGE_VAL);
  position_->clear();
}

}  // namespace lathe::gui
