// SPDX-License-Identifier: MIT
// The mastering job: files around the streaming engine.
#include "lathe/job.hpp"

#include <chrono>
#include <functional>
#include <cmath>
#include <cstdio>

#include "lathe/settings.hpp"

namespace lathe {
namespace {

class ReaderSource final : public FrameSource {
 public:
  explicit ReaderSource(AudioReader& reader) : reader_(reader) {}
  Result<std::size_t> read(std::span<int32_t> frames) override { return reader_.read(frames); }
  Error rewind() override { return reader_.rewind(); }
  std::size_t size_hint() const override { return static_cast<std::size_t>(std::max<int64_t>(0, reader_.format().frames)); }

 private:
  AudioReader& reader_;
};

// The output as written is what the report measures.
class MeteredWriter final : public FrameSink {
 public:
  MeteredWriter(AudioWriter& writer, LoudnessMeter* meter, int bits) : writer_(writer), meter_(meter), bits_(bits) {}
  Error write(std::span<const int32_t> frames) override {
    if (auto e = writer_.write(frames)) return e;
    frames_ += frames.size() / 2;
    return meter_ ? meter_->add(frames, bits_) : Error{};
  }
  std::size_t frames() const { return frames_; }

 private:
  AudioWriter& writer_;
  LoudnessMeter* meter_;  // null: not measured
  int bits_;
  std::size_t frames_ = 0;
};

std::vector<std::string> outputs_of(const MasterJob& job) {
  std::vector<std::string> outputs{job.output};
  if (!job.save_preset.empty()) outputs.push_back(job.save_preset);
  return outputs;
}

std::string db_text(double db) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f dB", db);
  return buf;
}

}  // namespace

Error check_master_job(const MasterJob& job) {
  if (job.input.empty()) return Error(Errc::kUsage, "no input file");
  if (job.output.empty()) return Error(Errc::kUsage, "no output file");
  for (const SettingInfo& info : setting_infos())
    if (auto e = check_setting(info, get_setting(job.preset, info))) return e;
  if (auto e = check_output_path(job.output)) return e;
  if (auto e = check_output_paths({job.input}, outputs_of(job))) {
    if (!job.save_preset.empty() && e.message().rfind(job.save_preset + ":", 0) == 0) return e.within("--save-preset");
    return e;
  }
  auto format = probe_audio_file(job.input);
  if (!format) return format.error();
  if (auto e = validate(job.preset.params, format->sample_rate)) return e.within(job.input);
  return {};
}

Result<JobReport> run_master_job(const MasterJob& job, Device* device, const Progress& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  if (auto e = check_master_job(job)) return failure(e);
  auto reader = AudioReader::open(job.input);
  if (!reader) return failure(reader.error());
  const AudioFormat format = reader->format();

  JobReport report;
  report.input = job.input;
  report.output = job.output;
  report.input_format = format;
  report.out_bits = job.preset.params.dither.bits;
  report.device = device ? device->info().backend : Backend::kModel;
  report.target_lufs = job.preset.target_lufs;
  report.ceiling_dbtp = job.preset.params.lim.ceiling_dbtp;

  const auto measures = job.measure ? LoudnessMeter::Measures::kAll : LoudnessMeter::Measures::kIntegrated;
  auto in_meter = LoudnessMeter::create(format.sample_rate, format.channels, measures);
  if (!in_meter) return failure(in_meter.error());
  auto out_meter = LoudnessMeter::create(format.sample_rate, format.channels, measures);
  if (!out_meter) return failure(out_meter.error());
  // The header's frame count picks WAV or RF64 (exact for PCM; an estimate only matters
  // past 4 GiB).
  auto writer = AudioWriter::create(job.output, WriteSpec{format.sample_rate, format.channels, report.out_bits},
                                    static_cast<std::size_t>(std::max<int64_t>(0, format.frames)));
  if (!writer) return failure(writer.error());

  MasterOptions options;
  options.params = job.preset.params;
  options.target_lufs = job.preset.target_lufs;
  options.channels = format.channels;
  options.progress = progress;
  options.memory_budget_bytes = job.memory_budget_bytes;
  // The scratch file lives next to OUT: the directory the job already writes to.
  const std::size_t slash = job.output.rfind('/');
  options.scratch_dir = slash == std::string::npos ? "." : job.output.substr(0, slash + 1);

  ReaderSource source(*reader);
  MeteredWriter sink(*writer, job.measure ? &*out_meter : nullptr, report.out_bits);
  std::function<Error(std::span<const int32_t>)> on_front;
  if (job.measure) on_front = [&](std::span<const int32_t> frames) { return in_meter->add(frames, 24); };
  auto summary = master_stream(source, format.sample_rate, options, device, sink, on_front);
  if (!summary) {
    if (summary.error() == Errc::kCancelled)
      return failure(Errc::kCancelled, "cancelled: " + job.output + " was not written");
    return failure(summary.error().within(job.input));
  }
  if (sink.frames() != summary->frames)
    return failure(Errc::kWriteFailed, job.output + ": internal error: " + std::to_string(sink.frames()) + " of " +
                                           std::to_string(summary->frames) + " frames written");

  if (progress && !progress("writing", 1.0)) return failure(Errc::kCancelled, "cancelled: " + job.output + " was not written");
  if (auto e = writer->finish()) return failure(e);
  // The preset is staged (written and flushed) before OUT is published, so a preset that
  // cannot be written leaves OUT as it was.
  std::optional<AtomicFile> staged;
  if (!job.save_preset.empty()) {
    auto s = stage_preset_file(job.save_preset, job.preset);
    if (!s) return failure(s.error().within("--save-preset"));
    staged.emplace(std::move(*s));
  }
  if (auto e = writer->commit()) return failure(e);
  if (staged)
    if (auto e = staged->commit()) return failure(e.within("--save-preset"));

  if (job.measure) {
    report.before = in_meter->report();
    report.after = out_meter->report();
  } else {
    report.before.duration_s = report.after.duration_s = static_cast<double>(summary->frames) / format.sample_rate;
  }
  report.drive_db = summary->drive_db;
  report.passes = summary->passes;
  report.target_reached = summary->target_reached;
  report.comp_gr_max_db = summary->comp_gr_max_db;
  report.lim_gr_max_db = summary->lim_gr_max_db;
  report.cache_spilled = summary->cache_spilled;
  for (std::size_t start = 0; start < summary->note.size();) {
    const std::size_t end = summary->note.find("; ", start);
    report.notes.push_back(summary->note.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  if (format.input_gain_db != 0.0)
    report.notes.push_back(job.input + " is a float file with overs: attenuated by " + db_text(-format.input_gain_db) +
                           " on input so nothing clips");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace lathe
