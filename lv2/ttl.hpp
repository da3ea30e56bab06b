// SPDX-License-Identifier: MIT
// The bundle's Turtle, written from port_layout.hpp (and so from lathe::setting_infos()):
// the plug-in's description, the manifest and presets as LV2 presets (pset:Preset).
#pragma once
#include <string>
#include <vector>

#include "lathe/preset.hpp"

namespace lathe::lv2 {

std::string plugin_ttl();

struct PresetFile {
  std::string uri;
  std::string file;  // relative to the bundle, "streaming.ttl"
};
std::string manifest_ttl(const std::string& binary, const std::vector<PresetFile>& presets);

// A Lathe preset as an LV2 preset: every control port's value (lv2:port / pset:value)
// and the dither seed as state. The loudness target has no port: it is left out.
std::string preset_ttl(const Preset& preset, const std::string& uri);
std::string builtin_preset_uri(const std::string& name);

// What a preset loses or changes on its way into the plug-in, one line each: a loudness
// target (no search in real time), numbers a 32-bit float port does not hold exactly.
std::vector<std::string> preset_warnings(const Preset& preset);

}  // namespace lathe::lv2
