// SPDX-License-Identifier: MIT
// Direct Form I biquad in Q5.27 with Q5.32 coefficients and first-order error feedback.
#pragma once
#include <cstdint>

#include "lathe/fixed_point.hpp"

namespace lathe::model {

class Biquad {
 public:
  // b0 b1 b2 a1 a2 in Q5.32 (a0 = 1 is implied).
  void set_coefficients(const int64_t (&c)[5]) {
    for (int i = 0; i < 5; ++i) c_[i] = c[i];
  }
  void reset() { x1_ = x2_ = y1_ = y2_ = 0; error_ = 0; }

  int32_t process(int32_t x) {
    using i128 = fx::int128;
    // Products are Q10.59 (37 x 32 bits); five of them and the fed-back error fit 73 bits.
    i128 acc = static_cast<i128>(c_[0]) * x + static_cast<i128>(c_[1]) * x1_ +
               static_cast<i128>(c_[2]) * x2_ - static_cast<i128>(c_[3]) * y1_ -
               static_cast<i128>(c_[4]) * y2_;
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
  int64_t c_[5] = {int64_t{1} << fx::kCoefFrac, 0, 0, 0, 0};
  int32_t x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
  uint32_t error_ = 0;  // the 32 fraction bits below the output LSB
};

}  // namespace lathe::model
