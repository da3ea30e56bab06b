// SPDX-License-Identifier: MIT
// Preset JSON and `--set`, both through the settings table: one schema for reading,
// writing and assignments, strict about unknown, duplicate and contradicting keys.
#include "lathe/preset.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "lathe/settings.hpp"

namespace lathe {
namespace {

using nlohmann::json;

struct SchemaError {
  std::string message;
};

EqBand band(FilterType t, double f, double g, double q) { return {t, f, g, q}; }

std::vector<std::string> split(const std::string& key, char sep) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = key.find(sep, start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// "band3" -> 3; anything else (band0, band03, band1e0, band0x1, band9) -> nothing.
std::optional<int> band_number(const std::string& part) {
  if (part.rfind("band", 0) != 0) return std::nullopt;
  const std::string digits = part.substr(4);
  if (digits.empty() || digits.size() > 2 || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int n = std::stoi(digits);
  if (n < 1 || n > reg::kEqBands) return std::nullopt;
  return n;
}

json value_to_json(const SettingInfo& info, const SettingValue& v) {
  if (std::holds_alternative<Off>(v)) return nullptr;
  if (const double* d = std::get_if<double>(&v)) {
    if (info.kind == SettingKind::kInteger) return static_cast<int64_t>(*d);
    if (std::isinf(*d)) return "inf";
    return *d;
  }
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

json to_json(const Preset& p) {
  json j = json::object();
  for (const SettingInfo& info : setting_infos()) {
    const auto parts = split(info.key, '.');
    json* node = &j;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      if (auto n = band_number(parts[i])) {
        if (!node->is_array()) *node = json::array();
        while (node->size() < static_cast<std::size_t>(*n)) node->push_back(json::object());
        node = &(*node)[static_cast<std::size_t>(*n - 1)];
      } else {
        node = &(*node)[parts[i]];
      }
    }
    (*node)[parts.back()] = value_to_json(info, get_setting(p, info));
  }
  return j;
}

// A JSON leaf as the setting's kind of value, or why it is not one.
std::optional<SettingValue> value_from_json(const SettingInfo& info, const json& v, std::string& why) {
  switch (info.kind) {
    case SettingKind::kNumber:
      if (v.is_number()) return v.get<double>();
      if (v.is_null() && std::find(info.words.begin(), info.words.end(), "off") != info.words.end()) return Off{};
      if (v.is_string() && std::find(info.words.begin(), info.words.end(), "inf") != info.words.end() &&
          (v == "inf" || v == "infinity"))
        return std::numeric_limits<double>::infinity();
      why = "expected a number";
      for (const auto& w : info.words) why += w == "off" ? " or null" : " or \"" + w + "\"";
      return std::nullopt;
    case SettingKind::kInteger:
      if (v.is_number()) return v.get<double>();
      why = "expected a whole number";
      return std::nullopt;
    case SettingKind::kBoolean:
      if (v.is_boolean()) return v.get<bool>();
      why = "expected true or false";
      return std::nullopt;
    case SettingKind::kChoice:
    case SettingKind::kText:
      if (v.is_string()) return v.get<std::string>();
      why = "expected a string";
      return std::nullopt;
  }
  return std::nullopt;
}

// Reads a parsed preset document into `p`, key by key, through the settings table.
class DocumentReader {
 public:
  DocumentReader(std::string origin, Preset& p) : origin_(std::move(origin)), p_(p) {}

  void read(const json& root) {
    if (!root.is_object()) fail("", "expected an object");
    walk(root, "", "");
    if (eq_both_ && eq_channel_)
      fail("eq.bands", "contradicts eq.ch0/eq.ch1: give the bands for both channels, or per channel, not both");
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& why) const {
    throw SchemaError{origin_ + ": " + (where.empty() ? "" : where + ": ") + why};
  }

  // key: the settings key so far ("eq.ch0.band2."); where: the JSON path for people.
  void walk(const json& node, const std::string& key, const std::string& where) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string k = key + it.key();
      const std::string w = where.empty() ? it.key() : where + "." + it.key();
      if (k == "eq.bands" || k == "eq.ch0" || k == "eq.ch1") {
        read_bands(*it, k, w);
      } else if (it->is_object()) {
        if (!has_prefix(k + ".")) fail(w, "unknown key");
        walk(*it, k + ".", w);
      } else {
        leaf(*it, k, w);
      }
    }
  }

  void read_bands(const json& arr, const std::string& key, const std::string& where) {
    if (!arr.is_array()) fail(where, "expected an array of bands");
    if (arr.size() > reg::kEqBands)
      fail(where, std::to_string(arr.size()) + " bands, at most " + std::to_string(reg::kEqBands));
    (key == "eq.bands" ? eq_both_ : eq_channel_) = true;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const std::string w = where + "[" + std::to_string(i) + "]";
      if (!arr[i].is_object()) fail(w, "expected an object");
      const std::string band = ".band" + std::to_string(i + 1) + ".";
      for (auto it = arr[i].begin(); it != arr[i].end(); ++it) {
        if (key == "eq.bands") {
          leaf(*it, "eq.ch0" + band + it.key(), w + "." + it.key());
          leaf(*it, "eq.ch1" + band + it.key(), w + "." + it.key());
        } else {
          leaf(*it, key + band + it.key(), w + "." + it.key());
        }
      }
    }
  }

