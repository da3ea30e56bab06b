// SPDX-License-Identifier: MIT
// Log/exp primitives over the generated tables.
#include "lathe/fixed_point.hpp"

#include <bit>

namespace lathe::fx {
namespace {
// Generated at configure time from tables/*.hex (see host/CMakeLists.txt).
constexpr uint16_t kLog2Table[kTableSize] = {
#include "log2_frac.inc"
};
constexpr uint32_t kExp2Table[kTableSize] = {
#include "exp2_frac.inc"
};
constexpr int16_t kTruePeakTaps[48] = {
#include "tp_fir.inc"
};
constexpr int16_t kHann4Taps[36] = {
#include "tp_hann4.inc"
};
constexpr int16_t kHann2Taps[24] = {
#include "tp_hann2.inc"
};
constexpr int32_t kReconstructionTaps[32 * 20] = {
#include "tp_ref32.inc"
};
}  // namespace

const uint16_t* log2_table() { return kLog2Table; }
const uint32_t* exp2_table() { return kExp2Table; }
const int16_t* true_peak_taps() { return kTruePeakTaps; }
const int16_t* hann4_taps() { return kHann4Taps; }
const int16_t* hann2_taps() { return kHann2Taps; }
const int32_t* reconstruction_taps_q16() { return kReconstructionTaps; }

int32_t log2_q16(uint32_t m) {
  if (m == 0) return kLogFloor;
  const int msb = 31 - std::countl_zero(m);
  const uint32_t index = msb >= kTableBits ? (m >> (msb - kTableBits)) & (kTableSize - 1)
                                           : (m << (kTableBits - msb)) & (kTableSize - 1);
  return ((msb - kSampleFrac) * kLogOne) + kLog2Table[index];
}

int32_t exp2_gain_q27(int32_t v) {
  const int32_t integer = v >> kLogFrac;  // floor
  const uint32_t index = (static_cast<uint32_t>(v) >> (kLogFrac - kTableBits)) & (kTableSize - 1);
  const uint32_t mantissa = kExp2Table[index];  // Q1.23 in [1, 2)
  const int shift = integer + (kGainFrac - kExpTableFrac);
  if (shift >= 31 - kExpTableFrac) return INT32_MAX;  // 2^v >= 16
  if (shift >= 0) return static_cast<int32_t>(mantissa << shift);
  if (shift <= -24) return 0;
  return static_cast<int32_t>(mantissa >> -shift);
}

}  // namespace lathe::fx
