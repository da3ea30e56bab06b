// SPDX-License-Identifier: MIT
// splitmix64 (Steele, Lea, Flood 2014): a small generator that gives the same numbers on
// every platform, for the codec model's jitter and the RTL benches' seeded stimulus.
#pragma once
#include <cstdint>

namespace lathe::sim {

inline uint64_t splitmix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace lathe::sim
