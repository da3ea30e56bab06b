// SPDX-License-Identifier: MIT
// The device side of the application, on its own thread: it owns the Device, writes
// registers the moment they change, streams a file through the device in real time for
// the live meters (preview), and runs mastering jobs. It only talks through queued
// signals and slots, so the window never waits for a device.
#pragma once
#include <QMetaType>
#include <QObject>
#include <QString>
#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/board_live.hpp"
#include "lathe/device.hpp"
#include "lathe/error.hpp"
#include "lathe/loudness.hpp"
#include "lathe/preset.hpp"
#include "lathe/registers.hpp"

class QTimer;

namespace lathe::gui {

// How a device is opened: lathe::open_device, or a stand-in in tests.
using DeviceFactory = std::function<Result<OpenedDevice>(const std::string& kind)>;

// Monotonic time in nanoseconds that paces the preview. The default is the steady clock;
// tests pass a clock they step, so what they check does not depend on a busy machine.
using PreviewClock = std::function<int64_t()>;
int64_t steady_clock_ns();

// "model", "sim", "usb", for display.
inline QString backend_text(Backend backend) { return QString::fromLatin1(backend_name(backend)); }

enum class DeviceState { kNone, kIdle, kPreview, kMastering, kLive, kError };

// A board's own live path as the window shows it (Live with a board: BoardLive).
struct BoardLiveStatus {
  bool running = false;  // the window shows the board in live mode
  int rate = 0;          // the codec's, which the settings are made for
  int latency = 0;       // samples: the board's live delay + the chain's
  bool audio = false;    // frames arrive (the audio clock runs)
  quint32 frames = 0, rx_errors = 0, underruns = 0, late = 0, clock_stops = 0;
  quint64 monitored = 0, lost_packets = 0;  // monitor frames the window metered, packets lost
  quint64 configs_sent = 0;  // settings written and committed while live
  double latencyMs() const { return rate ? 1000.0 * latency / rate : 0.0; }
};

struct DeviceStatus {
  bool open = false;
  QString requested;    // the kind asked for: auto, model, sim, usb
  Backend backend = Backend::kModel;  // what runs
  QString description;
  QString serial;       // boards only
  int protocol_version = 0;
  QString message;      // what open_device said
};

struct AudioFileInfo {
  QString path;
  int sample_rate = 0;
  int channels = 0;
  int bits = 0;
  bool is_float = false;
  double duration_s = 0.0;
  QString error;        // empty when the file can be read
};

// One meter update: levels since the previous update (dB), loudness of the output.
struct MeterReading {
  double in_peak_dbfs[2] = {-HUGE_VAL, -HUGE_VAL};
  double out_peak_dbfs[2] = {-HUGE_VAL, -HUGE_VAL};
  double in_true_peak_dbtp = -HUGE_VAL;   // libebur128 on the input blocks
  double out_true_peak_dbtp = -HUGE_VAL;  // libebur128 on the output blocks
  double comp_gr_db = 0.0;                // >= 0: dB of gain reduction
  double lim_gr_db = 0.0;
  double momentary_lufs = -HUGE_VAL;
  double shortterm_lufs = -HUGE_VAL;
  double integrated_lufs = -HUGE_VAL;     // since the preview started or the meters were reset
  double position_s = 0.0;
  double duration_s = 0.0;
};

// The chain's meters as a reading: peaks in dBFS, true peaks (linear, from the caller's
// BS.1770 meters) in dBTP, gain reductions in dB. A mono source (channels 1) shows its
// one channel twice. Loudness and position are the caller's to fill in.
MeterReading meter_reading(const model::Meters& m, double in_true_peak, double out_true_peak, int channels = 2);

struct MasterJob {
  QString input, output;
  Preset preset;
};

struct MasterReport {
  QString input, output;
  Backend backend = Backend::kModel;
  int sample_rate = 0, channels = 0, out_bits = 24;
  LoudnessReport before, after;
  std::optional<double> target_lufs;
  double ceiling_dbtp = 0.0;
  double drive_db = 0.0;
  double comp_gr_max_db = 0.0, lim_gr_max_db = 0.0;
  int passes = 0;
  bool target_reached = true;
  QString note;
  double seconds = 0.0;  // wall time of the job
};

class DeviceWorker : public QObject {
  Q_OBJECT

