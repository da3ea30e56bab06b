// SPDX-License-Identifier: MIT
// The worst-case generators: each builds two channels in double precision, full scale
// 1.0, then rounds to 24 bits with clipping (clipping is part of several cases).
#include "tp_worst_cases.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>

#include "lathe/test_signals.hpp"

namespace lathe::tp_cases {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kFullScale = 8388607.0;

struct Stereo {
  std::vector<double> l, r;
  explicit Stereo(std::size_t n) : l(n, 0.0), r(n, 0.0) {}
  std::size_t size() const { return l.size(); }
};

class Noise {
 public:
  explicit Noise(uint32_t seed) : gen_(seed) {}
  double operator()() { return static_cast<double>(gen_()) / 2147483648.0 - 1.0; }  // [-1, 1)
  double uniform() { return static_cast<double>(gen_()) / 4294967296.0; }          // [0, 1)

 private:
  std::mt19937 gen_;
};

std::vector<int32_t> to_frames(const Stereo& s) {
  std::vector<int32_t> out(2 * s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out[2 * i] = static_cast<int32_t>(std::lround(std::clamp(s.l[i], -1.0, 1.0) * kFullScale));
    out[2 * i + 1] = static_cast<int32_t>(std::lround(std::clamp(s.r[i], -1.0, 1.0) * kFullScale));
  }
  return out;
}

Stereo from_frames(const std::vector<int32_t>& f) {
  Stereo s(f.size() / 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    s.l[i] = f[2 * i] / kFullScale;
    s.r[i] = f[2 * i + 1] / kFullScale;
  }
  return s;
}

// Hi-hat-like bursts of noise whose spectrum rises to Nyquist (a second difference of
// white noise has gain |2 sin(pi f / fs)|^2, 1 at fs / 2), on sixteenths at 120 bpm.
void add_nyquist_hats(Stereo& s, int fs, double level, Noise& noise) {
  double w1 = 0, w2 = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    const double env = std::exp(-std::fmod(t, 0.125) * 45.0);
    const double w = noise();
    const double hf = (w - 2 * w1 + w2) / 4;
    w2 = w1;
    w1 = w;
    s.l[i] += level * env * hf;
    s.r[i] += level * env * hf * (i % 2 ? 0.8 : 1.0);
  }
}

// A brick-wall-like "loudness maximiser" that a mix engineer might have run before the
// master: a fast peak follower pulls every passage towards half scale, then the result
// is driven into hard clipping. Dense, loud, full of clipped transients.
void densify(Stereo& s, int fs, double drive) {
  const double att = std::exp(-1.0 / (0.0005 * fs)), rel = std::exp(-1.0 / (0.030 * fs));
  double env = 1e-3;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double a = std::max(std::abs(s.l[i]), std::abs(s.r[i]));
    env = a > env ? att * env + (1 - att) * a : rel * env + (1 - rel) * a;
    const double g = std::min(4.0, std::pow(0.5 / std::max(env, 1e-4), 0.75)) * drive;
    s.l[i] = std::clamp(s.l[i] * g, -1.0, 1.0);
    s.r[i] = std::clamp(s.r[i] * g, -1.0, 1.0);
  }
}

// Kick and snare, overdriven into full-scale clipping (a hot drum bus).
void add_clipped_drums(Stereo& s, int fs, double gain, Noise& noise) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    const double in_beat = std::fmod(t, 0.5);
    const double kick_f = 50.0 + 110.0 * std::exp(-in_beat * 35.0);
    double d = std::exp(-in_beat * 8.0) * std::sin(2 * kPi * kick_f * in_beat);
    if (static_cast<int>(t / 0.5) % 2 == 1) d += std::exp(-in_beat * 20.0) * (0.8 * noise() + 0.4 * std::sin(2 * kPi * 200 * in_beat));
    s.l[i] = std::clamp(s.l[i] + gain * d, -1.0, 1.0);
    s.r[i] = std::clamp(s.r[i] + 0.9 * gain * d, -1.0, 1.0);
  }
}

