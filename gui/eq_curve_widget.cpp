// SPDX-License-Identifier: MIT
#include "eq_curve_widget.hpp"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "chain_model.hpp"
#include "theme.hpp"

namespace lathe::gui {
namespace {

constexpr double kNodeRadius = 8.0;
constexpr double kHitRadius = 12.0;

// Rounds to `digits` significant digits: a dragged node lands on 1.25 kHz, not 1.2487 kHz.
double round_significant(double v, int digits) {
  if (v == 0.0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(v)))));
  return std::round(v * scale) / scale;
}

bool has_gain(FilterType t) { return t == FilterType::Peak || t == FilterType::LowShelf || t == FilterType::HighShelf; }

const char* type_label(FilterType t) {
  switch (t) {
    case FilterType::Off: return "Off";
    case FilterType::Peak: return "Peak";
    case FilterType::LowShelf: return "Low shelf";
    case FilterType::HighShelf: return "High shelf";
    case FilterType::HighPass: return "High-pass";
    case FilterType::LowPass: return "Low-pass";
  }
  return "";
}

}  // namespace

EqCurveWidget::EqCurveWidget(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  setMouseTracking(true);
  setFocusPolicy(Qt::ClickFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setToolTip(tr("Drag a node: frequency and gain (Shift: fine). Wheel: Q. "
                "Double-click: add a band. Right-click a node: type."));
  connect(model_, &ChainModel::changed, this, &EqCurveWidget::updateRealised);
  connect(model_, &ChainModel::eqViewChanged, this, qOverload<>(&QWidget::update));
  updateRealised();
}

void EqCurveWidget::updateRealised() {
  // What the device runs: the Q5.32 coefficients of the register image, not the design.
  const reg::RegisterImage& regs = model_->registers();
  for (int ch = 0; ch < reg::kEqChannels; ++ch)
    for (int b = 0; b < reg::kEqBands; ++b) {
      std::array<int64_t, 5> q{};
      for (int k = 0; k < reg::kEqCoefs; ++k) q[k] = regs.eq_coef(ch, b, k);
      realised_[ch][b] = dequantize_biquad(q);
    }
  update();
}

void EqCurveWidget::setRangeDb(double db) {
  if (db == range_db_) return;
  range_db_ = db;
  update();
}

QRectF EqCurveWidget::plotRect() const {
  return QRectF(QPointF(42.0, 10.0), QPointF(width() - 12.0, height() - 24.0));
}

double EqCurveWidget::xForFrequency(double hz) const {
  const QRectF r = plotRect();
  return r.left() + r.width() * std::log(hz / kMinHz) / std::log(kMaxHz / kMinHz);
}

double EqCurveWidget::frequencyAt(double x) const {
  const QRectF r = plotRect();
  return kMinHz * std::pow(kMaxHz / kMinHz, (x - r.left()) / r.width());
}

double EqCurveWidget::yForGain(double db) const {
  const QRectF r = plotRect();
  return r.center().y() - db / range_db_ * r.height() / 2.0;
}

double EqCurveWidget::gainAt(double y) const {
  const QRectF r = plotRect();
  return (r.center().y() - y) / (r.height() / 2.0) * range_db_;
}

double EqCurveWidget::maxFrequency() const {
  return std::min(kMaxHz, limits::kEqMaxFraction * model_->sampleRate());
}

const EqBand& EqCurveWidget::editedBand(int band) const { return model_->band(model_->eqChannel(), band); }

void EqCurveWidget::editBand(int band, const EqBand& value) { model_->setBand(model_->eqTarget(), band, value); }

std::optional<QPointF> EqCurveWidget::nodePosition(int band) const {
  const EqBand& b = editedBand(band);
  if (b.type == FilterType::Off) return std::nullopt;
  const double gain = has_gain(b.type) ? std::clamp(b.gain_db, -range_db_, range_db_) : 0.0;
  return QPointF(xForFrequency(std::clamp(b.freq_hz, kMinHz, kMaxHz)), yForGain(gain));
}

int EqCurveWidget::bandAt(const QPointF& pos) const {
  int best = -1;
  double best_d = kHitRadius;
  // The selected band wins ties, so stacked nodes stay reachable.
  const int selected = model_->selectedBand();
  for (int i = 0; i < reg::kEqBands; ++i) {
    const int b = (selected + i) % reg::kEqBands;
    if (auto p = nodePosition(b)) {
      const double d = std::hypot(p->x() - pos.x(), p->y() - pos.y());
      if (d < best_d) best = b, best_d = d;
    }
  }
  return best;
}

double EqCurveWidget::responseDb(int channel, double hz) const {
  double db = 0.0;
  for (const BiquadDesign& d : realised_[channel]) db += d.magnitude_db(hz, model_->sampleRate());
  return db;
}

void EqCurveWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().window());
  const QRectF r = plotRect();
  p.fillRect(r, colors::kPlotBackground);

  // Grid: decades and their 2x/5x, every 6 dB.
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  p.setFont(small);
  for (double decade = 10.0; decade <= 10000.0; decade *= 10.0)
    for (int m = 1; m <= 9; ++m) {
      const double hz = decade * m;
      if (hz < kMinHz || hz > kMaxHz) continue;
      const bool labelled = m == 1 || m == 2 || m == 5;
      const double x = xForFrequency(hz);
      p.setPen(QPen(labelled ? colors::kGridMajor : colors::kGridMinor, 1));
      p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
      if (labelled) {
        p.setPen(colors::kAxisText);
        const QString text = hz >= 1000.0 ? QString::number(hz / 1000.0) + "k" : QString::number(hz);
        // The last label sits inside the plot's right edge.
        const QRectF box = hz >= kMaxHz ? QRectF(x - 40, r.bottom() + 3, 40, 16) : QRectF(x - 20, r.bottom() + 3, 40, 16);
        p.drawText(box, (hz >= kMaxHz ? Qt::AlignRight : Qt::AlignHCenter) | Qt::AlignTop, text);
      }
    }
  const int step_db = range_db_ > 12.0 ? 6 : (range_db_ > 6.0 ? 3 : 1);
  for (int db = -static_cast<int>(range_db_); db <= range_db_; db += step_db) {
    const double y = yForGain(db);
    p.setPen(QPen(db == 0 ? colors::kAxisText.darker(160) : colors::kGridMajor, 1));
    p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y));
    p.setPen(colors::kAxisText);
    p.drawText(QRectF(0, y - 8, r.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
               db > 0 ? QStringLiteral("+%1").arg(db) : QString::number(db));
  }
  // Frequencies the sample rate cannot carry.
  if (maxFrequency() < kMaxHz) {
    const double x = xForFrequency(maxFrequency());
    p.fillRect(QRectF(QPointF(x, r.top()), r.bottomRight()), QColor(0, 0, 0, 90));
  }

  p.save();
  p.setClipRect(r);
  const int points = std::max(2, static_cast<int>(r.width() / 2.0));
  auto curve = [&](auto&& db_at) {
    QPainterPath path;
    for (int i = 0; i <= points; ++i) {
      const double x = r.left() + r.width() * i / points;
      const double y = yForGain(std::clamp(db_at(frequencyAt(x)), -range_db_ * 2, range_db_ * 2));
      if (i == 0) path.moveTo(x, y);
      else path.lineTo(x, y);
    }
    return path;
  };

  // The selected band alone, faint, under the totals.
  const int selected = model_->selectedBand();
  const int shown = model_->eqChannel();
  if (editedBand(selected).type != FilterType::Off) {
    const BiquadDesign& d = realised_[shown][selected];
    QPainterPath path = curve([&](double hz) { return d.magnitude_db(hz, model_->sampleRate()); });
    QPainterPath fill = path;
    fill.lineTo(r.right(), yForGain(0));
    fill.lineTo(r.left(), yForGain(0));
    fill.closeSubpath();
    QColor c = colors::band(selected);
    c.setAlpha(40);
    p.fillPath(fill, c);
    c.setAlpha(150);
    p.setPen(QPen(c, 1.2, Qt::DashLine));
    p.drawPath(path);
  }

  // Totals of both channels; the edited one on top. Identical channels draw once.
  const auto& bands = model_->params().eq.bands;
  const bool same = bands[0] == bands[1];
  const QColor channel_color[2] = {colors::kChannel0, colors::kChannel1};
  for (int ch : {1 - shown, shown}) {
    if (same && ch != shown) continue;
    const bool edited = ch == shown;
    QPainterPath path = curve([&](double hz) { return responseDb(ch, hz); });
    if (edited) {
      QPainterPath fill = path;
      fill.lineTo(r.right(), yForGain(0));
      fill.lineTo(r.left(), yForGain(0));
      fill.closeSubpath();
      QColor c = channel_color[ch];
      c.setAlpha(28);
      p.fillPath(fill, c);
    }
    QColor c = channel_color[ch];
    if (!edited) c.setAlpha(170);
    p.setPen(QPen(c, edited ? 2.2 : 1.4));
    p.drawPath(path);
  }
  p.restore();

  // Nodes of the edited channel.
  QFont bold = font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 0.85);
  p.setFont(bold);
  for (int b = 0; b < reg::kEqBands; ++b) {
    auto pos = nodePosition(b);
    if (!pos) continue;
    const bool is_selected = b == selected, is_hot = b == hover_band_ || b == drag_band_;
    QColor c = colors::band(b);
    p.setPen(QPen(is_selected ? Qt::white : c.darker(200), is_selected ? 2.0 : 1.0));
    p.setBrush(is_hot ? c.lighter(125) : c);
    const double radius = kNodeRadius + (is_hot ? 1.5 : 0.0);
    p.drawEllipse(*pos, radius, radius);
    p.setPen(Qt::black);
    p.drawText(QRectF(pos->x() - radius, pos->y() - radius, 2 * radius, 2 * radius), Qt::AlignCenter,
               QString::number(b + 1));
  }

  // Readout of the selected band, and the legend.
  p.setFont(small);
  const EqBand& sb = editedBand(selected);
  if (sb.type != FilterType::Off) {
    QString text = QStringLiteral("%1  %2  %3").arg(QString::number(selected + 1), tr(type_label(sb.type)), format_hz(sb.freq_hz));
    if (has_gain(sb.type)) text += QStringLiteral("  %1 dB").arg(format_db(sb.gain_db, 1));
    text += QStringLiteral("  Q %1").arg(sb.q, 0, 'f', 2);
    p.setPen(colors::band(selected));
    p.drawText(QRectF(r.left() + 8, r.top() + 4, r.width() / 2, 16), Qt::AlignLeft | Qt::AlignTop, text);
  }
  const bool ms = model_->params().eq.mid_side;
  const QString names[2] = {ms ? tr("Mid") : tr("Left"), ms ? tr("Side") : tr("Right")};
  double x = r.right() - 8;
  const QString rate = tr("%1 kHz, as quantised").arg(model_->sampleRate() / 1000.0);
  p.setPen(colors::kAxisText);
  const double rate_w = p.fontMetrics().horizontalAdvance(rate);
  p.drawText(QPointF(x - rate_w, r.top() + 15), rate);
  x -= rate_w + 14;
  for (int ch = 1; ch >= 0; --ch) {
    const QString label = same ? (ms ? tr("Mid = Side") : tr("Left = Right")) : names[ch];
    if (same && ch == 1) continue;
    const double w = p.fontMetrics().horizontalAdvance(label);
    p.setPen(colors::kAxisText);
    p.drawText(QPointF(x - w, r.top() + 15), label);
    p.setPen(QPen(ch == 0 ? colors::kChannel0 : colors::kChannel1, 2.2));
    p.drawLine(QPointF(x - w - 20, r.top() + 11), QPointF(x - w - 5, r.top() + 11));
    x -= w + 34;
  }
  p.setPen(QPen(palette().mid().color(), 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(r);
}

void EqCurveWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  const int b = bandAt(event->position());
  if (b < 0) return;
  model_->setSelectedBand(b);
  drag_band_ = b;
  drag_offset_ = *nodePosition(b) - event->position();
  setCursor(Qt::ClosedHandCursor);
  update();
}

