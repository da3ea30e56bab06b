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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lathe/device.hpp"

struct LiveMatch {
  std::size_t mismatches = SIZE_MAX;  // samples that differ at the best count
  std::size_t leading_silence = 0;    // the best count
};

// Samples of `recorded` (interleaved, from the bus frame the programme's first frame went
// in; frames [0, compare_frames)) that differ from `want`, the model's output of `pre`
// frames of silence and the programme, shifted by the live path's slots.
inline std::size_t live_mismatches(const std::vector<int32_t>& want, const std::vector<int32_t>& recorded,
                                   std::size_t compare_frames, std::size_t live_delay, std::size_t pre, int word_shift = 0) {
  std::size_t mismatches = 0;
  for (std::size_t n = 0; n < compare_frames; ++n)
    for (std::size_t ch = 0; ch < 2; ++ch) {
      const std::size_t j = pre + n;
      const int32_t expected =
          n < live_delay || j - live_delay >= want.size() / 2
              ? 0
              : static_cast<int32_t>(static_cast<uint32_t>(want[2 * (j - live_delay) + ch]) << word_shift);
      mismatches += recorded[2 * n + ch] != expected;
    }
  return mismatches;
}

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
    const std::size_t mismatches = live_mismatches(want, recorded, compare_frames, live_delay, pre, word_shift);
    if (mismatches < best.mismatches) best = {mismatches, pre};
  }
  return best;
}

// The model's output of `in` (the leading silence and the programme) with `before` from a
// clear and `after` committed (no clear: it glides) at input frame `at`.
inline std::vector<int32_t> model_with_change(const lathe::reg::RegisterImage& before, const lathe::reg::RegisterImage& after,
                                              const std::vector<int32_t>& in, std::size_t at) {
  lathe::ModelDevice model;
  REQUIRE_FALSE(model.write_registers(before));
  REQUIRE_FALSE(model.reset());
  std::vector<int32_t> out(in.size());
  const std::size_t split = std::min(2 * at, in.size());
  REQUIRE_FALSE(model.process({in.data(), split}, {out.data(), split}));
  REQUIRE_FALSE(model.write_registers(after));
  REQUIRE_FALSE(model.process({in.data() + split, in.size() - split}, {out.data() + split, in.size() - split}));
  return out;
}
