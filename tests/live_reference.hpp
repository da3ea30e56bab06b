// SPDX-License-Identifier: MIT
// The reference for a live-mode recording: what the DAC received against the model's
// output for the same registers, shifted by the live path's slots. The chain's state
// depends on how many frames it ran since its clear (the limiter's hold works in blocks of
// 32), and the live path runs on the ADC's leading silence for a few frames before the
// programme (how many depends on when the clocks came up and the host's timing), so the
// model is run on that many silent frames first, for each count up to `max_leading`,
// and the closest count is the answer (0 mismatches when the recording is the model's).
#pragma once
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lathe/device.hpp"

struct LiveMatch {
  std::size_t mismatches = SIZE_MAX;  // samples that differ at the best count
  std::size_t leading_silence = 0;    // the best count
};

// recorded: interleaved, from the bus frame the programme's first frame went in; frames
// [0, compare_frames) are compared; live_delay: the live path's slots; a 16-bit output
// word reaches the DAC at the top of its 24-bit slot (word_shift 8).
inline LiveMatch match_live_recording(const lathe::reg::RegisterImage& regs, const std::vector<int32_t>& programme,
                                      const std::vector<int32_t>& recorded, std::size_t compare_frames,
                                      std::size_t live_delay, std::size_t max_leading, int word_shift = 0) {
  REQUIRE(recorded.size() >= 2 * compare_frames);
  LiveMatch best;
  for (std::size_t pre = 0; pre <= max_leading && best.mismatches != 0; ++pre) {
    std::vector<int32_t> in(2 * pre, 0);
    in.insert(in.end(), programme.begin(), programme.end());
    in.resize(std::max(in.size(), 2 * (pre + compare_frames)), 0);
    lathe::ModelDevice model;
    REQUIRE_FALSE(model.write_registers(regs));
    REQUIRE_FALSE(model.reset());
    std::vector<int32_t> want(in.size());
    REQUIRE_FALSE(model.process(in, want));
    std::size_t mismatches = 0;
    for (std::size_t n = 0; n < compare_frames; ++n)
      for (std::size_t ch = 0; ch < 2; ++ch) {
        const int32_t expected =
            n < live_delay ? 0
                           : static_cast<int32_t>(static_cast<uint32_t>(want[2 * (pre + n - live_delay) + ch]) << word_shift);
        mismatches += recorded[2 * n + ch] != expected;
      }
    if (mismatches < best.mismatches) best = {mismatches, pre};
  }
  return best;
}
