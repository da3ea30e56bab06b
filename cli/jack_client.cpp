// SPDX-License-Identifier: MIT
// The JACK client of `lathe live --jack` (jack_client.hpp).
//
// Threads: JACK's process thread runs process() (no allocation, lock, file or system
// call: the model's chain, or DeviceBridge::exchange, which only touches lock-free
// queues); JACK's notification thread runs the latency, freewheel, xrun and shutdown
// callbacks (atomics only); the main thread owns everything else, waits for SIGINT and
// SIGTERM with sigtimedwait and prints the status line once a second.
#include "jack_client.hpp"

#include <jack/jack.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/live_chain.hpp"
#include "live_bridge.hpp"

namespace lathe::live {
namespace {

// Frames converted and processed at a time in the callback: JACK2's largest period
// (BUFFER_SIZE_MAX), so a period is one exchange() (one dropout at most) on sim and usb.
constexpr std::size_t kChunk = 8192;

std::string server_name() {
  const char* s = std::getenv("JACK_DEFAULT_SERVER");
  return s && *s ? s : "default";
}

// libjack reports its own troubles on stderr in several lines; the client says what
// went wrong in one.
void jack_quiet(const char*) {}

class Client {
 public:
  explicit Client(const JackOptions& options) : options_(options) {}
  ~Client() { close(); }

  Error open();
  Error run();

