// SPDX-License-Identifier: MIT
// Stereo-linked true-peak limiter with lookahead. Required gain from a BS.1770-4 4x
// detector (and a Hann-windowed-sinc interpolator), held (sliding minimum) over the lookahead plus the detector span, released
// exponentially, then averaged over the lookahead so the gain ramps down linearly (in dB)
// and reaches the required value before the peak leaves the delay line. Every stage
// only ever lowers the gain below what the peak needs, so nothing overshoots.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "lathe/fixed_point.hpp"
#include "lathe/model/compressor.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

class TruePeakDetector {
 public:
  void reset() { history_ = {}; }
  // Pushes one frame; returns the largest magnitude (Q5.27), over both channels, of the
  // sample n-12, the BS.1770-4 4x interpolation and the Hann-windowed-sinc interpolation
  // (4x, or 2x when two_x), all between samples n-12 and n-11.
  uint32_t push(int32_t left, int32_t right, bool two_x) {
    const int16_t* bs1770 = fx::true_peak_taps();
    const int16_t* hann4 = fx::hann4_taps();
    const int16_t* hann2 = fx::hann2_taps();
    constexpr int kMiddle = 6;  // the 12-tap phases sit in the middle of the 24 samples
    uint64_t peak = 0;
    for (int ch = 0; ch < 2; ++ch) {
      auto& h = history_[ch];
      for (int k = reg::kTruePeakSpan - 1; k > 0; --k) h[k] = h[k - 1];
      h[0] = ch == 0 ? left : right;
      peak = std::max<uint64_t>(peak, fx::magnitude(h[12]));
      for (int p = 0; p < 4; ++p) {
        int64_t acc = 0;  // Q5.40: 12 products of 16 x 32 bits
        for (int k = 0; k < 12; ++k) acc += int64_t{bs1770[12 * p + k]} * h[kMiddle + k];
        peak = std::max(peak, magnitude64(acc) >> 13);
      }
      if (two_x) {
        int64_t acc = 0;  // Q5.41: 24 products of 16 x 32 bits
        for (int k = 0; k < 24; ++k) acc += int64_t{hann2[k]} * h[k];
        peak = std::max(peak, magnitude64(acc) >> 14);
      } else {
        for (int p = 0; p < 3; ++p) {
          int64_t acc = 0;  // Q5.41
          for (int k = 0; k < 12; ++k) acc += int64_t{hann4[12 * p + k]} * h[kMiddle + k];
          peak = std::max(peak, magnitude64(acc) >> 14);
        }
      }
    }
    return static_cast<uint32_t>(std::min<uint64_t>(peak, UINT32_MAX));
  }

 private:
  static uint64_t magnitude64(int64_t v) { return v < 0 ? static_cast<uint64_t>(-v) : static_cast<uint64_t>(v); }
  std::array<std::array<int32_t, reg::kTruePeakSpan>, 2> history_{};
};

class TruePeakLimiter {
 public:
  static constexpr int kHoldRing = reg::kMaxHoldBlocks;  // block minima kept
  static constexpr int kDelaySize = 2048;

  void configure(const reg::RegisterImage& r) {
    drive_ = static_cast<int32_t>(r[reg::kLimDrive]);
    ceiling_ = static_cast<int32_t>(r[reg::kLimCeiling]);
    release_ = r[reg::kLimRelease];
    two_x_ = (r[reg::kCtrl] & reg::kCtrlTp2x) != 0;
    pending_lookahead_ = std::clamp<uint32_t>(r[reg::kLimLookahead], 1, reg::kMaxLookahead);
    pending_recip_ = r[reg::kLimRecip];
    pending_hold_blocks_ = std::clamp<uint32_t>(r[reg::kLimHoldBlocks], 1, kHoldRing);
  }

  // The lookahead and the values derived from it change the delay line, so they take
  // effect at reset only.
  void reset() {
    lookahead_ = pending_lookahead_;
    recip_ = pending_recip_;
    hold_blocks_ = pending_hold_blocks_;
    detector_.reset();
    block_min_ = 0;
    block_pos_ = 0;
    ring_ = {};
    ring_wr_ = 0;
    ring_min_ = 0;
    release_state_ = 0;
    ramp_ = {};
    ramp_sum_ = 0;
    ramp_wr_ = 0;
    delay_ = {};
    delay_wr_ = 0;
    gain_ = 0;
  }

