// SPDX-License-Identifier: MIT
// `lathe live --jack` on a dummy jackd of the test's own, as a user would run it: a player
// client plays a music-like 48 kHz 24-bit programme into lathe's in ports, a recorder
// client records lathe's out ports, and the recording must be `lathe master IN OUT
// --target-lufs off` with the same settings, bit for bit, shifted by exactly the latency
// lathe's out ports report. Freewheel mode makes the runs deterministic and fast; one run
// is in real time.
//
// Dither is off in every compared run: TPDF dither is a noise sequence from the seed at
// reset, and a live client has processed an unknown number of silent frames by the time
// the programme starts, so its noise is a different stretch of the same sequence.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "cli_scratch.hpp"
#include "jack_session.hpp"
#include "lathe/registers.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/params.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;
using namespace lathe::test;

namespace {

// The round trip through lathe's chain alone: lookahead samples + the limiter's 22.
int chain_latency(double lookahead_ms) { return lookahead_samples(lookahead_ms, kRate) + lathe::reg::kChainExtraDelay; }

void check(const Outcome& o, long expected_latency, const std::string& what) {
  INFO(what << ": reported " << o.reported << ", measured " << o.measured << ", mismatches " << o.mismatches);
  INFO(o.lathe_log);
  INFO(o.error);
  REQUIRE(o.error.empty());
  CHECK(o.reported == expected_latency);
  CHECK(o.measured == o.reported);
  CHECK(o.recorded_whole);
  CHECK(o.mismatches == 0);
  CHECK(o.lathe_exit == 0);
  CHECK_THAT(o.lathe_log, Catch::Contains("live: stopped"));
}

}  // namespace

TEST_CASE("lathe live --jack --device model returns lathe master's output, shifted by the reported latency",
          "[jack][cli]") {
  CliScratch s("jack-model");
  {
    JackServer server(s, 64);
    REQUIRE(server.up());
    // 24-bit streaming and 16-bit cd (the recorder reads a 16-bit value v as v / 2^15).
    for (const char* preset : {"streaming", "cd"}) {
      LiveCase c;
      c.settings = {"--preset", preset, "--set", "dither.enabled=false"};
      c.seconds = 4.0;
      c.seed = 7;
      const Outcome o = run_live(s, server, c);
      check(o, chain_latency(2.0), preset);
      CHECK_THAT(o.lathe_log, Catch::Contains("loudness target"));  // the preset's target: the one-line note
    }
  }
  // A non-default chain on a 128-frame server: drive +6 dB, the compressor working, 0.5 ms lookahead.
  JackServer server(s, 128);
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset",
                "streaming",
                "--set",
                "limiter.drive_db=6",
                "--set",
                "compressor.threshold_db=-30",
                "--set",
                "compressor.ratio=4",
                "--set",
                "limiter.lookahead_ms=0.5",
                "--set",
                "dither.enabled=false"};
  c.seconds = 3.0;
  c.seed = 9;
  c.stop_signal = SIGINT;  // Ctrl-C ends it as cleanly as SIGTERM
  const Outcome o = run_live(s, server, c);
  check(o, chain_latency(0.5), "non-default");
}

TEST_CASE("lathe live --jack --set bypass=true returns the input, delayed by the latency the ports report",
          "[jack][cli]") {
  CliScratch s("jack-bypass");
  JackServer server(s, 64);
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset", "streaming", "--set", "bypass=true", "--set", "dither.enabled=false"};
  c.seconds = 1.0;
  c.seed = 14;
  c.expect_input = true;  // bypass: the programme itself, in line with what the chain would give
  const Outcome o = run_live(s, server, c);
  check(o, chain_latency(2.0), "bypass");
}

TEST_CASE("lathe live --jack --device model in real time (no freewheel) keeps the same shift and bits", "[jack][cli]") {
  CliScratch s("jack-realtime");
  JackServer server(s, 64, true);
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset", "broadcast", "--set", "dither.enabled=false"};
  c.seconds = 1.5;
  c.freewheel = false;
  // A period that misses its deadline (an xrun: a busy machine) is a glitch JACK does not
  // repair, so the bits are compared over a run without one: up to five tries. The shift
  // (the first sound, a few periods in) and the reported latency are checked on every try.
  Outcome o;
  int tries = 0;
  for (uint32_t seed = 10; tries < 5; ++seed) {
    ++tries;
    c.seed = seed;
    o = run_live(s, server, c);
    INFO("real time, try " << tries << ": reported " << o.reported << ", measured " << o.measured << ", mismatches "
                           << o.mismatches << ", xruns " << o.xruns);
    INFO(o.error);
    REQUIRE(o.error.empty());
    CHECK(o.reported == chain_latency(2.0));
    CHECK(o.measured == o.reported);
    if (o.xruns == 0) break;
  }
  if (o.xruns == 0) {
    check(o, chain_latency(2.0), "real time");
  } else {
    WARN("every real-time try had xruns (" << o.xruns << " in the last): bits not compared; the machine is too busy");
  }
}

