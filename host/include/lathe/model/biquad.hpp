// SPDX-License-Identifier: MIT
// Direct Form I biquad in Q5.27 with Q5.32 coefficients and first-order error feedback.
#pragma once
#include <cstdint>

#include "lathe/fixed_point.hpp"
#include "lathe/model/glide.hpp"

namespace lathe::model {

class Biquad {
 public:
  // b0 b1 b2 a1 a2 in Q5.32 (a0 = 1 is implied). They glide (glide.hpp), all five at the
  // same rate: a step moves the set along the straight line towards the new one, and
  // the stable region of (a1, a2), a triangle, is convex, so every step of a glide
  // between two stable sections is stable.
  void set_coefficients(const int64_t (&c)[5]) {
    for (int i = 0; i < 5; ++i) c_[i].set_target(c[i]);
  }
  void reset() {
    x1_ = x2_ = y1_ = y2_ = 0;
    error_ = 0;
    for (auto& c : c_) c.snap();
  }
  void settle() {
    for (auto& c : c_) c.snap();
  }
  // After a frame: returns whether a coefficient moved.
  bool step() {
    bool moved = false;
    for (auto& c : c_) moved |= c.step();
    return moved;
  }

  int32_t process(int32_t x) {
    using i128 = fx::int128;
    // Products are Q10.59 (37 x 32 bits); five of them and the fed-back error fit 73 bits.
    i128 acc = static_cast<i128>(c_[0].value()) * x + static_cast<i128>(c_[1].value()) * x1_ +
               static_cast<i128>(c_[2].value()) * x2_ - static_cast<i128>(c_[3].value()) * y1_ -
               static_cast<i128>(c_[4].value()) * y2_;
    // First-order error feedback: the fraction dropped last sample is added back,
    // so the rounding error is shaped by (1 - z^-1) and vanishes at DC, where the
    // poles of a low-frequency section would otherwise amplify it.
    acc += error_;
    const i128 y_full = acc >> fx::kCoefFrac;  // floor
    error_ = static_cast<uint32_t>(acc - (y_full << fx::kCoefFrac));
    const int32_t y = fx::saturate32(y_full > INT64_MAX ? INT64_MAX
                                     : y_full < INT64_MIN ? INT64_MIN
                                                          : static_cast<int64_t>(y_full));
    x2_ = x1_;
    x1_ = x;
    y2_ = y1_;
    y1_ = y;
    return y;
  }

 private:
  Glide<int64_t> c_[5] = {Glide<int64_t>{int64_t{1} << fx::kCoefFrac}, Glide<int64_t>{0}, Glide<int64_t>{0},
                          Glide<int64_t>{0}, Glide<int64_t>{0}};
  int32_t x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
  uint32_t error_ = 0;  // the 32 fraction bits below the output LSB
};

}  // namespace lathe::model
