// SPDX-License-Identifier: MIT
// Feed-forward log-domain compressor (Giannoulis, Massberg, Reiss, JAES 2012): soft-knee
// gain computer, smooth decoupled peak detector on the gain reduction, exp2 back to linear.
#pragma once
#include <algorithm>
#include <cstdint>

#include "lathe/fixed_point.hpp"
#include "lathe/model/glide.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

// One-pole smoothing step in Q8.32: state += c * (target - state), c in Q0.32, floored.
inline int64_t smooth_step(int64_t state, int64_t target, uint32_t c) {
  const fx::int128 delta = static_cast<fx::int128>(c) * (target - state);
  return state + static_cast<int64_t>(delta >> 32);
}

class Compressor {
 public:
  // The curve and the makeup glide (glide.hpp); the time constants and the link do not.
  void configure(const reg::RegisterImage& r) {
    threshold_.set_target(static_cast<int32_t>(r[reg::kCompThreshold]));
    knee_half_.set_target(static_cast<int32_t>(r[reg::kCompKneeHalf]));
    knee_coef_.set_target(r[reg::kCompKneeCoef]);
    slope_.set_target(r[reg::kCompSlope]);
    attack_ = r[reg::kCompAttack];
    release_ = r[reg::kCompRelease];
    makeup_.set_target(static_cast<int32_t>(r[reg::kCompMakeup]));
    link_ = (r[reg::kCtrl] & reg::kCtrlCompLink) != 0;
  }
  void reset() {
    for (auto& d : det_) d = Detector{};
    threshold_.snap();
    knee_half_.snap();
    knee_coef_.snap();
    slope_.snap();
    makeup_.snap();
  }
  // The glides end at once, the detectors kept: an instant change.
  void settle() {
    threshold_.snap();
    knee_half_.snap();
    knee_coef_.snap();
    slope_.snap();
    makeup_.snap();
  }

  // Gain reduction (>= 0, Q8.16 log2 units) for an input level in Q8.16 log2 units.
  int32_t gain_computer(int32_t level) const {
    const int64_t knee_half = knee_half_.value();
    const int64_t over = static_cast<int64_t>(level) - threshold_.value();
    if (over < -knee_half) return 0;
    if (over <= knee_half) {
      const int64_t u = over + knee_half;  // 0 .. knee width
      const fx::int128 q = static_cast<fx::int128>(knee_coef_.value()) * (u * u);  // Q8.24 * Q16.32
      return static_cast<int32_t>(q >> (24 + 32 - fx::kLogFrac));
    }
    return static_cast<int32_t>((static_cast<int64_t>(slope_.value()) * over) >> 16);
  }

  void process(int32_t& left, int32_t& right) {
    const int32_t makeup = makeup_.value();
    if (link_) {
      const int32_t level = fx::log2_q16(std::max(fx::magnitude(left), fx::magnitude(right)));
      const int32_t gain = fx::exp2_gain_q27(makeup - det_[0].update(gain_computer(level), attack_, release_));
      left = fx::apply_gain(left, gain);
      right = fx::apply_gain(right, gain);
    } else {
      const int32_t gl = det_[0].update(gain_computer(fx::log2_q16(fx::magnitude(left))), attack_, release_);
      const int32_t gr = det_[1].update(gain_computer(fx::log2_q16(fx::magnitude(right))), attack_, release_);
      left = fx::apply_gain(left, fx::exp2_gain_q27(makeup - gl));
      right = fx::apply_gain(right, fx::exp2_gain_q27(makeup - gr));
    }
    threshold_.step();
    knee_half_.step();
    knee_coef_.step();
    slope_.step();
    makeup_.step();
  }

  // Current smoothed gain reduction, Q8.16 log2 units (max over channels).
  int32_t gain_reduction() const {
    return link_ ? det_[0].level() : std::max(det_[0].level(), det_[1].level());
  }

 private:
  struct Detector {
    int64_t peak = 0;    // y1: instant attack, release with alpha_R (Q8.32)
    int64_t smooth = 0;  // yL: attack smoothing of y1 (Q8.32)
    int32_t update(int32_t reduction_q16, uint32_t attack, uint32_t release) {
      const int64_t x = static_cast<int64_t>(reduction_q16) << (fx::kSmoothFrac - fx::kLogFrac);
      peak = std::max(x, smooth_step(peak, x, release));
      smooth = smooth_step(smooth, peak, attack);
      return level();
    }
    int32_t level() const { return static_cast<int32_t>(smooth >> (fx::kSmoothFrac - fx::kLogFrac)); }
  };

  Glide<int32_t> threshold_, knee_half_, makeup_;
  Glide<uint32_t> knee_coef_, slope_;
  uint32_t attack_ = 0xffffffffu, release_ = 0xffffffffu;
  bool link_ = true;
  Detector det_[2];
};

}  // namespace lathe::model
