// SPDX-License-Identifier: MIT
// The limiter's true-peak detector. For each frame, the largest magnitude over both
// channels of the sample n-12 and of three interpolations between it and sample n-11:
// - the reconstruction a DAC makes, at 32x: the taps of the reports' reconstruction
//   meter (lathe/reconstruction_peak.hpp, a 641-tap Kaiser-windowed sinc) quantised to
//   17 bits (tables/tp_ref32.hex), 31 phases of 20 taps on h[2..21];
// - the ITU-R BS.1770-4 Annex 2 phases (4 x 12 taps on h[6..17], tables/tp_fir.hex);
// - libebur128's Hann-windowed sinc (4x: 3 phases of 12 on h[6..17]; 2x from 96 kHz:
//   24 taps on h[0..23]), which reads above the ideal reconstruction on some material.
// So the output is under the ceiling by the ideal reconstruction and by both meters
// that delivery checks use. Integer sums: the RTL computes them in any order and gets
// the same bits.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace lathe::model {

class TruePeakDetector {
 public:
  static constexpr int kSpan = 24;    // history h[0..23], h[0] newest
  static constexpr int kCentre = 12;  // the interval from h[12] to h[11]
  static constexpr int kPhases = 32;  // of the reconstruction; phase 0 is the sample itself
  static constexpr int kTaps = 20;    // reconstruction taps, on h[2..21]
  static constexpr int kFirst = 2;    // h index of reconstruction tap 0

  void reset() { history_ = {}; }
  // One frame; returns the peak (Q5.27 magnitude, clamped to 32 bits) of the interval
  // that the frame completes. two_x: the Hann interpolator's 2x phase (fs >= 96 kHz).
  uint32_t push(int32_t left, int32_t right, bool two_x);
  // `frames` frames of interleaved stereo; peaks[i] is what push() would return for
  // frame i: the same bits, several times faster (the filter banks run across frames).
  void push_block(const int32_t* stereo, std::size_t frames, bool two_x, uint32_t* peaks);

 private:
  std::array<std::array<int32_t, kSpan>, 2> history_{};  // [ch][k], k = 0 newest
};

}  // namespace lathe::model
