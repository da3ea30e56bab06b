// SPDX-License-Identifier: MIT
// Stereo-linked true-peak limiter with lookahead. Required gain from a 32x reconstruction
// detector (true_peak_detector.hpp), held (sliding minimum) over the lookahead plus the
// detector span, released in two stages (fast back to the sustained reduction after a
// transient, slowly from there), then averaged over the lookahead so the gain ramps down
// linearly (in dB) and reaches the required value before the peak's samples leave the
// delay line. Every stage only ever lowers the gain below what the peak needs
// (docs/fixed-point.md derives what the output's reconstruction can still do).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "lathe/fixed_point.hpp"
#include "lathe/model/compressor.hpp"
#include "lathe/model/glide.hpp"
#include "lathe/model/true_peak_detector.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

class TruePeakLimiter {
 public:
  static constexpr int kHoldRing = reg::kMaxHoldBlocks;  // block minima kept
  static constexpr int kDelaySize = 2048;

  void configure(const reg::RegisterImage& r) {
    drive_.set_target(static_cast<int32_t>(r[reg::kLimDrive]));  // drive and ceiling glide
    ceiling_.set_target(static_cast<int32_t>(r[reg::kLimCeiling]));
    release_ = r[reg::kLimRelease];
    transient_release_ = r[reg::kLimTransientRelease];
    sustain_release_ = r[reg::kLimSustainRelease];
    sustain_hold_ = r[reg::kLimSustainHold];
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
    drive_.snap();
    ceiling_.snap();
    detector_.reset();
    block_min_ = 0;
    block_pos_ = 0;
    ring_ = {};
    ring_wr_ = 0;
    ring_min_ = 0;
    release_state_ = 0;
    sustain_ = 0;
    sustain_timer_ = 0;
    ramp_ = {};
    ramp_sum_ = 0;
    ramp_wr_ = 0;
    delay_ = {};
    delay_drive_ = {};
    delay_wr_ = 0;
    gain_ = 0;
  }

  // The glides end at once, the rest kept: an instant change.
  void settle() {
    drive_.snap();
    ceiling_.snap();
  }

  int latency() const { return static_cast<int>(lookahead_) + reg::kLimiterExtraDelay; }

  // Drive-independent half: the detector's peak level, log2 Q8.16.
  int32_t detect(int32_t left, int32_t right) {
    last_peak_ = detector_.push(left, right, two_x_);
    return fx::log2_q16(last_peak_);
  }
  // The same for a block of frames (interleaved stereo): peaks[i] and the levels.
  void detect_block(const int32_t* stereo, std::size_t frames, uint32_t* peaks) {
    detector_.push_block(stereo, frames, two_x_, peaks);
    if (frames > 0) last_peak_ = peaks[frames - 1];
  }

  // Drive-dependent half: gain computation and the delayed, gained audio.
  void apply(int32_t& left, int32_t& right, int32_t peak_level) {
    const int32_t drive = drive_.value();
    const int32_t required = std::min<int64_t>(0, int64_t{ceiling_.value()} - drive - peak_level);

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

    // The sustained reduction (Q8.32): at once to a deeper requirement, held there for
    // sustain_hold samples, then released quickly. A lone transient leaves it near 0; a
    // dense passage, whose peaks keep coming within the hold, keeps it down.
    const int64_t target = static_cast<int64_t>(held) << (fx::kSmoothFrac - fx::kLogFrac);
    if (target <= sustain_) {
      sustain_ = target;
      sustain_timer_ = sustain_hold_;
    } else if (sustain_timer_ > 0) {
      --sustain_timer_;
    } else {
      sustain_ = smooth_step(sustain_, target, sustain_release_);
    }
    // Instant attack; release toward the requirement at the release rate, and, while
    // deeper than the sustained reduction, at least as fast as the transient release
    // back up to it. Every step stays at or below the held requirement.
    if (target < release_state_) {
      release_state_ = target;
    } else {
      int64_t next = smooth_step(release_state_, target, release_);
      if (release_state_ < sustain_) next = std::max(next, smooth_step(release_state_, sustain_, transient_release_));
      release_state_ = next;
    }
    const int32_t released = static_cast<int32_t>(release_state_ >> (fx::kSmoothFrac - fx::kLogFrac));

    // Ramp: average of the last L released values, rounded toward more reduction.
    const uint32_t old_index = (ramp_wr_ + reg::kMaxLookahead - lookahead_) % reg::kMaxLookahead;
    ramp_sum_ += int64_t{released} - ramp_[old_index];
    ramp_[ramp_wr_] = released;
    ramp_wr_ = (ramp_wr_ + 1) % reg::kMaxLookahead;
    gain_ = static_cast<int32_t>((ramp_sum_ * recip_) >> 31);

    // Audio delay of L + span - 2 samples, then the gain. The drive goes through the delay
    // with its sample: the sample's requirement above was computed with it, so while the
    // drive glides each sample still gets the drive its gain was planned for.
    delay_[0][delay_wr_] = left;
    delay_[1][delay_wr_] = right;
    delay_drive_[delay_wr_] = drive;
    const uint32_t rd = (delay_wr_ + kDelaySize - latency()) % kDelaySize;
    delay_wr_ = (delay_wr_ + 1) % kDelaySize;
    const int32_t gain = fx::exp2_gain_q27(delay_drive_[rd] + gain_);
    left = fx::apply_gain(delay_[0][rd], gain);
    right = fx::apply_gain(delay_[1][rd], gain);
    drive_.step();
    ceiling_.step();
  }

  uint32_t last_peak() const { return last_peak_; }
  // Current limiter gain reduction (>= 0), Q8.16 log2 units.
  int32_t gain_reduction() const { return -gain_; }

 private:
  Glide<int32_t> drive_, ceiling_;
  uint32_t release_ = 0xffffffffu, transient_release_ = 0xffffffffu, sustain_release_ = 0xffffffffu;
  uint32_t sustain_hold_ = 0;
  bool two_x_ = false;
  uint32_t pending_lookahead_ = 1, pending_recip_ = 1u << 31, pending_hold_blocks_ = 1;
  uint32_t lookahead_ = 1, recip_ = 1u << 31, hold_blocks_ = 1;

  TruePeakDetector detector_;
  uint32_t last_peak_ = 0;
  int32_t block_min_ = 0, ring_min_ = 0;
  uint32_t block_pos_ = 0, ring_wr_ = 0;
  std::array<int32_t, kHoldRing> ring_{};
  int64_t release_state_ = 0;
  int64_t sustain_ = 0;
  uint32_t sustain_timer_ = 0;
  std::array<int32_t, reg::kMaxLookahead> ramp_{};
  int64_t ramp_sum_ = 0;
  uint32_t ramp_wr_ = 0;
  std::array<std::array<int32_t, kDelaySize>, 2> delay_{};
  std::array<int32_t, kDelaySize> delay_drive_{};
  uint32_t delay_wr_ = 0;
  int32_t gain_ = 0;
};

}  // namespace lathe::model
