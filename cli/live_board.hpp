// SPDX-License-Identifier: MIT
// `lathe live --device usb[:SERIAL]`: puts a board into live mode (its codec in, the chain,
// its codec out) with the given settings and shows its counters and meters until SIGINT
// or SIGTERM; the board then stays in live mode (a studio's processor does not stop when
// the computer does). `--off` ends live mode. `--monitor` adds the output's loudness,
// metered on the host from the board's monitor stream.
#pragma once
#include <string>

#include "lathe/error.hpp"
#include "lathe/params.hpp"

namespace lathe::live {

struct BoardRunOptions {
  std::string device = "usb";
  ChainParams params;
  int sample_rate = 48000;  // the codec's: the chain's coefficients are for it
  bool fpga_master = false;
  bool left_justified = false;
  bool off = false;
  bool quiet = false;
  // The monitor stream (live_ctrl.monitor): the board also sends its output to the host,
  // which meters its loudness (momentary, short-term, integrated) while it shows.
  bool monitor = false;
};

Error run_board(const BoardRunOptions& options);

}  // namespace lathe::live
