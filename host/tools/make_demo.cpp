// SPDX-License-Identifier: MIT
// Writes the demo track: a music-like test mix, 48 kHz, 24-bit stereo WAV.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lathe/audio_file.hpp"
#include "lathe/test_signals.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: lathe-make-demo OUT.wav [SECONDS=20] [RATE=48000]\n");
    return 2;
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 20.0;
  const int rate = argc > 3 ? std::atoi(argv[3]) : 48000;
  if (!(seconds > 0 && seconds <= 3600)) {
    std::fprintf(stderr, "lathe-make-demo: SECONDS must be in (0, 3600]\n");
    return 2;
  }
  const auto frames = lathe::signals::music_like(seconds, rate);
  if (auto e = lathe::write_audio(argv[1], {rate, 2, 24}, frames)) {
    std::fprintf(stderr, "lathe-make-demo: %s\n", e.message().c_str());
    return 1;
  }
  return 0;
}
