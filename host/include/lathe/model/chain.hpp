// SPDX-License-Identifier: MIT
// The whole mastering chain, frame by frame: trim, EQ, compressor, true-peak limiter,
// dither. Integer registers and integer samples in, integer samples out: the reference
// that the RTL and the board must match bit for bit.
#pragma once
#include <cstddef>
#include <algorithm>
#include <array>
#include <cstdint>

#include "lathe/model/compressor.hpp"
#include "lathe/model/dither.hpp"
#include "lathe/model/equalizer.hpp"
#include "lathe/model/glide.hpp"
#include "lathe/model/meters.hpp"
#include "lathe/model/true_peak_guard.hpp"
#include "lathe/model/true_peak_limiter.hpp"
#include "lathe/registers.hpp"

namespace lathe::model {

// Output of the drive-independent front of the chain for one frame.
struct FrontFrame {
  int32_t left, right;  // after trim, EQ and compressor, Q5.27
  int32_t peak_level;   // limiter detector level, Q8.16 log2
};

class Chain {
 public:
  // Registers take effect at the next frame; lookahead and dither seed at reset(). The
  // gains, the compressor's curve, the ceilings and the EQ glide to their new values
  // (glide.hpp): reset() or settle() sets them at once.
  void configure(const reg::RegisterImage& r) {
    regs_ = r;
    trim_.set_target(static_cast<int32_t>(r[reg::kTrimGain]));
    bypass_ = (r[reg::kCtrl] & reg::kCtrlBypass) != 0;
    eq_.configure(r);
    comp_.configure(r);
    lim_.configure(r);
    guard_.configure(r);
    dither_.configure(r);
  }
  const reg::RegisterImage& registers() const { return regs_; }

  void reset() {
    reset_front();
    reset_back();
    clear_meters();
  }
  void reset_front() {
    trim_.snap();
    eq_.reset();
    comp_.reset();
  }
  // Every glide ends at once and all other state is kept: what a register switch
  // without glides would do (the reference a glide's click bound is measured against).
  void settle() {
    trim_.snap();
    eq_.settle();
    comp_.settle();
    lim_.settle();
    guard_.settle();
  }
  void reset_back() {
    lim_.reset();
    guard_.reset();
    dither_.reset();
    dry_.fill(0);
    dry_pos_ = 0;
    fade_ = bypass_ ? kFadeFull : 0;  // a job starts in its mode: no fade
  }
  // Restarts the dither's sequence from the configured seed (a new seed latches here).
  void reset_dither() { dither_.reset(); }

  // Frames of delay from input to output: the limiter's lookahead and detector span, and
  // the true-peak guard.
  int latency() const { return lim_.latency() + TruePeakGuard::kDelay; }
  int out_bits() const { return dither_.out_bits(); }

  FrontFrame front(int32_t in_left, int32_t in_right) {
    int32_t l, r;
    before_limiter(in_left, in_right, l, r);
    const int32_t level = lim_.detect(l, r);
    meters_.true_peak = std::max(meters_.true_peak, lim_.last_peak());
    return {l, r, level};
  }

  // front() over a block of interleaved stereo frames: the same FrontFrames, with the
  // detector's filter bank run across the block (it has no feedback, so it may).
  void front_block(const int32_t* in, std::size_t frames, FrontFrame* out) {
    for (std::size_t first = 0; first < frames; first += kBlock) {
      const std::size_t n = std::min(kBlock, frames - first);
      for (std::size_t i = 0; i < n; ++i) {
        before_limiter(in[2 * (first + i)], in[2 * (first + i) + 1], block_[2 * i], block_[2 * i + 1]);
      }
      lim_.detect_block(block_.data(), n, peaks_.data());
      for (std::size_t i = 0; i < n; ++i) {
        meters_.true_peak = std::max(meters_.true_peak, peaks_[i]);
        out[first + i] = {block_[2 * i], block_[2 * i + 1], fx::log2_q16(peaks_[i])};
      }
    }
  }

  void back(const FrontFrame& f, int32_t in_left, int32_t in_right, int32_t& out_left,
            int32_t& out_right) {
    int32_t l, r;
    limit(f, l, r);
    finish(l, r, in_left, in_right, out_left, out_right);
  }

