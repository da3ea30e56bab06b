// SPDX-License-Identifier: MIT
// The mastering engine: the front of the chain once, then the loudness search over the
// back of it, then the final pass into the sink, all streaming.
#include "lathe/master.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>

#include "lathe/fixed_point.hpp"
#include "lathe/loudness.hpp"
#include "lathe/model/chain.hpp"

namespace lathe {
namespace {

constexpr std::size_t kBlockFrames = 4096;
// Enough for a 10-minute 48 kHz front cache and a 7-minute output in memory; longer
// files spill the front to disk and run the best pass again.
constexpr std::size_t kDefaultBudgetBytes = std::size_t{512} << 20;


// A device's failure as the job's: its code, its name and its words.
Error device_failure(const Error& e) { return e.within(std::string("device: ") + e.name()); }

Error cancelled() { return Error(Errc::kCancelled, "cancelled"); }

// The output of the chain's front half (trim, EQ, compressor, true-peak detector), which
// does not depend on the limiter's drive: computed once, read back by every search pass.
// Held in memory up to a budget; past it, in an unlinked scratch file, so that a job's
// memory does not grow with the length of the file.
class FrontCache {
 public:
  FrontCache(std::size_t budget_bytes, std::string dir)
      : budget_frames_(budget_bytes / sizeof(model::FrontFrame)), dir_(std::move(dir)) {}
  FrontCache(const FrontCache&) = delete;
  FrontCache& operator=(const FrontCache&) = delete;
  ~FrontCache() {
    if (fd_ >= 0) ::close(fd_);
  }

  Error append(std::span<const model::FrontFrame> frames) {
    size_ += frames.size();
    if (fd_ < 0 && memory_.size() + frames.size() <= budget_frames_) {
      try {
        memory_.insert(memory_.end(), frames.begin(), frames.end());
        return {};
      } catch (const std::bad_alloc&) {
        // Less memory than the budget (a ulimit, a busy machine): the file it is.
      }
    }
    if (fd_ < 0) {
      if (auto e = open_scratch()) return e;
      if (auto e = write_bytes(memory_.data(), memory_.size() * sizeof(model::FrontFrame))) return e;
      std::vector<model::FrontFrame>().swap(memory_);
    }
    return write_bytes(frames.data(), frames.size() * sizeof(model::FrontFrame));
  }

  // Room for the frames expected, when they fit the budget: no regrowth copies.
  void reserve(std::size_t frames) {
    if (frames > budget_frames_) return;
    try {
      memory_.reserve(frames);
    } catch (const std::bad_alloc&) {
      budget_frames_ = memory_.capacity();  // what there is; past it, the scratch file
    }
  }

  Error rewind() {
    read_pos_ = 0;
    if (fd_ >= 0 && ::lseek(fd_, 0, SEEK_SET) != 0) return scratch_error("cannot rewind", errno);
    return {};
  }

  Result<std::size_t> read(std::span<model::FrontFrame> out) {
    const std::size_t n = std::min(out.size(), size_ - read_pos_);
    if (fd_ < 0) {
      std::copy_n(memory_.begin() + static_cast<std::ptrdiff_t>(read_pos_), n, out.begin());
    } else {
      char* p = reinterpret_cast<char*>(out.data());
      std::size_t left = n * sizeof(model::FrontFrame);
      while (left > 0) {
        const ssize_t got = ::read(fd_, p, left);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return failure(scratch_error("cannot read", got < 0 ? errno : EIO));
        p += got;
        left -= static_cast<std::size_t>(got);
      }
    }
    read_pos_ += n;
    return n;
  }

  std::size_t size() const { return size_; }
  bool spilled() const { return fd_ >= 0; }

