// SPDX-License-Identifier: MIT
// Two channels of kEqBands cascaded biquads, on L/R or on mid/side.
#pragma once
#include <array>
#include <cstdint>

#include "lathe/model/biquad.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

class Equalizer {
 public:
  void configure(const reg::RegisterImage& r) {
    mid_side_ = (r[reg::kCtrl] & reg::kCtrlMidSide) != 0;
    for (int ch = 0; ch < reg::kEqChannels; ++ch)
      for (int b = 0; b < reg::kEqBands; ++b) {
        int64_t c[5];
        for (int k = 0; k < 5; ++k) c[k] = r.eq_coef(ch, b, k);
        bands_[ch][b].set_coefficients(c);
      }
    gliding_ = true;
  }
  void reset() {
    for (auto& ch : bands_)
      for (auto& b : ch) b.reset();
    gliding_ = false;
  }
  // The coefficients' glides end at once, the filters' state kept: an instant change.
  void settle() {
    for (auto& ch : bands_)
      for (auto& b : ch) b.settle();
    gliding_ = false;
  }

  void process(int32_t& left, int32_t& right) {
    int32_t a = left, b = right;
    if (mid_side_) {
      // M = (L+R)/2, S = (L-R)/2, floored; the halving keeps M and S in range.
      a = static_cast<int32_t>((static_cast<int64_t>(left) + right) >> 1);
      b = static_cast<int32_t>((static_cast<int64_t>(left) - right) >> 1);
    }
    for (auto& band : bands_[0]) a = band.process(a);
    for (auto& band : bands_[1]) b = band.process(b);
    if (mid_side_) {
      left = fx::saturate32(static_cast<int64_t>(a) + b);
      right = fx::saturate32(static_cast<int64_t>(a) - b);
    } else {
      left = a;
      right = b;
    }
    if (gliding_) {
      bool moved = false;
      for (auto& ch : bands_)
        for (auto& band : ch) moved |= band.step();
      gliding_ = moved;
    }
  }

 private:
  bool mid_side_ = false;
  bool gliding_ = false;  // a coefficient may still be on its way to its target
  std::array<std::array<Biquad, reg::kEqBands>, reg::kEqChannels> bands_{};
};

}  // namespace lathe::model
