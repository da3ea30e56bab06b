// SPDX-License-Identifier: MIT
// True-peak limiter: the output's true peak, measured by libebur128 (an independent
// meter with its own interpolator), stays at or below the ceiling on worst-case signals.
#include <catch2/catch.hpp>
#include <cmath>

#include "build_flavour.hpp"
#include "dsp_measure.hpp"
#include "lathe/loudness.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;

namespace {

constexpr double kFs24 = 8388607.0;

std::vector<int32_t> from_double(const std::vector<double>& l, const std::vector<double>& r) {
  std::vector<int32_t> out(2 * l.size());
  for (std::size_t i = 0; i < l.size(); ++i) {
    out[2 * i] = static_cast<int32_t>(std::lround(std::clamp(l[i], -1.0, 1.0) * kFs24));
    out[2 * i + 1] = static_cast<int32_t>(std::lround(std::clamp(r[i], -1.0, 1.0) * kFs24));
  }
  return out;
}

std::vector<int32_t> worst_case(const std::string& name, int fs) {
  const std::size_t n = static_cast<std::size_t>(fs) * 2;
  std::vector<double> l(n, 0.0), r(n, 0.0);
  model::Xorshift32 rng(11);
  auto noise = [&] { return static_cast<double>(rng.next()) / 2147483648.0 - 1.0; };
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    if (name == "fs/4 at 45 degrees") {
      // Samples at +-0.707 of a full-scale sine: the true peak is 3 dB above every sample.
      l[i] = r[i] = std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4);
    } else if (name == "full-scale square") {
      l[i] = (static_cast<int>(t * 1000.0 * 2) % 2) ? 1.0 : -1.0;
      r[i] = (static_cast<int>(t * 3100.0 * 2) % 2) ? 1.0 : -1.0;
    } else if (name == "single-sample impulses") {
      l[i] = (i % (fs / 10) == 0) ? 1.0 : 0.0;
      r[i] = (i % (fs / 10) == 7) ? -1.0 : 0.0;
    } else if (name == "clipped drum transients") {
      const double in_beat = std::fmod(t, 0.25);
      const double body = std::exp(-in_beat * 25) * (0.7 * noise() + std::sin(2 * std::numbers::pi * 60 * in_beat));
      l[i] = std::clamp(2.0 * body, -1.0, 1.0);
      r[i] = std::clamp(1.8 * body, -1.0, 1.0);
    }
  }
  return from_double(l, r);
}

}  // namespace

TEST_CASE("limiter output true peak stays at or below the ceiling on worst cases", "[model][limiter]") {
  for (int fs : kSupportedRates) {
    // Under the sanitizers: the lowest and highest rates (tests/build_flavour.hpp).
    if (test::kSanitized && fs != 44100 && fs != 192000) continue;
    for (const char* name : {"fs/4 at 45 degrees", "full-scale square", "single-sample impulses", "clipped drum transients"}) {
      for (int bits : {24, 16}) {
        for (double ceiling : {-1.0, -0.1}) {
          ChainParams p = test::neutral_params();
          p.lim = {ceiling, 1.5, 50.0, 6.0};  // +6 dB of drive into the limiter
          p.dither = {bits, true, 99};
          const auto out = test::run_chain(p, fs, worst_case(name, fs));
          const double tp = true_peak_dbtp(out, bits, fs, 2);
          INFO(name << " at " << fs << " Hz, " << bits << "-bit, ceiling " << ceiling << ": output " << tp << " dBTP");
          REQUIRE(tp <= ceiling);
          // And it limits, rather than muting: within 1 dB of the ceiling (libebur128
          // reads sample peaks at 192 kHz, where it does not oversample).
          if (fs < 192000) REQUIRE(tp >= ceiling - 1.0);
        }
      }
    }
  }
}

TEST_CASE("the chain delays audio by lookahead + 73 frames and passes it unchanged below the ceiling",
          "[model][limiter]") {
  ChainParams p = test::neutral_params();
  p.lim = {-1.0, 2.0, 50.0, 0.0};
  const int fs = 48000;
  const reg::RegisterImage r = to_registers(p, fs);
  model::Chain chain;
  chain.configure(r);
  chain.reset();
  REQUIRE(chain.latency() == 96 + 22 + 51);  // the limiter's lookahead and span, the guard
  std::vector<int32_t> in(2 * 1000, 0), out(2 * 1000);
  in[0] = 1 << 20;  // an impulse far below the ceiling
  in[1] = -(1 << 20);
  chain.process(in.data(), out.data(), 1000);
  for (int i = 0; i < 1000; ++i) {
    INFO("frame " << i);
    REQUIRE(out[2 * i] == (i == 169 ? (1 << 20) : 0));
    REQUIRE(out[2 * i + 1] == (i == 169 ? -(1 << 20) : 0));
  }
}

TEST_CASE("limiter gain does not pump on a music-like mix: it recovers between peaks", "[model][limiter]") {
  const int fs = 48000;
  ChainParams p = test::neutral_params();
  p.lim = {-1.0, 2.0, 80.0, 8.0};
  p.dither.enabled = true;
  const auto in = signals::music_like(6.0, fs);
  const auto out = test::run_chain(p, fs, in);
  REQUIRE(true_peak_dbtp(out, 24, fs, 2) <= -1.0);
  // Loudness rises with the drive (it is not simply turned down).
  REQUIRE(integrated_loudness(out, 24, fs, 2) > integrated_loudness(in, 24, fs, 2) + 4.0);
}
