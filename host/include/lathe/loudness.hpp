// SPDX-License-Identifier: MIT
// Loudness and peak measurements (ITU-R BS.1770 / EBU R128 through libebur128) for
// reports, the loudness-target gain search and tests.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lathe/error.hpp"
#include "lathe/reconstruction_peak.hpp"

namespace lathe {

// All levels are -HUGE_VAL (-inf) for digital silence. Invalid arguments (channels not
// 1 or 2, bits outside 2..32, sample_rate <= 0, an odd number of samples) give NaN.
struct LoudnessReport {
  double integrated_lufs = 0.0;
  double range_lu = 0.0;            // loudness range (LRA)
  double shortterm_max_lufs = 0.0;  // max of short-term loudness (3 s), every 100 ms
  double momentary_max_lufs = 0.0;  // max of momentary loudness (400 ms), every 100 ms
  double sample_peak_dbfs = 0.0;    // max over channels
  double true_peak_dbtp = 0.0;      // max over channels, BS.1770-4 (libebur128: 4x below 96 kHz, 2x below 192 kHz)
  double duration_s = 0.0;
  // Max over channels by the 32x reconstruction meter (lathe/reconstruction_peak.hpp):
  // what a DAC makes of the samples; NaN when not measured.
  double reconstruction_peak_dbtp = NAN;
};
// Names of the two true-peak meters, for reports that must say which one they quote.
extern const char* const kTruePeakMeterName;

// A loudness meter fed a block at a time: jobs, the GUI's live meters and `lathe
// analyze` all use it, so that every figure comes from the same measurement.
class LoudnessMeter {
 public:
  enum class Measures {
    kIntegrated,  // integrated loudness only, as cheaply as libebur128 allows (searches)
    kAll,         // everything in LoudnessReport, maxima every 100 ms (EBU Tech 3341),
                  // and the 32x reconstruction peak
    kTruePeak,    // libebur128's true peak (and the sample peak) only
    kLive,        // as kAll without LRA, integrated on libebur128's histogram (0.1 LU
                  // bins): queries take constant time, for meters read many times a second
  };
  // kInvalidArgument for channels other than 1 or 2 or a rate libebur128 refuses.
  static Result<LoudnessMeter> create(int sample_rate, int channels, Measures measures);
  LoudnessMeter(LoudnessMeter&&) noexcept;
  LoudnessMeter& operator=(LoudnessMeter&&) noexcept;
  ~LoudnessMeter();

  // Interleaved stereo integer frames of `bits` width (value / 2^(bits-1) is the
  // sample); a mono meter takes the left channel.
  Error add(std::span<const int32_t> stereo_frames, int bits);
  // Frames of the meter's channels as normalised doubles (AudioReader::read_source).
  Error add_source(std::span<const double> frames);

  // Everything measured so far (fields a kIntegrated meter does not measure are NaN).
  LoudnessReport report() const;
  double integrated_lufs() const;
  double momentary_lufs() const;  // the last 400 ms
  double shortterm_lufs() const;  // the last 3 s
  // Largest true peak (linear, over channels) of the frames of the last add().
  double last_true_peak() const { return last_true_peak_; }
  int channels() const { return channels_; }
  int sample_rate() const { return sample_rate_; }

 private:
  LoudnessMeter() = default;
  Error feed(const double* frames, std::size_t count);

  void* state_ = nullptr;  // ebur128_state (a typedef of an unnamed struct: not declarable here)
  int channels_ = 0, sample_rate_ = 0;
  bool all_ = false;  // more than the integrated loudness
  std::size_t hop_ = 1, since_hop_ = 0;
  uint64_t frames_ = 0;
  double momentary_max_ = -HUGE_VAL, shortterm_max_ = -HUGE_VAL, sample_peak_ = 0.0;
  double last_true_peak_ = 0.0;
  std::vector<double> buffer_;
  std::optional<ReconstructionPeakMeter> reconstruction_;  // kAll only
};

// Measures interleaved stereo integer frames of `bits` width (value / 2^(bits-1) is the
// sample). channels = 1 measures the left channel alone: a mono file measures as mono
// (a full-scale 997 Hz sine reads -3.01 LUFS), as BS.1770 specifies.
LoudnessReport measure_loudness(const std::vector<int32_t>& stereo_frames, int bits,
                                int sample_rate, int channels);

// Integrated loudness alone, as cheaply as libebur128 allows: for gain searches.
double integrated_loudness(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                           int channels);

// True peak alone (dBTP, max over channels). libebur128 interpolates 4x below 96 kHz,
// 2x below 192 kHz and not at all at 192 kHz, where true peak reads as sample peak:
// right for content below 20 kHz, blind to inter-sample peaks of anything higher.
double true_peak_dbtp(const std::vector<int32_t>& stereo_frames, int bits, int sample_rate,
                      int channels);

// Renderings for `lathe analyze`: an aligned table with units, -inf shown as "-inf"; and
// a JSON object (keys integrated_lufs, loudness_range_lu, shortterm_max_lufs,
// momentary_max_lufs, sample_peak_dbfs, true_peak_dbtp, duration_s; -inf as null).
// Both end with a newline.
std::string format_report_text(const LoudnessReport& report);
std::string format_report_json(const LoudnessReport& report);

}  // namespace lathe