 private:
  Error open_scratch() {
    // O_TMPFILE: a file with no name, gone when closed, whatever ends the process.
    fd_ = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string name = dir_ + "/.lathe-scratch-XXXXXX";
      fd_ = ::mkstemp(name.data());
      if (fd_ < 0) return scratch_error("cannot create", errno);
      ::unlink(name.c_str());
    }
    return {};
  }
  Error write_bytes(const void* data, std::size_t bytes) {
    const char* p = static_cast<const char*>(data);
    while (bytes > 0) {
      const ssize_t n = ::write(fd_, p, bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return scratch_error("cannot write", n < 0 ? errno : ENOSPC);
      p += n;
      bytes -= static_cast<std::size_t>(n);
    }
    return {};
  }
  Error scratch_error(const char* what, int err) const {
    return Error(Errc::kWriteFailed, std::string(what) + " the job's scratch file in " + dir_ + " (" + errno_text(err) +
                                         "; it holds 12 bytes a frame while the job runs)");
  }

  std::size_t budget_frames_;
  std::string dir_;
  std::vector<model::FrontFrame> memory_;
  int fd_ = -1;
  std::size_t size_ = 0, read_pos_ = 0;
};

std::string default_scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// The chain split at the limiter's drive. Bit-exact with Chain::process by construction:
// the same code, called in two halves (bypass, which would need the dry input in the
// back half, is off in a mastering job).
class DriveSearch {
 public:
  DriveSearch(model::Chain& chain, FrontCache& cache, int latency) : chain_(chain), cache_(cache), latency_(latency) {}

  // Reads the whole source through the front of the chain into the cache.
  Error run_front(FrameSource& in, std::size_t size_hint, const std::function<Error(std::span<const int32_t>)>& on_front,
                  const std::function<bool(double)>& progress) {
    std::vector<int32_t> block(2 * kBlockFrames);
    std::vector<model::FrontFrame> front(kBlockFrames);
    if (size_hint) cache_.reserve(size_hint + static_cast<std::size_t>(latency_));
    for (;;) {
      if (progress && !progress(size_hint ? std::min(1.0, static_cast<double>(frames_) / size_hint) : 0.0))
        return cancelled();
      auto got = in.read(block);
      if (!got) return got.error();
      if (*got == 0) break;
      if (on_front)
        if (auto e = on_front({block.data(), 2 * *got})) return e;
      chain_.front_block(block.data(), *got, front.data());
      if (auto e = cache_.append({front.data(), *got})) return e;
      frames_ += *got;
    }
    // The limiter's lookahead delays the output: push silence through to flush it.
    for (std::size_t done = 0; done < static_cast<std::size_t>(latency_);) {
      const std::size_t n = std::min(kBlockFrames, static_cast<std::size_t>(latency_) - done);
      std::fill_n(block.begin(), 2 * n, 0);
      chain_.front_block(block.data(), n, front.data());
      if (auto e = cache_.append({front.data(), n})) return e;
      done += n;
    }
    comp_gr_max_ = chain_.meters().comp_gr_max;
    return {};
  }

  // One pass of the back half with the chain's current registers; output (aligned to the
  // input) goes to `sink`, a block at a time.
  Error run_back(const std::function<Error(std::span<const int32_t>)>& sink, const std::function<bool(double)>& progress) {
    std::vector<int32_t> out(2 * kBlockFrames);
    return over_cache(progress, [&](const model::FrontFrame* front, std::size_t n, std::size_t index) {
      for (std::size_t i = 0; i < n; ++i) chain_.back(front[i], 0, 0, out[2 * i], out[2 * i + 1]);
      return emit_aligned(sink, out, index, n);
    });
  }

  // One pass of the loudness search: the limiter alone, with the chain's current
  // registers, over every cached frame. Its output y (internal units, before the guard and
  // the dither, which follow it in the chain and do not depend on the drive) goes to `sink`
  // a block at a time, with the index of the block's first frame.
  Error run_limiter(const std::function<Error(std::span<const int32_t>, std::size_t)>& sink,
                    const std::function<bool(double)>& progress) {
    std::vector<int32_t> out(2 * kBlockFrames);
    return over_cache(progress, [&](const model::FrontFrame* front, std::size_t n, std::size_t index) {
      for (std::size_t i = 0; i < n; ++i) chain_.limit(front[i], out[2 * i], out[2 * i + 1]);
      return sink({out.data(), 2 * n}, index);
    });
  }

