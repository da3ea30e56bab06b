// SPDX-License-Identifier: MIT
// The true-peak guard: the last stage before the dither, on the limiter's output y. It
// makes the output's 32x reconstruction provably stay at or under the ceiling, whatever
// the limiter's gain did (its modulation can lift an inter-sample peak over the ceiling
// the limiter aimed for; docs/fixed-point.md, "The guard").
//
// For every interval t (from sample t to t+1; support y[t-9..t+10]) and each of the 31
// phases p of the reconstruction (the limiter detector's 17-bit taps), with c_i = tap_i y_i:
//   S = sum c_i; Q_j = the 19 partial sums at the cuts inside the support;
//   N = sum over cuts of dist(sgn(S) Q_j, [0, |S|]); A = sum |c_i|.
// If the guard's gain g is, over the support, monotone or rises then falls, with steps of
// at most beta = 2^-guard_slope_shift, then (summation by parts)
//   |sum c_i g_i| <= max(g) |S| + beta N   and   the opposite side <= beta (19 |S| + N),
// and for any gain at all |sum c_i g_i| <= max(g) A. So the interval is safe when every
// gain on its support is at most
//   r = max( X = (C - beta N*) / S*  (0 unless beta N* < C and beta (19 S + N)* <= C),
//            Y = C / A* )
// (* = largest over phases and channels; phase 0, the sample itself, counts in S* and A*).
// The gain is the largest sequence under those requirements with steps of at most beta:
// h = the minimum of r over the 20 intervals whose support holds the sample; g = the
// minimum over k of h_k + beta |n - k| (k within guard_reach, which covers the deepest
// requirement, 1/2: Y >= 1/2 because |y| <= C, which the limiter guarantees). A dip of g
// is then a plateau at least 20 samples wide (h's minima are), so no support sees g fall
// and rise again. Output z = y g, rounded toward zero; audio delayed by guard_delay.
// Integers throughout (gains Q1.23); the RTL (rtl/core/lathe_tp_guard.sv) computes the
// same bits.
#pragma once
#include <array>
#include <cstdint>

#include "lathe/model/glide.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

class TruePeakGuard {
 public:
  static constexpr int kTaps = 20;                        // the support
  static constexpr int kPhases = 32;                      // phase 0 is the sample itself
  static constexpr int kCentre = 10;                      // hist[kCentre] starts the interval
  static constexpr int kGainFrac = 23;                    // gains Q1.23
  static constexpr int64_t kUnity = int64_t{1} << kGainFrac;
  static constexpr int kSlopeShift = reg::kGuardSlopeShift;
  static constexpr int64_t kStep = kUnity >> kSlopeShift;  // beta in Q1.23
  static constexpr int kReach = reg::kGuardReach;
  static constexpr int kDelay = reg::kGuardDelay;
  static constexpr int kHoldSpan = kTaps;                 // intervals whose support holds a sample
  static constexpr int kEnvelope = 2 * kReach + 1;
  static constexpr int kRing = 64;                        // > kDelay, power of two

  void configure(const reg::RegisterImage& r);
  void reset();
  // The ceiling's glide ends at once, the rest kept: an instant change.
  void settle() {
    ceiling_.snap();
    use_ceiling();
  }

  // One frame of limiter output in, one frame out (kDelay frames later).
  void process(int32_t& left, int32_t& right);

  // The requirement (Q1.23) of the interval that starts at hist[kCentre] of these two
  // channel histories (hist[0] newest, 20 samples each); public for the tests.
  static int64_t requirement(const int32_t* left_hist, const int32_t* right_hist, uint32_t ceiling_q27);

  // Last gain applied (Q1.23) and how many output frames were reduced since reset.
  int64_t gain() const { return last_gain_; }
  uint64_t reduced_frames() const { return reduced_; }

 private:
  // The ceiling in use (quiet_limit_ and quiet_window_ follow it) and the model-only
  // shortcut it sets: quiet_limit_ is the largest |y| that cannot need a reduction.
  void use_ceiling();
  Glide<uint32_t> ceiling_{1u << 27};
  std::array<std::array<int32_t, 2 * kRing>, 2> audio_{};  // input ring, backwards, written twice
  std::array<int, 2> quiet_window_{};                    // samples over quiet_limit_ among the last 20
  uint32_t quiet_limit_ = 0;
  uint32_t pos_ = 0;                                     // newest sample
  std::array<int64_t, kHoldSpan> req_{};                 // last 20 requirements
  uint32_t req_wr_ = 0;
  std::array<int64_t, kEnvelope> held_{};                // last 65 held requirements
  uint32_t held_wr_ = 0;
  int reduced_req_ = 0, reduced_held_ = 0;              // entries below unity in each ring
  int64_t last_gain_ = kUnity;
  uint64_t reduced_ = 0;
};

}  // namespace lathe::model
