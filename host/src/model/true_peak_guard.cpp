// SPDX-License-Identifier: MIT
#include "lathe/model/true_peak_guard.hpp"

#include <algorithm>

#include "lathe/fixed_point.hpp"

namespace lathe::model {
namespace {

using ReconstructionTaps = const int32_t (*)[TruePeakGuard::kTaps];
ReconstructionTaps reconstruction() { return reinterpret_cast<ReconstructionTaps>(fx::reconstruction_taps_q16()); }

int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

__extension__ typedef unsigned __int128 u128;  // the quotients' numerators reach 2^79

}  // namespace

void TruePeakGuard::reset() {
  audio_ = {};
  wr_ = 0;
  req_.fill(kUnity);
  req_wr_ = 0;
  held_.fill(kUnity);
  held_wr_ = 0;
  last_gain_ = kUnity;
  reduced_ = 0;
}

int64_t TruePeakGuard::requirement(const int32_t* left_hist, const int32_t* right_hist, uint32_t ceiling_q27) {
  const ReconstructionTaps t = reconstruction();
  const int64_t cs = int64_t{ceiling_q27} << 16;  // the ceiling in the sums' units (taps x 65536)
  int64_t s_max = 0, n_max = 0, m_max = 0, a_max = 0;
  for (const int32_t* h : {left_hist, right_hist}) {
    const int64_t s0 = abs64(h[kCentre]) << 16;  // phase 0: the sample itself
    s_max = std::max(s_max, s0);
    a_max = std::max(a_max, s0);
    for (int p = 1; p < kPhases; ++p) {
      int64_t c[kTaps];
      int64_t s = 0, a = 0;
      for (int i = 0; i < kTaps; ++i) {
        c[i] = int64_t{t[p][i]} * h[i];
        s += c[i];
        a += abs64(c[i]);
      }
      // The partial sums at the 19 cuts, turned to the sign of S: how far each lies
      // outside [0, |S|].
      const int64_t mag = abs64(s);
      int64_t q = 0, n = 0;
      for (int i = 0; i + 1 < kTaps; ++i) {
        q += s < 0 ? -c[i] : c[i];
        if (q < 0) n -= q;
        else if (q > mag) n += q - mag;
      }
      s_max = std::max(s_max, mag);
      n_max = std::max(n_max, n);
      m_max = std::max(m_max, 19 * mag + n);
      a_max = std::max(a_max, a);
    }
  }
  const int64_t cs_scaled = cs << kSlopeShift;  // C / beta
  int64_t x = 0;
  if (n_max < cs_scaled && m_max <= cs_scaled) {
    x = s_max == 0 ? kUnity
                   : static_cast<int64_t>((static_cast<u128>(cs_scaled - n_max) << kGainFrac) /
                                          (static_cast<u128>(s_max) << kSlopeShift));
  }
  const int64_t y = a_max == 0 ? kUnity : static_cast<int64_t>((static_cast<u128>(cs) << kGainFrac) / static_cast<u128>(a_max));
  return std::min(kUnity, std::max(x, y));
}

void TruePeakGuard::process(int32_t& left, int32_t& right) {
  audio_[0][wr_] = left;
  audio_[1][wr_] = right;
  int32_t hist[2][kTaps];
  for (int i = 0; i < kTaps; ++i) {
    const uint32_t at = (wr_ + kRing - i) % kRing;
    hist[0][i] = audio_[0][at];
    hist[1][i] = audio_[1][at];
  }
  // The interval starting kCentre frames back; then the held requirement of the sample
  // whose last interval that is, and the gain kReach frames before that.
  req_[req_wr_] = requirement(hist[0], hist[1], ceiling_);
  req_wr_ = (req_wr_ + 1) % kHoldSpan;
  held_[held_wr_] = *std::min_element(req_.begin(), req_.end());
  held_wr_ = (held_wr_ + 1) % kEnvelope;
  int64_t g = kUnity;
  for (int k = 0; k < kEnvelope; ++k) {
    // held_wr_ now points at the oldest entry: k = 0 is kReach frames before the output
    // sample, k = kEnvelope - 1 kReach frames after it.
    const int64_t h = held_[(held_wr_ + k) % kEnvelope];
    g = std::min(g, h + kStep * (k < kReach ? kReach - k : k - kReach));
  }
  last_gain_ = g;
  if (g < kUnity) ++reduced_;
  const uint32_t rd = (wr_ + kRing - kDelay) % kRing;
  wr_ = (wr_ + 1) % kRing;
  auto apply = [g](int32_t v) {
    const int64_t m = (abs64(v) * g) >> kGainFrac;  // toward zero: never louder than y g
    return static_cast<int32_t>(v < 0 ? -m : m);
  };
  left = apply(audio_[0][rd]);
  right = apply(audio_[1][rd]);
}

}  // namespace lathe::model
