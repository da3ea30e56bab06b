// SPDX-License-Identifier: MIT
// `lathe live --device sim --codec-in IN --codec-out OUT` (live_codec.hpp).
#include "live_codec.hpp"

#include <chrono>
#include <cstdio>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/sim/live_sim.hpp"

namespace lathe::live {

Error run_codec(const CodecRunOptions& o) {
  if (auto e = check_output_path(o.out)) return e.within("--codec-out");
  auto in = read_audio(o.in);
  if (!in) return in.error().within("--codec-in");
  const reg::RegisterImage regs = to_registers(o.params, in->sample_rate);

  sim::LiveSimOptions so;
  so.sample_rate_hz = static_cast<uint32_t>(in->sample_rate);
  so.fpga_master = o.fpga_master;
  so.format = o.left_justified ? sim::I2sFormat::kLeftJustified : sim::I2sFormat::kI2s;
  so.core = o.rtl_core ? sim::SimCore::kRtl : sim::SimCore::kModel;
  // Enough past the programme for all of it to come out: the chain's latency and the
  // live path's slots (kInfo live_delay, a few frames).
  so.tail_frames = static_cast<std::size_t>(latency_frames(regs)) + 16;
  so.progress = o.progress;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = sim::run_live_sim(regs, in->samples, so);
  if (!r) return r.error();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // What the DAC got from the programme's first frame on, for as long as the programme
  // plus the latency: every input frame's output is in it.
  const std::size_t latency = static_cast<std::size_t>(r->live_delay + r->chain_latency);
  std::vector<int32_t> out(r->output.begin(),
                           r->output.begin() + static_cast<std::ptrdiff_t>(2 * (in->frames() + latency)));
  if (auto e = write_audio(o.out, {in->sample_rate, 2, 24}, out)) return e.within("--codec-out");

  if (!o.quiet) {
    const double ms = 1000.0 * static_cast<double>(latency) / in->sample_rate;
    std::fprintf(stderr, "live: simulated board (%s), %d Hz, %s is the I2S clock master, %s\n",
                 o.rtl_core ? "the Verilated RTL core" : "the model core", in->sample_rate, o.fpga_master ? "the FPGA (MCLK 256 fs)" : "the codec", o.left_justified ? "left-justified" : "I2S");
    std::fprintf(stderr, "live: latency %zu samples (%.3f ms): live path %d + chain %d (lookahead + %d)\n", latency, ms,
                 r->live_delay, r->chain_latency, reg::kChainExtraDelay);
    if (o.params.dither.enabled)
      std::fprintf(stderr, "live: latency not measured: the dither's noise comes out before the first sound "
                           "(--set dither.enabled=false measures it)\n");
    else if (r->measured_latency >= 0)
      std::fprintf(stderr, "live: measured %ld samples (first sound out minus first sound in)%s\n", r->measured_latency,
                   r->measured_latency == static_cast<long>(latency) ? "" : ": NOT the latency reported");
    else
      std::fprintf(stderr, "live: latency not measured (no sound in or out)\n");
    const auto& c = r->counters;
    std::fprintf(stderr,
                 "live: %u frames received, %u slot errors, %u underruns, %u late, %u overruns, %u clock stops\n",
                 c.frames, c.rx_errors, c.underruns, c.late, c.overruns, c.clock_stops);
    std::fprintf(stderr, "live: %.3f s of audio simulated in %.1f s (%.3fx real time); wrote %s\n",
                 r->simulated_seconds, wall, r->simulated_seconds / wall, o.out.c_str());
  }
  return {};
}

}  // namespace lathe::live
