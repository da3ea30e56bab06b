// SPDX-License-Identifier: MIT
// The settings table and strict parsing of setting values.
#include "lathe/settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "lathe/params.hpp"
#include "lathe/preset.hpp"

namespace lathe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNameBytes = 200, kDescriptionBytes = 1000;

// Setting -> the field it stands for. Reads go through the same reference (const_cast:
// the getter never writes).
struct Entry {
  SettingInfo info;
  std::function<void(Preset&, const SettingValue&)> put;
  std::function<SettingValue(const Preset&)> get;
};

template <class Ref>
Entry number(std::string key, std::string unit, double lo, double hi, std::string summary, Ref ref) {
  Entry e{{std::move(key), SettingKind::kNumber, std::move(unit), lo, hi, 0.0, {}, {}, std::move(summary)}, {}, {}};
  e.put = [ref](Preset& p, const SettingValue& v) { ref(p) = std::get<double>(v); };
  e.get = [ref](const Preset& p) -> SettingValue { return ref(const_cast<Preset&>(p)); };
  return e;
}

template <class Ref>
Entry boolean(std::string key, std::string summary, Ref ref) {
  Entry e{{std::move(key), SettingKind::kBoolean, "", 0, 1, 0.0, {}, {}, std::move(summary)}, {}, {}};
  e.put = [ref](Preset& p, const SettingValue& v) { ref(p) = std::get<bool>(v); };
  e.get = [ref](const Preset& p) -> SettingValue { return ref(const_cast<Preset&>(p)); };
  return e;
}

template <class Ref>
Entry text(std::string key, std::size_t max_bytes, std::string summary, Ref ref) {
  Entry e{{std::move(key), SettingKind::kText, "", 0, static_cast<double>(max_bytes), 0.0, {}, {}, std::move(summary)}, {}, {}};
  e.put = [ref](Preset& p, const SettingValue& v) { ref(p) = std::get<std::string>(v); };
  e.get = [ref](const Preset& p) -> SettingValue { return ref(const_cast<Preset&>(p)); };
  return e;
}

std::vector<std::string> filter_type_names() {
  std::vector<std::string> names;
  for (FilterType t : {FilterType::Off, FilterType::Peak, FilterType::LowShelf, FilterType::HighShelf,
                       FilterType::HighPass, FilterType::LowPass})
    names.push_back(filter_type_name(t));
  return names;
}

