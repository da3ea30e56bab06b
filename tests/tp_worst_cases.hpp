// SPDX-License-Identifier: MIT
// Worst cases for a true-peak limiter, as interleaved stereo 24-bit frames: material
// whose inter-sample peaks, onsets or near-Nyquist content are hard to detect or whose
// gain must move fast. Deterministic: the same name, rate, length and seed give the same
// samples (std::mt19937, whose sequence the standard fixes).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lathe::tp_cases {

struct CaseInfo {
  const char* name;
  const char* what;
  // Programme material, mastered to a loudness target. The test signals are not: a
  // loudness target only turns a full-scale tone down below the ceiling, so they are
  // driven into the limiter by fixed amounts instead.
  bool programme;
};
// Every case, in survey order.
const std::vector<CaseInfo>& all_cases();

// The named case at a sample rate (Hz), `seconds` long; empty for an unknown name.
std::vector<int32_t> make(const std::string& name, int sample_rate, double seconds, uint32_t seed = 1);

}  // namespace lathe::tp_cases
