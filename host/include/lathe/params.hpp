// SPDX-License-Identifier: MIT
// User parameters of the mastering chain (dB, Hz, Q, ms, dBTP, bits) and the one place
// that turns them into register values for a given sample rate.
#pragma once
#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>

#include "lathe/error.hpp"
#include "lathe/registers.hpp"

namespace lathe {

constexpr std::array<int, 6> kSupportedRates = {44100, 48000, 88200, 96000, 176400, 192000};
bool is_supported_rate(int sample_rate);

enum class FilterType { Off, Peak, LowShelf, HighShelf, HighPass, LowPass };
const char* filter_type_name(FilterType t);  // "off", "peak", "low_shelf", ...
std::optional<FilterType> parse_filter_type(const std::string& name);

struct EqBand {
  FilterType type = FilterType::Off;
  double freq_hz = 1000.0;
  double gain_db = 0.0;  // peak and shelves
  double q = 0.7071;     // bandwidth for peak and pass filters, slope for shelves
  bool operator==(const EqBand&) const = default;
};

struct EqParams {
  bool mid_side = false;  // channel 0 = mid, 1 = side (else left, right)
  std::array<std::array<EqBand, reg::kEqBands>, reg::kEqChannels> bands{};
  bool operator==(const EqParams&) const = default;
};

struct CompressorParams {
  double threshold_db = 0.0;
  double ratio = 1.0;  // 1 = off; std::numeric_limits<double>::infinity() allowed
  double knee_db = 6.0;
  double attack_ms = 10.0;
  double release_ms = 150.0;
  double makeup_db = 0.0;
  bool stereo_link = true;
  bool operator==(const CompressorParams&) const = default;
};

struct LimiterParams {
  double ceiling_dbtp = -1.0;
  double lookahead_ms = 2.0;
  double release_ms = 80.0;  // release of a sustained reduction
  double drive_db = 0.0;     // gain into the limiter; loudness targeting moves it
  // Program-dependent release: after a transient the gain returns this fast to the
  // reduction the material sustains; "sustained" means peaks recur within the hold.
  // A transient release at or above release_ms turns the fast stage off.
  double transient_release_ms = 1.0;
  double transient_hold_ms = 5.0;
  bool operator==(const LimiterParams&) const = default;
};

struct DitherParams {
  int bits = 24;  // 16 or 24
  bool enabled = true;
  uint32_t seed = 0x1a7e1a7eu;
  bool operator==(const DitherParams&) const = default;
};

struct ChainParams {
  double trim_db = 0.0;
  EqParams eq;
  CompressorParams comp;
  LimiterParams lim;
  DitherParams dither;
  bool bypass = false;
  bool operator==(const ChainParams&) const = default;
};

// Parameter ranges (the RTL formats bound them).
namespace limits {
constexpr double kTrimDb = 24.0;          // |trim| <= 24 dB
constexpr double kEqGainDb = 18.0;        // |gain| <= 18 dB keeps |b| < 16 (Q5.32)
constexpr double kEqMinHz = 10.0;
constexpr double kEqMaxFraction = 0.49;   // of the sample rate
constexpr double kEqMinQ = 0.1, kEqMaxQ = 20.0;
constexpr double kThresholdMinDb = -60.0, kThresholdMaxDb = 0.0;
constexpr double kKneeMaxDb = 24.0;
constexpr double kTimeMinMs = 0.05, kTimeMaxMs = 5000.0;
constexpr double kMakeupDb = 24.0;
constexpr double kCeilingMinDbtp = -20.0, kCeilingMaxDbtp = 0.0;
constexpr double kLookaheadMinMs = 0.1, kLookaheadMaxMs = 5.0;
// The shortest lookahead in samples, whatever the rate: at 44.1 and 48 kHz 0.1 ms is 4-5
// samples, where the gain ramps so steeply that its modulation of the reconstruction needs
// a 0.13-0.16 dB margin (0.6 / L) and a long search still came within 0.02 dB of an over.
// From 8 samples the margin is under 0.09 dB and the worst found uses about 60 % of it
// (docs/fixed-point.md). So at 44.1 and 48 kHz 0.1 ms acts as 8 samples (0.18 / 0.17 ms),
// and the latency reported is what the limiter really adds.
constexpr int kLookaheadMinSamples = 8;
constexpr double kDriveDb = 24.0;
constexpr double kTransientHoldMaxMs = 100.0;  // the hold counter: 19,200 samples at 192 kHz
constexpr double kTargetMinLufs = -60.0, kTargetMaxLufs = 0.0;  // loudness target
}  // namespace limits

// The limiter aims this far below the requested ceiling: 0.01 dB for the tables, the
// quantised taps and dither, plus what the gain's own modulation can add to the
// reconstruction, which shrinks as the lookahead grows (docs/fixed-point.md derives it
// and gives the measurements behind the constant).
double ceiling_margin_db(int lookahead_samples);
// What the guard keeps under the ceiling for the terms its bound does not carry (the
// taps' 17-bit rounding against the ideal kernel, dither, rounding; docs/fixed-point.md).
inline constexpr double kGuardMarginDb = 0.01;

// No error when valid; else kInvalidSetting (or kUnsupportedRate) and one line naming the
// setting, its value and the allowed range (lathe/settings.hpp has the ranges).
Error validate(const ChainParams& p, int sample_rate);

// The conversion. Precondition: validate(p, sample_rate) is empty.
reg::RegisterImage to_registers(const ChainParams& p, int sample_rate);

// Biquad design in double precision (RBJ Audio EQ Cookbook), normalised so a0 = 1.
struct BiquadDesign {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
  std::complex<double> response(double freq_hz, double sample_rate) const;
  double magnitude_db(double freq_hz, double sample_rate) const;
};
BiquadDesign design_biquad(const EqBand& band, double sample_rate);
// Q5.32 coefficients b0 b1 b2 a1 a2, rounded to nearest.
std::array<int64_t, 5> quantize_biquad(const BiquadDesign& d);
// The design the quantised coefficients actually realise (for drawing curves).
BiquadDesign dequantize_biquad(const std::array<int64_t, 5>& q);

// Unit conversions shared by the host code and the tests.
double db_to_log2(double db);       // 1 log2 unit = 20 log10(2) dB
double log2_q16_to_db(int32_t v);
int32_t db_to_log2_q16(double db);
uint32_t smoothing_coefficient(double time_ms, int sample_rate);  // 1 - exp(-1/(tau fs)), Q0.32
int lookahead_samples(double lookahead_ms, int sample_rate);  // kLookaheadMinSamples..kMaxLookahead
// The compressor's release setting is the time its gain takes to recover 63 %; the
// detector's internal release constant that achieves it with the given attack.
double release_time_constant_ms(double release_ms, double attack_ms);

}  // namespace lathe
