// SPDX-License-Identifier: MIT
// The register map of the mastering chain: what the host writes, what the model and the
// RTL read. Addresses, bits and the structure constants (bands, lookahead, hold, detector
// span) come from regmap/lathe.regs (generated); this header adds the register image.
// Formats: docs/fixed-point.md.
#pragma once
#include <array>
#include <cstdint>

#include "lathe/registers_map.hpp"  // generated from regmap/lathe.regs

namespace lathe::reg {

// A complete set of register values: what a device receives and commits at once.
struct RegisterImage {
  std::array<uint32_t, kRegCount> words{};

  uint32_t& operator[](Addr a) { return words[a]; }
  uint32_t operator[](Addr a) const { return words[a]; }

  // Biquad coefficients are 37 bits wide: two words, low 32 bits then sign-extended high.
  static constexpr int eq_word(int ch, int band, int k) {
    return kEqBase + kEqCoefWords * ((ch * kEqBands + band) * kEqCoefs + k);
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
