// SPDX-License-Identifier: MIT
// Mastering: the chain over a whole stream of frames with loudness targeting. The gain
// search runs on the model (bit-exact, so its answer holds for every back end); a device
// other than the model then needs a single pass with the registers found. Frames stream
// from a source to a sink: memory is bounded whatever the length (MasterOptions).
// lathe/job.hpp puts files around this; master() below is the in-memory form.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lathe/device.hpp"
#include "lathe/error.hpp"
#include "lathe/params.hpp"

namespace lathe {

// Interleaved stereo 24-bit frames in, a block at a time.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Up to frames.size() / 2 frames; 0 at the end.
  virtual Result<std::size_t> read(std::span<int32_t> frames) = 0;
  virtual Error rewind() = 0;
  // Frames expected, for progress; 0 when unknown.
  virtual std::size_t size_hint() const { return 0; }
};

// Interleaved stereo frames out, at the output word width.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual Error write(std::span<const int32_t> frames) = 0;
};

// Called with a short stage name and the fraction of the whole job done (0..1).
// Returning false cancels the job (Errc::kCancelled).
using Progress = std::function<bool(const std::string& stage, double fraction)>;

struct MasterOptions {
  ChainParams params;
  std::optional<double> target_lufs;  // empty: no loudness targeting
  double tolerance_lu = 0.05;         // the search stops within this of the target
  int max_passes = 12;
  int channels = 2;                   // of the source: mono is measured as mono
  Progress progress;
  // Memory the job may hold for its caches: the front of the chain's output (12 bytes
  // a frame) and the best search pass's output (8 bytes a frame). Past it, the front
  // cache moves to an unlinked scratch file in scratch_dir and the best pass is run
  // once more at the end. LATHE_JOB_MEMORY_MB in the environment overrides the default.
  std::size_t memory_budget_bytes = 0;  // 0: default_memory_budget()
  std::string scratch_dir;              // "" : $TMPDIR or /tmp
};
std::size_t default_memory_budget();

struct MasterSummary {
  reg::RegisterImage registers;  // what the device ran
  std::size_t frames = 0;        // frames in and out
  int out_bits = 24;
  double drive_db = 0.0;         // limiter drive chosen by the search
  // As the search measured it: the limiter's output, before the guard and dither
  // (which lower it by at most 0.005 LU).
  double output_lufs = 0.0;
  int passes = 0;                // limiter passes the search needed
  bool target_reached = true;
  std::string note;              // why targeting was skipped or missed, if it was
  double comp_gr_max_db = 0.0;
  double lim_gr_max_db = 0.0;
  bool cache_spilled = false;    // the front cache went to the scratch file
};

// Masters `in` into `out`. device: where the final pass runs; nullptr or a model device
// means the model's own search output is the result. `on_front` sees every input frame
// of the first pass (the job meters the input there); it may be empty.
Result<MasterSummary> master_stream(FrameSource& in, int sample_rate, const MasterOptions& options, Device* device,
                                   FrameSink& out,
                                   const std::function<Error(std::span<const int32_t>)>& on_front = {});

// In memory: `in` is interleaved stereo 24-bit frames; result.output the same length.
struct MasterResult : MasterSummary {
  std::vector<int32_t> output;
};
Error master(const std::vector<int32_t>& in, int sample_rate, const MasterOptions& options, Device* device,
             MasterResult& result);

// Runs a register set over a whole stream on a device, compensating its latency, so
// output frame i corresponds to input frame i.
Error run_device(Device& device, const reg::RegisterImage& regs, FrameSource& in, FrameSink& out,
                 const std::function<bool(double)>& progress = {}, std::size_t total_frames = 0);
Error run_device(Device& device, const reg::RegisterImage& regs, const std::vector<int32_t>& in,
                 std::vector<int32_t>& out, const std::function<bool(double)>& progress = {});

// Sources and sinks over memory.
class BufferSource final : public FrameSource {
 public:
  explicit BufferSource(const std::vector<int32_t>& frames) : frames_(frames) {}
  Result<std::size_t> read(std::span<int32_t> frames) override;
  Error rewind() override {
    pos_ = 0;
    return {};
  }
  std::size_t size_hint() const override { return frames_.size() / 2; }

 private:
  const std::vector<int32_t>& frames_;
  std::size_t pos_ = 0;  // in samples
};
class BufferSink final : public FrameSink {
 public:
  explicit BufferSink(std::vector<int32_t>& frames) : frames_(frames) {}
  Error write(std::span<const int32_t> frames) override {
    frames_.insert(frames_.end(), frames.begin(), frames.end());
    return {};
  }

 private:
  std::vector<int32_t>& frames_;
};

}  // namespace lathe
