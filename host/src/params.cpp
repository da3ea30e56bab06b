// SPDX-License-Identifier: MIT
// User parameters -> register values. The only code that knows both worlds.
#include "lathe/params.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

#include "lathe/fixed_point.hpp"
#include "lathe/preset.hpp"
#include "lathe/settings.hpp"

namespace lathe {
namespace {

constexpr double kDbPerLog2 = 6.020599913279624;  // 20 log10(2)

int64_t to_fixed(double v, int frac_bits) { return std::llround(std::ldexp(v, frac_bits)); }

// The decoupled detector releases through two one-pole stages in series (release, then
// attack smoothing), so its gain recovers more slowly than the release constant alone.
// Time for the cascade's step response to fall to 1/e, for constants r and a (any unit).
double cascade_decay_time(double r, double a) {
  auto level = [&](double t) {
    if (std::abs(r - a) < 1e-9 * (r + a)) return (1 + t / r) * std::exp(-t / r);
    return (r * std::exp(-t / r) - a * std::exp(-t / a)) / (r - a);
  };
  double lo = 0, hi = 50 * (r + a);
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (level(mid) > std::exp(-1.0) ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double release_time_constant_ms(double release_ms, double attack_ms) {
  // The gain cannot recover faster than the attack smoothing allows.
  if (release_ms <= cascade_decay_time(limits::kTimeMinMs, attack_ms)) return limits::kTimeMinMs;
  double lo = limits::kTimeMinMs, hi = release_ms;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (cascade_decay_time(mid, attack_ms) < release_ms ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool is_supported_rate(int sample_rate) {
  return std::find(kSupportedRates.begin(), kSupportedRates.end(), sample_rate) != kSupportedRates.end();
}

const char* filter_type_name(FilterType t) {
  switch (t) {
    case FilterType::Off: return "off";
    case FilterType::Peak: return "peak";
    case FilterType::LowShelf: return "low_shelf";
    case FilterType::HighShelf: return "high_shelf";
    case FilterType::HighPass: return "high_pass";
    case FilterType::LowPass: return "low_pass";
  }
  return "off";
}

std::optional<FilterType> parse_filter_type(const std::string& name) {
  for (FilterType t : {FilterType::Off, FilterType::Peak, FilterType::LowShelf,
                       FilterType::HighShelf, FilterType::HighPass, FilterType::LowPass})
    if (name == filter_type_name(t)) return t;
  return std::nullopt;
}

double db_to_log2(double db) { return db / kDbPerLog2; }
double log2_q16_to_db(int32_t v) { return v * kDbPerLog2 / fx::kLogOne; }
int32_t db_to_log2_q16(double db) { return static_cast<int32_t>(to_fixed(db_to_log2(db), fx::kLogFrac)); }

uint32_t smoothing_coefficient(double time_ms, int sample_rate) {
  const double c = -std::expm1(-1.0 / (time_ms * 1e-3 * sample_rate));
  return static_cast<uint32_t>(std::clamp<int64_t>(to_fixed(c, 32), 1, UINT32_MAX));
}

double ceiling_margin_db(int lookahead_samples) { return 0.01 + 0.6 / std::max(1, lookahead_samples); }

int lookahead_samples(double lookahead_ms, int sample_rate) {
  return std::clamp(static_cast<int>(std::lround(lookahead_ms * 1e-3 * sample_rate)), limits::kLookaheadMinSamples,
                    reg::kMaxLookahead);
}

Error validate(const ChainParams& p, int fs) {
  if (!is_supported_rate(fs))
    return Error(Errc::kUnsupportedRate, "sample rate " + std::to_string(fs) + " Hz is not supported");
  // The ranges live in one table (settings.cpp); check every chain setting against it.
  Preset preset;
  preset.params = p;
  for (const SettingInfo& info : setting_infos())
    if (auto e = check_setting(info, get_setting(preset, info), fs)) return e;
  return {};
}

std::complex<double> BiquadDesign::response(double f, double fs) const {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * f / fs);
  const std::complex<double> z2 = z1 * z1;
  return (b0 + b1 * z1 + b2 * z2) / (1.0 + a1 * z1 + a2 * z2);
}

double BiquadDesign::magnitude_db(double f, double fs) const { return 20.0 * std::log10(std::abs(response(f, fs))); }

BiquadDesign design_biquad(const EqBand& band, double fs) {
  if (band.type == FilterType::Off) return {};
  const double w0 = 2.0 * std::numbers::pi * band.freq_hz / fs;
  const double cw = std::cos(w0), sw = std::sin(w0);
  const double alpha = sw / (2.0 * band.q);
  const double A = std::pow(10.0, band.gain_db / 40.0);
  const double sA = std::sqrt(A);
  // 1 - cos(w0) without cancellation, for low corner frequencies.
  const double one_minus_cw = 2.0 * std::sin(w0 / 2) * std::sin(w0 / 2);
  double b0 = 1, b1 = 0, b2 = 0, a0 = 1, a1 = 0, a2 = 0;
  switch (band.type) {
    case FilterType::Peak:
      b0 = 1 + alpha * A; b1 = -2 * cw; b2 = 1 - alpha * A;
      a0 = 1 + alpha / A; a1 = -2 * cw; a2 = 1 - alpha / A;
      break;
    case FilterType::LowShelf:
      b0 = A * ((A + 1) - (A - 1) * cw + 2 * sA * alpha);
      b1 = 2 * A * ((A - 1) - (A + 1) * cw);
      b2 = A * ((A + 1) - (A - 1) * cw - 2 * sA * alpha);
      a0 = (A + 1) + (A - 1) * cw + 2 * sA * alpha;
      a1 = -2 * ((A - 1) + (A + 1) * cw);
      a2 = (A + 1) + (A - 1) * cw - 2 * sA * alpha;
      break;
    case FilterType::HighShelf:
      b0 = A * ((A + 1) + (A - 1) * cw + 2 * sA * alpha);
      b1 = -2 * A * ((A - 1) + (A + 1) * cw);
      b2 = A * ((A + 1) + (A - 1) * cw - 2 * sA * alpha);
      a0 = (A + 1) - (A - 1) * cw + 2 * sA * alpha;
      a1 = 2 * ((A - 1) - (A + 1) * cw);
      a2 = (A + 1) - (A - 1) * cw - 2 * sA * alpha;
      break;
    case FilterType::LowPass:
      b0 = one_minus_cw / 2; b1 = one_minus_cw; b2 = one_minus_cw / 2;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case FilterType::HighPass:
      b0 = (2 - one_minus_cw) / 2; b1 = -(2 - one_minus_cw); b2 = (2 - one_minus_cw) / 2;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case FilterType::Off:
      break;
  }
  return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

std::array<int64_t, 5> quantize_biquad(const BiquadDesign& d) {
  return {to_fixed(d.b0, fx::kCoefFrac), to_fixed(d.b1, fx::kCoefFrac), to_fixed(d.b2, fx::kCoefFrac),
          to_fixed(d.a1, fx::kCoefFrac), to_fixed(d.a2, fx::kCoefFrac)};
}

BiquadDesign dequantize_biquad(const std::array<int64_t, 5>& q) {
  auto f = [](int64_t v) { return std::ldexp(static_cast<double>(v), -fx::kCoefFrac); };
  return {f(q[0]), f(q[1]), f(q[2]), f(q[3]), f(q[4])};
}

reg::RegisterImage to_registers(const ChainParams& p, int fs) {
  reg::RegisterImage r;
  uint32_t ctrl = 0;
  if (p.eq.mid_side) ctrl |= reg::kCtrlMidSide;
  if (p.comp.stereo_link) ctrl |= reg::kCtrlCompLink;
  if (p.dither.enabled) ctrl |= reg::kCtrlDither;
  if (p.dither.bits == 16) ctrl |= reg::kCtrlOut16;
  if (p.bypass) ctrl |= reg::kCtrlBypass;
  if (fs >= 96000) ctrl |= reg::kCtrlTp2x;  // as libebur128 switches its interpolator
  r[reg::kCtrl] = ctrl;
  r[reg::kTrimGain] = static_cast<uint32_t>(to_fixed(std::pow(10.0, p.trim_db / 20.0), fx::kGainFrac));

  for (int ch = 0; ch < reg::kEqChannels; ++ch)
    for (int b = 0; b < reg::kEqBands; ++b) {
      const auto q = quantize_biquad(design_biquad(p.eq.bands[ch][b], fs));
      for (int k = 0; k < reg::kEqCoefs; ++k) r.set_eq_coef(ch, b, k, q[k]);
    }

  const CompressorParams& c = p.comp;
  const double slope = std::isinf(c.ratio) ? 1.0 : 1.0 - 1.0 / c.ratio;
  // Knees under 0.1 dB are hard knees: slope / (2 W) would not fit its uQ8.24 register.
  const double knee_db = c.knee_db < 0.1 ? 0.0 : c.knee_db;
  const int32_t knee_half = static_cast<int32_t>(to_fixed(db_to_log2(knee_db) / 2, fx::kLogFrac));
  r[reg::kCompThreshold] = static_cast<uint32_t>(db_to_log2_q16(c.threshold_db));
  r[reg::kCompKneeHalf] = static_cast<uint32_t>(knee_half);
  // slope / (2 W), with W the knee width as quantised, so knee and line meet exactly.
  const double knee_width = 2.0 * knee_half / fx::kLogOne;
  r[reg::kCompKneeCoef] = knee_half > 0 ? static_cast<uint32_t>(to_fixed(slope / (2 * knee_width), 24)) : 0;
  r[reg::kCompSlope] = static_cast<uint32_t>(to_fixed(slope, 16));
  r[reg::kCompAttack] = smoothing_coefficient(c.attack_ms, fs);
  r[reg::kCompRelease] = smoothing_coefficient(release_time_constant_ms(c.release_ms, c.attack_ms), fs);
  r[reg::kCompMakeup] = static_cast<uint32_t>(db_to_log2_q16(c.makeup_db));

  const LimiterParams& l = p.lim;
  const int look = lookahead_samples(l.lookahead_ms, fs);
  r[reg::kLimDrive] = static_cast<uint32_t>(db_to_log2_q16(l.drive_db));
  r[reg::kLimCeiling] = static_cast<uint32_t>(db_to_log2_q16(l.ceiling_dbtp - ceiling_margin_db(look)));
  // The guard's ceiling, rounded down: the one place the promise is kept exactly.
  r[reg::kLimGuardCeiling] = static_cast<uint32_t>(
      std::floor(std::pow(10.0, (l.ceiling_dbtp - kGuardMarginDb) / 20.0) * (1 << fx::kGainFrac)));
  r[reg::kLimLookahead] = static_cast<uint32_t>(look);
  r[reg::kLimRecip] = static_cast<uint32_t>(((int64_t{1} << 31) + look - 1) / look);
  r[reg::kLimHoldBlocks] = static_cast<uint32_t>((look + reg::kLimiterExtraDelay + reg::kHoldBlock - 1) / reg::kHoldBlock);
  r[reg::kLimRelease] = smoothing_coefficient(l.release_ms, fs);
  // The transient stage: off (the release's own coefficient) unless faster than it.
  const double transient_ms = std::min(l.transient_release_ms, l.release_ms);
  r[reg::kLimTransientRelease] = smoothing_coefficient(transient_ms, fs);
  // The sustained reduction lets go twice as slowly as the transient release returns.
  r[reg::kLimSustainRelease] = smoothing_coefficient(2.0 * transient_ms, fs);
  r[reg::kLimSustainHold] = static_cast<uint32_t>(std::lround(l.transient_hold_ms * 1e-3 * fs));
  r[reg::kDitherSeed] = p.dither.seed ? p.dither.seed : 1;
  return r;
}

}  // namespace lathe
