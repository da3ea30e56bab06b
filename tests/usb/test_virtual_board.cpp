// SPDX-License-Identifier: MIT
// The usb back end through real libusb against the virtual board (lathe-virtual-board:
// umockdev emulates the kernel's usbfs, the Verilated lathe_top is the FPGA). Every case
// runs the lathe CLI as a user would and checks what the user gets: the same bytes as the
// model, or a clear error, a non-zero exit and no output file.
#include <csignal>

#include <catch2/catch.hpp>
#include <filesystem>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;
namespace fs = std::filesystem;

namespace {

using test::Run;
using test::slurp;

struct Scratch : test::CliScratch {
  explicit Scratch(const std::string& name) : CliScratch("usb-" + name) {}

  // lathe-virtual-board VB_ARGS -- lathe LATHE_ARGS, bounded by coreutils' timeout so a
  // hang fails the case instead of the whole run.
  Run run(const std::string& vb_args, const std::string& lathe_args) const {
    return shell("timeout -k 5 150 " + std::string(LATHE_VIRTUAL_BOARD) + " " + vb_args + " -- " + LATHE_CLI + " " +
                 lathe_args);
  }
  std::string input(int rate, double seconds, uint32_t seed) const {
    const std::string p = path("in" + std::to_string(rate) + ".wav");
    REQUIRE_FALSE(write_audio(p, {rate, 2, 24}, signals::music_like(seconds, rate, seed)));
    return p;
  }
};

// What a failed job must leave behind: only what was there before it.
void check_nothing_written(const Scratch& s, const std::string& in) {
  CHECK(s.files() == std::set<std::string>{fs::path(in).filename().string(), "stdout", "stderr"});
}

}  // namespace

TEST_CASE("lathe devices lists every attached board with its serial and protocol", "[usb]") {
  Scratch s("devices");
  const Run r = s.run("--serial LATHE-A7 --serial LATHE-B3", "devices");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("model"));
  CHECK_THAT(r.out, Catch::Contains("LATHE-A7"));
  CHECK_THAT(r.out, Catch::Contains("LATHE-B3"));
  CHECK_THAT(r.out, Catch::Contains("4c415448"));  // core id from kInfo: the board answered

  // With no board at all the usb line says so and names what it looked for.
  const Run none = s.lathe("devices");
  INFO(none.out << none.err);
  REQUIRE(none.exit_code == 0);
  CHECK_THAT(none.out, Catch::Contains("0403:6014"));
}

TEST_CASE("The driver sets up the FT232H for the synchronous FIFO", "[usb]") {
  Scratch s("setup");
  const Run r = s.run("--verbose", "devices");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // Bit mode 0x40 with all pins, a 1 ms latency timer, purges: the virtual board only
  // passes data once the chip is in FIFO mode, so the kInfo answer above proves the order.
  CHECK_THAT(r.err, Catch::Contains("control 40 0b value 40ff"));
  CHECK_THAT(r.err, Catch::Contains("control 40 09 value 0001"));
  CHECK_THAT(r.err, Catch::Contains("control 40 00 value 0001"));
  CHECK_THAT(r.err, Catch::Contains("control 40 00 value 0002"));
}

TEST_CASE("lathe master --device usb writes the same file as --device model", "[usb]") {
  Scratch s("master");
  struct Case {
    int rate;
    double seconds;
    const char* preset;
    const char* vb_args;
  };
  for (const Case c : {Case{48000, 2.0, "streaming", ""}, Case{96000, 1.0, "cd", ""},
                       Case{48000, 1.0, "broadcast", "--fifo-stalls 0.02 --seed 9"}}) {
    const std::string in = s.input(c.rate, c.seconds, 21);
    const std::string common = std::string(" --preset ") + c.preset + " --quiet";
    REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model" + common).exit_code == 0);
    const Run r = s.run(c.vb_args, "master " + in + " " + s.path("usb.wav") + " --device usb" + common);
    INFO(c.rate << " Hz, " << c.preset << " " << c.vb_args << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string a = slurp(s.path("model.wav")), b = slurp(s.path("usb.wav"));
    CHECK(a.size() > 100000);
    CHECK(a == b);
  }
}

TEST_CASE("A serial number picks one of several boards", "[usb]") {
  Scratch s("serial");
  const std::string in = s.input(48000, 0.5, 22);
  REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model --quiet").exit_code == 0);

  const Run picked = s.run("--serial LATHE-A7 --serial LATHE-B3", "master " + in + " " + s.path("usb.wav") +
                                                                          " --device usb:LATHE-B3");
  INFO(picked.err);
  REQUIRE(picked.exit_code == 0);
  CHECK_THAT(picked.err, Catch::Contains("LATHE-B3"));
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));
  fs::remove(s.path("usb.wav"));
  fs::remove(s.path("model.wav"));

  // Two boards and no serial: which one is the user's choice, not ours.
  const Run ambiguous = s.run("--serial LATHE-A7 --serial LATHE-B3", "master " + in + " " + s.path("usb.wav") +
                                                                             " --device usb");
  INFO(ambiguous.err);
  CHECK(ambiguous.exit_code != 0);
  CHECK_THAT(ambiguous.err, Catch::Contains("LATHE-A7") && Catch::Contains("LATHE-B3"));

  const Run missing = s.run("--serial LATHE-A7", "master " + in + " " + s.path("usb.wav") + " --device usb:LATHE-Z9");
  INFO(missing.err);
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("LATHE-Z9"));
  check_nothing_written(s, in);
}