// music_like from 13 s in, so that 3 s or more reach its clipped-snare bar (every
// eighth bar, 14..16 s).
Stereo gen_mix(int fs, double seconds, uint32_t seed) {
  constexpr double kSkip = 13.0;
  const auto whole = signals::music_like(seconds + kSkip, fs, seed);
  const std::size_t n = static_cast<std::size_t>(seconds * fs);
  return from_frames(std::vector<int32_t>(whole.end() - static_cast<std::ptrdiff_t>(2 * n), whole.end()));
}

Stereo gen_dense_mix(int fs, double seconds, uint32_t seed) {
  Stereo s = gen_mix(fs, seconds, seed);
  Noise noise(seed * 7919u + 1);
  add_nyquist_hats(s, fs, 0.2, noise);
  densify(s, fs, 1.6);
  return s;
}

Stereo gen_clipped_drums(int fs, double seconds, uint32_t seed) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  Noise noise(seed);
  add_clipped_drums(s, fs, 2.5, noise);
  return s;
}

Stereo gen_nyquist_hats(int fs, double seconds, uint32_t seed) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  Noise noise(seed);
  add_nyquist_hats(s, fs, 3.0, noise);  // driven into clipping at the onsets
  for (std::size_t i = 0; i < s.size(); ++i) {
    s.l[i] = std::clamp(s.l[i], -1.0, 1.0);
    s.r[i] = std::clamp(s.r[i], -1.0, 1.0);
  }
  return s;
}

// A full-scale sine at fs/4 sampled 45 degrees from its crest: every sample at -3.01
// dBFS, the reconstruction at 0 dBTP.
Stereo gen_fs4_45(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  for (std::size_t i = 0; i < s.size(); ++i) s.l[i] = s.r[i] = std::sin(kPi / 2 * static_cast<double>(i) + kPi / 4);
  return s;
}

// Full-scale tone bursts at 0.45, 0.47 and 0.49 fs, 30 ms on (rectangular onset at a
// random phase), 70 ms off.
Stereo gen_nyquist_bursts(int fs, double seconds, uint32_t seed) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  Noise noise(seed);
  const std::size_t period = static_cast<std::size_t>(0.1 * fs), on = static_cast<std::size_t>(0.03 * fs);
  const double fractions[3] = {0.45, 0.47, 0.49};
  for (std::size_t start = 0, k = 0; start < s.size(); start += period, ++k) {
    const double f = fractions[k % 3];
    const double phase = 2 * kPi * noise.uniform();
    for (std::size_t i = 0; i < on && start + i < s.size(); ++i) {
      const double v = std::sin(2 * kPi * f * static_cast<double>(i) + phase);
      s.l[start + i] = v;
      s.r[start + i] = k % 2 ? v : -v;
    }
  }
  return s;
}

// A full-scale periodic pattern of `period` samples (the first ceil(period / 2) at +1,
// the rest at -1), gated 400 ms on, 100 ms off so that onsets recur.
Stereo gen_square(int fs, double seconds, int period) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const std::size_t gate = static_cast<std::size_t>(0.5 * fs), on = static_cast<std::size_t>(0.4 * fs);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i % gate >= on) continue;
    const int k = static_cast<int>(i % static_cast<std::size_t>(period));
    s.l[i] = s.r[i] = k < (period + 1) / 2 ? 1.0 : -1.0;
  }
  return s;
}

// Full-scale squares of 1 kHz (left) and 3.1 kHz (right), not synchronous with fs.
Stereo gen_square_audio(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    s.l[i] = std::fmod(t * 1000.0, 1.0) < 0.5 ? 1.0 : -1.0;
    s.r[i] = std::fmod(t * 3100.0, 1.0) < 0.5 ? 1.0 : -1.0;
  }
  return s;
}

