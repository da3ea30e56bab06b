// SPDX-License-Identifier: MIT
#include "lathe/model/true_peak_guard.hpp"

#include <algorithm>
#include <cmath>

#include "lathe/fixed_point.hpp"

namespace lathe::model {
namespace {

using ReconstructionTaps = const int32_t (*)[TruePeakGuard::kTaps];
ReconstructionTaps reconstruction() { return reinterpret_cast<ReconstructionTaps>(fx::reconstruction_taps_q16()); }

int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

__extension__ typedef unsigned __int128 u128;  // the quotients' numerators reach 2^79

}  // namespace

namespace {

// What the fast paths of requirement() need from the taps, computed once: per position
// the largest |tap| over the phases (phase 0 included), and the largest over phases of
// sum over cuts of min(|taps| before the cut, |taps| after it), which bounds N / max|y|.
struct GuardBounds {
  int64_t tau[TruePeakGuard::kTaps];
  int64_t cut_mass;
};

const GuardBounds& bounds() {
  static const GuardBounds b = [] {
    GuardBounds g{};
    const ReconstructionTaps t = reconstruction();
    for (int i = 0; i < TruePeakGuard::kTaps; ++i) g.tau[i] = i == TruePeakGuard::kCentre ? 65536 : 0;
    for (int p = 1; p < TruePeakGuard::kPhases; ++p) {
      int64_t total = 0;
      for (int i = 0; i < TruePeakGuard::kTaps; ++i) {
        g.tau[i] = std::max<int64_t>(g.tau[i], abs64(t[p][i]));
        total += abs64(t[p][i]);
      }
      int64_t before = 0, mass = 0;
      for (int i = 0; i + 1 < TruePeakGuard::kTaps; ++i) {
        before += abs64(t[p][i]);
        mass += std::min(before, total - before);
      }
      g.cut_mass = std::max(g.cut_mass, mass);
    }
    return g;
  }();
  return b;
}

// max over phases 1..31 of |sum tap_i h_i| for one channel, exactly: from the kernel's
// symmetry (phase 32 - p is phase p reversed: with s_i = h_i + h_19-i and d_i = h_i -
// h_19-i, the pair's sums are (A +- B) / 2, so the larger magnitude is (|A| + |B|) / 2),
// in vectors of doubles, which hold every partial sum exactly while |h| < 2^29 (the
// limiter keeps |y| under 2^27; larger samples take the integer loop).
__attribute__((target_clones("avx512f", "avx2", "default"))) int64_t folded_peak(const int32_t* h, int64_t y_max) {
  constexpr int kHalf = TruePeakGuard::kTaps / 2, kPairs = TruePeakGuard::kPhases / 2;
  static const auto folded = [] {
    std::array<std::array<double, kPairs>, 2 * kHalf> f{};  // [i][p - 1]: a_i, then b_i at kHalf + i
    const ReconstructionTaps t = reconstruction();
    for (int p = 1; p <= kPairs; ++p)
      for (int i = 0; i < kHalf; ++i) {
        f[i][p - 1] = static_cast<double>(t[p][i]) + t[p][TruePeakGuard::kTaps - 1 - i];
        f[kHalf + i][p - 1] = static_cast<double>(t[p][i]) - t[p][TruePeakGuard::kTaps - 1 - i];
      }
    return f;
  }();
  if (y_max >= (int64_t{1} << 29)) {
    const ReconstructionTaps t = reconstruction();
    int64_t peak = 0;
    for (int p = 1; p < TruePeakGuard::kPhases; ++p) {
      int64_t acc = 0;
      for (int i = 0; i < TruePeakGuard::kTaps; ++i) acc += int64_t{t[p][i]} * h[i];
      peak = std::max(peak, abs64(acc));
    }
    return peak;
  }
  // Explicit vectors: the 16 pairs as four lanes of four (the compiler did not vectorise
  // the loop over pairs by itself).
  typedef double v4 __attribute__((vector_size(32)));
  v4 sa[kPairs / 4] = {}, sb[kPairs / 4] = {};
  for (int i = 0; i < kHalf; ++i) {
    const double sum = static_cast<double>(h[i]) + h[TruePeakGuard::kTaps - 1 - i];
    const double diff = static_cast<double>(h[i]) - h[TruePeakGuard::kTaps - 1 - i];
    for (int k = 0; k < kPairs / 4; ++k) {
      v4 fa, fb;
      __builtin_memcpy(&fa, &folded[i][4 * k], sizeof fa);
      __builtin_memcpy(&fb, &folded[kHalf + i][4 * k], sizeof fb);
      sa[k] += fa * sum;
      sb[k] += fb * diff;
    }
  }
  double peak = 0;
  for (int k = 0; k < kPairs / 4; ++k)
    for (int j = 0; j < 4; ++j) peak = std::max(peak, std::abs(sa[k][j]) + std::abs(sb[k][j]));
  return static_cast<int64_t>(peak) / 2;
}

// S*, N*, M* and A* of one channel over phases 1..31 (the full computation), in vectors
// of doubles across the phases: exact while |h| < 2^28 (then |c| < 2^44, every sum below
// 2^50); larger samples take the integer loop in requirement().
struct PhaseMaxima {
  int64_t s, n, m, a;
};
__attribute__((target_clones("avx512f", "avx2", "default"))) PhaseMaxima phase_maxima(const int32_t* h) {
  constexpr int kTaps = TruePeakGuard::kTaps, kLanes = 32;  // phase 0's lane stays zero
  static const auto by_tap = [] {
    std::array<std::array<double, kLanes>, kTaps> f{};
    const ReconstructionTaps t = reconstruction();
    for (int i = 0; i < kTaps; ++i)
      for (int p = 1; p < TruePeakGuard::kPhases; ++p) f[i][p] = t[p][i];
    return f;
  }();
  double hs[kTaps];
  for (int i = 0; i < kTaps; ++i) hs[i] = h[i];
  double s[kLanes] = {}, a[kLanes] = {};
  for (int i = 0; i < kTaps; ++i)
    for (int p = 0; p < kLanes; ++p) {
      const double c = by_tap[i][p] * hs[i];
      s[p] += c;
      a[p] += std::abs(c);
    }
  double sign[kLanes], mag[kLanes], q[kLanes] = {}, n[kLanes] = {};
  for (int p = 0; p < kLanes; ++p) {
    sign[p] = s[p] < 0 ? -1.0 : 1.0;
    mag[p] = std::abs(s[p]);
  }
  for (int i = 0; i + 1 < kTaps; ++i)
    for (int p = 0; p < kLanes; ++p) {
      q[p] += sign[p] * (by_tap[i][p] * hs[i]);
      n[p] += std::max(-q[p], 0.0) + std::max(q[p] - mag[p], 0.0);
    }
  double sm = 0, nm = 0, mm = 0, am = 0;
  for (int p = 0; p < kLanes; ++p) {
    sm = std::max(sm, mag[p]);
    nm = std::max(nm, n[p]);
    mm = std::max(mm, 19 * mag[p] + n[p]);
    am = std::max(am, a[p]);
  }
  return {static_cast<int64_t>(sm), static_cast<int64_t>(nm), static_cast<int64_t>(mm), static_cast<int64_t>(am)};
}

}  // namespace

void TruePeakGuard::configure(const reg::RegisterImage& r) {
  ceiling_.set_target(r[reg::kLimGuardCeiling]);  // glides (glide.hpp)
  use_ceiling();
}

void TruePeakGuard::use_ceiling() {
  // The largest |y| that keeps sum tau_i |y_i| <= C whatever the window holds (called
  // after every step of a ceiling glide: the sum once).
  static const int64_t tau_sum = [] {
    int64_t sum = 0;
    for (const int64_t t : bounds().tau) sum += t;
    return sum;
  }();
  quiet_limit_ = static_cast<uint32_t>((int64_t{ceiling_.value()} << 16) / tau_sum);
  for (int ch = 0; ch < 2; ++ch) {
    quiet_window_[ch] = 0;
    for (int i = 0; i < kTaps; ++i)
      quiet_window_[ch] += fx::magnitude(audio_[ch][pos_ + i]) > quiet_limit_;
  }
}

void TruePeakGuard::reset() {
  audio_ = {};
  quiet_window_ = {};
  pos_ = 0;
  req_.fill(kUnity);
  req_wr_ = 0;
  held_.fill(kUnity);
  held_wr_ = 0;
  reduced_req_ = 0;
  reduced_held_ = 0;
  last_gain_ = kUnity;
  reduced_ = 0;
  ceiling_.snap();
  use_ceiling();
}

int64_t TruePeakGuard::requirement(const int32_t* left_hist, const int32_t* right_hist, uint32_t ceiling_q27) {
  const ReconstructionTaps t = reconstruction();
  const int64_t cs = int64_t{ceiling_q27} << 16;  // the ceiling in the sums' units (taps x 65536)
  const int64_t cs_scaled = cs << kSlopeShift;    // C / beta
  const GuardBounds& b = bounds();

  // Fast paths, which return only what the full computation below would: most intervals
  // are far enough under the ceiling that a bound on A* or on S* and N* settles it.
  // (1) A* <= sum tau_i |y_i| <= C: then Y >= 1.
  int64_t a_bound = 0, y_max = 0;
  for (const int32_t* h : {left_hist, right_hist}) {
    int64_t a = 0;
    for (int i = 0; i < kTaps; ++i) {
      a += b.tau[i] * abs64(h[i]);
      y_max = std::max<int64_t>(y_max, abs64(h[i]));
    }
    a_bound = std::max(a_bound, a);
  }
  if (a_bound <= cs) return kUnity;
  // (2) S* exactly, from the kernel's symmetry (phase 32 - p is phase p reversed: with
  // s_i = y_i + y_19-i and d_i = y_i - y_19-i, the pair's sums are (A +- B) / 2), and
  // N* <= cut_mass max|y|: then X >= 1 when 64 S* + N* <= 64 C (and 19 S* + N* too).
  int64_t s_max = 0;
  for (const int32_t* h : {left_hist, right_hist}) s_max = std::max({s_max, abs64(h[kCentre]) << 16, folded_peak(h, y_max)});
  const int64_t n_bound = b.cut_mass * y_max;
  if (n_bound < cs_scaled && (s_max << kSlopeShift) + n_bound <= cs_scaled && 19 * s_max + n_bound <= cs_scaled)
    return kUnity;

  // The full computation.
  int64_t n_max = 0, m_max = 0, a_max = 0;
  s_max = 0;
  for (const int32_t* h : {left_hist, right_hist}) {
    const int64_t s0 = abs64(h[kCentre]) << 16;  // phase 0: the sample itself
    s_max = std::max(s_max, s0);
    a_max = std::max(a_max, s0);
    if (y_max < (int64_t{1} << 28)) {
      const PhaseMaxima m = phase_maxima(h);
      s_max = std::max(s_max, m.s);
      n_max = std::max(n_max, m.n);
      m_max = std::max(m_max, m.m);
      a_max = std::max(a_max, m.a);
      continue;
    }
    for (int p = 1; p < kPhases; ++p) {
      int64_t c[kTaps];
      int64_t s = 0, a = 0;
      for (int i = 0; i < kTaps; ++i) {
        c[i] = int64_t{t[p][i]} * h[i];
        s += c[i];
        a += abs64(c[i]);
      }
      // The partial sums at the 19 cuts, turned to the sign of S: how far each lies
      // outside [0, |S|].
      const int64_t mag = abs64(s);
      int64_t q = 0, n = 0;
      for (int i = 0; i + 1 < kTaps; ++i) {
        q += s < 0 ? -c[i] : c[i];
        if (q < 0) n -= q;
        else if (q > mag) n += q - mag;
      }
      s_max = std::max(s_max, mag);
      n_max = std::max(n_max, n);
      m_max = std::max(m_max, 19 * mag + n);
      a_max = std::max(a_max, a);
    }
  }
  int64_t x = 0;
  if (n_max < cs_scaled && m_max <= cs_scaled) {
    x = s_max == 0 ? kUnity
                   : static_cast<int64_t>((static_cast<u128>(cs_scaled - n_max) << kGainFrac) /
                                          (static_cast<u128>(s_max) << kSlopeShift));
  }
  const int64_t y = a_max == 0 ? kUnity : static_cast<int64_t>((static_cast<u128>(cs) << kGainFrac) / static_cast<u128>(a_max));
  return std::min(kUnity, std::max(x, y));
}

void TruePeakGuard::process(int32_t& left, int32_t& right) {
  // The ring runs backwards and each sample is written twice, kRing apart, so the newest
  // 20 are always contiguous and newest first (audio_[ch][pos_ + i] is i frames back).
  pos_ = pos_ == 0 ? kRing - 1 : pos_ - 1;
  for (int ch = 0; ch < 2; ++ch) {
    const int32_t v = ch == 0 ? left : right;
    audio_[ch][pos_] = audio_[ch][pos_ + kRing] = v;
    quiet_window_[ch] += (fx::magnitude(v) > quiet_limit_) - (fx::magnitude(audio_[ch][pos_ + kTaps]) > quiet_limit_);
  }
  const int32_t* hist[2] = {&audio_[0][pos_], &audio_[1][pos_]};
  // The interval starting kCentre frames back; then the held requirement of the sample
  // whose last interval that is, and the gain kReach frames before that.
  // Every sample of both windows under quiet_limit_: sum tau |y| <= C, so Y >= 1.
  const int64_t req = quiet_window_[0] == 0 && quiet_window_[1] == 0 ? kUnity : requirement(hist[0], hist[1], ceiling_.value());
  reduced_req_ += (req < kUnity) - (req_[req_wr_] < kUnity);
  req_[req_wr_] = req;
  if (++req_wr_ == kHoldSpan) req_wr_ = 0;
  const int64_t held = reduced_req_ == 0 ? kUnity : *std::min_element(req_.begin(), req_.end());
  reduced_held_ += (held < kUnity) - (held_[held_wr_] < kUnity);
  held_[held_wr_] = held;
  if (++held_wr_ == kEnvelope) held_wr_ = 0;
  int64_t g = kUnity;
  for (int k = 0; reduced_held_ > 0 && k < kEnvelope; ++k) {
    // held_wr_ now points at the oldest entry: k = 0 is kReach frames before the output
    // sample, k = kEnvelope - 1 kReach frames after it.
    const int64_t h = held_[(held_wr_ + k) % kEnvelope];
    g = std::min(g, h + kStep * (k < kReach ? kReach - k : k - kReach));
  }
  last_gain_ = g;
  if (g < kUnity) ++reduced_;
  const uint32_t rd = pos_ + kDelay;
  auto apply = [g](int32_t v) {
    const int64_t m = (abs64(v) * g) >> kGainFrac;  // toward zero: never louder than y g
    return static_cast<int32_t>(v < 0 ? -m : m);
  };
  left = apply(audio_[0][rd]);
  right = apply(audio_[1][rd]);
  if (ceiling_.step()) use_ceiling();
}

}  // namespace lathe::model