void EqCurveWidget::mouseMoveEvent(QMouseEvent* event) {
  if (drag_band_ < 0) {
    const int hover = bandAt(event->position());
    if (hover != hover_band_) {
      hover_band_ = hover;
      setCursor(hover >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
      update();
    }
    return;
  }
  const bool fine = event->modifiers() & Qt::ShiftModifier;
  const QPointF at = event->position() + drag_offset_;
  EqBand band = editedBand(drag_band_);
  const double hz = round_significant(frequencyAt(at.x()), fine ? 4 : 3);
  band.freq_hz = std::clamp(std::round(hz * 10.0) / 10.0, kMinHz, maxFrequency());
  if (has_gain(band.type)) {
    const double step = fine ? 0.01 : 0.1;
    band.gain_db = std::clamp(std::round(gainAt(at.y()) / step) * step, -limits::kEqGainDb, limits::kEqGainDb);
  }
  editBand(drag_band_, band);
}

void EqCurveWidget::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || drag_band_ < 0) return QWidget::mouseReleaseEvent(event);
  drag_band_ = -1;
  setCursor(bandAt(event->position()) >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
  update();
}

void EqCurveWidget::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || bandAt(event->position()) >= 0 || !plotRect().contains(event->position()))
    return;
  for (int b = 0; b < reg::kEqBands; ++b) {
    if (editedBand(b).type != FilterType::Off) continue;
    EqBand band;
    band.type = FilterType::Peak;
    band.freq_hz = std::clamp(round_significant(frequencyAt(event->position().x()), 3), kMinHz, maxFrequency());
    band.gain_db = std::clamp(std::round(gainAt(event->position().y()) * 10.0) / 10.0, -limits::kEqGainDb, limits::kEqGainDb);
    band.q = 1.0;
    editBand(b, band);
    model_->setSelectedBand(b);
    return;
  }
}

