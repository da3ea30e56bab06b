// SPDX-License-Identifier: MIT
// Benchmark: the reference model's speed on a file, in frames per second and x real time,
// single-threaded, with the streaming preset's registers (no loudness search: one pass).
#include <chrono>
#include <cstdio>
#include <string>

#include "lathe/audio_file.hpp"
#include "lathe/model/chain.hpp"
#include "lathe/preset.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lathe-bench-model IN.wav\n");
    return 2;
  }
  auto read = lathe::read_audio(argv[1]);
  if (!read) {
    std::fprintf(stderr, "lathe-bench-model: %s\n", read.error().message().c_str());
    return 1;
  }
  const auto& audio = *read;
  const auto regs = lathe::to_registers(lathe::builtin_preset("streaming")->params, audio.sample_rate);
  std::vector<int32_t> out(audio.samples.size());
  double best = 1e30;
  for (int run = 0; run < 3; ++run) {  // best of three: the machine's noise, not the model's
    lathe::model::Chain chain;
    chain.configure(regs);
    chain.reset();
    const auto t0 = std::chrono::steady_clock::now();
    chain.process(audio.samples.data(), out.data(), audio.frames());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double seconds = static_cast<double>(audio.frames()) / audio.sample_rate;
  std::printf("model: %zu frames (%.1f s at %d Hz) in %.3f s: %.2f M frames/s, %.0fx real time\n", audio.frames(),
              seconds, audio.sample_rate, best, audio.frames() / best / 1e6, seconds / best);
  return 0;
}
