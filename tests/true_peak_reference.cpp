// SPDX-License-Identifier: MIT
// The reference true-peak meter: scipy's firwin/kaiser design, redone in double
// precision, applied in polyphase form.
#include "true_peak_reference.hpp"

#include <algorithm>
#include <numbers>
#include <stdexcept>

namespace lathe::reference {
namespace {

// Modified Bessel function of the first kind, order 0, by its power series (converges
// quickly for the window's arguments, |x| <= beta).
double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 500 && term > 1e-17 * sum; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

double sinc(double x) { return x == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x); }

}  // namespace

Interpolator::Interpolator(const Design& d) : design_(d), taps_per_phase_(2 * d.zero_crossings + 1) {
  if (d.up < 1 || d.up > 64 || d.zero_crossings < 1) throw std::invalid_argument("reference interpolator: bad design");
  // scipy.signal.firwin(numtaps, cutoff = 1/up, window=("kaiser", beta)): the windowed
  // ideal low-pass, scaled to unit gain at DC; resample_poly then multiplies by up.
  const int numtaps = 2 * d.zero_crossings * d.up + 1;
  const double alpha = 0.5 * (numtaps - 1);
  const double cutoff = 1.0 / d.up;
  prototype_.resize(static_cast<std::size_t>(numtaps));
  double sum = 0.0;
  for (int n = 0; n < numtaps; ++n) {
    const double m = n - alpha;
    const double r = m / alpha;
    const double window = bessel_i0(d.kaiser_beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / bessel_i0(d.kaiser_beta);
    prototype_[static_cast<std::size_t>(n)] = cutoff * sinc(cutoff * m) * window;
    sum += prototype_[static_cast<std::size_t>(n)];
  }
  for (double& h : prototype_) h = h / sum * d.up;

  // by_tap_[j][p] = h[c + p + up k] with k = zero_crossings - j: tap j multiplies
  // x[q - zero_crossings + j].
  const int c = d.zero_crossings * d.up;
  by_tap_.assign(static_cast<std::size_t>(taps_per_phase_ * d.up), 0.0);
  for (int j = 0; j < taps_per_phase_; ++j) {
    const int k = d.zero_crossings - j;
    for (int p = 0; p < d.up; ++p) {
      const int n = c + p + d.up * k;
      if (n >= 0 && n < numtaps) by_tap_[static_cast<std::size_t>(j * d.up + p)] = prototype_[static_cast<std::size_t>(n)];
    }
  }
}

namespace {

// The hot loop: for each frame, every phase at once (the inner loop runs over phases, so
// it vectorises without reordering any sum; with the phase count known at compile time
// the accumulators stay in registers). Built for AVX2/FMA too where the CPU has it: the
// survey runs this on millions of frames. `padded` has `taps - 1` frames of context.
template <int kUp>
[[gnu::always_inline]] inline void polyphase_kernel(const double* padded, std::size_t frames, const double* by_tap, int taps, int up,
                      Interpolator::FramePeak* out) {
  const int n_up = kUp ? kUp : up;
  double acc[64];
  for (std::size_t q = 0; q < frames; ++q) {
    for (int p = 0; p < n_up; ++p) acc[p] = 0.0;
    const double* xs = padded + q;
    for (int j = 0; j < taps; ++j) {
      const double v = xs[j];
      const double* h = by_tap + static_cast<std::size_t>(j * n_up);
      for (int p = 0; p < n_up; ++p) acc[p] += h[p] * v;
    }
    Interpolator::FramePeak best{0.0, 0};
    for (int p = 0; p < n_up; ++p) {
      const double a = std::abs(acc[p]);
      if (a > best.peak) best = {a, p};
    }
    out[q] = best;
  }
}

__attribute__((target_clones("arch=haswell", "default"))) void polyphase_peaks(
    const double* padded, std::size_t frames, const double* by_tap, int taps, int up,
    Interpolator::FramePeak* out) {
  if (up == 32)
    polyphase_kernel<32>(padded, frames, by_tap, taps, up, out);
  else
    polyphase_kernel<0>(padded, frames, by_tap, taps, up, out);
}

}  // namespace

std::vector<Interpolator::FramePeak> Interpolator::frame_peaks(const double* x, std::size_t frames,
                                                               std::size_t stride) const {
  const std::size_t z = static_cast<std::size_t>(design_.zero_crossings);
  // The channel with zero_crossings zeros either side: padded[i] = x[i - z]; tap j
  // multiplies x[q - z + j] = padded[q + j].
  std::vector<double> padded(frames + 2 * z, 0.0);
  for (std::size_t i = 0; i < frames; ++i) padded[i + z] = x[i * stride];
  std::vector<FramePeak> out(frames);
  polyphase_peaks(padded.data(), frames, by_tap_.data(), taps_per_phase_, design_.up, out.data());
  return out;
}

double Interpolator::value_at(const double* x, std::size_t frames, std::size_t stride, std::size_t q,
                              int phase) const {
  const int z = design_.zero_crossings;
  double y = 0.0;
  for (int j = 0; j < taps_per_phase_; ++j) {
    const std::ptrdiff_t i = static_cast<std::ptrdiff_t>(q) - z + j;  // tap j multiplies x[q - z + j]
    if (i < 0 || i >= static_cast<std::ptrdiff_t>(frames)) continue;
    y += by_tap_[static_cast<std::size_t>(j * design_.up + phase)] * x[static_cast<std::size_t>(i) * stride];
  }
  return y;
}

namespace {

std::vector<double> normalise(std::span<const int32_t> stereo, int bits) {
  const double scale = 1.0 / std::ldexp(1.0, bits - 1);
  std::vector<double> v(stereo.size());
  for (std::size_t i = 0; i < stereo.size(); ++i) v[i] = stereo[i] * scale;
  return v;
}

}  // namespace

ChannelPeaks reference_true_peak(std::span<const double> frames, int channels, const Design& d) {
  if (channels != 1 && channels != 2) throw std::invalid_argument("reference_true_peak: 1 or 2 channels");
  const Interpolator interp(d);
  const std::size_t n = frames.size() / static_cast<std::size_t>(channels);
  ChannelPeaks result;
  for (int ch = 0; ch < channels; ++ch) {
    const auto peaks = interp.frame_peaks(frames.data() + ch, n, static_cast<std::size_t>(channels));
    Spot& s = result.channel[ch];
    s.channel = ch;
    for (std::size_t q = 0; q < n; ++q)
      if (peaks[q].peak > s.peak) s = {peaks[q].peak, q, peaks[q].phase, ch};
  }
  if (channels == 1) result.channel[1] = result.channel[0];
  return result;
}

ChannelPeaks reference_true_peak(std::span<const int32_t> stereo_frames, int bits, const Design& d) {
  const auto v = normalise(stereo_frames, bits);
  return reference_true_peak(std::span<const double>(v), 2, d);
}

double reference_true_peak_dbtp(std::span<const int32_t> stereo_frames, int bits, const Design& d) {
  return reference_true_peak(stereo_frames, bits, d).max().dbtp();
}

Margin worst_margin(std::span<const int32_t> stereo_frames, int bits, double ceiling_dbtp, std::size_t begin,
                    std::size_t end, const Design& d) {
  const std::size_t n = stereo_frames.size() / 2;
  end = std::min(end, n);
  Margin m;
  if (begin >= end) return m;
  // The filter reaches zero_crossings frames either side: that much context is exact.
  const std::size_t context = static_cast<std::size_t>(d.zero_crossings);
  const std::size_t from = begin > context ? begin - context : 0, to = std::min(n, end + context);
  const auto v = normalise(stereo_frames.subspan(2 * from, 2 * (to - from)), bits);
  const Interpolator interp(d);
  for (int ch = 0; ch < 2; ++ch) {
    const auto peaks = interp.frame_peaks(v.data() + ch, to - from, 2);
    for (std::size_t q = begin; q < end; ++q)
      if (peaks[q - from].peak > m.spot.peak) m.spot = {peaks[q - from].peak, q, peaks[q - from].phase, ch};
  }
  if (m.spot.peak > 0.0) m.margin_db = ceiling_dbtp - m.spot.dbtp();
  return m;
}

std::vector<Interpolator::FramePeak> linked_frame_peaks(std::span<const double> stereo, const Design& d) {
  const Interpolator interp(d);
  const std::size_t n = stereo.size() / 2;
  auto left = interp.frame_peaks(stereo.data(), n, 2);
  const auto right = interp.frame_peaks(stereo.data() + 1, n, 2);
  for (std::size_t q = 0; q < n; ++q)
    if (right[q].peak > left[q].peak) left[q] = right[q];
  return left;
}

}  // namespace lathe::reference
