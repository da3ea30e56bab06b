// SPDX-License-Identifier: MIT
// Live mode on the simulated board: the host configures the Verilated lathe_top over the
// byte protocol, puts it into live mode, and the codec model plays a programme into its
// I2S input and records what comes out (`lathe live --device sim --codec-in/--codec-out`,
// and the live tests). No host audio: the USB link carries control only.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lathe/error.hpp"
#include "lathe/model/meters.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/i2s_codec.hpp"
#include "lathe/sim/sim_options.hpp"

namespace lathe::sim {

struct LiveSimOptions {
  // The board's lathe_core (SimCore::kModel: the model core, for speed; the live tests
  // of the RTL keep the default).
  SimCore core = SimCore::kRtl;
  uint32_t sample_rate_hz = 48000;
  I2sFormat format = I2sFormat::kI2s;
  bool fpga_master = false;  // the FPGA makes BCLK and LRCLK from a 256 fs MCLK; else the codec does
  uint64_t jitter_ps = 0;    // codec master: on every BCLK edge
  // Codec master: BCLK stops at stop_at_ps for stop_for_ps; LRCLK is inverted for
  // glitch_bclks BCLK from glitch_at_ps (I2sCodecConfig; times from the codec's start).
  uint64_t stop_at_ps = UINT64_MAX, stop_for_ps = 0;
  uint64_t glitch_at_ps = UINT64_MAX;
  uint32_t glitch_bclks = 0;
  // The host goes away: the FT232H's clock stops at usb_stop_at_ps for usb_stop_for_ps
  // (the host reads the counters after it runs again); garbage_bytes random bytes arrive
  // on the link at garbage_at_ps (a confused host, a noisy cable).
  uint64_t usb_stop_at_ps = UINT64_MAX, usb_stop_for_ps = 0;
  uint64_t garbage_at_ps = UINT64_MAX;
  std::size_t garbage_bytes = 0;
  // lathe_top's clock. 0: the default, 260.5 fs (12.504 MHz at 48 kHz): above the 256 fs
  // live mode needs (docs/rtl.md "Live mode") and not a multiple of BCLK.
  double clk_hz = 0;
  std::size_t tail_frames = 0;  // recorded past the programme (the latency needs some)
  // Frames of silence the ADC sends before the programme: the receiver drops the first
  // frame after its clock starts, and the chain's state at rest equals its reset state.
  std::size_t preroll_frames = 16;
  // New settings while the programme plays: the host writes and commits `regs` (no clear:
  // the board glides to them) once the ADC has sent the programme's frame `at_frame`.
  struct Change {
    std::size_t at_frame = 0;
    reg::RegisterImage regs;
  };
  std::vector<Change> changes;
  // Called as the run goes, with the fraction done; false cancels it (Errc::kCancelled).
  std::function<bool(double)> progress;
};

// The live path's counters (registers live_*), read over the link after the run.
struct LiveCounters {
  bool running = false;
  uint32_t frames = 0, rx_errors = 0, underruns = 0, late = 0, overruns = 0, clock_stops = 0;
};

struct LiveSimResult {
  // What the DAC received from the bus frame the programme's first frame went out in:
  // programme frames + tail_frames, interleaved 24-bit (frames the DAC did not get: 0).
  std::vector<int32_t> output;
  int live_delay = 0;         // kInfo: slots from a frame's slot in to its slot out
  int chain_latency = 0;      // the chain's: lookahead + chain_extra_delay
  long measured_latency = -1; // first sound out minus first sound in, bus frames (-1: no sound)
  LiveCounters counters;
  model::Meters meters;  // read with the counters (not cleared)
  double simulated_seconds = 0;
  // The bus as the codec saw it: each ADC frame's bus frame and input index (into the
  // leading silence and the programme), and each frame the DAC recorded with its bus frame.
  std::vector<I2sAdcFrame> adc_sent;
  std::vector<uint64_t> dac_bus_frames;
  std::vector<int32_t> dac_frames;
  // For each of options.changes: the programme frames the ADC had sent when the host began
  // writing and when the commit had completed (the board's status said so).
  struct ChangeTiming {
    std::size_t requested = 0, completed = 0;
  };
  std::vector<ChangeTiming> changes;
};

// `regs`: the chain's configuration (reg::RegisterImage, from a preset).
Result<LiveSimResult> run_live_sim(const reg::RegisterImage& regs, const std::vector<int32_t>& programme,
                                   const LiveSimOptions& options);

}  // namespace lathe::sim
