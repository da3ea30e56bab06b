// SPDX-License-Identifier: MIT
// The usb back end through real libusb against the virtual board (lathe-virtual-board:
// umockdev emulates the kernel's usbfs, the Verilated lathe_top is the FPGA). Every case
// runs the lathe CLI as a user would and checks what the user gets: the same bytes as the
// model, or a clear error, a non-zero exit and no output file.
#include <cmath>
#include <cstdlib>
#include <csignal>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/loudness.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/registers.hpp"
#include "lathe/test_signals.hpp"
#include "live_reference.hpp"

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
  // A shell script run under the virtual board: $PPID is the virtual board (for its
  // plug-in and pull signals), $OUT and $ERR the files this scratch captures stdout and
  // stderr in, and wait_for PATTERN FILE PID waits until FILE has a line matching PATTERN,
  // or fails the script if process PID has ended first. The scripts wait on what the
  // programs say, never for a guessed time; coreutils' timeout bounds a hang.
  Run run_script(const std::string& vb_args, const std::string& body) const {
    const std::string file = path("script.sh");
    std::ofstream(file) << "OUT='" << path("stdout") << "'\nERR='" << path("stderr") << "'\n"
                        << "LATHE='" << LATHE_CLI << "'\n"
                        << "wait_for() {\n"
                        << "  until grep -q \"$1\" \"$2\"; do\n"
                        << "    if ! kill -0 \"$3\" 2>/dev/null; then\n"
                        << "      grep -q \"$1\" \"$2\" && return 0\n"
                        << "      echo \"script: process $3 ended before '$1'\" >&2; exit 3\n"
                        << "    fi\n"
                        << "    sleep 0.05\n"
                        << "  done\n"
                        << "}\n"
                        << body;
    return shell("timeout -k 5 150 " + std::string(LATHE_VIRTUAL_BOARD) + " " + vb_args + " -- sh " + file);
  }
  std::string input(int rate, double seconds, uint32_t seed) const {
    const std::string p = path("in" + std::to_string(rate) + ".wav");
    REQUIRE_FALSE(write_audio(p, {rate, 2, 24}, signals::music_like(seconds, rate, seed)));
    return p;
  }
};

// What a failed job must leave behind: only what was there before it (and the test's
// own script, when it ran one).
void check_nothing_written(const Scratch& s, const std::string& in) {
  auto files = s.files();
  files.erase("script.sh");
  CHECK(files == std::set<std::string>{fs::path(in).filename().string(), "stdout", "stderr"});
}

// The bytes the host sent to the board, from lathe-virtual-board --stats; -1 if absent.
long long bytes_from_host(const std::string& err) {
  std::smatch m;
  static const std::regex stats(R"(virtual board \S+: (\d+) bytes from the host)");
  return std::regex_search(err, m, stats) ? std::stoll(m[1]) : -1;
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
  // The virtual board is the RTL under Verilator: on a busy machine it can be quiet for
  // more than a real board's second between replies (usb_link_options()).
  ::setenv("LATHE_USB_REPLY_TIMEOUT_MS", "20000", 1);
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
  // The board is plugged in once lathe says it is waiting for one, not after a guessed time.
  const Run r = s.run_script("--attach-on-signal --verbose",
                             "\"$LATHE\" master " + in + " " + s.path("usb.wav") +
                                 " --device usb --wait-for-board 120 &\n"
                                 "m=$!\n"
                                 "wait_for 'waiting up to' \"$ERR\" $m\n"
                                 "kill -USR2 $PPID\n"
                                 "wait $m\n");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // It waited: it said so before the board existed, and then found it.
  const auto waiting = r.err.find("waiting up to");
  const auto plugged = r.err.find("LATHE-VB1 plugged in");
  REQUIRE(waiting != std::string::npos);
  REQUIRE(plugged != std::string::npos);
  CHECK(waiting < plugged);
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));

  // Without waiting, no board is an error at once: here no board ever comes, so a lathe
  // that waited anyway would only end by coreutils' timeout (exit 124).
  fs::remove(s.path("usb.wav"));
  fs::remove(s.path("model.wav"));
  const Run now = s.run("--attach-on-signal", "master " + in + " " + s.path("usb.wav") + " --device usb");
  INFO(now.err);
  CHECK(now.exit_code != 0);
  CHECK(now.exit_code != 124);
  CHECK_THAT(now.err, Catch::Contains("no board"));
  CHECK_THAT(now.err, !Catch::Contains("waiting"));
  check_nothing_written(s, in);
}

