// SPDX-License-Identifier: MIT
// Signal generators for the demo, the tests and the benchmarks.
#include "lathe/test_signals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "lathe/model/dither.hpp"

namespace lathe::signals {
namespace {

constexpr double kFullScale = 8388607.0;  // 2^23 - 1
constexpr double kTwoPi = 2.0 * std::numbers::pi;

int32_t to24(double v) {
  return static_cast<int32_t>(std::lround(std::clamp(v, -1.0, 1.0) * kFullScale));
}

}  // namespace

std::vector<int32_t> sine(double seconds, int fs, double f, double peak, double phase) {
  const std::size_t n = static_cast<std::size_t>(seconds * fs);
  std::vector<int32_t> out(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const int32_t s = to24(peak * std::sin(kTwoPi * f * static_cast<double>(i) / fs + phase));
    out[2 * i] = out[2 * i + 1] = s;
  }
  return out;
}

std::vector<int32_t> music_like(double seconds, int fs, uint32_t seed) {
  const std::size_t n = static_cast<std::size_t>(seconds * fs);
  std::vector<int32_t> out(2 * n);
  model::Xorshift32 rng(seed);
  auto noise = [&] { return static_cast<double>(rng.next()) / 2147483648.0 - 1.0; };

  const double bpm = 120.0;
  const double beat = 60.0 / bpm;
  const double chord_roots[4] = {110.0, 87.31, 130.81, 98.0};  // A2 F2 C3 G2
  double hat_state = 0.0, bass_phase = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    const double in_beat = std::fmod(t, beat);
    const int beat_no = static_cast<int>(t / beat);
    const int bar = beat_no / 4;
    const double root = chord_roots[bar % 4];

    // Kick on every beat: a falling sine burst.
    const double kick_f = 50.0 + 90.0 * std::exp(-in_beat * 30.0);
    const double kick = 0.9 * std::exp(-in_beat * 9.0) * std::sin(kTwoPi * kick_f * in_beat);
    // Snare on beats 2 and 4: noise burst plus body; every 8th bar it clips (a hot mix).
    double snare = 0.0;
    if (beat_no % 2 == 1) {
      snare = std::exp(-in_beat * 22.0) * (0.5 * noise() + 0.3 * std::sin(kTwoPi * 190.0 * in_beat));
      if (bar % 8 == 7) snare = std::clamp(snare * 2.5, -0.6, 0.6);
    }
    // Hi-hat on eighths: high-passed noise.
    const double in_eighth = std::fmod(t, beat / 2);
    const double white = noise();
    const double hat = 0.12 * std::exp(-in_eighth * 60.0) * (white - hat_state);
    hat_state = white;
    // Bass: a rounded saw on the chord root, one octave down.
    bass_phase += root / 2 / fs;
    bass_phase -= std::floor(bass_phase);
    const double saw = 2.0 * bass_phase - 1.0;
    const double bass = 0.35 * (saw - saw * saw * saw / 3.0) * (0.6 + 0.4 * std::exp(-in_beat * 4.0));
    // Chords: root, third, fifth, slow attack, panned by a slow LFO.
    double pad = 0.0;
    for (double ratio : {2.0, 2.52, 3.0, 4.0}) pad += std::sin(kTwoPi * root * ratio * t + ratio);
    pad *= 0.06 * (1.0 - std::exp(-std::fmod(t, 4 * beat) * 3.0));
    const double pan = 0.5 + 0.4 * std::sin(kTwoPi * 0.1 * t);

    const double centre = kick + snare + bass;
    const double left = 0.55 * centre + pad * (1.0 - pan) + hat * 0.8;
    const double right = 0.55 * centre + pad * pan + hat * 1.2;
    out[2 * i] = to24(left);
    out[2 * i + 1] = to24(right);
  }
  return out;
}

}  // namespace lathe::signals
