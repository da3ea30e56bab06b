// SPDX-License-Identifier: MIT
// The device thread and the audio thread's side of the two queues (live_bridge.hpp).
// Clock-domain crossing: the JACK process thread and the device thread meet only in the
// two spsc_queues and the atomics below (docs/daw.md, "JACK client").
#include "live_bridge.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace lathe::live {
namespace {

constexpr auto kIdle = std::chrono::microseconds(200);  // device thread: poll for a block

}  // namespace

DeviceBridge::DeviceBridge(Device& device, const BridgeOptions& options)
    : device_(device),
      options_(options),
      in_queue_(2 * options.block_frames * (options.capacity_blocks + 1)),
      out_queue_(2 * (options.priming_frames + options.block_frames * (options.capacity_blocks + 1))) {
  // The priming: the output queue starts this far ahead, which is the whole of the
  // queues' part of the latency as long as nothing drops out.
  const std::array<int32_t, 256> zeros{};
  for (std::size_t left = 2 * options_.priming_frames; left > 0;)
    left -= out_queue_.push(zeros.data(), std::min(left, zeros.size()));
}

DeviceBridge::~DeviceBridge() { stop(); }

void DeviceBridge::start() {
  if (thread_.joinable()) return;
  stop_.store(false);
  thread_ = std::thread([this] { run(); });
}

void DeviceBridge::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

BridgeStats DeviceBridge::stats() const {
  BridgeStats s;
  s.frames = frames_.load(std::memory_order_relaxed);
  s.dropouts = dropouts_.load(std::memory_order_relaxed);
  s.dropout_frames = dropout_frames_.load(std::memory_order_relaxed);
  s.overflow_frames = overflow_frames_.load(std::memory_order_relaxed);
  s.blocks = blocks_.load(std::memory_order_relaxed);
  return s;
}

bool DeviceBridge::post_registers(const reg::RegisterImage& regs, uint64_t serial) {
  return reg_queue_.push(Posted{regs, serial});
}

void DeviceBridge::fail(const std::string& message) {
  failure_ = message;
  failed_.store(true, std::memory_order_release);
}

// Device thread, between blocks: the newest registers posted, if any.
bool DeviceBridge::apply_pending_registers(uint64_t frame) {
  Posted p{};
  bool any = false;
  while (reg_queue_.pop(p)) any = true;
  if (!any) return true;
  if (auto e = device_.write_registers(p.regs)) {
    fail(e.message());
    return false;
  }
  applied_queue_.push(AppliedConfig{p.serial, frame, latency_frames(p.regs)});
  return true;
}

void DeviceBridge::run() {
  const std::size_t n = 2 * options_.block_frames;
  std::vector<int32_t> in(n), out(n);
  uint64_t device_frames = 0, meter_first = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (!apply_pending_registers(device_frames)) return;  // the audio thread plays silence from now on
    if (in_queue_.read_available() < n) {
      std::this_thread::sleep_for(kIdle);
      continue;
    }
    in_queue_.pop(in.data(), n);
    if (auto e = device_.process(in, out)) {
      fail(e.message());
      return;  // the audio thread plays silence from now on
    }
    device_frames += options_.block_frames;
    blocks_.fetch_add(1, std::memory_order_relaxed);
    if (options_.meter_interval_frames && device_frames - meter_first >= options_.meter_interval_frames) {
      auto m = device_.read_meters(true);
      if (!m) {
        fail(m.error().message());
        return;
      }
      if (!meter_queue_.push(MeterSnapshot{*m, meter_first, device_frames - meter_first}))
        meters_dropped_.fetch_add(1, std::memory_order_relaxed);
      meter_first = device_frames;
    }
    for (std::size_t pushed = 0; pushed < n && !stop_.load(std::memory_order_relaxed);) {
      pushed += out_queue_.push(out.data() + pushed, n - pushed);
      if (pushed < n) std::this_thread::sleep_for(kIdle);
    }
  }
}

// Whole frames from the output queue, after discarding what is owed; with may_wait, until
// `frames` have come, the device failed or the deadline passed.
std::size_t DeviceBridge::pop_output(int32_t* out, std::size_t frames, bool may_wait,
                                     std::chrono::steady_clock::time_point deadline) {
  std::size_t done = 0;
  for (;;) {
    while (owed_ > 0) {
      std::array<int32_t, 256> discard;
      const std::size_t avail = out_queue_.read_available() / 2;
      const std::size_t n = std::min({avail, static_cast<std::size_t>(owed_), discard.size() / 2});
      if (n == 0) break;
      out_queue_.pop(discard.data(), 2 * n);
      owed_ -= static_cast<int64_t>(n);
    }
    if (owed_ <= 0) {
      const std::size_t n = std::min(out_queue_.read_available() / 2, frames - done);
      if (n > 0) done += out_queue_.pop(out + 2 * done, 2 * n) / 2;
    }
    if (done == frames || !may_wait || failed() || std::chrono::steady_clock::now() > deadline) return done;
    std::this_thread::yield();  // freewheel: the device sets the pace
  }
}

void DeviceBridge::exchange(const int32_t* in, int32_t* out, std::size_t frames, bool may_wait) {
  frames_.fetch_add(frames, std::memory_order_relaxed);
  // A device that failed takes no more input; what it returned before the failure still
  // plays, in its place, then silence.
  const bool gone = failed();
  const std::size_t samples = 2 * frames;
  const auto deadline = std::chrono::steady_clock::now() + options_.cycle_limit;
  if (!gone) {
    bool pushed = in_queue_.write_available() >= samples;
    while (!pushed && may_wait && !failed() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
      pushed = in_queue_.write_available() >= samples;
    }
    if (pushed) {
      in_queue_.push(in, samples);
    } else {
      // The device is behind by a whole queue: these frames never reach it, and their
      // output never comes.
      overflow_frames_.fetch_add(frames, std::memory_order_relaxed);
      owed_ -= static_cast<int64_t>(frames);
    }
  }

  std::size_t done = 0;
  // Frames that will never come: silence in their place (already counted as overflow).
  for (; owed_ < 0 && done < frames; ++done, ++owed_) out[2 * done] = out[2 * done + 1] = 0;
  done += pop_output(out + 2 * done, frames - done, may_wait && !gone, deadline);
  if (done < frames) {
    const std::size_t missing = frames - done;
    std::fill_n(out + 2 * done, 2 * missing, 0);
    if (failed()) return;  // silence from now on: no dropout, nothing owed
    dropouts_.fetch_add(1, std::memory_order_relaxed);
    dropout_frames_.fetch_add(missing, std::memory_order_relaxed);
    owed_ += static_cast<int64_t>(missing);  // discarded when they come
  }
}
}  // namespace lathe::live
