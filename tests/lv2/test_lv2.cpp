// SPDX-License-Identifier: MIT
// The LV2 plug-in through lilv, as a host loads it (LV2_PATH from the test's environment):
// its ports against the settings table, its output against `lathe master` and the model
// bit for bit, automation at block boundaries, bad control values, bypass latency,
// lv2apply, and no allocation in run().
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/urid/urid.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli_scratch.hpp"
#include "lathe/registers.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/live_chain.hpp"
#include "lathe/model/chain.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/settings.hpp"
#include "lathe/test_signals.hpp"

// Counting allocator: malloc and friends (operator new comes through malloc), counted
// only while armed, i.e. around the plug-in's run(). The plug-in is loaded with dlopen,
// so its calls bind to these.
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_calloc(size_t, size_t);
extern "C" void* __libc_realloc(void*, size_t);
extern "C" void* __libc_memalign(size_t, size_t);
namespace {
std::atomic<bool> g_armed{false};
std::atomic<long> g_allocations{0};
void count() {
  if (g_armed.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace
extern "C" void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
extern "C" void* calloc(size_t n, size_t m) {
  count();
  return __libc_calloc(n, m);
}
extern "C" void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
extern "C" void* aligned_alloc(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
extern "C" int posix_memalign(void** p, size_t a, size_t n) {
  count();
  *p = __libc_memalign(a, n);
  return *p ? 0 : ENOMEM;
}

namespace {

const char* kUri = "https://lathe.audio/plugins/lathe";
constexpr int kBlockSizes[] = {64, 1000, 4096};

// Whatever lilv prints (its only channel for warnings and errors) while `f` runs.
template <class F>
std::string stderr_of(F&& f) {
  std::fflush(stderr);
  char name[] = "/tmp/lathe-lv2-stderr-XXXXXX";
  const int fd = ::mkstemp(name);
  const int saved = ::dup(2);
  ::dup2(fd, 2);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  const std::string text = lathe::test::slurp(name);
  ::unlink(name);
  return text;
}

// URIDs for lilv and the plug-in (mapping happens at instantiate and restore only).
struct UridMap {
  std::vector<std::string> uris;
  LV2_URID_Map map{this, [](LV2_URID_Map_Handle h, const char* uri) -> LV2_URID {
                     auto* self = static_cast<UridMap*>(h);
                     for (std::size_t i = 0; i < self->uris.size(); ++i)
                       if (self->uris[i] == uri) return static_cast<LV2_URID>(i + 1);
                     self->uris.emplace_back(uri);
                     return static_cast<LV2_URID>(self->uris.size());
                   }};
  LV2_URID_Unmap unmap{this, [](LV2_URID_Unmap_Handle h, LV2_URID u) -> const char* {
                         auto* self = static_cast<UridMap*>(h);
                         return u >= 1 && u <= self->uris.size() ? self->uris[u - 1].c_str() : nullptr;
                       }};
  LV2_Feature map_feature{LV2_URID__map, &map};
  LV2_Feature unmap_feature{LV2_URID__unmap, &unmap};
  const LV2_Feature* features[3] = {&map_feature, &unmap_feature, nullptr};
};

struct World {
  LilvWorld* world = nullptr;
  const LilvPlugin* plugin = nullptr;
  UridMap urids;
  std::string load_messages;
  World() {
    load_messages = stderr_of([&] {
      world = lilv_world_new();
      lilv_world_load_all(world);
      LilvNode* uri = lilv_new_uri(world, kUri);
      plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
      lilv_node_free(uri);
      if (plugin) lilv_plugin_verify(plugin);
    });
  }
  ~World() { lilv_world_free(world); }
  uint32_t port_index(const std::string& symbol) const {
    LilvNode* s = lilv_new_string(world, symbol.c_str());
    const LilvPort* p = lilv_plugin_get_port_by_symbol(plugin, s);
    lilv_node_free(s);
    REQUIRE(p != nullptr);
    return lilv_port_get_index(plugin, p);
  }
};

World& world() {
  static World w;
  return w;
}

// One plug-in instance with its control buffers, fed interleaved 24-bit frames.
class Instance {
 public:
  explicit Instance(double rate) : w_(world()), controls_(lilv_plugin_get_num_ports(w_.plugin), 0.0f) {
    REQUIRE(w_.plugin != nullptr);
    const uint32_t n = lilv_plugin_get_num_ports(w_.plugin);
    std::vector<float> defaults(n);
    lilv_plugin_get_port_ranges_float(w_.plugin, nullptr, nullptr, defaults.data());
    for (uint32_t i = 0; i < n; ++i)
      if (!std::isnan(defaults[i])) controls_[i] = defaults[i];
    const std::string messages = stderr_of([&] { instance_ = lilv_plugin_instantiate(w_.plugin, rate, w_.urids.features); });
    REQUIRE(messages.empty());
    REQUIRE(instance_ != nullptr);
    for (uint32_t i = 4; i < n; ++i) lilv_instance_connect_port(instance_, i, &controls_[i]);
    latency_port_ = w_.port_index("latency");
  }
  ~Instance() {
    if (instance_) {
      lilv_instance_deactivate(instance_);
      lilv_instance_free(instance_);
    }
  }

  void set(const std::string& symbol, float value) { controls_[w_.port_index(symbol)] = value; }
  float get(const std::string& symbol) const { return controls_[w_.port_index(symbol)]; }

  // A preset file through lilv's state API, as hosts load presets.
  void restore(const std::string& path, const std::string& preset_uri) {
    LilvState* state = nullptr;
    const std::string messages = stderr_of([&] {
      LilvNode* subject = lilv_new_uri(w_.world, preset_uri.c_str());
      state = lilv_state_new_from_file(w_.world, &w_.urids.map, subject, path.c_str());
      lilv_node_free(subject);
      if (state) restore(state);
    });
    REQUIRE(messages.empty());
    REQUIRE(state != nullptr);
    lilv_state_free(state);
  }
  void restore(const LilvState* state) {
    lilv_state_restore(state, instance_, [](const char* symbol, void* data, const void* value, uint32_t size,
                                            uint32_t type) {
      auto* self = static_cast<Instance*>(data);
      REQUIRE(size == sizeof(float));
      REQUIRE(type == self->w_.urids.map.map(self->w_.urids.map.handle, LV2_ATOM__Float));
      self->set(symbol, *static_cast<const float*>(value));
    }, this, 0, w_.urids.features);
  }

  // The instance's state as a host saves it with a session: ports and the plug-in's own.
  LilvState* snapshot() {
    return lilv_state_new_from_instance(w_.plugin, instance_, &w_.urids.map, nullptr, nullptr, nullptr, nullptr,
                                        [](const char* symbol, void* data, uint32_t* size, uint32_t* type) -> const void* {
                                          auto* self = static_cast<Instance*>(data);
                                          *size = sizeof(float);
                                          *type = self->w_.urids.map.map(self->w_.urids.map.handle, LV2_ATOM__Float);
                                          return &self->controls_[self->w_.port_index(symbol)];
                                        }, this, 0, w_.urids.features);
  }

  // Processes the frames in blocks of the given sizes, cycling; before each block,
  // `before_block(frame)` may change controls. Returns the output as integers.
  template <class F>
  std::vector<int32_t> process(const std::vector<int32_t>& in, int out_bits, F&& before_block,
                               const std::vector<int>& sizes = {std::begin(kBlockSizes), std::end(kBlockSizes)}) {
    if (!active_) {
      lilv_instance_activate(instance_);
      active_ = true;
    }
    const std::size_t frames = in.size() / 2;
    std::vector<int32_t> out(in.size());
    std::vector<float> l(4096), r(4096), ol(4096), orr(4096);
    lilv_instance_connect_port(instance_, 0, l.data());
    lilv_instance_connect_port(instance_, 1, r.data());
    lilv_instance_connect_port(instance_, 2, ol.data());
    lilv_instance_connect_port(instance_, 3, orr.data());
    const double scale = std::ldexp(1.0, out_bits - 1);
    std::size_t k = 0;
    for (std::size_t first = 0; first < frames; ++k) {
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(sizes[k % sizes.size()]), frames - first);
      before_block(first);
      for (std::size_t i = 0; i < n; ++i) {
        l[i] = static_cast<float>(in[2 * (first + i)] / 8388608.0);
        r[i] = static_cast<float>(in[2 * (first + i) + 1] / 8388608.0);
      }
      g_armed = true;
      lilv_instance_run(instance_, static_cast<uint32_t>(n));
      g_armed = false;
      for (std::size_t i = 0; i < n; ++i) {
        out[2 * (first + i)] = static_cast<int32_t>(std::lrint(ol[i] * scale));
        out[2 * (first + i) + 1] = static_cast<int32_t>(std::lrint(orr[i] * scale));
        // Outside a crossfade the output is exactly an integer over 2^(bits-1).
        fractional_ += out[2 * (first + i)] != ol[i] * scale || out[2 * (first + i) + 1] != orr[i] * scale;
      }
      first += n;
    }
    return out;
  }
  std::vector<int32_t> process(const std::vector<int32_t>& in, int out_bits = 24) {
    return process(in, out_bits, [](std::size_t) {});
  }

  int latency() const { return static_cast<int>(controls_[latency_port_]); }
  // Output frames that were not an integer over 2^(bits-1): only crossfades make them.
  std::size_t fractional() const { return fractional_; }

 private:
  World& w_;
  std::vector<float> controls_;
  LilvInstance* instance_ = nullptr;
  uint32_t latency_port_ = 0;
  bool active_ = false;
  std::size_t fractional_ = 0;
};

std::vector<int32_t> read_ints(const std::string& path) {
  auto audio = lathe::read_audio(path);
  REQUIRE(audio.has_value());
  return audio->samples;
}

// plugin[t] == master[t - latency] for every frame both have: the plug-in has no flush
// (its last `latency` input frames are still in the limiter), master has no first
// `latency` frames (it drops them and flushes with silence at the end).
void require_shifted_equal(const std::vector<int32_t>& plugin, const std::vector<int32_t>& master, int latency) {
  REQUIRE(plugin.size() == master.size());
  const std::size_t frames = plugin.size() / 2, lat = static_cast<std::size_t>(latency);
  REQUIRE(frames > lat);
  std::size_t mismatches = 0, first_bad = 0;
  for (std::size_t t = lat; t < frames; ++t)
    for (int c = 0; c < 2; ++c)
      if (plugin[2 * t + c] != master[2 * (t - lat) + c] && mismatches++ == 0) first_bad = t;
  INFO("first mismatch at frame " << first_bad << " of " << frames);
  REQUIRE(mismatches == 0);
}

struct Material {
  lathe::test::CliScratch dir{"lv2"};
  std::vector<int32_t> samples;
  std::string wav;
  Material(int rate, double seconds = 3.0) {
    samples = lathe::signals::music_like(seconds, rate, 7);
    wav = dir.path("in.wav");
    REQUIRE(!lathe::write_audio(wav, {rate, 2, 24}, samples));
  }
  std::vector<int32_t> master(const std::string& args) {
    const std::string out = dir.path("master.wav");
    const auto run = dir.lathe("master " + wav + " " + out + " --target-lufs off -q " + args);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    return read_ints(out);
  }
};

std::string default_preset_file(const lathe::test::CliScratch& dir) {
  const std::string path = dir.path("defaults.json");
  std::ofstream(path) << "{}\n";
  return path;
}

}  // namespace

TEST_CASE("lilv loads the bundle without a warning", "[lv2]") {
  INFO(world().load_messages);
  REQUIRE(world().plugin != nullptr);
  REQUIRE(world().load_messages.empty());
  REQUIRE(lilv_plugin_verify(world().plugin));
}

TEST_CASE("the allocation counter sees the plug-in's allocations", "[lv2]") {
  // Armed around instantiate(), which allocates the chain: the plug-in's calls reach the
  // counting malloc, so zero around run() means what it says.
  g_allocations = 0;
  g_armed = true;
  LilvInstance* instance = lilv_plugin_instantiate(world().plugin, 48000, world().urids.features);
  g_armed = false;
  REQUIRE(instance != nullptr);
  CHECK(g_allocations > 0);
  lilv_instance_free(instance);
  // An unsupported rate is refused, not crashed on.
  CHECK(lilv_plugin_instantiate(world().plugin, 22050, world().urids.features) == nullptr);
}

TEST_CASE("every control port's range and default are the settings table's", "[lv2]") {
  World& w = world();
  const uint32_t n = lilv_plugin_get_num_ports(w.plugin);
  std::vector<float> mins(n), maxs(n), defs(n);
  lilv_plugin_get_port_ranges_float(w.plugin, mins.data(), maxs.data(), defs.data());
  const lathe::Preset& d = lathe::default_preset();
  int checked = 0;
  for (const lathe::SettingInfo& info : lathe::setting_infos()) {
    if (info.kind == lathe::SettingKind::kText || info.key == "target_lufs" || info.key == "dither.seed") continue;
    std::string symbol = info.key;
    std::replace(symbol.begin(), symbol.end(), '.', '_');
    const uint32_t i = w.port_index(symbol);
    INFO(info.key);
    const lathe::SettingValue v = lathe::get_setting(d, info);
    switch (info.kind) {
      case lathe::SettingKind::kNumber:
        CHECK(mins[i] == static_cast<float>(info.min));
        CHECK(maxs[i] == (std::isinf(info.max) ? 100.0f : static_cast<float>(info.max)));
        CHECK(defs[i] == static_cast<float>(std::get<double>(v)));
        break;
      case lathe::SettingKind::kInteger:
        CHECK(mins[i] == static_cast<float>(info.min));
        CHECK(maxs[i] == static_cast<float>(info.max));
        CHECK(defs[i] == static_cast<float>(std::get<double>(v)));
        break;
      case lathe::SettingKind::kBoolean:
        CHECK(mins[i] == 0.0f);
        CHECK(maxs[i] == 1.0f);
        CHECK(defs[i] == (std::get<bool>(v) ? 1.0f : 0.0f));
        break;
      case lathe::SettingKind::kChoice: {
        CHECK(mins[i] == 0.0f);
        CHECK(maxs[i] == static_cast<float>(info.choices.size() - 1));
        const auto& c = info.choices;
        CHECK(defs[i] == static_cast<float>(std::find(c.begin(), c.end(), std::get<std::string>(v)) - c.begin()));
        // The scale points name the choices, in order.
        LilvScalePoints* points = lilv_port_get_scale_points(w.plugin, lilv_plugin_get_port_by_index(w.plugin, i));
        REQUIRE(points != nullptr);
        CHECK(lilv_scale_points_size(points) == c.size());
        LILV_FOREACH (scale_points, it, points) {
          const LilvScalePoint* p = lilv_scale_points_get(points, it);
          const float value = lilv_node_as_float(lilv_scale_point_get_value(p));
          CHECK(c.at(static_cast<std::size_t>(value)) == lilv_node_as_string(lilv_scale_point_get_label(p)));
        }
        lilv_scale_points_free(points);
        break;
      }
      case lathe::SettingKind::kText:
        break;
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(n) - 4 - 6);  // all but the audio and the meters
  // Units from the units extension where one fits, else a unit of our own by its symbol.
  LilvNode* unit_pred = lilv_new_uri(w.world, "http://lv2plug.in/ns/extensions/units#unit");
  LilvNode* symbol_pred = lilv_new_uri(w.world, "http://lv2plug.in/ns/extensions/units#symbol");
  const std::map<std::string, std::string> standard = {
      {"dB", "http://lv2plug.in/ns/extensions/units#db"},
      {"Hz", "http://lv2plug.in/ns/extensions/units#hz"},
      {"ms", "http://lv2plug.in/ns/extensions/units#ms"}};
  for (const lathe::SettingInfo& info : lathe::setting_infos()) {
    if (info.kind != lathe::SettingKind::kNumber || info.key == "target_lufs") continue;
    std::string symbol = info.key;
    std::replace(symbol.begin(), symbol.end(), '.', '_');
    INFO(info.key << " " << info.unit);
    const LilvPort* port = lilv_plugin_get_port_by_index(w.plugin, w.port_index(symbol));
    LilvNodes* units = lilv_port_get_value(w.plugin, port, unit_pred);
    if (info.unit.empty()) {
      CHECK(units == nullptr);
    } else {
      REQUIRE(units != nullptr);
      const LilvNode* unit = lilv_nodes_get_first(units);
      if (standard.count(info.unit)) {
        CHECK(std::string(lilv_node_as_uri(unit)) == standard.at(info.unit));
      } else {
        LilvNode* s = lilv_world_get(w.world, unit, symbol_pred, nullptr);
        REQUIRE(s != nullptr);
        CHECK(std::string(lilv_node_as_string(s)) == info.unit);
        lilv_node_free(s);
      }
    }
    lilv_nodes_free(units);
  }
  lilv_node_free(unit_pred);
  lilv_node_free(symbol_pred);
  const LilvPort* latency = lilv_plugin_get_port_by_index(w.plugin, w.port_index("latency"));
  LilvNode* reports = lilv_new_uri(w.world, LV2_CORE__reportsLatency);
  CHECK(lilv_port_has_property(w.plugin, latency, reports));
  lilv_node_free(reports);
  CHECK(lilv_plugin_has_latency(w.plugin));
  CHECK(lilv_plugin_get_latency_port_index(w.plugin) == w.port_index("latency"));
  // A few against docs/cli.md's table, typed out, in case the generator and the table
  // agree on a mistake.
  auto range = [&](const char* symbol, float lo, float hi, float def) {
    INFO(symbol);
    const uint32_t i = w.port_index(symbol);
    CHECK(mins[i] == lo);
    CHECK(maxs[i] == hi);
    CHECK(defs[i] == def);
  };
  range("limiter_ceiling_dbtp", -20, 0, -1);
  range("limiter_lookahead_ms", 0.1f, 5, 2);
  range("limiter_release_ms", 0.05f, 5000, 80);
  range("limiter_drive_db", -24, 24, 0);
  range("eq_ch1_band8_freq_hz", 10, 0.49f * 192000, 1000);
  range("eq_ch0_band3_q", 0.1f, 20, 0.7071f);
  range("compressor_threshold_db", -60, 0, 0);
  range("compressor_knee_db", 0, 24, 6);
  range("trim_db", -24, 24, 0);
  range("dither_bits", 16, 24, 24);
  range("compressor_stereo_link", 0, 1, 1);
}

namespace {

// The non-default set: an EQ band on both channels, the compressor on, drive +6 dB and a
// 0.5 ms lookahead. As `--set` arguments and as port values.
const char* kNonDefaultArgs =
    "--set eq.band2.type=peak --set eq.band2.freq_hz=2500 --set eq.band2.gain_db=3.5 --set eq.band2.q=1.3 "
    "--set compressor.ratio=3 --set compressor.threshold_db=-24 --set compressor.attack_ms=5 "
    "--set limiter.drive_db=6 --set limiter.lookahead_ms=0.5";
void set_non_default(Instance& p) {
  for (const char* ch : {"eq_ch0_", "eq_ch1_"}) {
    p.set(std::string(ch) + "band2_type", 1);  // peak
    p.set(std::string(ch) + "band2_freq_hz", 2500);
    p.set(std::string(ch) + "band2_gain_db", 3.5f);
    p.set(std::string(ch) + "band2_q", 1.3f);
  }
  p.set("compressor_ratio", 3);
  p.set("compressor_threshold_db", -24);
  p.set("compressor_attack_ms", 5);
  p.set("limiter_drive_db", 6);
  p.set("limiter_lookahead_ms", 0.5f);
}

}  // namespace

TEST_CASE("default settings: the plug-in is lathe master, shifted by its latency", "[lv2]") {
  for (int rate : {44100, 96000}) {
    INFO(rate << " Hz");
    Material m(rate);
    const auto master = m.master("--preset " + default_preset_file(m.dir));
    g_allocations = 0;
    Instance p(rate);
    const auto out = p.process(m.samples);
    CHECK(g_allocations == 0);
    CHECK(p.fractional() == 0);
    const auto regs = lathe::to_registers(lathe::default_preset().params, rate);
    REQUIRE(p.latency() == lathe::latency_frames(regs));
    REQUIRE(p.latency() == lathe::lookahead_samples(2.0, rate) + lathe::reg::kChainExtraDelay);
    require_shifted_equal(out, master, p.latency());
  }
}

TEST_CASE("non-default settings: EQ band, compressor, drive +6 dB, 0.5 ms lookahead", "[lv2]") {
  for (int rate : {44100, 96000}) {
    INFO(rate << " Hz");
    Material m(rate);
    const auto master = m.master("--preset " + default_preset_file(m.dir) + " " + kNonDefaultArgs);
    g_allocations = 0;
    Instance p(rate);
    set_non_default(p);
    const auto out = p.process(m.samples);
    CHECK(g_allocations == 0);
    REQUIRE(p.latency() == lathe::lookahead_samples(0.5, rate) + lathe::reg::kChainExtraDelay);
    require_shifted_equal(out, master, p.latency());
  }
}

TEST_CASE("a built-in preset through its generated LV2 preset is lathe master --preset", "[lv2][presets]") {
  for (const char* name : {"cd", "streaming"}) {
    INFO(name);
    Material m(44100);
    const auto master = m.master(std::string("--preset ") + name);
    Instance p(44100);
    p.restore(std::string(LATHE_LV2_BUNDLE) + "/" + name + ".ttl", std::string(kUri) + "/presets/" + name);
    g_allocations = 0;
    // 24-bit scaling for any output width: read_audio gives a 16-bit file's samples x 256.
    const auto out = p.process(m.samples);
    CHECK(g_allocations == 0);
    require_shifted_equal(out, master, p.latency());
  }
}

TEST_CASE("a user preset converted by lathe-lv2-preset is lathe master --preset FILE", "[lv2][presets]") {
  Material m(48000);
  lathe::Preset preset = *lathe::builtin_preset("broadcast");
  preset.name = "mine";
  REQUIRE(!lathe::apply_setting(preset, "dither.seed=4000000000"));  // past 2^31: the state's xsd:long
  REQUIRE(!lathe::apply_setting(preset, "eq.ch1.band5.type=low_shelf"));
  REQUIRE(!lathe::apply_setting(preset, "eq.ch1.band5.q=0.55"));
  REQUIRE(!lathe::apply_setting(preset, "compressor.ratio=inf"));
  REQUIRE(!lathe::apply_setting(preset, "eq.mode=mid_side"));
  const std::string json = m.dir.path("mine.json"), ttl = m.dir.path("mine.ttl");
  REQUIRE(!lathe::save_preset_file(json, preset));
  const std::string uri = "urn:lathe-test:mine";
  const auto run = m.dir.shell(std::string(LATHE_LV2_PRESET) + " " + json + " " + ttl + " --uri " + uri);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("target_lufs") != std::string::npos);  // says the target is left out
  const auto master = m.master("--preset " + json);
  Instance p(48000);
  p.restore(ttl, uri);
  const auto out = p.process(m.samples);
  require_shifted_equal(out, master, p.latency());
}

TEST_CASE("automation: a change between two run() calls lands at that block boundary", "[lv2]") {
  const int rate = 48000;
  const auto in = lathe::signals::music_like(2.0, rate, 3);
  const lathe::ChainParams before = lathe::default_preset().params;
  lathe::ChainParams after = before;
  after.lim.drive_db = 7.5;
  after.eq.bands[0][0] = {lathe::FilterType::LowShelf, 120.0, -4.0, 0.8};
  // The model driven directly, reconfigured at exactly the frame where the block starts.
  const std::size_t change_frame = 64 + 1000 + 4096 + 64 + 1000;  // the start of the sixth block
  lathe::model::Chain chain;
  chain.configure(lathe::to_registers(before, rate));
  chain.reset();
  std::vector<int32_t> expected(in.size());
  chain.process(in.data(), expected.data(), change_frame);
  chain.configure(lathe::to_registers(after, rate));
  chain.process(in.data() + 2 * change_frame, expected.data() + 2 * change_frame, in.size() / 2 - change_frame);

  Instance p(rate);
  g_allocations = 0;
  const auto out = p.process(in, 24, [&](std::size_t frame) {
    if (frame == change_frame) {
      p.set("limiter_drive_db", 7.5f);
      p.set("eq_ch0_band1_type", 2);  // low_shelf
      p.set("eq_ch0_band1_freq_hz", 120);
      p.set("eq_ch0_band1_gain_db", -4);
      p.set("eq_ch0_band1_q", 0.8f);
    }
  });
  CHECK(g_allocations == 0);
  REQUIRE(out.size() == expected.size());
  lathe::model::Chain unchanged;
  unchanged.configure(lathe::to_registers(before, rate));
  unchanged.reset();
  std::vector<int32_t> same(in.size());
  unchanged.process(in.data(), same.data(), in.size() / 2);
  // Bit for bit before the change and after its crossfade (lathe::LiveChain); during
  // it, between the old settings' output and the new ones'.
  const std::size_t fade_end = change_frame + static_cast<std::size_t>(lathe::LiveChain(rate, lathe::to_registers(before, rate)).fade_frames());
  std::size_t mismatches = 0, outside = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t frame = i / 2;
    if (frame < change_frame || frame >= fade_end) mismatches += out[i] != expected[i];
    else outside += out[i] < std::min(same[i], expected[i]) - 1 || out[i] > std::max(same[i], expected[i]) + 1;
  }
  REQUIRE(mismatches == 0);
  REQUIRE(outside == 0);
  // And the change did something.
  REQUIRE(same != expected);
}

TEST_CASE("run() does not allocate while every control changes every block", "[lv2]") {
  const int rate = 44100;
  const auto in = lathe::signals::music_like(1.0, rate, 11);
  Instance p(rate);
  World& w = world();
  const uint32_t n = lilv_plugin_get_num_ports(w.plugin);
  std::vector<float> mins(n), maxs(n);
  lilv_plugin_get_port_ranges_float(w.plugin, mins.data(), maxs.data(), nullptr);
  const uint32_t first_control = 4, meters = 6;
  uint32_t step = 0;
  LilvNode* integer = lilv_new_uri(w.world, LV2_CORE__integer);
  LilvNode* toggled = lilv_new_uri(w.world, LV2_CORE__toggled);
  g_allocations = 0;
  p.process(in, 24, [&](std::size_t) {
    ++step;
    for (uint32_t i = first_control; i < n - meters; ++i) {
      const LilvPort* port = lilv_plugin_get_port_by_index(w.plugin, i);
      const std::string symbol = lilv_node_as_string(lilv_port_get_symbol(w.plugin, port));
      if (symbol == "dither_bits") {
        p.set(symbol, step % 2 ? 16 : 24);
        continue;
      }
      // Walks each range, whole steps for the integer and toggled ports.
      const float f = static_cast<float>((step * 7 + i) % 10) / 9.0f;
      float v = mins[i] + f * (maxs[i] - mins[i]);
      if (lilv_port_has_property(w.plugin, port, integer) || lilv_port_has_property(w.plugin, port, toggled))
        v = std::round(v);
      p.set(symbol, v);
    }
  }, {64, 512});
  CHECK(g_allocations == 0);
  lilv_node_free(integer);
  lilv_node_free(toggled);
}

TEST_CASE("out-of-range and NaN controls keep the last valid settings", "[lv2]") {
  const int rate = 44100;
  const auto in = lathe::signals::music_like(2.0, rate, 5);
  Instance good(rate), bad(rate);
  set_non_default(good);
  set_non_default(bad);
  const auto expected = good.process(in);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::size_t block = 0;
  g_allocations = 0;
  const auto out = bad.process(in, 24, [&](std::size_t) {
    // The first block runs with the valid settings, which the bad values then leave alone.
    if (block++ == 0) return;
    switch (block % 5) {
      case 1: bad.set("limiter_drive_db", nan); break;
      case 2: bad.set("limiter_drive_db", 1000); break;
      case 3: bad.set("limiter_ceiling_dbtp", -50); bad.set("eq_ch0_band2_type", 17); break;
      case 4: bad.set("dither_bits", 20); bad.set("compressor_ratio", std::numeric_limits<float>::infinity()); break;
      default: bad.set("eq_ch0_band2_freq_hz", -1); bad.set("limiter_lookahead_ms", nan); break;
    }
  });
  CHECK(g_allocations == 0);
  REQUIRE(out.size() == expected.size());
  std::size_t mismatches = 0, first_bad = 0;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] != expected[i] && mismatches++ == 0) first_bad = i / 2;
  INFO("first mismatch at frame " << first_bad);
  REQUIRE(mismatches == 0);
}

