// SPDX-License-Identifier: MIT
// Live mode on the simulated board (live_sim.hpp).
#include "lathe/sim/live_sim.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "lathe/device.hpp"
#include "lathe/link_device.hpp"
#include "lathe/protocol.hpp"
#include "lathe/sim/board.hpp"
#include "lathe/sim/sim_backend.hpp"

namespace lathe::sim {
namespace {

constexpr uint64_t kChunkCycles = 256;  // board clocks between progress checks

long first_sound(const std::vector<int32_t>& interleaved) {
  for (std::size_t i = 0; i < interleaved.size(); ++i)
    if (interleaved[i] != 0) return static_cast<long>(i / 2);
  return -1;
}

}  // namespace

Result<LiveSimResult> run_live_sim(const reg::RegisterImage& regs, const std::vector<int32_t>& programme,
                                   const LiveSimOptions& o) {
  if (programme.size() % 2 != 0) return failure(Errc::kInvalidArgument, "not a whole number of stereo frames");
  const double fs = o.sample_rate_hz;
  const double clk_hz = o.clk_hz > 0 ? o.clk_hz : 260.5 * fs;
  BoardClocks clocks;
  clocks.clk_period_ps = static_cast<uint64_t>(std::llround(1e12 / clk_hz));
  if (o.fpga_master) clocks.mclk_period_ps = static_cast<uint64_t>(std::llround(1e12 / (256.0 * fs)));

  SimOptions sim;
  sim.core = o.core;
  Board board(sim);
  LinkDevice device(std::make_unique<BoardTransport>(board), sim_link_options());
  if (auto e = device.open()) return failure(e.within("simulated board"));
  if (auto e = device.write_registers(regs)) return failure(e.within("simulated board"));
  if (auto e = device.reset()) return failure(e.within("simulated board"));
  uint32_t ctrl = reg::kLiveCtrlEnable | (1u << reg::kLiveCtrlMclkDivLsb);  // 256 fs MCLK
  if (o.fpga_master) ctrl |= reg::kLiveCtrlClockMaster;
  if (o.format == I2sFormat::kLeftJustified) ctrl |= reg::kLiveCtrlLeftJustified;
  if (auto e = device.write_control(reg::kLiveCtrl, ctrl)) return failure(e.within("simulated board: live_ctrl"));

  // The codec's clocks start now: the live path leaves reset on its first edges.
  I2sCodecConfig cc;
  cc.sample_rate_hz = o.sample_rate_hz;
  cc.format = o.format;
  cc.master = !o.fpga_master;
  cc.jitter_ps = o.jitter_ps;
  cc.stop_at_ps = o.stop_at_ps;
  cc.stop_for_ps = o.stop_for_ps;
  cc.glitch_at_ps = o.glitch_at_ps;
  cc.glitch_bclks = o.glitch_bclks;
  I2sCodec codec(cc);
  std::vector<int32_t> adc(2 * o.preroll_frames, 0);
  adc.insert(adc.end(), programme.begin(), programme.end());
  codec.set_adc_frames(adc);
  board.attach_codec(codec, clocks);

  const std::size_t frames = programme.size() / 2;
  const std::size_t want_sent = o.preroll_frames + frames + o.tail_frames + 1;
  bool garbage_sent = false;
  uint32_t noise = 0x9e3779b9u;
  std::vector<LiveSimResult::ChangeTiming> change_timing;
  // Programme frames the ADC has sent (not counting the leading silence).
  auto sent_frames = [&] {
    const std::size_t n = codec.adc_frames_sent().size();
    return n > o.preroll_frames ? n - o.preroll_frames : 0;
  };
  while (codec.adc_frames_sent().size() < want_sent) {
    if (change_timing.size() < o.changes.size() && sent_frames() > o.changes[change_timing.size()].at_frame) {
      // The host's write runs the board while it waits for the replies and the commit.
      LiveSimResult::ChangeTiming t{sent_frames(), 0};
      if (auto e = device.write_registers(o.changes[change_timing.size()].regs))
        return failure(e.within("simulated board: a change while live"));
      t.completed = sent_frames();
      change_timing.push_back(t);
    }
    const uint64_t t = board.time_ps();
    board.set_ft_clock(!(t >= o.usb_stop_at_ps && t < o.usb_stop_at_ps + o.usb_stop_for_ps));
    if (!garbage_sent && t >= o.garbage_at_ps) {
      std::vector<uint8_t> junk(o.garbage_bytes);
      for (auto& b : junk) {
        noise ^= noise << 13, noise ^= noise >> 17, noise ^= noise << 5;  // xorshift32
        b = static_cast<uint8_t>(noise);
        if (b == protocol::kSync0) b = 0;  // never a sync word: bytes to skip, no packet to answer
      }
      board.host_write(junk);
      garbage_sent = true;
    }
    board.run(kChunkCycles);
    if (o.progress && !o.progress(static_cast<double>(codec.adc_frames_sent().size()) / static_cast<double>(want_sent)))
      return failure(Errc::kCancelled, "live: cancelled");
  }

  board.set_ft_clock(true);
  // The counters over a new connection, as a host that comes back reads them.
  LinkDevice again(std::make_unique<BoardTransport>(board), sim_link_options());
  if (auto e = again.open()) return failure(e.within("simulated board, reattached"));
  LiveSimResult r;
  r.live_delay = again.board_info().live_delay;
  r.chain_latency = latency_frames(regs);
  r.simulated_seconds = static_cast<double>(board.time_ps()) * 1e-12;
  const uint8_t addrs[] = {reg::kLiveStatus, reg::kLiveFrames, reg::kLiveRxErrors, reg::kLiveUnderruns,
                           reg::kLiveLate, reg::kLiveOverruns, reg::kLiveClockStops};
  const auto v = again.read_registers(addrs);
  if (!v) return failure(v.error().within("simulated board: live counters"));
  r.counters = {((*v)[0] & reg::kLiveStatusRunning) != 0, (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5], (*v)[6]};
  const auto meters = again.read_meters(false);
  if (!meters) return failure(meters.error().within("simulated board: meters"));
  r.meters = *meters;

  // The DAC's frames by bus frame from the one the programme's first frame went out in.
  const int64_t first_bus = codec.bus_frame_of_input(static_cast<int64_t>(o.preroll_frames));
  r.output = codec.dac_recording(first_bus < 0 ? 0 : static_cast<uint64_t>(first_bus), frames + o.tail_frames);
  const long in_first = first_sound(programme), out_first = first_sound(r.output);
  if (in_first >= 0 && out_first >= 0) r.measured_latency = out_first - in_first;
  r.adc_sent = codec.adc_frames_sent();
  r.dac_bus_frames = codec.dac_bus_frames();
  r.dac_frames = codec.dac_frames();
  r.changes = std::move(change_timing);
  return r;
}

}  // namespace lathe::sim
