// SPDX-License-Identifier: MIT
// `lathe live --jack` (jack_client.hpp): a JackSession and a loop around it. The main
// thread waits for SIGINT and SIGTERM with sigtimedwait and prints the status line once
// a second; the session's own threads do the rest (jack_session.cpp).
#include "jack_client.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace lathe::live {
namespace {

std::string status_line(const SessionStatus& s) {
  char line[256];
  int n = std::snprintf(line, sizeof line, "%.1f s of audio, %llu xruns", s.rate ? static_cast<double>(s.frames) / s.rate : 0.0,
                        static_cast<unsigned long long>(s.xruns));
  if (s.priming > 0) {
    std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n),
                  ", %llu dropouts (%llu frames), %llu input frames dropped, %llu device blocks, device %s",
                  static_cast<unsigned long long>(s.dropouts), static_cast<unsigned long long>(s.dropout_frames),
                  static_cast<unsigned long long>(s.overflow_frames), static_cast<unsigned long long>(s.blocks),
                  s.device_failed ? "FAILED (output silent)" : "ok");
  }
  return line;
}

Error run(JackSession& session, const JackOptions& options) {
  const std::string& name = session.client_name();
  const SessionStatus st = session.status();
  const bool model = st.priming == 0;
  std::fprintf(stderr, "live: %s\n", session.device_message().c_str());
  std::fprintf(stderr, "live: JACK client '%s' on server '%s': %d Hz, %d-frame periods; latency %d frames (%.2f ms): chain %d",
               name.c_str(), session.server_name().c_str(), st.rate, st.period, st.latency, 1000.0 * st.latency / st.rate,
               st.chain_latency);
  if (!model) std::fprintf(stderr, " + queue priming %d periods (%d)", options.priming_periods, st.priming);
  std::fprintf(stderr, "\nlive: running: ports %s:in_L %s:in_R %s:out_L %s:out_R; SIGINT or SIGTERM stops\n", name.c_str(),
               name.c_str(), name.c_str(), name.c_str());
  std::fflush(stderr);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  auto next_status = t0 + std::chrono::seconds(1);
  bool failure_reported = false;
  auto report_failure = [&] {
    if (failure_reported || !session.status().device_failed) return;
    if (tty && !options.quiet) std::fprintf(stderr, "\n");
    std::fprintf(stderr, "live: device failed: %s; the output is silence from now on (the client keeps running)\n",
                 session.failure().c_str());
    std::fflush(stderr);
    failure_reported = true;
  };
  Error ended;
  bool freewheel = false;
  for (;;) {
    const timespec tick{0, 100'000'000};
    const int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    report_failure();
    // Nobody reads the meters here: drain them (the queue would only fill).
    for (MeterSnapshot m; session.poll_meters(m);) {
    }
    for (AppliedConfig a; session.poll_applied(a);) {
    }
    if (sig == SIGINT || sig == SIGTERM) break;
    // Said once per change: in freewheel a slow device is waited for, not dropped.
    if (const bool fw = session.status().freewheel; fw != freewheel) {
      freewheel = fw;
      std::fprintf(stderr, "%slive: freewheel %s\n", tty && !options.quiet ? "\n" : "", fw ? "on" : "off");
      std::fflush(stderr);
    }
    if (session.status().server_gone) {
      ended = Error(Errc::kDisconnected, "live --jack: the JACK server shut down");
      break;
    }
    // The status line is the user's view of the session: the wall clock is right here.
    if (!options.quiet && std::chrono::steady_clock::now() >= next_status) {
      next_status += std::chrono::seconds(1);
      std::fprintf(stderr, tty ? "\rlive: %s   " : "live: %s\n", status_line(session.status()).c_str());
      std::fflush(stderr);
    }
  }
  const SessionStatus final_status = session.status();
  session.close();
  if (tty && !options.quiet) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "live: stopped: %s\n", status_line(final_status).c_str());
  if (!ended && final_status.device_failed)
    ended = Error(Errc::kDisconnected, "live --jack: the device failed during the session: " + session.failure());
  return ended;
}

}  // namespace

Error run_jack(const JackOptions& options) {
  // SIGINT and SIGTERM are taken by the main thread's sigtimedwait: blocked here, before
  // libjack starts its threads, so that they inherit the mask and none of them gets one.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
  Error result;
  {
    auto session = JackSession::open(options);
    if (!session) result = session.error();
    else result = run(**session, options);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return result;
}

}  // namespace lathe::live
