// SPDX-License-Identifier: MIT
// Loudness and peaks through libebur128. The meters take doubles; we convert our
// integer frames a chunk at a time into one reused buffer.
#include "lathe/loudness.hpp"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace lathe {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Frames converted per call into one reused buffer: no allocation per call, and small
// enough to stay in cache. (libebur128's filter dominates the time; measured, neither
// the chunk size nor feeding float or int instead of double changes it.)
constexpr std::size_t kChunkFrames = 16384;

double to_db(double linear) { return 20.0 * std::log10(linear); }  // 0 -> -inf

LoudnessReport invalid_report() { return LoudnessReport{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN}; }

}  // namespace

const char* const kTruePeakMeterName = "BS.1770-4 (libebur128: 4x below 96 kHz, 2x below 192 kHz, none at 192 kHz)";

namespace {

ebur128_state* st(void* p) { return static_cast<ebur128_state*>(p); }

}  // namespace

Result<LoudnessMeter> LoudnessMeter::create(int sample_rate, int channels, Measures measures) {
  if ((channels != 1 && channels != 2) || sample_rate <= 0)
    return failure(Errc::kInvalidArgument, "loudness meter: " + std::to_string(channels) + " channels at " +
                                               std::to_string(sample_rate) + " Hz");
  LoudnessMeter m;
  m.all_ = measures != Measures::kIntegrated;
  // MODE_I alone for searches: no short-term ring, LRA history or oversampler to run.
  // Not MODE_HISTOGRAM, which would be faster to query but rounds blocks to 0.1 LU bins
  // and makes the result a staircase in gain that a search could stall on.
  int mode = EBUR128_MODE_I;
  if (measures == Measures::kAll) mode |= EBUR128_MODE_LRA | EBUR128_MODE_S | EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK;
  if (measures == Measures::kTruePeak) mode = EBUR128_MODE_TRUE_PEAK;
  if (measures == Measures::kLive) mode |= EBUR128_MODE_S | EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_HISTOGRAM;
  m.state_ = ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sample_rate), mode);
  if (!m.state_) return failure(Errc::kOutOfMemory, "loudness meter: libebur128 could not start");
  m.channels_ = channels;
  m.sample_rate_ = sample_rate;
  m.hop_ = std::max<std::size_t>(1, static_cast<std::size_t>(sample_rate) / 10);
  if (measures == Measures::kAll) m.reconstruction_.emplace(channels);
  return m;
}

LoudnessMeter::LoudnessMeter(LoudnessMeter&& o) noexcept { *this = std::move(o); }

LoudnessMeter& LoudnessMeter::operator=(LoudnessMeter&& o) noexcept {
  if (this != &o) {
    if (state_) {
      ebur128_state* s = st(state_);
      ebur128_destroy(&s);
    }
    state_ = o.state_;
    o.state_ = nullptr;
    channels_ = o.channels_;
    sample_rate_ = o.sample_rate_;
    all_ = o.all_;
    hop_ = o.hop_;
    since_hop_ = o.since_hop_;
    frames_ = o.frames_;
    momentary_max_ = o.momentary_max_;
    shortterm_max_ = o.shortterm_max_;
    sample_peak_ = o.sample_peak_;
    last_true_peak_ = o.last_true_peak_;
    buffer_ = std::move(o.buffer_);
    reconstruction_ = std::move(o.reconstruction_);
  }
  return *this;
}

LoudnessMeter::~LoudnessMeter() {
  if (state_) {
    ebur128_state* s = st(state_);
    ebur128_destroy(&s);
  }
}

