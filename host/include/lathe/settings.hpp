// SPDX-License-Identifier: MIT
// Every setting of a preset, described once: its key, kind, unit, range and default.
// `--set`, preset files, validation, `lathe settings` (and the docs table made from it)
// all read this one table, so a range or a default is never typed twice.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lathe/error.hpp"

namespace lathe {

struct Preset;

enum class SettingKind {
  kNumber,   // a decimal number in [min, max]; `words` may add "inf" or "off"
  kInteger,  // a whole number in [min, max], or exactly one of `choices` when given
  kBoolean,  // true/false (also on/off, 1/0 on the command line)
  kChoice,   // one of `choices`
  kText,     // UTF-8 without control characters, at most max bytes
};

struct SettingInfo {
  std::string key;      // "limiter.ceiling_dbtp", "eq.ch1.band3.gain_db"
  SettingKind kind = SettingKind::kNumber;
  std::string unit;     // "dB", "dBTP", "dBFS", "LUFS", "Hz", "ms", "" (none)
  double min = 0.0;     // numbers and integers, inclusive
  double max = 0.0;     // numbers, integers; the byte limit of text
  // EQ frequencies: the upper bound is this fraction of the sample rate (0: none), and
  // `max` is that bound at the highest supported rate.
  double max_fraction_of_rate = 0.0;
  std::vector<std::string> choices;  // kChoice, kInteger (e.g. "16", "24")
  std::vector<std::string> words;    // kNumber: words that stand for a value ("inf", "off")
  std::string summary;               // one line, for `lathe settings` and the docs
};

// A setting's value: a number (integers too), a boolean, a word or text; `off` is the
// absent loudness target.
struct Off {
  bool operator==(const Off&) const = default;
};
using SettingValue = std::variant<double, bool, std::string, Off>;

// Every key a preset has, in the order of the preset format.
const std::vector<SettingInfo>& setting_infos();
const SettingInfo* find_setting(std::string_view key);

// Reads a value from text, strictly: decimal numbers only (no hex, no spaces, no NaN;
// inf only where documented), whole numbers for integers, exact words. Checks the range
// (the rate-independent one: EQ frequencies up to 0.49 x 192 kHz). kInvalidSetting.
Result<SettingValue> parse_setting(const SettingInfo& info, std::string_view text);
// Checks a value of the right kind against the setting's range; with sample_rate > 0 the
// rate-dependent bounds too.
Error check_setting(const SettingInfo& info, const SettingValue& value, int sample_rate = 0);

SettingValue get_setting(const Preset& preset, const SettingInfo& info);
// Stores a value that check_setting accepted.
void put_setting(Preset& preset, const SettingInfo& info, const SettingValue& value);
// The value as `--set` would take it back: "-14", "off", "inf", "peak", "true".
std::string format_setting(const SettingValue& value);

// A strict decimal number ([+-]digits[.digits][e[+-]digits]; no hex, spaces, NaN or
// inf), finite; empty otherwise. For command-line numbers outside the table (seconds).
std::optional<double> parse_decimal(std::string_view text);

// The defaults a preset file's missing fields take, as a preset.
const Preset& default_preset();

// The table as Markdown (key, unit, range, default, meaning), as docs/cli.md has it.
std::string settings_markdown();

}  // namespace lathe
