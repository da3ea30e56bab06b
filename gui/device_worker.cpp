// SPDX-License-Identifier: MIT
#include "device_worker.hpp"

#include <ebur128.h>
#include <sndfile.h>

#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "lathe/master.hpp"
#include "lathe/params.hpp"

namespace lathe::gui {
namespace {

constexpr std::size_t kPreviewBlockFrames = 2048;

struct Ebur128Deleter {
  void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};
using Ebur128Ptr = std::unique_ptr<ebur128_state, Ebur128Deleter>;

double amplitude_db(double linear) { return linear > 0.0 ? 20.0 * std::log10(linear) : -HUGE_VAL; }

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Adds interleaved stereo frames of `bits` width to a meter of 1 or 2 channels and
// returns the largest true peak (linear) of the frames added, when the meter has one.
double add_to_meter(ebur128_state* meter, const int32_t* frames, std::size_t count, int bits,
                    std::vector<double>& scratch) {
  const unsigned channels = meter->channels;
  const double scale = 1.0 / static_cast<double>(1 << (bits - 1));
  scratch.resize(count * channels);
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned c = 0; c < channels; ++c) scratch[i * channels + c] = frames[2 * i + c] * scale;
  ebur128_add_frames_double(meter, scratch.data(), count);
  double peak = 0.0;
  if (meter->mode & EBUR128_MODE_TRUE_PEAK)
    for (unsigned c = 0; c < channels; ++c) {
      double tp = 0.0;
      if (ebur128_prev_true_peak(meter, c, &tp) == EBUR128_SUCCESS) peak = std::max(peak, tp);
    }
  return peak;
}

}  // namespace

struct DeviceWorker::Preview {
  AudioFileInfo info;
  AudioBuffer audio;
  std::size_t position = 0;  // next input frame, looping
  QElapsedTimer clock;       // real time since the stream started at this rate
  int64_t frames_done = 0;   // frames streamed since `clock` started
  Ebur128Ptr in_meter, out_meter;
  std::vector<int32_t> in, out;
  std::vector<double> scratch;
};

AudioFileInfo probe_audio_file(const QString& path) {
  AudioFileInfo info;
  info.path = path;
  SF_INFO sf{};
  SNDFILE* f = sf_open(path.toLocal8Bit().constData(), SFM_READ, &sf);
  if (!f) {
    info.error = path + ": " + QString::fromLocal8Bit(sf_strerror(nullptr));
    return info;
  }
  sf_close(f);
  info.sample_rate = sf.samplerate;
  info.channels = sf.channels;
  info.duration_s = sf.samplerate > 0 ? static_cast<double>(sf.frames) / sf.samplerate : 0.0;
  switch (sf.format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: info.bits = 8; break;
    case SF_FORMAT_PCM_16: info.bits = 16; break;
    case SF_FORMAT_PCM_24: info.bits = 24; break;
    case SF_FORMAT_PCM_32: info.bits = 32; break;
    case SF_FORMAT_FLOAT: info.bits = 32; info.is_float = true; break;
    case SF_FORMAT_DOUBLE: info.bits = 64; info.is_float = true; break;
    default: break;
  }
  if (sf.channels != 1 && sf.channels != 2)
    info.error = path + QStringLiteral(": %1 channels (mono or stereo only)").arg(sf.channels);
  else if (!is_supported_rate(sf.samplerate))
    info.error = path + QStringLiteral(": %1 Hz is not a supported sample rate").arg(sf.samplerate);
  return info;
}

DeviceWorker::DeviceWorker(DeviceFactory factory, QObject* parent)
    : QObject(parent), factory_(std::move(factory)), timer_(new QTimer(this)) {
  timer_->setTimerType(Qt::PreciseTimer);
  timer_->setInterval(kPreviewTickMs);
  connect(timer_, &QTimer::timeout, this, &DeviceWorker::tick);
}

DeviceWorker::~DeviceWorker() { timer_->stop(); }

// A device failure: shown in the window, and the device's state says so.
void DeviceWorker::fail(const QString& message) {
  emit errorOccurred(message);
  setState(device_ ? DeviceState::kError : DeviceState::kNone, message);
}

QString DeviceWorker::failureText(std::error_code ec) const {
  const std::string detail = device_ ? device_->error_detail() : std::string();
  return detail.empty() ? qs(ec.message()) : qs(ec.message() + ": " + detail);
}