// Feeds frames of the meter's channels; with all measures, in steps that end on the
// 100 ms grid, where the momentary and short-term maxima are taken.
Error LoudnessMeter::feed(const double* frames, std::size_t count) {
  const std::size_t ch = static_cast<std::size_t>(channels_);
  while (count > 0) {
    const std::size_t n = all_ ? std::min(count, hop_ - since_hop_) : count;
    if (ebur128_add_frames_double(st(state_), frames, n) != EBUR128_SUCCESS)
      return Error(Errc::kInvalidArgument, "loudness meter: libebur128 refused the frames");
    if (all_) {
      for (unsigned c = 0; c < ch; ++c) {
        double tp = 0.0;
        if (ebur128_prev_true_peak(st(state_), c, &tp) == EBUR128_SUCCESS) last_true_peak_ = std::max(last_true_peak_, tp);
      }
      since_hop_ += n;
      if (since_hop_ == hop_) {
        since_hop_ = 0;
        momentary_max_ = std::max(momentary_max_, momentary_lufs());
        shortterm_max_ = std::max(shortterm_max_, shortterm_lufs());
      }
    }
    frames_ += n;
    frames += n * ch;
    count -= n;
  }
  return {};
}

Error LoudnessMeter::add(std::span<const int32_t> stereo_frames, int bits) {
  if (stereo_frames.size() % 2 != 0 || bits < 2 || bits > 32)
    return Error(Errc::kInvalidArgument, "loudness meter: not whole stereo frames of 2..32 bits");
  const double scale = std::ldexp(1.0, -(bits - 1));
  const std::size_t ch = static_cast<std::size_t>(channels_);
  last_true_peak_ = 0.0;
  for (std::size_t first = 0; first < stereo_frames.size() / 2; first += kChunkFrames) {
    const std::size_t n = std::min(kChunkFrames, stereo_frames.size() / 2 - first);
    buffer_.resize(n * ch);
    const int32_t* src = &stereo_frames[first * 2];
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < ch; ++c) buffer_[i * ch + c] = src[2 * i + c] * scale;
    if (all_)
      for (std::size_t i = 0; i < n * ch; ++i) sample_peak_ = std::max(sample_peak_, std::fabs(buffer_[i]));
    if (auto e = feed(buffer_.data(), n)) return e;
    if (reconstruction_) reconstruction_->add({buffer_.data(), n * ch});
  }
  return {};
}

Error LoudnessMeter::add_source(std::span<const double> frames) {
  const std::size_t ch = static_cast<std::size_t>(channels_);
  if (frames.size() % ch != 0) return Error(Errc::kInvalidArgument, "loudness meter: not whole frames");
  last_true_peak_ = 0.0;
  for (double v : frames) sample_peak_ = std::max(sample_peak_, std::fabs(v));
  if (reconstruction_) reconstruction_->add(frames);
  return feed(frames.data(), frames.size() / ch);
}

double LoudnessMeter::integrated_lufs() const {
  double v = kNaN;
  return ebur128_loudness_global(st(state_), &v) == EBUR128_SUCCESS ? v : kNaN;
}
double LoudnessMeter::momentary_lufs() const {
  double v = kNaN;
  return all_ && ebur128_loudness_momentary(st(state_), &v) == EBUR128_SUCCESS ? v : kNaN;
}
double LoudnessMeter::shortterm_lufs() const {
  double v = kNaN;
  return all_ && ebur128_loudness_shortterm(st(state_), &v) == EBUR128_SUCCESS ? v : kNaN;
}

LoudnessReport LoudnessMeter::report() const {
  LoudnessReport r = invalid_report();
  r.integrated_lufs = integrated_lufs();
  r.duration_s = static_cast<double>(frames_) / sample_rate_;
  if (!all_) return r;
  // Maxima on the 100 ms grid, plus once at the end for a final partial step.
  r.momentary_max_lufs = momentary_max_;
  r.shortterm_max_lufs = shortterm_max_;
  if (since_hop_ > 0) {
    r.momentary_max_lufs = std::max(r.momentary_max_lufs, momentary_lufs());
    r.shortterm_max_lufs = std::max(r.shortterm_max_lufs, shortterm_lufs());
  }
  if (!(st(state_)->mode & EBUR128_MODE_LRA) || ebur128_loudness_range(st(state_), &r.range_lu) != EBUR128_SUCCESS)
    r.range_lu = kNaN;
  r.sample_peak_dbfs = to_db(sample_peak_);
  double peak = 0.0;
  for (int c = 0; c < channels_; ++c) {
    double channel_peak = 0.0;
    if (ebur128_true_peak(st(state_), static_cast<unsigned>(c), &channel_peak) != EBUR128_SUCCESS) return invalid_report();
    peak = std::max(peak, channel_peak);
  }
  r.true_peak_dbtp = to_db(peak);
  if (reconstruction_) r.reconstruction_peak_dbtp = reconstruction_->peak_dbtp();
  return r;
}

