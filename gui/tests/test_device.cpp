// SPDX-License-Identifier: MIT
// The device side: back ends that cannot open and devices that fail show their error in
// the window; the board's identity shows; while audio runs the meters update live,
// parameter changes reach the device between blocks, and A/B bypass switches at once.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>

#include "chain_model.hpp"
#include "device_panel.hpp"
#include "files_panel.hpp"
#include "main_window.hpp"
#include "support.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

class DeviceTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    probe_ = std::make_shared<DeviceProbe>();
    clock_ = std::make_shared<SteppedClock>();
  }
  void cleanup() { window_.reset(); }

  void unavailableBackendShowsError() {
    open(WindowOptions{}, open_device);  // the real back-end selection
    auto* name = window_->findChild<QLabel*>("deviceName");
    QTRY_VERIFY(name->text().contains("model"));
    window_->findChild<QComboBox*>("deviceKind")->setCurrentIndex(2);  // sim
    QTest::mouseClick(window_->findChild<QPushButton*>("deviceConnect"), Qt::LeftButton);
    QTRY_VERIFY2(window_->errorText().contains("'sim' is not available"), qPrintable(window_->errorText()));
    QVERIFY(window_->findChild<QLabel*>("errorBanner")->isVisible());
    QVERIFY(name->text().contains("model"));  // the open device stays in use
    QVERIFY(window_->errorText().contains("still using model"));
  }

  void noDeviceAtStartShowsError() {
    WindowOptions options;
    options.device = "usb";
    open(options, open_device);
    QTRY_VERIFY2(window_->errorText().contains("'usb' is not available"), qPrintable(window_->errorText()));
    QTRY_VERIFY(window_->findChild<QLabel*>("deviceState")->text().contains("not connected"));
    // Preview then says why nothing plays, in the window too.
    window_->filesPanel()->setInputPath(write_test_audio(dir_.filePath("a.wav"), 1.0, 48000));
    window_->clearError();
    QTest::mouseClick(window_->findChild<QPushButton*>("play"), Qt::LeftButton);
    QTRY_VERIFY2(window_->errorText().contains("no device is open"), qPrintable(window_->errorText()));
  }

  void failingDeviceShowsError() {
    probe_->fail_writes = true;  // e.g. a board unplugged
    open(WindowOptions{}, recording_factory(probe_));
    QTRY_VERIFY2(window_->errorText().contains("cannot write registers"), qPrintable(window_->errorText()));
    QVERIFY(window_->errorText().contains("disconnected"));
    QTRY_VERIFY(window_->findChild<QLabel*>("deviceState")->text().contains("error"));
    // Every later failure shows too.
    window_->clearError();
    window_->findChild<QDoubleSpinBox*>("compThreshold")->setValue(-30.0);
    QTRY_VERIFY(window_->errorText().contains("cannot write registers"));
    // Once the device works again, the next change reaches it.
    probe_->fail_writes = false;
    window_->findChild<QDoubleSpinBox*>("compThreshold")->setValue(-31.0);
    QTRY_VERIFY(probe_->writeCount() >= 1);
    QCOMPARE(probe_->last(), window_->model()->registers());
  }

  void boardIdentityShown() {
    probe_->info = DeviceInfo{Backend::kUsb, "Lathe board (FT232H)", "LT-0042", 3, reg::kEqBands};
    open(WindowOptions{}, recording_factory(probe_));
    QTRY_VERIFY(window_->findChild<QLabel*>("deviceName")->text().contains("Lathe board"));
    QVERIFY(window_->findChild<QLabel*>("deviceDetails")->text().contains("LT-0042"));
    QVERIFY(window_->findChild<QLabel*>("deviceDetails")->text().contains("protocol 3"));
    QTRY_VERIFY(window_->findChild<QLabel*>("deviceState")->text().contains("ready"));
  }

  void liveMetersAndChangesWhileAudioRuns() {
    open(WindowOptions{}, recording_factory(probe_));
    QTRY_VERIFY(probe_->writeCount() >= 1);
    // A 44.1 kHz file: the model converts at its rate once the preview starts.
    window_->filesPanel()->setInputPath(write_test_audio(dir_.filePath("music.wav"), 4.0, 44100));
    QSignalSpy meters(window_->worker(), &DeviceWorker::metersUpdated);
    QTest::mouseClick(window_->findChild<QPushButton*>("play"), Qt::LeftButton);
    QTRY_COMPARE(window_->model()->sampleRate(), 44100);
    const auto at_44k = to_registers(builtin_preset("streaming")->params, 44100);
    QTRY_VERIFY2(probe_->last() == at_44k, register_diff(probe_->last(), at_44k));
    QTRY_VERIFY_WITH_TIMEOUT(meters.count() >= 20, kHangGuardMs);
    QVERIFY(window_->findChild<QPushButton*>("play")->text().contains("Stop"));
    QTRY_VERIFY(window_->findChild<QLabel*>("deviceState")->text().contains("streaming"));

    // Pacing by the clock (a stepped clock: each tick of the worker reads 25 ms later, so
    // the test depends on no machine's speed; a slow machine can only stream less).
    // (1) Between two moments the preview streams at most the audio the clock advanced.
    const int64_t tick_ns = clock_->step_ns.load();
    const auto at = [this] {  // frames and clock between two ticks, on the worker's thread
      std::pair<uint64_t, int64_t> s;
      QMetaObject::invokeMethod(window_->worker(), [&] { s = {probe_->frameCount(), clock_->peek()}; },
                                Qt::BlockingQueuedConnection);
      return s;
    };
    const auto frames_in = [](int64_t ns) { return static_cast<uint64_t>(ns / 1000 * 44100 / 1000000); };
    const auto a = at();
    QTRY_VERIFY_WITH_TIMEOUT(clock_->peek() >= a.second + 1500000000, kHangGuardMs);
    const auto b = at();
    QVERIFY(b.first > a.first);
    QVERIFY2(b.first - a.first <= frames_in(b.second - a.second) + 2,
             qPrintable(QString("%1 frames in %2 s of clock").arg(b.first - a.first).arg((b.second - a.second) / 1e9)));
    // (2) After a stall the preview skips: the clock stops, then jumps 2 s; the next tick
    // streams at most a quarter of a second, and once it runs again nothing is caught up.
    QMetaObject::invokeMethod(window_->worker(), [this] { clock_->step_ns.store(0); }, Qt::BlockingQueuedConnection);
    const auto c = at();
    QMetaObject::invokeMethod(window_->worker(), [this] { clock_->now_ns.fetch_add(2000000000); },
                              Qt::BlockingQueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(probe_->frameCount() > c.first, kHangGuardMs);
    const auto d = at();
    QVERIFY2(d.first - c.first <= 44100 / 4, qPrintable(QString("%1 frames after a 2 s stall").arg(d.first - c.first)));
    QMetaObject::invokeMethod(window_->worker(), [this, tick_ns] { clock_->step_ns.store(tick_ns); },
                              Qt::BlockingQueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(clock_->peek() >= d.second + 500000000, kHangGuardMs);
    const auto e = at();
    QVERIFY2(e.first - d.first <= frames_in(e.second - d.second) + 2,
             qPrintable(QString("%1 frames in %2 s after the stall").arg(e.first - d.first).arg((e.second - d.second) / 1e9)));

    // Live numbers in the window.
    const auto reading = meters.last()[0].value<MeterReading>();
    QVERIFY(std::isfinite(reading.momentary_lufs));
    double gr_at_18 = 0.0;  // the music goes over the -18 dBFS threshold
    for (const auto& args : meters) gr_at_18 = std::max(gr_at_18, args[0].value<MeterReading>().comp_gr_db);
    QVERIFY(gr_at_18 > 0.0);
    QTRY_VERIFY(window_->findChild<QLabel*>("integratedLufs")->text() != "--");
    QVERIFY(window_->findChild<QLabel*>("outTruePeak")->text() != "--");
    QVERIFY(window_->findChild<QLabel*>("compGr")->text().startsWith("-"));

    // A change while audio runs reaches the device between blocks, and audio goes on.
    const std::size_t writes = probe_->writeCount();
    window_->findChild<QDoubleSpinBox*>("compThreshold")->setValue(-40.0);
    QTRY_VERIFY(probe_->writeCount() > writes);
    QCOMPARE(static_cast<int32_t>(probe_->last()[reg::kCompThreshold]), db_to_log2_q16(-40.0));
    const uint64_t frames_at_change = probe_->frameCount();
    QTRY_VERIFY(probe_->frameCount() > frames_at_change + 4410);
    QTRY_VERIFY(meters.last()[0].value<MeterReading>().comp_gr_db > gr_at_18 + 6.0);

    // A/B: the bypass bit goes to the device at once; the output meter then reads the input.
    QTest::mouseClick(window_->findChild<QPushButton*>("bypass"), Qt::LeftButton);
    QTRY_VERIFY(probe_->last()[reg::kCtrl] & reg::kCtrlBypass);
    meters.clear();
    QTRY_VERIFY_WITH_TIMEOUT(meters.count() >= 12, kHangGuardMs);
    // Over a quarter of a second the output's peak is the input's (the output lags by the
    // limiter's latency, a few blocks' edges at most); processed, it is 3 dB lower here.
    double in_max = -HUGE_VAL, out_max = -HUGE_VAL;
    for (int i = 2; i < meters.count(); ++i) {
      const auto r = meters[i][0].value<MeterReading>();
      in_max = std::max({in_max, r.in_peak_dbfs[0], r.in_peak_dbfs[1]});
      out_max = std::max({out_max, r.out_peak_dbfs[0], r.out_peak_dbfs[1]});
    }
    QVERIFY2(std::abs(out_max - in_max) < 1.0, qPrintable(QString("%1 vs %2").arg(out_max).arg(in_max)));
    QTest::mouseClick(window_->findChild<QPushButton*>("bypass"), Qt::LeftButton);
    QTRY_VERIFY(!(probe_->last()[reg::kCtrl] & reg::kCtrlBypass));

    // Stop.
    QTest::mouseClick(window_->findChild<QPushButton*>("play"), Qt::LeftButton);
    QTRY_VERIFY(window_->findChild<QPushButton*>("play")->text().contains("Preview"));
    // Once the worker has done everything queued before (a round trip through its
    // queue), no audio reaches the device any more.
    const uint64_t frames_stopped = probe_->frameCount();
    QMetaObject::invokeMethod(window_->worker(), [] {}, Qt::BlockingQueuedConnection);
    QCOMPARE(probe_->frameCount(), frames_stopped);
  }

 private:
  void open(WindowOptions options, DeviceFactory factory) {
    QVERIFY(dir_.isValid());
    options.preview_clock = stepped(clock_);
    window_ = std::make_unique<MainWindow>(options, std::move(factory));
    window_->resize(1500, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  QTemporaryDir dir_;
  std::shared_ptr<DeviceProbe> probe_;
  std::shared_ptr<SteppedClock> clock_;
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(DeviceTest)
#include "test_device.moc"
