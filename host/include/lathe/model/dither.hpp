// SPDX-License-Identifier: MIT
// TPDF dither from a seedable xorshift32 generator, then rounding to the output word.
#pragma once
#include <cstdint>

#include "lathe/fixed_point.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

class Xorshift32 {
 public:
  explicit Xorshift32(uint32_t seed = 1) { reseed(seed); }
  void reseed(uint32_t seed) { state_ = seed ? seed : 1; }  // 0 is a fixed point
  uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }

 private:
  uint32_t state_;
};

class Dither {
 public:
  void configure(const reg::RegisterImage& r) {
    enabled_ = (r[reg::kCtrl] & reg::kCtrlDither) != 0;
    out_bits_ = (r[reg::kCtrl] & reg::kCtrlOut16) ? 16 : 24;
    pending_seed_ = r[reg::kDitherSeed];
  }
  // The seed takes effect at reset, so that a job restarts the same sequence.
  void reset() { rng_.reseed(pending_seed_); }

  int out_bits() const { return out_bits_; }

  // Q5.27 in, integer of out_bits_ bits out. One generator step per call when enabled:
  // its low and high 16-bit halves are the two uniform variables of the TPDF.
  int32_t process(int32_t x) {
    const int drop = fx::kSampleFrac - (out_bits_ - 1);  // 4 or 12
    int64_t v = x;
    if (enabled_) {
      const uint32_t r = rng_.next();
      const uint32_t mask = (1u << drop) - 1;
      v += static_cast<int64_t>(r & mask) - static_cast<int64_t>((r >> 16) & mask);
    }
    v = (v + (int64_t{1} << (drop - 1))) >> drop;  // round half up
    const int64_t top = (int64_t{1} << (out_bits_ - 1)) - 1;
    return static_cast<int32_t>(v > top ? top : (v < -top - 1 ? -top - 1 : v));
  }

 private:
  bool enabled_ = false;
  int out_bits_ = 24;
  uint32_t pending_seed_ = 1;
  Xorshift32 rng_;
};

}  // namespace lathe::model
