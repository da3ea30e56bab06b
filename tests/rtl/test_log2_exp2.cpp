// SPDX-License-Identifier: MIT
// The log2/exp2 units against the model's primitives: every leading-one position and
// table index, the edges, and random values.
#include <catch2/catch.hpp>

#include "Vlathe_log2_exp2_tb.h"
#include "lathe/fixed_point.hpp"
#include "lathe/model/dither.hpp"
#include "lathe/sim/clocked_model.hpp"

using namespace lathe;

TEST_CASE("lathe_log2 and lathe_exp2 equal the model for every input class", "[rtl]") {
  sim::SimOptions options;
  options.seed = 7;
  sim::ClockedModel<Vlathe_log2_exp2_tb> dut(options);
  dut.reset();
  model::Xorshift32 rng(3);
  std::vector<uint32_t> mags = {0, 1, 2, 3, 1023, 1024, 1025, 0x7fffffff, 0x80000000u, 0xffffffffu};
  for (int msb = 0; msb < 32; ++msb)
    for (uint32_t idx = 0; idx < 1024; idx += 37) mags.push_back((1u << msb) | (msb >= 10 ? idx << (msb - 10) : idx >> (10 - msb)));
  std::vector<int32_t> vs = {0, -1, 1, INT32_MIN, INT32_MAX, 3 << 16, (4 << 16) - 1, 4 << 16, -24 << 16, -25 << 16, -28 << 16, -(28 << 16) + 1};
  for (int i = 0; i < 200000; ++i) {
    mags.push_back(rng.next() >> (rng.next() % 32));
    vs.push_back(static_cast<int32_t>(rng.next()) >> (rng.next() % 32));
  }
  const std::size_t n = std::max(mags.size(), vs.size());
  for (std::size_t i = 0; i < n; ++i) {
    const uint32_t m = mags[i % mags.size()];
    const int32_t v = vs[i % vs.size()];
    dut->valid_i = 1;
    dut->mag_i = m;
    dut->v_i = static_cast<uint32_t>(v);
    dut.tick();
    REQUIRE(dut->log2_valid_o);
    const int32_t log2_rtl = static_cast<int32_t>(dut->log2_o << 8) >> 8;  // sign-extend 24 bits
    INFO("mag " << m << " v " << v);
    REQUIRE(log2_rtl == fx::log2_q16(m));
    REQUIRE(static_cast<int32_t>(dut->gain_o) == fx::exp2_gain_q27(v));
  }
}
