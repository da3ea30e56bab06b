// SPDX-License-Identifier: MIT
// Preset JSON: one schema for reading, writing and --set, strict about unknown keys.
#include "lathe/preset.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace lathe {
namespace {

using nlohmann::json;

struct SchemaError {
  std::string message;
};

EqBand band(FilterType t, double f, double g, double q) { return {t, f, g, q}; }

json band_to_json(const EqBand& b) {
  return {{"type", filter_type_name(b.type)}, {"freq_hz", b.freq_hz}, {"gain_db", b.gain_db}, {"q", b.q}};
}

json to_json(const Preset& p) {
  json eq = {{"mode", p.params.eq.mid_side ? "mid_side" : "stereo"}};
  for (int ch = 0; ch < reg::kEqChannels; ++ch) {
    json bands = json::array();
    for (const EqBand& b : p.params.eq.bands[ch]) bands.push_back(band_to_json(b));
    eq["ch" + std::to_string(ch)] = bands;
  }
  const CompressorParams& c = p.params.comp;
  const LimiterParams& l = p.params.lim;
  const DitherParams& d = p.params.dither;
  return {
      {"name", p.name},
      {"description", p.description},
      {"target_lufs", p.target_lufs ? json(*p.target_lufs) : json(nullptr)},
      {"trim_db", p.params.trim_db},
      {"eq", eq},
      {"compressor",
       {{"threshold_db", c.threshold_db},
        {"ratio", std::isinf(c.ratio) ? json("inf") : json(c.ratio)},
        {"knee_db", c.knee_db},
        {"attack_ms", c.attack_ms},
        {"release_ms", c.release_ms},
        {"makeup_db", c.makeup_db},
        {"stereo_link", c.stereo_link}}},
      {"limiter",
       {{"ceiling_dbtp", l.ceiling_dbtp},
        {"lookahead_ms", l.lookahead_ms},
        {"release_ms", l.release_ms},
        {"drive_db", l.drive_db}}},
      {"dither", {{"bits", d.bits}, {"enabled", d.enabled}, {"seed", d.seed}}},
      {"bypass", p.params.bypass},
  };
}

// Reads fields out of a JSON object, remembering which keys were used so that unknown
// (misspelt) keys are reported instead of silently ignored.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw SchemaError{where_ + ": expected an object"};
  }
  ~Reader() noexcept(false) {
    if (std::uncaught_exceptions()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!used_.count(it.key())) throw SchemaError{where_ + "." + it.key() + ": unknown key"};
  }
  const json* get(const std::string& key) {
    used_.insert(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  void number(const std::string& key, double& out) {
    if (const json* v = get(key)) {
      if (!v->is_number()) throw SchemaError{path(key) + ": expected a number"};
      out = v->get<double>();
    }
  }
  void boolean(const std::string& key, bool& out) {
    if (const json* v = get(key)) {
      if (!v->is_boolean()) throw SchemaError{path(key) + ": expected true or false"};
      out = v->get<bool>();
    }
  }
  void string(const std::string& key, std::string& out) {
    if (const json* v = get(key)) {
      if (!v->is_string()) throw SchemaError{path(key) + ": expected a string"};
      out = v->get<std::string>();
    }
  }
  std::string path(const std::string& key) const { return where_ + "." + key; }

 private:
  const json& j_;
  std::string where_;
  std::set<std::string> used_;
};

void read_bands(const json& arr, const std::string& where, std::array<EqBand, reg::kEqBands>& out) {
  if (!arr.is_array()) throw SchemaError{where + ": expected an array of bands"};
  if (arr.size() > reg::kEqBands)
    throw SchemaError{where + ": " + std::to_string(arr.size()) + " bands, at most " + std::to_string(reg::kEqBands)};
  out = {};
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string w = where + "[" + std::to_string(i) + "]";
    Reader r(arr[i], w);
    std::string type = "off";
    r.string("type", type);
    auto t = parse_filter_type(type);
    if (!t) throw SchemaError{w + ".type: unknown filter type '" + type + "' (off, peak, low_shelf, high_shelf, high_pass, low_pass)"};
    out[i].type = *t;
    r.number("freq_hz", out[i].freq_hz);
    r.number("gain_db", out[i].gain_db);
    r.number("q", out[i].q);
  }
}

