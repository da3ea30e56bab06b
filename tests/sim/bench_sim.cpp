// SPDX-License-Identifier: MIT
// Whole-job speed of a mastering job on the sim back end, as `lathe master --device sim`
// runs it (model search, then one pass through the simulated board), and where the time
// goes: the simulated board (Board::run inside the transport) versus the host.
// usage: lathe-bench-sim [seconds=4] [rate=48000] [preset=streaming]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lathe/master.hpp"
#include "lathe/preset.hpp"
#include "lathe/sim/sim_backend.hpp"
#include "lathe/test_signals.hpp"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 48000;
  const std::string preset_name = argc > 3 ? argv[3] : "streaming";
  const auto preset = lathe::builtin_preset(preset_name);
  if (!preset || !(seconds > 0)) {
    std::fprintf(stderr, "usage: lathe-bench-sim [seconds] [rate] [preset]\n");
    return 2;
  }
  const auto in = lathe::signals::music_like(seconds, rate, 1);

  // Same shape as open_sim_device, keeping a handle on the transport for its clock.
  auto transport = std::make_unique<lathe::sim::OwnedBoardTransport>();
  auto* board = transport.get();
  lathe::LinkDevice link(std::move(transport), lathe::sim::sim_link_options());
  if (auto e = link.open()) {
    std::fprintf(stderr, "open: %s\n", e.message().c_str());
    return 1;
  }

  lathe::MasterOptions options;
  options.params = preset->params;
  options.target_lufs = preset->target_lufs;
  const double board_at_open = board->board_seconds();
  double device_start = -1.0;
  const auto t0 = Clock::now();
  auto since_t0 = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  options.progress = [&](const std::string& stage, double) {
    if (stage == "device" && device_start < 0) device_start = since_t0();
    return true;
  };
  lathe::MasterResult result;
  if (auto err = lathe::master(in, rate, options, &link, result)) {
    std::fprintf(stderr, "job: %s\n", err.message().c_str());
    return 1;
  }
  const double total = since_t0();
  const double device = total - device_start;
  const double board_s = board->board_seconds() - board_at_open;
  const uint64_t cycles = board->board().cycles();
  std::printf("%s, %.1f s of audio at %d Hz, %d limiter passes\n", preset_name.c_str(), seconds, rate, result.passes);
  std::printf("  whole job          %6.2f s  %5.2fx real time\n", total, seconds / total);
  std::printf("  model search       %6.2f s  (%4.1f%%)\n", device_start, 100.0 * device_start / total);
  std::printf("  device pass        %6.2f s  %5.2fx real time (%4.1f%% of the job)\n", device, seconds / device,
              100.0 * device / total);
  std::printf("    board (Board::run: lathe_top + FT232H model)  %6.2f s  (%4.1f%% of the device pass)\n", board_s,
              100.0 * board_s / device);
  std::printf("    host protocol (LinkDevice, codec)             %6.2f s  (%4.1f%% of the device pass)\n",
              device - board_s, 100.0 * (device - board_s) / device);
  std::printf("  simulated          %llu cycles at 60 MHz = %.1f ms of board time, %.2f MHz simulated\n",
              static_cast<unsigned long long>(cycles), cycles / 60000.0, cycles / board_s / 1e6);
  return 0;
}
