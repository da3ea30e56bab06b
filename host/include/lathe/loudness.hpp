// SPDX-License-Identifier: MIT
// Loudness and peak measurements (ITU-R BS.1770 / EBU R128 through libebur128) for
// reports, the loudness-target gain search and tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lathe {

// All levels are -HUGE_VAL (-inf) for digital silence. Invalid arguments (channels not
// 1 or 2, bits outside 2..32, sample_rate <= 0, an odd number of samples) give NaN.
struct LoudnessReport {
  double integrated_lufs = 0.0;
  double range_lu = 0.0;            // loudness range (LRA)
  double shortterm_max_lufs = 0.0;  // max of short-term loudness (3 s), every 100 ms
  double momentary_max_lufs = 0.0;  // max of momentary loudness (400 ms), every 100 ms
  double sample_peak_dbfs = 0.0;    // max over channels
  double true_peak_dbtp = 0.0;      // max over channels
  double duration_s = 0.0;
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
