// SPDX-License-Identifier: MIT
#include "dynamics_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "chain_model.hpp"
#include "controls.hpp"
#include "compressor_curve_widget.hpp"

namespace lathe::gui {
namespace {

// Ratio 1..30 with the top of the range shown as infinity (a limiter-like compressor).
class RatioSpinBox : public QDoubleSpinBox {
 public:
  static constexpr double kInfinite = 30.0;
  RatioSpinBox() {
    setRange(1.0, kInfinite);
    setDecimals(1);
    setSingleStep(0.1);
    setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  }
  QString textFromValue(double v) const override {
    return v >= kInfinite ? QStringLiteral("\u221e : 1") : QString::number(v, 'f', 1) + QStringLiteral(" : 1");
  }
  double valueFromText(const QString& text) const override {
    const QString t = number_part(text);
    if (t == QStringLiteral("\u221e") || t.startsWith(QStringLiteral("inf"))) return kInfinite;
    return t.toDouble();
  }
  QValidator::State validate(QString& text, int&) const override {
    const QString t = number_part(text);
    if (t == QStringLiteral("\u221e") || t == QStringLiteral("inf")) return QValidator::Acceptable;
    if (t.isEmpty() || QStringLiteral("inf").startsWith(t)) return QValidator::Intermediate;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok) return QValidator::Invalid;
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
  }
  void fixup(QString& text) const override { text = textFromValue(valueFromText(text)); }

 private:
  static QString number_part(const QString& text) {
    QString t = text;
    t.remove(QStringLiteral(": 1")).remove(':');
    return t.trimmed();
  }
};

QFormLayout* form() {
  auto* f = new QFormLayout;
  f->setLabelAlignment(Qt::AlignRight);
  f->setHorizontalSpacing(8);
  f->setVerticalSpacing(4);
  return f;
}

}  // namespace

DynamicsPanel::DynamicsPanel(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* comp_box = new QGroupBox(tr("Compressor"));
  auto* comp_layout = new QHBoxLayout(comp_box);
  auto* cf = form();
  threshold_ = make_spin_box("compThreshold", limits::kThresholdMinDb, limits::kThresholdMaxDb, 1, tr(" dBFS"), 0.5);
  ratio_ = new RatioSpinBox;
  ratio_->setObjectName("compRatio");
  ratio_->setKeyboardTracking(false);
  ratio_->setAlignment(Qt::AlignRight);
  knee_ = make_spin_box("compKnee", 0.0, limits::kKneeMaxDb, 1, tr(" dB"), 0.5);
  attack_ = make_spin_box("compAttack", limits::kTimeMinMs, limits::kTimeMaxMs, 2, tr(" ms"), 1.0);
  release_ = make_spin_box("compRelease", limits::kTimeMinMs, limits::kTimeMaxMs, 1, tr(" ms"), 10.0);
  makeup_ = make_spin_box("compMakeup", -limits::kMakeupDb, limits::kMakeupDb, 1, tr(" dB"), 0.5);
  for (QDoubleSpinBox* s : {attack_, release_}) s->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  link_ = new QCheckBox(tr("Stereo link"));
  link_->setObjectName("compLink");
  cf->addRow(tr("Threshold"), threshold_);
  cf->addRow(tr("Ratio"), ratio_);
  cf->addRow(tr("Knee"), knee_);
  cf->addRow(QString(), link_);
  auto* cf2 = form();
  cf2->addRow(tr("Attack"), attack_);
  cf2->addRow(tr("Release"), release_);
  cf2->addRow(tr("Makeup"), makeup_);
  auto* columns = new QVBoxLayout;
  auto* pair = new QHBoxLayout;
  pair->addLayout(cf);
  pair->addLayout(cf2);
  columns->addLayout(pair);
  columns->addStretch(1);
  comp_layout->addLayout(columns);
  curve_ = new CompressorCurveWidget(model_);
  curve_->setObjectName("compCurve");
  comp_layout->addWidget(curve_, 1);
  layout->addWidget(comp_box, 3);

  auto* lim_box = new QGroupBox(tr("True-peak limiter"));
  auto* lf = form();
  ceiling_ = make_spin_box("limCeiling", limits::kCeilingMinDbtp, limits::kCeilingMaxDbtp, 1, tr(" dBTP"), 0.1);
  lookahead_ = make_spin_box("limLookahead", limits::kLookaheadMinMs, limits::kLookaheadMaxMs, 2, tr(" ms"), 0.1);
  lim_release_ = make_spin_box("limRelease", limits::kTimeMinMs, limits::kTimeMaxMs, 1, tr(" ms"), 10.0);
  lim_release_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  drive_ = make_spin_box("limDrive", -limits::kDriveDb, limits::kDriveDb, 2, tr(" dB"), 0.5);
  drive_->setToolTip(tr("Gain into the limiter. With a loudness target, mastering searches it; "
                        "the preview plays the value set here."));
  target_on_ = new QCheckBox(tr("Loudness target"));
  target_on_->setObjectName("targetOn");
  target_ = make_spin_box("targetLufs", -60.0, 0.0, 1, tr(" LUFS"), 0.5);
  lf->addRow(tr("Ceiling"), ceiling_);
  lf->addRow(tr("Lookahead"), lookahead_);
  lf->addRow(tr("Release"), lim_release_);
  lf->addRow(tr("Drive"), drive_);
  lf->addRow(target_on_, target_);
  lim_box->setLayout(lf);
  layout->addWidget(lim_box, 2);

  auto* out_box = new QGroupBox(tr("Output"));
  auto* of = form();
  bits_ = new QComboBox;
  bits_->setObjectName("outBits");
  bits_->addItems({tr("24-bit"), tr("16-bit")});
  dither_ = new QCheckBox(tr("TPDF dither"));
  dither_->setObjectName("dither");
  of->addRow(tr("Word length"), bits_);
  of->addRow(QString(), dither_);
  out_box->setLayout(of);
  layout->addWidget(out_box, 1);

  for (QDoubleSpinBox* s : {threshold_, ratio_, knee_, attack_, release_, makeup_})
    connect(s, &QDoubleSpinBox::valueChanged, this, &DynamicsPanel::commitCompressor);
  connect(link_, &QCheckBox::toggled, this, &DynamicsPanel::commitCompressor);
  for (QDoubleSpinBox* s : {ceiling_, lookahead_, lim_release_, drive_})
    connect(s, &QDoubleSpinBox::valueChanged, this, &DynamicsPanel::commitLimiter);
  connect(target_on_, &QCheckBox::toggled, this, [this](bool on) {
    model_->setTargetLufs(on ? std::optional<double>(target_->value()) : std::nullopt);
  });
  connect(target_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    if (target_on_->isChecked()) model_->setTargetLufs(v);
  });
  connect(bits_, &QComboBox::currentIndexChanged, this, &DynamicsPanel::commitOutput);
  connect(dither_, &QCheckBox::toggled, this, &DynamicsPanel::commitOutput);
  connect(model_, &ChainModel::changed, this, &DynamicsPanel::refresh);
  refresh();
}