Preset from_json(const json& j, const std::string& origin) {
  Preset p;
  Reader r(j, origin);
  r.string("name", p.name);
  r.string("description", p.description);
  if (const json* t = r.get("target_lufs")) {
    if (t->is_null()) p.target_lufs.reset();
    else if (t->is_number()) p.target_lufs = t->get<double>();
    else throw SchemaError{r.path("target_lufs") + ": expected a number or null"};
  }
  r.number("trim_db", p.params.trim_db);
  r.boolean("bypass", p.params.bypass);
  if (const json* e = r.get("eq")) {
    Reader er(*e, origin + ".eq");
    std::string mode = "stereo";
    er.string("mode", mode);
    if (mode != "stereo" && mode != "mid_side") throw SchemaError{er.path("mode") + ": expected stereo or mid_side"};
    p.params.eq.mid_side = mode == "mid_side";
    if (const json* b = er.get("bands")) {
      read_bands(*b, er.path("bands"), p.params.eq.bands[0]);
      p.params.eq.bands[1] = p.params.eq.bands[0];
    }
    for (int ch = 0; ch < reg::kEqChannels; ++ch)
      if (const json* b = er.get("ch" + std::to_string(ch))) read_bands(*b, er.path("ch" + std::to_string(ch)), p.params.eq.bands[ch]);
  }
  if (const json* c = r.get("compressor")) {
    Reader cr(*c, origin + ".compressor");
    CompressorParams& cp = p.params.comp;
    cr.number("threshold_db", cp.threshold_db);
    if (const json* ratio = cr.get("ratio")) {
      if (ratio->is_number()) cp.ratio = ratio->get<double>();
      else if (ratio->is_string() && (*ratio == "inf" || *ratio == "infinity")) cp.ratio = std::numeric_limits<double>::infinity();
      else throw SchemaError{cr.path("ratio") + ": expected a number or \"inf\""};
    }
    cr.number("knee_db", cp.knee_db);
    cr.number("attack_ms", cp.attack_ms);
    cr.number("release_ms", cp.release_ms);
    cr.number("makeup_db", cp.makeup_db);
    cr.boolean("stereo_link", cp.stereo_link);
  }
  if (const json* l = r.get("limiter")) {
    Reader lr(*l, origin + ".limiter");
    lr.number("ceiling_dbtp", p.params.lim.ceiling_dbtp);
    lr.number("lookahead_ms", p.params.lim.lookahead_ms);
    lr.number("release_ms", p.params.lim.release_ms);
    lr.number("drive_db", p.params.lim.drive_db);
  }
  if (const json* d = r.get("dither")) {
    Reader dr(*d, origin + ".dither");
    double bits = p.params.dither.bits, seed = p.params.dither.seed;
    dr.number("bits", bits);
    dr.boolean("enabled", p.params.dither.enabled);
    dr.number("seed", seed);
    if (bits != 16 && bits != 24) throw SchemaError{dr.path("bits") + ": expected 16 or 24"};
    if (seed < 0 || seed > UINT32_MAX || seed != std::floor(seed)) throw SchemaError{dr.path("seed") + ": expected an integer 0..4294967295"};
    p.params.dither.bits = static_cast<int>(bits);
    p.params.dither.seed = static_cast<uint32_t>(seed);
  }
  return p;
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

std::optional<double> parse_number(const std::string& s) {
  if (s == "inf" || s == "infinity") return std::numeric_limits<double>::infinity();
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
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

std::string preset_to_json(const Preset& p) { return to_json(p).dump(2) + "\n"; }

std::variant<Preset, PresetError> preset_from_json(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return PresetError{origin + ": not valid JSON (" + e.what() + ")"};
  }
  try {
    return from_json(j, origin);
  } catch (const SchemaError& e) {
    return PresetError{e.message};
  }
}

std::variant<Preset, PresetError> load_preset_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return PresetError{path + ": cannot open preset file"};
  std::stringstream s;
  s << f.rdbuf();
  return preset_from_json(s.str(), path);
}