  void leaf(const json& v, const std::string& key, const std::string& where) {
    const SettingInfo* info = find_setting(key);
    if (!info) fail(where, "unknown key");
    std::string why;
    auto value = value_from_json(*info, v, why);
    if (!value) fail(where, why);
    if (auto e = check_setting(*info, *value)) {
      // The table names the setting by its key; here the file's path says where it is.
      std::string m = e.message();
      if (m.rfind(info->key + ": ", 0) == 0) m = m.substr(info->key.size() + 2);
      fail(where, m);
    }
    put_setting(p_, *info, *value);
  }

  static bool has_prefix(const std::string& prefix) {
    return std::any_of(setting_infos().begin(), setting_infos().end(),
                       [&](const SettingInfo& i) { return i.key.rfind(prefix, 0) == 0; });
  }

  std::string origin_;
  Preset& p_;
  bool eq_both_ = false, eq_channel_ = false;
};

// Parses JSON, refusing a key that appears twice in one object (nlohmann would keep the
// last one silently).
json parse_strict(const std::string& text, const std::string& origin) {
  struct Level {
    std::set<std::string> keys;
    std::string name;
  };
  std::vector<Level> levels;
  std::string last_key;
  json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        levels.push_back({{}, last_key});
        break;
      case json::parse_event_t::object_end:
        if (!levels.empty()) levels.pop_back();
        break;
      case json::parse_event_t::key: {
        last_key = parsed.get<std::string>();
        if (!levels.empty() && !levels.back().keys.insert(last_key).second) {
          std::string where;
          for (std::size_t i = 1; i < levels.size(); ++i) where += levels[i].name + ".";
          throw SchemaError{origin + ": " + where + last_key + ": duplicate key (each key may appear once)"};
        }
        break;
      }
      case json::parse_event_t::array_start:
        last_key += "[]";
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return json::parse(text, check);
  } catch (const json::exception& e) {
    // Syntax errors, ill-formed UTF-8, numbers beyond double range (1e400).
    std::string what = e.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    throw SchemaError{origin + ": not valid JSON (" + what + ")"};
  }
}

ChainParams base_params() {
  ChainParams p;
  p.comp = {-18.0, 2.0, 6.0, 20.0, 200.0, 0.0, true};
  p.lim = {-1.0, 2.0, 80.0, 0.0};
  p.dither = {24, true, 0x1a7e1a7eu};
  // A gentle tonal frame: subsonic high-pass, a little air.
  p.eq.bands[0][0] = band(FilterType::HighPass, 25.0, 0.0, 0.7071);
  p.eq.bands[0][1] = band(FilterType::HighShelf, 10000.0, 1.0, 0.7071);
  p.eq.bands[1] = p.eq.bands[0];
  return p;
}

