// SPDX-License-Identifier: MIT
// The chain for live use (the LV2 plug-in, the JACK client): the bit-exact model with
// bypass lined up with the processed output, and setting changes without clicks.
//
// A change takes effect at the block boundary where it is made, in a copy of the chain:
// the copy carries on from the same state with the new registers, exactly as the model
// would after a register write at that frame. For fade_frames() the output crossfades
// (raised cosine) from the old chain to the new one, and from then on it is the new
// chain's output, bit for bit. Both chains run during the fade, so the crossfade moves
// the output by at most (pi / 2N) |new - old| per sample on top of the signal's own
// motion, N = fade_frames(): no sample jumps, whatever the change (docs/daw.md measures
// it for the largest legal steps). A change made during a fade starts when it ends.
//
// Real time: the constructor allocates everything; configure(), reset() and process()
// allocate nothing, take no lock and make no system call.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lathe/model/chain.hpp"
#include "lathe/registers.hpp"

namespace lathe {

class LiveChain {
 public:
  static constexpr double kFadeMs = 20.0;

  // `regs` from to_registers(params, sample_rate); starts reset, with no fade.
  LiveChain(int sample_rate, const reg::RegisterImage& regs);

  // New settings from this frame on (crossfaded; see above). The lookahead latches only
  // at a reset of the limiter: when it changes, the new chain's limiter and dither
  // start empty (a dip of latency() frames under the fade, and the latency moves); a new
  // dither seed restarts the dither.
  void configure(const reg::RegisterImage& regs);
  // Clears all state and applies `regs` at once, without a fade (a transport restart).
  void reset(const reg::RegisterImage& regs);

  // Interleaved stereo frames of 24-bit samples in; outputs in units of full scale
  // (a 24-bit output v is exactly v / 2^23, a 16-bit one v / 2^15).
  void process(const int32_t* in, float* out_left, float* out_right, std::size_t frames);

  // Frames from input to output of the settings last configured.
  int latency() const { return target().latency(); }
  int fade_frames() const { return fade_frames_; }
  bool fading() const { return fade_pos_ < fade_frames_; }
  // The settings last configured (pending ones included).
  const reg::RegisterImage& registers() const { return has_pending_ ? pending_ : target().registers(); }

  // Meters of the chain the output is going to.
  const model::Meters& meters() const { return target().meters(); }
  void clear_meters();

 private:
  const model::Chain& target() const { return fading() ? *next_ : *current_; }
  void start_fade(const reg::RegisterImage& regs);
  // One frame of one chain, with its bypass fed from the dry delay at its latency.
  void frame(model::Chain& chain, const int32_t* in, int32_t& left, int32_t& right);
  void process_steady(const int32_t* in, float* out_left, float* out_right, std::size_t frames);

  static constexpr std::size_t kChunkFrames = 256;
  int fade_frames_;
  int fade_pos_;
  std::vector<float> fade_weight_;  // w(k), 0 < w < 1, rising
  std::unique_ptr<model::Chain> current_, next_;
  reg::RegisterImage pending_{};
  bool has_pending_ = false;
  std::vector<int32_t> dry_;  // the input, interleaved, as a ring of dry_frames_
  std::size_t dry_frames_, dry_pos_ = 0;
  std::vector<model::FrontFrame> front_;
};

}  // namespace lathe