std::vector<Entry> make_entries() {
  using namespace limits;
  std::vector<Entry> v;
  v.push_back(text("name", kNameBytes, "preset name, shown in reports", [](Preset& p) -> std::string& { return p.name; }));
  v.push_back(text("description", kDescriptionBytes, "what the preset is for",
                   [](Preset& p) -> std::string& { return p.description; }));
  {
    Entry e{{"target_lufs", SettingKind::kNumber, "LUFS", kTargetMinLufs, kTargetMaxLufs, 0.0, {}, {"off"},
             "integrated loudness the job aims for (BS.1770), or off: no loudness search"},
            {}, {}};
    e.put = [](Preset& p, const SettingValue& val) {
      if (std::holds_alternative<Off>(val)) p.target_lufs.reset();
      else p.target_lufs = std::get<double>(val);
    };
    e.get = [](const Preset& p) -> SettingValue {
      if (p.target_lufs) return *p.target_lufs;
      return Off{};
    };
    v.push_back(std::move(e));
  }
  v.push_back(number("trim_db", "dB", -kTrimDb, kTrimDb, "input trim", [](Preset& p) -> double& { return p.params.trim_db; }));
  v.push_back(boolean("bypass", "output = input, requantised (A/B listening); `lathe master` ignores it",
                      [](Preset& p) -> bool& { return p.params.bypass; }));
  {
    Entry e{{"eq.mode", SettingKind::kChoice, "", 0, 0, 0.0, {"stereo", "mid_side"}, {},
             "EQ channels: stereo (ch0 = L, ch1 = R) or mid_side (ch0 = M, ch1 = S)"},
            {}, {}};
    e.put = [](Preset& p, const SettingValue& val) { p.params.eq.mid_side = std::get<std::string>(val) == "mid_side"; };
    e.get = [](const Preset& p) -> SettingValue { return std::string(p.params.eq.mid_side ? "mid_side" : "stereo"); };
    v.push_back(std::move(e));
  }
  for (int ch = 0; ch < reg::kEqChannels; ++ch)
    for (int b = 0; b < reg::kEqBands; ++b) {
      const std::string prefix = "eq.ch" + std::to_string(ch) + ".band" + std::to_string(b + 1) + ".";
      auto band = [ch, b](Preset& p) -> EqBand& { return p.params.eq.bands[ch][b]; };
      Entry type{{prefix + "type", SettingKind::kChoice, "", 0, 0, 0.0, filter_type_names(), {}, "filter type"}, {}, {}};
      type.put = [band](Preset& p, const SettingValue& val) { band(p).type = *parse_filter_type(std::get<std::string>(val)); };
      type.get = [band](const Preset& p) -> SettingValue {
        return std::string(filter_type_name(band(const_cast<Preset&>(p)).type));
      };
      v.push_back(std::move(type));
      Entry freq = number(prefix + "freq_hz", "Hz", kEqMinHz, kEqMaxFraction * kSupportedRates.back(),
                          "corner or centre frequency", [band](Preset& p) -> double& { return band(p).freq_hz; });
      freq.info.max_fraction_of_rate = kEqMaxFraction;
      v.push_back(std::move(freq));
      v.push_back(number(prefix + "gain_db", "dB", -kEqGainDb, kEqGainDb, "gain (peak and shelves)",
                         [band](Preset& p) -> double& { return band(p).gain_db; }));
      v.push_back(number(prefix + "q", "", kEqMinQ, kEqMaxQ, "bandwidth (peak, pass filters) or slope (shelves)",
                         [band](Preset& p) -> double& { return band(p).q; }));
    }
  v.push_back(number("compressor.threshold_db", "dBFS", kThresholdMinDb, kThresholdMaxDb, "threshold",
                     [](Preset& p) -> double& { return p.params.comp.threshold_db; }));
  {
    Entry e = number("compressor.ratio", "", 1.0, kInf, "ratio; 1 is off, inf a limiter",
                     [](Preset& p) -> double& { return p.params.comp.ratio; });
    e.info.words = {"inf"};
    v.push_back(std::move(e));
  }
  v.push_back(number("compressor.knee_db", "dB", 0.0, kKneeMaxDb, "soft knee width (under 0.1 dB: a hard knee)",
                     [](Preset& p) -> double& { return p.params.comp.knee_db; }));
  v.push_back(number("compressor.attack_ms", "ms", kTimeMinMs, kTimeMaxMs, "attack time constant",
                     [](Preset& p) -> double& { return p.params.comp.attack_ms; }));
  v.push_back(number("compressor.release_ms", "ms", kTimeMinMs, kTimeMaxMs, "time the gain takes to recover 63 %",
                     [](Preset& p) -> double& { return p.params.comp.release_ms; }));
  v.push_back(number("compressor.makeup_db", "dB", -kMakeupDb, kMakeupDb, "makeup gain",
                     [](Preset& p) -> double& { return p.params.comp.makeup_db; }));
  v.push_back(boolean("compressor.stereo_link", "one detector for both channels",
                      [](Preset& p) -> bool& { return p.params.comp.stereo_link; }));
  v.push_back(number("limiter.ceiling_dbtp", "dBTP", kCeilingMinDbtp, kCeilingMaxDbtp, "true-peak ceiling",
                     [](Preset& p) -> double& { return p.params.lim.ceiling_dbtp; }));
  v.push_back(number("limiter.lookahead_ms", "ms", kLookaheadMinMs, kLookaheadMaxMs, "lookahead (adds this latency; at least 8 samples)",
                     [](Preset& p) -> double& { return p.params.lim.lookahead_ms; }));
  v.push_back(number("limiter.release_ms", "ms", kTimeMinMs, kTimeMaxMs, "release of a sustained reduction",
                     [](Preset& p) -> double& { return p.params.lim.release_ms; }));
  v.push_back(number("limiter.transient_release_ms", "ms", kTimeMinMs, kTimeMaxMs,
                     "after a transient, the gain returns this fast to the sustained reduction (>= release_ms: off)",
                     [](Preset& p) -> double& { return p.params.lim.transient_release_ms; }));
  v.push_back(number("limiter.transient_hold_ms", "ms", 0.0, kTransientHoldMaxMs,
                     "peaks that recur within this count as sustained (longer: less low-frequency distortion)",
                     [](Preset& p) -> double& { return p.params.lim.transient_hold_ms; }));
  v.push_back(number("limiter.drive_db", "dB", -kDriveDb, kDriveDb, "gain into the limiter (the loudness search sets it)",
                     [](Preset& p) -> double& { return p.params.lim.drive_db; }));
  {
    Entry e{{"dither.bits", SettingKind::kInteger, "bits", 16, 24, 0.0, {"16", "24"}, {}, "output word length"}, {}, {}};
    e.put = [](Preset& p, const SettingValue& val) { p.params.dither.bits = static_cast<int>(std::get<double>(val)); };
    e.get = [](const Preset& p) -> SettingValue { return static_cast<double>(p.params.dither.bits); };
    v.push_back(std::move(e));
  }
  v.push_back(boolean("dither.enabled", "TPDF dither before the word-length reduction",
                      [](Preset& p) -> bool& { return p.params.dither.enabled; }));
  {
    Entry e{{"dither.seed", SettingKind::kInteger, "", 0, 4294967295.0, 0.0, {}, {}, "dither noise seed (reproducible output)"}, {}, {}};
    e.put = [](Preset& p, const SettingValue& val) { p.params.dither.seed = static_cast<uint32_t>(std::get<double>(val)); };
    e.get = [](const Preset& p) -> SettingValue { return static_cast<double>(p.params.dither.seed); };
    v.push_back(std::move(e));
  }
  return v;
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> v = make_entries();
  return v;
}

