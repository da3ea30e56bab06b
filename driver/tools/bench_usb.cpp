// SPDX-License-Identifier: MIT
// A board's link, measured: register round trips (the latency a parameter change sees)
// and a mastering job's device pass (throughput and the host's CPU time per second of
// audio), with the transport's counters, and the output checked bit for bit against the
// model. scripts/bench_usb.sh runs it under the virtual board.
// usage: lathe-bench-usb [seconds=4] [rate=48000] [serial]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "lathe/master.hpp"
#include "lathe/preset.hpp"
#include "lathe/test_signals.hpp"
#include "lathe/usb/usb_backend.hpp"

namespace {
double cpu_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 48000;
  const std::string serial = argc > 3 ? argv[3] : "";
  if (!(seconds > 0) || rate <= 0) {
    std::fprintf(stderr, "usage: lathe-bench-usb [seconds] [rate] [serial]\n");
    return 2;
  }
  auto opened = lathe::usb::open_usb_board_link(serial);
  if (!opened) {
    std::fprintf(stderr, "lathe-bench-usb: %s\n", opened.error().message().c_str());
    return 1;
  }
  auto& board = *opened;
  std::printf("%s\n", board.message.c_str());

  // Register round trips: one kRegRead of the status register and its reply.
  constexpr int kRoundTrips = 200;
  std::vector<double> trip_ms;
  const uint8_t status[] = {lathe::reg::kStatus};
  for (int i = 0; i < kRoundTrips; ++i) {
    const auto t0 = Clock::now();
    if (const auto read = board.device->read_registers(status); !read) {
      std::fprintf(stderr, "lathe-bench-usb: register read: %s\n", read.error().message().c_str());
      return 1;
    }
    trip_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(trip_ms.begin(), trip_ms.end());
  std::printf("  register round trip  median %.2f ms, 99th percentile %.2f ms, max %.2f ms (%d reads)\n",
              trip_ms[trip_ms.size() / 2], trip_ms[trip_ms.size() * 99 / 100], trip_ms.back(), kRoundTrips);

  const auto preset = *lathe::builtin_preset("streaming");
  const auto in = lathe::signals::music_like(seconds, rate, 1);
  lathe::MasterOptions options;
  options.params = preset.params;
  options.target_lufs = preset.target_lufs;
  lathe::MasterResult on_model;
  if (auto err = lathe::master(in, rate, options, nullptr, on_model)) {
    std::fprintf(stderr, "lathe-bench-usb: model: %s\n", err.message().c_str());
    return 1;
  }
  const auto before = board.transport->counters();
  Clock::time_point device_start{};
  double process_cpu0 = 0, caller_cpu0 = 0;
  options.progress = [&](const std::string& stage, double) {
    if (stage == "device" && device_start == Clock::time_point{}) {
      device_start = Clock::now();
      process_cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
      caller_cpu0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    }
    return true;
  };
  lathe::MasterResult on_board;
  if (auto err = lathe::master(in, rate, options, board.device.get(), on_board)) {
    std::fprintf(stderr, "lathe-bench-usb: job: %s\n", err.message().c_str());
    return 1;
  }
  const double device_s = std::chrono::duration<double>(Clock::now() - device_start).count();
  // The caller's thread runs the protocol client and the transport's read()/write(); the
  // rest of the process is the transport's event thread (libusb and the callbacks, and
  // under the virtual board umockdev's forwarding of every ioctl).
  const double process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0;
  const double caller_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - caller_cpu0;
  const auto after = board.transport->counters();
  const bool exact = on_board.output == on_model.output;
  const double out_mb = static_cast<double>(after.bytes_out - before.bytes_out) / 1e6;
  const double in_mb = static_cast<double>(after.bytes_in - before.bytes_in) / 1e6;
  const uint64_t transfers_in = after.transfers_in - before.transfers_in;
  std::printf("  device pass          %.1f s of audio at %d Hz in %.2f s = %.2fx real time; output %s the model's\n",
              seconds, rate, device_s, seconds / device_s, exact ? "equals" : "DIFFERS FROM");
  std::printf("  host -> board        %.2f MB in %llu transfers, %.2f MB/s\n", out_mb,
              static_cast<unsigned long long>(after.transfers_out - before.transfers_out), out_mb / device_s);
  std::printf("  board -> host        %.2f MB in %llu transfers (%llu status only), %.2f MB/s, %.0f bytes per transfer\n",
              in_mb, static_cast<unsigned long long>(transfers_in),
              static_cast<unsigned long long>(after.status_only_in - before.status_only_in), in_mb / device_s,
              transfers_in ? 1e6 * in_mb / static_cast<double>(transfers_in) : 0.0);
  std::printf("  IN queue high-water  %zu bytes\n", after.max_queued_in);
  std::printf("  host CPU             %.1f ms per second of audio (%.1f ms protocol client and transport calls, "
              "%.1f ms event thread)\n",
              1e3 * process_cpu / seconds, 1e3 * caller_cpu / seconds, 1e3 * (process_cpu - caller_cpu) / seconds);
  return exact ? 0 : 1;
}
