// SPDX-License-Identifier: MIT
// lathe-model-latency: the model chain's delay, measured: a -20 dBFS impulse through the
// chain with the given limiter lookahead (everything else neutral) and no latency
// compensation; prints where the impulse comes out and what the chain reports. `lathe
// master` compensates this delay, so its files show none.
//
//   lathe-model-latency RATE LOOKAHEAD_MS
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "lathe/model/chain.hpp"
#include "lathe/params.hpp"

using namespace lathe;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: lathe-model-latency RATE LOOKAHEAD_MS\n");
    return 2;
  }
  const int fs = std::atoi(argv[1]);
  ChainParams p;  // EQ off, compressor 1:1
  p.lim.lookahead_ms = std::strtod(argv[2], nullptr);
  p.dither.enabled = false;
  if (auto e = validate(p, fs)) {
    std::fprintf(stderr, "lathe-model-latency: %s\n", e.message().c_str());
    return 2;
  }
  model::Chain chain;
  chain.configure(to_registers(p, fs));
  chain.reset();
  const std::size_t n = static_cast<std::size_t>(fs);
  std::vector<int32_t> in(2 * n, 0), out(2 * n);
  const std::size_t at = 1000;
  in[2 * at] = in[2 * at + 1] = static_cast<int32_t>(std::lround(0.1 * 8388607));
  chain.process(in.data(), out.data(), n);
  std::size_t peak = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (std::abs(out[2 * i]) > std::abs(out[2 * peak])) peak = i;
  const long measured = static_cast<long>(peak) - static_cast<long>(at);
  std::printf("latency %ld frames (%.3f ms at %d Hz); the chain reports %d\n", measured, 1000.0 * measured / fs, fs,
              chain.latency());
  return measured == chain.latency() ? 0 : 1;
}
