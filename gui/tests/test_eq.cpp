// SPDX-License-Identifier: MIT
// The EQ views: moving a node, the wheel, double-click and the band controls change the
// registers the device receives to exactly what the CLI's conversion computes for the
// same settings (apply_setting + to_registers, as `lathe master --set` does).
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QToolButton>
#include <QWheelEvent>
#include <cmath>

#include "chain_model.hpp"
#include "eq_curve_widget.hpp"
#include "eq_panel.hpp"
#include "lathe/preset.hpp"
#include "main_window.hpp"
#include "support.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

namespace {

reg::RegisterImage cli_registers(const std::string& preset, const std::vector<std::string>& sets, int fs = 48000) {
  Preset p = *builtin_preset(preset);
  for (const auto& s : sets)
    if (auto e = apply_setting(p, s)) qFatal("apply_setting %s: %s", s.c_str(), e.message().c_str());
  return to_registers(p.params, fs);
}

QPointF point_for(const EqCurveWidget* curve, double hz, double db) {
  // The axis as specified: log frequency 20 Hz .. 20 kHz across, linear dB up and down.
  const QRectF r = curve->plotRect();
  return {r.left() + r.width() * std::log(hz / 20.0) / std::log(1000.0),
          r.center().y() - db / curve->rangeDb() * r.height() / 2.0};
}

}  // namespace

class EqTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    probe_ = std::make_shared<DeviceProbe>();
    window_ = std::make_unique<MainWindow>(WindowOptions{}, recording_factory(probe_));
    window_->resize(1500, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    curve_ = window_->eqPanel()->curve();
    // The registers of the starting preset reach the device.
    QTRY_VERIFY(probe_->writeCount() >= 1);
    const auto initial = cli_registers("streaming", {});
    QVERIFY2(probe_->last() == initial, register_diff(probe_->last(), initial));
  }
  void cleanup() { window_.reset(); }

  void dragNodeSendsCliRegisters() {
    const reg::RegisterImage before = probe_->last();
    // Band 2 of the streaming preset: high shelf, 10 kHz, +1 dB.
    const auto node = curve_->nodePosition(1);
    QVERIFY(node.has_value());
    const QPointF expected_node = point_for(curve_, 10000.0, 1.0);
    QVERIFY(std::abs(node->x() - expected_node.x()) < 1.0 && std::abs(node->y() - expected_node.y()) < 1.0);

    drag(curve_, *node, point_for(curve_, 3000.0, 6.0));
    const EqBand band = window_->model()->band(0, 1);
    QCOMPARE(band.type, FilterType::HighShelf);
    QVERIFY2(std::abs(band.freq_hz / 3000.0 - 1.0) < 0.01, qPrintable(QString::number(band.freq_hz)));
    QVERIFY2(std::abs(band.gain_db - 6.0) < 0.2, qPrintable(QString::number(band.gain_db)));
    QCOMPARE(window_->model()->band(1, 1), band);  // "Both channels" edits both
    // The band's spin boxes follow.
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("bandFreq2")->value(), std::round(band.freq_hz * 10) / 10);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("bandGain2")->value(), std::round(band.gain_db * 10) / 10);

    const auto expected = cli_registers("streaming", {"eq.band2.freq_hz=" + exact(band.freq_hz), "eq.band2.gain_db=" + exact(band.gain_db)});
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
    // Only the coefficients of band 2 (both channels) changed.
    for (int a = 0; a < reg::kRegCount; ++a) {
      bool band2 = false;
      for (int ch = 0; ch < 2; ++ch)
        for (int k = 0; k < reg::kEqCoefs; ++k) {
          const int w = reg::RegisterImage::eq_word(ch, 1, k);
          band2 = band2 || a == w || a == w + 1;
        }
      if (!band2) QCOMPARE(probe_->last().words[a], before.words[a]);
    }
    QVERIFY(probe_->last() != before);

    // The display range changes the drawing, not the settings.
    window_->findChild<QComboBox*>("eqRange")->setCurrentIndex(2);  // +-24 dB
    QCOMPARE(curve_->rangeDb(), 24.0);
    const QPointF moved = *curve_->nodePosition(1);
    QVERIFY(std::abs(moved.y() - point_for(curve_, band.freq_hz, band.gain_db).y()) < 0.5);
    QCOMPARE(window_->model()->band(0, 1), band);
  }

  void wheelChangesQ() {
    const QPointF node = *curve_->nodePosition(1);
    for (int i = 0; i < 3; ++i) {
      QWheelEvent wheel(node, curve_->mapToGlobal(node), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                        Qt::NoScrollPhase, false);
      QApplication::sendEvent(curve_, &wheel);
    }
    const double q = window_->model()->band(0, 1).q;
    QVERIFY2(q > 0.7071 * 1.3 && q < 0.7071 * 1.5, qPrintable(QString::number(q)));  // three steps of about 12 %
    const auto expected = cli_registers("streaming", {"eq.band2.q=" + exact(q)});
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
  }

  void doubleClickAddsPeakBand() {
    const QPointF at = point_for(curve_, 1000.0, -4.0);
    QTest::mouseDClick(curve_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
    const EqBand band = window_->model()->band(0, 2);  // band 3 was the first one off
    QCOMPARE(band.type, FilterType::Peak);
    QVERIFY(std::abs(band.freq_hz / 1000.0 - 1.0) < 0.01);
    QVERIFY(std::abs(band.gain_db + 4.0) < 0.2);
    QCOMPARE(window_->model()->selectedBand(), 2);
    QVERIFY(window_->findChild<QToolButton*>("bandOn3")->isChecked());
    const auto expected = cli_registers("streaming", {"eq.band3.type=peak", "eq.band3.freq_hz=" + exact(band.freq_hz),
                                                      "eq.band3.gain_db=" + exact(band.gain_db), "eq.band3.q=1"});
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
  }

  void bandControlsEditOneChannel() {
    // Edit the right channel only: gain of band 2, band 1 off, then mid/side mode.
    window_->findChild<QComboBox*>("eqTarget")->setCurrentIndex(2);
    QCOMPARE(window_->model()->eqTarget(), EqTarget::Channel1);
    auto* gain = window_->findChild<QDoubleSpinBox*>("bandGain2");
    gain->setValue(-2.5);
    window_->findChild<QToolButton*>("bandOn1")->click();
    window_->findChild<QComboBox*>("bandType4")->setCurrentIndex(2);  // high shelf, still off
    window_->findChild<QComboBox*>("eqMode")->setCurrentIndex(1);
    QCOMPARE(window_->model()->band(0, 1).gain_db, 1.0);
    QCOMPARE(window_->model()->band(1, 1).gain_db, -2.5);
    QCOMPARE(window_->model()->band(0, 0).type, FilterType::HighPass);
    QCOMPARE(window_->model()->band(1, 0).type, FilterType::Off);
    QCOMPARE(window_->model()->band(1, 3).type, FilterType::Off);
    auto expected = cli_registers("streaming", {"eq.ch1.band2.gain_db=-2.5", "eq.ch1.band1.type=off", "eq.mode=mid_side"});
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
    // Switching band 4 on brings the type chosen while it was off.
    window_->findChild<QToolButton*>("bandOn4")->click();
    QCOMPARE(window_->model()->band(1, 3).type, FilterType::HighShelf);
    expected = cli_registers("streaming", {"eq.ch1.band2.gain_db=-2.5", "eq.ch1.band1.type=off", "eq.mode=mid_side",
                                           "eq.ch1.band4.type=high_shelf"});
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
  }

  void curveShowsWhatTheDeviceGets() {
    // A 20 Hz low shelf at 96 kHz is where quantisation matters most (docs/fixed-point.md).
    EqBand shelf{FilterType::LowShelf, 20.0, 12.0, 0.7071};
    window_->model()->setSampleRate(96000);
    window_->model()->setBand(EqTarget::Channel0, 3, shelf);
    const auto expected = cli_registers("streaming", {"eq.ch0.band4.type=low_shelf", "eq.ch0.band4.freq_hz=20",
                                                      "eq.ch0.band4.gain_db=12", "eq.ch0.band4.q=0.7071"}, 96000);
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
    const reg::RegisterImage got = probe_->last();
    for (double hz : {20.0, 31.5, 100.0, 1000.0, 15000.0}) {
      double device_db = 0.0;
      for (int b = 0; b < reg::kEqBands; ++b) {
        std::array<int64_t, 5> q{};
        for (int k = 0; k < 5; ++k) q[k] = got.eq_coef(0, b, k);
        device_db += dequantize_biquad(q).magnitude_db(hz, 96000);
      }
      QVERIFY2(std::abs(curve_->responseDb(0, hz) - device_db) < 1e-9, qPrintable(QString::number(hz)));
    }
    // Channel 0 has the shelf, channel 1 not: the curves differ where the shelf acts.
    QVERIFY(curve_->responseDb(0, 30.0) - curve_->responseDb(1, 30.0) > 2.0);
    QVERIFY(std::abs(curve_->responseDb(0, 1000.0) - curve_->responseDb(1, 1000.0)) < 0.01);
  }

 private:
  std::shared_ptr<DeviceProbe> probe_;
  std::unique_ptr<MainWindow> window_;
  EqCurveWidget* curve_ = nullptr;
};

QTEST_MAIN(EqTest)
#include "test_eq.moc"
