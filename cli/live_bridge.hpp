// SPDX-License-Identifier: MIT
// The live path to a device that cannot run in the audio thread (sim, usb): two
// single-producer/single-consumer queues and a device thread between them. The audio
// thread (a JACK process callback) only copies into and out of the queues; the device
// thread takes fixed blocks, runs Device::process and queues the result. No JACK here,
// so the queue, priming, dropout and failure logic is testable with a fake device.
#pragma once
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "lathe/device.hpp"
#include "lathe/model/meters.hpp"
#include "lathe/registers.hpp"

namespace lathe::live {

// One register image taken by the chain: by the process callback (model) or the device
// thread (sim, usb).
struct AppliedConfig {
  uint64_t serial = 0;  // 1 for the first configuration posted, 2 for the next, ...
  uint64_t frame = 0;   // frames of the stream before the one it applies from
  int chain_latency = 0;
};

// Meters over frames [first_frame, first_frame + frames) of the stream, cleared after
// each snapshot.
struct MeterSnapshot {
  model::Meters meters;
  uint64_t first_frame = 0;
  uint64_t frames = 0;
};

struct BridgeOptions {
  std::size_t block_frames = 64;     // frames per Device::process call (the JACK period)
  // Frames of silence the output queue starts with: the constant part of the round trip.
  // Whole periods: the output of a period can be read one period after it was written at
  // the earliest, and the second period is the device's time to answer.
  std::size_t priming_frames = 128;
  // Each queue holds this many blocks beyond the priming. Deeper is no use in real time:
  // input queued behind more than the priming would come back too late and be discarded,
  // so processing it only puts a slow device further behind. And it is the backlog the
  // first freewheel cycle waits for: input queued in real time before the client knew.
  std::size_t capacity_blocks = 2;  // the input queue holds one block more
  // How long one exchange(..., may_wait = true) (freewheel) may wait for the device in
  // all before it plays silence for what has not come (a dropout: the alignment is kept).
  // Below JACK2's own limit: its freewheel driver waits 10 s for the graph
  // (FREEWHEEL_DRIVER_TIMEOUT, common/JackConstants.h) and then starts the next cycle with
  // this one unfinished, which shifts the clients' periods against each other (a JACK
  // test recorded the programme one period late that way, behind a 50-period backlog).
  std::chrono::milliseconds cycle_limit{5000};
  // The device thread reads (and clears) the device's meters when this many frames have
  // passed since the last read, between blocks; 0: never.
  std::size_t meter_interval_frames = 0;
};

// Counters, read from any thread.
struct BridgeStats {
  uint64_t frames = 0;           // frames through exchange()
  uint64_t dropouts = 0;         // exchange() calls that found too little output in time
  uint64_t dropout_frames = 0;   // silent frames those calls played instead
  uint64_t overflow_frames = 0;  // input frames the full input queue could not take
  uint64_t blocks = 0;           // blocks the device has processed
};

class DeviceBridge {
 public:
  // `device` is configured and reset; it must outlive the bridge.
  DeviceBridge(Device& device, const BridgeOptions& options);
  ~DeviceBridge();
  DeviceBridge(const DeviceBridge&) = delete;
  DeviceBridge& operator=(const DeviceBridge&) = delete;

  // Starts the device thread. Not from the audio thread.
  void start();
  // Stops and joins it. Not from the audio thread.
  void stop();

  // The audio thread's one call per cycle: `frames` interleaved stereo 24-bit frames in,
  // as many out at the device's width. Wait-free unless may_wait (freewheel). Output
  // that is not there in time is silence (a dropout); the late frames are discarded when
  // they come, so the round trip stays priming_frames + the chain's latency. After a
  // device failure the input is dropped, and the output is what the device returned
  // before it failed, then silence.
  void exchange(const int32_t* in, int32_t* out, std::size_t frames, bool may_wait);

  // New registers, written by the device thread between two blocks (the newest of those
  // waiting). Any one non-audio thread; never blocks; false when the queue is full.
  bool post_registers(const reg::RegisterImage& regs, uint64_t serial);
  // What the device thread applied, and its meter snapshots, oldest first (one consumer).
  bool poll_applied(AppliedConfig& out) { return applied_queue_.pop(out); }
  bool poll_meters(MeterSnapshot& out) { return meter_queue_.pop(out); }
  uint64_t meters_dropped() const { return meters_dropped_.load(std::memory_order_relaxed); }

  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // The device's error; valid once failed() is true.
  const std::string& failure() const { return failure_; }
  BridgeStats stats() const;
  const BridgeOptions& options() const { return options_; }

 private:
  void run();
  std::size_t pop_output(int32_t* out, std::size_t frames, bool may_wait,
                         std::chrono::steady_clock::time_point deadline);
  bool apply_pending_registers(uint64_t frame);
  void fail(const std::string& message);

  struct Posted {
    reg::RegisterImage regs;
    uint64_t serial;
  };

  Device& device_;
  BridgeOptions options_;
  boost::lockfree::spsc_queue<int32_t> in_queue_, out_queue_;
  boost::lockfree::spsc_queue<Posted> reg_queue_{64};
  boost::lockfree::spsc_queue<AppliedConfig> applied_queue_{256};
  boost::lockfree::spsc_queue<MeterSnapshot> meter_queue_{1024};
  std::atomic<uint64_t> meters_dropped_{0};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::string failure_;  // written by the device thread before failed_ is set
  // Audio thread only: output frames owed to the stream. > 0: frames that came late and
  // are discarded on arrival; < 0: frames that will never come (their input was dropped),
  // played as silence without reading.
  int64_t owed_ = 0;
  std::atomic<uint64_t> frames_{0}, dropouts_{0}, dropout_frames_{0}, overflow_frames_{0}, blocks_{0};
};

}  // namespace lathe::live
