// SPDX-License-Identifier: MIT
// The register map of the mastering chain: what the host writes, what the model and the
// RTL read. Addresses and bits come from regmap/lathe.regs (generated); this header adds
// the structure constants and the register image. Formats: docs/fixed-point.md.
#pragma once
#include <array>
#include <cstdint>

#include "lathe/registers_map.hpp"  // generated from regmap/lathe.regs: addresses, bits

namespace lathe::reg {

constexpr int kEqBands = 8;      // bands per EQ channel
constexpr int kEqChannels = 2;   // L/R, or M/S in mid/side mode
constexpr int kEqCoefs = 5;      // b0 b1 b2 a1 a2
constexpr int kMaxLookahead = 1024;  // limiter lookahead, samples
constexpr int kHoldBlock = 32;       // limiter hold is a minimum over blocks of this many samples
// The true-peak detector spans 24 input samples (the 2x Hann interpolator; the BS.1770-4
// and 4x Hann phases use the middle 12). A detected peak constrains the gain of every
// sample in the span, so the limiter delays audio by the lookahead plus span - 2 and
// holds the requirement for lookahead + span - 1 samples (docs/fixed-point.md).
constexpr int kTruePeakSpan = 24;
constexpr int kLimiterExtraDelay = kTruePeakSpan - 2;  // D = lookahead + 22

// A complete set of register values: what a device receives and commits at once.
struct RegisterImage {
  std::array<uint32_t, kRegCount> words{};

  uint32_t& operator[](Addr a) { return words[a]; }
  uint32_t operator[](Addr a) const { return words[a]; }

  // Biquad coefficients are 37 bits wide: two words, low 32 bits then sign-extended high.
  static constexpr int eq_word(int ch, int band, int k) {
    return kEqBase + 2 * ((ch * kEqBands + band) * kEqCoefs + k);
  }
  int64_t eq_coef(int ch, int band, int k) const {
    const int w = eq_word(ch, band, k);
    return static_cast<int64_t>((static_cast<uint64_t>(words[w + 1]) << 32) | words[w]);
  }
  void set_eq_coef(int ch, int band, int k, int64_t value) {
    const int w = eq_word(ch, band, k);
    words[w] = static_cast<uint32_t>(value);
    words[w + 1] = static_cast<uint32_t>(static_cast<uint64_t>(value) >> 32);
  }
  bool operator==(const RegisterImage&) const = default;
};

}  // namespace lathe::reg