 public:
  explicit DeviceWorker(DeviceFactory factory, PreviewClock clock = steady_clock_ns, QObject* parent = nullptr);
  ~DeviceWorker() override;

  // Thread-safe (any thread, while a job runs): the job stops at its next progress step.
  void requestCancel() { cancel_.store(true); }
  // Called by the window before it queues a job, so an early Cancel is not lost.
  void clearCancel() { cancel_.store(false); }

  // The preview streams in ticks of this many milliseconds, as much audio as the clock
  // says is due (after a stall, at most a quarter of a second: it skips, never bursts).
  static constexpr int kPreviewTickMs = 25;
  // Live with a board: the monitor stream, counters and meters are read this often.
  static constexpr int kLiveTickMs = 100;

 public slots:
  void openDevice(const QString& kind);
  // Writes at once, also while audio runs. sample_rate: what the registers were made
  // for; the preview only streams a file whose rate matches.
  void applyRegisters(const lathe::reg::RegisterImage& regs, int sample_rate);
  void probeFile(const QString& path);
  void startPreview(const QString& path);
  void stopPreview();
  void resetMeters();  // integrated loudness starts again
  void masterFile(const lathe::gui::MasterJob& job);
  // A board with this serial left the bus. When it is the open one, the device is
  // dropped and the window told, also while nothing runs on it.
  void boardDetached(const QString& serial);
  // Live with a board: its codec in, the chain, its codec out, the settings last applied
  // (made for their rate: the codec's), the monitor stream metered here. Emits
  // boardLiveChanged. While live, applied settings are committed without a clear (the
  // board glides to them). Stop ends the board's live mode; closing the window leaves it
  // running (a studio's processor does not stop with the computer).
  void startBoardLive();
  void stopBoardLive();

 signals:
  void deviceOpened(const lathe::gui::DeviceStatus& status);
  void stateChanged(lathe::gui::DeviceState state, const QString& detail);
  void errorOccurred(const QString& message);
  void fileProbed(const lathe::gui::AudioFileInfo& info);
  void previewStarted(const lathe::gui::AudioFileInfo& info);
  void previewStopped();
  void metersUpdated(const lathe::gui::MeterReading& reading);
  void masterProgress(const QString& stage, double fraction);
  void masterFinished(const lathe::gui::MasterReport& report);
  void masterFailed(const QString& message, bool cancelled);
  void boardLiveChanged(const lathe::gui::BoardLiveStatus& status);

 private:
  struct Preview;
  struct Live;
  void tick();
  void liveTick();
  void endBoardLive(const QString& error);
  void fail(const QString& message);
  // What a failed call said: the error's name and its words
  // ("disconnected: board FT232H serial LT-0042 was unplugged").
  static QString failureText(const Error& error);
  void setState(DeviceState state, const QString& detail = {});
  void stopPreviewQuietly();
  bool writeRegisters(bool reset);
  std::optional<QString> runMaster(const MasterJob& job, MasterReport& report);

  DeviceFactory factory_;
  PreviewClock clock_;
  std::unique_ptr<Device> device_;
  DeviceStatus status_;
  std::optional<reg::RegisterImage> regs_;
  int regs_rate_ = 0;
  std::unique_ptr<Preview> preview_;
  std::unique_ptr<Live> live_;
  QTimer* timer_ = nullptr;
  QTimer* live_timer_ = nullptr;
  std::atomic<bool> cancel_{false};
};

AudioFileInfo probe_audio_file(const QString& path);

}  // namespace lathe::gui

Q_DECLARE_METATYPE(lathe::reg::RegisterImage)
Q_DECLARE_METATYPE(lathe::gui::DeviceStatus)
Q_DECLARE_METATYPE(lathe::gui::DeviceState)
Q_DECLARE_METATYPE(lathe::gui::AudioFileInfo)
Q_DECLARE_METATYPE(lathe::gui::MeterReading)
Q_DECLARE_METATYPE(lathe::gui::MasterJob)
Q_DECLARE_METATYPE(lathe::gui::MasterReport)
Q_DECLARE_METATYPE(lathe::gui::BoardLiveStatus)
