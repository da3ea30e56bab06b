// SPDX-License-Identifier: MIT
// Compressor (with its static curve), limiter and loudness target, output word length
// and dither.
#pragma once
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

namespace lathe::gui {

class ChainModel;
class CompressorCurveWidget;

class DynamicsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit DynamicsPanel(ChainModel* model, QWidget* parent = nullptr);

 private:
  void refresh();
  void commitCompressor();
  void commitLimiter();
  void commitOutput();

  ChainModel* model_;
  QDoubleSpinBox *threshold_, *ratio_, *knee_, *attack_, *release_, *makeup_;
  QCheckBox* link_;
  CompressorCurveWidget* curve_;
  QDoubleSpinBox *ceiling_, *lookahead_, *lim_release_, *drive_, *target_;
  QCheckBox* target_on_;
  QComboBox* bits_;
  QCheckBox* dither_;
};

}  // namespace lathe::gui
