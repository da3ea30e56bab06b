// SPDX-License-Identifier: MIT
// The compressor's static curve (output level against input level, -60..0 dBFS), from
// the register values the device gets and the soft-knee gain computer of
// docs/fixed-point.md, so the curve shows what the device realises.
#pragma once
#include <QWidget>

#include "lathe/registers.hpp"

namespace lathe::gui {

class ChainModel;

// Output level (dB) of a steady input level (dB) through the compressor's gain computer
// and makeup, as the registers set them (docs/fixed-point.md, Compressor, steps 2 and 4).
double compressor_output_db(const reg::RegisterImage& regs, double input_db);

class CompressorCurveWidget : public QWidget {
  Q_OBJECT

 public:
  static constexpr double kMinDb = -60.0;
  explicit CompressorCurveWidget(ChainModel* model, QWidget* parent = nullptr);
  QSize sizeHint() const override { return {190, 170}; }
  QSize minimumSizeHint() const override { return {140, 140}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  ChainModel* model_;
};

}  // namespace lathe::gui