std::vector<Preset> builtins() {
  std::vector<Preset> v;
  Preset streaming{"streaming", "Streaming services: -14 LUFS integrated, -1 dBTP, 24-bit", -14.0, base_params()};
  v.push_back(streaming);
  Preset broadcast{"broadcast", "EBU R 128 broadcast: -23 LUFS integrated, -1 dBTP, 24-bit, light compression", -23.0, base_params()};
  broadcast.params.comp.ratio = 1.5;
  broadcast.params.comp.threshold_db = -24.0;
  v.push_back(broadcast);
  Preset cd{"cd", "CD master: -12 LUFS integrated, -1 dBTP, 16-bit TPDF dithered", -12.0, base_params()};
  cd.params.dither.bits = 16;
  v.push_back(cd);
  return v;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "unknown setting 'x' (did you mean y?)" for a key that is close to a real one.
std::string unknown_setting(const std::string& key) {
  std::string best;
  // Close means a slip of a few letters, not a different word.
  std::size_t best_d = std::min<std::size_t>(4, key.size() / 3 + 1);
  for (const SettingInfo& i : setting_infos()) {
    const std::size_t d = edit_distance(key, i.key);
    if (d < best_d) best_d = d, best = i.key;
  }
  return "unknown setting '" + key + "'" + (best.empty() ? " (`lathe settings` lists them)" : " (did you mean " + best + "?)");
}


}  // namespace

std::vector<std::string> builtin_preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : builtins()) names.push_back(p.name);
  return names;
}

std::optional<Preset> builtin_preset(const std::string& name) {
  for (Preset& p : builtins())
    if (p.name == name) return p;
  return std::nullopt;
}

std::string preset_to_json(const Preset& p) {
  return to_json(p).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<Preset> preset_from_json(const std::string& text, const std::string& origin) {
  try {
    const json j = parse_strict(text, origin);
    Preset p = default_preset();
    DocumentReader(origin, p).read(j);
    return p;
  } catch (const SchemaError& e) {
    return failure(Errc::kBadPreset, e.message);
  } catch (const std::exception& e) {
    return failure(Errc::kBadPreset, origin + ": cannot read the preset (" + e.what() + ")");
  }
}

Result<Preset> load_preset_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failure(Errc::kCannotOpen, path + ": cannot open preset file (" + errno_text(errno) + ")");
  struct stat st {};
  std::string text;
  Error error;
  if (::fstat(fd, &st) != 0) {
    error = Error(Errc::kCannotOpen, path + ": cannot open preset file (" + errno_text(errno) + ")");
  } else if (!S_ISREG(st.st_mode)) {
    error = Error(Errc::kBadPreset, path + ": not a regular file, so not a preset file");
  } else if (static_cast<std::size_t>(st.st_size) > kMaxPresetFileBytes) {
    error = Error(Errc::kBadPreset, path + ": " + std::to_string(st.st_size) + " bytes is too large for a preset file (at most " +
                                        std::to_string(kMaxPresetFileBytes / 1024) + " KiB)");
  } else {
    // Read at most one byte more than a preset may have: a file that grows meanwhile
    // is caught too.
    text.resize(kMaxPresetFileBytes + 1);
    std::size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = Error(Errc::kCannotOpen, path + ": cannot read preset file (" + errno_text(errno) + ")");
        break;
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    if (!error && got > kMaxPresetFileBytes)
      error = Error(Errc::kBadPreset, path + ": too large for a preset file (at most " +
                                          std::to_string(kMaxPresetFileBytes / 1024) + " KiB)");
  }
  ::close(fd);
  if (error) return failure(error);
  return preset_from_json(text, path);
}

