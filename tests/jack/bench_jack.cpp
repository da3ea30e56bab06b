// SPDX-License-Identifier: MIT
// lathe-bench-jack: one `lathe live --jack` session on a dummy jackd of its own, as the
// tests run it (tests/jack/jack_session.hpp), with the figures printed instead of judged:
// the latency lathe's ports report, the shift measured between played and recorded, the
// samples that differ from `lathe master`, and the xruns. scripts/bench_jack.sh runs it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "jack_session.hpp"

using namespace lathe::test;

int main(int argc, char** argv) {
  LiveCase c;
  c.settings = {"--preset", "streaming", "--set", "dither.enabled=false"};
  int period = 64;
  bool realtime = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "lathe-bench-jack: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device") c.device = value();
    else if (a == "--period") period = std::atoi(value().c_str());
    else if (a == "--seconds") c.seconds = std::atof(value().c_str());
    else if (a == "--freewheel") c.freewheel = true;
    else if (a == "--real-time") c.freewheel = false;
    else if (a == "--realtime-server") realtime = true;
    else if (a == "--wrapper") c.wrapper = {value(), "--"};
    else {
      std::fprintf(stderr,
                   "usage: lathe-bench-jack [--device model|sim|usb] [--period FRAMES] [--seconds S] "
                   "[--freewheel|--real-time] [--realtime-server] [--wrapper PROGRAM]\n");
      return 2;
    }
  }
  CliScratch s("bench-jack");
  JackServer server(s, period, realtime);
  if (!server.up()) {
    std::fprintf(stderr, "lathe-bench-jack: jackd did not start\n");
    return 1;
  }
  const Outcome o = run_live(s, server, c);
  if (!o.error.empty()) {
    std::fprintf(stderr, "lathe-bench-jack: %s\n", o.error.c_str());
    return 1;
  }
  std::string stopped;
  if (const auto at = o.lathe_log.rfind("live: stopped: "); at != std::string::npos)
    stopped = o.lathe_log.substr(at, o.lathe_log.find('\n', at) - at);
  std::printf("%s, %d-frame periods, %s server, %s, %.0f s: reported %ld, measured %ld, differing samples %ld, xruns %llu; %s\n",
              c.device.c_str(), period, realtime ? "SCHED_FIFO" : "non-realtime", c.freewheel ? "freewheel" : "real time",
              c.seconds, o.reported, o.measured, o.mismatches, static_cast<unsigned long long>(o.xruns), stopped.c_str());
  return 0;
}
