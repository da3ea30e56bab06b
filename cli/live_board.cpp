// SPDX-License-Identifier: MIT
// `lathe live --device usb[:SERIAL] [--off]` (live_board.hpp): a board's own live path.
#include "live_board.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <optional>

#include "lathe/board_live.hpp"
#include "lathe/device.hpp"
#include "lathe/link_device.hpp"
#include "lathe/loudness.hpp"

namespace lathe::live {
namespace {

double dbfs(uint32_t peak24) { return peak24 == 0 ? -HUGE_VAL : 20.0 * std::log10(peak24 / 8388608.0); }

}  // namespace

Error run_board(const BoardRunOptions& o) {
  // SIGINT and SIGTERM wait for sigtimedwait below: blocked before any thread starts (the
  // driver's event thread inherits the mask), or one of them would take the signal.
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &old);
  struct Restore {
    sigset_t mask;
    ~Restore() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{old};
  auto opened = open_device(o.device);
  if (!opened) return opened.error();
  auto* board = dynamic_cast<LinkDevice*>(opened->device.get());
  if (!board) return {Errc::kInvalidArgument, "live --device " + o.device + ": live mode needs a board (usb)"};
  if (o.off) {
    if (auto e = BoardLive::off(*board)) return e;
    std::fprintf(stderr, "live: %s\nlive: live mode off; the board takes files again\n", opened->message.c_str());
    return {};
  }
  std::optional<LoudnessMeter> loudness;
  if (o.monitor) {
    auto m = LoudnessMeter::create(o.sample_rate, 2, LoudnessMeter::Measures::kLive);
    if (!m) return m.error().within("monitor");
    loudness.emplace(std::move(*m));
  }
  BoardLiveOptions options;
  options.sample_rate = o.sample_rate;
  options.fpga_master = o.fpga_master;
  options.left_justified = o.left_justified;
  options.monitor = o.monitor;
  auto live = BoardLive::start(*board, to_registers(o.params, o.sample_rate), options);
  if (!live) return live.error();

  std::fprintf(stderr, "live: %s\n", opened->message.c_str());
  std::fprintf(stderr, "live: board in live mode: %d Hz, %s is the I2S clock master, %s; latency %d samples (%.3f ms)\n",
               o.sample_rate, o.fpga_master ? "the FPGA" : "the codec", o.left_justified ? "left-justified" : "I2S",
               live->latency(), live->latency_ms());
  std::fprintf(stderr, "live: running; SIGINT or SIGTERM stops showing (the board stays in live mode)\n");
  std::fflush(stderr);

  const bool tty = isatty(STDERR_FILENO);
  Error ended;
  uint64_t monitored = 0, lost_packets = 0;
  auto meter = [&](const LinkDevice::Monitor& m) -> Error {
    lost_packets += m.lost_packets;
    if (m.frames.empty()) return {};
    if (auto e = loudness->add(m.frames, 24)) return e.within("monitor stream");
    monitored += m.frames.size() / 2;
    return {};
  };
  // The monitor stream is read in short waits; the counters and meters every 250 ms.
  auto shown = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (;;) {
    const timespec tick{0, loudness ? 0 : 250'000'000};
    const int sig = sigtimedwait(&stop, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (loudness) {
      auto m = live->monitor(std::chrono::milliseconds(20));
      if (!m) {
        ended = std::move(m.error());
        break;
      }
      if ((ended = meter(*m))) break;
      const auto now = std::chrono::steady_clock::now();
      if (now - shown < std::chrono::milliseconds(250)) continue;
      shown = now;
    }
    const auto c = live->counters();
    if (!c) {
      ended = std::move(c.error());
      break;
    }
    const auto m = board->read_meters(true);
    if (!m) {
      ended = m.error().within("meters");
      break;
    }
    if (!o.quiet) {
      char level[96] = "";
      if (loudness)
        std::snprintf(level, sizeof level, "; M %.1f, S %.1f, I %.1f LUFS", loudness->momentary_lufs(),
                      loudness->shortterm_lufs(), loudness->integrated_lufs());
      std::fprintf(stderr,
                   tty ? "\rlive: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS%s   "
                       : "live: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS%s\n",
                   c->running ? "audio" : "no audio clock", c->frames, c->rx_errors, c->underruns, c->late,
                   c->clock_stops, dbfs(m->out_peak[0]), dbfs(m->out_peak[1]), level);
      std::fflush(stderr);
    }
  }
  if (tty && !o.quiet) std::fprintf(stderr, "\n");
  if (ended) return ended;
  if (loudness) {
    // Nobody listens to the monitor stream any more: off, and the frames still on their way
    // metered too, so the report covers everything the board sent.
    auto rest = live->stop_monitor();
    if (!rest) return rest.error();
    if (auto e = meter(*rest)) return e;
    const LoudnessReport r = loudness->report();
    std::fprintf(stderr,
                 "live: monitored %llu frames (%.2f s, %llu packets lost): integrated %.2f LUFS, momentary max %.2f "
                 "LUFS, short-term max %.2f LUFS, true peak %.2f dBTP\n",
                 static_cast<unsigned long long>(monitored), static_cast<double>(monitored) / o.sample_rate,
                 static_cast<unsigned long long>(lost_packets), r.integrated_lufs, r.momentary_max_lufs,
                 r.shortterm_max_lufs, r.true_peak_dbtp);
  }
  std::fprintf(stderr, "live: stopped showing; the board stays in live mode with these settings "
                       "(lathe live --device %s --off ends it)\n",
               o.device.c_str());
  return {};
}

}  // namespace lathe::live
