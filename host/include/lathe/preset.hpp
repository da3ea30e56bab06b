// SPDX-License-Identifier: MIT
// Presets: chain parameters plus a loudness target, as JSON files shared by the CLI and
// the GUI, and the built-in ones. The keys, ranges and defaults are lathe/settings.hpp's.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lathe/atomic_file.hpp"
#include "lathe/error.hpp"
#include "lathe/params.hpp"

namespace lathe {

struct Preset {
  std::string name;
  std::string description;
  std::optional<double> target_lufs;
  ChainParams params;
  bool operator==(const Preset&) const = default;
};

// A preset file is a few kilobytes; anything past this is not one (and is not read).
constexpr std::size_t kMaxPresetFileBytes = 256 * 1024;

std::vector<std::string> builtin_preset_names();
std::optional<Preset> builtin_preset(const std::string& name);

std::string preset_to_json(const Preset& p);
// Strict: unknown keys, duplicate keys, keys that contradict each other (eq.bands with
// eq.ch0/ch1), wrong types and values out of range are kBadPreset errors naming origin
// and key. Missing keys take default_preset()'s values (docs/cli.md lists them).
Result<Preset> preset_from_json(const std::string& text, const std::string& origin);
// Refuses what is not a regular file, or is larger than kMaxPresetFileBytes, unread.
Result<Preset> load_preset_file(const std::string& path);
// Writes the preset as JSON, atomically (a temporary file renamed over path).
Error save_preset_file(const std::string& path, const Preset& p);
// The preset written and flushed to a temporary file next to path, for a job that
// publishes it together with its audio: commit() renames it over path.
Result<AtomicFile> stage_preset_file(const std::string& path, const Preset& p);
// A built-in name, or else a path to a JSON file.
Result<Preset> find_preset(const std::string& name_or_path);

// Applies one "key=value" assignment, e.g. "compressor.threshold_db=-18",
// "eq.band2.gain_db=1.5" (both EQ channels), "eq.ch1.band2.type=high_shelf",
// "limiter.ceiling_dbtp=-2", "target_lufs=off". Short stage names comp, lim work too.
// Values are parsed strictly (lathe/settings.hpp); a failure changes nothing.
Error apply_setting(Preset& p, const std::string& assignment);

}  // namespace lathe
