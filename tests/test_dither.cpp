// SPDX-License-Identifier: MIT
// Dither: TPDF level, flat spectrum, and a -100 dBFS sine through 16 bits without spurs.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "dsp_measure.hpp"
#include "lathe/model/dither.hpp"

using namespace lathe;

namespace {

model::Dither make(int bits, bool enabled, uint32_t seed = 5) {
  ChainParams p = test::neutral_params();
  p.dither = {bits, enabled, seed};
  model::Dither d;
  d.configure(to_registers(p, 48000));
  d.reset();
  return d;
}

}  // namespace

TEST_CASE("TPDF dither on silence: zero mean, 0.5 LSB RMS, never beyond 1 LSB", "[model][dither]") {
  for (int bits : {16, 24}) {
    model::Dither d = make(bits, true);
    const int n = 1 << 20;
    double sum = 0, sum2 = 0;
    int32_t extreme = 0;
    for (int i = 0; i < n; ++i) {
      const int32_t y = d.process(0);
      sum += y;
      sum2 += static_cast<double>(y) * y;
      extreme = std::max(extreme, std::abs(y));
    }
    // TPDF of +-1 LSB plus rounding: total error variance LSB^2/6 + LSB^2/12 = LSB^2/4.
    // (At 24 bits the dither has only 4 bits of resolution, so allow for its steps.)
    const double rms = std::sqrt(sum2 / n);
    INFO(bits << "-bit: mean " << sum / n << " rms " << rms);
    // At 24 bits the dither has 4 bits of resolution and round-half-up meets exact ties
    // (v = +-8/16 LSB) in 1/32 of cases: a bias of 1/32 LSB (-174 dBFS). At 16 bits, none.
    REQUIRE(std::abs(sum / n) < (bits == 16 ? 0.005 : 0.04));
    REQUIRE(rms == Approx(0.5).epsilon(bits == 16 ? 0.02 : 0.08));
    REQUIRE(extreme == 1);
  }
}

TEST_CASE("dither noise spectrum is flat", "[model][dither]") {
  model::Dither d = make(16, true, 77);
  const std::size_t n = 1 << 16;
  std::vector<double> y(n);
  for (auto& v : y) v = d.process(1234);  // a DC offset below the LSB
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  for (auto& v : y) v -= mean;  // the offset itself is not noise
  // Sixteen octave-free bands of equal width: each band's mean power within 1 dB of the rest.
  const auto p = test::power_spectrum(y);
  std::vector<double> bands(16, 0.0);
  const std::size_t width = (p.size() - 2) / 16;
  for (std::size_t b = 0; b < 16; ++b)
    for (std::size_t k = 1 + b * width; k < 1 + (b + 1) * width; ++k) bands[b] += p[k];
  const double band_mean = std::accumulate(bands.begin(), bands.end(), 0.0) / 16;
  for (double band : bands) REQUIRE(std::abs(10 * std::log10(band / band_mean)) < 1.0);
}

TEST_CASE("a -100 dBFS sine survives 16-bit reduction without harmonic spurs", "[model][dither]") {
  const double fs = 48000;
  const std::size_t n = 1 << 18;
  const double f = 5461.0 * fs / n;  // 999.94 Hz, centred on an FFT bin
  auto run = [&](double level_dbfs, bool dither) {
    const double amp = std::pow(10, level_dbfs / 20.0) * (1 << 27);
    model::Dither d = make(16, dither, 12345);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i)
      y[i] = d.process(static_cast<int32_t>(std::lround(amp * std::sin(2 * std::numbers::pi * f * i / fs))));
    return test::power_spectrum(y);
  };
  auto bin_power = [&](const std::vector<double>& p, double freq) {
    const std::size_t k = static_cast<std::size_t>(std::lround(freq * n / fs));
    return p[k - 1] + p[k] + p[k + 1];  // the Hann main lobe
  };
  auto floor_near = [&](const std::vector<double>& p, double freq) {
    const std::size_t k = static_cast<std::size_t>(std::lround(freq * n / fs));
    std::vector<double> around;
    for (std::size_t j = k - 200; j < k + 200; ++j)
      if (j + 5 < k || j > k + 5) around.push_back(p[j]);
    std::nth_element(around.begin(), around.begin() + around.size() / 2, around.end());
    return 3 * around[around.size() / 2] + 1e-30;  // median bin, over 3 bins
  };
  // Amplitude of a bin-centred sine from its Hann main lobe: |X_k| = A N / 4, lobe = 1.5 |X_k|^2.
  auto amplitude = [&](const std::vector<double>& p) { return std::sqrt(bin_power(p, f) / 1.5) * 4 / n; };

  const auto with = run(-100, true);
  const double expect = std::pow(10, -100 / 20.0) * 32768.0;  // in 16-bit LSBs
  INFO("dithered tone " << test::db(amplitude(with) / expect) << " dB from expected");
  REQUIRE(std::abs(test::db(amplitude(with) / expect)) < 1.0);
  for (int h = 2; h <= 7; ++h) {
    INFO("harmonic " << h << ": " << 10 * std::log10(bin_power(with, h * f) / floor_near(with, h * f))
                     << " dB over the noise floor");
    REQUIRE(bin_power(with, h * f) < 4 * floor_near(with, h * f));  // within 6 dB of the noise
  }
  // Controls, so the checks above can fail: undithered, the -100 dBFS tone (0.33 LSB)
  // rounds away entirely, and a -92 dBFS tone turns into a square wave full of odd harmonics.
  REQUIRE(amplitude(run(-100, false)) < 0.01 * expect);
  const auto spurs = run(-92, false);
  REQUIRE(bin_power(spurs, 3 * f) > 100 * floor_near(with, 3 * f));
}

TEST_CASE("the dither sequence is reproducible from its seed", "[model][dither]") {
  model::Dither a = make(16, true, 42), b = make(16, true, 42), c = make(16, true, 43);
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    const int32_t x = i * 1000;
    const int32_t ya = a.process(x);
    REQUIRE(ya == b.process(x));
    differs |= ya != c.process(x);
  }
  REQUIRE(differs);
}
