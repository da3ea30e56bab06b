// SPDX-License-Identifier: MIT
#include "lathe/reconstruction_peak.hpp"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <numbers>

namespace lathe {
namespace {

// Zeroth-order modified Bessel function of the first kind, by its power series (which
// converges fast for the arguments a Kaiser window needs).
double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 200; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// firwin(641, 1/32, window=("kaiser", 12)) * 32, as scipy's resample_poly builds it: a
// symmetric Kaiser window times the ideal low-pass, scaled to a DC gain of 32 for the
// whole filter (about 1 for each phase).
std::array<std::array<double, kReconstructionTaps>, kReconstructionFactor> design() {
  constexpr int kLength = 2 * kReconstructionHalfSpan * kReconstructionFactor + 1;  // 641
  constexpr double kBeta = 12.0, kCutoff = 1.0 / kReconstructionFactor;
  std::vector<double> h(kLength);
  double sum = 0.0;
  for (int n = 0; n < kLength; ++n) {
    const double m = n - (kLength - 1) / 2.0;
    const double r = 2.0 * n / (kLength - 1) - 1.0;
    const double window = bessel_i0(kBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / bessel_i0(kBeta);
    const double arg = kCutoff * m;
    const double sinc = arg == 0 ? 1.0 : std::sin(std::numbers::pi * arg) / (std::numbers::pi * arg);
    h[n] = window * kCutoff * sinc;
    sum += h[n];
  }
  std::array<std::array<double, kReconstructionTaps>, kReconstructionFactor> taps{};
  for (int p = 0; p < kReconstructionFactor; ++p)
    for (int i = 0; i < kReconstructionTaps; ++i)
      taps[p][i] = h[p + kReconstructionFactor * i] / sum * kReconstructionFactor;
  return taps;
}

}  // namespace

const std::array<std::array<double, kReconstructionTaps>, kReconstructionFactor>& reconstruction_taps() {
  static const auto taps = design();
  return taps;
}

std::string reconstruction_meter_name() { return "32x Kaiser-windowed sinc (641 taps, beta 12)"; }

ReconstructionPeakMeter::ReconstructionPeakMeter(int channels)
    : channels_(channels), history_(static_cast<std::size_t>(channels)) {
  for (auto& h : history_) h.assign(kReconstructionTaps - 1, 0.0);
}

// One channel's block: the 31 phases as FIR filters over the whole block, the loop over
// samples innermost so that it vectorises (no reassociated reduction needed).
void ReconstructionPeakMeter::run(std::vector<double>& h, std::size_t first_valid) {
  const auto& taps = reconstruction_taps();
  const std::size_t n = h.size() - (kReconstructionTaps - 1);  // new samples in h
  double peak = peak_;
  // Interval m (from sample m to m+1) is complete when x[m+10] is in: output j of this
  // block is the interval whose sample is h[j + 9], computed from h[j .. j + 19].
  for (std::size_t j = first_valid; j < n; ++j) peak = std::max(peak, std::fabs(h[j + kReconstructionTaps - 1 - kReconstructionHalfSpan]));
  // Eight outputs at a time in two 4-lane float vectors (GCC vector extensions: SSE2
  // everywhere on x86-64, NEON on ARM): the taps stream past the sums. Float sums of 20
  // products are good to 1e-6, 0.00001 dB, far inside what a meter reading needs.
  typedef float v4 __attribute__((vector_size(16)));
  constexpr std::size_t kLanes = 8;
  xf_.resize(h.size());
  for (std::size_t k = 0; k < h.size(); ++k) xf_[k] = static_cast<float>(h[k]);
  for (int p = 1; p < kReconstructionFactor; ++p) {
    float t[kReconstructionTaps];
    for (int i = 0; i < kReconstructionTaps; ++i) t[i] = static_cast<float>(taps[p][i]);
    std::size_t j = 0;
    for (; j + kLanes <= n; j += kLanes) {
      v4 a0 = {0, 0, 0, 0}, a1 = {0, 0, 0, 0};
      for (int i = 0; i < kReconstructionTaps; ++i) {
        const float* x = xf_.data() + (kReconstructionTaps - 1 - i) + j;
        v4 x0, x1;
        std::memcpy(&x0, x, sizeof x0);
        std::memcpy(&x1, x + 4, sizeof x1);
        a0 += t[i] * x0;
        a1 += t[i] * x1;
      }
      for (std::size_t l = 0; l < 4; ++l) {
        if (j + l >= first_valid) peak = std::max(peak, static_cast<double>(std::fabs(a0[l])));
        if (j + 4 + l >= first_valid) peak = std::max(peak, static_cast<double>(std::fabs(a1[l])));
      }
    }
    for (; j < n; ++j) {
      double a = 0.0;
      for (int i = 0; i < kReconstructionTaps; ++i) a += taps[p][i] * h[j + kReconstructionTaps - 1 - i];
      if (j >= first_valid) peak = std::max(peak, std::fabs(a));
    }
  }
  peak_ = peak;
  h.erase(h.begin(), h.end() - (kReconstructionTaps - 1));
}

void ReconstructionPeakMeter::add(std::span<const double> frames) {
  const std::size_t ch = static_cast<std::size_t>(channels_);
  const std::size_t count = frames.size() / ch;
  // The first 10 frames of the signal complete no interval of it yet (m < 0 is before the start).
  const std::size_t skip = pushed_ >= kReconstructionHalfSpan ? 0 : std::min<std::size_t>(count, kReconstructionHalfSpan - pushed_);
  for (std::size_t c = 0; c < ch; ++c) {
    auto& h = history_[c];
    for (std::size_t i = 0; i < count; ++i) h.push_back(frames[i * ch + c]);
    run(h, skip);
  }
  pushed_ = std::min<std::size_t>(kReconstructionHalfSpan, pushed_ + count);
}

void ReconstructionPeakMeter::add(std::span<const int32_t> stereo_frames, int bits) {
  const double scale = std::ldexp(1.0, -(bits - 1));
  const std::size_t ch = static_cast<std::size_t>(channels_);
  std::vector<double> frames(stereo_frames.size() / 2 * ch);
  for (std::size_t i = 0; i < stereo_frames.size() / 2; ++i)
    for (std::size_t c = 0; c < ch; ++c) frames[i * ch + c] = stereo_frames[2 * i + c] * scale;
  add(frames);
}

double ReconstructionPeakMeter::peak() const {
  // The last 10 samples' intervals need the samples after them: silence, as after the end.
  ReconstructionPeakMeter flushed = *this;
  flushed.add(std::vector<double>(static_cast<std::size_t>(kReconstructionHalfSpan * channels_), 0.0));
  return flushed.peak_;
}

double ReconstructionPeakMeter::peak_dbtp() const { return 20.0 * std::log10(peak()); }

}  // namespace lathe