// Full-scale sweeps to 0.49 fs: exponential from 20 Hz, or linear from 0 Hz.
Stereo gen_sweep(int fs, double seconds, bool exponential) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const double f0 = 20.0, f1 = 0.49 * fs;
  const double k = std::log(f1 / f0);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    const double phase = exponential ? 2 * kPi * f0 * seconds / k * (std::exp(t / seconds * k) - 1)
                                     : 2 * kPi * (f1 / 2) * t * t / seconds;
    s.l[i] = std::sin(phase);
    s.r[i] = std::cos(phase);
  }
  return s;
}

// Single full-scale samples every 100 ms, alternating sign; the right channel 7 samples
// later.
Stereo gen_impulses(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const std::size_t period = static_cast<std::size_t>(0.1 * fs);
  for (std::size_t i = 0, k = 0; i < s.size(); i += period, ++k) {
    s.l[i] = k % 2 ? -1.0 : 1.0;
    if (i + 7 < s.size()) s.r[i + 7] = k % 2 ? 1.0 : -1.0;
  }
  return s;
}

// 10 ms trains of full-scale single-sample pulses spaced 2, 3, 4 or 7 samples, every
// 100 ms.
Stereo gen_impulse_trains(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const std::size_t period = static_cast<std::size_t>(0.1 * fs), len = static_cast<std::size_t>(0.01 * fs);
  const std::size_t spacings[4] = {2, 3, 4, 7};
  for (std::size_t start = 0, k = 0; start < s.size(); start += period, ++k)
    for (std::size_t i = 0; i < len && start + i < s.size(); i += spacings[k % 4]) s.l[start + i] = s.r[start + i] = 1.0;
  return s;
}

// Alternating +1/-1 (a full-scale Nyquist tone) whose sign flips after runs of 8, 16,
// 32 and 64 samples: the reconstruction overshoots at every phase reversal.
Stereo gen_alternating_flips(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const std::size_t runs[4] = {8, 16, 32, 64};
  double sign = 1.0;
  std::size_t i = 0;
  for (std::size_t k = 0; i < s.size(); ++k) {
    for (std::size_t j = 0; j < runs[k % 4] && i < s.size(); ++j, ++i) {
      s.l[i] = s.r[i] = sign;
      sign = -sign;
    }
    sign = -sign;  // the flip: two equal samples in a row
  }
  return s;
}

// Random signs at full scale: white noise at its most extreme (every sample +-1).
Stereo gen_random_signs(int fs, double seconds, uint32_t seed) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  std::mt19937 gen(seed);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const uint32_t b = gen();
    s.l[i] = b & 1 ? 1.0 : -1.0;
    s.r[i] = b & 2 ? 1.0 : -1.0;
  }
  return s;
}

// Gaussian white noise, sigma 0.25 (-12 dBFS RMS, peaks clipped at full scale), independent
// channels: the worst case of the gain's own modulation (every interval is nearly as loud
// as the peak that holds the gain, so the ramps run under loud reconstructions).
Stereo gen_white_noise(int fs, double seconds, uint32_t seed) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  Noise noise(seed);  // Box-Muller on mt19937 (std::normal_distribution is not fixed by the standard)
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double radius = 0.25 * std::sqrt(-2.0 * std::log(1.0 - noise.uniform()));
    const double angle = 2 * kPi * noise.uniform();
    s.l[i] = radius * std::cos(angle);
    s.r[i] = radius * std::sin(angle);
  }
  return s;
}

// The dense mix at -20 dB, stepping to full level and back every second: the gain must
// fall 20 dB within the lookahead.
Stereo gen_step_mix(int fs, double seconds, uint32_t seed) {
  Stereo s = gen_dense_mix(fs, seconds, seed);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((i / static_cast<std::size_t>(fs)) % 2 == 0) {
      s.l[i] *= 0.1;
      s.r[i] *= 0.1;
    }
  }
  return s;
}

// A 5 kHz sine (right: 7 kHz) stepping from -20 dBFS to full scale every 250 ms, at a
// random phase.
Stereo gen_step_tone(int fs, double seconds, uint32_t) {
  Stereo s(static_cast<std::size_t>(seconds * fs));
  const std::size_t half = static_cast<std::size_t>(0.25 * fs);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    const double a = (i / half) % 2 ? 1.0 : 0.1;
    s.l[i] = a * std::sin(2 * kPi * 5000.0 * t + 0.3);
    s.r[i] = a * std::sin(2 * kPi * 7000.0 * t + 1.1);
  }
  return s;
}