std::optional<PresetError> save_preset_file(const std::string& path, const Preset& p) {
  const std::string text = preset_to_json(p);
  // Same directory as the target, so the rename is atomic.
  std::string tmp = path + ".XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return PresetError{path + ": cannot write preset (" + std::strerror(errno) + ")"};
  // mkstemp makes the file private; a preset is an ordinary file: 0666 less the umask.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int saved_errno = errno;
  if (close(fd) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = ok ? errno : saved_errno;
    unlink(tmp.c_str());
    return PresetError{path + ": cannot write preset (" + std::strerror(e) + ")"};
  }
  return std::nullopt;
}

std::variant<Preset, PresetError> find_preset(const std::string& name_or_path) {
  if (auto p = builtin_preset(name_or_path)) return *p;
  if (name_or_path.find('/') == std::string::npos && name_or_path.find(".json") == std::string::npos) {
    std::string names;
    for (const auto& n : builtin_preset_names()) names += (names.empty() ? "" : ", ") + n;
    return PresetError{"unknown preset '" + name_or_path + "' (built-in: " + names + "; or a .json file)"};
  }
  return load_preset_file(name_or_path);
}

std::optional<PresetError> apply_setting(Preset& p, const std::string& assignment) {
  const auto eq_pos = assignment.find('=');
  if (eq_pos == std::string::npos || eq_pos == 0)
    return PresetError{"--set " + assignment + ": expected stage.param=value"};
  std::string key = assignment.substr(0, eq_pos);
  const std::string value = assignment.substr(eq_pos + 1);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts[0] == "comp") parts[0] = "compressor";
  if (parts[0] == "lim") parts[0] = "limiter";

  json j = to_json(p);
  const std::string where = "--set " + key;
  // Collect the JSON leaves this key addresses: eq.bandN.x means band N of both channels.
  std::vector<json*> leaves;
  if (parts.size() == 3 && parts[0] == "eq" && parts[1].rfind("band", 0) == 0) {
    parts.insert(parts.begin() + 1, "*");
  }
  if (parts.size() == 4 && parts[0] == "eq" && parts[2].rfind("band", 0) == 0) {
    const auto n = parse_number(parts[2].substr(4));
    if (!n || *n < 1 || *n > reg::kEqBands || *n != std::floor(*n))
      return PresetError{where + ": band numbers are 1.." + std::to_string(reg::kEqBands)};
    std::vector<std::string> chans;
    if (parts[1] == "*") chans = {"ch0", "ch1"};
    else if (parts[1] == "ch0" || parts[1] == "ch1") chans = {parts[1]};
    else return PresetError{where + ": expected eq.bandN.param or eq.ch0|ch1.bandN.param"};
    for (const auto& ch : chans) {
      json& b = j["eq"][ch][static_cast<std::size_t>(*n) - 1];
      if (!b.contains(parts[3])) return PresetError{where + ": unknown band parameter '" + parts[3] + "' (type, freq_hz, gain_db, q)"};
      leaves.push_back(&b[parts[3]]);
    }
  } else {
    json* node = &j;
    for (const auto& part : parts) {
      if (!node->is_object() || !node->contains(part)) return PresetError{where + ": unknown parameter"};
      node = &(*node)[part];
    }
    if (node->is_object() || node->is_array()) return PresetError{where + ": not a single parameter"};
    leaves.push_back(node);
  }

  for (json* leaf : leaves) {
    if (key == "target_lufs" && (value == "off" || value == "none")) {
      *leaf = nullptr;
    } else if (leaf->is_boolean()) {
      if (value == "true" || value == "on" || value == "1") *leaf = true;
      else if (value == "false" || value == "off" || value == "0") *leaf = false;
      else return PresetError{where + ": expected true or false, got '" + value + "'"};
    } else if (leaf->is_string() && !(parts.back() == "ratio")) {
      *leaf = value;
    } else {
      const auto v = parse_number(value);
      if (!v) return PresetError{where + ": expected a number, got '" + value + "'"};
      if (std::isinf(*v)) *leaf = "inf";
      else *leaf = *v;
    }
  }
  auto parsed = preset_from_json(j.dump(), "preset");
  if (auto* e = std::get_if<PresetError>(&parsed)) return PresetError{where + ": " + e->message};
  p = std::get<Preset>(parsed);
  return std::nullopt;
}

}  // namespace lathe
