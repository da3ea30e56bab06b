// SPDX-License-Identifier: MIT
// Live mode through the Verilated lathe_top: the codec model plays a programme into its I2S
// input, the host only configures it over the byte protocol, and what the DAC records
// must be the model's output for the same registers, bit for bit, shifted by exactly the
// latency the board reports (kInfo live_delay + the chain's lookahead + chain_extra_delay).
//
// Dither is off in the compared runs: its noise sequence starts at the clear, and the live
// path processes an unknown number of silent frames before the programme starts.
#include <catch2/catch.hpp>

#include <cstdio>
#include <optional>
#include <functional>
#include <map>
#include <string>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/sim/live_sim.hpp"
#include "lathe/test_signals.hpp"
#include "live_reference.hpp"

using namespace lathe;

namespace {

reg::RegisterImage registers(const std::string& name, const std::vector<std::string>& sets, int rate) {
  auto p = find_preset(name);
  REQUIRE(p);
  Preset preset = *p;
  for (const auto& s : sets) REQUIRE_FALSE(apply_setting(preset, s));
  return to_registers(preset.params, rate);
}

struct Case {
  std::string preset;
  int rate;
  bool fpga_master;
  sim::I2sFormat format;
  std::vector<std::string> sets;
  uint64_t jitter_ps = 0;
  std::function<void(sim::LiveSimOptions&)> tweak = {};
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
  o.jitter_ps = c.jitter_ps;
  o.tail_frames = 8;
  if (c.tweak) c.tweak(o);
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
  // The model after the silent frames the live path ran before the programme
  // (live_reference.hpp).
  const LiveMatch m = match_live_recording(regs, programme, r->output, frames + o.tail_frames, d, o.preroll_frames, word_shift);
  const std::size_t best = m.mismatches, best_pre = m.leading_silence;
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

TEST_CASE("live mode with a jittery codec clock (48 kHz, +-30 ns on every BCLK edge): the model's bits, shifted by the reported latency",
          "[sim][live]") {
  check_live({"streaming", 48000, false, sim::I2sFormat::kI2s, {"dither.enabled=false", "compressor.ratio=2"}, 30000},
             0.05, 24);
}

// New settings while the programme plays: the host commits them (no clear) and the board
// glides to them. The commit's copy runs while the frames go on and the banks swap between
// two frames, so no frame is late or lost even at 260.5 fs (a frame leaves the core 31
// cycles of the 260 idle; the copy takes 226). The change takes effect at the first frame
// the core takes after the swap: the recording is the model's with the new registers
// configured at exactly one frame, between the host's write and its completion.
TEST_CASE("live mode: new settings committed mid-stream glide in from one frame, then match the model, and no frame is late",
          "[sim][live]") {
  const int rate = 48000;
  const std::vector<int32_t> programme = signals::music_like(0.15, rate, 26);
  const reg::RegisterImage before = registers("streaming", {"dither.enabled=false"}, rate);
  const reg::RegisterImage after =
      registers("streaming", {"dither.enabled=false", "trim_db=-6", "eq.ch0.band1.type=peak", "eq.ch0.band1.gain_db=12", "eq.ch0.band1.freq_hz=800",
                              "compressor.threshold_db=-30", "limiter.drive_db=9", "limiter.ceiling_dbtp=-3"},
                rate);
  REQUIRE(before != after);
  sim::LiveSimOptions o;
  o.sample_rate_hz = rate;
  o.tail_frames = 8;
  o.changes.push_back({1500, after});
  const auto r = sim::run_live_sim(before, programme, o);
  if (!r) FAIL(r.error().message());
  REQUIRE(r->changes.size() == 1);
  const std::size_t frames = programme.size() / 2, d = static_cast<std::size_t>(r->live_delay);
  const std::size_t requested = r->changes[0].requested, completed = r->changes[0].completed;
  INFO("change requested at programme frame " << requested << ", completed at " << completed << "; late "
                                              << r->counters.late << ", underruns " << r->counters.underruns);
  CHECK(r->counters.late == 0);
  CHECK(r->counters.underruns == 0);
  CHECK(r->counters.overruns == 0);
  CHECK(r->counters.rx_errors == 0);
  // The leading silence, from the frames before the change.
  const LiveMatch m = match_live_recording(before, programme, r->output, requested, d, o.preroll_frames);
  REQUIRE(m.mismatches == 0);
  std::vector<int32_t> in(2 * m.leading_silence, 0);
  in.insert(in.end(), programme.begin(), programme.end());
  in.resize(in.size() + 2 * (o.tail_frames + d), 0);
  // Every frame at which the change could have landed: exactly one gives the recording.
  std::vector<std::size_t> exact;
  std::size_t closest = SIZE_MAX;
  for (std::size_t k = requested >= 4 ? requested - 4 : 0; k <= completed + 4; ++k) {
    const auto want = model_with_change(before, after, in, m.leading_silence + k);
    const std::size_t mismatches = live_mismatches(want, r->output, frames + o.tail_frames, d, m.leading_silence);
    closest = std::min(closest, mismatches);
    if (mismatches == 0) exact.push_back(k);
  }
  INFO("closest: " << closest << " samples differ");
  REQUIRE(exact.size() == 1);
  // It landed while the host waited for the commit: at or after the frame the ADC sent
  // when the write began, by the time the board said it was done (a frame in flight).
  CHECK(exact[0] >= requested - 2);
  CHECK(exact[0] <= completed + 1);
  // And the change is audible: the recording is not the old settings' output.
  CHECK(match_live_recording(before, programme, r->output, frames, d, o.preroll_frames).mismatches > 0);
  WARN("a change committed while live: requested at programme frame " << requested << ", took effect at frame "
                                                                     << exact[0] << ", the host's commit done at "
                                                                     << completed << "; " << r->counters.late
                                                                     << " frames late");
}

// The model core (sim/rtl/lathe_core_model.sv) stands in for the Verilated lathe_core where
// the live path must run fast (lathe live --device sim, lathe-virtual-board --codec-in). It
// must be the same board from outside: the same recording bit for bit (with dither on too,
// whose sequence counts frames from the clear), the same bus timing, latency, counters and
// commit timing mid-stream, and the same meters (read while frames flow).
TEST_CASE("live mode on the model core: the RTL core's recording, bus timing, latency, counters, commit timing and meters",
          "[sim][live]") {
  struct Run {
    std::string name;
    int rate;
    bool fpga_master;
    sim::I2sFormat format;
    std::vector<std::string> sets, change;
  };
  for (const Run& c : {Run{"48 kHz, codec master, I2S, a change mid-stream", 48000, false, sim::I2sFormat::kI2s,
                           {"dither.enabled=false"}, {"dither.enabled=false", "trim_db=-6", "limiter.drive_db=9"}},
                       Run{"44.1 kHz, FPGA master, left-justified, dither on", 44100, true,
                           sim::I2sFormat::kLeftJustified, {}, {}}}) {
    DYNAMIC_SECTION(c.name) {
      const std::vector<int32_t> programme = signals::music_like(0.1, c.rate, 31);
      const reg::RegisterImage regs = registers("streaming", c.sets, c.rate);
      sim::LiveSimOptions o;
      o.sample_rate_hz = static_cast<uint32_t>(c.rate);
      o.fpga_master = c.fpga_master;
      o.format = c.format;
      o.tail_frames = 8;
      if (!c.change.empty()) o.changes.push_back({1200, registers("streaming", c.change, c.rate)});
      std::optional<sim::LiveSimResult> rtl, fast;
      for (const sim::SimCore core : {sim::SimCore::kRtl, sim::SimCore::kModel}) {
        o.core = core;
        auto r = sim::run_live_sim(regs, programme, o);
        if (!r) FAIL(r.error().message());
        (core == sim::SimCore::kRtl ? rtl : fast) = std::move(*r);
      }
      CHECK(fast->output == rtl->output);
      CHECK(fast->dac_frames == rtl->dac_frames);
      CHECK(fast->dac_bus_frames == rtl->dac_bus_frames);
      REQUIRE(fast->adc_sent.size() == rtl->adc_sent.size());
      for (std::size_t i = 0; i < rtl->adc_sent.size(); ++i) {
        CHECK(fast->adc_sent[i].bus_frame == rtl->adc_sent[i].bus_frame);
        CHECK(fast->adc_sent[i].input_index == rtl->adc_sent[i].input_index);
      }
      CHECK(fast->live_delay == rtl->live_delay);
      CHECK(fast->measured_latency == rtl->measured_latency);
      CHECK(fast->counters.running == rtl->counters.running);
      CHECK(fast->counters.frames == rtl->counters.frames);
      CHECK(fast->counters.rx_errors == rtl->counters.rx_errors);
      CHECK(fast->counters.underruns == rtl->counters.underruns);
      CHECK(fast->counters.late == rtl->counters.late);
      CHECK(fast->counters.overruns == rtl->counters.overruns);
      CHECK(fast->counters.clock_stops == rtl->counters.clock_stops);
      REQUIRE(fast->changes.size() == rtl->changes.size());
      for (std::size_t i = 0; i < rtl->changes.size(); ++i) {
        CHECK(fast->changes[i].requested == rtl->changes[i].requested);
        CHECK(fast->changes[i].completed == rtl->changes[i].completed);
      }
      const model::Meters& a = rtl->meters;
      const model::Meters& b = fast->meters;
      CHECK(a.frames > programme.size() / 2);
      CHECK(b.frames == a.frames);
      for (int ch = 0; ch < 2; ++ch) {
        CHECK(b.in_peak[ch] == a.in_peak[ch]);
        CHECK(b.out_peak[ch] == a.out_peak[ch]);
        CHECK(b.out_sum_sq[ch] == a.out_sum_sq[ch]);
      }
      CHECK(b.true_peak == a.true_peak);
      CHECK(b.comp_gr_max == a.comp_gr_max);
      CHECK(b.lim_gr_max == a.lim_gr_max);
      CHECK(fast->simulated_seconds == rtl->simulated_seconds);
    }
  }
}

// `lathe live --device sim --codec-in IN --codec-out OUT`: the model core by default, the
// RTL's with --sim-core rtl, and the same file from both; the latency it prints is the one
// it measured; a core it does not know is one line and exit 2, and no file.
TEST_CASE("lathe live --device sim --codec-in: the model core by default, the same file with --sim-core rtl, and the "
          "latency it prints measured",
          "[sim][live][cli]") {
  test::CliScratch s("live-sim-cli");
  const int rate = 48000;
  const std::string in = s.path("in.wav");
  REQUIRE_FALSE(write_audio(in, {rate, 2, 24}, signals::music_like(0.05, rate, 33)));
  const std::string args = "live --device sim --codec-in " + in + " --set dither.enabled=false --codec-out ";
  const test::Run model = s.lathe(args + s.path("model.wav"));
  INFO(model.err);
  REQUIRE(model.exit_code == 0);
  CHECK_THAT(model.err, Catch::Contains("simulated board (the model core)"));
  const reg::RegisterImage regs = registers("streaming", {"dither.enabled=false"}, rate);
  const std::string latency = std::to_string(2 + latency_frames(regs));
  CHECK_THAT(model.err, Catch::Contains("latency " + latency + " samples"));
  CHECK_THAT(model.err, Catch::Contains("measured " + latency + " samples (first sound out minus first sound in)\n"));
  const test::Run rtl = s.lathe(args + s.path("rtl.wav") + " --sim-core rtl");
  INFO(rtl.err);
  REQUIRE(rtl.exit_code == 0);
  CHECK_THAT(rtl.err, Catch::Contains("simulated board (the Verilated RTL core)"));
  CHECK(test::slurp(s.path("model.wav")) == test::slurp(s.path("rtl.wav")));
  const test::Run bad = s.lathe(args + s.path("bad.wav") + " --sim-core fast");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--sim-core: model or rtl, not 'fast'"));
  CHECK_FALSE(std::filesystem::exists(s.path("bad.wav")));
}

// Bypass: the output is the input, delayed by the live path and the chain (the dry delay
// keeps the latency). A clock that stops for 10 ms and an LRCLK glitch may cost the
// frames they hit (silence in their place; were a glitch taken for one more frame start,
// the frames on their way out would leave one frame early), and are counted; every other
// frame comes out unchanged and exactly the reported latency late, and the path runs on.
TEST_CASE("live mode: a stopped audio clock and an LRCLK glitch are counted, cost only the frames they hit, and the latency holds",
          "[sim][live]") {
  const int rate = 48000;
  const std::vector<int32_t> programme = signals::music_like(0.12, rate, 25);
  const reg::RegisterImage regs = registers("streaming", {"dither.enabled=false", "bypass=true"}, rate);
  sim::LiveSimOptions o;
  o.sample_rate_hz = rate;
  o.stop_at_ps = 30'000'000'000;  // 30 ms
  o.stop_for_ps = 10'000'000'000;
  o.glitch_at_ps = 75'000'000'000;
  o.glitch_bclks = 5;
  const auto r = sim::run_live_sim(regs, programme, o);
  REQUIRE(r);
  const long latency = r->live_delay + r->chain_latency;
  std::map<uint64_t, int64_t> adc_input;  // bus frame -> index into the programme (-1: silence)
  for (const auto& f : r->adc_sent)
    adc_input[f.bus_frame] = f.input_index - static_cast<int64_t>(o.preroll_frames);
  auto input = [&](uint64_t bus, int ch) -> int32_t {
    const auto it = adc_input.find(bus);
    if (it == adc_input.end() || it->second < 0 || it->second >= static_cast<int64_t>(programme.size() / 2)) return 0;
    return programme[2 * static_cast<std::size_t>(it->second) + ch];
  };
  std::size_t exact = 0, silent = 0, early = 0, wrong = 0;
  std::vector<uint64_t> early_at;
  for (std::size_t i = 0; i < r->dac_bus_frames.size(); ++i) {
    const uint64_t b = r->dac_bus_frames[i];
    if (b < static_cast<uint64_t>(latency)) continue;
    const uint64_t src = b - static_cast<uint64_t>(latency);
    const int32_t l = r->dac_frames[2 * i], rr = r->dac_frames[2 * i + 1];
    if (l == input(src, 0) && rr == input(src, 1)) {
      ++exact;
    } else if (l == 0 && rr == 0) {
      ++silent;
    } else if (l == input(src + 1, 0) && rr == input(src + 1, 1)) {
      ++early;
      early_at.push_back(b);
    } else {
      ++wrong;
    }
  }
  INFO("frames out: " << exact << " exact, " << silent << " silent, " << early << " one frame early, " << wrong
                      << " wrong; counters: frames " << r->counters.frames << ", rx errors " << r->counters.rx_errors
                      << ", underruns " << r->counters.underruns << ", late " << r->counters.late << ", clock stops "
                      << r->counters.clock_stops << (r->counters.running ? ", running" : ", NOT running"));
  CHECK(wrong == 0);
  CHECK(silent <= 8);
  // Early frames, if the glitch looked like a frame start: one stretch, no longer than the
  // latency.
  if (!early_at.empty()) CHECK(early_at.back() - early_at.front() + 1 == early);
  CHECK(early <= static_cast<std::size_t>(latency) + 2);
  CHECK(exact >= programme.size() / 2 - static_cast<std::size_t>(latency) - 40);
  CHECK(r->counters.clock_stops == 1);
  CHECK(r->counters.rx_errors >= 2);
  CHECK(r->counters.running);
  WARN("a 10 ms clock stop and a 5-BCLK LRCLK glitch: " << exact << " frames exact, " << silent << " silent, " << early
                                                          << " one frame early; rx errors " << r->counters.rx_errors
                                                          << ", clock stops " << r->counters.clock_stops);
}

// The latency table of docs/rtl.md ("Live mode"), measured: first sound out minus first
// sound in, against kInfo's live delay + the lookahead in samples + chain_extra_delay.
TEST_CASE("live mode's latency is the live delay + the lookahead + chain_extra_delay, at 44.1, 48 and 96 kHz and 0.1 to 2 ms",
          "[sim][live]") {
  for (const int rate : {44100, 48000, 96000})
    for (const double ms : {0.1, 0.5, 1.0, 2.0}) {
      const std::vector<int32_t> programme = signals::music_like(0.01, rate, 26);
      char look[64];
      std::snprintf(look, sizeof look, "limiter.lookahead_ms=%g", ms);
      const reg::RegisterImage regs = registers("streaming", {"dither.enabled=false", look}, rate);
      sim::LiveSimOptions o;
      o.sample_rate_hz = static_cast<uint32_t>(rate);
      o.tail_frames = static_cast<std::size_t>(latency_frames(regs)) + 8;
      const auto r = sim::run_live_sim(regs, programme, o);
      REQUIRE(r);
      const long want = r->live_delay + lookahead_samples(ms, rate) + reg::kChainExtraDelay;
      INFO(rate << " Hz, lookahead " << ms << " ms: measured " << r->measured_latency << ", expected " << want);
      CHECK(r->measured_latency == want);
      UNSCOPED_INFO(rate << " Hz, " << ms << " ms: " << r->measured_latency << " samples, "
                         << 1000.0 * static_cast<double>(r->measured_latency) / rate << " ms");
    }
  WARN("live latencies measured (above)");
}

// The board's clock is its own: with the FT232H's clock stopped (a host gone away) the live
// path goes on, and garbage on the link does not disturb it; a host that comes back reads
// the counters (run_live_sim reads them over a new connection).
TEST_CASE("live mode goes on while the USB bridge's clock is stopped and the link carries garbage, and the host reattaches",
          "[sim][live]") {
  check_live({"streaming", 48000, false, sim::I2sFormat::kI2s, {"dither.enabled=false", "limiter.drive_db=3"}, 0,
              [](sim::LiveSimOptions& o) {
                o.usb_stop_at_ps = 10'000'000'000;  // 10 ms
                o.usb_stop_for_ps = 25'000'000'000;
                o.garbage_at_ps = 40'000'000'000;
                o.garbage_bytes = 3000;
              }},
             0.06, 27);
}
