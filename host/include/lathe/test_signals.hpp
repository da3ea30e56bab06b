// SPDX-License-Identifier: MIT
// Deterministic test and demo signals, as interleaved stereo 24-bit frames.
#pragma once
#include <cstdint>
#include <vector>

namespace lathe::signals {

// A music-like mix: kick and snare pattern, bass line, sustained chords with a moving
// pan, hi-hat noise and occasional clipped transients; peaks near -1 dBFS, integrated
// loudness around -18 LUFS. Same seed, same samples.
std::vector<int32_t> music_like(double seconds, int sample_rate, uint32_t seed = 1);

// A sine of amplitude `peak` (fraction of full scale) at frequency f, phase in radians,
// on both channels.
std::vector<int32_t> sine(double seconds, int sample_rate, double f, double peak, double phase = 0.0);

}  // namespace lathe::signals
