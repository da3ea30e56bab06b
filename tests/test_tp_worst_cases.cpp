// SPDX-License-Identifier: MIT
// The worst-case signals are what their names say (measured with the reference meter and
// libebur128), at every rate, and the same seed gives the same samples.
#include <catch2/catch.hpp>
#include <cmath>

#include "lathe/loudness.hpp"
#include "lathe/params.hpp"
#include "tp_worst_cases.hpp"
#include "true_peak_reference.hpp"

using namespace lathe;

namespace {

double sample_peak_db(const std::vector<int32_t>& s) {
  int64_t m = 0;
  for (int32_t v : s) m = std::max<int64_t>(m, std::abs(int64_t{v}));
  return 20 * std::log10(static_cast<double>(m) / 8388608.0);
}

}  // namespace

TEST_CASE("every worst case has its length and audio at the lowest and highest rates, deterministically",
          "[model][reference]") {
  for (int fs : {44100, 192000}) {
    for (const auto& c : tp_cases::all_cases()) {
      INFO(c.name << " at " << fs);
      const auto a = tp_cases::make(c.name, fs, 1.0, 3);
      REQUIRE(a.size() == 2 * static_cast<std::size_t>(fs));
      REQUIRE(sample_peak_db(a) > (c.programme ? -21.0 : -3.1));  // step_mix: its first second is at -20 dB
      if (fs == 44100) REQUIRE(a == tp_cases::make(c.name, fs, 1.0, 3));
    }
  }
  REQUIRE(tp_cases::make("no such case", 48000, 1.0).empty());
  REQUIRE(tp_cases::make("dense_mix", 48000, 1.0, 1) != tp_cases::make("dense_mix", 48000, 1.0, 2));
}

TEST_CASE("worst cases have the inter-sample peaks they are built for", "[model][reference]") {
  const int fs = 48000;
  auto tp = [&](const char* name) { return reference::reference_true_peak_dbtp(tp_cases::make(name, fs, 2.0), 24); };
  // Samples 3.01 dB below a full-scale crest.
  REQUIRE(sample_peak_db(tp_cases::make("fs4_45deg", fs, 1.0)) == Approx(-3.01).margin(0.01));
  // 0 dBTP once it runs; its abrupt start and end ring 0.11 dB higher (scipy: +0.112).
  const auto fs4 = tp_cases::make("fs4_45deg", fs, 2.0);
  REQUIRE(-reference::worst_margin(fs4, 24, 0.0, 1000, fs4.size() / 2 - 1000).margin_db == Approx(0.0).margin(0.01));
  REQUIRE(tp("fs4_45deg") == Approx(0.112).margin(0.002));
  // +1 +1 -1 -1 is a sqrt(2) sine at fs/4 (inside a gate; its onsets ring higher).
  const auto p4 = tp_cases::make("square_p4", fs, 1.0);
  REQUIRE(-reference::worst_margin(p4, 24, 0.0, 1000, fs * 4 / 10 - 1000).margin_db == Approx(3.01).margin(0.01));
  REQUIRE(tp("square_p4") > 3.05);
  // Full-scale samples whose reconstruction goes over.
  for (const char* name : {"dense_mix", "clipped_drums", "alternating_flips", "random_signs", "square_1k"}) {
    INFO(name);
    REQUIRE(tp(name) > 0.5);
  }
}

TEST_CASE("the dense mix is loud and the step cases step by 20 dB", "[model][reference]") {
  const int fs = 48000;
  const auto dense = tp_cases::make("dense_mix", fs, 4.0);
  REQUIRE(integrated_loudness(dense, 24, fs, 2) > -11.0);
  // The step case is the dense mix at one tenth in its even seconds, itself in the odd.
  const auto step = tp_cases::make("step_mix", fs, 4.0);
  REQUIRE(step.size() == dense.size());
  int worst = 0;
  for (std::size_t i = 0; i < step.size(); ++i) {
    const bool quiet = (i / 2 / fs) % 2 == 0;
    const int expected = quiet ? static_cast<int>(std::lround(dense[i] / 10.0)) : dense[i];
    worst = std::max(worst, std::abs(step[i] - expected));
  }
  REQUIRE(worst <= 1);
}
