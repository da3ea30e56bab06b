// SPDX-License-Identifier: MIT
// The Live (JACK) mode: the window hosts the JACK client itself (live::JackSession, the
// code `lathe live --jack` runs), on a thread of its own. Its slots may block briefly
// (opening and closing the client); the window only sends queued signals and never
// waits. While it runs it forwards every register change to the session, and turns the
// session's meter snapshots, and the loudness of its output, into MeterReadings.
#pragma once
#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "device_worker.hpp"
#include "lathe/loudness.hpp"
#include "lathe/params.hpp"
#include "lathe/registers.hpp"

class QTimer;

namespace lathe::live {
class JackSession;
}

namespace lathe::gui {

struct LiveStatus {
  bool running = false;
  QString client;  // the JACK client's name
  QString server;
  QString device;  // what the device said
  int rate = 0, period = 0;
  int latency = 0, chain_latency = 0, priming = 0;  // frames
  quint64 xruns = 0, dropouts = 0;
  quint64 configs_posted = 0, configs_applied = 0;
  bool device_failed = false;
  double latencyMs() const { return rate ? 1000.0 * latency / rate : 0.0; }
};

class LiveWorker : public QObject {
  Q_OBJECT

 public:
  explicit LiveWorker(QObject* parent = nullptr);
  ~LiveWorker() override;

  static bool available();  // built with JACK
  static constexpr int kPollMs = 30;  // meters and status to the window

 public slots:
  // Opens the client on the JACK server (JACK_DEFAULT_SERVER) with this device (model,
  // sim; usb: see docs/gui.md) and settings (bypass included). Emits started() or
  // errorOccurred().
  void start(const QString& device, const lathe::ChainParams& params, const QString& client_name);
  void stop();  // emits stopped() (also when nothing ran)
  // While running: to the session at once, when made for its rate.
  void applyRegisters(const lathe::reg::RegisterImage& regs, int sample_rate);
  void resetMeters();  // the integrated loudness starts again

 signals:
  void started(const lathe::gui::LiveStatus& status);
  void statusChanged(const lathe::gui::LiveStatus& status);
  void stopped();
  void errorOccurred(const QString& message);
  void metersUpdated(const lathe::gui::MeterReading& reading);

 private:
  void poll();
  LiveStatus currentStatus() const;
  void end(const QString& error);

  std::unique_ptr<live::JackSession> session_;
  QTimer* timer_ = nullptr;
  std::optional<LoudnessMeter> in_meter_, out_meter_;
  std::vector<int32_t> in_tap_, out_tap_;
  double position_s_ = 0.0;
  quint64 last_applied_ = ~quint64{0};
  int last_latency_ = -1;
};

}  // namespace lathe::gui

Q_DECLARE_METATYPE(lathe::ChainParams)
Q_DECLARE_METATYPE(lathe::gui::LiveStatus)
