// SPDX-License-Identifier: MIT
// Boards coming and going while the window is open, through real libusb: run under
// lathe-virtual-board --attach-on-signal (ctest does), which plugs the board in on
// SIGUSR2 and pulls it on SIGUSR1; the test sends both to its parent when it is ready,
// so no step depends on how fast a loaded machine runs. The board shows up in the device
// list when it is plugged in, opens by its serial, streams, and when the cable is pulled
// the window says so although nothing runs on the board (no call could find out), and
// the entry goes. Every wait is on an event; the timeouts are hang guards.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>

#include <unistd.h>

#include "board_watcher.hpp"
#include "files_panel.hpp"
#include "main_window.hpp"
#include "support.hpp"
#include "lathe/usb/usb_backend.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

namespace {

const QString kSerial = QStringLiteral("LATHE-VB1");  // the virtual board's default

using Clock = std::chrono::steady_clock;

int ms_since(Clock::time_point t) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// The virtual board is this process's parent.
void tell_virtual_board(int signal) { QVERIFY(::kill(::getppid(), signal) == 0); }

}  // namespace

class UsbBoardTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { usb::register_usb_backend(); }

  void boardListFollowsPlugAndUnplug() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString music = write_test_audio(dir.filePath("music.wav"), 2.0, 48000);
    WindowOptions options;
    options.device = QStringLiteral("model");  // nothing to open on the bus yet
    MainWindow window(options);
    window.resize(1500, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* kind = window.findChild<QComboBox*>("deviceKind");
    auto* name = window.findChild<QLabel*>("deviceName");
    auto* details = window.findChild<QLabel*>("deviceDetails");
    auto* state = window.findChild<QLabel*>("deviceState");
    const QString board_kind = QStringLiteral("usb:") + kSerial;

    // Before the plug-in: the fixed entries only, after the watcher has looked at the bus
    // twice more (its first look lists the boards already attached).
    std::atomic<int> polls{0};  // counted on the watcher's thread
    QObject counter;
    connect(window.boardWatcher(), &BoardWatcher::polled, &counter, [&polls] { ++polls; }, Qt::DirectConnection);
    QTRY_VERIFY_WITH_TIMEOUT(name->text().contains("model"), kHangGuardMs);
    QTRY_VERIFY_WITH_TIMEOUT(polls.load() >= 2, kHangGuardMs);
    QCOMPARE(kind->findData(board_kind), -1);
    QVERIFY(kind->findData(QStringLiteral("usb")) >= 0);

    // Plugged in: listed by serial and place, within a few polls.
    const auto plugged = Clock::now();
    tell_virtual_board(SIGUSR2);
    QTRY_VERIFY_WITH_TIMEOUT(kind->findData(board_kind) >= 0, kHangGuardMs);
    qInfo("listed %d ms after the plug-in", ms_since(plugged));
    const int entry = kind->findData(board_kind);
    QVERIFY2(kind->itemText(entry).startsWith("usb: " + kSerial + " (bus "), qPrintable(kind->itemText(entry)));

    // Chosen and connected as a user does.
    kind->setCurrentIndex(entry);
    QTest::mouseClick(window.findChild<QPushButton*>("deviceConnect"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(name->text().contains("usb"), kHangGuardMs);
    QVERIFY2(details->text().contains("serial " + kSerial), qPrintable(details->text()));
    QTRY_VERIFY2_WITH_TIMEOUT(state->text().contains("ready"), qPrintable(state->text() + " / " + window.errorText()),
                              kHangGuardMs);
    QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));

    // The board processes audio: a short preview meters the output (the virtual board is
    // slower than real time, and slower still on a busy machine: the count decides).
    window.filesPanel()->setInputPath(music);
    QSignalSpy meters(window.worker(), &DeviceWorker::metersUpdated);
    QTest::mouseClick(window.findChild<QPushButton*>("play"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(meters.count() >= 5, kHangGuardMs);
    double out_peak_dbfs = -HUGE_VAL;
    for (const auto& args : meters) {
      const auto r = args[0].value<MeterReading>();
      out_peak_dbfs = std::max({out_peak_dbfs, r.out_peak_dbfs[0], r.out_peak_dbfs[1]});
    }
    QVERIFY2(std::isfinite(out_peak_dbfs) && out_peak_dbfs > -40.0, qPrintable(QString::number(out_peak_dbfs)));
    QTest::mouseClick(window.findChild<QPushButton*>("play"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(state->text().contains("ready"), kHangGuardMs);

    // Pulled while idle: once the worker has done all it was asked (a round trip through
    // its queue), no call is pending, so only the hotplug event can tell the window.
    QMetaObject::invokeMethod(window.worker(), [] {}, Qt::BlockingQueuedConnection);
    QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));
    const auto pulled = Clock::now();
    tell_virtual_board(SIGUSR1);
    QTRY_VERIFY_WITH_TIMEOUT(window.errorText().contains("board FT232H serial " + kSerial + " was unplugged"),
                             kHangGuardMs);
    qInfo("unplug shown %d ms after the cable was pulled", ms_since(pulled));  // a figure, not a test
    QTRY_VERIFY_WITH_TIMEOUT(state->text().contains("not connected"), kHangGuardMs);
    QVERIFY(name->text().contains("no device"));
    QVERIFY(!details->text().contains(kSerial));
    QTRY_COMPARE_WITH_TIMEOUT(kind->findData(board_kind), -1, kHangGuardMs);
    QCOMPARE(kind->currentData().toString(), QStringLiteral("usb"));

    // Another device opens as usual.
    kind->setCurrentIndex(kind->findData(QStringLiteral("model")));
    QTest::mouseClick(window.findChild<QPushButton*>("deviceConnect"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(name->text().contains("model"), kHangGuardMs);
    QTRY_VERIFY_WITH_TIMEOUT(state->text().contains("ready"), kHangGuardMs);
  }
};

QTEST_MAIN(UsbBoardTest)
#include "test_usb.moc"