void DeviceWorker::setState(DeviceState state, const QString& detail) { emit stateChanged(state, detail); }

bool DeviceWorker::writeRegisters(bool reset) {
  if (!device_ || !regs_) return false;
  if (auto ec = device_->write_registers(*regs_)) {
    fail(QStringLiteral("device %1: cannot write registers (%2)").arg(status_.backend, failureText(ec)));
    return false;
  }
  // The lookahead and the dither seed are latched at reset (docs/fixed-point.md).
  if (reset) {
    if (auto ec = device_->reset()) {
      fail(QStringLiteral("device %1: reset failed (%2)").arg(status_.backend, failureText(ec)));
      return false;
    }
  }
  return true;
}

void DeviceWorker::openDevice(const QString& kind) {
  OpenedDevice opened = factory_(kind.toStdString());
  if (!opened.device) {
    QString message = qs(opened.message.empty() ? opened.error.message() : opened.message);
    if (device_) {  // the open device keeps working
      emit errorOccurred(message + QStringLiteral(" (still using %1)").arg(status_.backend));
      return;
    }
    fail(message);
    return;
  }
  if (preview_) preview_->frames_done = 0, preview_->clock.restart();
  device_ = std::move(opened.device);
  const DeviceInfo info = device_->info();
  status_ = DeviceStatus{true,           kind,          qs(info.backend), qs(info.description),
                         qs(info.serial), info.protocol_version, qs(opened.message)};
  emit deviceOpened(status_);
  if (regs_ && !writeRegisters(true)) return;
  if (preview_) setState(DeviceState::kPreview, preview_->info.path);
  else setState(DeviceState::kIdle);
}

void DeviceWorker::applyRegisters(const reg::RegisterImage& regs, int sample_rate) {
  const bool relatch = !regs_ || sample_rate != regs_rate_ ||
                       regs[reg::kLimLookahead] != (*regs_)[reg::kLimLookahead] ||
                       regs[reg::kDitherSeed] != (*regs_)[reg::kDitherSeed];
  regs_ = regs;
  regs_rate_ = sample_rate;
  writeRegisters(relatch);
}

void DeviceWorker::probeFile(const QString& path) { emit fileProbed(probe_audio_file(path)); }

void DeviceWorker::startPreview(const QString& path) {
  if (!device_) {
    fail(QStringLiteral("no device is open: choose one and press Connect"));
    return;
  }
  stopPreviewQuietly();
  auto read = read_audio(path.toStdString());
  if (auto* e = std::get_if<FileError>(&read)) {
    emit errorOccurred(qs(e->message));  // the file's fault, not the device's
    emit previewStopped();
    setState(DeviceState::kIdle);
    return;
  }
  auto p = std::make_unique<Preview>();
  p->audio = std::move(std::get<AudioBuffer>(read));
  p->info = AudioFileInfo{path, p->audio.sample_rate, p->audio.channels, p->audio.source_bits,
                          p->audio.source_float,
                          static_cast<double>(p->audio.frames()) / p->audio.sample_rate, {}};
  const auto channels = static_cast<unsigned>(p->audio.channels);
  const auto rate = static_cast<unsigned long>(p->audio.sample_rate);
  p->in_meter.reset(ebur128_init(channels, rate, EBUR128_MODE_TRUE_PEAK));
  p->out_meter.reset(ebur128_init(channels, rate,
                                  EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK |
                                      EBUR128_MODE_HISTOGRAM));
  if (!p->in_meter || !p->out_meter) {
    emit errorOccurred(QStringLiteral("cannot start the loudness meters (libebur128)"));
    emit previewStopped();
    return;
  }
  p->in.resize(2 * kPreviewBlockFrames);
  p->out.resize(2 * kPreviewBlockFrames);
  p->clock.start();
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
  p.out_meter.reset(ebur128_init(p.out_meter->channels, p.out_meter->samplerate, p.out_meter->mode));
  if (!p.out_meter) {
    emit errorOccurred(QStringLiteral("cannot restart the loudness meters (libebur128)"));
    stopPreview();
  }
}

