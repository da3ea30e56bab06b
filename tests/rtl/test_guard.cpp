// SPDX-License-Identifier: MIT
// lathe_tp_guard against model::TruePeakGuard, frame by frame and bit for bit: both get the same frames
// (the limiter's output in the chain; here signals at and over the ceiling, so that the guard reduces)
// and the same ceiling register; outputs must be identical on every frame. Random input gaps and
// output back-pressure, clears mid-stream, ceiling changes between frames (the register is used live).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include "Vlathe_tp_guard.h"
#include "lathe/model/dither.hpp"
#include "lathe/model/true_peak_guard.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "stage_frame.hpp"

using namespace lathe;

namespace {

// The design's schedule (rtl/core/lathe_tp_guard.sv): steps 0..97 after the handshake cycle, then
// out_valid_o; with out_ready_i high that cycle is the output handshake and the next cycle takes a frame.
constexpr uint64_t kLastStep = 97;
constexpr uint64_t kLatency = kLastStep + 2;  // input handshake cycle to out_valid_o: 99
constexpr uint64_t kFramePeriod = kLatency + 1;  // input handshake to the next at full rate: 100
constexpr uint64_t kFrameInterval = 120;  // the core's budget is 128 cycles a frame at 192 kHz
constexpr double kFullScale = 134217728.0;  // 1.0 in Q5.27

uint32_t ceiling_db(double db) { return static_cast<uint32_t>(std::llround(kFullScale * std::pow(10.0, db / 20.0))); }

double uniform(model::Xorshift32& rng) { return static_cast<double>(rng.next()) / 4294967296.0; }
double uniform(model::Xorshift32& rng, double lo, double hi) { return lo + (hi - lo) * uniform(rng); }

int32_t to_q27(double v) {
  return static_cast<int32_t>(std::llround(std::clamp(v * kFullScale, -2147483648.0, 2147483647.0)));
}

class Bench {
 public:
  explicit Bench(uint32_t seed) : dut_(options(seed)), rng_(seed * 7919u + 1) {
    dut_->clear_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_.reset();
    model_.reset();  // the RTL after rst_ni is the model after reset()
    set_ceiling(1u << 27);
  }

  void set_ceiling(uint32_t c) {
    reg::RegisterImage r;
    r[reg::kLimGuardCeiling] = c;
    model_.configure(r);
    model_.settle();  // the stage takes its port as it is; the glide is lathe_core's
    dut_->ceiling_i = c;
    ceiling_ = c;
  }
  uint32_t ceiling() const { return ceiling_; }

  void clear() {
    reduced_before_ += model_.reduced_frames();
    model_.reset();
    idle(rng_.next() % 3);
    dut_->clear_i = 1;
    dut_.settle();
    REQUIRE(!dut_->in_ready_o);  // no transfer together with a clear
    dut_.tick();
    dut_->clear_i = 0;
    dut_.settle();
  }

  void frame(int32_t left, int32_t right) {
    if (rng_.next() % 4 == 0) idle(rng_.next() % 5);  // input gaps
    const auto out = test::push_frame(dut_, rng_, static_cast<uint32_t>(left), static_cast<uint32_t>(right),
                                      {"guard", 4, kLatency, 1000}, frames_);
    max_latency_ = std::max(max_latency_, out.latency);
    int32_t l = left, r = right;
    model_.process(l, r);
    const int32_t rtl_l = static_cast<int32_t>(out.left), rtl_r = static_cast<int32_t>(out.right);
    if (rtl_l != l || rtl_r != r) {
      INFO("stage guard, " << context_ << ", frame " << frames_ << " (segment frame " << segment_frames_
                           << "), input " << left << " " << right << ", ceiling " << ceiling_ << ", model gain "
                           << model_.gain());
      INFO("left: rtl " << rtl_l << " model " << l << "; right: rtl " << rtl_r << " model " << r);
      FAIL("guard output differs from the model");
    }
    ++frames_;
    ++segment_frames_;
  }

  void set_context(std::string c) {
    context_ = std::move(c);
    segment_frames_ = 0;
  }
  uint64_t frames() const { return frames_; }
  uint64_t reduced() const { return reduced_before_ + model_.reduced_frames(); }
  uint64_t max_latency() const { return max_latency_; }
  model::Xorshift32& rng() { return rng_; }

  // Frames offered back to back with out_ready_i high: cycles between input handshakes.
  uint64_t full_rate_interval(int frames) {
    dut_->out_ready_i = 1;
    dut_->in_valid_i = 1;
    uint64_t last = 0, worst = 0;
    for (int f = 0; f < frames;) {
      dut_->in_left_i = rng_.next() >> 4;
      dut_->in_right_i = rng_.next() >> 4;
      dut_.settle();
      const bool take = dut_->in_ready_o;
      if (take) {
        int32_t l = static_cast<int32_t>(dut_->in_left_i), r = static_cast<int32_t>(dut_->in_right_i);
        model_.process(l, r);
        if (f > 0) worst = std::max(worst, dut_.cycles() - last);
        last = dut_.cycles();
        ++f;
        ++frames_;
      }
      dut_.tick();
    }
    dut_->in_valid_i = 0;
    for (int i = 0; i < 200; ++i) dut_.tick();  // the last frame leaves
    return worst;
  }

