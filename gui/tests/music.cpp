// SPDX-License-Identifier: MIT
// Test audio for the GUI tests, in a file of its own: lathe::signals cannot be named
// where Qt's keyword macros (signals, slots) are defined.
#include <cstdint>
#include <vector>

#include "lathe/test_signals.hpp"

namespace lathe::gui::test {

std::vector<int32_t> music_like_frames(double seconds, int sample_rate, uint32_t seed) {
  return signals::music_like(seconds, sample_rate, seed);
}

}  // namespace lathe::gui::test
