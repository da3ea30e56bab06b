// SPDX-License-Identifier: MIT
#include "lathe/model/true_peak_detector.hpp"

#include <algorithm>
#include <cmath>

#include "lathe/fixed_point.hpp"

namespace lathe::model {
namespace {

using Taps = const int32_t (*)[TruePeakDetector::kTaps];
Taps taps() { return reinterpret_cast<Taps>(fx::reconstruction_taps_q16()); }

uint64_t magnitude64(int64_t v) { return v < 0 ? static_cast<uint64_t>(-v) : static_cast<uint64_t>(v); }

}  // namespace

uint32_t TruePeakDetector::push(int32_t left, int32_t right) {
  const Taps t = taps();
  uint64_t peak = 0;
  for (int ch = 0; ch < 2; ++ch) {
    auto& h = history_[ch];
    for (int k = kTaps - 1; k > 0; --k) h[k] = h[k - 1];
    h[0] = ch == 0 ? left : right;
    peak = std::max<uint64_t>(peak, fx::magnitude(h[kCentre]));
    for (int p = 1; p < kPhases; ++p) {
      int64_t acc = 0;  // Q5.43: 20 products of 17 x 32 bits
      for (int i = 0; i < kTaps; ++i) acc += int64_t{t[p][i]} * h[i];
      peak = std::max(peak, magnitude64(acc) >> kTapFrac);
    }
  }
  return static_cast<uint32_t>(std::min<uint64_t>(peak, UINT32_MAX));
}

// The same sums, arranged for the vector units: eight frames at a time in vectors of
// doubles, which hold every partial sum exactly (|x| < 2^31, |tap| < 2^17, sums of ten
// products < 2^53), so neither the order of the additions nor a fused multiply-add can
// change a bit. The kernel is symmetric (phase 32 - p is phase p reversed), so with
// s_i = x_i + x_19-i and d_i = x_i - x_19-i one pass of 20 products gives both phases of
// a pair: acc_p = (A + B) / 2 and acc_32-p = (A - B) / 2, A = sum (t_i + t_19-i) s_i,
// B = sum (t_i - t_19-i) d_i.
__attribute__((target_clones("avx512f", "avx2", "default"))) void TruePeakDetector::push_block(const int32_t* stereo,
                                                                                         std::size_t frames,
                                                                                         uint32_t* peaks) {
  typedef double v8 __attribute__((vector_size(64)));
  constexpr int kLanes = 8;
  constexpr int kHalf = kTaps / 2;
  constexpr int kPairs = kPhases / 2;  // p = 1..16 (16 pairs with itself)
  const Taps t = taps();
  double a[kPairs][kHalf], b[kPairs][kHalf];
  for (int p = 1; p <= kPairs; ++p)
    for (int i = 0; i < kHalf; ++i) {
      a[p - 1][i] = static_cast<double>(t[p][i]) + t[p][kTaps - 1 - i];
      b[p - 1][i] = static_cast<double>(t[p][i]) - t[p][kTaps - 1 - i];
    }
  // |acc| >> 16 of a phase: (A +- B) is even, so (A +- B) / 2^17 floors exactly.
  constexpr double kScale = 1.0 / (2.0 * (1 << kTapFrac));
  double x[2][kTaps - 1 + kLanes];
  for (std::size_t first = 0; first < frames; first += kLanes) {
    const std::size_t n = std::min<std::size_t>(kLanes, frames - first);
    v8 best = {};
    for (int ch = 0; ch < 2; ++ch) {
      auto& h = history_[ch];
      double* xc = x[ch];
      // The 19 samples before these frames (oldest first), then the frames; past the
      // end of the input, zeros that no result below reads.
      for (int k = 0; k < kTaps - 1; ++k) xc[k] = h[static_cast<std::size_t>(kTaps - 2 - k)];
      for (int j = 0; j < kLanes; ++j)
        xc[kTaps - 1 + j] = static_cast<std::size_t>(j) < n ? stereo[2 * (first + static_cast<std::size_t>(j)) + static_cast<std::size_t>(ch)] : 0;
      // Frame j's window: tap i applies to x[j + 19 - i].
      v8 sv[kHalf], dv[kHalf], centre;
      for (int i = 0; i < kHalf; ++i) {
        v8 newer, older;
        for (int j = 0; j < kLanes; ++j) newer[j] = xc[kTaps - 1 - i + j], older[j] = xc[i + j];
        sv[i] = newer + older;
        dv[i] = newer - older;
      }
      for (int j = 0; j < kLanes; ++j) centre[j] = xc[kTaps - 1 - kCentre + j];
      v8 m = centre < 0 ? -centre : centre;
      for (int p = 0; p < kPairs; ++p) {
        v8 A = sv[0] * a[p][0], B = dv[0] * b[p][0];
        for (int i = 1; i < kHalf; ++i) {
          A += sv[i] * a[p][i];
          B += dv[i] * b[p][i];
        }
        v8 hi = A + B, lo = A - B;
        hi = hi < 0 ? -hi : hi;
        lo = lo < 0 ? -lo : lo;
        m = m > hi * kScale ? m : hi * kScale;
        m = m > lo * kScale ? m : lo * kScale;
      }
      best = best > m ? best : m;
      for (int k = 0; k < kTaps; ++k) {
        const int src = kTaps - 1 + static_cast<int>(n) - 1 - k;
        h[static_cast<std::size_t>(k)] = static_cast<int32_t>(xc[src]);
      }
    }
    for (std::size_t j = 0; j < n; ++j)
      peaks[first + j] = static_cast<uint32_t>(std::min(std::floor(best[static_cast<int>(j)]), 4294967295.0));
  }
}

}  // namespace lathe::model
