// SPDX-License-Identifier: MIT
// EQ: the fixed-point biquads against the double-precision RBJ designs.
#include <catch2/catch.hpp>
#include <cmath>

#include "dsp_measure.hpp"
#include "lathe/model/biquad.hpp"
#include "lathe/model/equalizer.hpp"

using namespace lathe;

namespace {

// Measured gain (dB) of the fixed-point section at f: a -12 dBFS sine, settled, fitted.
double measured_db(const std::array<int64_t, 5>& q, double f, double fs) {
  model::Biquad bq;
  int64_t c[5];
  for (int k = 0; k < 5; ++k) c[k] = q[k];
  bq.set_coefficients(c);
  const double amp = 0.25 * (1 << fx::kSampleFrac);
  // Settle until the poles' transient is far below the 0.05 dB budget.
  const double r = std::sqrt(std::max(1e-12, std::ldexp(static_cast<double>(q[4]), -fx::kCoefFrac)));
  const std::size_t settle = std::min<std::size_t>(400000, static_cast<std::size_t>(std::log(1e-7) / std::log(r)) + 64);
  const std::size_t measure = static_cast<std::size_t>(std::max(8.0, f * 0.05) * fs / f);  // >= 8 cycles
  std::vector<double> y;
  y.reserve(measure);
  for (std::size_t n = 0; n < settle + measure; ++n) {
    const double phase = 2 * std::numbers::pi * f * static_cast<double>(n) / fs;
    const int32_t out = bq.process(static_cast<int32_t>(std::lround(amp * std::sin(phase))));
    if (n >= settle) y.push_back(out);
  }
  // The amplitude does not depend on the time origin of the fit.
  return test::db(test::fit_amplitude(y, f, fs) / amp);
}

struct Case {
  FilterType type;
  double f0, gain, q;
};

}  // namespace

TEST_CASE("EQ magnitude response matches the double-precision design within 0.05 dB", "[model][eq]") {
  const std::vector<Case> cases = {
      {FilterType::Peak, 1000, 6, 1.0},       {FilterType::Peak, 100, -12, 4.0},
      {FilterType::Peak, 8000, 18, 0.5},      {FilterType::Peak, 40, 10, 10.0},
      {FilterType::LowShelf, 20, 12, 0.7071}, {FilterType::LowShelf, 200, -8, 0.7071},
      {FilterType::HighShelf, 8000, 6, 0.7071}, {FilterType::HighShelf, 3000, -18, 1.0},
      {FilterType::HighPass, 20, 0, 0.7071},  {FilterType::HighPass, 120, 0, 2.0},
      {FilterType::LowPass, 15000, 0, 0.7071}, {FilterType::LowPass, 500, 0, 0.5},
  };
  for (int fs : {44100, 48000, 96000}) {
    for (const Case& c : cases) {
      const EqBand band{c.type, c.f0, c.gain, c.q};
      const BiquadDesign d = design_biquad(band, fs);
      const auto q = quantize_biquad(d);
      for (int i = 0; i <= 24; ++i) {
        const double f = 20.0 * std::pow(1000.0, i / 24.0);  // 20 Hz .. 20 kHz
        const double expect = d.magnitude_db(f, fs);
        if (expect < -60) continue;  // deep stop band: a ratio of noise, not a response
        const double got = measured_db(q, f, fs);
        INFO(filter_type_name(c.type) << " f0=" << c.f0 << " gain=" << c.gain << " Q=" << c.q << " fs=" << fs
                                      << " at " << f << " Hz: design " << expect << " dB, measured " << got);
        REQUIRE(std::abs(got - expect) <= 0.05);
      }
    }
  }
}

TEST_CASE("a 20 Hz low shelf at 96 kHz keeps its shape in Q4.32", "[model][eq]") {
  const EqBand band{FilterType::LowShelf, 20, 9, 0.7071};
  const BiquadDesign d = design_biquad(band, 96000);
  const auto q = quantize_biquad(d);
  // The realised (quantised) design itself, evaluated exactly, within 0.005 dB of ideal.
  const BiquadDesign realised = dequantize_biquad(q);
  for (double f : {10.0, 15.0, 20.0, 30.0, 60.0, 200.0, 1000.0, 20000.0})
    REQUIRE(std::abs(realised.magnitude_db(f, 96000) - d.magnitude_db(f, 96000)) < 0.005);
  for (double f : {20.0, 25.0, 40.0}) REQUIRE(std::abs(measured_db(q, f, 96000) - d.magnitude_db(f, 96000)) <= 0.05);
}

TEST_CASE("bands set flat pass the signal through bit for bit", "[model][eq]") {
  ChainParams p;
  for (auto& ch : p.eq.bands)
    for (int b = 0; b < reg::kEqBands; ++b) ch[b] = EqBand{FilterType::Peak, 100.0 * (b + 1), 0.0, 1.0};
  model::Equalizer eq;
  eq.configure(to_registers(p, 48000));
  model::Xorshift32 rng(7);
  for (int n = 0; n < 100000; ++n) {
    const int32_t x = static_cast<int32_t>(rng.next()) >> 6;  // +/- 2^25: about -12 dBFS peaks
    const int32_t y = static_cast<int32_t>(rng.next()) >> 6;
    int32_t l = x, r = y;
    eq.process(l, r);
    REQUIRE(l == x);
    REQUIRE(r == y);
  }
}

