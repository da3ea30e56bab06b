// SPDX-License-Identifier: MIT
// The mastering job and its loudness search.
#include "lathe/master.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "lathe/loudness.hpp"
#include "lathe/model/chain.hpp"

namespace lathe {
namespace {

constexpr std::size_t kBlockFrames = 4096;

// The chain split at the limiter's drive: everything before it (trim, EQ, compressor,
// true-peak detector) does not depend on the drive, so it runs once and its output is
// cached; each search step reruns only the limiter and dither. Bit-exact with
// Chain::process by construction: it is the same code, called in two halves.
class DriveSearch {
 public:
  DriveSearch(const std::vector<int32_t>& in, int latency, model::Chain& chain)
      : in_(in), latency_(latency), chain_(chain) {}

  bool run_front(const std::function<bool(double)>& progress) {
    const std::size_t frames = in_.size() / 2 + latency_;
    front_.resize(frames);
    for (std::size_t i = 0; i < frames; ++i) {
      if (i % (1u << 16) == 0 && progress && !progress(static_cast<double>(i) / frames)) return false;
      const bool real = i < in_.size() / 2;
      front_[i] = chain_.front(real ? in_[2 * i] : 0, real ? in_[2 * i + 1] : 0);
    }
    comp_gr_max_ = chain_.meters().comp_gr_max;
    return true;
  }

  // One pass of the back half with the chain's current registers; output aligned to input.
  bool run_back(std::vector<int32_t>& out, const std::function<bool(double)>& progress) {
    chain_.reset_back();
    chain_.clear_meters();
    const std::size_t n = in_.size() / 2;
    out.resize(in_.size());
    int32_t l, r;
    for (std::size_t i = 0; i < front_.size(); ++i) {
      if (i % (1u << 16) == 0 && progress && !progress(static_cast<double>(i) / front_.size())) return false;
      const bool real = i < n;
      chain_.back(front_[i], real ? in_[2 * i] : 0, real ? in_[2 * i + 1] : 0, l, r);
      if (i >= static_cast<std::size_t>(latency_)) {
        out[2 * (i - latency_)] = l;
        out[2 * (i - latency_) + 1] = r;
      }
    }
    return true;
  }
  int32_t comp_gr_max() const { return comp_gr_max_; }

 private:
  const std::vector<int32_t>& in_;
  int latency_;
  model::Chain& chain_;
  std::vector<model::FrontFrame> front_;
  int32_t comp_gr_max_ = 0;
};

}  // namespace

std::optional<MasterError> run_device(Device& device, const reg::RegisterImage& regs,
                                      const std::vector<int32_t>& in, std::vector<int32_t>& out,
                                      const std::function<bool(double)>& progress) {
  auto device_error = [&](std::error_code ec) {
    const std::string detail = device.error_detail();
    return MasterError{"device: " + ec.message() + (detail.empty() ? "" : ": " + detail)};
  };
  if (auto ec = device.write_registers(regs)) return device_error(ec);
  if (auto ec = device.reset()) return device_error(ec);
  const std::size_t frames = in.size() / 2;
  const std::size_t latency = static_cast<std::size_t>(latency_frames(regs));
  const std::size_t total = frames + latency;
  out.assign(in.size(), 0);
  std::vector<int32_t> block_in(2 * kBlockFrames), block_out(2 * kBlockFrames);
  for (std::size_t start = 0; start < total; start += kBlockFrames) {
    if (progress && !progress(static_cast<double>(start) / total)) return MasterError{"cancelled", true};
    const std::size_t n = std::min(kBlockFrames, total - start);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t f = start + i;
      block_in[2 * i] = f < frames ? in[2 * f] : 0;
      block_in[2 * i + 1] = f < frames ? in[2 * f + 1] : 0;
    }
    if (auto ec = device.process({block_in.data(), 2 * n}, {block_out.data(), 2 * n})) return device_error(ec);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t f = start + i;
      if (f >= latency) {
        out[2 * (f - latency)] = block_out[2 * i];
        out[2 * (f - latency) + 1] = block_out[2 * i + 1];
      }
    }
  }
  return std::nullopt;
}

