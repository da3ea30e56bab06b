// SPDX-License-Identifier: MIT
// Presets: chain parameters plus a loudness target, as JSON files shared by the CLI and
// the GUI, and the built-in ones.
#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lathe/params.hpp"

namespace lathe {

struct Preset {
  std::string name;
  std::string description;
  std::optional<double> target_lufs;
  ChainParams params;
  bool operator==(const Preset&) const = default;
};

struct PresetError {
  std::string message;  // one line: where (file, key) and what is wrong
};

std::vector<std::string> builtin_preset_names();
std::optional<Preset> builtin_preset(const std::string& name);

std::string preset_to_json(const Preset& p);
std::variant<Preset, PresetError> preset_from_json(const std::string& text, const std::string& origin);
std::variant<Preset, PresetError> load_preset_file(const std::string& path);
// Writes the preset as JSON, atomically (a temporary file renamed over path).
std::optional<PresetError> save_preset_file(const std::string& path, const Preset& p);
// A built-in name, or else a path to a JSON file.
std::variant<Preset, PresetError> find_preset(const std::string& name_or_path);

// Applies one "path=value" assignment, e.g. "compressor.threshold_db=-18",
// "eq.band2.gain_db=1.5" (both EQ channels), "eq.ch1.band2.type=high_shelf",
// "limiter.ceiling_dbtp=-2", "target_lufs=off". Short stage names comp, lim work too.
std::optional<PresetError> apply_setting(Preset& p, const std::string& assignment);

}  // namespace lathe