void DeviceWorker::tick() {
  if (!preview_ || !device_) return;
  Preview& p = *preview_;
  const int fs = p.audio.sample_rate;
  // Registers made for another rate would run the wrong filters: wait for the window to
  // send the ones for this file (it does on previewStarted).
  if (!regs_ || regs_rate_ != fs) {
    p.clock.restart();
    p.frames_done = 0;
    return;
  }
  int64_t due = p.clock.nsecsElapsed() * fs / 1000000000 - p.frames_done;
  const int64_t max_due = fs / 4;  // after a stall (a master job, a slow device) skip, never burst
  if (due > max_due) {
    p.frames_done += due - max_due;
    due = max_due;
  }
  if (due <= 0) return;

  const int out_bits = ((*regs_)[reg::kCtrl] & reg::kCtrlOut16) ? 16 : 24;
  const std::size_t total = p.audio.frames();
  double in_tp = 0.0, out_tp = 0.0;
  // A device slower than real time (the simulated board) gets a time budget per tick, and
  // what it cannot do is skipped: register writes queued behind the tick wait no longer.
  QElapsedTimer budget;
  budget.start();
  for (int64_t done = 0; done < due && budget.elapsed() < 2 * kPreviewTickMs;) {
    const std::size_t n = std::min<std::size_t>(kPreviewBlockFrames, static_cast<std::size_t>(due - done));
    for (std::size_t i = 0; i < n; ++i) {
      p.in[2 * i] = p.audio.samples[2 * p.position];
      p.in[2 * i + 1] = p.audio.samples[2 * p.position + 1];
      if (++p.position == total) p.position = 0;
    }
    if (auto ec = device_->process({p.in.data(), 2 * n}, {p.out.data(), 2 * n})) {
      stopPreviewQuietly();
      emit previewStopped();
      fail(QStringLiteral("device %1: audio failed (%2); preview stopped").arg(status_.backend, failureText(ec)));
      return;
    }
    in_tp = std::max(in_tp, add_to_meter(p.in_meter.get(), p.in.data(), n, 24, p.scratch));
    out_tp = std::max(out_tp, add_to_meter(p.out_meter.get(), p.out.data(), n, out_bits, p.scratch));
    done += static_cast<int64_t>(n);
  }
  p.frames_done += due;

  model::Meters m;
  if (auto ec = device_->read_meters(m, true)) {
    stopPreviewQuietly();
    emit previewStopped();
    fail(QStringLiteral("device %1: cannot read meters (%2); preview stopped").arg(status_.backend, failureText(ec)));
    return;
  }
  MeterReading r;
  constexpr double kEdgeFullScale = 1 << 23;
  for (int ch = 0; ch < 2; ++ch) {
    const int src = p.audio.channels == 1 ? 0 : ch;  // a mono file shows its one channel twice
    r.in_peak_dbfs[ch] = amplitude_db(m.in_peak[src] / kEdgeFullScale);
    r.out_peak_dbfs[ch] = amplitude_db(m.out_peak[src] / kEdgeFullScale);
  }
  r.in_true_peak_dbtp = amplitude_db(in_tp);
  r.out_true_peak_dbtp = amplitude_db(out_tp);
  r.comp_gr_db = log2_q16_to_db(m.comp_gr_max);
  r.lim_gr_db = log2_q16_to_db(m.lim_gr_max);
  ebur128_loudness_momentary(p.out_meter.get(), &r.momentary_lufs);
  ebur128_loudness_shortterm(p.out_meter.get(), &r.shortterm_lufs);
  ebur128_loudness_global(p.out_meter.get(), &r.integrated_lufs);
  r.position_s = static_cast<double>(p.position) / fs;
  r.duration_s = p.info.duration_s;
  emit metersUpdated(r);
}

void DeviceWorker::boardDetached(const QString& serial) {
  if (!device_ || status_.backend != QLatin1String("usb") || serial.isEmpty() || serial != status_.serial) return;
  // One cheap call: the transport has seen its transfers fail by now, and says what
  // happened in the driver's words. A board that still answers is not the one that left
  // (two boards with one serial).
  model::Meters meters;
  const std::error_code ec = device_->read_meters(meters, false);
  if (!ec) return;
  const std::string detail = device_->error_detail();
  const QString message = ec == DeviceError::kDisconnected && !detail.empty()
                              ? qs(detail)
                              : QStringLiteral("board serial %1 was unplugged (%2)").arg(serial, failureText(ec));
  if (preview_) {
    stopPreviewQuietly();
    emit previewStopped();
  }
  // A pulled board never comes back on the same handle: close it, so that the window
  // shows no device and the next Connect opens afresh.
  device_.reset();
  status_ = DeviceStatus{};
  fail(message + QStringLiteral(": choose a device and press Connect"));
}