  int latency() const { return static_cast<int>(lookahead_) + reg::kLimiterExtraDelay; }

  // Drive-independent half: the detector's peak level, log2 Q8.16.
  int32_t detect(int32_t left, int32_t right) {
    last_peak_ = detector_.push(left, right, two_x_);
    return fx::log2_q16(last_peak_);
  }

  // Drive-dependent half: gain computation and the delayed, gained audio.
  void apply(int32_t& left, int32_t& right, int32_t peak_level) {
    const int32_t required = std::min<int64_t>(0, int64_t{ceiling_} - drive_ - peak_level);

    // Sliding minimum over at least lookahead + span - 1 samples: the running minimum of the
    // current block and of the last hold_blocks complete blocks.
    block_min_ = std::min(block_min_, required);
    const int32_t held = std::min(block_min_, ring_min_);
    if (++block_pos_ == reg::kHoldBlock) {
      ring_[ring_wr_] = block_min_;
      ring_wr_ = (ring_wr_ + 1) % kHoldRing;
      block_pos_ = 0;
      block_min_ = 0;
      ring_min_ = 0;
      for (uint32_t i = 1; i <= hold_blocks_; ++i)
        ring_min_ = std::min(ring_min_, ring_[(ring_wr_ + kHoldRing - i) % kHoldRing]);
    }

    // Instant attack, exponential release (Q8.32); never above the held requirement.
    const int64_t target = static_cast<int64_t>(held) << (fx::kSmoothFrac - fx::kLogFrac);
    release_state_ = target < release_state_ ? target : smooth_step(release_state_, target, release_);
    const int32_t released = static_cast<int32_t>(release_state_ >> (fx::kSmoothFrac - fx::kLogFrac));

    // Ramp: average of the last L released values, rounded toward more reduction.
    const uint32_t old_index = (ramp_wr_ + reg::kMaxLookahead - lookahead_) % reg::kMaxLookahead;
    ramp_sum_ += int64_t{released} - ramp_[old_index];
    ramp_[ramp_wr_] = released;
    ramp_wr_ = (ramp_wr_ + 1) % reg::kMaxLookahead;
    gain_ = static_cast<int32_t>((ramp_sum_ * recip_) >> 31);

    // Audio delay of L + span - 2 samples, then the gain.
    delay_[0][delay_wr_] = left;
    delay_[1][delay_wr_] = right;
    const uint32_t rd = (delay_wr_ + kDelaySize - latency()) % kDelaySize;
    delay_wr_ = (delay_wr_ + 1) % kDelaySize;
    const int32_t gain = fx::exp2_gain_q27(drive_ + gain_);
    left = fx::apply_gain(delay_[0][rd], gain);
    right = fx::apply_gain(delay_[1][rd], gain);
  }

  uint32_t last_peak() const { return last_peak_; }
  // Current limiter gain reduction (>= 0), Q8.16 log2 units.
  int32_t gain_reduction() const { return -gain_; }

 private:
  int32_t drive_ = 0, ceiling_ = 0;
  uint32_t release_ = 0xffffffffu;
  bool two_x_ = false;
  uint32_t pending_lookahead_ = 1, pending_recip_ = 1u << 31, pending_hold_blocks_ = 1;
  uint32_t lookahead_ = 1, recip_ = 1u << 31, hold_blocks_ = 1;

  TruePeakDetector detector_;
  uint32_t last_peak_ = 0;
  int32_t block_min_ = 0, ring_min_ = 0;
  uint32_t block_pos_ = 0, ring_wr_ = 0;
  std::array<int32_t, kHoldRing> ring_{};
  int64_t release_state_ = 0;
  std::array<int32_t, reg::kMaxLookahead> ramp_{};
  int64_t ramp_sum_ = 0;
  uint32_t ramp_wr_ = 0;
  std::array<std::array<int32_t, kDelaySize>, 2> delay_{};
  uint32_t delay_wr_ = 0;
  int32_t gain_ = 0;
};

}  // namespace lathe::model
