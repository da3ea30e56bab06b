// SPDX-License-Identifier: MIT
// The JACK client of `lathe live --jack` as a reusable object: the CLI runs one until
// SIGINT (jack_client.cpp), the GUI hosts one in its Live mode (gui/live_worker.cpp).
// Ports in_L, in_R, out_L, out_R. The model runs in the process callback; sim and usb
// run on a device thread behind live::DeviceBridge. docs/daw.md, "JACK client".
//
// Threads: JACK's process thread runs the callback (no allocation, lock, file or system
// call); JACK's notification thread the latency, freewheel, xrun and shutdown callbacks;
// a housekeeping thread of the session's own tells JACK when the latency moved
// (jack_recompute_total_latencies may not be called from the process thread). Every
// public call is for one non-audio thread at a time (the owner's); status() from any.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "lathe/error.hpp"
#include "lathe/model/meters.hpp"
#include "lathe/params.hpp"
#include "lathe/registers.hpp"
#include "live_bridge.hpp"

namespace lathe::live {

struct JackOptions {
  std::string client_name = "lathe";
  std::string device = "model";  // model, sim, usb, usb:SERIAL
  ChainParams params;
  int priming_periods = 2;  // sim and usb: the output queue's head start, in periods
  bool quiet = false;       // CLI: no status line (errors, notes and the summary still)
  // Meters: a snapshot at most this often, in frames of audio (0: rate / 40, 25 ms).
  int meter_interval_frames = 0;
  // Copies of the input and output (24-bit, interleaved) for a loudness meter off the
  // audio thread: read_taps(). Off: no copy is made.
  bool tap_audio = false;
};

// Counters and facts of a session, read from any thread (atomics behind them).
struct SessionStatus {
  int rate = 0, period = 0;
  int latency = 0;        // frames the out ports report behind the in ports
  int chain_latency = 0;  // of that, the chain's (lookahead + 22)
  int priming = 0;        // of that, the queues' head start (sim, usb)
  uint64_t frames = 0;    // frames through the process callback (sim, usb: the bridge)
  uint64_t xruns = 0;
  uint64_t configs_posted = 0, configs_applied = 0;
  uint64_t meters_dropped = 0;  // snapshots the full queue could not take
  uint64_t tap_dropped = 0;     // frames the full tap queues could not take
  // sim, usb
  uint64_t dropouts = 0, dropout_frames = 0, overflow_frames = 0, blocks = 0;
  bool device_failed = false;  // the output is silence from then on
  bool server_gone = false;    // the JACK server shut down or threw the client out
  bool freewheel = false;      // the server is in freewheel (sim, usb: the callback waits for the device)
};

// AppliedConfig and MeterSnapshot (live_bridge.hpp): for the model, `frame` counts the
// callback's frames (a configuration applied while a fade still runs lands at that
// fade's end, LiveChain); for sim and usb, the device's.

class JackSession {
 public:
  // Connects to the JACK server (JACK_DEFAULT_SERVER or "default"; never starts one),
  // opens the device, registers the ports and activates. An error: nothing runs (no
  // server, a setting the server's rate does not allow, no device). May block briefly.
  static Result<std::unique_ptr<JackSession>> open(const JackOptions& options);
  ~JackSession();  // close()
  JackSession(const JackSession&) = delete;
  JackSession& operator=(const JackSession&) = delete;

  // New settings at the next period (model: crossfaded by LiveChain, 20 ms; sim, usb:
  // written between two device blocks; a lookahead change there latches only at the
  // device's next reset, which a session never makes). Never blocks: an error if the
  // queue is full (a configure per period for 64 periods not yet taken) or the settings
  // are invalid at the server's rate.
  Error configure(const reg::RegisterImage& regs);
  Error configure(const ChainParams& params);

  // The oldest snapshot not yet taken; false when there is none.
  bool poll_meters(MeterSnapshot& out);
  // The oldest applied configuration not yet taken.
  bool poll_applied(AppliedConfig& out);

  // tap_audio: up to `frames` frames of the input and of the output (interleaved stereo,
  // 24-bit), the same frames of each; returns how many. The queues hold a second: read
  // at least that often.
  std::size_t read_taps(int32_t* in, int32_t* out, std::size_t frames);

  SessionStatus status() const;
  const std::string& client_name() const;  // what JACK named the client
  const std::string& server_name() const;
  const std::string& device_message() const;  // what open_device said
  // The device's error; valid once status().device_failed.
  std::string failure() const;

  // Deactivates and closes the client (its ports disappear) and stops the device thread.
  // May block briefly. Idempotent.
  void close();

  struct Impl;

 private:
  explicit JackSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lathe::live
