// SPDX-License-Identifier: MIT
// Presets: built-ins valid, JSON round trip, --set paths, clear errors.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "lathe/preset.hpp"

using namespace lathe;

TEST_CASE("built-in presets exist, are valid at every rate, and round-trip through JSON", "[presets]") {
  const auto names = builtin_preset_names();
  REQUIRE(names.size() >= 3);
  for (const char* required : {"streaming", "broadcast", "cd"})
    REQUIRE(std::find(names.begin(), names.end(), required) != names.end());
  for (const auto& name : names) {
    const Preset p = *builtin_preset(name);
    for (int fs : kSupportedRates) REQUIRE_FALSE(validate(p.params, fs));
    auto back = preset_from_json(preset_to_json(p), "test");
    REQUIRE(back.has_value());
    REQUIRE((*back) == p);
  }
  REQUIRE(*builtin_preset("streaming")->target_lufs == -14.0);
  REQUIRE(*builtin_preset("broadcast")->target_lufs == -23.0);
  REQUIRE(builtin_preset("cd")->params.dither.bits == 16);
  REQUIRE(builtin_preset("cd")->params.dither.enabled);
  for (const auto& name : names) REQUIRE(builtin_preset(name)->params.lim.ceiling_dbtp == -1.0);
}

TEST_CASE("settings address every stage by name (--set)", "[presets]") {
  Preset p = *builtin_preset("streaming");
  REQUIRE_FALSE(apply_setting(p, "compressor.threshold_db=-24"));
  REQUIRE(p.params.comp.threshold_db == -24);
  REQUIRE_FALSE(apply_setting(p, "comp.ratio=inf"));
  REQUIRE(std::isinf(p.params.comp.ratio));
  REQUIRE_FALSE(apply_setting(p, "lim.ceiling_dbtp=-2"));
  REQUIRE(p.params.lim.ceiling_dbtp == -2);
  REQUIRE_FALSE(apply_setting(p, "eq.band4.type=peak"));
  REQUIRE_FALSE(apply_setting(p, "eq.band4.gain_db=2.5"));
  REQUIRE(p.params.eq.bands[0][3].type == FilterType::Peak);
  REQUIRE(p.params.eq.bands[1][3].gain_db == 2.5);
  REQUIRE_FALSE(apply_setting(p, "eq.ch1.band4.gain_db=-1"));
  REQUIRE(p.params.eq.bands[0][3].gain_db == 2.5);
  REQUIRE(p.params.eq.bands[1][3].gain_db == -1);
  REQUIRE_FALSE(apply_setting(p, "eq.mode=mid_side"));
  REQUIRE(p.params.eq.mid_side);
  REQUIRE_FALSE(apply_setting(p, "dither.bits=16"));
  REQUIRE(p.params.dither.bits == 16);
  REQUIRE_FALSE(apply_setting(p, "compressor.stereo_link=off"));
  REQUIRE_FALSE(p.params.comp.stereo_link);
  REQUIRE_FALSE(apply_setting(p, "target_lufs=off"));
  REQUIRE_FALSE(p.target_lufs);
  REQUIRE_FALSE(apply_setting(p, "target_lufs=-16"));
  REQUIRE(*p.target_lufs == -16);
}

TEST_CASE("bad settings and bad preset files give one clear line", "[presets]") {
  Preset p = *builtin_preset("streaming");
  struct Bad { const char* setting; const char* mentions; };
  for (const Bad b : {Bad{"compressor.treshold_db=-3", "treshold_db"}, Bad{"compressor.ratio=abc", "number"},
                      Bad{"eq.band9.gain_db=1", "band"}, Bad{"eq.band1.type=bell", "bell"},
                      Bad{"noequals", "stage.param=value"}, Bad{"dither.bits=20", "16 or 24"},
                      Bad{"limiter=3", "single parameter"}}) {
    auto err = apply_setting(p, b.setting);
    INFO(b.setting);
    REQUIRE(err);
    INFO(err.message());
    REQUIRE(err.message().find(b.mentions) != std::string::npos);
    REQUIRE(err.message().find('\n') == std::string::npos);
  }
  REQUIRE(p == *builtin_preset("streaming"));  // failed settings change nothing

  for (const auto& [text, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"{", "not valid JSON"},
           {"{\"limiter\": {\"ceiling\": -1}}", "limiter.ceiling: unknown key"},
           {"{\"compressor\": {\"ratio\": true}}", "ratio"},
           {"{\"eq\": {\"bands\": [{\"type\": \"peak\", \"freq\": 100}]}}", "freq: unknown key"},
           {"[1,2]", "expected an object"}}) {
    auto r = preset_from_json(text, "my.json");
    REQUIRE(!r.has_value());
    const auto& msg = r.error().message();
    INFO(msg);
    REQUIRE(msg.find("my.json") != std::string::npos);
    REQUIRE(msg.find(mentions) != std::string::npos);
  }
}

TEST_CASE("presets save and load as files", "[presets]") {
  const auto dir = std::filesystem::temp_directory_path() / "lathe-preset-test";
  std::filesystem::create_directories(dir);
  Preset p = *builtin_preset("cd");
  p.name = "mine";
  REQUIRE_FALSE(apply_setting(p, "eq.ch0.band5.type=low_shelf"));
  const std::string path = (dir / "mine.json").string();
  REQUIRE_FALSE(save_preset_file(path, p));
  auto loaded = find_preset(path);
  REQUIRE(loaded.has_value());
  REQUIRE((*loaded) == p);
  // An ordinary file, readable by others as the umask allows (not mkstemp's private 0600).
  const mode_t mask = umask(0);
  umask(mask);
  REQUIRE((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          static_cast<std::filesystem::perms>(0666 & ~mask));
  REQUIRE(save_preset_file((dir / "no/such/dir.json").string(), p));
  REQUIRE(!find_preset("nonesuch").has_value());
  std::filesystem::remove_all(dir);
}