#ifdef LATHE_TEST_SIM
TEST_CASE("lathe live --jack --device sim (freewheel) returns the model's bits, shifted by priming + chain",
          "[jack][sim][verilated]") {
  CliScratch s("jack-sim");
  JackServer server(s, 64);
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset", "streaming", "--set", "dither.enabled=false", "--set", "compressor.ratio=3"};
  c.seconds = 1.0;
  c.device = "sim";
  c.seed = 11;
  const Outcome o = run_live(s, server, c);
  check(o, 2 * 64 + chain_latency(2.0), "sim");  // two periods of priming
}
#endif

#ifdef LATHE_VIRTUAL_BOARD
TEST_CASE("lathe live --jack --device usb through the virtual board returns the model's bits, shifted by priming + chain",
          "[jack][usb][verilated]") {
  CliScratch s("jack-usb");
  ::setenv("LATHE_USB_REPLY_TIMEOUT_MS", "20000", 1);  // the virtual board is slow (usb_link_options())
  JackServer server(s, 256);  // the emulated USB is slow per transfer: fewer, longer blocks
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset", "cd", "--set", "dither.enabled=false"};
  c.seconds = 1.0;
  c.device = "usb";
  c.wrapper = {LATHE_VIRTUAL_BOARD, "--"};
  c.seed = 12;
  const Outcome o = run_live(s, server, c);
  check(o, 2 * 256 + chain_latency(2.0), "usb");
}

TEST_CASE("lathe live --jack: the board unplugged mid-session leaves the client running, silent, and saying so",
          "[jack][usb][verilated]") {
  CliScratch s("jack-unplug");
  JackServer server(s, 256);
  REQUIRE(server.up());
  LiveCase c;
  c.settings = {"--preset", "streaming", "--set", "dither.enabled=false"};
  c.seconds = 1.5;
  c.device = "usb";
  // Part way through the programme (6 bytes a frame, 72,000 frames), after what the
  // board gets before it starts.
  c.wrapper = {LATHE_VIRTUAL_BOARD, "--unplug-after", "200000", "--"};
  c.wait_before_stop = "live: device failed";  // said while it runs, not only at the end
  c.seed = 13;
  const Outcome o = run_live(s, server, c);
  INFO(o.lathe_log);
  INFO(o.error);
  REQUIRE(o.error.empty());
  // The programme began in place...
  CHECK(o.measured == 2 * 256 + chain_latency(2.0));
  REQUIRE(o.recorded_whole);
  std::size_t first_wrong = 0;
  const std::size_t shift = 2 * static_cast<std::size_t>(std::max(0L, o.measured));
  while (first_wrong < o.expected.size() && o.recording[shift + first_wrong] == o.expected[first_wrong]) ++first_wrong;
  INFO("frames right before the unplug: " << first_wrong / 2);
  CHECK(first_wrong > 2 * static_cast<std::size_t>(first_sound(o.expected)));  // some of it came through the board
  CHECK(first_wrong < o.expected.size() - 2);  // the board went before the end
  // ...and from the unplug on, silence: the recorder got every period (the client kept running).
  std::size_t sound_after = 0;
  for (std::size_t i = shift + first_wrong; i < o.recording.size(); ++i) sound_after += o.recording[i] != 0;
  CHECK(sound_after == 0);
  CHECK_THAT(o.lathe_log, Catch::Contains("live: device failed: "));
  CHECK_THAT(o.lathe_log, Catch::Contains("unplugged"));
  CHECK_THAT(o.lathe_log, Catch::Contains("the output is silence from now on"));
  CHECK_THAT(o.lathe_log, Catch::Contains("live: stopped"));
  CHECK(o.lathe_exit == 1);  // the session's device failed: the work failed
}
#endif

TEST_CASE("lathe live --jack: no server, a bad device or setting is one line and a non-zero status", "[jack][cli]") {
  CliScratch s("jack-bad");
  // No server of that name: libjack must not start one (JackNoStartServer), nor hang.
  const Run none = s.shell("JACK_DEFAULT_SERVER=lathe-no-such-server-" + std::to_string(::getpid()) + " " + LATHE_CLI +
                           " live --jack --preset cd");
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("cannot connect to the JACK server 'lathe-no-such-server"));
  CHECK(std::count(none.err.begin(), none.err.end(), '\n') == 2);  // the target note and the error

  struct Bad {
    const char* args;
    const char* says;
  };
  for (const Bad b : {Bad{"live", "--jack"}, Bad{"live --jack --device gpu", "unknown device 'gpu'"},
                      Bad{"live --jack --device sim:X", "only usb takes a serial"},
                      Bad{"live --jack --set limiter.drive_db=30", "limiter.drive_db"},
                      Bad{"live --jack --set limter.drive_db=3", "limiter.drive_db"},
                      Bad{"live --jack --priming 2", "--priming is for --device sim and usb"},
                      Bad{"live --jack --device sim --priming 0", "--priming needs a whole number"},
                      Bad{"live --jack --frobnicate", "frobnicate"}, Bad{"live --jack --preset nosuch", "nosuch"}}) {
    const Run r = s.lathe(b.args);
    INFO(b.args << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