const Entry* find_entry(std::string_view key) {
  static const std::map<std::string, const Entry*, std::less<>> by_key = [] {
    std::map<std::string, const Entry*, std::less<>> m;
    for (const Entry& e : entries()) m.emplace(e.info.key, &e);
    return m;
  }();
  const auto it = by_key.find(key);
  return it == by_key.end() ? nullptr : it->second;
}

const Entry& entry_for(const SettingInfo& info) { return *find_entry(info.key); }

Error invalid(const SettingInfo& info, const std::string& why) { return Error(Errc::kInvalidSetting, info.key + ": " + why); }

// For messages: the value as the user typed it, cut short and made printable.
std::string shown(std::string_view text) {
  std::string s;
  for (unsigned char c : text.substr(0, 40)) s += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  if (text.size() > 40) s += "...";
  return "'" + s + "'";
}

std::string number_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string range_text(const SettingInfo& info) {
  const std::string unit = !info.unit.empty() && info.kind == SettingKind::kNumber ? " " + info.unit : "";
  std::string r = info.max_fraction_of_rate > 0
                      ? number_text(info.min) + unit + " .. " + number_text(info.max_fraction_of_rate) + " x the sample rate"
                      : number_text(info.min) + " .. " + number_text(info.max) + unit;
  for (const auto& w : info.words)
    if (!(w == "inf" && std::isinf(info.max))) r += ", or " + w;
  return r;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// [+-]digits[.digits][e[+-]digits], or [+-].digits...: what people write, and nothing
// else (std::stod would take "0x10", " 5", "nan" and "1e").
bool is_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) { extra = 0; cp = c; }
    else if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return false;
    if (i + extra >= s.size() && extra > 0) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

}  // namespace

