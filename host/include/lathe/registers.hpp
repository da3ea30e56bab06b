// SPDX-License-Identifier: MIT
// The register map of the mastering chain: what the host writes, what the model and the
// RTL read. Every value is an integer in the format docs/fixed-point.md gives it.
#pragma once
#include <array>
#include <cstdint>

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

enum Addr : uint16_t {
  kCtrl = 0x00,            // CtrlBit flags
  kTrimGain = 0x01,        // Q5.27 linear
  kStatus = 0x02,          // read only: StatusBit flags, frames in flight in bits 15:8
  kCommand = 0x03,         // write only: CommandBit actions, carried out when no frame is in flight
  kCompThreshold = 0x08,   // Q8.16 log2 of full scale
  kCompKneeHalf = 0x09,    // half the knee width, Q8.16 log2 units
  kCompKneeCoef = 0x0a,    // slope / (2 * knee width), unsigned Q8.24
  kCompSlope = 0x0b,       // 1 - 1/ratio, unsigned Q1.16
  kCompAttack = 0x0c,      // 1 - exp(-1/(tau fs)), unsigned Q0.32
  kCompRelease = 0x0d,     // 1 - exp(-1/(tau fs)), unsigned Q0.32
  kCompMakeup = 0x0e,      // Q8.16 log2 gain
  kLimDrive = 0x10,        // Q8.16 log2 gain into the limiter
  kLimCeiling = 0x11,      // Q8.16 log2 of full scale (the host subtracts its margin)
  kLimLookahead = 0x12,    // L, samples, 1..kMaxLookahead
  kLimRecip = 0x13,        // ceil(2^31 / L), for the ramp average
  kLimHoldBlocks = 0x14,   // ceil((L + kLimiterExtraDelay) / kHoldBlock)
  kLimRelease = 0x15,      // 1 - exp(-1/(tau fs)), unsigned Q0.32
  kDitherSeed = 0x18,      // xorshift32 seed, nonzero
  // Meters (read only), see model::Meters; 64-bit sums as low word then high word.
  kMeterInPeakL = 0x20,
  kMeterInPeakR = 0x21,
  kMeterOutPeakL = 0x22,
  kMeterOutPeakR = 0x23,
  kMeterTruePeak = 0x24,
  kMeterCompGr = 0x25,
  kMeterLimGr = 0x26,
  kMeterFrames = 0x27,
  kMeterOutSumSqLLo = 0x28,
  kMeterOutSumSqLHi = 0x29,
  kMeterOutSumSqRLo = 0x2a,
  kMeterOutSumSqRHi = 0x2b,
  // Packet-layer counters (read only, saturating; docs/protocol.md), answered by lathe_top.
  kLinkDiscardedBytes = 0x30,
  kLinkBadHeaderCrc = 0x31,
  kLinkBadPayloadCrc = 0x32,
  kLinkOversize = 0x33,
  kLinkUnknownType = 0x34,
  kLinkMalformed = 0x35,
  kLinkAudioDropped = 0x36,
  kLinkRepliesDropped = 0x37,
  kEqBase = 0x40,          // coefficient (ch, band, k): word kEqBase + 2*((ch*8+band)*5+k), lo then hi
  kRegCount = kEqBase + 2 * kEqChannels * kEqBands * kEqCoefs,
};

enum CtrlBit : uint32_t {
  kCtrlMidSide = 1u << 0,    // EQ works on M = (L+R)/2, S = (L-R)/2
  kCtrlCompLink = 1u << 1,   // one compressor detector on max(|L|,|R|)
  kCtrlDither = 1u << 2,     // TPDF dither before word-length reduction
  kCtrlOut16 = 1u << 3,      // output word 16 bits (else 24)
  kCtrlBypass = 1u << 4,     // output = input, requantised (A/B)
  kCtrlTp2x = 1u << 5,       // true-peak detector's Hann interpolator: 2x (fs >= 96 kHz), else 4x
};

enum CommandBit : uint32_t {
  kCmdCommit = 1u << 0,       // written configuration becomes active at a frame boundary
  kCmdClear = 1u << 1,        // clear DSP state; latch the lookahead and the dither seed
  kCmdClearMeters = 1u << 2,  // start new meter windows
};

enum StatusBit : uint32_t {
  kStatusCommitPending = 1u << 0,
  kStatusClearPending = 1u << 1,
  kStatusConfigured = 1u << 2,  // a configuration has been committed: audio is accepted
  kStatusMetersPending = 1u << 3,
};

// The words a register image carries (configuration); the others are status, command
// and meters.
constexpr bool is_config_register(int addr) {
  return addr == kCtrl || addr == kTrimGain || (addr >= kCompThreshold && addr <= kCompMakeup) ||
         (addr >= kLimDrive && addr <= kLimRelease) || addr == kDitherSeed || (addr >= kEqBase && addr < kRegCount);
}

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
