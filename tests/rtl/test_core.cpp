// SPDX-License-Identifier: MIT
// Bit-exactness of the whole chain: the Verilated lathe_core and the reference model give
// identical output samples and meters, over random parameter sets, signals, rates,
// parameter changes mid-stream (bypass switched in and out among them: its fade) and
// reset-randomisation seeds.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "lathe/master.hpp"
#include "lathe/preset.hpp"
#include "lathe/sim/core_device.hpp"
#include "check_meters.hpp"
#include "random_params.hpp"

using namespace lathe;

namespace {

void require_equal(const std::vector<int32_t>& rtl, const std::vector<int32_t>& model, const std::string& what) {
  REQUIRE(rtl.size() == model.size());
  for (std::size_t i = 0; i < rtl.size(); ++i) {
    if (rtl[i] != model[i]) {
      FAIL(what << ": first mismatch at frame " << i / 2 << (i % 2 ? " right" : " left") << ": rtl " << rtl[i]
                << ", model " << model[i]);
    }
  }
}

// Runs `jobs` random jobs; each job: random parameters, a random signal, several blocks
// with new parameters committed between blocks (no reset), meters compared at the end.
std::size_t run_jobs(uint32_t seed, int jobs, std::size_t frames_per_block) {
  sim::SimOptions options;
  options.seed = seed;
  sim::CoreDevice rtl(options);
  ModelDevice model;
  test::Random r(seed * 7919u);
  const char* kSignals[] = {"music", "sine", "fs4", "noise", "impulses", "square"};
  std::size_t frames = 0;
  for (int job = 0; job < jobs; ++job) {
    const int fs = std::array<int, 3>{44100, 48000, 96000}[r.integer(0, 2)];
    const std::string signal = kSignals[r.integer(0, 5)];
    ChainParams p = test::random_params(r, fs);
    reg::RegisterImage regs = to_registers(p, fs);
    INFO("seed " << seed << " job " << job << " at " << fs << " Hz, " << signal);
    REQUIRE_FALSE(rtl.write_registers(regs));
    REQUIRE_FALSE(model.write_registers(regs));
    REQUIRE_FALSE(rtl.reset());
    REQUIRE_FALSE(model.reset());
    for (int block = 0; block < 3; ++block) {
      if (block > 0) {  // new parameters mid-stream, committed at a frame boundary
        ChainParams q = test::random_params(r, fs);
        q.lim.lookahead_ms = p.lim.lookahead_ms;  // takes effect at reset only, in both
        q.bypass = r.integer(0, 1) == 1;           // switched by its fade, in both
        regs = to_registers(q, fs);
        REQUIRE_FALSE(rtl.write_registers(regs));
        REQUIRE_FALSE(model.write_registers(regs));
      }
      const auto in = test::test_signal(signal, fs, frames_per_block, r);
      std::vector<int32_t> out_rtl(in.size()), out_model(in.size());
      REQUIRE_FALSE(rtl.process(in, out_rtl));
      REQUIRE_FALSE(model.process(in, out_model));
      require_equal(out_rtl, out_model, "block " + std::to_string(block));
      frames += in.size() / 2;
    }
    check_meters_equal(required_meters(rtl, true), required_meters(model, true));
  }
  return frames;
}

}  // namespace

TEST_CASE("lathe_core equals the model: random jobs, reset seed 1", "[rtl][core]") {
  WARN(run_jobs(1, 12, 12000) << " frames compared");
}
TEST_CASE("lathe_core equals the model: random jobs, reset seed 2", "[rtl][core]") {
  WARN(run_jobs(2, 12, 12000) << " frames compared");
}
TEST_CASE("lathe_core equals the model: random jobs, reset seed 3", "[rtl][core]") {
  WARN(run_jobs(3, 12, 12000) << " frames compared");
}

TEST_CASE("lathe_core gives the model's mastering job output, bit for bit", "[rtl][core]") {
  for (int fs : {48000, 96000}) {
    const auto in = signals::music_like(2.0, fs, 6);
    const Preset preset = *builtin_preset("streaming");
    MasterOptions options;
    options.params = preset.params;
    options.target_lufs = preset.target_lufs;
    MasterResult by_model;
    REQUIRE_FALSE(master(in, fs, options, nullptr, by_model));
    sim::CoreDevice rtl;
    MasterResult by_rtl;
    REQUIRE_FALSE(master(in, fs, options, &rtl, by_rtl));
    require_equal(by_rtl.output, by_model.output, "mastering job at " + std::to_string(fs));
  }
}

TEST_CASE("lathe_core: a register write the core does not take is reported and dropped", "[rtl][core]") {
  sim::CoreDevice rtl;
  REQUIRE_FALSE(rtl.write_registers(to_registers(builtin_preset("streaming")->params, 48000)));
  REQUIRE_FALSE(rtl.write_register(reg::kDitherSeed, 0x1111));
  // A commit copies 224 words, and the register file holds writes off meanwhile: it
  // starts one cycle after the command (the status read), so 8 cycles see no acceptance.
  REQUIRE_FALSE(rtl.write_register(reg::kCommand, reg::kCmdCommit));
  rtl.read_register(reg::kStatus);  // only its cycle counts here
  const Error e = rtl.write_register(reg::kDitherSeed, 0x2222, 8);
  CHECK(e == Errc::kTimeout);
  CHECK(e.message() ==
        "lathe_core did not take the write of register 0x18 within 8 cycles (its register file stayed busy)");
  // Dropped, not half done: once the copy is over the shadow holds the earlier word.
  REQUIRE_FALSE(rtl.reset());
  CHECK(rtl.read_register(reg::kDitherSeed) == 0x1111);
  // With the normal budget the same write waits out a copy and is taken.
  REQUIRE_FALSE(rtl.write_register(reg::kCommand, reg::kCmdCommit));
  rtl.read_register(reg::kStatus);
  const uint64_t before = rtl.cycles();
  REQUIRE_FALSE(rtl.write_register(reg::kDitherSeed, 0x2222));
  CHECK(rtl.cycles() - before > 200);
  CHECK(rtl.read_register(reg::kDitherSeed) == 0x2222);
}
