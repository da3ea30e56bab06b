// SPDX-License-Identifier: MIT
// The LV2 plug-in's ports, derived from lathe::setting_infos(): which settings are
// control ports, in what order, with what range, and how a port's float becomes a
// setting value. The TTL generator, the plug-in and the tests all read this one list.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lathe/settings.hpp"

namespace lathe::lv2 {

inline constexpr const char* kPluginUri = "https://lathe.audio/plugins/lathe";
// The dither seed is plug-in state, not a port: a 32-bit float cannot hold every seed.
inline constexpr const char* kDitherSeedUri = "https://lathe.audio/plugins/lathe#dither_seed";
inline constexpr const char* kPresetUriPrefix = "https://lathe.audio/plugins/lathe/presets/";

// Audio ports come first, then one control input per ControlPort, then the meters.
enum AudioPort : uint32_t { kInLeft = 0, kInRight = 1, kOutLeft = 2, kOutRight = 3, kAudioPorts = 4 };

// compressor.ratio runs to infinity; its port stops here and this value means inf.
inline constexpr float kRatioPortMax = 100.0f;

struct ScalePoint {
  float value;
  std::string label;
};

struct ControlPort {
  const SettingInfo* info = nullptr;
  uint32_t index = 0;     // LV2 port index
  std::string symbol;     // "limiter_ceiling_dbtp"
  std::string name;       // "limiter ceiling": the key in words, without its unit
  float minimum = 0, maximum = 0, default_value = 0;
  bool toggled = false, integer = false, enumeration = false;
  std::vector<ScalePoint> scale_points;
};

// Control inputs in port order: every setting but the text ones, the loudness target
// (no loudness search in real time: limiter.drive_db is the control) and the seed.
const std::vector<ControlPort>& control_ports();

// Meter outputs, after the control inputs.
enum class Meter : uint32_t { kInPeakDbfs, kOutPeakDbfs, kTruePeakDbtp, kCompGrDb, kLimGrDb, kLatency, kCount };
struct MeterPort {
  Meter meter;
  uint32_t index;
  const char* symbol;
  const char* name;
  const char* unit;  // "dB", "dBFS", "dBTP", "frames"
  float minimum, maximum;
};
const std::vector<MeterPort>& meter_ports();
uint32_t port_count();

// "limiter.ceiling_dbtp" -> "limiter_ceiling_dbtp".
std::string port_symbol(const std::string& key);

// The port value that stands for a setting value (presets, defaults).
float port_value(const ControlPort& port, const SettingValue& value);

// A port value as the setting, or nothing when the value is not one the port takes (NaN,
// outside its range, not a choice). EQ frequencies are clamped to the rate's bound
// (0.49 fs), the port's range being the rate-independent one. A number is read as the
// shortest decimal that rounds to the float, so 0.7071 in a preset is 0.7071 in the
// chain, as in `lathe master`. Never allocates (choice names are short strings).
std::optional<SettingValue> setting_value(const ControlPort& port, float value, int sample_rate);

// The double a float port value stands for: the shortest decimal that rounds to it.
double decimal_of(float value);

}  // namespace lathe::lv2
