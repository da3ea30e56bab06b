// SPDX-License-Identifier: MIT
// The 32x reconstruction meter of the reports (lathe/reconstruction_peak.hpp) against
// signals whose continuous peak is known in closed form.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "lathe/reconstruction_peak.hpp"

namespace {

// A sine of the given peak, faded in and out so that no switch-on transient rings.
std::vector<double> sine(double peak, double cycles_per_sample, double phase, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  const int fade = n / 8;
  for (int i = 0; i < n; ++i) {
    const double env = std::min({1.0, static_cast<double>(i) / fade, static_cast<double>(n - 1 - i) / fade});
    v[static_cast<std::size_t>(i)] = env * peak * std::sin(2 * std::numbers::pi * cycles_per_sample * i + phase);
  }
  return v;
}

}  // namespace

TEST_CASE("the reconstruction meter reads sines of known peak", "[model]") {
  // fs/4 at 45 degrees: every sample at 0.707 of the peak (-6.02 dBFS for a -3.01 dBTP sine).
  lathe::ReconstructionPeakMeter a(1);
  a.add(sine(0.5 * std::numbers::sqrt2, 0.25, std::numbers::pi / 4, 20000));
  CHECK(a.peak_dbtp() == Approx(20 * std::log10(0.5 * std::numbers::sqrt2)).margin(0.01));
  // Sines at several frequencies up to 0.45 fs, phases that hide the peak between samples.
  for (double f : {0.01, 0.1, 0.2, 0.3, 0.37, 0.45}) {
    INFO(f);
    lathe::ReconstructionPeakMeter m(1);
    m.add(sine(0.9, f, 0.3, 40000));
    CHECK(m.peak_dbtp() == Approx(20 * std::log10(0.9)).margin(0.01));
  }
  // Stereo: the louder channel counts; the integer interface scales by the word width.
  lathe::ReconstructionPeakMeter s(2);
  const auto l = sine(0.25, 0.25, std::numbers::pi / 4, 8000), r = sine(0.5, 0.25, std::numbers::pi / 4, 8000);
  std::vector<int32_t> frames;
  for (std::size_t i = 0; i < l.size(); ++i) {
    frames.push_back(static_cast<int32_t>(std::lround(l[i] * 8388608.0)));
    frames.push_back(static_cast<int32_t>(std::lround(r[i] * 8388608.0)));
  }
  s.add(frames, 24);
  CHECK(s.peak_dbtp() == Approx(20 * std::log10(0.5)).margin(0.01));
}

TEST_CASE("the reconstruction meter is the same in any block size", "[model]") {
  std::vector<double> v = sine(0.7, 0.43, 1.0, 5000);
  for (std::size_t i = 0; i < v.size(); i += 37) v[i] = -v[i];  // some edges
  lathe::ReconstructionPeakMeter whole(1), pieces(1);
  whole.add(v);
  for (std::size_t i = 0; i < v.size(); i += 333) pieces.add(std::span<const double>(v).subspan(i, std::min<std::size_t>(333, v.size() - i)));
  CHECK(whole.peak() == Approx(pieces.peak()).epsilon(1e-9));
  // An impulse: the kernel's own peak, at the sample (phase 0 is the sample itself).
  lathe::ReconstructionPeakMeter impulse(1);
  impulse.add(std::vector<double>{0.0, 0.0, 0.8, 0.0, 0.0});
  CHECK(impulse.peak() == Approx(0.8).epsilon(1e-6));
}
