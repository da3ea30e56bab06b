// SPDX-License-Identifier: MIT
// An independent true-peak meter for judging ceilings: a long Kaiser-windowed sinc
// interpolator in double precision, 32 phases, designed here from first principles (no
// project table or interpolator), so it can judge the code under test.
//
// The default design is scipy's resample_poly(x, 32, 1, window=("kaiser", 12)):
// firwin(2 * 10 * 32 + 1, 1/32, window=("kaiser", 12)) scaled to a DC gain of 32, the
// output over t = 0 .. n - 1/32 in steps of 1/32 sample, zeros outside the signal.
// Its passband is flat (0.01 dB) only to 0.35 fs and falls to -1.75 dB at 0.45 fs and
// -6.02 dB at fs/2: it under-reads inter-sample peaks of content near Nyquist. long_sinc()
// (64 zero crossings a side) is flat to 0.47 fs, for a second opinion on such content.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lathe::reference {

struct Design {
  int up = 32;              // output points per input sample, 1..64
  int zero_crossings = 10;  // filter half length in input samples (scipy: 10 * max(up, down) taps)
  double kaiser_beta = 12.0;
};
inline constexpr Design scipy_default() { return {32, 10, 12.0}; }
inline constexpr Design long_sinc() { return {32, 64, 12.0}; }

// The polyphase form of a design: with c = zero_crossings * up the prototype's centre,
// y(q + p / up) = sum over k = -zero_crossings .. zero_crossings of h[c + p + up k] x[q - k]
// (taps outside the prototype are zero).
class Interpolator {
 public:
  explicit Interpolator(const Design& d = scipy_default());
  const Design& design() const { return design_; }
  // Prototype taps h[0 .. 2 * zero_crossings * up], DC gain up (scipy's h after h *= up).
  const std::vector<double>& prototype() const { return prototype_; }

  // Largest |y| over the `up` output points in [q, q + 1) for every q of one channel
  // (samples at `stride` apart in `x`, full scale 1.0), and the phase where it occurs.
  struct FramePeak {
    double peak;
    int phase;
  };
  std::vector<FramePeak> frame_peaks(const double* x, std::size_t frames, std::size_t stride) const;
  // y(q + phase / up) of the same channel: one output point.
  double value_at(const double* x, std::size_t frames, std::size_t stride, std::size_t q, int phase) const;

 private:
  Design design_;
  int taps_per_phase_;
  std::vector<double> prototype_;
  std::vector<double> by_tap_;  // [tap][phase]: the inner loop runs over phases (SIMD)
};

// Where a peak is: output point frame + phase / up of a channel.
struct Spot {
  double peak = 0.0;  // linear, full scale 1.0
  std::size_t frame = 0;
  int phase = 0;
  int channel = 0;
  double dbtp() const { return 20.0 * std::log10(peak); }  // -inf for silence
};

struct ChannelPeaks {
  Spot channel[2];
  const Spot& max() const { return channel[1].peak > channel[0].peak ? channel[1] : channel[0]; }
};

// Interleaved stereo integer frames of `bits` width (value / 2^(bits-1) is the sample).
ChannelPeaks reference_true_peak(std::span<const int32_t> stereo_frames, int bits,
                                 const Design& d = scipy_default());
double reference_true_peak_dbtp(std::span<const int32_t> stereo_frames, int bits,
                                const Design& d = scipy_default());
// Interleaved normalised doubles, `channels` of them (1 or 2).
ChannelPeaks reference_true_peak(std::span<const double> frames, int channels, const Design& d = scipy_default());

// The worst margin to a ceiling over output points in frames [begin, end) of either
// channel: margin_db = ceiling - peak (negative = over), and the spot.
struct Margin {
  double margin_db = HUGE_VAL;
  Spot spot;
};
Margin worst_margin(std::span<const int32_t> stereo_frames, int bits, double ceiling_dbtp, std::size_t begin = 0,
                    std::size_t end = SIZE_MAX, const Design& d = scipy_default());

// Per frame q, the largest |y| over both channels and the points in [q, q + 1): the
// envelope that a stereo-linked limiter must keep under its ceiling.
std::vector<Interpolator::FramePeak> linked_frame_peaks(std::span<const double> stereo, const Design& d = scipy_default());

}  // namespace lathe::reference
