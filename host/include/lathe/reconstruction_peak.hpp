// SPDX-License-Identifier: MIT
// The peak of the signal a DAC reconstructs, as near as a meter can read it: 32x
// polyphase interpolation with a 641-tap Kaiser-windowed sinc (beta 12, cut-off at the
// original Nyquist), the filter scipy's resample_poly(x, 32, 1, window=("kaiser", 12))
// uses, in double precision. It reads what the BS.1770-4 4x meters (libebur128's, the
// standard's) miss on dense, clipped or near-Nyquist material: tenths of a dB.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lathe {

// The interpolator: 32 phases of 20 taps; phase p (0..31) interpolates x at m + p/32
// from x[m-9] .. x[m+10] (tap i applies to x[m+10-i]). Phase 0 is the sample itself.
// The limiter's detector uses these taps too, quantised (tables/tp_ref32.hex).
constexpr int kReconstructionFactor = 32;
constexpr int kReconstructionTaps = 20;
constexpr int kReconstructionHalfSpan = 10;  // input samples of the kernel on each side
const std::array<std::array<double, kReconstructionTaps>, kReconstructionFactor>& reconstruction_taps();
// For reports: "32x Kaiser-windowed sinc (641 taps, beta 12)".
std::string reconstruction_meter_name();

class ReconstructionPeakMeter {
 public:
  explicit ReconstructionPeakMeter(int channels);
  // Frames of the meter's channels as normalised doubles.
  void add(std::span<const double> frames);
  // Interleaved stereo integer frames of `bits` width; a mono meter takes the left channel.
  void add(std::span<const int32_t> stereo_frames, int bits);
  // The largest reconstructed magnitude so far, over channels (linear; 1.0 = full scale),
  // including the final samples (the meter is flushed with silence for the reading).
  double peak() const;
  double peak_dbtp() const;

 private:
  void run(std::vector<double>& history, std::size_t first_valid);

  int channels_;
  std::vector<std::vector<double>> history_;  // per channel: the last 19 samples, oldest first
  std::vector<float> xf_;                     // a block as floats, for the vector sums
  double peak_ = 0.0;
  std::size_t pushed_ = 0;  // frames added, up to the first 10
};

}  // namespace lathe