Result<AtomicFile> stage_preset_file(const std::string& path, const Preset& p) {
  // What is written must read back: a preset that breaks a range is not saved.
  for (const SettingInfo& info : setting_infos())
    if (auto e = check_setting(info, get_setting(p, info))) return failure(e.within(path));
  auto file = AtomicFile::create(path);
  if (!file) return failure(file.error());
  if (auto e = file->write_all(preset_to_json(p))) return failure(e);
  if (auto e = file->finish()) return failure(e);
  return file;
}

Error save_preset_file(const std::string& path, const Preset& p) {
  auto staged = stage_preset_file(path, p);
  if (!staged) return staged.error();
  return staged->commit();
}

Result<Preset> find_preset(const std::string& name_or_path) {
  if (auto p = builtin_preset(name_or_path)) return *p;
  if (name_or_path.find('/') == std::string::npos && name_or_path.find(".json") == std::string::npos) {
    std::string names;
    for (const auto& n : builtin_preset_names()) names += (names.empty() ? "" : ", ") + n;
    return failure(Errc::kInvalidSetting,
                   "unknown preset '" + name_or_path + "' (built-in: " + names + "; or a .json file)");
  }
  return load_preset_file(name_or_path);
}

Error apply_setting(Preset& p, const std::string& assignment) {
  const auto eq_pos = assignment.find('=');
  if (eq_pos == std::string::npos || eq_pos == 0)
    return Error(Errc::kInvalidSetting, "--set " + assignment.substr(0, 60) + ": expected stage.param=value");
  const std::string key = assignment.substr(0, eq_pos);
  const std::string value = assignment.substr(eq_pos + 1);
  const std::string where = "--set " + key.substr(0, 80);
  auto fail = [&](const std::string& why) { return Error(Errc::kInvalidSetting, where + ": " + why); };

  std::vector<std::string> parts = split(key, '.');
  if (parts[0] == "comp") parts[0] = "compressor";
  if (parts[0] == "lim") parts[0] = "limiter";
  // eq.bandN.x stands for band N of both channels.
  std::vector<std::string> keys;
  if (parts[0] == "eq" && parts.size() >= 2 && parts[1].rfind("band", 0) == 0) {
    if (parts.size() != 3) return fail("expected eq.bandN.param or eq.ch0|ch1.bandN.param");
    if (!band_number(parts[1])) return fail("band numbers are 1.." + std::to_string(reg::kEqBands));
    for (const char* ch : {"ch0", "ch1"}) keys.push_back("eq." + std::string(ch) + "." + parts[1] + "." + parts[2]);
  } else {
    if (parts[0] == "eq" && parts.size() >= 3 && parts[2].rfind("band", 0) == 0 && !band_number(parts[2]))
      return fail("band numbers are 1.." + std::to_string(reg::kEqBands));
    std::string k;
    for (const auto& part : parts) k += (k.empty() ? "" : ".") + part;
    keys.push_back(k);
  }

  std::vector<std::pair<const SettingInfo*, SettingValue>> changes;
  for (const auto& k : keys) {
    const SettingInfo* info = find_setting(k);
    if (!info) {
      const auto stage = std::find_if(setting_infos().begin(), setting_infos().end(),
                                      [&](const SettingInfo& i) { return i.key.rfind(k + ".", 0) == 0; });
      if (stage != setting_infos().end()) return fail("not a single parameter (e.g. " + stage->key + ")");
      return fail(unknown_setting(k));
    }
    auto parsed = parse_setting(*info, value);
    if (!parsed) {
      std::string m = parsed.error().message();
      if (m.rfind(info->key + ": ", 0) == 0) m = m.substr(info->key.size() + 2);
      return fail(m);
    }
    changes.emplace_back(info, *parsed);
  }
  for (const auto& [info, v] : changes) put_setting(p, *info, v);
  return {};
}

}  // namespace lathe