// Each commit changes only the fields whose control moved: a preset value finer than a
// spin box shows (or a ratio above the box's range) survives edits of the others.
void DynamicsPanel::commitCompressor() {
  CompressorParams c = model_->params().comp;
  QObject* from = sender();
  if (from == threshold_) c.threshold_db = threshold_->value();
  else if (from == ratio_) c.ratio = ratio_->value() >= RatioSpinBox::kInfinite ? std::numeric_limits<double>::infinity() : ratio_->value();
  else if (from == knee_) c.knee_db = knee_->value();
  else if (from == attack_) c.attack_ms = attack_->value();
  else if (from == release_) c.release_ms = release_->value();
  else if (from == makeup_) c.makeup_db = makeup_->value();
  else if (from == link_) c.stereo_link = link_->isChecked();
  model_->setCompressor(c);
}

void DynamicsPanel::commitLimiter() {
  LimiterParams l = model_->params().lim;
  QObject* from = sender();
  if (from == ceiling_) l.ceiling_dbtp = ceiling_->value();
  else if (from == lookahead_) l.lookahead_ms = lookahead_->value();
  else if (from == lim_release_) l.release_ms = lim_release_->value();
  else if (from == drive_) l.drive_db = drive_->value();
  model_->setLimiter(l);
}

void DynamicsPanel::commitOutput() {
  DitherParams d = model_->params().dither;
  d.bits = bits_->currentIndex() == 1 ? 16 : 24;
  d.enabled = dither_->isChecked();
  model_->setDither(d);
}

void DynamicsPanel::refresh() {
  const ChainParams& p = model_->params();
  show_value(threshold_, p.comp.threshold_db);
  show_value(ratio_, std::min(p.comp.ratio, RatioSpinBox::kInfinite));
  show_value(knee_, p.comp.knee_db);
  show_value(attack_, p.comp.attack_ms);
  show_value(release_, p.comp.release_ms);
  show_value(makeup_, p.comp.makeup_db);
  show_value(ceiling_, p.lim.ceiling_dbtp);
  show_value(lookahead_, p.lim.lookahead_ms);
  show_value(lim_release_, p.lim.release_ms);
  show_value(drive_, p.lim.drive_db);
  const QSignalBlocker b1(link_), b2(target_on_), b3(bits_), b4(dither_);
  link_->setChecked(p.comp.stereo_link);
  const auto& target = model_->preset().target_lufs;
  target_on_->setChecked(target.has_value());
  target_->setEnabled(target.has_value());
  if (target) show_value(target_, *target);
  bits_->setCurrentIndex(p.dither.bits == 16 ? 1 : 0);
  dither_->setChecked(p.dither.enabled);
}

}  // namespace lathe::gui
