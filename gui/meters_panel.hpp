// SPDX-License-Identifier: MIT
// Live meters while audio runs: input and output sample peaks (bars with peak hold) and
// true peaks, compressor and limiter gain reduction, momentary / short-term / integrated
// loudness of the output. Numbers show maxima since the last reset.
#pragma once
#include <QElapsedTimer>
#include <QWidget>
#include <array>
#include <optional>

#include "device_worker.hpp"

class QLabel;
class QPushButton;

namespace lathe::gui {

class ChainModel;

// One vertical bar. Level bars fill from the bottom (dBFS, LUFS); reduction bars from
// the top (dB of gain reduction, >= 0).
class MeterBar : public QWidget {
  Q_OBJECT

 public:
  enum class Kind { kLevel, kReduction };
  MeterBar(Kind kind, double min_db, double max_db, const QString& label, QWidget* parent = nullptr);
  void setValue(double db);
  void setHold(double db);
  void setMarker(std::optional<double> db) { marker_ = db; update(); }
  void setZones(double warn_db, double over_db) { warn_ = warn_db, over_ = over_db; }
  void setShowScale(bool show) { show_scale_ = show; updateGeometry(); }
  double value() const { return value_; }
  QSize sizeHint() const override { return {show_scale_ ? 46 : 20, 240}; }
  QSize minimumSizeHint() const override { return {show_scale_ ? 40 : 14, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  double fraction(double db) const;
  Kind kind_;
  double min_, max_;
  QString label_;
  double value_ = -HUGE_VAL, hold_ = -HUGE_VAL;
  double warn_ = -6.0, over_ = -1.0;
  std::optional<double> marker_;
  bool show_scale_ = false;
};

class MetersPanel : public QWidget {
  Q_OBJECT

 public:
  explicit MetersPanel(ChainModel* model, QWidget* parent = nullptr);

 public slots:
  void showReading(const lathe::gui::MeterReading& reading);
  void clear();  // audio stopped: bars fall to silence, numbers stay

 signals:
  void resetRequested();

 private:
  void resetMaxima();
  void refreshTargets();

  ChainModel* model_;
  std::array<MeterBar*, 2> in_bars_{}, out_bars_{};
  MeterBar *comp_bar_, *lim_bar_, *m_bar_, *s_bar_, *i_bar_;
  QLabel *in_peak_, *in_tp_, *out_peak_, *out_tp_, *comp_gr_, *lim_gr_;
  QLabel *momentary_, *shortterm_, *integrated_, *position_;
  QPushButton* reset_;

  QElapsedTimer since_last_;
  std::array<double, 2> in_level_{-HUGE_VAL, -HUGE_VAL}, out_level_{-HUGE_VAL, -HUGE_VAL};
  std::array<double, 2> in_hold_{-HUGE_VAL, -HUGE_VAL}, out_hold_{-HUGE_VAL, -HUGE_VAL};
  std::array<qint64, 2> in_hold_ms_{}, out_hold_ms_{};
  QElapsedTimer hold_clock_;
  double comp_level_ = 0.0, lim_level_ = 0.0;
  double in_peak_max_ = -HUGE_VAL, out_peak_max_ = -HUGE_VAL, in_tp_max_ = -HUGE_VAL, out_tp_max_ = -HUGE_VAL;
  double comp_gr_max_ = 0.0, lim_gr_max_ = 0.0;
};

}  // namespace lathe::gui