const std::vector<SettingInfo>& setting_infos() {
  static const std::vector<SettingInfo> v = [] {
    std::vector<SettingInfo> infos;
    for (const Entry& e : entries()) infos.push_back(e.info);
    return infos;
  }();
  return v;
}

const SettingInfo* find_setting(std::string_view key) {
  const Entry* e = find_entry(key);
  return e ? &e->info : nullptr;
}

Error check_setting(const SettingInfo& info, const SettingValue& value, int sample_rate) {
  switch (info.kind) {
    case SettingKind::kNumber: {
      if (std::holds_alternative<Off>(value)) {
        if (std::find(info.words.begin(), info.words.end(), "off") == info.words.end())
          return invalid(info, "cannot be off");
        return {};
      }
      if (!std::holds_alternative<double>(value)) return invalid(info, "expected a number");
      const double v = std::get<double>(value);
      double hi = info.max;
      if (info.max_fraction_of_rate > 0 && sample_rate > 0) hi = info.max_fraction_of_rate * sample_rate;
      const bool inf_allowed = std::find(info.words.begin(), info.words.end(), "inf") != info.words.end();
      if (std::isnan(v) || (std::isinf(v) && !(inf_allowed && v > 0)) || v < info.min || v > hi) {
        std::string range = range_text(info);
        if (hi != info.max) range = number_text(info.min) + " .. " + number_text(hi) + " " + info.unit + " at " +
                                    std::to_string(sample_rate) + " Hz";
        return invalid(info, number_text(v) + (info.unit.empty() ? "" : " " + info.unit) + " is out of range (" + range + ")");
      }
      return {};
    }
    case SettingKind::kInteger: {
      if (!std::holds_alternative<double>(value)) return invalid(info, "expected a whole number");
      const double v = std::get<double>(value);
      if (!info.choices.empty()) {
        // Compared as numbers, not as text: validate() runs in the LV2 plug-in's audio
        // thread (lv2/plugin.cpp), and formatting a number allocates.
        for (const auto& c : info.choices)
          if (parse_decimal(c) == v) return {};
        return invalid(info, "expected " + join(info.choices, " or ") + ", not " + number_text(v));
      }
      if (!(v >= info.min && v <= info.max) || v != std::floor(v))
        return invalid(info, "expected a whole number " + number_text(info.min) + " .. " + number_text(info.max) +
                                 ", not " + number_text(v));
      return {};
    }
    case SettingKind::kBoolean:
      if (!std::holds_alternative<bool>(value)) return invalid(info, "expected true or false");
      return {};
    case SettingKind::kChoice: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s) return invalid(info, "expected one of " + join(info.choices));
      if (std::find(info.choices.begin(), info.choices.end(), *s) == info.choices.end())
        return invalid(info, "unknown value " + shown(*s) + " (" + join(info.choices) + ")");
      return {};
    }
    case SettingKind::kText: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s) return invalid(info, "expected text");
      if (s->size() > info.max) return invalid(info, "longer than " + number_text(info.max) + " bytes");
      if (!is_valid_utf8(*s)) return invalid(info, "not valid UTF-8 text");
      for (unsigned char c : *s)
        if (c < 0x20 || c == 0x7f) return invalid(info, "control characters are not allowed");
      return {};
    }
  }
  return invalid(info, "unknown kind");
}