  // The rest of the chain (guard, dither) over a search pass's limiter output `y`, every
  // cached frame of it, with the chain's current registers: the same samples as
  // run_back() with those registers, into `sink`.
  Error run_finish(std::span<const int32_t> y, const std::function<Error(std::span<const int32_t>)>& sink,
                   const std::function<bool(double)>& progress) {
    chain_.reset_back();
    chain_.clear_meters();
    std::vector<int32_t> out(2 * kBlockFrames);
    const std::size_t total = y.size() / 2;
    for (std::size_t first = 0; first < total; first += kBlockFrames) {
      if (progress && !progress(static_cast<double>(first) / total)) return cancelled();
      const std::size_t n = std::min(kBlockFrames, total - first);
      for (std::size_t i = 0; i < n; ++i)
        chain_.finish(y[2 * (first + i)], y[2 * (first + i) + 1], 0, 0, out[2 * i], out[2 * i + 1]);
      if (auto e = emit_aligned(sink, out, first, n)) return e;
    }
    return {};
  }

  std::size_t frames() const { return frames_; }
  int32_t comp_gr_max() const { return comp_gr_max_; }

 private:
  // A pass of the back half: the back stages reset, then `block(front, n, index)` on each
  // block of the cached front in order (index: the block's first frame).
  template <typename Block>
  Error over_cache(const std::function<bool(double)>& progress, Block&& block) {
    chain_.reset_back();
    chain_.clear_meters();
    if (auto e = cache_.rewind()) return e;
    std::vector<model::FrontFrame> front(kBlockFrames);
    const std::size_t total = cache_.size();
    for (std::size_t index = 0; index < total;) {
      if (progress && !progress(static_cast<double>(index) / total)) return cancelled();
      auto got = cache_.read(front);
      if (!got) return got.error();
      if (auto e = block(front.data(), *got, index)) return e;
      index += *got;
    }
    return {};
  }

  // Frames [first, first + n) of a pass's output to `sink`, less the pass's first latency_
  // frames (the chain's delay): the output aligned to the input.
  Error emit_aligned(const std::function<Error(std::span<const int32_t>)>& sink, const std::vector<int32_t>& out,
                     std::size_t first, std::size_t n) const {
    const std::size_t latency = static_cast<std::size_t>(latency_);
    const std::size_t skip = first >= latency ? 0 : std::min(n, latency - first);
    if (skip == n) return {};
    return sink({out.data() + 2 * skip, 2 * (n - skip)});
  }

  model::Chain& chain_;
  FrontCache& cache_;
  int latency_;
  std::size_t frames_ = 0;
  int32_t comp_gr_max_ = 0;
};

}  // namespace

std::size_t default_memory_budget() {
  if (const char* mb = std::getenv("LATHE_JOB_MEMORY_MB")) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(mb, &end, 10);
    if (end != mb && *end == '\0' && v > 0 && v < (1ull << 20)) return static_cast<std::size_t>(v) << 20;
  }
  return kDefaultBudgetBytes;
}

Result<std::size_t> BufferSource::read(std::span<int32_t> frames) {
  const std::size_t n = std::min(frames.size() / 2 * 2, frames_.size() - pos_);
  std::copy_n(frames_.begin() + static_cast<std::ptrdiff_t>(pos_), n, frames.begin());
  pos_ += n;
  return n / 2;
}

Error run_device(Device& device, const reg::RegisterImage& regs, FrameSource& in, FrameSink& out,
                 const std::function<bool(double)>& progress, std::size_t total_frames) {
  if (auto ec = device.write_registers(regs)) return device_failure(ec);
  if (auto ec = device.reset()) return device_failure(ec);
  const std::size_t latency = static_cast<std::size_t>(latency_frames(regs));
  std::vector<int32_t> block_in(2 * kBlockFrames), block_out(2 * kBlockFrames);
  std::size_t fed = 0, input_frames = 0;
  bool input_done = false;
  // Feed the input, then `latency` frames of silence; drop the first `latency` outputs.
  while (!input_done || fed < input_frames + latency) {
    if (progress && !progress(total_frames ? static_cast<double>(fed) / (total_frames + latency) : 0.0))
      return cancelled();
    std::size_t n = 0;
    if (!input_done) {
      auto got = in.read(block_in);
      if (!got) return got.error();
      n = *got;
      input_frames += n;
      if (n == 0) input_done = true;
    }
    if (input_done) {
      n = std::min(kBlockFrames, input_frames + latency - fed);
      std::fill_n(block_in.begin(), 2 * n, 0);
    }
    if (n == 0) continue;
    if (auto ec = device.process({block_in.data(), 2 * n}, {block_out.data(), 2 * n})) return device_failure(ec);
    const std::size_t skip = fed >= latency ? 0 : std::min(n, latency - fed);
    fed += n;
    const std::size_t keep = n - skip;
    if (keep > 0) {
      if (auto e = out.write({block_out.data() + 2 * skip, 2 * keep})) return e;
    }
  }
  return {};
}