std::optional<MasterError> master(const std::vector<int32_t>& in, int sample_rate,
                                  const MasterOptions& options, Device* device,
                                  MasterResult& result) {
  if (auto err = validate(options.params, sample_rate)) return MasterError{*err};
  ChainParams params = options.params;
  result = MasterResult{};
  result.out_bits = params.dither.bits;

  // Progress budget: the front pass counts as one pass, then up to a few back passes.
  const bool targeting = options.target_lufs.has_value();
  const double total_units = targeting ? 5.0 : 2.0;
  double done_units = 0.0;
  auto progress_for = [&](const std::string& stage) {
    return [&, stage](double f) {
      return !options.progress || options.progress(stage, std::min(1.0, (done_units + f) / total_units));
    };
  };

  model::Chain chain;
  reg::RegisterImage regs = to_registers(params, sample_rate);
  chain.configure(regs);
  chain.reset();
  DriveSearch search(in, latency_frames(regs), chain);
  if (!search.run_front(progress_for("analysing"))) return MasterError{"cancelled", true};
  done_units += 1.0;

  const int channels = options.channels;
  auto loudness_of = [&](const std::vector<int32_t>& out) {
    return integrated_loudness(out, params.dither.bits, sample_rate, channels);
  };

  std::vector<int32_t> out;
  auto pass = [&](double drive_db) -> std::optional<double> {
    params.lim.drive_db = drive_db;
    regs = to_registers(params, sample_rate);
    chain.configure(regs);
    if (!search.run_back(out, progress_for("limiting"))) return std::nullopt;
    done_units = std::min(total_units - 1.0, done_units + 1.0);
    ++result.passes;
    return loudness_of(out);
  };

  const double drive0 = params.lim.drive_db;
  auto first = pass(drive0);
  if (!first) return MasterError{"cancelled", true};
  double best_drive = drive0, best_lufs = *first;
  reg::RegisterImage best_regs = regs;
  std::vector<int32_t> best_out = out;
  int32_t best_lim_gr = chain.meters().lim_gr_max;

  if (targeting && !std::isfinite(*first)) {
    result.note = "the output has no measurable loudness (silent or shorter than 0.4 s): loudness targeting skipped";
    result.target_reached = false;
  } else if (targeting) {
    const double target = *options.target_lufs;
    // Loudness rises monotonically with drive. Secant steps, kept inside a bracket once
    // one is known (regula falsi, Illinois variant), within the drive range.
    double lo = -limits::kDriveDb, hi = limits::kDriveDb;
    double lo_err = NAN, hi_err = NAN;
    double d = drive0, err = *first - target;
    double prev_d = NAN, prev_err = NAN;
    while (std::abs(err) > options.tolerance_lu && result.passes < options.max_passes) {
      if (err < 0) { lo = d; lo_err = err; } else { hi = d; hi_err = err; }
      double next;
      if (!std::isnan(prev_d) && prev_err != err) {
        next = d - err * (d - prev_d) / (err - prev_err);
      } else {
        next = d - err;  // a first step of 1 dB per LU
      }
      if (!(next > lo && next < hi)) {
        next = (!std::isnan(lo_err) && !std::isnan(hi_err))
                   ? lo - lo_err * (hi - lo) / (hi_err - lo_err)  // false position inside the bracket
                   : std::clamp(next, lo, hi);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      }
      if (next == d) break;
      prev_d = d;
      prev_err = err;
      d = next;
      auto lufs = pass(d);
      if (!lufs) return MasterError{"cancelled", true};
      err = *lufs - target;
      if (std::abs(err) < std::abs(best_lufs - target)) {
        best_drive = d;
        best_lufs = *lufs;
        best_regs = regs;
        best_out = out;
        best_lim_gr = chain.meters().lim_gr_max;
      }
      if (d >= limits::kDriveDb && err < 0) break;   // cannot get louder
      if (d <= -limits::kDriveDb && err > 0) break;  // cannot get quieter
    }
    if (std::abs(best_lufs - target) > 0.2) {
      result.target_reached = false;
      char note[160];
      std::snprintf(note, sizeof note, "target %.1f LUFS not reached: %.2f LUFS with %+.1f dB of limiter drive",
                    target, best_lufs, best_drive);
      result.note = note;
    }
  }

  result.drive_db = best_drive;
  result.output_lufs = best_lufs;
  result.registers = best_regs;
  result.comp_gr_max_db = log2_q16_to_db(search.comp_gr_max());
  result.lim_gr_max_db = log2_q16_to_db(best_lim_gr);

  if (device && device->info().backend != "model") {
    done_units = total_units - 1.0;
    if (auto err = run_device(*device, best_regs, in, result.output, progress_for("device"))) return err;
  } else {
    result.output = std::move(best_out);
  }
  if (options.progress) options.progress("done", 1.0);
  return std::nullopt;
}

}  // namespace lathe