void DeviceWorker::masterFile(const MasterJob& job) {
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
  if (device_ && regs_ && status_.backend != QLatin1String("model")) writeRegisters(true);
  setState(device_ ? DeviceState::kIdle : DeviceState::kNone);
}

std::optional<QString> DeviceWorker::runMaster(const MasterJob& job, MasterReport& report) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!device_) return QStringLiteral("no device is open: choose one and press Connect");
  if (job.input.isEmpty()) return QStringLiteral("choose an input file");
  if (job.output.isEmpty()) return QStringLiteral("choose an output file");
  const std::string in_path = job.input.toStdString(), out_path = job.output.toStdString();
  std::error_code ec;
  if (std::filesystem::exists(out_path, ec) && std::filesystem::equivalent(in_path, out_path, ec))
    return job.output + QStringLiteral(": output would overwrite the input file");
  // As `lathe master`: everything that can be checked is checked before the work.
  if (auto e = check_output_path(out_path)) return qs(e->message);

  QString last_stage;
  int last_step = -1;
  auto progress = [&](const QString& stage, double fraction) {
    const int step = static_cast<int>(fraction * 200.0);
    if (stage != last_stage || step != last_step) emit masterProgress(stage, fraction);
    last_stage = stage;
    last_step = step;
    return !cancel_.load();
  };
  const QString cancelled = QStringLiteral("cancelled: %1 was not written").arg(job.output);

  if (!progress(QStringLiteral("reading"), 0.0)) return cancelled;
  auto read = read_audio(in_path);
  if (auto* e = std::get_if<FileError>(&read)) return qs(e->message);
  const AudioBuffer& audio = std::get<AudioBuffer>(read);
  if (auto err = validate(job.preset.params, audio.sample_rate)) return job.input + ": " + qs(*err);

  // The job's share of the bar: reading 0..2 %, the search 2..90 %, writing, measuring.
  MasterOptions options;
  options.params = job.preset.params;
  options.target_lufs = job.preset.target_lufs;
  options.channels = audio.channels;
  options.progress = [&](const std::string& stage, double f) {
    return progress(stage == "done" ? QStringLiteral("limiting") : qs(stage), 0.02 + 0.88 * f);
  };
  MasterResult result;
  if (auto err = master(audio.samples, audio.sample_rate, options, device_.get(), result))
    return err->cancelled ? cancelled : job.input + ": " + qs(err->message);
  if (!progress(QStringLiteral("writing"), 0.9)) return cancelled;
  const WriteSpec spec{audio.sample_rate, audio.channels, result.out_bits};
  if (auto e = write_audio(out_path, spec, result.output)) return qs(e->message);

  // The file is complete: from here a Cancel no longer removes it.
  emit masterProgress(QStringLiteral("measuring"), 0.95);
  report.input = job.input;
  report.output = job.output;
  report.backend = status_.backend;
  report.sample_rate = audio.sample_rate;
  report.channels = audio.channels;
  report.out_bits = result.out_bits;
  report.before = measure_loudness(audio.samples, 24, audio.sample_rate, audio.channels);
  report.after = measure_loudness(result.output, result.out_bits, audio.sample_rate, audio.channels);
  report.target_lufs = job.preset.target_lufs;
  report.ceiling_dbtp = job.preset.params.lim.ceiling_dbtp;
  report.drive_db = result.drive_db;
  report.comp_gr_max_db = result.comp_gr_max_db;
  report.lim_gr_max_db = result.lim_gr_max_db;
  report.passes = result.passes;
  report.target_reached = result.target_reached;
  report.note = qs(result.note);
  if (audio.input_gain_db != 0.0)
    report.note += (report.note.isEmpty() ? "" : "; ") +
                   QStringLiteral("float input with overs: attenuated by %1 dB on input").arg(-audio.input_gain_db, 0, 'f', 1);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  emit masterProgress(QStringLiteral("done"), 1.0);
  return std::nullopt;
}

}  // namespace lathe::gui