Result<SettingValue> parse_setting(const SettingInfo& info, std::string_view text) {
  SettingValue value;
  switch (info.kind) {
    case SettingKind::kNumber:
    case SettingKind::kInteger: {
      if (std::find(info.words.begin(), info.words.end(), std::string(text)) != info.words.end()) {
        value = text == "off" ? SettingValue(Off{}) : SettingValue(kInf);
        break;
      }
      if (info.kind == SettingKind::kNumber && text == "none" &&
          std::find(info.words.begin(), info.words.end(), "off") != info.words.end()) {
        value = Off{};
        break;
      }
      if (!is_decimal(text) ||
          (info.kind == SettingKind::kInteger && text.find_first_of(".eE") != std::string_view::npos)) {
        std::string expected = info.kind == SettingKind::kInteger
                                   ? (info.choices.empty() ? "a whole number" : join(info.choices, " or "))
                                   : "a decimal number";
        for (const auto& w : info.words) expected += " or " + w;
        return failure(invalid(info, "expected " + expected + ", got " + shown(text)));
      }
      const char* first = text.data() + (text[0] == '+' ? 1 : 0);
      double v = 0;
      const auto [end, ec] = std::from_chars(first, text.data() + text.size(), v);
      if (ec == std::errc::result_out_of_range) {
        // Underflow is harmless (a value of about 0); overflow is out of every range.
        const bool huge = text.find_first_of("eE") != std::string_view::npos &&
                          text[text.find_first_of("eE") + 1] != '-';
        if (huge) return failure(invalid(info, shown(text) + " is out of range (" + range_text(info) + ")"));
        v = 0.0;
      } else if (ec != std::errc() || end != text.data() + text.size()) {
        return failure(invalid(info, "expected a decimal number, got " + shown(text)));
      }
      value = v;
      break;
    }
    case SettingKind::kBoolean:
      if (text == "true" || text == "on" || text == "1") value = true;
      else if (text == "false" || text == "off" || text == "0") value = false;
      else return failure(invalid(info, "expected true or false, got " + shown(text)));
      break;
    case SettingKind::kChoice:
    case SettingKind::kText:
      value = std::string(text);
      break;
  }
  if (auto e = check_setting(info, value)) return failure(e);
  return value;
}

std::optional<double> parse_decimal(std::string_view text) {
  if (!is_decimal(text)) return std::nullopt;
  double v = 0;
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(first, text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

SettingValue get_setting(const Preset& preset, const SettingInfo& info) { return entry_for(info).get(preset); }

void put_setting(Preset& preset, const SettingInfo& info, const SettingValue& value) { entry_for(info).put(preset, value); }

std::string format_setting(const SettingValue& value) {
  if (const double* d = std::get_if<double>(&value)) return number_text(*d);
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return "off";
}

const Preset& default_preset() {
  static const Preset p{};
  return p;
}

std::string settings_markdown() {
  std::string md = "| key | kind | range | default | meaning |\n|---|---|---|---|---|\n";
  const Preset& d = default_preset();
  // The EQ's 2 x 8 x 4 band keys are one row per band parameter.
  const std::string band_prefix = "eq.ch0.band1.";
  for (const SettingInfo& info : setting_infos()) {
    std::string key = info.key;
    if (key.rfind("eq.ch", 0) == 0) {
      if (key.rfind(band_prefix, 0) != 0) continue;
      key = "eq.chC.bandN." + key.substr(band_prefix.size());
    }
    std::string kind, range;
    switch (info.kind) {
      case SettingKind::kNumber: kind = "number" + (info.unit.empty() ? "" : ", " + info.unit); range = range_text(info); break;
      case SettingKind::kInteger:
        kind = "integer";
        range = info.choices.empty() ? number_text(info.min) + " .. " + number_text(info.max) : join(info.choices, " or ");
        break;
      case SettingKind::kBoolean: kind = "boolean"; range = "true, false"; break;
      case SettingKind::kChoice: kind = "choice"; range = join(info.choices, ", "); break;
      case SettingKind::kText: kind = "text"; range = "UTF-8, up to " + number_text(info.max) + " bytes"; break;
    }
    std::string def = format_setting(get_setting(d, info));
    if (info.kind == SettingKind::kText && def.empty()) def = "(empty)";
    md += "| `" + key + "` | " + kind + " | " + range + " | " + def + " | " + info.summary + " |\n";
  }
  md += "\nEQ keys: C is the channel, 0 or 1 (L and R, or M and S in mid_side mode); N is the band, 1.." +
        std::to_string(reg::kEqBands) + "; `eq.bandN.PARAM` (command line only) sets band N of both channels.\n";
  return md;
}

}  // namespace lathe