Error run_device(Device& device, const reg::RegisterImage& regs, const std::vector<int32_t>& in,
                 std::vector<int32_t>& out, const std::function<bool(double)>& progress) {
  BufferSource source(in);
  out.clear();
  out.reserve(in.size());
  BufferSink sink(out);
  return run_device(device, regs, source, sink, progress, in.size() / 2);
}

Result<MasterSummary> master_stream(FrameSource& in, int sample_rate, const MasterOptions& options, Device* device,
                                    FrameSink& out, const std::function<Error(std::span<const int32_t>)>& on_front) {
  ChainParams params = options.params;
  MasterSummary result;
  if (params.bypass) {
    // Bypass is a listening switch (A/B); a mastering job that honoured it would write
    // the input unlimited, past the ceiling.
    params.bypass = false;
    result.note = "bypass is for listening, not for mastering: ignored";
  }
  if (auto e = validate(params, sample_rate)) return failure(e);
  result.out_bits = params.dither.bits;

  // Progress budget: the front pass counts as one pass, then a few back passes, then the
  // final pass.
  const bool targeting = options.target_lufs.has_value();
  const double total_units = targeting ? 6.0 : 3.0;
  double done_units = 0.0;
  auto progress_for = [&](const std::string& stage) {
    return [&, stage](double f) {
      return !options.progress || options.progress(stage, std::min(1.0, (done_units + f) / total_units));
    };
  };

  const std::size_t budget = options.memory_budget_bytes ? options.memory_budget_bytes : default_memory_budget();
  // Two thirds for the front cache, one third for the best pass's output.
  FrontCache cache(budget / 3 * 2, options.scratch_dir.empty() ? default_scratch_dir() : options.scratch_dir);
  model::Chain chain;
  reg::RegisterImage regs = to_registers(params, sample_rate);
  chain.configure(regs);
  chain.reset();
  DriveSearch search(chain, cache, latency_frames(regs));
  if (auto e = search.run_front(in, in.size_hint(), on_front, progress_for("analysing"))) return failure(e);
  if (search.frames() == 0) return failure(Errc::kNoAudio, "no audio frames");
  done_units += 1.0;
  result.frames = search.frames();
  result.cache_spilled = cache.spilled();

  // The search runs only the limiter and measures its output y: the guard after it lowers
  // a few samples in a hundred by under a tenth of a dB (at most 0.005 LU of loudness on
  // the loudest masters tested, docs/benchmarks.md), and running it in every pass cost
  // more than the rest of the job's back half. The
  // best pass's y is kept when it fits the rest of the budget and the guard and dither run
  // over it once; else the final pass runs the whole back half again from the cached
  // front (bit-identical either way: same registers, same code).
  const std::size_t cached = cache.size();
  const std::size_t limiter_latency = static_cast<std::size_t>(chain.limiter().latency());
  bool keep_output = cached * 2 * sizeof(int32_t) <= budget / 3;
  std::vector<int32_t> pass_out, best_out;
  if (keep_output) {
    try {
      pass_out.reserve(2 * cached);
      best_out.reserve(2 * cached);
    } catch (const std::bad_alloc&) {
      keep_output = false;  // less memory than the budget: run the best pass again instead
      std::vector<int32_t>().swap(pass_out);
      std::vector<int32_t>().swap(best_out);
    }
  }
  const int channels = options.channels;
  auto pass = [&](double drive_db) -> Result<double> {
    params.lim.drive_db = drive_db;
    regs = to_registers(params, sample_rate);
    chain.configure(regs);
    auto meter = LoudnessMeter::create(sample_rate, channels, LoudnessMeter::Measures::kIntegrated);
    if (!meter) return failure(meter.error());
    pass_out.clear();
    // y at index j becomes output frame j - latency after the guard's delay; the meter
    // takes the frames that become the output's, in internal units (Q.27: 28-bit words).
    auto sink = [&](std::span<const int32_t> block, std::size_t first) -> Error {
      if (keep_output) pass_out.insert(pass_out.end(), block.begin(), block.end());
      const std::size_t n = block.size() / 2;
      const std::size_t from = std::clamp(limiter_latency, first, first + n);
      const std::size_t to = std::clamp(limiter_latency + result.frames, first, first + n);
      if (to == from) return {};
      return meter->add(block.subspan(2 * (from - first), 2 * (to - from)), fx::kSampleFrac + 1);
    };
    if (auto e = search.run_limiter(sink, progress_for("limiting"))) return failure(e);
    done_units = std::min(total_units - 2.0, done_units + 1.0);
    ++result.passes;
    return meter->integrated_lufs();
  };

  const double drive0 = params.lim.drive_db;
  auto first = pass(drive0);
  if (!first) return failure(first.error());
  double best_drive = drive0, best_lufs = *first;
  reg::RegisterImage best_regs = regs;
  std::swap(best_out, pass_out);
  int32_t best_lim_gr = chain.meters().lim_gr_max;

  auto add_note = [&](const std::string& n) { result.note += (result.note.empty() ? "" : "; ") + n; };
  if (targeting && !std::isfinite(*first)) {
    add_note("the output has no measurable loudness (silent or shorter than 0.4 s): loudness targeting skipped");
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
      if (err < 0) {
        lo = d;
        lo_err = err;
      } else {
        hi = d;
        hi_err = err;
      }
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
      if (!lufs) return failure(lufs.error());
      err = *lufs - target;
      if (std::abs(err) < std::abs(best_lufs - target)) {
        best_drive = d;
        best_lufs = *lufs;
        best_regs = regs;
        std::swap(best_out, pass_out);
        best_lim_gr = chain.meters().lim_gr_max;
      }
      if (d >= limits::kDriveDb && err < 0) break;   // cannot get louder
      if (d <= -limits::kDriveDb && err > 0) break;  // cannot get quieter
    }
    if (std::abs(best_lufs - target) > 0.2) {
      result.target_reached = false;
      char note[160];
      std::snprintf(note, sizeof note, "target %.1f LUFS not reached: %.2f LUFS with %+.1f dB of limiter drive", target,
                    best_lufs, best_drive);
      add_note(note);
    }
  }

  result.drive_db = best_drive;
  result.output_lufs = best_lufs;
  result.registers = best_regs;
  result.comp_gr_max_db = log2_q16_to_db(search.comp_gr_max());
  result.lim_gr_max_db = log2_q16_to_db(best_lim_gr);
  done_units = total_units - 1.0;

  if (device && device->info().backend != Backend::kModel) {
    if (auto e = in.rewind()) return failure(e);
    if (auto e = run_device(*device, best_regs, in, out, progress_for("device"), result.frames)) return failure(e);
  } else {
    chain.configure(best_regs);
    auto sink = [&](std::span<const int32_t> block) { return out.write(block); };
    if (keep_output) {
      if (auto e = search.run_finish(best_out, sink, progress_for("writing"))) return failure(e);
    } else {
      if (auto e = search.run_back(sink, progress_for("writing"))) return failure(e);
    }
  }
  if (options.progress) options.progress("done", 1.0);
  return result;
}

Error master(const std::vector<int32_t>& in, int sample_rate, const MasterOptions& options, Device* device,
             MasterResult& result) {
  if (in.size() % 2 != 0) return Error(Errc::kInvalidArgument, "not a whole number of stereo frames");
  BufferSource source(in);
  std::vector<int32_t> out;
  out.reserve(in.size());
  BufferSink sink(out);
  auto summary = master_stream(source, sample_rate, options, device, sink);
  if (!summary) return summary.error();
  static_cast<MasterSummary&>(result) = *summary;
  result.output = std::move(out);
  return {};
}

}  // namespace lathe