void EqCurveWidget::wheelEvent(QWheelEvent* event) {
  int b = bandAt(event->position());
  if (b < 0) b = model_->selectedBand();
  if (editedBand(b).type == FilterType::Off) return event->ignore();
  // Some platforms turn Shift+wheel into a horizontal wheel.
  const QPoint delta = event->angleDelta();
  const double notches = (delta.y() != 0 ? delta.y() : delta.x()) / 120.0;
  const bool fine = event->modifiers() & Qt::ShiftModifier;
  EqBand band = editedBand(b);
  const double q = band.q * std::pow(fine ? 1.02 : 1.12, notches);
  band.q = std::clamp(round_significant(q, 3), limits::kEqMinQ, limits::kEqMaxQ);
  model_->setSelectedBand(b);
  editBand(b, band);
  event->accept();
}

void EqCurveWidget::contextMenuEvent(QContextMenuEvent* event) {
  const int b = bandAt(event->pos());
  if (b < 0) return;
  model_->setSelectedBand(b);
  QMenu menu(this);
  for (FilterType t : {FilterType::Peak, FilterType::LowShelf, FilterType::HighShelf, FilterType::HighPass,
                       FilterType::LowPass, FilterType::Off}) {
    QAction* a = menu.addAction(tr(type_label(t)));
    a->setCheckable(true);
    a->setChecked(editedBand(b).type == t);
    connect(a, &QAction::triggered, this, [this, b, t] {
      EqBand band = editedBand(b);
      band.type = t;
      editBand(b, band);
    });
  }
  menu.exec(event->globalPos());
}

void EqCurveWidget::leaveEvent(QEvent*) {
  if (hover_band_ >= 0 && drag_band_ < 0) {
    hover_band_ = -1;
    update();
  }
}

}  // namespace lathe::gui