 private:
  static sim::SimOptions options(uint32_t seed) {
    errno = 0;  // Verilator 5.006 tests a stale errno after parsing +verilator+seed+
    sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    return o;
  }
  void idle(unsigned n) {
    dut_->in_valid_i = 0;
    for (unsigned i = 0; i < n; ++i) dut_.tick();
  }

  sim::ClockedModel<Vlathe_tp_guard> dut_;
  model::TruePeakGuard model_;
  model::Xorshift32 rng_;
  uint32_t ceiling_ = 0;
  uint64_t frames_ = 0, segment_frames_ = 0, reduced_before_ = 0, max_latency_ = 0;
  std::string context_;
};

enum Kind { kUniform, kClippedNoise, kNyquist, kJumps, kSilence, kWide, kKinds };
const char* const kKindNames[kKinds] = {"uniform", "clipped noise", "near-Nyquist cosines", "level jumps",
                                        "silence", "full 32-bit range"};

// One segment of a signal of this kind around the ceiling c (linear, 1.0 = full scale), interleaved.
std::vector<int32_t> segment(Kind kind, double c, int frames, model::Xorshift32& rng) {
  std::vector<int32_t> v(2 * static_cast<std::size_t>(frames));
  const double f_l = uniform(rng, 0.43, 0.499), f_r = uniform(rng, 0.43, 0.499);
  const double ph_l = uniform(rng, 0, 2 * std::numbers::pi), ph_r = uniform(rng, 0, 2 * std::numbers::pi);
  const double amp = c * uniform(rng, 0.9, 1.0);
  double level = uniform(rng, 0.05, 1.0);
  for (int n = 0; n < frames; ++n) {
    double l = 0, r = 0;
    switch (kind) {
      case kUniform:
        l = uniform(rng, -amp, amp);
        r = uniform(rng, -amp, amp);
        break;
      case kClippedNoise: {
        const double g = uniform(rng, 1.0, 4.0) * c;
        l = std::clamp(g * (uniform(rng) + uniform(rng) + uniform(rng) - 1.5), -c, c);
        r = std::clamp(g * (uniform(rng) + uniform(rng) + uniform(rng) - 1.5), -c, c);
        break;
      }
      case kNyquist:
        l = amp * std::cos(2 * std::numbers::pi * f_l * n + ph_l);
        r = amp * std::cos(2 * std::numbers::pi * f_r * n + ph_r);
        break;
      case kJumps:
        if (rng.next() % 40 == 0) level = rng.next() & 1 ? uniform(rng, 0.9, 1.0) : uniform(rng, 0.0, 0.2);
        l = level * c * std::cos(2 * std::numbers::pi * f_l * n + ph_l);
        r = level * c * (rng.next() & 1 ? 1.0 : -1.0);
        break;
      case kSilence:
        break;
      case kWide:
        v[2 * n] = static_cast<int32_t>(rng.next());
        v[2 * n + 1] = rng.next() % 8 == 0 ? (rng.next() & 1 ? INT32_MIN : INT32_MAX) : static_cast<int32_t>(rng.next());
        continue;
      default:
        break;
    }
    v[2 * n] = to_q27(l);
    v[2 * n + 1] = to_q27(r);
  }
  return v;
}

}  // namespace

TEST_CASE("lathe_tp_guard equals the model: signals at the ceiling, three ceilings, clears, stalls", "[rtl]") {
  Bench bench(11);
  model::Xorshift32 rng(2027);
  const uint32_t ceilings[] = {ceiling_db(0.0), ceiling_db(-1.0), ceiling_db(-3.0)};
  REQUIRE(ceilings[0] == 0x08000000u);
  int seg = 0;
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < kKinds; ++k, ++seg) {
      const uint32_t c = ceilings[(seg + round) % 3];
      bench.set_ceiling(c);
      if (rng.next() % 3 != 0) bench.clear();  // else the guard's state runs on across the change
      const int frames = 600 + static_cast<int>(rng.next() % 600);
      char what[160];
      std::snprintf(what, sizeof what, "segment %d: %s, ceiling 0x%08x", seg, kKindNames[k], c);
      bench.set_context(what);
      const auto v = segment(static_cast<Kind>(k), c / kFullScale, frames, rng);
      for (std::size_t i = 0; i < v.size(); i += 2) {
        bench.frame(v[i], v[i + 1]);
        // Now and then the ceiling moves by a little between frames (the register is live).
        if (rng.next() % 500 == 0) bench.set_ceiling(c - (rng.next() % 0x200000));
        // A clear in the middle of a segment.
        if (rng.next() % 700 == 0) bench.clear();
      }
    }
  }
  WARN(bench.frames() << " frames compared, " << bench.reduced() << " with a guard gain below unity, latency "
                      << bench.max_latency() << " cycles");
  CHECK(bench.reduced() * 4 > bench.frames());  // a good share of the frames exercise reductions
}

TEST_CASE("lathe_tp_guard takes a frame every 100 cycles at full rate and equals the model there", "[rtl]") {
  Bench bench(5);
  const uint64_t interval = bench.full_rate_interval(300);
  WARN("frame interval at full rate: " << interval << " cycles");
  CHECK(interval == kFramePeriod);
  CHECK(interval <= kFrameInterval);
  // The model ran on the same frames; the next frames still match (state, delay line).
  model::Xorshift32 rng(7);
  const auto v = segment(kNyquist, 1.0, 200, rng);
  for (std::size_t i = 0; i < v.size(); i += 2) bench.frame(v[i], v[i + 1]);
}
