// SPDX-License-Identifier: MIT
// How a Verilated model is run: X randomisation, trace, cycle budget.
#pragma once
#include <cstdint>
#include <string>

namespace lathe::sim {

// A simulated board's lathe_core: the Verilated RTL, or the bit-exact model behind the
// same register protocol and timing (sim/rtl/lathe_core_model.sv), for speed.
enum class SimCore { kRtl, kModel };

struct SimOptions {
  // X values at start-up and reset: +verilator+rand+reset+2 style, with this seed
  // (0 keeps Verilator's default). Different seeds flush out reset bugs.
  int rand_reset = 2;
  uint32_t seed = 1;
  // FST trace file, or empty; the LATHE_TRACE environment variable overrides it.
  std::string trace_path;
  // Cycles after which tick() throws, so a hung design fails a test instead of hanging.
  uint64_t max_cycles = UINT64_MAX;
  // Board only: which lathe_core it runs.
  SimCore core = SimCore::kRtl;
};

}  // namespace lathe::sim
