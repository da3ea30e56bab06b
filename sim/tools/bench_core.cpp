// SPDX-License-Identifier: MIT
// Benchmark: the Verilated lathe_core's speed, single-threaded, in stereo frames per
// second and x real time at 48 kHz, with the streaming preset's registers.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "lathe/preset.hpp"
#include "lathe/sim/core_device.hpp"
#include "lathe/test_signals.hpp"

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
  const int fs = 48000;
  const auto in = lathe::signals::music_like(seconds, fs);
  lathe::sim::CoreDevice core;
  if (auto e = core.write_registers(lathe::to_registers(lathe::builtin_preset("streaming")->params, fs))) {
    std::fprintf(stderr, "lathe-bench-core: %s\n", e.message().c_str());
    return 1;
  }
  if (auto e = core.reset()) {
    std::fprintf(stderr, "lathe-bench-core: %s\n", e.message().c_str());
    return 1;
  }
  std::vector<int32_t> out(in.size());
  const uint64_t cycles0 = core.cycles();
  const auto t0 = std::chrono::steady_clock::now();
  if (auto e = core.process(in, out)) {
    std::fprintf(stderr, "lathe-bench-core: %s\n", e.message().c_str());
    return 1;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double frames = static_cast<double>(in.size() / 2);
  const double cycles = static_cast<double>(core.cycles() - cycles0);
  std::printf("Verilated lathe_core: %.0f frames in %.2f s: %.0f frames/s, %.2fx real time at 48 kHz, "
              "%.1f cycles/frame, %.2f M cycles/s\n",
              frames, wall, frames / wall, frames / wall / fs, cycles / frames, cycles / wall / 1e6);
  // Latency: one frame into the empty core, cycles until it comes out.
  std::vector<int32_t> one = {1000, -1000}, one_out(2);
  const uint64_t before = core.cycles();
  if (core.process(one, one_out)) return 1;
  std::printf("latency of one frame through the empty core: %llu cycles (input handshake to output handshake)\n",
              static_cast<unsigned long long>(core.cycles() - before));
  return 0;
}
