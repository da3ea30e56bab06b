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

namespace lathe {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Frames converted per call into one reused buffer: no allocation per call, and small
// enough to stay in cache. (libebur128's filter dominates the time; measured, neither
// the chunk size nor feeding float or int instead of double changes it.)
constexpr std::size_t kChunkFrames = 16384;

struct MeterDeleter {
  void operator()(ebur128_state* st) const { ebur128_destroy(&st); }
};
using Meter = std::unique_ptr<ebur128_state, MeterDeleter>;

bool valid_arguments(const std::vector<int32_t>& frames, int bits, int sample_rate,
                     int channels) {
  return (channels == 1 || channels == 2) && bits >= 2 && bits <= 32 && sample_rate > 0 &&
         frames.size() % 2 == 0;
}

// Null when libebur128 refuses the parameters (or is out of memory).
Meter open_meter(int channels, int sample_rate, int mode) {
  return Meter(ebur128_init(static_cast<unsigned>(channels),
                            static_cast<unsigned long>(sample_rate), mode));
}

// Feeds a run of stereo frames to a meter, taking only the left channel when the
// meter has one. Returns false if libebur128 reports an error.
class Feeder {
 public:
  Feeder(const std::vector<int32_t>& stereo_frames, int bits, int channels)
      : frames_(stereo_frames),
        channels_(channels),
        scale_(std::ldexp(1.0, -(bits - 1))),
        buffer_(std::min(kChunkFrames, total_frames()) * static_cast<std::size_t>(channels)) {}

  std::size_t total_frames() const { return frames_.size() / 2; }

  bool feed(ebur128_state* st, std::size_t first, std::size_t count) {
    while (count > 0) {
      const std::size_t n = std::min(count, kChunkFrames);
      const int32_t* src = &frames_[first * 2];
      if (channels_ == 2) {
        for (std::size_t i = 0; i < 2 * n; ++i) buffer_[i] = src[i] * scale_;
      } else {
        for (std::size_t i = 0; i < n; ++i) buffer_[i] = src[2 * i] * scale_;
      }
      if (ebur128_add_frames_double(st, buffer_.data(), n) != EBUR128_SUCCESS) return false;
      first += n;
      count -= n;
    }
    return true;
  }

  bool feed_all(ebur128_state* st) { return feed(st, 0, total_frames()); }

 private:
  const std::vector<int32_t>& frames_;
  int channels_;
  double scale_;
  std::vector<double> buffer_;
};

// A meter that has seen all the frames, or null for invalid arguments or a meter error.
Meter fed_meter(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                int channels, int mode) {
  if (!valid_arguments(stereo_frames, bits, sample_rate, channels)) return nullptr;
  Meter meter = open_meter(channels, sample_rate, mode);
  Feeder feeder(stereo_frames, bits, channels);
  if (!meter || !feeder.feed_all(meter.get())) return nullptr;
  return meter;
}

double to_db(double linear) { return 20.0 * std::log10(linear); }  // 0 -> -inf

double max_true_peak_dbtp(ebur128_state* st, int channels) {
  double peak = 0.0;
  for (int c = 0; c < channels; ++c) {
    double channel_peak = 0.0;
    if (ebur128_true_peak(st, static_cast<unsigned>(c), &channel_peak) != EBUR128_SUCCESS) {
      return kNaN;
    }
    peak = std::max(peak, channel_peak);
  }
  return to_db(peak);
}

// Exact from the integers; no meter needed.
double sample_peak_dbfs(const std::vector<int32_t>& stereo_frames, int bits, int channels) {
  int64_t peak = 0;
  for (std::size_t i = 0; i < stereo_frames.size(); i += 2) {
    for (int c = 0; c < channels; ++c) {
      peak = std::max(peak, std::abs(int64_t{stereo_frames[i + c]}));
    }
  }
  return to_db(std::ldexp(static_cast<double>(peak), -(bits - 1)));
}

LoudnessReport invalid_report() {
  return LoudnessReport{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
}

}  // namespace

LoudnessReport measure_loudness(const std::vector<int32_t>& stereo_frames, int bits,
                                int sample_rate, int channels) {
  if (!valid_arguments(stereo_frames, bits, sample_rate, channels)) return invalid_report();
  const Meter meter = open_meter(channels, sample_rate, EBUR128_MODE_I | EBUR128_MODE_LRA |
                                                            EBUR128_MODE_S | EBUR128_MODE_M |
                                                            EBUR128_MODE_TRUE_PEAK);
  if (!meter) return invalid_report();

  Feeder feeder(stereo_frames, bits, channels);
  LoudnessReport report;
  report.shortterm_max_lufs = -HUGE_VAL;
  report.momentary_max_lufs = -HUGE_VAL;
  // Short-term and momentary maxima are taken every 100 ms (EBU Tech 3341 asks for at
  // least 10 Hz), plus once at the end for a final partial step.
  const std::size_t hop = std::max<std::size_t>(1, static_cast<std::size_t>(sample_rate) / 10);
  const std::size_t total = feeder.total_frames();
  for (std::size_t first = 0; first < total; first += hop) {
    if (!feeder.feed(meter.get(), first, std::min(hop, total - first))) return invalid_report();
    double momentary = -HUGE_VAL;
    double shortterm = -HUGE_VAL;
    if (ebur128_loudness_momentary(meter.get(), &momentary) != EBUR128_SUCCESS ||
        ebur128_loudness_shortterm(meter.get(), &shortterm) != EBUR128_SUCCESS) {
      return invalid_report();
    }
    report.momentary_max_lufs = std::max(report.momentary_max_lufs, momentary);
    report.shortterm_max_lufs = std::max(report.shortterm_max_lufs, shortterm);
  }

  if (ebur128_loudness_global(meter.get(), &report.integrated_lufs) != EBUR128_SUCCESS ||
      ebur128_loudness_range(meter.get(), &report.range_lu) != EBUR128_SUCCESS) {
    return invalid_report();
  }
  report.sample_peak_dbfs = sample_peak_dbfs(stereo_frames, bits, channels);
  report.true_peak_dbtp = max_true_peak_dbtp(meter.get(), channels);
  report.duration_s = static_cast<double>(total) / sample_rate;
  return report;
}

double integrated_loudness(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                           int channels) {
  // MODE_I alone: no short-term ring, LRA history or oversampler to run. Not
  // MODE_HISTOGRAM, which would be faster to query but rounds blocks to 0.1 LU bins and
  // makes the result a staircase in gain that a search could stall on.
  const Meter meter = fed_meter(stereo_frames, bits, sample_rate, channels, EBUR128_MODE_I);
  double lufs = kNaN;
  if (!meter || ebur128_loudness_global(meter.get(), &lufs) != EBUR128_SUCCESS) return kNaN;
  return lufs;
}

double true_peak_dbtp(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                      int channels) {
  const Meter meter =
      fed_meter(stereo_frames, bits, sample_rate, channels, EBUR128_MODE_TRUE_PEAK);
  return meter ? max_true_peak_dbtp(meter.get(), channels) : kNaN;
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
    {"True peak", "true_peak_dbtp", &LoudnessReport::true_peak_dbtp, "dBTP", 2},
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
  return json.dump(2) + "\n";
}

}  // namespace lathe
