// SPDX-License-Identifier: MIT
// The limiter's 32x detector (model): the block form gives the same bits as the frame
// form, and both read what the double-precision reconstruction meter reads, within the
// tap quantisation.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "lathe/model/true_peak_detector.hpp"
#include "lathe/reconstruction_peak.hpp"

using lathe::model::TruePeakDetector;

TEST_CASE("the detector's block form equals its frame form, bit for bit", "[model]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    // Full 32-bit range (the compressor's output can use all of Q5.27's headroom),
    // loud and quiet, with runs of extreme values.
    const int32_t span = trial % 3 == 0 ? INT32_MAX : (1 << (10 + trial));
    std::uniform_int_distribution<int64_t> u(-int64_t{span} - (trial % 3 == 0 ? 1 : 0), span);
    std::vector<int32_t> x(2 * (1000 + 37 * trial));
    for (auto& v : x) v = static_cast<int32_t>(u(rng));
    if (trial % 4 == 1)
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i / 2) % 2 ? INT32_MIN : INT32_MAX;
    TruePeakDetector a, b;
    std::vector<uint32_t> frame(x.size() / 2), block(x.size() / 2);
    const bool two_x = trial % 2 == 1;
    for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = a.push(x[2 * i], x[2 * i + 1], two_x);
    // Blocks of odd sizes, so that block edges fall everywhere.
    for (std::size_t i = 0, k = 1; i < block.size(); i += k, k = k * 3 % 301 + 1)
      b.push_block(&x[2 * i], std::min(k, block.size() - i), two_x, &block[i]);
    REQUIRE(frame == block);
  }
}

TEST_CASE("the detector reads the reconstruction within its tap quantisation", "[model]") {
  std::mt19937 rng(3);
  std::normal_distribution<double> g(0.0, 0.25);
  const int n = 4000;
  std::vector<int32_t> x(2 * n);
  for (auto& v : x) v = static_cast<int32_t>(std::lround(std::clamp(g(rng), -1.0, 1.0) * (1 << 27)));
  TruePeakDetector d;
  std::vector<uint32_t> peaks(n);
  d.push_block(x.data(), n, false, peaks.data());
  // Over the whole signal (the detector's last 10 intervals wait for more samples: flush).
  uint32_t peak = *std::max_element(peaks.begin(), peaks.end());
  for (int k = 0; k < 12; ++k) peak = std::max(peak, d.push(0, 0, false));
  lathe::ReconstructionPeakMeter meter(2);
  meter.add(x, 28);  // Q5.27: 1.0 is 2^27
  const double detector = peak / double(1 << 27);
  // At least the reconstruction, less the 20 taps' quantisation (each off by at most
  // 2^-17: 1.5e-4 of the window's level); at most what the 4x meters add on noise.
  CHECK(detector >= meter.peak() * (1 - 2e-4));
  CHECK(detector <= meter.peak() * 1.05);
}