TEST_CASE("an EQ frequency above 0.49 fs is clamped to it", "[lv2]") {
  const int rate = 44100;
  const auto in = lathe::signals::music_like(1.0, rate, 5);
  Instance high(rate), at_limit(rate);
  high.set("eq_ch0_band1_type", 5);  // low_pass
  high.set("eq_ch0_band1_freq_hz", 40000);
  at_limit.set("eq_ch0_band1_type", 5);
  at_limit.set("eq_ch0_band1_freq_hz", 0.49f * rate);
  REQUIRE(high.process(in) == at_limit.process(in));
}

TEST_CASE("bypass reports the latency and delays the input by it", "[lv2]") {
  const int rate = 96000;
  const auto in = lathe::signals::music_like(1.0, rate, 9);
  Instance p(rate);
  p.set("bypass", 1);
  p.set("dither_enabled", 0);  // 24-bit out without dither: the input itself
  p.set("limiter_lookahead_ms", 1.5f);
  const auto out = p.process(in);
  REQUIRE(p.latency() == lathe::lookahead_samples(1.5, rate) + lathe::reg::kChainExtraDelay);
  require_shifted_equal(out, in, p.latency());
}

TEST_CASE("a lookahead change restarts the limiter and the latency port follows", "[lv2]") {
  const int rate = 48000;
  const auto in = lathe::signals::music_like(1.0, rate, 2);
  Instance p(rate);
  std::vector<int> latencies;
  p.process(in, 24, [&](std::size_t frame) {
    latencies.push_back(p.latency());
    if (frame >= 20000) p.set("limiter_lookahead_ms", 4);
  });
  latencies.push_back(p.latency());
  REQUIRE(latencies[1] == lathe::lookahead_samples(2, rate) + lathe::reg::kChainExtraDelay);
  REQUIRE(latencies.back() == lathe::lookahead_samples(4, rate) + lathe::reg::kChainExtraDelay);
}

