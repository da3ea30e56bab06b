// SPDX-License-Identifier: MIT
// The mastering job (lathe/job.hpp): bounded memory whatever the length, the spill path
// bit-identical to the in-memory one, cancel and failure leave nothing, the checks read
// no audio.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/job.hpp"
#include "lathe/test_signals.hpp"

namespace fs = std::filesystem;
using lathe::test::Run;
using lathe::test::slurp;

namespace {

lathe::MasterJob job_for(const lathe::test::CliScratch& s, const std::string& in, const std::string& out) {
  lathe::MasterJob job;
  job.input = s.path(in);
  job.output = s.path(out);
  job.preset = *lathe::builtin_preset("streaming");
  return job;
}

}  // namespace

TEST_CASE("a job's caches spill past the memory budget and give the same bytes", "[job][model]") {
  lathe::test::CliScratch s("job-spill");
  REQUIRE_FALSE(lathe::write_audio(s.path("in.wav"), {48000, 2, 24}, lathe::signals::music_like(8.0, 48000, 11)));
  auto in_memory = job_for(s, "in.wav", "a.wav");
  auto spilled = job_for(s, "in.wav", "b.wav");
  spilled.memory_budget_bytes = 1 << 20;  // 1 MiB: 8 s of 48 kHz needs 4.6 MB of front cache
  const auto a = lathe::run_master_job(in_memory, nullptr);
  const auto b = lathe::run_master_job(spilled, nullptr);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  REQUIRE_FALSE(a->cache_spilled);
  REQUIRE(b->cache_spilled);
  REQUIRE(slurp(s.path("a.wav")) == slurp(s.path("b.wav")));
  REQUIRE(a->passes == b->passes);
  REQUIRE(a->after.integrated_lufs == b->after.integrated_lufs);
  for (const auto& f : s.files()) REQUIRE(f[0] != '.');  // the scratch file has no name
}

// [address_limit]: it runs the CLI under `ulimit -v`, which AddressSanitizer's shadow memory
// cannot live with; scripts/test_sanitizers.sh leaves this label out.
TEST_CASE("a long file masters under a memory limit far below what the whole file needs", "[job][cli][address_limit]") {
  lathe::test::CliScratch s("job-ulimit");
  // 6 minutes at 44.1 kHz: 15.9 M frames. Held whole, as the job once did, that is 127 MB
  // of input, 190 MB of front cache and 2 x 127 MB of outputs: about 570 MB.
  const double seconds = 360.0;
  REQUIRE_FALSE(lathe::write_audio(s.path("long.wav"), {44100, 2, 24}, lathe::signals::music_like(seconds, 44100, 12)));
  // Address space limited to 200 MB (the binary and its libraries take about 60 MB).
  const Run limited =
      s.shell("ulimit -v 200000 && LATHE_JOB_MEMORY_MB=32 " + std::string(LATHE_CLI) + " master " + s.path("long.wav") +
              " " + s.path("limited.wav") + " --preset streaming");
  INFO(limited.err);
  REQUIRE(limited.exit_code == 0);
  REQUIRE_THAT(limited.out, Catch::Contains("-14.0 LUFS"));
  // The same job with no limit, everything in memory: the same bytes.
  const Run free = s.lathe("master " + s.path("long.wav") + " " + s.path("free.wav") + " --preset streaming -q");
  REQUIRE(free.exit_code == 0);
  REQUIRE(slurp(s.path("limited.wav")) == slurp(s.path("free.wav")));
  // With the default budget (512 MiB) under the same limit: the caches take what memory
  // there is and spill the rest, and the bytes are the same.
  const Run starved = s.shell("ulimit -v 200000 && " + std::string(LATHE_CLI) + " master " + s.path("long.wav") + " " +
                              s.path("starved.wav") + " -q");
  INFO(starved.err);
  REQUIRE(starved.exit_code == 0);
  REQUIRE(slurp(s.path("starved.wav")) == slurp(s.path("free.wav")));
  for (const auto& f : s.files()) REQUIRE(f[0] != '.');
}

TEST_CASE("a cancelled or failed job leaves OUT and the preset as they were", "[job][model]") {
  lathe::test::CliScratch s("job-cancel");
  REQUIRE_FALSE(lathe::write_audio(s.path("in.wav"), {48000, 2, 24}, lathe::signals::music_like(4.0, 48000, 13)));
  std::ofstream(s.path("out.wav")) << "old master";
  std::ofstream(s.path("p.json")) << "old preset";
  auto job = job_for(s, "in.wav", "out.wav");
  job.save_preset = s.path("p.json");
  for (const std::string stop_at : {"analysing", "limiting", "writing"}) {
    INFO(stop_at);
    bool reached = false;
    const auto r = lathe::run_master_job(job, nullptr, [&](const std::string& stage, double) {
      reached = reached || stage == stop_at;
      return !reached;
    });
    REQUIRE(reached);
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error() == lathe::Errc::kCancelled);
    REQUIRE(slurp(s.path("out.wav")) == "old master");
    REQUIRE(slurp(s.path("p.json")) == "old preset");
    REQUIRE(s.files() == std::set<std::string>{"in.wav", "out.wav", "p.json"});
  }
  // Success publishes both.
  const auto ok = lathe::run_master_job(job, nullptr);
  REQUIRE(ok.has_value());
  REQUIRE(lathe::load_preset_file(s.path("p.json")).has_value());
  REQUIRE(lathe::read_audio(s.path("out.wav")).has_value());
}

TEST_CASE("the job's checks read no audio and name what is wrong", "[job][model]") {
  lathe::test::CliScratch s("job-check");
  REQUIRE_FALSE(lathe::write_audio(s.path("in.wav"), {44100, 2, 24}, lathe::signals::music_like(1.0, 44100, 14)));
  auto job = job_for(s, "in.wav", "out.wav");
  REQUIRE_FALSE(lathe::check_master_job(job));
  job.preset.params.lim.ceiling_dbtp = 3;
  REQUIRE(lathe::check_master_job(job) == lathe::Errc::kInvalidSetting);
  job = job_for(s, "in.wav", "out.wav");
  job.preset.params.eq.bands[0][0] = {lathe::FilterType::Peak, 30000.0, 1.0, 1.0};  // > 0.49 x 44.1 kHz
  const auto rate = lathe::check_master_job(job);
  REQUIRE(rate == lathe::Errc::kInvalidSetting);
  REQUIRE_THAT(rate.message(), Catch::Contains("44100 Hz"));
  job = job_for(s, "in.wav", "in.wav");
  REQUIRE(lathe::check_master_job(job) == lathe::Errc::kSameFile);
  job = job_for(s, "missing.wav", "out.wav");
  REQUIRE(lathe::check_master_job(job) == lathe::Errc::kCannotOpen);
  job = job_for(s, "in.wav", "out.mp9");
  REQUIRE(lathe::check_master_job(job) == lathe::Errc::kUnknownOutputFormat);
  REQUIRE(s.files() == std::set<std::string>{"in.wav"});
}
