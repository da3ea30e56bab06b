// SPDX-License-Identifier: MIT
#include "lathe/model/true_peak_detector.hpp"

#include <algorithm>
#include <cmath>

#include "lathe/fixed_point.hpp"

namespace lathe::model {
namespace {

using ReconstructionTaps = const int32_t (*)[TruePeakDetector::kTaps];
ReconstructionTaps reconstruction() { return reinterpret_cast<ReconstructionTaps>(fx::reconstruction_taps_q16()); }

uint64_t magnitude64(int64_t v) { return v < 0 ? static_cast<uint64_t>(-v) : static_cast<uint64_t>(v); }

constexpr int kMiddle = 6;  // the 12-tap phases use h[6..17]

}  // namespace

uint32_t TruePeakDetector::push(int32_t left, int32_t right, bool two_x) {
  const ReconstructionTaps t = reconstruction();
  const int16_t* bs1770 = fx::true_peak_taps();
  const int16_t* hann4 = fx::hann4_taps();
  const int16_t* hann2 = fx::hann2_taps();
  uint64_t peak = 0;
  for (int ch = 0; ch < 2; ++ch) {
    auto& h = history_[ch];
    for (int k = kSpan - 1; k > 0; --k) h[k] = h[k - 1];
    h[0] = ch == 0 ? left : right;
    peak = std::max<uint64_t>(peak, fx::magnitude(h[kCentre]));
    for (int p = 1; p < kPhases; ++p) {
      int64_t acc = 0;  // Q5.43: 20 products of 17 x 32 bits
      for (int i = 0; i < kTaps; ++i) acc += int64_t{t[p][i]} * h[kFirst + i];
      peak = std::max(peak, magnitude64(acc) >> 16);
    }
    for (int p = 0; p < 4; ++p) {
      int64_t acc = 0;  // Q5.40: 12 products of 16 x 32 bits
      for (int k = 0; k < 12; ++k) acc += int64_t{bs1770[12 * p + k]} * h[kMiddle + k];
      peak = std::max(peak, magnitude64(acc) >> 13);
    }
    if (two_x) {
      int64_t acc = 0;  // Q5.41: 24 products of 16 x 32 bits
      for (int k = 0; k < 24; ++k) acc += int64_t{hann2[k]} * h[k];
      peak = std::max(peak, magnitude64(acc) >> 14);
    } else {
      for (int p = 0; p < 3; ++p) {
        int64_t acc = 0;  // Q5.41
        for (int k = 0; k < 12; ++k) acc += int64_t{hann4[12 * p + k]} * h[kMiddle + k];
        peak = std::max(peak, magnitude64(acc) >> 14);
      }
    }
  }
  return static_cast<uint32_t>(std::min<uint64_t>(peak, UINT32_MAX));
}

// The same sums, arranged for the vector units: eight frames at a time in vectors of
// doubles, which hold every partial sum exactly (|x| < 2^31, |tap| < 2^17, no sum past
// 2^53), so neither the order of the additions nor a fused multiply-add can change a
// bit, and |acc| >> s is floor(|acc| / 2^s) exactly. The reconstruction kernel is
// symmetric (phase 32 - p is phase p reversed), so with s_i = x_i + x_19-i and
// d_i = x_i - x_19-i one pass of 20 products gives both phases of a pair:
// acc_p = (A + B) / 2 and acc_32-p = (A - B) / 2, A = sum (t_i + t_19-i) s_i,
// B = sum (t_i - t_19-i) d_i.
__attribute__((target_clones("avx512f", "avx2", "default"))) void TruePeakDetector::push_block(const int32_t* stereo,
                                                                                         std::size_t frames,
                                                                                         bool two_x,
                                                                                         uint32_t* peaks) {
  typedef double v8 __attribute__((vector_size(64)));
  constexpr int kLanes = 8;
  constexpr int kHalf = kTaps / 2;
  constexpr int kPairs = kPhases / 2;  // p = 1..16 (16 pairs with itself)
  const ReconstructionTaps t = reconstruction();
  double a[kPairs][kHalf], b[kPairs][kHalf];
  for (int p = 1; p <= kPairs; ++p)
    for (int i = 0; i < kHalf; ++i) {
      a[p - 1][i] = static_cast<double>(t[p][i]) + t[p][kTaps - 1 - i];
      b[p - 1][i] = static_cast<double>(t[p][i]) - t[p][kTaps - 1 - i];
    }
  // The 12-tap phases: BS.1770-4 (4, scale 2^-13), then Hann 4x (3, scale 2^-14).
  double short_taps[7][12];
  for (int p = 0; p < 4; ++p)
    for (int k = 0; k < 12; ++k) short_taps[p][k] = fx::true_peak_taps()[12 * p + k];
  for (int p = 0; p < 3; ++p)
    for (int k = 0; k < 12; ++k) short_taps[4 + p][k] = fx::hann4_taps()[12 * p + k];
  double hann2[24];
  for (int k = 0; k < 24; ++k) hann2[k] = fx::hann2_taps()[k];

  auto absv = [](v8 v) { return v < 0 ? -v : v; };
  auto maxv = [](v8 x, v8 y) { return x > y ? x : y; };
  double x[kSpan - 1 + kLanes];
  for (std::size_t first = 0; first < frames; first += kLanes) {
    const std::size_t n = std::min<std::size_t>(kLanes, frames - first);
    v8 best = {};
    for (int ch = 0; ch < 2; ++ch) {
      auto& h = history_[ch];
      // The 23 samples before these frames (oldest first), then the frames; past the end
      // of the input, zeros that no kept result reads. Frame j's h[k] is x[j + 23 - k].
      for (int k = 0; k < kSpan - 1; ++k) x[k] = h[static_cast<std::size_t>(kSpan - 2 - k)];
      for (int j = 0; j < kLanes; ++j)
        x[kSpan - 1 + j] =
            static_cast<std::size_t>(j) < n ? stereo[2 * (first + static_cast<std::size_t>(j)) + static_cast<std::size_t>(ch)] : 0;
      auto at = [&](int k) {  // the vector of h[k] over the eight frames
        v8 v;
        for (int j = 0; j < kLanes; ++j) v[j] = x[kSpan - 1 - k + j];
        return v;
      };
      v8 m = absv(at(kCentre));
      // Reconstruction: tap i on h[2 + i]; the pair partner of h[2 + i] is h[21 - i].
      v8 sv[kHalf], dv[kHalf];
      for (int i = 0; i < kHalf; ++i) {
        const v8 newer = at(kFirst + i), older = at(kFirst + kTaps - 1 - i);
        sv[i] = newer + older;
        dv[i] = newer - older;
      }
      constexpr double kRecScale = 1.0 / (2.0 * (1 << 16));
      for (int p = 0; p < kPairs; ++p) {
        v8 A = sv[0] * a[p][0], B = dv[0] * b[p][0];
        for (int i = 1; i < kHalf; ++i) {
          A += sv[i] * a[p][i];
          B += dv[i] * b[p][i];
        }
        m = maxv(m, absv(A + B) * kRecScale);
        m = maxv(m, absv(A - B) * kRecScale);
      }
      // The 12-tap phases on h[6..17]; the Hann 4x ones only below 96 kHz.
      v8 mid[12];
      for (int k = 0; k < 12; ++k) mid[k] = at(kMiddle + k);
      for (int p = 0; p < (two_x ? 4 : 7); ++p) {
        v8 acc = mid[0] * short_taps[p][0];
        for (int k = 1; k < 12; ++k) acc += mid[k] * short_taps[p][k];
        m = maxv(m, absv(acc) * (p < 4 ? 1.0 / 8192 : 1.0 / 16384));
      }
      if (two_x) {
        v8 acc = at(0) * hann2[0];
        for (int k = 1; k < 24; ++k) acc += at(k) * hann2[k];
        m = maxv(m, absv(acc) * (1.0 / 16384));
      }
      best = maxv(best, m);
      for (int k = 0; k < kSpan; ++k) h[static_cast<std::size_t>(k)] = static_cast<int32_t>(x[kSpan - 1 + static_cast<int>(n) - 1 - k]);
    }
    for (std::size_t j = 0; j < n; ++j)
      peaks[first + j] = static_cast<uint32_t>(std::min(std::floor(best[static_cast<int>(j)]), 4294967295.0));
  }
}

}  // namespace lathe::model
