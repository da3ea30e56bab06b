// SPDX-License-Identifier: MIT
// The Live (JACK) mode of the window on a dummy jackd of the test's own, in real time:
// Live opens a JACK client (its ports appear), a player plays a sine into it, a control
// changed in the window reaches the session (the applied-configuration count, the
// limiter's gain reduction on the meters), the latency label shows what the ports
// report (also after a lookahead change), and stopping Live removes the ports. With no
// JACK server, Live says so in the banner and the window goes on working. Only what a
// busy machine cannot break is asserted (no bits: an xrun would change them).
//
// First, before any Qt header: the JACK test helpers use lathe::signals, which Qt's
// `signals` keyword macro would rename.
#ifndef Q_MOC_RUN  // moc reads `signals` as the keyword too
#include "jack_session.hpp"
#endif
// Qt from here on.
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <cmath>
#include <cstdlib>

#include "chain_model.hpp"
#include "device_panel.hpp"
#include "files_panel.hpp"
#include "live_worker.hpp"
#include "main_window.hpp"
#include "support.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

namespace {

// A 997 Hz sine at -6 dBFS, both channels: through the streaming preset's compressor it
// reaches the limiter (ceiling -1 dBTP) about 11 dB under full scale; at +24 dB drive the
// limiter takes off more than 10 dB (measured: 1 to 2 dB at +12).
std::vector<int32_t> sine(double seconds) {
  const std::size_t n = static_cast<std::size_t>(seconds * lathe::test::kRate);
  std::vector<int32_t> v(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<int32_t>(std::lround(0.5 * 8388607.0 * std::sin(2.0 * M_PI * 997.0 * i / lathe::test::kRate)));
    v[2 * i] = v[2 * i + 1] = x;
  }
  return v;
}

// A client of the test's own, to look the window's ports up.
struct Probe {
  explicit Probe(const std::string& server) {
    jack_status_t st;
    client = jack_client_open("probe", static_cast<jack_options_t>(JackNoStartServer | JackServerName), &st, server.c_str());
  }
  ~Probe() {
    if (client) jack_client_close(client);
  }
  bool has_port(const QString& name) const { return client && jack_port_by_name(client, name.toUtf8().constData()); }
  jack_client_t* client = nullptr;
};

}  // namespace

class LiveTest : public QObject {
  Q_OBJECT

 private slots:
  void cleanup() { window_.reset(); }

  void liveSessionFollowsTheWindow() {
    lathe::test::CliScratch scratch("gui-live");
    lathe::test::JackServer server(scratch, 256);
    QVERIFY(server.up());
    ::setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
    open();
    auto* live = window_->transport()->liveButton();
    auto* play = window_->transport()->playButton();
    QVERIFY(live->isEnabled());

    QTest::mouseClick(live, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveRunning(), kHangGuardMs);
    QVERIFY2(window_->errorText().isEmpty(), qPrintable(window_->errorText()));
    QVERIFY(live->isChecked());
    QVERIFY(!play->isEnabled());  // one stream at a time: the preview waits for Live to stop
    QVERIFY(!window_->filesPanel()->masterButton()->isEnabled());
    const LiveStatus st = window_->liveStatus();
    QCOMPARE(st.rate, lathe::test::kRate);
    QCOMPARE(st.period, 256);
    const QString client = st.client;
    Probe probe(server.name());
    for (const char* port : {":in_L", ":in_R", ":out_L", ":out_R"})
      QTRY_VERIFY_WITH_TIMEOUT(probe.has_port(client + port), kHangGuardMs);

    // The latency label shows what the out ports report.
    const std::vector<int32_t> programme = sine(600.0);
    lathe::test::PlayRecord pr(server.name(), programme, 4096);
    QVERIFY(pr.ok());
    QVERIFY(pr.connect(client.toStdString()));
    const long reported = pr.reported_latency(client.toStdString());
    QCOMPARE(reported, static_cast<long>(lookahead_samples(2.0, lathe::test::kRate) + lathe::reg::kChainExtraDelay));
    QCOMPARE(static_cast<long>(window_->liveStatus().latency), reported);
    auto* label = window_->transport()->liveStatusLabel();
    QVERIFY(label->isVisible());
    QVERIFY2(label->text().contains(QStringLiteral("latency %1 frames (%2 ms)").arg(reported).arg(1000.0 * reported / 48000, 0, 'f', 2)),
             qPrintable(label->text()));
    pr.start();

    // A control in the window: the session takes it (counted), and the limiter works.
    // The worker's signals, received on this (the window's) thread: queued, no race.
    std::vector<MeterReading> readings;
    connect(window_->liveWorker(), &LiveWorker::metersUpdated, this,
            [&readings](const MeterReading& r) { readings.push_back(r); });
    QTRY_VERIFY_WITH_TIMEOUT(!readings.empty(), kHangGuardMs);
    const quint64 applied = window_->liveStatus().configs_applied;
    window_->findChild<QDoubleSpinBox*>("limDrive")->setValue(24.0);
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveStatus().configs_applied > applied, kHangGuardMs);
    readings.clear();
    auto limited = [&] {
      for (const auto& r : readings)
        if (r.lim_gr_db > 6.0) return true;
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(limited(), kHangGuardMs);
    QTRY_VERIFY_WITH_TIMEOUT(window_->findChild<QLabel*>("limGr")->text().toDouble() < -6.0, kHangGuardMs);

    // A lookahead change moves the latency: the ports and the label follow.
    window_->findChild<QDoubleSpinBox*>("limLookahead")->setValue(0.5);
    const long shorter = lookahead_samples(0.5, lathe::test::kRate) + lathe::reg::kChainExtraDelay;
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveStatus().latency == shorter, kHangGuardMs);
    QCOMPARE(pr.reported_latency(client.toStdString(), [&](long v) { return v == shorter; }), shorter);
    QVERIFY2(label->text().contains(QStringLiteral("latency %1 frames").arg(shorter)), qPrintable(label->text()));

