// SPDX-License-Identifier: MIT
// The JACK client as an object (jack_session.hpp).
//
// Clock-domain crossing: the owner's thread and the process callback meet only in the
// spsc_queues (registers in; applied configurations and meter snapshots out) and the
// atomics; the callback takes the newest registers at the start of a period.
#include "jack_session.hpp"

#include <jack/jack.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/live_chain.hpp"

namespace lathe::live {
namespace {

// Frames converted and processed at a time in the callback: JACK2's largest period
// (BUFFER_SIZE_MAX), so a period is one exchange() (one dropout at most) on sim and usb.
constexpr std::size_t kChunk = 8192;

std::string default_server() {
  const char* s = std::getenv("JACK_DEFAULT_SERVER");
  return s && *s ? s : "default";
}

// libjack reports its own troubles on stderr in several lines; the client says what
// went wrong in one.
void jack_quiet(const char*) {}

struct Posted {
  reg::RegisterImage regs;
  uint64_t serial;
};

}  // namespace

struct JackSession::Impl {
  explicit Impl(const JackOptions& o) : options(o) {}
  ~Impl() { close(); }

  Error open();
  void close();
  void process(jack_nframes_t frames);
  void latency(jack_latency_callback_mode_t mode);
  void housekeeping();

  static int on_process(jack_nframes_t frames, void* self) {
    static_cast<Impl*>(self)->process(frames);
    return 0;
  }
  static void on_latency(jack_latency_callback_mode_t mode, void* self) { static_cast<Impl*>(self)->latency(mode); }
  static void on_freewheel(int starting, void* self) {
    static_cast<Impl*>(self)->freewheel.store(starting != 0, std::memory_order_relaxed);
  }
  static int on_xrun(void* self) {
    static_cast<Impl*>(self)->xruns.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  static void on_shutdown(void* self) { static_cast<Impl*>(self)->shutdown.store(true, std::memory_order_relaxed); }

  JackOptions options;
  std::string name, server = default_server(), device_message;
  jack_client_t* client = nullptr;
  bool active = false;
  std::array<jack_port_t*, 2> in{}, out{};
  int rate = 0, period = 0, priming = 0;
  std::atomic<int> chain_latency{0};
  std::atomic<int> reported_latency{0};  // what the latency callback reports (chain + priming)
  std::atomic<float> out_scale{1.0f};    // sim, usb: 1 / 2^(bits - 1)

  bool model = true;
  std::unique_ptr<LiveChain> chain;  // model: in the callback
  std::unique_ptr<Device> device;    // sim, usb: behind the bridge
  std::unique_ptr<DeviceBridge> bridge;

  std::vector<int32_t> in_buf, out_buf;  // 2 * kChunk, allocated before activation
  std::atomic<bool> freewheel{false}, shutdown{false};
  std::atomic<uint64_t> xruns{0}, frames{0}, posted{0}, applied{0}, meters_dropped{0};

  // Owner -> callback; callback -> owner.
  boost::lockfree::spsc_queue<Posted> reg_queue{64};
  boost::lockfree::spsc_queue<AppliedConfig> applied_queue{256};
  boost::lockfree::spsc_queue<MeterSnapshot> meter_queue{1024};
  uint64_t meter_first = 0, meter_interval = 0;  // callback only (after activation)
  std::unique_ptr<boost::lockfree::spsc_queue<int32_t>> in_tap, out_tap;
  std::vector<int32_t> tap_buf;
  std::atomic<uint64_t> tap_dropped{0};

  // Housekeeping: tells JACK when the latency moved.
  std::thread keeper;
  std::mutex keeper_mutex;
  std::condition_variable keeper_cv;
  bool keeper_stop = false;
};

Error JackSession::Impl::open() {
  jack_set_error_function(jack_quiet);
  jack_set_info_function(jack_quiet);
  jack_status_t status{};
  // JackNoStartServer: no server means an error now, not a server started behind the
  // user's back (or a hang while libjack tries).
  client = jack_client_open(options.client_name.c_str(), JackNoStartServer, &status);
  if (!client)
    return Error(Errc::kNotAvailable, "live --jack: cannot connect to the JACK server '" + server +
                                          "' (is jackd running? JACK_DEFAULT_SERVER names another)");
  name = jack_get_client_name(client);
  rate = static_cast<int>(jack_get_sample_rate(client));
  period = static_cast<int>(jack_get_buffer_size(client));
  if (auto e = validate(options.params, rate)) return e.within("live --jack at the server's " + std::to_string(rate) + " Hz");
  const reg::RegisterImage regs = to_registers(options.params, rate);
  out_scale.store(1.0f / static_cast<float>(1 << (options.params.dither.bits - 1)));
  meter_interval = static_cast<uint64_t>(options.meter_interval_frames > 0 ? options.meter_interval_frames : rate / 40);

  const DeviceSpec spec = parse_device_spec(options.device);
  model = spec.backend == "model";
  if (model) {
    chain = std::make_unique<LiveChain>(rate, regs);
    chain_latency.store(chain->latency());
    device_message = "device: model (bit-exact C++ reference model, in the JACK process callback)";
  } else {
    auto opened = open_device(options.device);
    if (!opened) return opened.error();
    device = std::move(opened->device);
    device_message = opened->message;
    if (auto e = device->write_registers(regs)) return e.within("device");
    if (auto e = device->reset()) return e.within("device");
    chain_latency.store(latency_frames(regs));
    BridgeOptions bo;
    bo.block_frames = static_cast<std::size_t>(period);
    bo.priming_frames = static_cast<std::size_t>(options.priming_periods) * static_cast<std::size_t>(period);
    bo.meter_interval_frames = static_cast<std::size_t>(meter_interval);
    bridge = std::make_unique<DeviceBridge>(*device, bo);
    priming = options.priming_periods * period;
  }
  reported_latency.store(chain_latency.load() + priming);
  in_buf.assign(2 * kChunk, 0);
  out_buf.assign(2 * kChunk, 0);
  if (options.tap_audio) {
    tap_buf.assign(2 * kChunk, 0);
    in_tap = std::make_unique<boost::lockfree::spsc_queue<int32_t>>(2 * static_cast<std::size_t>(rate) + 2 * kChunk);
    out_tap = std::make_unique<boost::lockfree::spsc_queue<int32_t>>(2 * static_cast<std::size_t>(rate) + 2 * kChunk);
  }

  static const char* const kIn[] = {"in_L", "in_R"};
  static const char* const kOut[] = {"out_L", "out_R"};
  for (int ch = 0; ch < 2; ++ch) {
    in[ch] = jack_port_register(client, kIn[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out[ch] = jack_port_register(client, kOut[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!in[ch] || !out[ch]) return Error(Errc::kNotAvailable, "live --jack: cannot register the client's ports");
  }
  if (jack_set_process_callback(client, on_process, this) || jack_set_latency_callback(client, on_latency, this) ||
      jack_set_freewheel_callback(client, on_freewheel, this) || jack_set_xrun_callback(client, on_xrun, this))
    return Error(Errc::kNotAvailable, "live --jack: cannot set the client's callbacks");
  jack_on_shutdown(client, on_shutdown, this);
  if (bridge) bridge->start();
  if (jack_activate(client)) return Error(Errc::kNotAvailable, "live --jack: cannot activate the client");
  active = true;
  keeper = std::thread([this] { housekeeping(); });
  return {};
}

void JackSession::Impl::process(jack_nframes_t n_frames) {
  const uint64_t at = frames.load(std::memory_order_relaxed);
  // The newest registers posted since the last period.
  Posted p{};
  bool any = false;
  while (reg_queue.pop(p)) any = true;
  if (any && model) {
    chain->configure(p.regs);
    const int lat = chain->latency();
    chain_latency.store(lat, std::memory_order_relaxed);
    applied_queue.push(AppliedConfig{p.serial, at, lat});  // full: the owner stopped reading
    applied.fetch_add(1, std::memory_order_release);
  }
  const float* ins[2] = {static_cast<const float*>(jack_port_get_buffer(in[0], n_frames)),
                         static_cast<const float*>(jack_port_get_buffer(in[1], n_frames))};
  float* outs[2] = {static_cast<float*>(jack_port_get_buffer(out[0], n_frames)),
                    static_cast<float*>(jack_port_get_buffer(out[1], n_frames))};
  const bool fw = freewheel.load(std::memory_order_relaxed);
  const float scale = out_scale.load(std::memory_order_relaxed);
  for (std::size_t first = 0; first < n_frames; first += kChunk) {
    const std::size_t n = std::min<std::size_t>(kChunk, n_frames - first);
    // As `lathe master` reads a file: round(x * 2^23), clamped (NaN, which no file may
    // hold, is silence here).
    for (std::size_t i = 0; i < n; ++i)
      for (int ch = 0; ch < 2; ++ch) {
        const float x = ins[ch][first + i];
        in_buf[2 * i + ch] = std::isnan(x) ? 0 : quantise_24(x);
      }
    if (model) {
      chain->process(in_buf.data(), outs[0] + first, outs[1] + first, n);  // v / 2^(bits - 1)
    } else {
      bridge->exchange(in_buf.data(), out_buf.data(), n, fw);
      for (std::size_t i = 0; i < n; ++i)
        for (int ch = 0; ch < 2; ++ch) outs[ch][first + i] = static_cast<float>(out_buf[2 * i + ch]) * scale;
    }
    if (in_tap) {
      // Both queues get the same frames or neither does (the reader pairs them).
      if (in_tap->write_available() >= 2 * n && out_tap->write_available() >= 2 * n) {
        for (std::size_t i = 0; i < n; ++i)
          for (int ch = 0; ch < 2; ++ch) tap_buf[2 * i + ch] = quantise_24(outs[ch][first + i]);
        in_tap->push(in_buf.data(), 2 * n);
        out_tap->push(tap_buf.data(), 2 * n);
      } else {
        tap_dropped.fetch_add(n, std::memory_order_relaxed);
      }
    }
  }
  const uint64_t end = at + n_frames;
  frames.store(end, std::memory_order_relaxed);
  if (model && end - meter_first >= meter_interval) {
    if (!meter_queue.push(MeterSnapshot{chain->meters(), meter_first, end - meter_first}))
      meters_dropped.fetch_add(1, std::memory_order_relaxed);
    chain->clear_meters();
    meter_first = end;
  }
}

// Out ports lag the in ports by the chain (and the queues' priming): capture latency of
// an out port = its in port's + the latency; playback latency of an in port = its out
// port's + the latency.
void JackSession::Impl::latency(jack_latency_callback_mode_t mode) {
  const auto add = static_cast<jack_nframes_t>(reported_latency.load());
  for (int ch = 0; ch < 2; ++ch) {
    jack_latency_range_t range;
    if (mode == JackCaptureLatency) {
      jack_port_get_latency_range(in[ch], mode, &range);
      range.min += add;
      range.max += add;
      jack_port_set_latency_range(out[ch], mode, &range);
    } else {
      jack_port_get_latency_range(out[ch], mode, &range);
      range.min += add;
      range.max += add;
      jack_port_set_latency_range(in[ch], mode, &range);
    }
  }
}

// A lookahead change moves the chain's latency when the callback applies it; JACK is
// told from here (not the process thread), within a few milliseconds.
void JackSession::Impl::housekeeping() {
  std::unique_lock lock(keeper_mutex);
  while (!keeper_stop) {
    keeper_cv.wait_for(lock, std::chrono::milliseconds(5));
    if (keeper_stop) break;
    int lat = chain_latency.load(std::memory_order_relaxed);
    if (!model) {
      AppliedConfig a;
      while (bridge->poll_applied(a)) {
        // Forwarded as the model's are: the owner reads one queue whatever the device.
        applied_queue.push(a);
        applied.fetch_add(1, std::memory_order_release);
      }
      lat = chain_latency.load(std::memory_order_relaxed);  // latched at the device's reset only
    }
    const int total = lat + priming;
    if (total != reported_latency.load()) {
      reported_latency.store(total);
      lock.unlock();
      jack_recompute_total_latencies(client);
      lock.lock();
    }
  }
}

void JackSession::Impl::close() {
  if (keeper.joinable()) {
    {
      std::lock_guard lock(keeper_mutex);
      keeper_stop = true;
    }
    keeper_cv.notify_all();
    keeper.join();
  }
  if (client) {
    if (active) jack_deactivate(client);
    active = false;
    jack_client_close(client);
    client = nullptr;
  }
  if (bridge) bridge->stop();
}

JackSession::JackSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JackSession::~JackSession() { close(); }

Result<std::unique_ptr<JackSession>> JackSession::open(const JackOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (auto e = impl->open()) return std::unexpected(e);
  return std::unique_ptr<JackSession>(new JackSession(std::move(impl)));
}

Error JackSession::configure(const reg::RegisterImage& regs) {
  Impl& s = *impl_;
  if (!s.client) return Error(Errc::kNotAvailable, "live: the session is closed");
  const uint64_t serial = s.posted.load() + 1;
  const bool pushed = s.model ? s.reg_queue.push(Posted{regs, serial}) : s.bridge->post_registers(regs, serial);
  if (!pushed) return Error(Errc::kNotAvailable, "live: too many setting changes not yet taken by the audio thread");
  s.posted.store(serial);
  if (!s.model) s.out_scale.store((regs[reg::kCtrl] & reg::kCtrlOut16) ? 1.0f / 32768.0f : 1.0f / 8388608.0f);
  return {};
}

Error JackSession::configure(const ChainParams& params) {
  if (auto e = validate(params, impl_->rate)) return e.within("live at the server's " + std::to_string(impl_->rate) + " Hz");
  return configure(to_registers(params, impl_->rate));
}

bool JackSession::poll_meters(MeterSnapshot& out) {
  return impl_->model ? impl_->meter_queue.pop(out) : impl_->bridge->poll_meters(out);
}

std::size_t JackSession::read_taps(int32_t* in, int32_t* out, std::size_t frames) {
  Impl& s = *impl_;
  if (!s.in_tap) return 0;
  const std::size_t n = std::min({frames, s.in_tap->read_available() / 2, s.out_tap->read_available() / 2});
  s.in_tap->pop(in, 2 * n);
  s.out_tap->pop(out, 2 * n);
  return n;
}

bool JackSession::poll_applied(AppliedConfig& out) { return impl_->applied_queue.pop(out); }

SessionStatus JackSession::status() const {
  const Impl& s = *impl_;
  SessionStatus st;
  st.rate = s.rate;
  st.period = s.period;
  st.latency = s.reported_latency.load();
  st.chain_latency = st.latency - s.priming;
  st.priming = s.priming;
  st.xruns = s.xruns.load(std::memory_order_relaxed);
  st.configs_posted = s.posted.load();
  st.configs_applied = s.applied.load(std::memory_order_acquire);
  st.server_gone = s.shutdown.load(std::memory_order_relaxed);
  st.freewheel = s.freewheel.load(std::memory_order_relaxed);
  st.tap_dropped = s.tap_dropped.load(std::memory_order_relaxed);
  if (s.bridge) {
    const BridgeStats b = s.bridge->stats();
    st.frames = b.frames;
    st.dropouts = b.dropouts;
    st.dropout_frames = b.dropout_frames;
    st.overflow_frames = b.overflow_frames;
    st.blocks = b.blocks;
    st.device_failed = s.bridge->failed();
    st.meters_dropped = s.bridge->meters_dropped();
  } else {
    st.frames = s.frames.load(std::memory_order_relaxed);
    st.meters_dropped = s.meters_dropped.load(std::memory_order_relaxed);
  }
  return st;
}

const std::string& JackSession::client_name() const { return impl_->name; }
const std::string& JackSession::server_name() const { return impl_->server; }
const std::string& JackSession::device_message() const { return impl_->device_message; }
std::string JackSession::failure() const {
  return impl_->bridge && impl_->bridge->failed() ? impl_->bridge->failure() : std::string();
}

void JackSession::close() { impl_->close(); }

}  // namespace lathe::live
