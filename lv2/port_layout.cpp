// SPDX-License-Identifier: MIT
#include "port_layout.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "lathe/preset.hpp"

namespace lathe::lv2 {
namespace {

bool is_control(const SettingInfo& info) {
  if (info.kind == SettingKind::kText) return false;
  if (info.key == "target_lufs" || info.key == "dither.seed") return false;
  return true;
}

// "limiter.ceiling_dbtp" -> "limiter ceiling": the unit is the port's units:unit.
std::string words_of(const std::string& key) {
  std::string s = key;
  for (const char* unit : {"_dbtp", "_dbfs", "_db", "_hz", "_ms"}) {
    const std::string u = unit;
    if (s.size() > u.size() && s.compare(s.size() - u.size(), u.size(), u) == 0) {
      s.resize(s.size() - u.size());
      break;
    }
  }
  std::replace(s.begin(), s.end(), '.', ' ');
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

float float_of(double v) { return static_cast<float>(v); }

std::vector<ControlPort> make_control_ports() {
  std::vector<ControlPort> ports;
  uint32_t index = kAudioPorts;
  const Preset& defaults = default_preset();
  for (const SettingInfo& info : setting_infos()) {
    if (!is_control(info)) continue;
    ControlPort p;
    p.info = &info;
    p.index = index++;
    p.symbol = port_symbol(info.key);
    p.name = words_of(info.key);
    switch (info.kind) {
      case SettingKind::kNumber:
        p.minimum = float_of(info.min);
        p.maximum = std::isinf(info.max) ? kRatioPortMax : float_of(info.max);
        if (std::isinf(info.max)) p.scale_points.push_back({kRatioPortMax, "inf"});
        break;
      case SettingKind::kInteger:
        p.integer = true;
        p.minimum = float_of(info.min);
        p.maximum = float_of(info.max);
        if (!info.choices.empty()) {
          p.enumeration = true;
          for (const auto& c : info.choices) p.scale_points.push_back({float_of(*parse_decimal(c)), c});
        }
        break;
      case SettingKind::kBoolean:
        p.toggled = true;
        p.minimum = 0;
        p.maximum = 1;
        break;
      case SettingKind::kChoice:
        p.integer = true;
        p.enumeration = true;
        p.minimum = 0;
        p.maximum = static_cast<float>(info.choices.size() - 1);
        for (std::size_t i = 0; i < info.choices.size(); ++i)
          p.scale_points.push_back({static_cast<float>(i), info.choices[i]});
        break;
      case SettingKind::kText:
        break;
    }
    p.default_value = port_value(p, get_setting(defaults, info));
    ports.push_back(std::move(p));
  }
  return ports;
}

std::vector<MeterPort> make_meter_ports() {
  uint32_t index = kAudioPorts + static_cast<uint32_t>(control_ports().size());
  return {
      {Meter::kInPeakDbfs, index++, "input_peak_dbfs", "input peak", "dBFS", -120, 6},
      {Meter::kOutPeakDbfs, index++, "output_peak_dbfs", "output peak", "dBFS", -120, 6},
      {Meter::kTruePeakDbtp, index++, "detector_true_peak_dbtp", "detector true peak", "dBTP", -120, 30},
      {Meter::kCompGrDb, index++, "compressor_gain_reduction_db", "compressor gain reduction", "dB", 0, 60},
      {Meter::kLimGrDb, index++, "limiter_gain_reduction_db", "limiter gain reduction", "dB", 0, 60},
      {Meter::kLatency, index++, "latency", "latency", "frames", 0, 1 << 16},
  };
}

}  // namespace

const std::vector<ControlPort>& control_ports() {
  static const std::vector<ControlPort> v = make_control_ports();
  return v;
}

const std::vector<MeterPort>& meter_ports() {
  static const std::vector<MeterPort> v = make_meter_ports();
  return v;
}

uint32_t port_count() { return kAudioPorts + static_cast<uint32_t>(control_ports().size() + meter_ports().size()); }

std::string port_symbol(const std::string& key) {
  std::string s = key;
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

float port_value(const ControlPort& port, const SettingValue& value) {
  if (const double* d = std::get_if<double>(&value))
    return std::isinf(port.info->max) ? std::min(kRatioPortMax, float_of(*d)) : float_of(*d);
  if (const bool* b = std::get_if<bool>(&value)) return *b ? 1.0f : 0.0f;
  if (const auto* s = std::get_if<std::string>(&value)) {
    const auto& c = port.info->choices;
    return static_cast<float>(std::find(c.begin(), c.end(), *s) - c.begin());
  }
  return 0.0f;
}

double decimal_of(float value) {
  char text[64];
  const auto out = std::to_chars(text, text + sizeof text, value);  // shortest round trip
  double d = value;
  std::from_chars(text, out.ptr, d);
  return d;
}

std::optional<SettingValue> setting_value(const ControlPort& port, float value, int sample_rate) {
  const SettingInfo& info = *port.info;
  if (!(value >= port.minimum && value <= port.maximum)) return std::nullopt;  // NaN too
  switch (info.kind) {
    case SettingKind::kNumber: {
      if (std::isinf(info.max) && value == kRatioPortMax) return SettingValue(info.max);
      double d = decimal_of(value);
      if (info.max_fraction_of_rate > 0 && sample_rate > 0) d = std::min(d, info.max_fraction_of_rate * sample_rate);
      return SettingValue(std::clamp(d, info.min, info.max));
    }
    case SettingKind::kInteger:
      if (!info.choices.empty()) {
        for (const ScalePoint& c : port.scale_points)
          if (c.value == value) return SettingValue(static_cast<double>(value));
        return std::nullopt;
      }
      if (value != std::floor(value)) return std::nullopt;
      return SettingValue(static_cast<double>(value));
    case SettingKind::kBoolean:
      return SettingValue(value > 0.0f);
    case SettingKind::kChoice:
      // Hosts may interpolate an enumeration: the nearest choice.
      return SettingValue(info.choices[static_cast<std::size_t>(std::lround(value))]);
    case SettingKind::kText:
      break;
  }
  return std::nullopt;
}

}  // namespace lathe::lv2
