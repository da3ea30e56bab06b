// SPDX-License-Identifier: MIT
// `lathe live --device sim --codec-in IN --codec-out OUT`: the simulated board in live
// mode, a codec model playing IN into its I2S input and recording its I2S output into
// OUT; prints the latency (reported and measured) and the live path's counters.
#pragma once
#include <functional>
#include <string>

#include "lathe/error.hpp"
#include "lathe/params.hpp"

namespace lathe::live {

struct CodecRunOptions {
  std::string in, out;
  ChainParams params;
  bool fpga_master = false;     // --clock-master fpga: the FPGA makes BCLK/LRCLK from MCLK
  bool left_justified = false;  // --format left-justified
  bool rtl_core = false;        // --sim-core rtl: the Verilated lathe_core, not the model core
  bool quiet = false;
  std::function<bool(double)> progress;  // fraction done; false cancels
};

Error run_codec(const CodecRunOptions& options);

}  // namespace lathe::live
