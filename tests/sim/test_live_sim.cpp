// SPDX-License-Identifier: MIT
// Live mode through the Verilated lathe_top: the codec model plays a programme into its I2S
// input, the host only configures it over the byte protocol, and what the DAC records
// must be the model's output for the same registers, bit for bit, shifted by exactly the
// latency the board reports (kInfo live_delay + the chain's lookahead + chain_extra_delay).
//
// Dither is off in the compared runs: its noise sequence starts at the clear, and the live
// path processes an unknown number of silent frames before the programme starts.
#include <catch2/catch.hpp>

#include <string>

#include "lathe/device.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/sim/live_sim.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;

namespace {

reg::RegisterImage registers(const std::string& name, const std::vector<std::string>& sets, int rate) {
  auto p = find_preset(name);
  REQUIRE(p);
  Preset preset = *p;
  for (const auto& s : sets) REQUIRE_FALSE(apply_setting(preset, s));
  return to_registers(preset.params, rate);
}

std::vector<int32_t> model_output(const reg::RegisterImage& regs, const std::vector<int32_t>& in) {
  ModelDevice model;
  REQUIRE_FALSE(model.write_registers(regs));
  REQUIRE_FALSE(model.reset());
  std::vector<int32_t> out(in.size());
  REQUIRE_FALSE(model.process(in, out));
  return out;
}

struct Case {
  std::string preset;
  int rate;
  bool fpga_master;
  sim::I2sFormat format;
  std::vector<std::string> sets;
};

void check_live(const Case& c, double seconds, uint32_t seed) {
  const std::vector<int32_t> programme = signals::music_like(seconds, c.rate, seed);
  const reg::RegisterImage regs = registers(c.preset, c.sets, c.rate);
  // A 16-bit output word reaches the DAC at the top of its 24-bit slot.
  const int word_shift = (regs[reg::kCtrl] & reg::kCtrlOut16) ? 8 : 0;

  sim::LiveSimOptions o;
  o.sample_rate_hz = static_cast<uint32_t>(c.rate);
  o.fpga_master = c.fpga_master;
  o.format = c.format;
  o.tail_frames = 8;
  const auto r = sim::run_live_sim(regs, programme, o);
  REQUIRE(r);
  const std::size_t frames = programme.size() / 2;
  const std::size_t d = static_cast<std::size_t>(r->live_delay);
  INFO(c.preset << ", " << c.rate << " Hz, " << (c.fpga_master ? "FPGA" : "codec") << " is clock master, "
               << (c.format == sim::I2sFormat::kI2s ? "I2S" : "left-justified") << ": live delay " << r->live_delay
               << ", chain " << r->chain_latency << ", measured " << r->measured_latency << "; frames "
               << r->counters.frames << ", rx errors " << r->counters.rx_errors << ", underruns "
               << r->counters.underruns << ", late " << r->counters.late << ", overruns " << r->counters.overruns);
  CHECK(r->live_delay == 2);
  // The programme's first sound (the model's output keeps it: it is the chain's latency
  // late there) comes out the live delay later again.
  CHECK(r->measured_latency == r->live_delay + r->chain_latency);
  // The chain's state depends on how many frames it has run since the clear (the limiter's
  // hold works in blocks of 32), and the live path ran on the ADC's leading silence for a
  // few frames before the programme (how many depends on when its clocks came up). So the
  // reference is the model run on that silence, the programme and the silence after it,
  // for the one count of leading frames (0 .. preroll) it matches.
  std::size_t best = SIZE_MAX, best_pre = 0;
  for (std::size_t pre = 0; pre <= o.preroll_frames && best != 0; ++pre) {
    std::vector<int32_t> in(2 * pre, 0);
    in.insert(in.end(), programme.begin(), programme.end());
    in.resize(in.size() + 2 * o.tail_frames, 0);
    const std::vector<int32_t> want = model_output(regs, in);
    std::size_t mismatches = 0;
    for (std::size_t n = 0; n < frames + o.tail_frames; ++n)
      for (int ch = 0; ch < 2; ++ch) {
        const int32_t expected = n < d ? 0 : static_cast<int32_t>(static_cast<uint32_t>(want[2 * (pre + n - d) + ch]) << word_shift);
        mismatches += r->output[2 * n + ch] != expected;
      }
    if (mismatches < best) {
      best = mismatches;
      best_pre = pre;
    }
  }
  INFO("closest: the model after " << best_pre << " frames of silence, " << best << " samples differ");
  CHECK(best == 0);
  CHECK(r->counters.running);
  CHECK(r->counters.frames >= o.preroll_frames + frames);
  CHECK(r->counters.rx_errors == 0);
  CHECK(r->counters.underruns == 0);
  CHECK(r->counters.late == 0);
  CHECK(r->counters.overruns == 0);
  CHECK(r->counters.clock_stops == 0);
  const double latency_ms = 1000.0 * (r->live_delay + r->chain_latency) / c.rate;
  WARN(c.rate << " Hz: live latency " << r->live_delay << " + " << r->chain_latency << " = "
              << r->live_delay + r->chain_latency << " samples (" << latency_ms << " ms), measured "
              << r->measured_latency << "; " << frames << " frames, " << best << " samples differ from the model after "
              << best_pre << " frames of silence; " << r->simulated_seconds << " s simulated");
}

}  // namespace

TEST_CASE("live mode at 44.1 kHz (codec is clock master, I2S, 16-bit cd): the model's bits, shifted by the reported latency",
          "[sim][live]") {
  check_live({"cd", 44100, false, sim::I2sFormat::kI2s, {"dither.enabled=false", "compressor.ratio=3"}}, 0.05, 21);
}

TEST_CASE("live mode at 48 kHz (FPGA is clock master, left-justified): the model's bits, shifted by the reported latency",
          "[sim][live]") {
  check_live({"streaming", 48000, true, sim::I2sFormat::kLeftJustified, {"dither.enabled=false", "limiter.lookahead_ms=0.5"}}, 0.05,
             22);
}

TEST_CASE("live mode at 96 kHz (codec is clock master, left-justified): the model's bits, shifted by the reported latency",
          "[sim][live]") {
  check_live({"streaming", 96000, false, sim::I2sFormat::kLeftJustified, {"dither.enabled=false", "limiter.drive_db=6"}}, 0.05, 23);
}
