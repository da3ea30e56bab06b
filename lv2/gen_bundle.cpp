// SPDX-License-Identifier: MIT
// lathe-lv2-gen BUNDLE_DIR: writes the bundle's manifest.ttl, lathe.ttl and one LV2
// preset per built-in Lathe preset, from the settings table (nothing is retyped).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "lathe/preset.hpp"
#include "ttl.hpp"

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) std::fprintf(stderr, "lathe-lv2-gen: cannot write %s\n", path.c_str());
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: lathe-lv2-gen BUNDLE_DIR BINARY_NAME PRESET...\n");
    return 2;
  }
  const std::string dir = argv[1];
  // The build names the preset files it installs (lv2/CMakeLists.txt); they must be the
  // built-in presets, all of them.
  if (std::vector<std::string>(argv + 3, argv + argc) != lathe::builtin_preset_names()) {
    std::string names;
    for (const auto& n : lathe::builtin_preset_names()) names += " " + n;
    std::fprintf(stderr, "lathe-lv2-gen: LATHE_LV2_PRESETS in lv2/CMakeLists.txt must list the built-in presets:%s\n",
                 names.c_str());
    return 1;
  }
  std::vector<lathe::lv2::PresetFile> presets;
  for (const std::string& name : lathe::builtin_preset_names()) {
    const lathe::lv2::PresetFile file{lathe::lv2::builtin_preset_uri(name), name + ".ttl"};
    if (!write_file(dir + "/" + file.file, lathe::lv2::preset_ttl(*lathe::builtin_preset(name), file.uri))) return 1;
    presets.push_back(file);
  }
  if (!write_file(dir + "/lathe.ttl", lathe::lv2::plugin_ttl())) return 1;
  if (!write_file(dir + "/manifest.ttl", lathe::lv2::manifest_ttl(argv[2], presets))) return 1;
  return 0;
}
