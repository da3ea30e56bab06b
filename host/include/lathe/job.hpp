// SPDX-License-Identifier: MIT
// The mastering job, the one the CLI and the GUI run: check -> read -> validate ->
// loudness search -> device pass -> write atomically -> report. Streaming: its memory
// does not grow with the file's length (lathe/master.hpp, docs/cli.md).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/error.hpp"
#include "lathe/loudness.hpp"
#include "lathe/master.hpp"
#include "lathe/preset.hpp"

namespace lathe {

struct MasterJob {
  std::string input;
  std::string output;
  Preset preset;
  std::string save_preset;  // also publish the preset used here (with the output); "" : no
  std::size_t memory_budget_bytes = 0;  // 0: default_memory_budget()
  // Measure the input and the output for the report (BS.1770 loudness, LRA, true peak):
  // about as costly as the rest of the job; `lathe master --quiet` does without.
  bool measure = true;
};

struct JobReport {
  std::string input, output;
  AudioFormat input_format;
  int out_bits = 24;
  Backend device = Backend::kModel;  // where the final pass ran
  LoudnessReport before, after;  // input as the chain saw it; output as written (NaN: not measured)
  std::optional<double> target_lufs;
  double ceiling_dbtp = 0.0;
  double drive_db = 0.0;
  int passes = 0;
  bool target_reached = true;
  std::vector<std::string> notes;  // skipped or missed targets, ignored bypass, float overs
  double comp_gr_max_db = 0.0, lim_gr_max_db = 0.0;
  double seconds = 0.0;
  bool cache_spilled = false;
};

// Everything that needs no audio, in the order a user would want to hear of it: the
// settings' rate-independent ranges, the input opens as audio, the outputs (OUT and the
// preset) name neither the input nor each other and can be written. Reads no audio.
Error check_master_job(const MasterJob& job);

// Runs the job. The output (and the preset, if asked) appear only when everything has
// succeeded; after a failure or a cancel an existing OUT is untouched and no temporary
// file is left. device: where the final pass runs (nullptr: the model).
Result<JobReport> run_master_job(const MasterJob& job, Device* device, const Progress& progress = {});

}  // namespace lathe
