// SPDX-License-Identifier: MIT
// LinkDevice over the simulated board: the CLI's sim back end against the model, byte for
// byte, and the meters and link counters read through the protocol.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "check_meters.hpp"
#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/master.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/sim/sim_backend.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;
namespace fs = std::filesystem;

namespace {

using test::slurp;

struct Scratch : test::CliScratch {
  Scratch() : CliScratch("sim-link") {}
};

std::unique_ptr<Device> open_sim(const sim::Ft232hOptions& chip = {}) {
  auto opened = sim::open_sim_device({}, chip);
  INFO((opened ? opened->message : opened.error().message()));
  REQUIRE(opened);
  return std::move(opened->device);
}

// The model's output and meters for a job: what the board must reproduce.
struct Reference {
  std::vector<int32_t> output;
  model::Meters meters;
};
Reference model_reference(const reg::RegisterImage& regs, const std::vector<int32_t>& in) {
  ModelDevice model;
  Reference r;
  REQUIRE_FALSE(run_device(model, regs, in, r.output));
  r.meters = required_meters(model, true);
  return r;
}

}  // namespace

TEST_CASE("lathe master --device sim writes the same file as --device model", "[sim][link]") {
  Scratch s;
  for (const int fs : {48000, 96000}) {
    const double seconds = fs == 48000 ? 3.0 : 2.0;
    const std::string in = s.path("in" + std::to_string(fs) + ".wav");
    REQUIRE_FALSE(write_audio(in, {fs, 2, 24}, signals::music_like(seconds, fs, 11)));
    for (const char* preset : {"streaming", "cd"}) {
      const std::string model_out = s.path(std::string("model-") + preset + ".wav");
      const std::string sim_out = s.path(std::string("sim-") + preset + ".wav");
      const std::string common = std::string(" --preset ") + preset + " --quiet";
      REQUIRE(s.lathe("master " + in + " " + model_out + " --device model" + common).exit_code == 0);
      const auto run = s.lathe("master " + in + " " + sim_out + " --device sim" + common);
      INFO(fs << " Hz, " << preset << ": " << run.err);
      REQUIRE(run.exit_code == 0);
      const std::string a = slurp(model_out), b = slurp(sim_out);
      CHECK(a.size() > 100000);
      CHECK(a == b);
    }
  }
}

TEST_CASE("Meters and link counters read through the simulated board", "[sim][link]") {
  const int fs = 48000;
  const auto in = signals::music_like(1.0, fs, 12);
  const auto regs = to_registers(builtin_preset("streaming")->params, fs);
  const Reference want = model_reference(regs, in);
  std::vector<int32_t> got;
  auto device = open_sim();
  auto& link = static_cast<LinkDevice&>(*device);
  const auto err = run_device(link, regs, in, got);
  INFO(err.message());
  REQUIRE_FALSE(err);
  CHECK(got == want.output);

  CHECK(want.meters.frames > 0);
  check_meters_equal(required_meters(link, true), want.meters);
  CHECK(required_meters(link, false).frames == 0);

  // A clean job leaves every packet-layer counter at zero.
  std::vector<uint8_t> counters;
  for (int a = reg::kLinkDiscardedBytes; a <= reg::kLinkRepliesDropped; ++a) counters.push_back(static_cast<uint8_t>(a));
  const auto values = link.read_registers(counters);
  INFO((values ? "" : values.error().message()));
  REQUIRE(values);
  CHECK(*values == std::vector<uint32_t>(counters.size(), 0));
}

TEST_CASE("The simulated board stays bit-exact when the FT232H stalls at random", "[sim][link]") {
  const int fs = 48000;
  const auto in = signals::music_like(0.4, fs, 13);
  const auto regs = to_registers(builtin_preset("cd")->params, fs);
  const Reference want = model_reference(regs, in);
  std::vector<int32_t> got;
  sim::Ft232hOptions chip;
  chip.seed = 5;
  chip.rx_stall_rate = 0.02;
  chip.tx_stall_rate = 0.02;
  chip.max_stall_cycles = 200;
  auto device = open_sim(chip);
  const auto err = run_device(*device, regs, in, got);
  INFO(err.message());
  REQUIRE_FALSE(err);
  CHECK(got == want.output);
}

TEST_CASE("open_device(\"sim\") goes through the registered back end", "[sim][link]") {
  sim::register_sim_backend();
  auto opened = open_device("sim");
  INFO((opened ? opened->message : opened.error().message()));
  REQUIRE(opened);
  CHECK(opened->device->info().backend == Backend::kSim);
  CHECK(opened->device->info().protocol_version == protocol::kVersion);
  CHECK_THAT(opened->message, Catch::Contains("version " + std::to_string(protocol::kVersion)));
}
