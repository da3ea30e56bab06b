// SPDX-License-Identifier: MIT
// The reference true-peak meter reads signals of known peak correctly, and its filter is
// scipy's (prototype taps printed by scipy 1.10's firwin, typed here once).
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "true_peak_reference.hpp"

using namespace lathe;
using reference::Design;

namespace {

constexpr double kPi = std::numbers::pi;

// A stereo sine sampled at phase offset `phase` (radians) from its crest, as 24-bit frames
// (value / 2^23, as the meter reads them).
std::vector<int32_t> sine24(std::size_t frames, double cycles_per_sample, double amplitude, double phase) {
  std::vector<int32_t> out(2 * frames);
  for (std::size_t n = 0; n < frames; ++n) {
    const double v = amplitude * std::cos(2 * kPi * cycles_per_sample * static_cast<double>(n) + phase);
    out[2 * n] = out[2 * n + 1] = static_cast<int32_t>(std::lround(v * 8388608.0));
  }
  return out;
}

// The reference peak away from the ends: a tone that starts or stops abruptly overshoots
// there (its reconstruction rings, as scipy's does), which is not what these tests read.
double middle_peak_dbtp(const std::vector<int32_t>& s, const Design& d = reference::scipy_default()) {
  const std::size_t frames = s.size() / 2;
  return -reference::worst_margin(s, 24, 0.0, 2000, frames - 2000, d).margin_db;
}

double sample_peak_db(const std::vector<int32_t>& s) {
  int64_t m = 0;
  for (int32_t v : s) m = std::max<int64_t>(m, std::abs(int64_t{v}));
  return 20 * std::log10(static_cast<double>(m) / 8388608.0);
}

}  // namespace

TEST_CASE("reference prototype is scipy's firwin(641, 1/32, kaiser 12) times 32", "[model][reference]") {
  const reference::Interpolator interp;
  const auto& h = interp.prototype();
  REQUIRE(h.size() == 641);
  // scipy.signal.firwin(641, 1/32, window=("kaiser", 12)) * 32, scipy 1.10.1.
  const std::pair<int, double> expected[] = {{320, 0.9999992032295573}, {336, 0.6275369033596565},
                                             {304, 0.6275369033596565}, {330, 0.8421885456686637},
                                             {100, 0.0007812729012808632}, {1, -2.044096525697863e-07}};
  for (auto [n, v] : expected) {
    INFO("h[" << n << "]");
    REQUIRE(h[static_cast<std::size_t>(n)] == Approx(v).epsilon(1e-12));
  }
  double sum = 0;
  for (double v : h) sum += v;
  REQUIRE(sum == Approx(32.0).epsilon(1e-14));
}

TEST_CASE("reference reads a 45-degree fs/4 sine at -6.02 dBTP whose samples are at -9.03 dBFS",
          "[model][reference]") {
  const auto s = sine24(48000, 0.25, 0.5, kPi / 4);
  REQUIRE(sample_peak_db(s) == Approx(-9.031).margin(0.001));
  for (const Design d : {reference::scipy_default(), reference::long_sinc()}) {
    INFO(d.zero_crossings << " zero crossings");
    REQUIRE(middle_peak_dbtp(s, d) == Approx(20 * std::log10(0.5)).margin(0.01));
  }
}

TEST_CASE("reference reads full-scale sines at 0.00 dBTP, also between samples", "[model][reference]") {
  struct Case {
    double cycles_per_sample, phase;  // phase: of the samples from the crest
  };
  // 997 Hz, 5 kHz and 15 kHz at 48 kHz, whose samples sweep the crest; fs/8, fs/6 and fs/3
  // with every sample off the crest by half the sample spacing (the peak falls between).
  for (const Case c : {Case{997.0 / 48000, 0.3}, Case{5000.0 / 48000, 0.1}, Case{15000.0 / 48000, 0.2},
                       Case{1.0 / 8, kPi / 8}, Case{1.0 / 6, kPi / 6}, Case{1.0 / 3, kPi / 6}}) {
    const auto s = sine24(24000, c.cycles_per_sample, 1.0 - 1.0 / 8388608, c.phase);
    INFO(c.cycles_per_sample << " fs: sample peak " << sample_peak_db(s) << " dBFS");
    REQUIRE(middle_peak_dbtp(s) == Approx(0.0).margin(0.01));
  }
}

TEST_CASE("reference reads two equal samples at their sinc-series peak (long design)", "[model][reference]") {
  // x = 0.5 at n = 500 and 501: the ideal reconstruction peaks at 500.5 with 0.5 * 4 / pi.
  std::vector<int32_t> s(2 * 1000, 0);
  s[1000] = s[1002] = 1 << 22;
  const auto peaks = reference::reference_true_peak(s, 24, reference::long_sinc());
  REQUIRE(peaks.max().dbtp() == Approx(20 * std::log10(0.5 * 4 / kPi)).margin(0.01));
  REQUIRE(peaks.max().frame == 500);
  REQUIRE(peaks.max().phase == 16);
}

TEST_CASE("scipy's design under-reads near Nyquist, the long design does not", "[model][reference]") {
  // 0.45 fs, samples 9 degrees off the crest at best: scipy's passband is -1.75 dB there.
  const auto s = sine24(48000, 0.45, 1.0 - 1.0 / 8388608, kPi / 20);
  REQUIRE(middle_peak_dbtp(s, reference::long_sinc()) == Approx(0.0).margin(0.01));
  REQUIRE(middle_peak_dbtp(s) < -0.05);
}

TEST_CASE("an abrupt onset rings: the reference reads it, as scipy does", "[model][reference]") {
  // A 45-degree fs/4 sine at -6.02 dBTP that starts at full amplitude on the first sample:
  // its reconstruction before and around the onset overshoots (scipy reads -5.388 dBTP).
  const auto s = sine24(4800, 0.25, 0.5, kPi / 4);
  REQUIRE(reference::reference_true_peak_dbtp(s, 24) == Approx(-5.388).margin(0.002));
}

TEST_CASE("reference worst margin names the frame, phase and channel of the peak", "[model][reference]") {
  std::vector<int32_t> s(2 * 4000, 0);
  s[2 * 1000 + 1] = -(1 << 22);  // -6.02 dBFS on the right channel
  s[2 * 3000] = 1 << 21;         // -12.04 dBFS on the left, outside the region below
  const auto m = reference::worst_margin(s, 24, -1.0, 500, 2000);
  REQUIRE(m.margin_db == Approx(-1.0 - 20 * std::log10(0.5)).margin(0.001));
  REQUIRE(m.spot.frame == 1000);
  REQUIRE(m.spot.phase == 0);
  REQUIRE(m.spot.channel == 1);
  const auto whole = reference::worst_margin(s, 24, -1.0, 2500);
  REQUIRE(whole.spot.frame == 3000);
  REQUIRE(whole.spot.channel == 0);
  // Over the ceiling: negative.
  REQUIRE(reference::worst_margin(s, 24, -9.0).margin_db == Approx(-9.0 + 6.0206).margin(0.001));
}

TEST_CASE("reference of 16-bit frames scales by 2^15", "[model][reference]") {
  std::vector<int32_t> s(2 * 100, 0);
  s[100] = 1 << 14;
  REQUIRE(reference::reference_true_peak_dbtp(s, 16) == Approx(20 * std::log10(0.5)).margin(0.001));
}
