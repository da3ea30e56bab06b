// SPDX-License-Identifier: MIT
// Live with a board: the window puts a board into live mode (its codec in, the chain, its
// codec out) and is its live console. Run under lathe-virtual-board --codec-in IN
// --codec-loop (ctest does), so the board's codec plays IN while the window watches: the
// latency it shows is the board's live delay + the chain's, the counters move with the
// audio and count no fault, the monitor stream gives the output's loudness, a new setting
// reaches the running board (committed, no clear: the board glides to it) and shows on
// its meters, and Stop ends the board's live mode, after which it takes files again.
// Every wait is on an event; the timeouts are hang guards (the simulated board runs at
// about a tenth of real time).
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <cmath>

#include "chain_model.hpp"
#include "main_window.hpp"
#include "support.hpp"
#include "lathe/device.hpp"
#include "lathe/usb/usb_backend.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

class BoardLiveTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { usb::register_usb_backend(); }

  void windowIsTheBoardsLiveConsole() {
    WindowOptions options;
    options.device = QStringLiteral("usb");
    MainWindow window(options);
    window.resize(1500, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY2_WITH_TIMEOUT(window.findChild<QLabel*>("deviceState")->text().contains("ready"),
                              qPrintable(window.errorText()), kHangGuardMs);
    auto* live = window.findChild<QPushButton*>("live");
    QVERIFY(live);
    QSignalSpy status(window.worker(), &DeviceWorker::boardLiveChanged);
    QSignalSpy meters(window.worker(), &DeviceWorker::metersUpdated);

    QTest::mouseClick(live, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(window.boardLiveRunning(), qPrintable(window.errorText()), kHangGuardMs);
    const int want_latency = 2 + latency_frames(window.model()->registers());
    QCOMPARE(window.boardLiveStatus().latency, want_latency);
    QCOMPARE(window.boardLiveStatus().rate, window.model()->sampleRate());
    QVERIFY(window.findChild<QPushButton*>("play") && !window.findChild<QPushButton*>("play")->isEnabled());
    auto* live_label = window.findChild<QLabel*>("liveStatus");
    QTRY_VERIFY_WITH_TIMEOUT(live_label->text().contains(QStringLiteral("latency %1 samples").arg(want_latency)),
                             kHangGuardMs);

    // The audio runs: frames counted, no fault; the monitor stream's momentary loudness
    // (400 ms of the board's output) comes to the meters.
    QTRY_VERIFY_WITH_TIMEOUT(window.boardLiveStatus().audio && window.boardLiveStatus().monitored > 48000 / 2,
                             kHangGuardMs);
    auto loud = [&] {
      for (const auto& args : meters)
        if (std::isfinite(args[0].value<MeterReading>().momentary_lufs)) return true;
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(loud(), kHangGuardMs);
    const BoardLiveStatus running = window.boardLiveStatus();
    QVERIFY(running.frames > 0);
    QCOMPARE(running.rx_errors, 0u);
    QCOMPARE(running.late, 0u);
    QCOMPARE(running.clock_stops, 0u);
    QCOMPARE(running.lost_packets, 0u);
    QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));
    qInfo("live: %u frames, %llu monitored, latency %d samples", running.frames,
          static_cast<unsigned long long>(running.monitored), running.latency);

    // A new setting while live: +18 dB into the limiter reaches the board (committed) and
    // its limiter reduces gain from then on; the board's live mode goes on.
    const quint64 sent = window.boardLiveStatus().configs_sent;
    LimiterParams lim = window.model()->params().lim;
    lim.drive_db = 18.0;
    meters.clear();
    window.model()->setLimiter(lim);
    QTRY_VERIFY_WITH_TIMEOUT(window.boardLiveStatus().configs_sent > sent, kHangGuardMs);
    auto limiting = [&] {
      for (const auto& args : meters)
        if (args[0].value<MeterReading>().lim_gr_db > 6.0) return true;
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(limiting(), kHangGuardMs);
    QVERIFY(window.boardLiveRunning());
    QCOMPARE(window.boardLiveStatus().late, 0u);

    // Stop ends the board's live mode: the window says so and the board takes files again
    // (the preview is enabled; the registers went back with a clear, which a board in live
    // mode refuses).
    QTest::mouseClick(live, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window.boardLiveRunning(), kHangGuardMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QPushButton*>("play")->isEnabled(), kHangGuardMs);
    QMetaObject::invokeMethod(window.worker(), [] {}, Qt::BlockingQueuedConnection);
    QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QLabel*>("deviceState")->text().contains("ready"),
                             kHangGuardMs);
  }
};

QTEST_MAIN(BoardLiveTest)
#include "test_board_live.moc"
