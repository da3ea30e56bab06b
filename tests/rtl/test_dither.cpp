// SPDX-License-Identifier: MIT
// lathe_dither against model::Dither, frame by frame and bit for bit: both output widths,
// dither on and off, seeds (incl. 0) latched at clear, seed register changes without a
// clear, inputs at the rounding and saturation edges, random back-pressure, reset seeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include "Vlathe_dither.h"
#include "lathe/model/dither.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "stage_frame.hpp"

using namespace lathe;

namespace {

constexpr uint64_t kBudget = 4;   // cycles from input handshake to out_valid_o
constexpr uint64_t kLatency = 1;  // what the design gives

struct Config {
  bool enabled = true;
  bool out16 = false;
  uint32_t seed = 1;
};

reg::RegisterImage image(const Config& c) {
  reg::RegisterImage r;
  r[reg::kCtrl] = (c.enabled ? reg::kCtrlDither : 0u) | (c.out16 ? reg::kCtrlOut16 : 0u);
  r[reg::kDitherSeed] = c.seed;
  return r;
}

class Bench {
 public:
  explicit Bench(uint32_t seed) : dut_(options(seed)), rng_(seed * 104729u + 1u) {
    dut_->clear_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_.reset();
  }

  // Register change between frames: the model's configure() (the seed waits for clear).
  void configure(const Config& c) {
    dut_->dither_en_i = c.enabled;
    dut_->out16_i = c.out16;
    dut_->seed_i = c.seed;
    ref_.configure(image(c));
  }

  void clear() {
    dut_->clear_i = 1;
    dut_.tick();
    dut_->clear_i = 0;
    ref_.reset();
  }

  void frame(int32_t in_l, int32_t in_r, const std::string& what) {
    if ((rng_.next() & 7) == 0) dut_.tick();  // idle gap
    const auto out = test::push_frame(dut_, rng_, static_cast<uint32_t>(in_l), static_cast<uint32_t>(in_r),
                                      {"dither", 10, kBudget, 100}, frames_);
    max_latency_ = std::max(max_latency_, out.latency);
    const uint32_t got_l = out.left, got_r = out.right;
    const int32_t want_l = ref_.process(in_l);
    const int32_t want_r = ref_.process(in_r);
    const int32_t rtl_l = static_cast<int32_t>(got_l), rtl_r = static_cast<int32_t>(got_r);
    if (rtl_l != want_l || rtl_r != want_r) {
      INFO("stage dither, " << what << ", frame " << frames_ << ": in " << in_l << " " << in_r << "; rtl "
                            << rtl_l << " " << rtl_r << ", model " << want_l << " " << want_r);
      REQUIRE(rtl_l == want_l);
      REQUIRE(rtl_r == want_r);
    }
    ++frames_;
  }

  uint64_t frames() const { return frames_; }
  uint64_t max_latency() const { return max_latency_; }

 private:
  static sim::SimOptions options(uint32_t seed) {
    // Verilator 5.006 parses +verilator+seed+ with strtoull and then tests errno without
    // clearing it first: a stale ERANGE (from libm, say) aborts the run.
    errno = 0;
    sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    return o;
  }

  sim::ClockedModel<Vlathe_dither> dut_;
  model::Dither ref_;
  model::Xorshift32 rng_;
  uint64_t frames_ = 0;
  uint64_t max_latency_ = 0;
};

// A Q5.27 input of one of several classes: anywhere, in the audio range, at a rounding
// boundary of either width, at the saturation edge of either width.
int32_t sample(model::Xorshift32& g) {
  const uint32_t r = g.next();
  const int32_t small = static_cast<int32_t>(g.next() % 8193) - 4096;
  switch (r % 8) {
    case 0: return static_cast<int32_t>(g.next());
    case 1: return static_cast<int32_t>(g.next()) >> (4 + g.next() % 28);
    case 2: return static_cast<int32_t>(g.next()) >> 4;
    case 3: {  // x.5 LSB of the 16-bit word, +- dither span
      const int32_t base = (static_cast<int32_t>(g.next()) >> 16) * 4096 + 2048;
      return base + small;
    }
    case 4: {  // x.5 LSB of the 24-bit word, +- a little
      const int32_t base = (static_cast<int32_t>(g.next()) >> 8) * 16 + 8;
      return base + small / 512;
    }
    case 5: return (g.next() & 1 ? (1 << 27) : -(1 << 27)) + small;  // full scale
    case 6: {
      const int32_t edge[4] = {INT32_MIN, INT32_MAX, 0, -1};
      return edge[g.next() % 4];
    }
    default: return static_cast<int32_t>(g.next()) >> 2;  // +-8 x full scale: saturates
  }
}

}  // namespace

TEST_CASE("lathe_dither equals the model: both widths, on/off, seeds at clear, register changes", "[rtl]") {
  Bench bench(3);
  model::Xorshift32 g(99);
  Config c;
  c.seed = 0x1a7e1a7eu;
  bench.configure(c);
  bench.clear();
  for (int block = 0; block < 400; ++block) {
    const uint32_t r = g.next();
    Config next = c;
    next.enabled = (r & 3) != 0;
    next.out16 = (r >> 2) & 1;
    if (((r >> 3) & 3) == 0) next.seed = g.next();           // new seed register value
    if (((r >> 5) & 15) == 0) next.seed = 0;                  // acts as 1
    bench.configure(next);
    // A clear latches the seed register; without one the sequence runs on.
    if (((r >> 9) & 3) == 0) bench.clear();
    c = next;
    const int n = 200 + static_cast<int>(g.next() % 1200);
    const std::string what = "block " + std::to_string(block) + (c.enabled ? ", dither" : ", plain") +
                             (c.out16 ? ", 16-bit" : ", 24-bit") + ", seed " + std::to_string(c.seed);
    for (int i = 0; i < n; ++i) bench.frame(sample(g), sample(g), what);
  }
  INFO("latency " << bench.max_latency());
  CHECK(bench.frames() >= 250000);
  CHECK(bench.max_latency() == kLatency);
}

TEST_CASE("lathe_dither starts like a fresh model after reset and clears across reset seeds", "[rtl]") {
  for (uint32_t seed : {1u, 2u, 7u}) {
    Bench bench(seed);
    model::Xorshift32 g(seed + 500);
    // No clear after reset: the generator starts at 1, as a default-constructed model does.
    Config c;
    c.enabled = true;
    c.out16 = seed % 2 == 0;
    c.seed = 0xdeadbeefu;
    bench.configure(c);
    for (int i = 0; i < 3000; ++i) bench.frame(sample(g), sample(g), "after reset, no clear");
    for (uint32_t s : {0u, 1u, 0x80000000u, 0xffffffffu, seed}) {
      c.seed = s;
      bench.configure(c);
      bench.clear();
      for (int i = 0; i < 3000; ++i) bench.frame(sample(g), sample(g), "seed " + std::to_string(s));
      c.out16 = !c.out16;
      bench.configure(c);
      for (int i = 0; i < 3000; ++i) bench.frame(sample(g), sample(g), "seed " + std::to_string(s) + ", width change");
    }
    CHECK(bench.frames() >= 33000);
  }
}
