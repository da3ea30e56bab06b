// SPDX-License-Identifier: MIT
// A board's own live path driven from the host (docs/rtl.md, "Live mode"): configure the
// chain, switch the board to its codec, read its counters and the monitor stream, send new
// settings while it runs (the board glides to them), and end it. `lathe live --device usb`
// and the GUI's Live mode on a board run this; the board keeps running live without the
// host (a studio's processor does not stop when the computer does) until end().
#pragma once
#include <chrono>
#include <cstdint>

#include "lathe/error.hpp"
#include "lathe/link_device.hpp"
#include "lathe/registers.hpp"

namespace lathe {

struct BoardLiveOptions {
  int sample_rate = 48000;     // the codec's: the chain's coefficients are made for it
  bool fpga_master = false;    // the FPGA makes BCLK and LRCLK from a 256 fs MCLK
  bool left_justified = false;
  bool monitor = false;        // the board also sends its output to the host
};

// The live path's counters (registers live_*).
struct BoardLiveCounters {
  bool running = false;  // frames arrive (the audio clock runs)
  uint32_t frames = 0, rx_errors = 0, underruns = 0, late = 0, clock_stops = 0;
};

class BoardLive {
 public:
  // Live mode off, the chain configured (`regs`, made for the codec's rate options.
  // sample_rate: commit, clear), then live mode on. The board must outlive the BoardLive.
  static Result<BoardLive> start(LinkDevice& board, const reg::RegisterImage& regs, const BoardLiveOptions& options);
  // Ends a board's live mode without a BoardLive (`lathe live --off`).
  static Error off(LinkDevice& board);

  // Samples from a frame's slot in to its slot out: kInfo's live delay + the chain's
  // lookahead and extra delay, for the settings live mode started with.
  int latency() const { return latency_; }
  double latency_ms() const { return 1000.0 * latency_ / options_.sample_rate; }
  const BoardLiveOptions& options() const { return options_; }

  // New settings while the audio runs: written and committed, no clear (the board glides
  // to them). The lookahead takes effect at the next clear only (docs/rtl.md).
  Error configure(const reg::RegisterImage& regs);
  Result<BoardLiveCounters> counters();
  // The monitor frames since the last call (options().monitor), waiting up to `wait`.
  Result<LinkDevice::Monitor> monitor(std::chrono::milliseconds wait);
  // Monitor off (the audio untouched), with the frames the board sent before that: a host
  // that fell behind can be many packets back, and the write's reply comes after them.
  Result<LinkDevice::Monitor> stop_monitor();
  // Live mode off: the board takes files again.
  Error end();

 private:
  BoardLive(LinkDevice& board, const BoardLiveOptions& options, uint32_t ctrl, int latency)
      : board_(&board), options_(options), ctrl_(ctrl), latency_(latency) {}

  LinkDevice* board_;
  BoardLiveOptions options_;
  uint32_t ctrl_;
  int latency_;
};

}  // namespace lathe