namespace {

// Interleaved 24-bit frames as a WAV file of libsndfile's float (or 24-bit) samples,
// converted from v / 2^23 by libsndfile as lv2apply converts its output.
void write_through_libsndfile(const std::string& path, int rate, const std::vector<int32_t>& samples, int subformat) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | subformat;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(f != nullptr);
  std::vector<float> x(samples.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(samples[i] / 8388608.0);
  REQUIRE(sf_writef_float(f, x.data(), static_cast<sf_count_t>(samples.size() / 2)) ==
          static_cast<sf_count_t>(samples.size() / 2));
  REQUIRE(sf_close(f) == 0);
}

std::size_t count_mismatches(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  REQUIRE(a.size() == b.size());
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += a[i] != b[i];
  return n;
}

}  // namespace

TEST_CASE("lv2apply gives the samples this host gives", "[lv2]") {
  for (int rate : {44100, 96000}) {
    INFO(rate << " Hz");
    Material m(rate, 2.0);
    Instance p(rate);
    p.set("limiter_drive_db", 6);
    p.set("compressor_ratio", 2);
    const auto host = p.process(m.samples);
    auto lv2apply = [&](const std::string& in, const std::string& out) {
      const auto run = m.dir.shell(std::string(LATHE_LV2APPLY) + " -i " + in + " -o " + out +
                                   " -c limiter_drive_db 6 -c compressor_ratio 2 " + kUri);
      INFO(run.err);
      REQUIRE(run.exit_code == 0);
      return read_ints(out);
    };
    // lv2apply writes its output in the input's format. From a float file, the plug-in's
    // float output arrives unchanged: the samples, bit for bit.
    const std::string in_float = m.dir.path("in-float.wav");
    write_through_libsndfile(in_float, rate, m.samples, SF_FORMAT_FLOAT);
    CHECK(count_mismatches(lv2apply(in_float, m.dir.path("out-float.wav")), host) == 0);
    // From the 24-bit file, libsndfile turns the float output back into 24 bits by
    // scaling with 2^23 - 1, not 2^23, so some samples come out 1 lower than the chain's
    // integers; this host's output through the same conversion is lv2apply's, exactly.
    const auto applied24 = lv2apply(m.wav, m.dir.path("out-24.wav"));
    const std::string host24 = m.dir.path("host-24.wav");
    write_through_libsndfile(host24, rate, host, SF_FORMAT_PCM_24);
    CHECK(count_mismatches(applied24, read_ints(host24)) == 0);
  }
}

