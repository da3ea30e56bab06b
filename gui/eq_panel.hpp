// SPDX-License-Identifier: MIT
// The EQ: mode (stereo or mid/side), which channel edits go to, input trim, the response
// curve with its nodes, and per band: on/off, type, frequency, gain and Q.
#pragma once
#include <QWidget>
#include <array>
#include <functional>

#include "lathe/params.hpp"
#include "lathe/registers.hpp"

class QComboBox;
class QDoubleSpinBox;
class QToolButton;

namespace lathe::gui {

class ChainModel;
class EqCurveWidget;

class EqPanel : public QWidget {
  Q_OBJECT

 public:
  explicit EqPanel(ChainModel* model, QWidget* parent = nullptr);
  EqCurveWidget* curve() const { return curve_; }

 private:
  struct BandControls {
    QToolButton* on = nullptr;
    QComboBox* type = nullptr;
    QDoubleSpinBox* freq = nullptr;
    QDoubleSpinBox* gain = nullptr;
    QDoubleSpinBox* q = nullptr;
  };
  void refresh();
  void refreshSelection();
  void edit(int band, const std::function<void(EqBand&)>& change);

  ChainModel* model_;
  EqCurveWidget* curve_;
  QComboBox* mode_;
  QComboBox* target_;
  QDoubleSpinBox* trim_;
  std::array<BandControls, reg::kEqBands> bands_;
  // The type a band had before it was switched off, so switching it on restores it.
  std::array<FilterType, reg::kEqBands> last_type_{};
};

}  // namespace lathe::gui