    // Bypass is one click, and reaches the session too.
    const quint64 before_bypass = window_->liveStatus().configs_applied;
    QTest::mouseClick(window_->transport()->bypassButton(), Qt::LeftButton);
    QVERIFY(window_->model()->bypass());
    QTRY_VERIFY_WITH_TIMEOUT(window_->liveStatus().configs_applied > before_bypass, kHangGuardMs);

    // Stop: the ports go; the preview is back.
    QTest::mouseClick(live, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->liveRunning(), kHangGuardMs);
    disconnect(window_->liveWorker(), nullptr, this, nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!probe.has_port(client + ":in_L") && !probe.has_port(client + ":out_L"), kHangGuardMs);
    QVERIFY(!live->isChecked());
    QVERIFY(play->isEnabled());
    QVERIFY(window_->filesPanel()->masterButton()->isEnabled());
    QVERIFY2(window_->errorText().isEmpty(), qPrintable(window_->errorText()));
  }

  void settingTheServerRateRefusesIsOneLine() {
    lathe::test::CliScratch scratch("gui-live-rate");
    lathe::test::JackServer server(scratch, 256, false, 44100);
    QVERIFY(server.up());
    ::setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
    open();
    // An EQ band at 23 kHz: fine at the window's 48 kHz, above 0.49 fs at the server's 44.1.
    EqBand band{FilterType::Peak, 23000.0, 3.0, 1.0};
    window_->model()->setBand(EqTarget::Both, 2, band);
    QVERIFY(!window_->model()->validationError());
    int stopped = 0;
    connect(window_->liveWorker(), &LiveWorker::stopped, this, [&stopped] { ++stopped; });
    QTest::mouseClick(window_->transport()->liveButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(stopped == 1, kHangGuardMs);
    disconnect(window_->liveWorker(), nullptr, this, nullptr);
    QVERIFY2(window_->errorText().contains("44100 Hz"), qPrintable(window_->errorText()));
    QVERIFY2(!window_->errorText().contains('\n'), qPrintable(window_->errorText()));
    QVERIFY(!window_->liveRunning());
    QVERIFY(!window_->transport()->liveButton()->isChecked());
  }

  void serverGoingAwayStopsLive() {
    lathe::test::CliScratch scratch("gui-live-gone");
    {
      lathe::test::JackServer server(scratch, 256);
      QVERIFY(server.up());
      ::setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
      open();
      QTest::mouseClick(window_->transport()->liveButton(), Qt::LeftButton);
      QTRY_VERIFY_WITH_TIMEOUT(window_->liveRunning(), kHangGuardMs);
    }  // jackd ends here (SIGTERM), under the running client
    QTRY_VERIFY_WITH_TIMEOUT(!window_->liveRunning(), kHangGuardMs);
    QTRY_VERIFY_WITH_TIMEOUT(window_->errorText().contains("JACK server shut down"), kHangGuardMs);
    QVERIFY(!window_->transport()->liveButton()->isChecked());
    QVERIFY(window_->transport()->playButton()->isEnabled());
  }

  void noServerShowsOneLineError() {
    ::setenv("JACK_DEFAULT_SERVER", ("lathe-no-such-server-" + std::to_string(::getpid())).c_str(), 1);
    open();
    auto* live = window_->transport()->liveButton();
    int stopped = 0;
    connect(window_->liveWorker(), &LiveWorker::stopped, this, [&stopped] { ++stopped; });
    QTest::mouseClick(live, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(stopped == 1, kHangGuardMs);
    disconnect(window_->liveWorker(), nullptr, this, nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(window_->errorText().contains("cannot connect to the JACK server"), kHangGuardMs);
    QVERIFY2(!window_->errorText().contains('\n'), qPrintable(window_->errorText()));
    QVERIFY(!window_->liveRunning());
    QVERIFY(!live->isChecked());
    QVERIFY(live->isEnabled());
    // The window goes on: a control change is taken, the preview button works.
    window_->findChild<QDoubleSpinBox*>("limDrive")->setValue(3.0);
    QCOMPARE(window_->model()->params().lim.drive_db, 3.0);
    QVERIFY(window_->transport()->playButton()->isEnabled());
  }

 private:
  void open() {
    WindowOptions options;
    options.device = "model";
    window_ = std::make_unique<MainWindow>(options, open_device);
    window_->show();
  }
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(LiveTest)
#include "test_live.moc"