struct Generator {
  CaseInfo info;
  std::function<Stereo(int, double, uint32_t)> make;
};

const std::vector<Generator>& generators() {
  static const std::vector<Generator> g = {
      {{"mix", "lathe::signals::music_like from 13 s in (about -18 LUFS; a clipped-snare bar at 1..3 s)", true}, gen_mix},
      {{"dense_mix", "music_like plus near-Nyquist hats, pulled to half scale by a fast follower, hard-clipped", true},
       gen_dense_mix},
      {{"clipped_drums", "kick and snare overdriven into full-scale clipping", true}, gen_clipped_drums},
      {{"nyquist_hats", "bursts of noise rising to fs/2, clipped at the onsets", true}, gen_nyquist_hats},
      {{"fs4_45deg", "full-scale fs/4 sine, samples 45 degrees off the crest (-3.01 dBFS, 0 dBTP)", false}, gen_fs4_45},
      {{"nyquist_bursts", "30 ms full-scale bursts at 0.45, 0.47, 0.49 fs, rectangular onsets", false}, gen_nyquist_bursts},
      {{"square_p2", "+1 -1 (fs/2), gated 400/100 ms", false}, [](int fs, double s, uint32_t) { return gen_square(fs, s, 2); }},
      {{"square_p3", "+1 +1 -1, gated", false}, [](int fs, double s, uint32_t) { return gen_square(fs, s, 3); }},
      {{"square_p4", "+1 +1 -1 -1 (fs/4), gated", false}, [](int fs, double s, uint32_t) { return gen_square(fs, s, 4); }},
      {{"square_p5", "+1 +1 +1 -1 -1, gated", false}, [](int fs, double s, uint32_t) { return gen_square(fs, s, 5); }},
      {{"square_1k", "full-scale 1 kHz (L) and 3.1 kHz (R) squares", false}, gen_square_audio},
      {{"sweep_exp", "full-scale exponential sweep 20 Hz to 0.49 fs (R in quadrature)", false},
       [](int fs, double s, uint32_t) { return gen_sweep(fs, s, true); }},
      {{"sweep_lin", "full-scale linear sweep 0 to 0.49 fs (R in quadrature)", false},
       [](int fs, double s, uint32_t) { return gen_sweep(fs, s, false); }},
      {{"impulses", "single full-scale samples every 100 ms, alternating sign, R 7 samples later", false}, gen_impulses},
      {{"impulse_trains", "10 ms trains of full-scale pulses spaced 2, 3, 4, 7 samples", false}, gen_impulse_trains},
      {{"alternating_flips", "+1 -1 runs of 8..64 samples with a sign flip between runs", false}, gen_alternating_flips},
      {{"random_signs", "every sample +1 or -1 at random", false}, gen_random_signs},
      {{"white_noise", "Gaussian white noise at -12 dBFS RMS, clipped at full scale", false}, gen_white_noise},
      {{"step_mix", "dense_mix at -20 dB and full level, alternating every second", true}, gen_step_mix},
      {{"step_tone", "5 kHz (R 7 kHz) sine stepping between -20 dBFS and full scale every 250 ms", false}, gen_step_tone},
  };
  return g;
}

}  // namespace

const std::vector<CaseInfo>& all_cases() {
  static const std::vector<CaseInfo> infos = [] {
    std::vector<CaseInfo> v;
    for (const auto& g : generators()) v.push_back(g.info);
    return v;
  }();
  return infos;
}

std::vector<int32_t> make(const std::string& name, int sample_rate, double seconds, uint32_t seed) {
  for (const auto& g : generators())
    if (name == g.info.name) return to_frames(g.make(sample_rate, seconds, seed));
  return {};
}

}  // namespace lathe::tp_cases
