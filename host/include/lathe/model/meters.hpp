// SPDX-License-Identifier: MIT
// What the meters hold since their last clear: the model's, the RTL's and the board's
// meter registers all read back into this (lathe/readback.hpp).
#pragma once
#include <cstdint>

namespace lathe::model {

// Meter values since the last clear, in chain units (see docs/fixed-point.md).
struct Meters {
  uint32_t in_peak[2] = {0, 0};     // max |input|, 24-bit units
  uint32_t out_peak[2] = {0, 0};    // max |output|, 24-bit units (16-bit output << 8)
  uint32_t true_peak = 0;           // max limiter detector peak before drive, Q5.27
  int32_t comp_gr_max = 0;          // max compressor gain reduction, Q8.16 log2
  int32_t lim_gr_max = 0;           // max limiter gain reduction, Q8.16 log2
  uint64_t out_sum_sq[2] = {0, 0};  // sum of (output24 >> 4)^2, saturating
  uint32_t frames = 0;              // frames since clear, saturating
};

}  // namespace lathe::model