TEST_CASE("fixed-point noise floor of a set EQ is below -130 dBFS", "[model][eq]") {
  // Eight bands with low-frequency sections (the hard case for fixed point), fed noise
  // at -20 dBFS RMS; the error against the same filters in double precision is the noise.
  const std::array<EqBand, 8> bands = {
      EqBand{FilterType::HighPass, 20, 0, 0.7071}, EqBand{FilterType::LowShelf, 30, 6, 0.7071},
      EqBand{FilterType::Peak, 60, -4, 2.0},       EqBand{FilterType::Peak, 250, 3, 1.0},
      EqBand{FilterType::Peak, 1200, -2, 1.5},     EqBand{FilterType::Peak, 4000, 2, 0.7},
      EqBand{FilterType::HighShelf, 10000, 3, 0.7071}, EqBand{FilterType::LowPass, 21000, 0, 0.7071}};
  for (int fs : {48000, 96000}) {
    std::array<int64_t, 5> q[8];
    model::Biquad fixed[8];
    double state[8][4] = {};
    BiquadDesign realised[8];
    for (int b = 0; b < 8; ++b) {
      q[b] = quantize_biquad(design_biquad(bands[b], fs));
      int64_t c[5];
      for (int k = 0; k < 5; ++k) c[k] = q[b][k];
      fixed[b].set_coefficients(c);
      realised[b] = dequantize_biquad(q[b]);  // same coefficients: only arithmetic noise differs
    }
    model::Xorshift32 rng(3);
    double err2 = 0;
    const int n = fs * 2, skip = fs / 2;
    for (int i = 0; i < n; ++i) {
      // Gaussian-ish noise (sum of 4 uniforms), -20 dBFS RMS.
      double u = 0;
      for (int k = 0; k < 4; ++k) u += static_cast<double>(rng.next()) / 4294967296.0 - 0.5;
      const int32_t x = static_cast<int32_t>(std::lround(u * std::sqrt(3.0) * 0.1 * (1 << 27)));
      int32_t y = x;
      double yd = x;
      for (int b = 0; b < 8; ++b) {
        y = fixed[b].process(y);
        const BiquadDesign& d = realised[b];
        double* s = state[b];  // x1 x2 y1 y2
        const double out = d.b0 * yd + d.b1 * s[0] + d.b2 * s[1] - d.a1 * s[2] - d.a2 * s[3];
        s[1] = s[0]; s[0] = yd; s[3] = s[2]; s[2] = out;
        yd = out;
      }
      if (i >= skip) err2 += (y - yd) * (y - yd);
    }
    const double noise_dbfs = test::db(std::sqrt(err2 / (n - skip)) / (1 << 27));
    INFO("fs " << fs << ": EQ arithmetic noise " << noise_dbfs << " dBFS RMS");
    REQUIRE(noise_dbfs < -130.0);
    WARN("fs " << fs << ": 8-band EQ arithmetic noise " << noise_dbfs << " dBFS RMS");
  }
}

TEST_CASE("full-scale input with +18 dB of EQ boost saturates and never wraps", "[model][eq]") {
  ChainParams p = test::neutral_params();
  p.trim_db = 6.0;
  for (auto& ch : p.eq.bands) {
    ch[0] = EqBand{FilterType::Peak, 100, 18, 0.7};
    ch[1] = EqBand{FilterType::LowShelf, 200, 18, 0.7071};
  }
  model::Equalizer eq;
  eq.configure(to_registers(p, 48000));
  // A full-scale 100 Hz square: +42 dB would be needed, +24 dB is the headroom.
  int saturated = 0;
  for (int n = 0; n < 48000; ++n) {
    const int32_t x = ((n / 240) % 2 ? 1 : -1) * ((1 << 27) - 16);
    int32_t l = fx::apply_gain(x, static_cast<int32_t>(std::lround(2.0 * (1 << 27)))), r = l;
    const int32_t in = l;
    eq.process(l, r);
    // Boosted lows cannot change the sign of a square's plateau once settled; a wrap would.
    if (n % 240 > 120 && n > 4800) {
      REQUIRE((l > 0) == (in > 0));
    }
    if (l == INT32_MAX || l == INT32_MIN) ++saturated;
  }
  REQUIRE(saturated > 0);  // the test does drive the EQ into saturation
}

TEST_CASE("every legal band quantises into 37-bit Q5.32 coefficients", "[model][eq]") {
  // The extremes of every parameter, every type, every rate: |coef| < 16 always.
  double worst = 0;
  for (int fs : kSupportedRates)
    for (FilterType t : {FilterType::Peak, FilterType::LowShelf, FilterType::HighShelf, FilterType::HighPass, FilterType::LowPass})
      for (double f : {limits::kEqMinHz, 100.0, 5000.0, limits::kEqMaxFraction * fs})
        for (double g : {-limits::kEqGainDb, 0.0, limits::kEqGainDb})
          for (double q : {limits::kEqMinQ, 0.7071, limits::kEqMaxQ}) {
            const auto c = quantize_biquad(design_biquad({t, f, g, q}, fs));
            for (int64_t v : c) {
              worst = std::max(worst, std::abs(std::ldexp(static_cast<double>(v), -fx::kCoefFrac)));
              REQUIRE(v >= -(int64_t{1} << (fx::kCoefBits - 1)));
              REQUIRE(v < (int64_t{1} << (fx::kCoefBits - 1)));
            }
          }
  WARN("largest coefficient magnitude over legal settings: " << worst);
  REQUIRE(worst > 8.0);  // so the fifth integer bit is needed, and the check above is real
}
