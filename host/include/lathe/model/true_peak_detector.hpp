// SPDX-License-Identifier: MIT
// The limiter's true-peak detector: the reconstruction a DAC makes, at 32x, with the
// taps of the reports' reconstruction meter (lathe/reconstruction_peak.hpp: a 641-tap
// Kaiser-windowed sinc) quantised to 17 bits (tables/tp_ref32.hex). For each frame it
// gives the largest magnitude, over both channels, of the sample n-10 and the 31 points
// between it and sample n-9. Integer arithmetic: the RTL computes the same sums in any
// order and gets the same bits.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace lathe::model {

class TruePeakDetector {
 public:
  static constexpr int kPhases = 32;  // phase 0 is the sample itself
  static constexpr int kTaps = 20;    // x[n-19] .. x[n] for the interval from n-10 to n-9
  static constexpr int kCentre = 10;  // the interval starts at history[kCentre]
  static constexpr int kTapFrac = 16;

  void reset() { history_ = {}; }
  // One frame; returns the peak (Q5.27 magnitude, clamped to 32 bits) of the interval
  // that the frame completes.
  uint32_t push(int32_t left, int32_t right);
  // `frames` frames of interleaved stereo; peaks[i] is what push() would return for
  // frame i. The same bits, several times faster (the FIR bank runs across the block).
  void push_block(const int32_t* stereo, std::size_t frames, uint32_t* peaks);

 private:
  std::array<std::array<int32_t, kTaps>, 2> history_{};  // [ch][k], k = 0 newest
};

}  // namespace lathe::model
