// SPDX-License-Identifier: MIT
// Number formats of the mastering chain and the integer primitives every stage uses.
// docs/fixed-point.md is the contract; the RTL implements exactly these operations.
#pragma once
#include <cstdint>

namespace lathe::fx {

// Wide products (biquad accumulator, smoothing steps) need more than 64 bits; the
// RTL sizes those datapaths explicitly (docs/fixed-point.md).
__extension__ using int128 = __int128;

// Audio inside the chain: signed 32-bit Q5.27 (full scale 1.0 = 2^27, +24 dB headroom,
// 4 fractional bits below the 24-bit LSB).
constexpr int kSampleFrac = 27;
// Audio at the edges: signed 24-bit Q0.23.
constexpr int kEdgeBits = 24;
constexpr int kEdgeToInternalShift = kSampleFrac - (kEdgeBits - 1);  // 4
// Linear gains: signed 32-bit Q5.27 (gains below 16, i.e. +24.08 dB).
constexpr int kGainFrac = 27;
// Biquad coefficients: signed 37-bit Q5.32 (range [-16, 16): b1 of a +18 dB shelf at a
// low corner reaches -2 A^2 = -15.9).
constexpr int kCoefFrac = 32;
constexpr int kCoefBits = 37;
// Levels and gains in the log domain: log2 units, signed Q8.16 (1 unit = 6.0206 dB).
constexpr int kLogFrac = 16;
constexpr int32_t kLogOne = 1 << kLogFrac;
// Level of digital silence in the log domain (-192.66 dBFS).
constexpr int32_t kLogFloor = -32 * kLogOne;
// Smoothed log-domain states (detectors, release): Q8.32 in 64 bits, so that the
// slowest time constant (2 s at 192 kHz) still moves the state by whole LSBs.
constexpr int kSmoothFrac = 32;
// Mantissa tables: 2^10 entries each.
constexpr int kTableBits = 10;
constexpr int kTableSize = 1 << kTableBits;
constexpr int kExpTableFrac = 23;

constexpr int32_t saturate32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : static_cast<int32_t>(v));
}

// Q5.27 sample times Q5.27 gain, rounded half up, saturated to 32 bits.
constexpr int32_t apply_gain(int32_t sample, int32_t gain_q27) {
  const int64_t product = static_cast<int64_t>(sample) * gain_q27;
  return saturate32((product + (int64_t{1} << (kGainFrac - 1))) >> kGainFrac);
}

// Magnitude of a sample as unsigned (|INT32_MIN| = 2^31 is representable).
constexpr uint32_t magnitude(int32_t x) {
  return x < 0 ? static_cast<uint32_t>(-(static_cast<int64_t>(x))) : static_cast<uint32_t>(x);
}

// log2 of a Q5.27 magnitude, in Q8.16: leading-one position gives the integer part,
// the 10 bits below it index the log2 mantissa table. Zero maps to kLogFloor.
int32_t log2_q16(uint32_t magnitude_q27);

// 2^v for v in Q8.16, as a Q5.27 linear gain: the fraction indexes the exp2 table,
// the integer part shifts. Results of 16 or more saturate to the largest gain.
int32_t exp2_gain_q27(int32_t v_q16);

// The generated tables (tables/*.hex), shared with the RTL.
const uint16_t* log2_table();   // kTableSize entries, Q0.16
const uint32_t* exp2_table();   // kTableSize entries, Q1.23
const int16_t* true_peak_taps();  // 48 entries, phase-major, tap * 8192
const int16_t* hann4_taps();  // 3 phases x 12 entries, tap * 16384
const int16_t* hann2_taps();  // 24 entries, tap * 16384
const int32_t* reconstruction_taps_q16();  // 32 phases x 20 taps, tap * 65536 (17 bits)

}  // namespace lathe::fx
