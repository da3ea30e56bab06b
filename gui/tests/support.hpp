// SPDX-License-Identifier: MIT
// What the GUI tests share: a device that records what it receives (the model behind a
// recorder), test audio files, the real `lathe` binary, and event helpers.
#pragma once
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QMouseEvent>
#include <QProcess>
#include <QTest>
#include <QWidget>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "device_worker.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"

namespace lathe::gui::test {

// How long a QTRY_* waits for an event before it fails: a hang guard, far above what any
// step needs on a loaded machine (the tests wait on events, never for a guessed time).
constexpr int kHangGuardMs = 60000;

// lathe::signals::music_like, from a file without Qt: `signals` is a Qt keyword macro.
std::vector<int32_t> music_like_frames(double seconds, int sample_rate, uint32_t seed);

// The preview's clock, stepped by the test: each read is `step_ns` later than the one
// before (one tick's audio per tick of the worker's timer), and the test can stop it or
// jump it. Read on the worker's thread, hence atomics.
struct SteppedClock {
  std::atomic<int64_t> now_ns{1000000000};
  std::atomic<int64_t> step_ns{DeviceWorker::kPreviewTickMs * int64_t{1000000}};
  int64_t peek() const { return now_ns.load(); }
};

inline PreviewClock stepped(std::shared_ptr<SteppedClock> clock) {
  return [clock] {
    const int64_t step = clock->step_ns.load();
    return clock->now_ns.fetch_add(step) + step;
  };
}

// Everything a RecordingDevice saw, readable from the test thread.
struct DeviceProbe {
  mutable std::mutex mutex;
  std::vector<reg::RegisterImage> writes;
  std::vector<uint64_t> frames_at_write;  // frames processed before each write
  uint64_t frames = 0;
  int resets = 0;
  std::atomic<bool> fail_writes{false};
  DeviceInfo info{Backend::kModel, "recording model device", "", 0, reg::kEqBands};

  std::size_t writeCount() const {
    std::lock_guard lock(mutex);
    return writes.size();
  }
  reg::RegisterImage last() const {
    std::lock_guard lock(mutex);
    return writes.empty() ? reg::RegisterImage{} : writes.back();
  }
  uint64_t frameCount() const {
    std::lock_guard lock(mutex);
    return frames;
  }
};

// The bit-exact model, with every call recorded (and writes failing on request, as a
// disconnected board's would).
class RecordingDevice final : public Device {
 public:
  explicit RecordingDevice(std::shared_ptr<DeviceProbe> probe) : probe_(std::move(probe)) {}
  DeviceInfo info() const override { return probe_->info; }
  Error write_registers(const reg::RegisterImage& regs) override {
    if (probe_->fail_writes.load())
      return {Errc::kDisconnected, "recording device: writes fail, as a board's that was pulled"};
    {
      std::lock_guard lock(probe_->mutex);
      probe_->writes.push_back(regs);
      probe_->frames_at_write.push_back(probe_->frames);
    }
    return model_.write_registers(regs);
  }
  Error reset() override {
    std::lock_guard lock(probe_->mutex);
    ++probe_->resets;
    return model_.reset();
  }
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override {
    {
      std::lock_guard lock(probe_->mutex);
      probe_->frames += in.size() / 2;
    }
    return model_.process(in, out);
  }
  Result<model::Meters> read_meters(bool clear) override { return model_.read_meters(clear); }

 private:
  std::shared_ptr<DeviceProbe> probe_;
  ModelDevice model_;
};

// auto and model open a RecordingDevice on `probe`; sim and usb what open_device says.
inline DeviceFactory recording_factory(std::shared_ptr<DeviceProbe> probe) {
  return [probe](const std::string& kind) -> Result<OpenedDevice> {
    if (kind == "auto" || kind == "model")
      return OpenedDevice{std::make_unique<RecordingDevice>(probe), "device: " + kind + " -> recording model"};
    return open_device(kind);
  };
}

// Writes a music-like test file (24-bit, stereo unless mono) and returns its path.
inline QString write_test_audio(const QString& path, double seconds, int sample_rate, int channels = 2,
                                uint32_t seed = 7) {
  const auto frames = music_like_frames(seconds, sample_rate, seed);
  if (auto e = write_audio(path.toStdString(), WriteSpec{sample_rate, channels, 24}, frames))
    qFatal("cannot write test audio: %s", e.message().c_str());
  return path;
}

inline QByteArray file_bytes(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

struct CliRun {
  int exit_code = -1;
  QByteArray out, err;
};

// Runs the real `lathe` binary of this build.
inline CliRun run_cli(const QStringList& args, int timeout_ms = 60000) {
  QProcess p;
  p.start(QStringLiteral(LATHE_CLI), args);
  CliRun r;
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

// A value as `--set key=value` text that parses back to exactly the same double.
inline std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Mouse events sent straight to a widget (QTest::mouseMove does not carry held
// buttons reliably on every platform).
inline void send_mouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons,
                       Qt::KeyboardModifiers mods = Qt::NoModifier) {
  QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, mods);
  QApplication::sendEvent(w, &e);
}

inline void drag(QWidget* w, QPointF from, QPointF to, int steps = 8) {
  send_mouse(w, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
  for (int i = 1; i <= steps; ++i) {
    const QPointF p = from + (to - from) * (static_cast<double>(i) / steps);
    send_mouse(w, QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
  }
  send_mouse(w, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
}

// Picks a built-in preset as a user does: opens the list, moves to the entry, Enter.
inline void choose_builtin(QWidget* window, const QString& name) {
  auto* combo = window->findChild<QComboBox*>("builtinPresets");
  const int index = combo->findText(name);
  QVERIFY(index >= 0);
  combo->setFocus();
  // Keys on a closed combo move the selection and activate the entry.
  while (combo->currentIndex() < index) QTest::keyClick(combo, Qt::Key_Down);
  while (combo->currentIndex() > index) QTest::keyClick(combo, Qt::Key_Up);
}

// First differing register, for failure messages.
inline QByteArray register_diff(const reg::RegisterImage& got, const reg::RegisterImage& want) {
  for (int a = 0; a < reg::kRegCount; ++a)
    if (got.words[a] != want.words[a])
      return QStringLiteral("register 0x%1: got 0x%2, want 0x%3")
          .arg(a, 2, 16, QLatin1Char('0'))
          .arg(got.words[a], 8, 16, QLatin1Char('0'))
          .arg(want.words[a], 8, 16, QLatin1Char('0'))
          .toUtf8();
  return "equal";
}

}  // namespace lathe::gui::test
