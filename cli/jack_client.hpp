// SPDX-License-Identifier: MIT
// `lathe live --jack`: the mastering chain as a JACK client (ports in_L, in_R, out_L,
// out_R), a JackSession (jack_session.hpp) run until a signal. docs/daw.md, "JACK client".
#pragma once
#include "jack_session.hpp"
#include "lathe/error.hpp"

namespace lathe::live {

// Runs the client until SIGINT or SIGTERM (or the JACK server goes away), then
// deactivates and closes it and prints a summary line. An error: nothing ran (no server,
// a setting the server's rate does not allow, no device), or the session ended badly
// (the server shut down, the device failed during it: reported at once, the client went
// on with silence).
Error run_jack(const JackOptions& options);

}  // namespace lathe::live
