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
    if (auto e = board->write_control(reg::kLiveCtrl, 0)) return e.within("live_ctrl");
    std::fprintf(stderr, "live: %s\nlive: live mode off; the board takes files again\n", opened->message.c_str());
    return {};
  }
  // Configure the chain first (commit, clear), then switch the board to its codec.
  if (auto e = board->write_control(reg::kLiveCtrl, 0)) return e.within("live_ctrl");
  if (auto e = board->write_registers(to_registers(o.params, o.sample_rate))) return e;
  if (auto e = board->reset()) return e;
  uint32_t ctrl = reg::kLiveCtrlEnable | (1u << reg::kLiveCtrlMclkDivLsb);
  if (o.fpga_master) ctrl |= reg::kLiveCtrlClockMaster;
  if (o.left_justified) ctrl |= reg::kLiveCtrlLeftJustified;
  std::optional<LoudnessMeter> loudness;
  if (o.monitor) {
    auto m = LoudnessMeter::create(o.sample_rate, 2, LoudnessMeter::Measures::kLive);
    if (!m) return m.error().within("monitor");
    loudness.emplace(std::move(*m));
    ctrl |= reg::kLiveCtrlMonitor;
    board->keep_monitor(true);
  }
  if (auto e = board->write_control(reg::kLiveCtrl, ctrl)) return e.within("live_ctrl");

  const int latency = board->board_info().live_delay + latency_frames(to_registers(o.params, o.sample_rate));
  std::fprintf(stderr, "live: %s\n", opened->message.c_str());
  std::fprintf(stderr, "live: board in live mode: %d Hz, %s is the I2S clock master, %s; latency %d samples (%.3f ms)\n",
               o.sample_rate, o.fpga_master ? "the FPGA" : "the codec", o.left_justified ? "left-justified" : "I2S",
               latency, 1000.0 * latency / o.sample_rate);
  std::fprintf(stderr, "live: running; SIGINT or SIGTERM stops showing (the board stays in live mode)\n");
  std::fflush(stderr);

  const bool tty = isatty(STDERR_FILENO);
  Error ended;
  uint64_t monitored = 0, lost_packets = 0;
  // The monitor stream is read in short waits; the counters and meters every 250 ms.
  auto shown = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (;;) {
    const timespec tick{0, loudness ? 0 : 250'000'000};
    const int sig = sigtimedwait(&stop, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (loudness) {
      auto m = board->read_monitor(std::chrono::milliseconds(20));
      if (!m) {
        ended = m.error().within("monitor stream");
        break;
      }
      if (!m->frames.empty()) {
        if (auto e = loudness->add(m->frames, 24)) {
          ended = e.within("monitor stream");
          break;
        }
        monitored += m->frames.size() / 2;
      }
      lost_packets += m->lost_packets;
      const auto now = std::chrono::steady_clock::now();
      if (now - shown < std::chrono::milliseconds(250)) continue;
      shown = now;
    }
    const uint8_t addrs[] = {reg::kLiveStatus, reg::kLiveFrames, reg::kLiveRxErrors, reg::kLiveUnderruns,
                             reg::kLiveLate, reg::kLiveClockStops};
    const auto v = board->read_registers(addrs);
    if (!v) {
      ended = v.error().within("live counters");
      break;
    }
    const auto m = board->read_meters(true);
    if (!m) {
      ended = m.error().within("meters");
      break;
    }
    if (!o.quiet) {
      const bool running = ((*v)[0] & reg::kLiveStatusRunning) != 0;
      char level[96] = "";
      if (loudness)
        std::snprintf(level, sizeof level, "; M %.1f, S %.1f, I %.1f LUFS", loudness->momentary_lufs(),
                      loudness->shortterm_lufs(), loudness->integrated_lufs());
      std::fprintf(stderr,
                   tty ? "\rlive: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS%s   "
                       : "live: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS%s\n",
                   running ? "audio" : "no audio clock", (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5],
                   dbfs(m->out_peak[0]), dbfs(m->out_peak[1]), level);
      std::fflush(stderr);
    }
  }
  if (tty && !o.quiet) std::fprintf(stderr, "\n");
  if (ended) return ended;
  if (loudness) {
    // Nobody listens to the monitor stream any more: off, which leaves the audio untouched.
    // The frames the board sent before it are still on their way (a host that fell behind
    // can be many packets back): the write's reply comes after what was queued before it,
    // and the few frames left in the board's output FIFO follow at once. They are metered
    // too, so the report covers everything the board sent.
    if (auto e = board->write_control(reg::kLiveCtrl, ctrl & ~reg::kLiveCtrlMonitor)) return e.within("live_ctrl");
    for (int reads = 0; reads < 1000; ++reads) {
      auto m = board->read_monitor(std::chrono::milliseconds(100));
      if (!m) return m.error().within("monitor stream");
      lost_packets += m->lost_packets;
      if (m->frames.empty()) break;
      if (auto e = loudness->add(m->frames, 24)) return e.within("monitor stream");
      monitored += m->frames.size() / 2;
    }
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
