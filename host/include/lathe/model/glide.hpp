// SPDX-License-Identifier: MIT
// Parameter glides: a new value set while audio runs is approached a step a frame instead
// of jumping to it, so a change of gain, threshold, ceiling or EQ never makes a sample
// jump. After each frame the value in use moves by (target - value) >> param_glide_shift
// (floor), or to the target once it is within 2^param_glide_shift of it. So a frame moves
// a parameter by at most 2^-8 of what is left of the change (docs/fixed-point.md, "Glides");
// rtl/core/lathe_glide.sv computes the same bits. A stage's reset (the core's clear) sets
// the value to its target at once: a job starts on its settings, not on the way to them.
#pragma once
#include <cstdint>

#include "lathe/registers.hpp"

namespace lathe::model {

// One glide step of value towards target.
inline int64_t glide_step(int64_t value, int64_t target) {
  const int64_t d = target - value;
  constexpr int64_t kSnap = int64_t{1} << reg::kParamGlideShift;
  if (d > -kSnap && d < kSnap) return target;
  return value + (d >> reg::kParamGlideShift);  // floor: between value and target
}

template <typename T>
class Glide {
 public:
  Glide() = default;
  explicit Glide(T v) : value_(v), target_(v) {}

  // A new target: the value glides to it from the next step. The first target a Glide
  // gets is taken at once (the core's first commit is followed by a clear, which snaps).
  void set_target(T t) {
    target_ = t;
    if (!primed_) value_ = t;
    primed_ = true;
  }
  void snap() { value_ = target_; }
  // After a frame: returns whether the value moved.
  bool step() {
    if (value_ == target_) return false;
    value_ = static_cast<T>(glide_step(value_, target_));
    return true;
  }
  T value() const { return value_; }
  T target() const { return target_; }
  bool moving() const { return value_ != target_; }

 private:
  T value_{};
  T target_{};
  bool primed_ = false;
};

}  // namespace lathe::model
