// SPDX-License-Identifier: MIT
// Random but legal chain parameters and test signals, reproducible from a seed.
#pragma once
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "lathe/model/dither.hpp"
#include "lathe/params.hpp"
#include "lathe/test_signals.hpp"

namespace lathe::test {

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  double uniform(double lo, double hi) { return lo + (hi - lo) * (rng_.next() / 4294967296.0); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  int integer(int lo, int hi) { return lo + static_cast<int>(rng_.next() % static_cast<uint32_t>(hi - lo + 1)); }
  bool chance(double p) { return uniform(0, 1) < p; }
  bool one_in(uint32_t k) { return bits() % k == 0; }
  uint32_t bits() { return rng_.next(); }

 private:
  model::Xorshift32 rng_;
};

// Every stage on, every setting drawn across its whole legal range; sometimes extremes.
inline ChainParams random_params(Random& r, int fs) {
  ChainParams p;
  p.trim_db = r.chance(0.2) ? (r.chance(0.5) ? -24.0 : 24.0) : r.uniform(-12, 12);
  p.eq.mid_side = r.chance(0.3);
  for (auto& ch : p.eq.bands)
    for (auto& b : ch) {
      b.type = static_cast<FilterType>(r.integer(0, 5));
      b.freq_hz = r.log_uniform(limits::kEqMinHz, limits::kEqMaxFraction * fs);
      b.gain_db = r.chance(0.1) ? (r.chance(0.5) ? -18.0 : 18.0) : r.uniform(-18, 18);
      b.q = r.log_uniform(limits::kEqMinQ, limits::kEqMaxQ);
    }
  p.comp.threshold_db = r.uniform(-60, 0);
  p.comp.ratio = r.chance(0.1) ? std::numeric_limits<double>::infinity() : r.log_uniform(1, 100);
  p.comp.knee_db = r.chance(0.2) ? 0.0 : r.uniform(0, 24);
  p.comp.attack_ms = r.log_uniform(limits::kTimeMinMs, 500);
  p.comp.release_ms = r.log_uniform(limits::kTimeMinMs, limits::kTimeMaxMs);
  p.comp.makeup_db = r.uniform(-24, 24);
  p.comp.stereo_link = r.chance(0.5);
  p.lim.ceiling_dbtp = r.uniform(-20, 0);
  p.lim.lookahead_ms = r.uniform(limits::kLookaheadMinMs, limits::kLookaheadMaxMs);
  p.lim.release_ms = r.log_uniform(limits::kTimeMinMs, limits::kTimeMaxMs);
  p.lim.drive_db = r.uniform(-24, 24);
  p.dither.bits = r.chance(0.5) ? 16 : 24;
  p.dither.enabled = r.chance(0.8);
  p.dither.seed = r.bits();
  p.bypass = r.chance(0.05);
  // Drawn last, so the draws above stay what they were before the program-dependent release.
  p.lim.transient_release_ms = r.log_uniform(limits::kTimeMinMs, limits::kTimeMaxMs);
  p.lim.transient_hold_ms = r.chance(0.2) ? 0.0 : r.uniform(0, limits::kTransientHoldMaxMs);
  return p;
}

// Interleaved stereo 24-bit test signals by name.
inline std::vector<int32_t> test_signal(const std::string& name, int fs, std::size_t frames, Random& r) {
  const double seconds = static_cast<double>(frames) / fs;
  if (name == "music") return signals::music_like(seconds, fs, r.bits());
  std::vector<int32_t> out(2 * frames);
  constexpr double kFull = 8388607.0;
  const double f = r.log_uniform(20, 0.45 * fs);
  for (std::size_t i = 0; i < frames; ++i) {
    double l = 0, rr = 0;
    const double t = static_cast<double>(i) / fs;
    if (name == "sine") l = rr = 0.9 * std::sin(2 * std::numbers::pi * f * t);
    else if (name == "fs4") l = rr = std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4);
    else if (name == "noise") { l = r.uniform(-1, 1); rr = r.uniform(-1, 1); }
    else if (name == "impulses") { l = i % 997 == 0 ? 1.0 : 0.0; rr = i % 991 == 5 ? -1.0 : 0.0; }
    else if (name == "square") { l = std::fmod(t * f, 1.0) < 0.5 ? 1.0 : -1.0; rr = -l; }
    out[2 * i] = static_cast<int32_t>(std::lround(std::clamp(l, -1.0, 1.0) * kFull));
    out[2 * i + 1] = static_cast<int32_t>(std::lround(std::clamp(rr, -1.0, 1.0) * kFull));
  }
  return out;
}

}  // namespace lathe::test
