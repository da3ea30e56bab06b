// SPDX-License-Identifier: MIT
#include "compressor_curve_widget.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "chain_model.hpp"
#include "lathe/fixed_point.hpp"
#include "theme.hpp"

namespace lathe::gui {
namespace {
constexpr double kDbPerLog2 = 6.020599913279624;  // 20 log10(2)
}

double compressor_output_db(const reg::RegisterImage& regs, double input_db) {
  const double one = fx::kLogOne;
  const double threshold = static_cast<int32_t>(regs[reg::kCompThreshold]) / one;  // log2 units
  const double knee_half = static_cast<int32_t>(regs[reg::kCompKneeHalf]) / one;
  const double knee_coef = regs[reg::kCompKneeCoef] / 16777216.0;  // uQ8.24
  const double slope = regs[reg::kCompSlope] / 65536.0;            // uQ1.16
  const double makeup = static_cast<int32_t>(regs[reg::kCompMakeup]) / one;
  const double level = input_db / kDbPerLog2;
  const double over = level - threshold;
  double reduction = 0.0;
  if (over < -knee_half) reduction = 0.0;
  else if (over <= knee_half) reduction = knee_coef * (over + knee_half) * (over + knee_half);
  else reduction = slope * over;
  return (level - reduction + makeup) * kDbPerLog2;
}

CompressorCurveWidget::CompressorCurveWidget(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
  connect(model_, &ChainModel::changed, this, qOverload<>(&QWidget::update));
}

void CompressorCurveWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().window());
  const double side = std::min(width() - 34.0, height() - 22.0);
  const QRectF r(30.0, 4.0, side, side);
  p.fillRect(r, colors::kPlotBackground);
  auto x_of = [&](double db) { return r.left() + (db - kMinDb) / -kMinDb * r.width(); };
  auto y_of = [&](double db) { return r.bottom() - (db - kMinDb) / -kMinDb * r.height(); };

  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.8);
  p.setFont(small);
  for (int db = -60; db <= 0; db += 12) {
    p.setPen(QPen(colors::kGridMajor, 1));
    p.drawLine(QPointF(x_of(db), r.top()), QPointF(x_of(db), r.bottom()));
    p.drawLine(QPointF(r.left(), y_of(db)), QPointF(r.right(), y_of(db)));
    p.setPen(colors::kAxisText);
    p.drawText(QRectF(0, y_of(db) - 7, r.left() - 4, 14), Qt::AlignRight | Qt::AlignVCenter, QString::number(db));
    p.drawText(QRectF(x_of(db) - 14, r.bottom() + 2, 28, 14), Qt::AlignCenter, QString::number(db));
  }
  p.save();
  p.setClipRect(r);
  p.setPen(QPen(colors::kAxisText.darker(150), 1, Qt::DashLine));
  p.drawLine(QPointF(x_of(kMinDb), y_of(kMinDb)), QPointF(x_of(0), y_of(0)));

  const reg::RegisterImage& regs = model_->registers();
  const auto& comp = model_->params().comp;
  // The knee, shaded.
  const double th = comp.threshold_db, knee = comp.knee_db;
  QColor knee_fill = colors::kReduction;
  knee_fill.setAlpha(30);
  p.fillRect(QRectF(QPointF(x_of(th - knee / 2), r.top()), QPointF(x_of(th + knee / 2), r.bottom())), knee_fill);
  p.setPen(QPen(colors::kReduction.darker(130), 1, Qt::DotLine));
  p.drawLine(QPointF(x_of(th), r.top()), QPointF(x_of(th), r.bottom()));

  QPainterPath path;
  const int points = static_cast<int>(r.width());
  for (int i = 0; i <= points; ++i) {
    const double in = kMinDb + -kMinDb * i / points;
    const QPointF pt(x_of(in), y_of(compressor_output_db(regs, in)));
    if (i == 0) path.moveTo(pt);
    else path.lineTo(pt);
  }
  p.setPen(QPen(colors::kReduction, 2.2));
  p.drawPath(path);
  p.restore();
  p.setPen(QPen(palette().mid().color(), 1));
  p.drawRect(r);
}

}  // namespace lathe::gui
