// SPDX-License-Identifier: MIT
#include "device_worker.hpp"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <chrono>

#include "lathe/job.hpp"
#include "lathe/link_device.hpp"
#include "lathe/params.hpp"

namespace lathe::gui {
namespace {

constexpr std::size_t kPreviewBlockFrames = 2048;

double amplitude_db(double linear) { return linear > 0.0 ? 20.0 * std::log10(linear) : -HUGE_VAL; }

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

MeterReading meter_reading(const model::Meters& m, double in_true_peak, double out_true_peak, int channels) {
  MeterReading r;
  constexpr double kEdgeFullScale = 1 << 23;
  for (int ch = 0; ch < 2; ++ch) {
    const int src = channels == 1 ? 0 : ch;
    r.in_peak_dbfs[ch] = amplitude_db(m.in_peak[src] / kEdgeFullScale);
    r.out_peak_dbfs[ch] = amplitude_db(m.out_peak[src] / kEdgeFullScale);
  }
  r.in_true_peak_dbtp = amplitude_db(in_true_peak);
  r.out_true_peak_dbtp = amplitude_db(out_true_peak);
  r.comp_gr_db = log2_q16_to_db(m.comp_gr_max);
  r.lim_gr_db = log2_q16_to_db(m.lim_gr_max);
  return r;
}

int64_t steady_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct DeviceWorker::Preview {
  AudioFileInfo info;
  std::optional<AudioReader> reader;  // streams the file, looping: no whole file in memory
  std::size_t position = 0;           // frames since the file's start
  std::size_t total = 0;              // frames in the file (learnt at the first loop if the header has none)
  int64_t started_ns = 0;             // the clock when the stream started at this rate
  int64_t frames_done = 0;            // frames streamed (or skipped) since then
  std::optional<LoudnessMeter> in_meter, out_meter;
  std::vector<int32_t> in, out;
};

struct DeviceWorker::Live {
  explicit Live(BoardLive b) : board(std::move(b)) {}
  BoardLive board;
  std::optional<LoudnessMeter> out_meter;  // the monitor stream's loudness
  BoardLiveStatus status;
};

AudioFileInfo probe_audio_file(const QString& path) {
  AudioFileInfo info;
  info.path = path;
  auto format = lathe::probe_audio_file(path.toStdString());
  if (!format) {
    info.error = qs(format.error().message());
    return info;
  }
  info.sample_rate = format->sample_rate;
  info.channels = format->channels;
  info.bits = format->source_bits;
  info.is_float = format->source_float;
  info.duration_s = static_cast<double>(format->frames) / format->sample_rate;
  return info;
}

DeviceWorker::DeviceWorker(DeviceFactory factory, PreviewClock clock, QObject* parent)
    : QObject(parent), factory_(std::move(factory)), clock_(std::move(clock)), timer_(new QTimer(this)) {
  if (!clock_) clock_ = steady_clock_ns;
  timer_->setTimerType(Qt::PreciseTimer);
  timer_->setInterval(kPreviewTickMs);
  connect(timer_, &QTimer::timeout, this, &DeviceWorker::tick);
  live_timer_ = new QTimer(this);
  live_timer_->setInterval(kLiveTickMs);
  connect(live_timer_, &QTimer::timeout, this, &DeviceWorker::liveTick);
}

DeviceWorker::~DeviceWorker() {
  timer_->stop();
  live_timer_->stop();
  // The window closes: the board stays in live mode, without a monitor stream nobody reads.
  if (live_) (void)live_->board.stop_monitor();
}

// A device failure: shown in the window, and the device's state says so.
void DeviceWorker::fail(const QString& message) {
  emit errorOccurred(message);
  setState(device_ ? DeviceState::kError : DeviceState::kNone, message);
}

QString DeviceWorker::failureText(const Error& error) {
  return QString::fromLatin1(error.name()) + ": " + qs(error.message());
}

void DeviceWorker::setState(DeviceState state, const QString& detail) { emit stateChanged(state, detail); }

bool DeviceWorker::writeRegisters(bool reset) {
  if (!device_ || !regs_) return false;
  if (auto e = device_->write_registers(*regs_)) {
    fail(QStringLiteral("device %1: cannot write registers (%2)").arg(backend_text(status_.backend), failureText(e)));
    return false;
  }
  // The lookahead and the dither seed are latched at reset (docs/fixed-point.md).
  if (reset) {
    if (auto e = device_->reset()) {
      fail(QStringLiteral("device %1: reset failed (%2)").arg(backend_text(status_.backend), failureText(e)));
      return false;
    }
  }
  return true;
}

void DeviceWorker::openDevice(const QString& kind) {
  auto opened = factory_(kind.toStdString());
  if (!opened) {
    const QString message = qs(opened.error().message());
    if (device_) {  // the open device keeps working
      emit errorOccurred(message + QStringLiteral(" (still using %1)").arg(backend_text(status_.backend)));
      return;
    }
    fail(message);
    return;
  }
  if (preview_) preview_->frames_done = 0, preview_->started_ns = clock_();
  if (live_) {  // another device: the board stays in live mode, without a monitor stream
    live_timer_->stop();
    (void)live_->board.stop_monitor();
    live_.reset();
    emit boardLiveChanged({});
  }
  device_ = std::move(opened->device);
  const DeviceInfo info = device_->info();
  status_ = DeviceStatus{true,            kind,          info.backend,         qs(info.description),
                         qs(info.serial), info.protocol_version, qs(opened->message)};
  emit deviceOpened(status_);
  if (regs_ && !writeRegisters(true)) return;
  if (preview_) setState(DeviceState::kPreview, preview_->info.path);
  else setState(DeviceState::kIdle);
}

void DeviceWorker::applyRegisters(const reg::RegisterImage& regs, int sample_rate) {
  if (live_) {
    // The board's codec runs at the rate Live started with: settings for another rate
    // would put the EQ and the time constants in the wrong place.
    if (sample_rate != live_->status.rate) {
      emit errorOccurred(QStringLiteral("Live on the board runs at %1 Hz: stop Live to change the sample rate")
                             .arg(live_->status.rate));
      return;
    }
    regs_ = regs;
    if (auto e = live_->board.configure(regs)) return endBoardLive(QStringLiteral("Live on the board: %1").arg(failureText(e)));
    ++live_->status.configs_sent;
    emit boardLiveChanged(live_->status);
    return;
  }
  const bool relatch = !regs_ || sample_rate != regs_rate_ ||
                       regs[reg::kLimLookahead] != (*regs_)[reg::kLimLookahead] ||
                       regs[reg::kDitherSeed] != (*regs_)[reg::kDitherSeed];
  regs_ = regs;
  regs_rate_ = sample_rate;
  writeRegisters(relatch);
}

void DeviceWorker::probeFile(const QString& path) { emit fileProbed(probe_audio_file(path)); }

void DeviceWorker::startPreview(const QString& path) {
  if (live_) {  // the board takes no file audio in live mode
    emit errorOccurred(QStringLiteral("Stop Live to preview a file"));
    emit previewStopped();
    return;
  }
  if (!device_) {
    fail(QStringLiteral("no device is open: choose one and press Connect"));
    return;
  }
  stopPreviewQuietly();
  auto p = std::make_unique<Preview>();
  auto reader = AudioReader::open(path.toStdString());
  std::optional<Error> error;
  if (!reader) {
    error = reader.error();
  } else {
    p->reader.emplace(std::move(*reader));
    const AudioFormat& f = p->reader->format();
    p->total = static_cast<std::size_t>(std::max<int64_t>(0, f.frames));
    p->info = AudioFileInfo{path, f.sample_rate, f.channels, f.source_bits, f.source_float,
                            static_cast<double>(f.frames) / f.sample_rate, {}};
    auto in_meter = LoudnessMeter::create(f.sample_rate, f.channels, LoudnessMeter::Measures::kLive);
    auto out_meter = LoudnessMeter::create(f.sample_rate, f.channels, LoudnessMeter::Measures::kLive);
    if (!in_meter) error = in_meter.error();
    else if (!out_meter) error = out_meter.error();
    else p->in_meter.emplace(std::move(*in_meter)), p->out_meter.emplace(std::move(*out_meter));
  }
  if (error) {
    emit errorOccurred(qs(error->message()));  // the file's fault, not the device's
    emit previewStopped();
    setState(DeviceState::kIdle);
    return;
  }
  p->in.resize(2 * kPreviewBlockFrames);
  p->out.resize(2 * kPreviewBlockFrames);
  p->started_ns = clock_();
  preview_ = std::move(p);
  if (regs_ && !writeRegisters(true)) {  // start from a clean chain
    stopPreviewQuietly();
    emit previewStopped();
    return;
  }
  timer_->start();
  emit previewStarted(preview_->info);
  setState(DeviceState::kPreview, path);
}

void DeviceWorker::stopPreviewQuietly() {
  timer_->stop();
  preview_.reset();
}

void DeviceWorker::stopPreview() {
  const bool was_running = preview_ != nullptr;
  stopPreviewQuietly();
  emit previewStopped();
  if (was_running) setState(device_ ? DeviceState::kIdle : DeviceState::kNone);
}

void DeviceWorker::resetMeters() {
  if (!preview_) return;
  Preview& p = *preview_;
  auto meter = LoudnessMeter::create(p.out_meter->sample_rate(), p.out_meter->channels(), LoudnessMeter::Measures::kLive);
  if (!meter) {
    emit errorOccurred(qs(meter.error().message()));
    stopPreview();
    return;
  }
  p.out_meter.emplace(std::move(*meter));
}

void DeviceWorker::tick() {
  if (!preview_ || !device_) return;
  Preview& p = *preview_;
  const int fs = p.info.sample_rate;
  // Registers made for another rate would run the wrong filters: wait for the window to
  // send the ones for this file (it does on previewStarted).
  if (!regs_ || regs_rate_ != fs) {
    p.started_ns = clock_();
    p.frames_done = 0;
    return;
  }
  // In microseconds: nanoseconds times the rate would overflow 64 bits after 13 hours.
  const int64_t elapsed_us = (clock_() - p.started_ns) / 1000;
  int64_t due = elapsed_us * fs / 1000000 - p.frames_done;
  const int64_t max_due = fs / 4;  // after a stall (a master job, a slow device) skip, never burst
  if (due > max_due) {
    p.frames_done += due - max_due;
    due = max_due;
  }
  if (due <= 0) return;

  const int out_bits = ((*regs_)[reg::kCtrl] & reg::kCtrlOut16) ? 16 : 24;
  double in_tp = 0.0, out_tp = 0.0;
  // A device slower than real time (the simulated board) gets a time budget per tick, and
  // what it cannot do is skipped: register writes queued behind the tick wait no longer.
  // The budget is wall time whatever clock paces the preview: it is what the writes wait.
  QElapsedTimer budget;
  budget.start();
  for (int64_t done = 0; done < due && budget.elapsed() < 2 * kPreviewTickMs;) {
    const std::size_t want = std::min<std::size_t>(kPreviewBlockFrames, static_cast<std::size_t>(due - done));
    auto got = p.reader->read({p.in.data(), 2 * want});
    if (got && *got == 0 && p.position > 0) {  // the end: loop
      p.total = p.position;
      p.position = 0;
      if (auto e = p.reader->rewind()) got = failure(e);
      else got = p.reader->read({p.in.data(), 2 * want});
    }
    if (!got || *got == 0) {
      stopPreviewQuietly();
      emit previewStopped();
      emit errorOccurred(qs(got ? p.info.path.toStdString() + ": no audio frames" : got.error().message()) +
                         QStringLiteral("; preview stopped"));
      setState(DeviceState::kIdle);
      return;
    }
    const std::size_t n = *got;
    p.position += n;
    if (auto e = device_->process({p.in.data(), 2 * n}, {p.out.data(), 2 * n})) {
      stopPreviewQuietly();
      emit previewStopped();
      fail(QStringLiteral("device %1: audio failed (%2); preview stopped")
               .arg(backend_text(status_.backend), failureText(e)));
      return;
    }
    if (auto e = p.in_meter->add({p.in.data(), 2 * n}, 24); !e) in_tp = std::max(in_tp, p.in_meter->last_true_peak());
    if (auto e = p.out_meter->add({p.out.data(), 2 * n}, out_bits); !e)
      out_tp = std::max(out_tp, p.out_meter->last_true_peak());
    done += static_cast<int64_t>(n);
  }
  p.frames_done += due;

  const auto meters = device_->read_meters(true);
  if (!meters) {
    stopPreviewQuietly();
    emit previewStopped();
    fail(QStringLiteral("device %1: cannot read meters (%2); preview stopped")
             .arg(backend_text(status_.backend), failureText(meters.error())));
    return;
  }
  const model::Meters& m = *meters;
  MeterReading r = meter_reading(m, in_tp, out_tp, p.info.channels);
  r.momentary_lufs = p.out_meter->momentary_lufs();
  r.shortterm_lufs = p.out_meter->shortterm_lufs();
  r.integrated_lufs = p.out_meter->integrated_lufs();
  r.position_s = static_cast<double>(p.total ? p.position % p.total : p.position) / fs;
  r.duration_s = p.info.duration_s;
  emit metersUpdated(r);
}

void DeviceWorker::startBoardLive() {
  if (live_) {
    emit boardLiveChanged(live_->status);
    return;
  }
  auto* board = dynamic_cast<LinkDevice*>(device_.get());
  if (!board || !regs_) {
    emit errorOccurred(device_ ? QStringLiteral("Live on a board needs a board: connect one (usb)")
                               : QStringLiteral("no device is open: choose one and press Connect"));
    emit boardLiveChanged({});
    return;
  }
  if (preview_) {
    stopPreviewQuietly();
    emit previewStopped();
  }
  auto meter = LoudnessMeter::create(regs_rate_, 2, LoudnessMeter::Measures::kLive);
  if (!meter) {
    emit errorOccurred(qs(meter.error().message()));
    emit boardLiveChanged({});
    return;
  }
  BoardLiveOptions o;
  o.sample_rate = regs_rate_;
  o.monitor = true;
  auto live = BoardLive::start(*board, *regs_, o);
  if (!live) {
    fail(QStringLiteral("Live on the board: %1").arg(failureText(live.error())));
    emit boardLiveChanged({});
    return;
  }
  live_ = std::make_unique<Live>(std::move(*live));
  live_->out_meter.emplace(std::move(*meter));
  live_->status.running = true;
  live_->status.rate = regs_rate_;
  live_->status.latency = live_->board.latency();
  live_timer_->start();
  setState(DeviceState::kLive, status_.serial);
  emit boardLiveChanged(live_->status);
}

void DeviceWorker::liveTick() {
  if (!live_) return;
  Live& l = *live_;
  auto m = l.board.monitor(std::chrono::milliseconds(0));
  if (!m) return endBoardLive(QStringLiteral("Live on the board: %1").arg(failureText(m.error())));
  double out_tp = 0.0;
  l.status.lost_packets += m->lost_packets;
  if (!m->frames.empty()) {
    if (auto e = l.out_meter->add(m->frames, 24)) return endBoardLive(qs(e.message()));
    out_tp = l.out_meter->last_true_peak();
    l.status.monitored += m->frames.size() / 2;
  }
  auto c = l.board.counters();
  if (!c) return endBoardLive(QStringLiteral("Live on the board: %1").arg(failureText(c.error())));
  auto meters = device_->read_meters(true);
  if (!meters) return endBoardLive(QStringLiteral("Live on the board: %1").arg(failureText(meters.error())));
  l.status.audio = c->running;
  l.status.frames = c->frames;
  l.status.rx_errors = c->rx_errors;
  l.status.underruns = c->underruns;
  l.status.late = c->late;
  l.status.clock_stops = c->clock_stops;
  emit boardLiveChanged(l.status);
  // The board's meters since the last tick; the loudness and true peak of its output from
  // the monitor stream (no input stream comes to the host: no input true peak).
  MeterReading r = meter_reading(*meters, 0.0, out_tp);
  r.momentary_lufs = l.out_meter->momentary_lufs();
  r.shortterm_lufs = l.out_meter->shortterm_lufs();
  r.integrated_lufs = l.out_meter->integrated_lufs();
  r.position_s = static_cast<double>(l.status.monitored) / l.status.rate;
  emit metersUpdated(r);
}

void DeviceWorker::stopBoardLive() {
  if (!live_) {
    emit boardLiveChanged({});
    return;
  }
  live_timer_->stop();
  Error e;
  if (auto rest = live_->board.stop_monitor(); !rest) e = std::move(rest.error());
  if (!e) e = live_->board.end();
  live_.reset();
  emit boardLiveChanged({});
  if (e) return fail(QStringLiteral("Live on the board: cannot end live mode (%1)").arg(failureText(e)));
  // File mode again: the settings with a clear, as for any new start.
  if (regs_) writeRegisters(true);
  setState(DeviceState::kIdle);
}

void DeviceWorker::endBoardLive(const QString& error) {
  live_timer_->stop();
  live_.reset();
  emit boardLiveChanged({});
  fail(error);
}

void DeviceWorker::boardDetached(const QString& serial) {
  if (!device_ || status_.backend != Backend::kUsb || serial.isEmpty() || serial != status_.serial) return;
  // One cheap call: the transport has seen its transfers fail by now, and says what
  // happened in the driver's words. A board that still answers is not the one that left
  // (two boards with one serial).
  const auto meters = device_->read_meters(false);
  if (meters) return;
  const Error& e = meters.error();
  const QString message = e == Errc::kDisconnected
                              ? qs(e.message())
                              : QStringLiteral("board serial %1 was unplugged (%2)").arg(serial, failureText(e));
  if (preview_) {
    stopPreviewQuietly();
    emit previewStopped();
  }
  if (live_) {
    live_timer_->stop();
    live_.reset();
    emit boardLiveChanged({});
  }
  // A pulled board never comes back on the same handle: close it, so that the window
  // shows no device and the next Connect opens afresh.
  device_.reset();
  status_ = DeviceStatus{};
  fail(message + QStringLiteral(": choose a device and press Connect"));
}

void DeviceWorker::masterFile(const MasterJob& job) {
  if (live_) {
    emit masterFailed(QStringLiteral("Stop Live to master a file"), false);
    emit errorOccurred(QStringLiteral("Stop Live to master a file"));
    return;
  }
  if (preview_) stopPreview();
  setState(DeviceState::kMastering, job.input);
  MasterReport report;
  if (auto error = runMaster(job, report)) {
    const bool cancelled = cancel_.load();
    emit masterFailed(*error, cancelled);
    if (!cancelled) emit errorOccurred(*error);
  } else {
    emit masterFinished(report);
  }
  // A board ran the final pass with the job's registers: give it back the live ones.
  if (device_ && regs_ && status_.backend != Backend::kModel) writeRegisters(true);
  setState(device_ ? DeviceState::kIdle : DeviceState::kNone);
}

std::optional<QString> DeviceWorker::runMaster(const MasterJob& job, MasterReport& report) {
  if (!device_) return QStringLiteral("no device is open: choose one and press Connect");
  if (job.input.isEmpty()) return QStringLiteral("choose an input file");
  if (job.output.isEmpty()) return QStringLiteral("choose an output file");
  QString last_stage;
  int last_step = -1;
  auto progress = [&](const std::string& stage, double fraction) {
    const QString s = qs(stage == "done" ? "writing" : stage);
    const int step = static_cast<int>(fraction * 200.0);
    if (s != last_stage || step != last_step) emit masterProgress(s, fraction);
    last_stage = s;
    last_step = step;
    return !cancel_.load();
  };
  // The same job as `lathe master` (lathe/job.hpp): same checks, same output bytes.
  lathe::MasterJob spec;
  spec.input = job.input.toStdString();
  spec.output = job.output.toStdString();
  spec.preset = job.preset;
  auto done = run_master_job(spec, device_.get(), progress);
  if (!done) return qs(done.error().message());

  const JobReport& r = *done;
  report.input = job.input;
  report.output = job.output;
  report.backend = status_.backend;
  report.sample_rate = r.input_format.sample_rate;
  report.channels = r.input_format.channels;
  report.out_bits = r.out_bits;
  report.before = r.before;
  report.after = r.after;
  report.target_lufs = r.target_lufs;
  report.ceiling_dbtp = r.ceiling_dbtp;
  report.drive_db = r.drive_db;
  report.comp_gr_max_db = r.comp_gr_max_db;
  report.lim_gr_max_db = r.lim_gr_max_db;
  report.passes = r.passes;
  report.target_reached = r.target_reached;
  for (const auto& note : r.notes) report.note += (report.note.isEmpty() ? "" : "; ") + qs(note);
  report.seconds = r.seconds;
  emit masterProgress(QStringLiteral("done"), 1.0);
  return std::nullopt;
}

}  // namespace lathe::gui
