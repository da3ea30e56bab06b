// SPDX-License-Identifier: MIT
// `lathe live --device usb[:SERIAL] [--off]` (live_board.hpp): a board's own live path.
#include "live_board.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>

#include "lathe/device.hpp"
#include "lathe/link_device.hpp"

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
  for (;;) {
    const timespec tick{0, 250'000'000};
    const int sig = sigtimedwait(&stop, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
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
      std::fprintf(stderr,
                   tty ? "\rlive: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS   "
                       : "live: %s, %u frames, %u slot errors, %u underruns, %u late, %u clock stops; out %.1f/%.1f dBFS\n",
                   running ? "audio" : "no audio clock", (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5],
                   dbfs(m->out_peak[0]), dbfs(m->out_peak[1]));
      std::fflush(stderr);
    }
  }
  if (tty && !o.quiet) std::fprintf(stderr, "\n");
  if (ended) return ended;
  std::fprintf(stderr, "live: stopped showing; the board stays in live mode with these settings "
                       "(lathe live --device %s --off ends it)\n",
               o.device.c_str());
  return {};
}

}  // namespace lathe::live
