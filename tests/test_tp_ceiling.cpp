// SPDX-License-Identifier: MIT
// Issue 12's guarantee, judged by the tests' own reference meter (true_peak_reference.hpp:
// scipy's resample_poly(x, 32, 1, window=("kaiser", 12)) in double precision, no project
// code): the model chain, mastered through lathe::master, puts no output inter-sample
// peak above the ceiling at any of the six rates and at the corners of the legal
// settings, and loud masters use the ceiling (within 0.1 dB below it).
//
// One ctest per rate (tp_ceiling_<rate>, tests/CMakeLists.txt; two Catch test cases on the
// same runs: no overs, and the ceiling used), so ctest runs them in parallel. Each masters:
//   - programme material to loudness targets through the product's search: dense_mix over
//     targets (-14, -9, -7 LUFS) x ceilings (-3, -1, 0 dBTP) x lookaheads (0.1, 2 = the
//     default, 5 ms) and -23 LUFS at the corners; step_mix (20 dB level jumps),
//     clipped_drums and nyquist_hats over the corners (-14, -7) x (-3, 0) x (0.1, 5);
//   - test signals (a target would only turn them down below the ceiling) at fixed drives
//     (0, +12 dB) x ceilings (-3, 0) x lookaheads (0.1, 5): fs/4 at 45 degrees, near-Nyquist
//     bursts, gated full-scale squares (fs/2, fs/4), a linear sweep to 0.49 fs, single-sample
//     impulses, impulse trains, sign flips, random signs, white noise, a tone stepping by
//     20 dB;
//   - the loudest corner again with every release setting and at 16-bit output.
// From 88.2 kHz (lookahead 9 samples or more) a smaller grid: see grid().
// Tolerance: none beyond the reference's own numeric error. Its 641 taps agree with
// scipy 1.10.1's within 8e-16 (dumped and compared once; test_true_peak_reference.cpp
// checks six of them to 1e-12 relative). Taking the checked 1e-12: a point of at most 21
// taps on samples of at most full scale is within 2.1e-11 of scipy's, 3e-11 relative to a peak at -3 dBTP or
// above: 2.6e-10 dB; the double sums' rounding (21 x 2^-53 of sum |h x| < 2 x full scale)
// adds below 1e-13 dB. kToleranceDb = 1e-9 dB covers both; any larger over fails.
// (scripts/check_tp_reference.py, ctest tp_reference_vs_scipy, compares whole files with
// scipy itself: 6-decimal readings agree.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "lathe/loudness.hpp"
#include "lathe/master.hpp"
#include "lathe/params.hpp"
#include "tp_worst_cases.hpp"
#include "true_peak_reference.hpp"

using namespace lathe;

