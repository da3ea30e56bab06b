// SPDX-License-Identifier: MIT
// A mastering job: the chain over a whole file, with loudness targeting. The gain search
// runs on the model (bit-exact, so its answer holds for every back end); a device other
// than the model then needs a single pass with the registers found.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lathe/device.hpp"
#include "lathe/params.hpp"

namespace lathe {

struct MasterOptions {
  ChainParams params;
  std::optional<double> target_lufs;  // empty: no loudness targeting
  double tolerance_lu = 0.05;         // the search stops within this of the target
  int max_passes = 12;
  int channels = 2;                   // of the source: mono is measured as mono
  // Called with a short stage name and the fraction of the whole job done (0..1).
  // Returning false cancels the job.
  std::function<bool(const std::string& stage, double fraction)> progress;
};

struct MasterResult {
  std::vector<int32_t> output;  // interleaved stereo, out bits wide, same length as input
  reg::RegisterImage registers;  // what the device ran
  int out_bits = 24;
  double drive_db = 0.0;         // limiter drive chosen by the search
  double output_lufs = 0.0;      // as measured inside the search (model output)
  int passes = 0;                // limiter passes the search needed
  bool target_reached = true;
  std::string note;              // why targeting was skipped or missed, if it was
  double comp_gr_max_db = 0.0;
  double lim_gr_max_db = 0.0;
};

struct MasterError {
  std::string message;
  bool cancelled = false;
};

// in: interleaved stereo 24-bit frames. device: where the final pass runs; nullptr or a
// ModelDevice means the model's own search output is the result.
std::optional<MasterError> master(const std::vector<int32_t>& in, int sample_rate,
                                  const MasterOptions& options, Device* device,
                                  MasterResult& result);

// Runs a register set over a whole buffer on a device, compensating its latency, so
// output frame i corresponds to input frame i.
std::optional<MasterError> run_device(Device& device, const reg::RegisterImage& regs,
                                      const std::vector<int32_t>& in, std::vector<int32_t>& out,
                                      const std::function<bool(double)>& progress = {});

}  // namespace lathe