namespace {

bool valid_arguments(const std::vector<int32_t>& frames, int bits, int sample_rate, int channels) {
  return (channels == 1 || channels == 2) && bits >= 2 && bits <= 32 && sample_rate > 0 && frames.size() % 2 == 0;
}

std::optional<LoudnessMeter> fed_meter(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                                       int channels, LoudnessMeter::Measures measures) {
  if (!valid_arguments(stereo_frames, bits, sample_rate, channels)) return std::nullopt;
  auto meter = LoudnessMeter::create(sample_rate, channels, measures);
  if (!meter || meter->add(stereo_frames, bits)) return std::nullopt;
  return std::move(*meter);
}

}  // namespace

LoudnessReport measure_loudness(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate, int channels) {
  auto meter = fed_meter(stereo_frames, bits, sample_rate, channels, LoudnessMeter::Measures::kAll);
  return meter ? meter->report() : invalid_report();
}

double integrated_loudness(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate, int channels) {
  auto meter = fed_meter(stereo_frames, bits, sample_rate, channels, LoudnessMeter::Measures::kIntegrated);
  return meter ? meter->integrated_lufs() : kNaN;
}

double true_peak_dbtp(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate, int channels) {
  auto meter = fed_meter(stereo_frames, bits, sample_rate, channels, LoudnessMeter::Measures::kTruePeak);
  return meter ? meter->report().true_peak_dbtp : kNaN;
}

// ---------------------------------------------------------------------------------
// Renderings

namespace {

struct Row {
  const char* label;
  const char* json_key;
  double LoudnessReport::*field;
  const char* unit;
  int decimals;
};
// One table drives both renderings so that they cannot disagree on what is reported.
constexpr Row kRows[] = {
    {"Integrated loudness", "integrated_lufs", &LoudnessReport::integrated_lufs, "LUFS", 1},
    {"Loudness range", "loudness_range_lu", &LoudnessReport::range_lu, "LU", 1},
    {"Short-term max", "shortterm_max_lufs", &LoudnessReport::shortterm_max_lufs, "LUFS", 1},
    {"Momentary max", "momentary_max_lufs", &LoudnessReport::momentary_max_lufs, "LUFS", 1},
    {"Sample peak", "sample_peak_dbfs", &LoudnessReport::sample_peak_dbfs, "dBFS", 2},
    {"True peak", "true_peak_dbtp", &LoudnessReport::true_peak_dbtp, "dBTP (BS.1770-4, 4x)", 2},
    {"Reconstruction peak", "reconstruction_peak_dbtp", &LoudnessReport::reconstruction_peak_dbtp,
     "dBTP (32x sinc)", 2},
    {"Duration", "duration_s", &LoudnessReport::duration_s, "s", 3},
};

}  // namespace

std::string format_report_text(const LoudnessReport& report) {
  std::string text;
  for (const Row& row : kRows) {
    const double value = report.*row.field;
    char number[32];
    if (std::isnan(value)) {
      std::snprintf(number, sizeof number, "n/a");
    } else if (std::isinf(value)) {
      std::snprintf(number, sizeof number, value < 0 ? "-inf" : "inf");
    } else {
      std::snprintf(number, sizeof number, "%.*f", row.decimals, value);
    }
    char line[96];
    std::snprintf(line, sizeof line, "%-20s %10s %s\n", row.label, number, row.unit);
    text += line;
  }
  return text;
}

std::string format_report_json(const LoudnessReport& report) {
  // ordered_json keeps the keys in table order rather than sorting them.
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const Row& row : kRows) {
    const double value = report.*row.field;
    if (std::isfinite(value)) {
      json[row.json_key] = value;
    } else {
      json[row.json_key] = nullptr;
    }
  }
  json["true_peak_meter"] = kTruePeakMeterName;
  json["reconstruction_peak_meter"] = reconstruction_meter_name();
  return json.dump(2) + "\n";
}

}  // namespace lathe