namespace {

constexpr double kToleranceDb = 1e-9;
constexpr double kUsedDb = 0.1;  // loud masters: the peak within this below the ceiling
// Programme material: 2 s (dense_mix's first clipped snare hits at 1.5 s, step_mix steps
// up 20 dB at 1 s); test signals repeat their features every 100..500 ms: 0.6 s.
constexpr double kProgrammeSeconds = 2.0, kTestSignalSeconds = 0.6;
constexpr double kSearchedSeconds = 2.0;  // the searched white-noise seeds: as long as the search ran them

struct Release {
  const char* name;
  double release_ms, transient_ms, hold_ms;
};
constexpr Release kReleases[] = {
    {"rel0.05", 0.05, 1.0, 5.0},   // shortest legal release (the transient stage is then moot)
    {"default", 80.0, 1.0, 5.0},   // the defaults
    {"tr-min", 80.0, 0.05, 0.0},   // shortest transient release and hold
    {"tr-off", 80.0, 80.0, 5.0},   // transient stage off
};

struct Case {
  std::string signal;
  bool targeted;  // level: target LUFS through the search, else drive dB
  double level, ceiling, lookahead;
  int release;
  int bits = 24;
  uint32_t seed = 1;  // of the signal generator
};

std::vector<Case> grid(int fs) {
  // From 88.2 kHz the lookahead is 9 samples or more (the margin's hardest case is the
  // shortest lookahead, at 44.1 and 48 kHz) and every run costs two to four times as
  // much: the corners of ceiling and lookahead only for dense_mix, half the corners
  // (pairwise) for the rest, the loudest corner with fewer releases.
  const bool high = fs >= 88200;
  std::vector<Case> v;
  // half: of a 2 x 2 x 2 grid only the runs with a + b + c even, which still pair every
  // value of each factor with every value of the others, and each with another release.
  auto rotate = [&](const std::string& sig, bool targeted, const std::vector<double>& levels,
                    const std::vector<double>& ceilings, const std::vector<double>& looks, bool half = false) {
    for (std::size_t a = 0; a < levels.size(); ++a)
      for (std::size_t b = 0; b < ceilings.size(); ++b)
        for (std::size_t c = 0; c < looks.size(); ++c) {
          if (half && (a + b + c) % 2) continue;
          const std::size_t release = half ? (a + 2 * b) % 4 : (a + b + c) % 4;
          v.push_back({sig, targeted, levels[a], ceilings[b], looks[c], static_cast<int>(release)});
        }
  };
  if (high) {
    rotate("dense_mix", true, {-23, -14, -9, -7}, {-3, 0}, {0.1, 5});
  } else {
    rotate("dense_mix", true, {-14, -9, -7}, {-3, -1, 0}, {0.1, 2, 5});
    // At -23 LUFS the limiter barely works on this material (peaks near -12 dBTP): corners only.
    rotate("dense_mix", true, {-23}, {-3, 0}, {0.1, 5});
  }
  for (const char* sig : {"step_mix", "clipped_drums", "nyquist_hats"})
    rotate(sig, true, {-14, -7}, {-3, 0}, {0.1, 5}, high);
  for (const char* sig : {"fs4_45deg", "nyquist_bursts", "square_p2", "square_p4", "sweep_lin", "impulses",
                          "impulse_trains", "alternating_flips", "random_signs", "white_noise", "step_tone"})
    rotate(sig, false, {0, 12}, {-3, 0}, {0.1, 5}, high);
  // The loudest corner with every release, and 16-bit output (larger dither).
  for (int r = 0; r < 4; ++r)
    if (!high || r % 2 == 0) v.push_back({"dense_mix", true, -7, 0, 0.1, r});
  for (int r : {0, 1})
    if (!high || r == 0) v.push_back({"dense_mix", true, -7, 0, 0.1, r, 16});
  if (!high) v.push_back({"dense_mix", true, -9, -1, 2, 1, 16});
  v.push_back({"square_p2", false, 12, 0, 0.1, 0, 16});
  // The white-noise seeds with the largest overshoot over the aim that searches found
  // (lathe-tp-survey --seed; docs/fixed-point.md): 904 and 268 when 0.1 ms was L = 4 and 5,
  // 586, 396 and 35 of 2,131 seeds at the shortest lookahead now (L = 8), release 0.05 ms.
  if (fs == 44100 || fs == 48000)
    for (uint32_t seed : {904u, 268u, 586u, 396u, 35u}) v.push_back({"white_noise", false, 6, -1, 0.1, 0, 24, seed});
  return v;
}

struct Run {
  Case c;
  std::string what;  // the case in words, for failure messages
  double drive_db = 0, lufs = 0;  // lufs: as the loudness search measured it
  double out_lufs = 0;             // the output's, measured on it (libebur128)
  bool reached = false;
  double peak_dbtp = 0, margin_db = 0;
};

// Every case of the grid at one rate, mastered and judged once per process (both test
// cases of a rate read the same runs); prints the table.
const std::vector<Run>& runs_at(int fs) {
  static std::vector<std::pair<int, std::vector<Run>>> cache;
  for (const auto& [rate, runs] : cache)
    if (rate == fs) return runs;
  std::vector<std::pair<std::string, std::vector<int32_t>>> inputs;
  auto input = [&](const std::string& name, bool programme, uint32_t seed) -> const std::vector<int32_t>& {
    const std::string key = name + "/" + std::to_string(seed);
    for (const auto& [n, s] : inputs)
      if (n == key) return s;
    const double seconds = programme ? kProgrammeSeconds : seed == 1 ? kTestSignalSeconds : kSearchedSeconds;
    inputs.emplace_back(key, tp_cases::make(name, fs, seconds, seed));
    return inputs.back().second;
  };
  std::printf("tp_ceiling %d Hz: margin = ceiling - output peak by the reference (scipy's 32x Kaiser 12), dB\n", fs);
  std::printf("  %-17s %6s %5s %5s %-7s %2s | %6s %7s %7s %3s | %8s %8s %8s\n", "signal", "level", "ceil", "la_ms",
              "release", "b", "drive", "LUFS", "out", "hit", "peak", "margin", "over_aim");
  // LUFS: as the search measured it (before the guard and dither), then the output's.
  std::vector<Run> runs;
  for (const Case& c : grid(fs)) {
    Run run;
    run.c = c;
    char what[200];
    std::snprintf(what, sizeof what, "%s (seed %u) at %d Hz, %s %+.0f, ceiling %+.0f dBTP, lookahead %g ms (%d samples), %s, %d bits",
                  c.signal.c_str(), c.seed, fs, c.targeted ? "target LUFS" : "drive dB", c.level, c.ceiling, c.lookahead,
                  lookahead_samples(c.lookahead, fs), kReleases[c.release].name, c.bits);
    run.what = what;
    INFO(run.what);
    const auto& in = input(c.signal, c.targeted, c.seed);
    REQUIRE(!in.empty());
    MasterOptions o;
    o.params.lim.ceiling_dbtp = c.ceiling;
    o.params.lim.lookahead_ms = c.lookahead;
    o.params.lim.release_ms = kReleases[c.release].release_ms;
    o.params.lim.transient_release_ms = kReleases[c.release].transient_ms;
    o.params.lim.transient_hold_ms = kReleases[c.release].hold_ms;
    o.params.dither.bits = c.bits;
    if (c.targeted)
      o.target_lufs = c.level;
    else
      o.params.lim.drive_db = c.level;
    REQUIRE(!validate(o.params, fs));
    MasterResult r;
    const Error e = master(in, fs, o, nullptr, r);
    REQUIRE(!e);
    REQUIRE(r.output.size() == in.size());
    const auto m = reference::worst_margin(r.output, r.out_bits, c.ceiling);
    run.drive_db = r.drive_db;
    run.lufs = r.output_lufs;
    if (c.targeted) run.out_lufs = integrated_loudness(r.output, r.out_bits, fs, 2);
    run.reached = !c.targeted || r.target_reached;
    run.peak_dbtp = m.spot.dbtp();
    run.margin_db = m.margin_db;
    char level[16];
    std::snprintf(level, sizeof level, "%c%+.0f", c.targeted ? 'T' : 'D', c.level);
    // over_aim: how far the peak is above the limiter's aim, ceiling - ceiling_margin_db(L).
    std::printf("  %-17s %6s %5.1f %5.2f %-7s %2d | %+6.2f %7.3f %7.3f %3s | %+8.4f %+8.4f %+8.4f%s\n", c.signal.c_str(),
                level, c.ceiling, c.lookahead, kReleases[c.release].name, c.bits, r.drive_db, r.output_lufs, run.out_lufs,
                c.targeted ? (r.target_reached ? "yes" : "no") : "-", m.spot.dbtp(), m.margin_db,
                ceiling_margin_db(lookahead_samples(c.lookahead, fs)) - m.margin_db,
                m.margin_db < -kToleranceDb ? "  OVER" : "");
    runs.push_back(run);
  }
  const Run* worst = &*std::min_element(runs.begin(), runs.end(),
                                        [](const Run& a, const Run& b) { return a.margin_db < b.margin_db; });
  std::printf("tp_ceiling %d Hz: %zu runs, worst margin %+.4f dB (%s)\n", fs, runs.size(), worst->margin_db,
              worst->what.c_str());
  for (double look : {0.1, 2.0, 5.0}) {
    if (fs >= 88200 && look == 2.0) continue;
    double w = HUGE_VAL;
    for (const Run& r : runs)
      if (r.c.lookahead == look) w = std::min(w, r.margin_db);
    const double aim = ceiling_margin_db(lookahead_samples(look, fs));
    std::printf("tp_ceiling %d Hz: lookahead %g ms (%d samples): worst margin %+.4f dB, aim 0.01 + 0.6/L = %.4f dB, "
                "most over the aim %+.4f dB\n", fs, look, lookahead_samples(look, fs), w, aim, aim - w);
  }
  std::fflush(stdout);
  cache.emplace_back(fs, std::move(runs));
  return cache.back().second;
}

// The guarantee: no output point above the ceiling, beyond the reference's numeric error.
void check_no_overs(int fs) {
  int overs = 0;
  for (const Run& r : runs_at(fs)) {
    INFO(r.what << ": output peak " << r.peak_dbtp << " dBTP, margin " << r.margin_db << " dB");
    if (r.margin_db < -kToleranceDb) ++overs;
    CHECK(r.margin_db >= -kToleranceDb);
  }
  std::printf("tp_ceiling %d Hz: %d over\n", fs, overs);
}

// The ceiling is used: programme material mastered to -9 LUFS or louder peaks within
// 0.1 dB below the ceiling (by the ideal reconstruction).
void check_ceiling_used(int fs) {
  int unused = 0;
  for (const Run& r : runs_at(fs)) {
    if (!r.c.targeted || r.c.level < -9) continue;
    // nyquist_hats from 88.2 kHz is content near fs/2, far above hearing: there the
    // detector's BS.1770-4 and Hann phases read above the ideal reconstruction and bind, so
    // the output also passes a BS.1770-4 meter; the ideal peak sits lower (docs/fixed-point.md).
    if (r.c.signal == "nyquist_hats" && fs >= 88200) continue;
    INFO(r.what << ": output peak " << r.peak_dbtp << " dBTP, margin " << r.margin_db << " dB (limiter aim "
                << ceiling_margin_db(lookahead_samples(r.c.lookahead, fs)) << " dB below the ceiling)");
    if (r.margin_db > kUsedDb) ++unused;
    CHECK(r.margin_db <= kUsedDb);
  }
  std::printf("tp_ceiling %d Hz: %d loud masters more than %.1f dB below the ceiling\n", fs, unused, kUsedDb);
  // The search measures the limiter's output before the guard (master.cpp); where the
  // guard works hardest, on loud masters, that is still the output's loudness.
  double worst_lu = 0;
  for (const Run& r : runs_at(fs)) {
    if (!r.c.targeted || !std::isfinite(r.out_lufs)) continue;
    INFO(r.what << ": search " << r.lufs << " LUFS, output " << r.out_lufs << " LUFS");
    worst_lu = std::max(worst_lu, std::abs(r.lufs - r.out_lufs));
    CHECK(std::abs(r.lufs - r.out_lufs) <= 0.01);
  }
  std::printf("tp_ceiling %d Hz: the search's loudness is the output's within %.4f LU\n", fs, worst_lu);
}

}  // namespace