  // back() in its two halves, for the mastering job: the loudness search runs only the
  // limiter, whose drive it searches, and the guard and dither run once, on the chosen
  // pass (master.cpp). limit() then finish() on the same frames is back().
  void limit(const FrontFrame& f, int32_t& l, int32_t& r) {
    l = f.left;
    r = f.right;
    lim_.apply(l, r, f.peak_level);
    meters_.lim_gr_max = std::max(meters_.lim_gr_max, lim_.gain_reduction());
  }
  void finish(int32_t l, int32_t r, int32_t in_left, int32_t in_right, int32_t& out_left, int32_t& out_right) {
    guard_.process(l, r);
    // Bypass fades (lathe_core does the same): the frame's weight is the smoothstep
    // W(k) = 3 k^2 N - 2 k^3 of N^3 (N = 2^shift frames; W(N) = N^3 exactly) and the output
    // wet + ((dry - wet) W) >> 3 shift (floor); then k steps once towards N (bypass) or 0.
    // The weight's slope is at most 1.5 / N a frame and starts and ends at 0, so a switch
    // moves a sample by at most 1.5 |dry - wet| / N on top of the signals' own motion,
    // with no kink; at either end the output is the wet or the dry signal exactly.
    if (fade_ > 0) {
      const int64_t k = fade_;
      const int64_t w = 3 * k * k * kFadeFull - 2 * k * k * k;
      const int64_t dl = int64_t{in_left} * (1 << fx::kEdgeToInternalShift);
      const int64_t dr = int64_t{in_right} * (1 << fx::kEdgeToInternalShift);
      l = static_cast<int32_t>(l + (((dl - l) * w) >> (3 * reg::kBypassFadeShift)));
      r = static_cast<int32_t>(r + (((dr - r) * w) >> (3 * reg::kBypassFadeShift)));
    }
    if (bypass_ ? fade_ < kFadeFull : fade_ > 0) fade_ += bypass_ ? 1 : -1;
    out_left = dither_.process(l);
    out_right = dither_.process(r);
    meter_output(out_left, out_right);
  }

  // Interleaved stereo, 24-bit input samples; output samples are out_bits() wide. Bypass
  // gives the input delayed by latency() frames (zeros before the reset), in line with the
  // processed output, as the RTL's lathe_dry_delay does.
  void process(const int32_t* in, int32_t* out, std::size_t frames) {
    std::array<FrontFrame, kBlock> front;
    const std::size_t delay = static_cast<std::size_t>(latency());
    for (std::size_t first = 0; first < frames; first += kBlock) {
      const std::size_t n = std::min(kBlock, frames - first);
      front_block(in + 2 * first, n, front.data());
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t f = first + i;
        dry_[2 * dry_pos_] = in[2 * f];
        dry_[2 * dry_pos_ + 1] = in[2 * f + 1];
        const std::size_t rd = (dry_pos_ + kDryFrames - delay) % kDryFrames;
        back(front[i], dry_[2 * rd], dry_[2 * rd + 1], out[2 * f], out[2 * f + 1]);
        dry_pos_ = (dry_pos_ + 1) % kDryFrames;
      }
    }
  }

  const Meters& meters() const { return meters_; }
  void clear_meters() { meters_ = Meters{}; }

  Compressor& compressor() { return comp_; }
  TruePeakLimiter& limiter() { return lim_; }
  TruePeakGuard& guard() { return guard_; }

 private:
  // Input meter, trim, EQ and compressor: the stages before the limiter's detector.
  void before_limiter(int32_t in_left, int32_t in_right, int32_t& l, int32_t& r) {
    meter_input(in_left, in_right);
    l = fx::apply_gain(in_left * (1 << fx::kEdgeToInternalShift), trim_.value());
    r = fx::apply_gain(in_right * (1 << fx::kEdgeToInternalShift), trim_.value());
    trim_.step();
    eq_.process(l, r);
    comp_.process(l, r);
    meters_.comp_gr_max = std::max(meters_.comp_gr_max, comp_.gain_reduction());
  }

  void meter_input(int32_t l, int32_t r) {
    meters_.in_peak[0] = std::max(meters_.in_peak[0], fx::magnitude(l));
    meters_.in_peak[1] = std::max(meters_.in_peak[1], fx::magnitude(r));
  }
  void meter_output(int32_t l, int32_t r) {
    const int up = 24 - dither_.out_bits();
    const int32_t s[2] = {l * (1 << up), r * (1 << up)};
    for (int ch = 0; ch < 2; ++ch) {
      meters_.out_peak[ch] = std::max(meters_.out_peak[ch], fx::magnitude(s[ch]));
      const int64_t q = s[ch] >> 4;
      const uint64_t sq = static_cast<uint64_t>(q * q);
      meters_.out_sum_sq[ch] = meters_.out_sum_sq[ch] > UINT64_MAX - sq ? UINT64_MAX : meters_.out_sum_sq[ch] + sq;
    }
    if (meters_.frames != UINT32_MAX) ++meters_.frames;
  }

  static constexpr std::size_t kBlock = 256;
  // process()'s dry input for bypass: the last kDryFrames input frames, a ring.
  static constexpr std::size_t kDryFrames = 2048;
  static_assert(kDryFrames > reg::kMaxLookahead + reg::kChainExtraDelay, "the ring holds the longest latency");
  std::array<int32_t, 2 * kDryFrames> dry_{};
  std::size_t dry_pos_ = 0;
  std::array<int32_t, 2 * kBlock> block_{};
  std::array<uint32_t, kBlock> peaks_{};
  reg::RegisterImage regs_{};
  Glide<int32_t> trim_{1 << fx::kGainFrac};
  bool bypass_ = false;
  static constexpr int kFadeFull = 1 << reg::kBypassFadeShift;
  int fade_ = 0;  // 0: the chain's output, kFadeFull: the dry input
  Equalizer eq_;
  Compressor comp_;
  TruePeakLimiter lim_;
  TruePeakGuard guard_;
  Dither dither_;
  Meters meters_;
};

}  // namespace lathe::model