TEST_CASE("lathe devices --watch reports a board plugged in and pulled out", "[usb][hotplug]") {
  Scratch s("watch");
  // Plugged in once the listing is out (the watch starts before it, so the board must be
  // reported as attached, not listed), pulled once the arrival is reported.
  const Run r = s.run_script("--attach-on-signal",
                             "\"$LATHE\" devices --watch 120 &\n"
                             "w=$!\n"
                             "wait_for '^  usb' \"$OUT\" $w\n"
                             "kill -USR2 $PPID\n"
                             "wait_for '^attached:' \"$OUT\" $w\n"
                             "kill -USR1 $PPID\n"
                             "wait_for '^detached:' \"$OUT\" $w\n"
                             "kill $w\n");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto attached = r.out.find("attached:");
  const auto detached = r.out.find("detached:");
  REQUIRE(attached != std::string::npos);
  REQUIRE(detached != std::string::npos);
  CHECK(attached < detached);
  CHECK_THAT(r.out.substr(0, attached), Catch::Contains("no board attached"));
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
                        Fault{"--hang-after 20000", "time"}, Fault{"--protocol-version 99", "version 99"}}) {
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
  const std::string in = s.input(48000, 3.0, 25);
  REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model --quiet").exit_code == 0);
  // Two programs on one board, as two terminals would be: the second one, started once the
  // virtual board says the first has claimed it, only lists it.
  const Run r = s.run_script("--verbose", "\"$LATHE\" master " + in + " " + s.path("usb.wav") +
                                              " --device usb --quiet &\n"
                                              "m=$!\n"
                                              "wait_for 'LATHE-VB1: claimed' \"$ERR\" $m\n"
                                              "\"$LATHE\" devices\n"
                                              "wait $m\n");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);  // the master job's status
  // The job's claim lasts its 3 s of audio, the listing a fraction of a second: if the
  // job had ended first, the board's log would show its release before the refusal.
  const auto refused = r.err.find("claim refused, in use");
  const auto released = r.err.find("LATHE-VB1: released");
  CHECK(refused != std::string::npos);
  CHECK(refused < released);
  CHECK_THAT(r.out, Catch::Contains("in use by another program"));
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));
}

TEST_CASE("A job on the board stopped by a signal ends at once and writes nothing", "[usb]") {
  Scratch s("interrupt");
  // 4 s of audio, about 1.2 MB to the board; SIGTERM from the virtual board itself when
  // 100 kB have arrived, so the job is surely running and far from done.
  const std::string in = s.input(48000, 4.0, 26);
  constexpr long long kTermAfter = 100000;
  const Run r = s.run("--stats --verbose --term-after " + std::to_string(kTermAfter),
                      "master " + in + " " + s.path("out.wav") + " --device usb");
  INFO(r.err);
  CHECK(r.exit_code == 128 + SIGTERM);
  CHECK_THAT(r.err, Catch::Contains("stopping the command after 100000 bytes"));
  // At once: the host sends nothing more than what was already on its way (a few
  // transfers), not the rest of the job.
  const long long sent = bytes_from_host(r.err);
  CHECK(sent >= kTermAfter);
  CHECK(sent < 2 * kTermAfter);
  check_nothing_written(s, in);
}

// A board's live mode from the command line: `lathe live --device usb` configures the chain,
// switches the board to its codec and shows its counters until SIGINT; the board stays in
// live mode (the virtual board has no codec: no audio clock), so a file job on it is refused
// by name until `--off`, and then runs as before.
TEST_CASE("lathe live --device usb puts the board into live mode until --off, and file jobs say so meanwhile",
          "[usb][live]") {
  Scratch s("live");
  const std::string in = s.input(48000, 0.2, 28);
  REQUIRE(s.lathe("master " + in + " " + s.path("model.wav") + " --device model --quiet").exit_code == 0);
  const Run r = s.run_script(
      "", "\"$LATHE\" live --device usb --rate 96000 --set dither.enabled=false &\n"
          "l=$!\n"
          "wait_for 'live: running' \"$ERR\" $l\n"
          "wait_for 'no audio clock, 0 frames' \"$ERR\" $l\n"
          "kill -INT $l\n"
          "wait $l; echo \"live exit $?\"\n"
          "\"$LATHE\" master " + in + " " + s.path("refused.wav") + " --device usb --quiet; echo \"master exit $?\"\n"
          "\"$LATHE\" live --device usb --off; echo \"off exit $?\"\n"
          "\"$LATHE\" master " + in + " " + s.path("usb.wav") + " --device usb --quiet; echo \"master2 exit $?\"\n");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("board in live mode: 96000 Hz, the codec is the I2S clock master, I2S; latency 267 samples"));
  CHECK_THAT(r.out, Catch::Contains("live exit 0"));
  CHECK_THAT(r.err, Catch::Contains("the board stays in live mode"));
  CHECK_THAT(r.out, Catch::Contains("master exit 1"));
  CHECK_THAT(r.err, Catch::Contains("the board is in live mode"));
  CHECK_FALSE(std::filesystem::exists(s.path("refused.wav")));
  CHECK_THAT(r.out, Catch::Contains("off exit 0"));
  CHECK_THAT(r.out, Catch::Contains("master2 exit 0"));
  CHECK(slurp(s.path("model.wav")) == slurp(s.path("usb.wav")));
}