TEST_CASE("tp ceiling at 44.1 kHz: no overs by the reference", "[tp_ceiling_44100]") { check_no_overs(44100); }
TEST_CASE("tp ceiling at 44.1 kHz: loud masters use the ceiling", "[tp_ceiling_44100]") { check_ceiling_used(44100); }
TEST_CASE("tp ceiling at 48 kHz: no overs by the reference", "[tp_ceiling_48000]") { check_no_overs(48000); }
TEST_CASE("tp ceiling at 48 kHz: loud masters use the ceiling", "[tp_ceiling_48000]") { check_ceiling_used(48000); }
TEST_CASE("tp ceiling at 88.2 kHz: no overs by the reference", "[tp_ceiling_88200]") { check_no_overs(88200); }
TEST_CASE("tp ceiling at 88.2 kHz: loud masters use the ceiling", "[tp_ceiling_88200]") { check_ceiling_used(88200); }
TEST_CASE("tp ceiling at 96 kHz: no overs by the reference", "[tp_ceiling_96000]") { check_no_overs(96000); }
TEST_CASE("tp ceiling at 96 kHz: loud masters use the ceiling", "[tp_ceiling_96000]") { check_ceiling_used(96000); }
TEST_CASE("tp ceiling at 176.4 kHz: no overs by the reference", "[tp_ceiling_176400]") { check_no_overs(176400); }
TEST_CASE("tp ceiling at 176.4 kHz: loud masters use the ceiling", "[tp_ceiling_176400]") { check_ceiling_used(176400); }
TEST_CASE("tp ceiling at 192 kHz: no overs by the reference", "[tp_ceiling_192000]") { check_no_overs(192000); }
TEST_CASE("tp ceiling at 192 kHz: loud masters use the ceiling", "[tp_ceiling_192000]") { check_ceiling_used(192000); }