 private:
  static int on_process(jack_nframes_t frames, void* self) {
    static_cast<Client*>(self)->process(frames);
    return 0;
  }
  static void on_latency(jack_latency_callback_mode_t mode, void* self) { static_cast<Client*>(self)->latency(mode); }
  static void on_freewheel(int starting, void* self) {
    static_cast<Client*>(self)->freewheel_.store(starting != 0, std::memory_order_relaxed);
  }
  static int on_xrun(void* self) {
    static_cast<Client*>(self)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  static void on_shutdown(void* self) { static_cast<Client*>(self)->shutdown_.store(true, std::memory_order_relaxed); }

  void process(jack_nframes_t frames);
  void latency(jack_latency_callback_mode_t mode);
  std::string status() const;
  void close();

  JackOptions options_;
  jack_client_t* client_ = nullptr;
  bool active_ = false;
  std::array<jack_port_t*, 2> in_{}, out_{};
  int rate_ = 0, period_ = 0;
  int chain_latency_ = 0, latency_ = 0;  // frames: the chain's; what the ports report
  float out_scale_ = 1.0f;               // 1 / 2^(bits - 1)

  // The model back end: the chain itself, in the callback (LiveChain: the model, with
  // bypass delayed by the latency like the processed output).
  bool model_ = true;
  std::unique_ptr<LiveChain> chain_;
  // sim, usb: a device thread behind the bridge.
  std::unique_ptr<Device> device_;
  std::string device_message_;
  std::unique_ptr<DeviceBridge> bridge_;

  std::vector<int32_t> in_buf_, out_buf_;  // 2 * kChunk, allocated before activation
  std::atomic<bool> freewheel_{false}, shutdown_{false};
  std::atomic<uint64_t> xruns_{0}, frames_{0};
};

Error Client::open() {
  jack_set_error_function(jack_quiet);
  jack_set_info_function(jack_quiet);
  jack_status_t status{};
  // JackNoStartServer: no server means an error now, not a server started behind the
  // user's back (or a hang while libjack tries).
  client_ = jack_client_open(options_.client_name.c_str(), JackNoStartServer, &status);
  if (!client_)
    return Error(Errc::kNotAvailable, "live --jack: cannot connect to the JACK server '" + server_name() +
                                          "' (is jackd running? JACK_DEFAULT_SERVER names another)");
  rate_ = static_cast<int>(jack_get_sample_rate(client_));
  period_ = static_cast<int>(jack_get_buffer_size(client_));
  if (auto e = validate(options_.params, rate_)) return e.within("live --jack at the server's " + std::to_string(rate_) + " Hz");
  const reg::RegisterImage regs = to_registers(options_.params, rate_);
  out_scale_ = 1.0f / static_cast<float>(1 << (options_.params.dither.bits - 1));

  const DeviceSpec spec = parse_device_spec(options_.device);
  model_ = spec.backend == "model";
  if (model_) {
    chain_ = std::make_unique<LiveChain>(rate_, regs);
    chain_latency_ = chain_->latency();
    device_message_ = "device: model (bit-exact C++ reference model, in the JACK process callback)";
  } else {
    auto opened = open_device(options_.device);
    if (!opened) return opened.error();
    device_ = std::move(opened->device);
    device_message_ = opened->message;
    if (auto e = device_->write_registers(regs)) return e.within("device");
    if (auto e = device_->reset()) return e.within("device");
    chain_latency_ = latency_frames(regs);
    BridgeOptions bo;
    bo.block_frames = static_cast<std::size_t>(period_);
    bo.priming_frames = static_cast<std::size_t>(options_.priming_periods) * static_cast<std::size_t>(period_);
    bridge_ = std::make_unique<DeviceBridge>(*device_, bo);
  }
  latency_ = chain_latency_ + (model_ ? 0 : options_.priming_periods * period_);
  in_buf_.assign(2 * kChunk, 0);
  out_buf_.assign(2 * kChunk, 0);

  static const char* const kIn[] = {"in_L", "in_R"};
  static const char* const kOut[] = {"out_L", "out_R"};
  for (int ch = 0; ch < 2; ++ch) {
    in_[ch] = jack_port_register(client_, kIn[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out_[ch] = jack_port_register(client_, kOut[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!in_[ch] || !out_[ch]) return Error(Errc::kNotAvailable, "live --jack: cannot register the client's ports");
  }
  if (jack_set_process_callback(client_, on_process, this) || jack_set_latency_callback(client_, on_latency, this) ||
      jack_set_freewheel_callback(client_, on_freewheel, this) || jack_set_xrun_callback(client_, on_xrun, this))
    return Error(Errc::kNotAvailable, "live --jack: cannot set the client's callbacks");
  jack_on_shutdown(client_, on_shutdown, this);
  if (bridge_) bridge_->start();
  if (jack_activate(client_)) return Error(Errc::kNotAvailable, "live --jack: cannot activate the client");
  active_ = true;
  return {};
}

void Client::process(jack_nframes_t frames) {
  const float* in[2] = {static_cast<const float*>(jack_port_get_buffer(in_[0], frames)),
                        static_cast<const float*>(jack_port_get_buffer(in_[1], frames))};
  float* out[2] = {static_cast<float*>(jack_port_get_buffer(out_[0], frames)),
                   static_cast<float*>(jack_port_get_buffer(out_[1], frames))};
  const bool freewheel = freewheel_.load(std::memory_order_relaxed);
  for (std::size_t first = 0; first < frames; first += kChunk) {
    const std::size_t n = std::min<std::size_t>(kChunk, frames - first);
    // As `lathe master` reads a file: round(x * 2^23), clamped (NaN, which no file may
    // hold, is silence here).
    for (std::size_t i = 0; i < n; ++i)
      for (int ch = 0; ch < 2; ++ch) {
        const float x = in[ch][first + i];
        in_buf_[2 * i + ch] = std::isnan(x) ? 0 : quantise_24(x);
      }
    if (model_) {
      chain_->process(in_buf_.data(), out[0] + first, out[1] + first, n);  // v / 2^(bits - 1)
      continue;
    }
    bridge_->exchange(in_buf_.data(), out_buf_.data(), n, freewheel);
    for (std::size_t i = 0; i < n; ++i)
      for (int ch = 0; ch < 2; ++ch) out[ch][first + i] = static_cast<float>(out_buf_[2 * i + ch]) * out_scale_;
  }
  frames_.fetch_add(frames, std::memory_order_relaxed);
}

// Out ports lag the in ports by the chain (and the queues' priming): capture latency of
// an out port = its in port's + latency_; playback latency of an in port = its out
// port's + latency_.
void Client::latency(jack_latency_callback_mode_t mode) {
  const auto add = static_cast<jack_nframes_t>(latency_);
  for (int ch = 0; ch < 2; ++ch) {
    jack_latency_range_t range;
    if (mode == JackCaptureLatency) {
      jack_port_get_latency_range(in_[ch], mode, &range);
      range.min += add;
      range.max += add;
      jack_port_set_latency_range(out_[ch], mode, &range);
    } else {
      jack_port_get_latency_range(out_[ch], mode, &range);
      range.min += add;
      range.max += add;
      jack_port_set_latency_range(in_[ch], mode, &range);
    }
  }
}

std::string Client::status() const {
  const uint64_t frames = bridge_ ? bridge_->stats().frames : frames_.load(std::memory_order_relaxed);
  char line[256];
  int n = std::snprintf(line, sizeof line, "%.1f s of audio, %llu xruns", rate_ ? static_cast<double>(frames) / rate_ : 0.0,
                        static_cast<unsigned long long>(xruns_.load(std::memory_order_relaxed)));
  if (bridge_) {
    const BridgeStats s = bridge_->stats();
    std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n),
                  ", %llu dropouts (%llu frames), %llu input frames dropped, %llu device blocks, device %s",
                  static_cast<unsigned long long>(s.dropouts), static_cast<unsigned long long>(s.dropout_frames),
                  static_cast<unsigned long long>(s.overflow_frames), static_cast<unsigned long long>(s.blocks),
                  bridge_->failed() ? "FAILED (output silent)" : "ok");
  }
  return line;
}

Error Client::run() {
  const std::string name = jack_get_client_name(client_);
  std::fprintf(stderr, "live: %s\n", device_message_.c_str());
  std::fprintf(stderr, "live: JACK client '%s' on server '%s': %d Hz, %d-frame periods; latency %d frames (%.2f ms): chain %d",
               name.c_str(), server_name().c_str(), rate_, period_, latency_, 1000.0 * latency_ / rate_, chain_latency_);
  if (!model_) std::fprintf(stderr, " + queue priming %d periods (%d)", options_.priming_periods, options_.priming_periods * period_);
  std::fprintf(stderr, "\nlive: running: ports %s:in_L %s:in_R %s:out_L %s:out_R; SIGINT or SIGTERM stops\n", name.c_str(),
               name.c_str(), name.c_str(), name.c_str());
  std::fflush(stderr);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  auto next_status = t0 + std::chrono::seconds(1);
  bool failure_reported = false;
  auto report_failure = [&] {
    if (failure_reported || !bridge_ || !bridge_->failed()) return;
    if (tty && !options_.quiet) std::fprintf(stderr, "\n");
    std::fprintf(stderr, "live: device failed: %s; the output is silence from now on (the client keeps running)\n",
                 bridge_->failure().c_str());
    std::fflush(stderr);
    failure_reported = true;
  };
  Error ended;
  for (;;) {
    const timespec tick{0, 100'000'000};
    const int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    report_failure();
    if (sig == SIGINT || sig == SIGTERM) break;
    if (shutdown_.load(std::memory_order_relaxed)) {
      ended = Error(Errc::kDisconnected, "live --jack: the JACK server shut down");
      break;
    }
    // The status line is the user's view of the session: the wall clock is right here.
    if (!options_.quiet && std::chrono::steady_clock::now() >= next_status) {
      next_status += std::chrono::seconds(1);
      std::fprintf(stderr, tty ? "\rlive: %s   " : "live: %s\n", status().c_str());
      std::fflush(stderr);
    }
  }
  const std::string final_status = status();
  close();
  if (tty && !options_.quiet) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "live: stopped: %s\n", final_status.c_str());
  if (!ended && bridge_ && bridge_->failed())
    ended = Error(Errc::kDisconnected, "live --jack: the device failed during the session: " + bridge_->failure());
  return ended;
}

void Client::close() {
  if (client_) {
    if (active_) jack_deactivate(client_);
    active_ = false;
    jack_client_close(client_);
    client_ = nullptr;
  }
  if (bridge_) bridge_->stop();
}

}  // namespace

Error run_jack(const JackOptions& options) {
  // SIGINT and SIGTERM are taken by the main thread's sigtimedwait: blocked here, before
  // libjack starts its threads, so that they inherit the mask and none of them gets one.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
  Error result;
  {
    Client client(options);
    result = client.open();
    if (!result) result = client.run();
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return result;
}

}  // namespace lathe::live