TEST_CASE("the plug-in's state saved with a session restores the same sound", "[lv2][presets]") {
  // A seed past 2^31 and a few ports, through state save, a file and state restore.
  Material m(44100, 1.0);
  lathe::Preset preset = lathe::default_preset();
  REQUIRE(!lathe::apply_setting(preset, "dither.seed=3000000001"));
  REQUIRE(!lathe::apply_setting(preset, "dither.bits=16"));
  REQUIRE(!lathe::apply_setting(preset, "limiter.drive_db=4"));
  const std::string json = m.dir.path("seed.json"), ttl = m.dir.path("seed.ttl");
  REQUIRE(!lathe::save_preset_file(json, preset));
  REQUIRE(m.dir.shell(std::string(LATHE_LV2_PRESET) + " " + json + " " + ttl + " --uri urn:lathe-test:seed").exit_code == 0);
  Instance original(44100);
  original.restore(ttl, "urn:lathe-test:seed");
  original.process(m.samples);  // a host saves a running instance

  World& w = world();
  LilvState* state = original.snapshot();
  REQUIRE(state != nullptr);
  const std::string dir = m.dir.path("session.lv2");
  REQUIRE(lilv_state_save(w.world, &w.urids.map, &w.urids.unmap, state, "urn:lathe-test:session", dir.c_str(),
                          "state.ttl") == 0);
  lilv_state_free(state);
  const std::string saved = lathe::test::slurp(dir + "/state.ttl");
  INFO(saved);
  CHECK(saved.find("3000000001") != std::string::npos);

  Instance reloaded(44100), fresh(44100);
  reloaded.restore(dir + "/state.ttl", "urn:lathe-test:session");
  CHECK(reloaded.get("limiter_drive_db") == 4.0f);
  CHECK(reloaded.get("dither_bits") == 16.0f);
  const auto master = m.master("--preset " + json);
  const auto out = reloaded.process(m.samples);
  require_shifted_equal(out, master, reloaded.latency());
  fresh.set("limiter_drive_db", 4);
  fresh.set("dither_bits", 16);
  CHECK(fresh.process(m.samples) != out);  // the default seed's dither is other noise
}
