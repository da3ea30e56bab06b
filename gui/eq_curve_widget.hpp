// SPDX-License-Identifier: MIT
// The EQ response on a log-frequency axis (20 Hz .. 20 kHz), drawn from the quantised
// coefficients in the registers the device gets, with one node per active band:
// drag moves frequency and gain, the wheel changes Q, double-click on empty space adds a
// peak band, right-click picks the type.
#pragma once
#include <QPointF>
#include <QRectF>
#include <QWidget>
#include <array>
#include <optional>

#include "lathe/params.hpp"
#include "lathe/registers.hpp"

namespace lathe::gui {

class ChainModel;

class EqCurveWidget : public QWidget {
  Q_OBJECT

 public:
  static constexpr double kMinHz = 20.0;
  static constexpr double kMaxHz = 20000.0;

  explicit EqCurveWidget(ChainModel* model, QWidget* parent = nullptr);

  // The plot shows +-rangeDb() (6, 12 or 24); nodes beyond it sit at the edge.
  double rangeDb() const { return range_db_; }
  void setRangeDb(double db);

  QRectF plotRect() const;
  double xForFrequency(double hz) const;
  double frequencyAt(double x) const;
  double yForGain(double db) const;
  double gainAt(double y) const;
  // Centre of a band's node (the edited channel's band), or nothing when it is off.
  std::optional<QPointF> nodePosition(int band) const;
  int bandAt(const QPointF& pos) const;  // -1: no node there
  // Response of EQ channel 0 or 1 (dB) as the device realises it: from the registers.
  double responseDb(int channel, double hz) const;

  QSize sizeHint() const override { return {760, 300}; }
  QSize minimumSizeHint() const override { return {420, 140}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void updateRealised();
  const EqBand& editedBand(int band) const;
  void editBand(int band, const EqBand& value);
  double maxFrequency() const;

  ChainModel* model_;
  std::array<std::array<BiquadDesign, reg::kEqBands>, reg::kEqChannels> realised_{};
  int drag_band_ = -1;
  QPointF drag_offset_;
  int hover_band_ = -1;
  double range_db_ = 12.0;
};

}  // namespace lathe::gui
