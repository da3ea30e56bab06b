// SPDX-License-Identifier: MIT
// Status and meter decoding (lathe/readback.hpp).
#include "lathe/readback.hpp"

namespace lathe::reg {

Status decode_status(uint32_t word) {
  return {(word & kStatusCommitPending) != 0, (word & kStatusClearPending) != 0, (word & kStatusConfigured) != 0,
          (word & kStatusMetersPending) != 0,
          (word >> kStatusFramesInFlightLsb) & ((1u << kStatusFramesInFlightWidth) - 1)};
}

model::Meters decode_meters(std::span<const uint32_t, kMeterCount> words) {
  const auto at = [&](Addr a) { return words[a - kMeterFirst]; };
  const auto wide = [&](Addr lo, Addr hi) { return at(lo) | (static_cast<uint64_t>(at(hi)) << 32); };
  model::Meters m;
  m.in_peak[0] = at(kMeterInPeakL);
  m.in_peak[1] = at(kMeterInPeakR);
  m.out_peak[0] = at(kMeterOutPeakL);
  m.out_peak[1] = at(kMeterOutPeakR);
  m.true_peak = at(kMeterTruePeak);
  m.comp_gr_max = static_cast<int32_t>(at(kMeterCompGr));
  m.lim_gr_max = static_cast<int32_t>(at(kMeterLimGr));
  m.frames = at(kMeterFrames);
  m.out_sum_sq[0] = wide(kMeterOutSumSqLLo, kMeterOutSumSqLHi);
  m.out_sum_sq[1] = wide(kMeterOutSumSqRLo, kMeterOutSumSqRHi);
  return m;
}

std::array<uint32_t, kMeterCount> encode_meters(const model::Meters& m) {
  std::array<uint32_t, kMeterCount> words{};
  const auto at = [&](Addr a) -> uint32_t& { return words[a - kMeterFirst]; };
  const auto wide = [&](Addr lo, Addr hi, uint64_t v) {
    at(lo) = static_cast<uint32_t>(v);
    at(hi) = static_cast<uint32_t>(v >> 32);
  };
  at(kMeterInPeakL) = m.in_peak[0];
  at(kMeterInPeakR) = m.in_peak[1];
  at(kMeterOutPeakL) = m.out_peak[0];
  at(kMeterOutPeakR) = m.out_peak[1];
  at(kMeterTruePeak) = m.true_peak;
  at(kMeterCompGr) = static_cast<uint32_t>(m.comp_gr_max);
  at(kMeterLimGr) = static_cast<uint32_t>(m.lim_gr_max);
  at(kMeterFrames) = m.frames;
  wide(kMeterOutSumSqLLo, kMeterOutSumSqLHi, m.out_sum_sq[0]);
  wide(kMeterOutSumSqRLo, kMeterOutSumSqRHi, m.out_sum_sq[1]);
  return words;
}

}  // namespace lathe::reg