TEST_CASE("A board plugged in while lathe waits for one is found", "[usb][hotplug]") {
  Scratch s("hotplug");
  const std::string in = s.input(48000, 0.5, 23);
  REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model --quiet").exit_code == 0);
  const Run r = s.run("--attach-after 1500",
                         "master " + in + " " + s.path("usb.wav") + " --device usb --wait-for-board 20 --quiet");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.seconds > 1.5);
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));

  // Without waiting, no board is an error at once.
  fs::remove(s.path("usb.wav"));
  fs::remove(s.path("model.wav"));
  const Run now = s.run("--attach-after 5000", "master " + in + " " + s.path("usb.wav") + " --device usb");
  INFO(now.err);
  CHECK(now.exit_code != 0);
  CHECK(now.seconds < 4.0);
  CHECK_THAT(now.err, Catch::Contains("no board"));
  check_nothing_written(s, in);
}

TEST_CASE("lathe devices --watch reports a board plugged in and pulled out", "[usb][hotplug]") {
  Scratch s("watch");
  // Plugged in and pulled out by signals to the virtual board ($PPID of the shell), once
  // the listing has had time to start, so a slow start cannot turn "attached" into "listed".
  const Run r = s.shell("timeout -k 5 150 " + std::string(LATHE_VIRTUAL_BOARD) + " --attach-on-signal -- sh -c '" +
                        LATHE_CLI + " devices --watch 5 & w=$!; sleep 1.5; kill -USR2 $PPID; sleep 1.5; " +
                        "kill -USR1 $PPID; wait $w'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto attached = r.out.find("attached:");
  const auto detached = r.out.find("detached:");
  REQUIRE(attached != std::string::npos);
  REQUIRE(detached != std::string::npos);
  CHECK(attached < detached);
  CHECK_THAT(r.out.substr(attached, detached - attached), Catch::Contains("LATHE-VB1"));
  CHECK_THAT(r.out.substr(detached), Catch::Contains("LATHE-VB1"));
}

TEST_CASE("Faults on the USB end the job with the error the user needs and no output file", "[usb][faults]") {
  Scratch s("faults");
  const std::string in = s.input(48000, 1.0, 24);
  struct Fault {
    const char* vb_args;
    const char* says;  // what the error must mention
  };
  for (const Fault f : {Fault{"--unplug-after 20000", "unplugged"}, Fault{"--stall-after 6000", "stall"},
                        Fault{"--hang-after 20000", "time"}, Fault{"--protocol-version 2", "version 2"}}) {
    const Run r = s.run(f.vb_args, "master " + in + " " + s.path("out.wav") + " --device usb");
    INFO(f.vb_args << ": exit " << r.exit_code << ", " << r.seconds << " s\n" << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code != 124);  // coreutils' timeout: lathe hung
    CHECK_THAT(r.err, Catch::Contains(f.says, Catch::CaseSensitive::No));
    check_nothing_written(s, in);
  }
}

TEST_CASE("A board in use by another program says so and the job on it goes on", "[usb]") {
  Scratch s("busy");
  const std::string in = s.input(48000, 2.0, 25);
  REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model --quiet").exit_code == 0);
  // Two programs on one board, as two terminals would be: the second one only lists it.
  const std::string both = "sh -c '" + std::string(LATHE_CLI) + " master " + in + " " + s.path("usb.wav") +
                           " --device usb --quiet & sleep 1; " + LATHE_CLI + " devices; wait $!'";
  const Run r = s.shell("timeout -k 5 150 " + std::string(LATHE_VIRTUAL_BOARD) + " -- " + both);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);  // the master job's status
  CHECK_THAT(r.out, Catch::Contains("in use by another program"));
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));
}

TEST_CASE("A job on the board stopped by a signal ends at once and writes nothing", "[usb]") {
  Scratch s("interrupt");
  const std::string in = s.input(48000, 4.0, 26);
  // SIGTERM reaches lathe through the virtual board. (Not SIGINT: sh starts a background
  // job with SIGINT ignored, and lathe rightly leaves an ignored signal alone.)
  const Run r = s.shell("sh -c '" + std::string(LATHE_VIRTUAL_BOARD) + " -- " + LATHE_CLI + " master " + in + " " +
                        s.path("out.wav") + " --device usb & pid=$!; sleep 2; kill -TERM $pid; wait $pid'");
  INFO(r.err);
  CHECK(r.exit_code == 128 + SIGTERM);
  CHECK(r.seconds < 10);
  check_nothing_written(s, in);
}