// The live path of a board with a codec, end to end as a user runs it: the virtual board's
// codec (--codec-in/--codec-out) is the I2S clock master; `lathe live --device usb
// --monitor` configures the chain, puts the board in live mode and meters the monitor
// stream until the virtual board stops it (--stop-after-codec: SIGINT once the programme
// has played and come out). What the DAC recorded must be the model's output for the same
// settings, bit for bit, the reported latency late; the loudness the host metered from the
// monitor stream must be the recording's, by the same meter (libebur128).
TEST_CASE("lathe live --device usb --monitor on a board with a codec: the DAC gets the model's bits at the reported "
          "latency, and the host meters the output's loudness",
          "[usb][live]") {
  Scratch s("live-codec");
  ::setenv("LATHE_USB_REPLY_TIMEOUT_MS", "20000", 1);  // the virtual board's live simulation is slow
  constexpr int kRate = 48000;
  const std::string in = s.input(kRate, 0.6, 41);
  const std::string out = s.path("dac.wav");
  const Run r = s.run("--codec-in " + in + " --codec-out " + out + " --stop-after-codec",
                      "live --device usb --monitor --preset streaming --set dither.enabled=false");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto p = find_preset("streaming");
  REQUIRE(p);
  Preset preset = *p;
  REQUIRE_FALSE(apply_setting(preset, "dither.enabled=false"));
  const reg::RegisterImage regs = to_registers(preset.params, kRate);
  const int latency = 2 + latency_frames(regs);  // the live path's 2 slots (kInfo live_delay) and the chain's
  CHECK_THAT(r.err, Catch::Contains("latency " + std::to_string(latency) + " samples"));

  auto programme = read_audio(in);
  auto recorded = read_audio(out);
  REQUIRE(programme);
  REQUIRE(recorded);
  const std::size_t frames = programme->frames();
  REQUIRE(recorded->frames() >= frames + static_cast<std::size_t>(latency));
  // The model after the silent frames the chain ran between its clear and the programme
  // (live_reference.hpp); the live path adds its 2 slots to the chain's latency.
  const LiveMatch match = match_live_recording(regs, programme->samples, recorded->samples,
                                               frames + static_cast<std::size_t>(latency), 2, 63);
  INFO("closest: the model after " << match.leading_silence << " frames of silence, " << match.mismatches
                                   << " samples differ");
  CHECK(match.mismatches == 0);

  // The host's loudness of the monitor stream against the recording's.
  std::smatch m;
  static const std::regex line(R"(live: monitored (\d+) frames \([\d.]+ s, (\d+) packets lost\): integrated (-?[\d.]+) LUFS)");
  REQUIRE(std::regex_search(r.err, m, line));
  CHECK(std::stoul(m[1]) >= frames);
  CHECK(m[2] == "0");
  auto meter = LoudnessMeter::create(kRate, 2, LoudnessMeter::Measures::kIntegrated);
  REQUIRE(meter);
  REQUIRE_FALSE(meter->add(recorded->samples, 24));
  const double want_lufs = meter->integrated_lufs();
  INFO("monitor " << m[3] << " LUFS, recording " << want_lufs << " LUFS");
  CHECK(std::isfinite(want_lufs));
  CHECK(std::abs(std::stod(m[3]) - want_lufs) < 0.1);
  CHECK_THAT(r.err, Catch::Contains("the board stays in live mode"));
}

TEST_CASE("lathe-virtual-board's codec options: a file it cannot read or write is one line and no run", "[usb][live]") {
  Scratch s("live-codec-bad");
  const std::string in = s.input(48000, 0.05, 42);
  struct Bad {
    std::string args, says;
  };
  for (const Bad& b : {Bad{"--codec-in " + s.path("missing.wav"), "--codec-in: "},
                       Bad{"--codec-in " + in + " --codec-out " + s.path("no/such/dir/out.wav"), "--codec-out: "},
                       Bad{"--codec-out " + s.path("x.wav"), "need --codec-in"},
                       Bad{"--codec-in " + in + " --codec-loop --stop-after-codec", "exclude each other"}}) {
    const Run r = s.shell(std::string(LATHE_VIRTUAL_BOARD) + " " + b.args + " -- true");
    INFO(b.args << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.says));
  }
  CHECK_FALSE(fs::exists(s.path("x.wav")));
}
