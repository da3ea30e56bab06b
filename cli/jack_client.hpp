// SPDX-License-Identifier: MIT
// `lathe live --jack`: the mastering chain as a JACK client (ports in_L, in_R, out_L,
// out_R). The model runs in the process callback; sim and usb run on a device thread
// behind live::DeviceBridge. docs/daw.md, "JACK client".
#pragma once
#include <string>

#include "lathe/error.hpp"
#include "lathe/params.hpp"

namespace lathe::live {

struct JackOptions {
  std::string client_name = "lathe";
  std::string device = "model";  // model, sim, usb, usb:SERIAL
  ChainParams params;
  int priming_periods = 2;  // sim and usb: the output queue's head start, in periods
  bool quiet = false;       // no status line (errors, notes and the summary still)
};

// Runs the client until SIGINT or SIGTERM (or the JACK server goes away), then
// deactivates and closes it and prints a summary line. An error: nothing ran (no server,
// a setting the server's rate does not allow, no device), or the session ended badly
// (the server shut down, the device failed during it: reported at once, the client went
// on with silence).
Error run_jack(const JackOptions& options);

}  // namespace lathe::live
