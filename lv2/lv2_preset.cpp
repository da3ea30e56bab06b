// SPDX-License-Identifier: MIT
// lathe-lv2-preset IN.json OUT.ttl [--uri URI]: a Lathe preset file (from the GUI or
// `lathe master --save-preset`) as an LV2 preset for the plug-in, in the format of the
// bundle's built-in presets. Says on stderr what the plug-in cannot take over.
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "lathe/preset.hpp"
#include "port_layout.hpp"
#include "ttl.hpp"

namespace {

// "My Preset!" -> "my-preset": for the default preset URI.
std::string slug(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "preset" : out;
}

std::string stem(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  return base.substr(0, base.rfind('.'));
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out, uri;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--uri") && i + 1 < argc) uri = argv[++i];
    else if (in.empty()) in = argv[i];
    else if (out.empty()) out = argv[i];
    else in.clear(), i = argc;
  }
  if (in.empty() || out.empty()) {
    std::fprintf(stderr, "usage: lathe-lv2-preset IN.json OUT.ttl [--uri URI]\n");
    return 2;
  }
  auto preset = lathe::load_preset_file(in);
  if (!preset) {
    std::fprintf(stderr, "lathe-lv2-preset: %s\n", preset.error().message().c_str());
    return 1;
  }
  if (uri.empty()) uri = std::string(lathe::lv2::kPresetUriPrefix) + "user/" + slug(stem(out));
  for (const std::string& w : lathe::lv2::preset_warnings(*preset)) std::fprintf(stderr, "lathe-lv2-preset: note: %s\n", w.c_str());
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << lathe::lv2::preset_ttl(*preset, uri);
  f.close();
  if (!f) {
    std::fprintf(stderr, "lathe-lv2-preset: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}
