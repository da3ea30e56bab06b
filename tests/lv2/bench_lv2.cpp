// SPDX-License-Identifier: MIT
// lathe-lv2-bench URI RATE SECONDS [BLOCK=512]: CPU seconds per audio second of any
// stereo LV2 plug-in (this one, LSP's limiter, x42-dpl) on music-like material, counting
// only the plug-in's run() calls (the thread's CPU clock), in blocks as a DAW runs it.
// Control ports stay at their defaults.
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/urid/urid.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "lathe/test_signals.hpp"

namespace {

std::vector<std::string> g_uris;
LV2_URID map_uri(LV2_URID_Map_Handle, const char* uri) {
  for (std::size_t i = 0; i < g_uris.size(); ++i)
    if (g_uris[i] == uri) return static_cast<LV2_URID>(i + 1);
  g_uris.emplace_back(uri);
  return static_cast<LV2_URID>(g_uris.size());
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: lathe-lv2-bench URI RATE SECONDS [BLOCK=512]\n");
    return 2;
  }
  const int rate = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  const std::size_t block = argc > 4 ? static_cast<std::size_t>(std::atoi(argv[4])) : 512;
  // lilv takes LV2_PATH's entries as URIs: a relative one makes it crash later.
  if (const char* path = std::getenv("LV2_PATH")) {
    for (const char* p = path; *p;) {
      if (*p != '/') {
        std::fprintf(stderr, "lathe-lv2-bench: LV2_PATH entries must be absolute directories: %s\n", path);
        return 2;
      }
      while (*p && *p != ':') ++p;
      if (*p == ':') ++p;
    }
  }
  LilvWorld* world = lilv_world_new();
  lilv_world_load_all(world);
  LilvNode* uri = lilv_new_uri(world, argv[1]);
  const LilvPlugin* plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  if (!plugin) {
    std::fprintf(stderr, "lathe-lv2-bench: no plug-in %s\n", argv[1]);
    return 1;
  }
  LV2_URID_Map map{nullptr, map_uri};
  LV2_Feature map_feature{LV2_URID__map, &map};
  const LV2_Feature* features[] = {&map_feature, nullptr};
  LilvInstance* instance = lilv_plugin_instantiate(plugin, rate, features);
  if (!instance) {
    std::fprintf(stderr, "lathe-lv2-bench: cannot instantiate %s at %d Hz\n", argv[1], rate);
    return 1;
  }
  const uint32_t n = lilv_plugin_get_num_ports(plugin);
  std::vector<float> defaults(n), controls(n, 0.0f);
  lilv_plugin_get_port_ranges_float(plugin, nullptr, nullptr, defaults.data());
  LilvNode* audio = lilv_new_uri(world, LV2_CORE__AudioPort);
  LilvNode* control = lilv_new_uri(world, LV2_CORE__ControlPort);
  LilvNode* input = lilv_new_uri(world, LV2_CORE__InputPort);
  LilvNode* atom = lilv_new_uri(world, LV2_ATOM__AtomPort);
  std::vector<std::vector<float>> audio_buffers;
  std::vector<std::vector<uint8_t>> atom_buffers;
  std::vector<float*> ins, outs;
  std::vector<std::pair<LV2_Atom_Sequence*, bool>> sequences;
  audio_buffers.reserve(n);
  atom_buffers.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const LilvPort* port = lilv_plugin_get_port_by_index(plugin, i);
    const bool is_input = lilv_port_is_a(plugin, port, input);
    if (lilv_port_is_a(plugin, port, audio)) {
      audio_buffers.emplace_back(block, 0.0f);
      lilv_instance_connect_port(instance, i, audio_buffers.back().data());
      (is_input ? ins : outs).push_back(audio_buffers.back().data());
    } else if (lilv_port_is_a(plugin, port, control)) {
      controls[i] = std::isnan(defaults[i]) ? 0.0f : defaults[i];
      lilv_instance_connect_port(instance, i, &controls[i]);
    } else if (lilv_port_is_a(plugin, port, atom)) {
      atom_buffers.emplace_back(8192, 0);
      auto* seq = reinterpret_cast<LV2_Atom_Sequence*>(atom_buffers.back().data());
      sequences.emplace_back(seq, is_input);
      lilv_instance_connect_port(instance, i, seq);
    } else {
      lilv_instance_connect_port(instance, i, nullptr);
    }
  }
  if (ins.size() != 2 || outs.size() != 2) {
    std::fprintf(stderr, "lathe-lv2-bench: %s is not stereo in, stereo out\n", argv[1]);
    return 1;
  }
  const auto frames = lathe::signals::music_like(seconds, rate);
  const std::size_t total = frames.size() / 2;
  const LV2_URID sequence_type = map_uri(nullptr, LV2_ATOM__Sequence);
  lilv_instance_activate(instance);
  double cpu = 0;
  for (std::size_t first = 0; first < total; first += block) {
    const std::size_t len = std::min(block, total - first);
    for (std::size_t i = 0; i < len; ++i) {
      ins[0][i] = static_cast<float>(frames[2 * (first + i)] / 8388608.0);
      ins[1][i] = static_cast<float>(frames[2 * (first + i) + 1] / 8388608.0);
    }
    for (auto& [seq, is_input] : sequences) {
      seq->atom.type = sequence_type;
      seq->atom.size = is_input ? sizeof(LV2_Atom_Sequence_Body) : 8192 - sizeof(LV2_Atom);
      seq->body.unit = 0;
      seq->body.pad = 0;
    }
    const double t0 = thread_cpu_seconds();
    lilv_instance_run(instance, static_cast<uint32_t>(len));
    cpu += thread_cpu_seconds() - t0;
  }
  lilv_instance_deactivate(instance);
  lilv_instance_free(instance);
  // The latency the plug-in reports to the host (its lv2:latency port after the run).
  std::string latency = "none reported";
  if (lilv_plugin_has_latency(plugin))
    latency = std::to_string(static_cast<long>(controls[lilv_plugin_get_latency_port_index(plugin)])) + " frames";
  std::printf("%s %d Hz, blocks of %zu: %.4f CPU s per audio s (%.2f s for %.1f s); latency %s\n", argv[1], rate, block,
              cpu / seconds, cpu, seconds, latency.c_str());
  lilv_world_free(world);
  return 0;
}
