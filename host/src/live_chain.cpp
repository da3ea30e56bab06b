// SPDX-License-Identifier: MIT
#include "lathe/live_chain.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe {

LiveChain::LiveChain(int sample_rate, const reg::RegisterImage& regs)
    : fade_frames_(std::max(1, static_cast<int>(std::lround(kFadeMs * sample_rate / 1000.0)))),
      fade_pos_(fade_frames_),
      fade_weight_(static_cast<std::size_t>(fade_frames_)),
      current_(std::make_unique<model::Chain>()),
      next_(std::make_unique<model::Chain>()),
      dry_frames_(static_cast<std::size_t>(reg::kMaxLookahead + reg::kChainExtraDelay + 1)),
      front_(kChunkFrames) {
  // Raised cosine, strictly between 0 and 1: the first faded frame already moves a
  // little, the last is not yet all new (the frame after the fade is).
  for (int k = 0; k < fade_frames_; ++k) {
    fade_weight_[static_cast<std::size_t>(k)] =
        static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * (k + 1) / (fade_frames_ + 1)));
  }
  dry_.assign(2 * dry_frames_, 0);
  reset(regs);
}

void LiveChain::reset(const reg::RegisterImage& regs) {
  current_->configure(regs);
  current_->reset();
  fade_pos_ = fade_frames_;
  has_pending_ = false;
  std::fill(dry_.begin(), dry_.end(), 0);
  dry_pos_ = 0;
}

void LiveChain::configure(const reg::RegisterImage& regs) {
  if (fading()) {
    pending_ = regs;
    has_pending_ = true;
    return;
  }
  start_fade(regs);
}

void LiveChain::start_fade(const reg::RegisterImage& regs) {
  const reg::RegisterImage& was = current_->registers();
  if (regs == was) return;
  *next_ = *current_;  // the same state: the change lands at this frame
  next_->configure(regs);
  if (regs[reg::kLimLookahead] != was[reg::kLimLookahead]) {
    next_->reset_back();
  } else if (regs[reg::kDitherSeed] != was[reg::kDitherSeed]) {
    next_->reset_dither();
  }
  fade_pos_ = 0;
}

void LiveChain::clear_meters() {
  current_->clear_meters();
  next_->clear_meters();
}

void LiveChain::frame(model::Chain& chain, const int32_t* in, int32_t& left, int32_t& right) {
  const std::size_t rd = (dry_pos_ + dry_frames_ - static_cast<std::size_t>(chain.latency())) % dry_frames_;
  chain.back(chain.front(in[0], in[1]), dry_[2 * rd], dry_[2 * rd + 1], left, right);
}

void LiveChain::process_steady(const int32_t* in, float* out_left, float* out_right, std::size_t frames) {
  model::Chain& chain = *current_;
  const double scale = 1.0 / static_cast<double>(1 << (chain.out_bits() - 1));
  const std::size_t latency = static_cast<std::size_t>(chain.latency());
  for (std::size_t first = 0; first < frames; first += kChunkFrames) {
    const std::size_t n = std::min(kChunkFrames, frames - first);
    chain.front_block(in + 2 * first, n, front_.data());
    for (std::size_t i = 0; i < n; ++i) {
      const int32_t* x = in + 2 * (first + i);
      dry_[2 * dry_pos_] = x[0];
      dry_[2 * dry_pos_ + 1] = x[1];
      // Bypass passes the input delayed by the latency, in line with the processed output.
      const std::size_t rd = (dry_pos_ + dry_frames_ - latency) % dry_frames_;
      int32_t l, r;
      chain.back(front_[i], dry_[2 * rd], dry_[2 * rd + 1], l, r);
      dry_pos_ = (dry_pos_ + 1) % dry_frames_;
      // Written after the inputs are read: in-place buffers are fine.
      out_left[first + i] = static_cast<float>(l * scale);
      out_right[first + i] = static_cast<float>(r * scale);
    }
  }
}

void LiveChain::process(const int32_t* in, float* out_left, float* out_right, std::size_t frames) {
  std::size_t i = 0;
  for (; i < frames && fading(); ++i) {
    const int32_t* x = in + 2 * i;
    dry_[2 * dry_pos_] = x[0];
    dry_[2 * dry_pos_ + 1] = x[1];
    int32_t al, ar, bl, br;
    frame(*current_, x, al, ar);
    frame(*next_, x, bl, br);
    dry_pos_ = (dry_pos_ + 1) % dry_frames_;
    const double sa = 1.0 / static_cast<double>(1 << (current_->out_bits() - 1));
    const double sb = 1.0 / static_cast<double>(1 << (next_->out_bits() - 1));
    const double w = fade_weight_[static_cast<std::size_t>(fade_pos_)];
    out_left[i] = static_cast<float>((1.0 - w) * al * sa + w * bl * sb);
    out_right[i] = static_cast<float>((1.0 - w) * ar * sa + w * br * sb);
    if (++fade_pos_ == fade_frames_) {
      std::swap(current_, next_);
      if (has_pending_) {
        has_pending_ = false;
        start_fade(pending_);
      }
    }
  }
  if (i < frames) process_steady(in + 2 * i, out_left + i, out_right + i, frames - i);
}

}  // namespace lathe
