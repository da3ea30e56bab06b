// SPDX-License-Identifier: MIT
// The Lathe mastering chain as an LV2 plug-in: the bit-exact model (lathe::model::Chain)
// between float ports, quantised exactly as `lathe master` reads and writes files.
//
// Real time: instantiate() allocates everything; run() allocates nothing, takes no lock
// and makes no system call. When a control port changed since the last block, run()
// rebuilds the ChainParams, validates them and converts them to registers at the start of
// the block: validate() and to_registers() do not allocate on success (tests/lv2 counts),
// and every port value is screened first (port_layout.hpp), so validate() does not fail.
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "lathe/model/chain.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/settings.hpp"
#include "port_layout.hpp"

namespace lathe::lv2 {
namespace {

constexpr double kFullScale24 = 8388608.0;  // 2^23
constexpr int32_t kMax24 = (1 << 23) - 1, kMin24 = -(1 << 23);
constexpr std::size_t kChunkFrames = 256;
// The dry input for bypass, delayed by the chain's latency (at most this).
constexpr std::size_t kDryFrames = reg::kMaxLookahead + reg::kLimiterExtraDelay + 1;

// As lathe::AudioReader: a float from a 24-bit file is exactly v / 2^23, so this gives v
// back; anything else rounds to nearest (even) and saturates. NaN is silence.
int32_t quantise_24(float x) {
  const double scaled = std::nearbyint(static_cast<double>(x) * kFullScale24);
  if (std::isnan(scaled)) return 0;
  return static_cast<int32_t>(std::clamp(scaled, double{kMin24}, double{kMax24}));
}

float db_of(double ratio, float floor_db) {
  return ratio > 0 ? std::max(floor_db, static_cast<float>(20.0 * std::log10(ratio))) : floor_db;
}

class Plugin {
 public:
  explicit Plugin(int sample_rate) : rate_(sample_rate), ports_(port_count(), nullptr) {
    last_values_.assign(control_ports().size(), 0.0f);
    working_ = default_preset();
    applied_ = working_.params;
    chain_ = std::make_unique<model::Chain>();
    regs_ = to_registers(applied_, rate_);
    chain_->configure(regs_);
    chain_->reset();
  }

  void connect(uint32_t port, void* data) {
    if (port < ports_.size()) ports_[port] = static_cast<float*>(data);
  }

  void activate() { reset_pending_ = true; }

  void run(uint32_t frames) {
    update_settings();
    const float* in_l = ports_[kInLeft];
    const float* in_r = ports_[kInRight];
    float* out_l = ports_[kOutLeft];
    float* out_r = ports_[kOutRight];
    if (in_l && in_r && out_l && out_r) process(in_l, in_r, out_l, out_r, frames);
    write_meters();
  }

  // State: the dither seed (the rest is ports).
  void set_seed(uint32_t seed) { pending_seed_ = seed; }
  uint32_t seed() const { return pending_seed_; }

  LV2_URID_Map* map = nullptr;
  LV2_URID seed_urid = 0, long_urid = 0, int_urid = 0;

 private:
  // The ports' settings, applied at this block boundary when any changed.
  void update_settings() {
    bool changed = reset_pending_ || pending_seed_ != working_.params.dither.seed;
    const auto& controls = control_ports();
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const float* p = ports_[controls[i].index];
      const float v = p ? *p : controls[i].default_value;
      if (std::bit_cast<uint32_t>(v) == std::bit_cast<uint32_t>(last_values_[i]) && !reset_pending_) continue;
      last_values_[i] = v;
      changed = true;
      // An invalid value (NaN, out of range) leaves that setting as it was.
      if (auto value = setting_value(controls[i], v, rate_)) put_setting(working_, *controls[i].info, *value);
      else ++rejected_values_;
    }
    if (!changed) return;
    working_.params.dither.seed = pending_seed_;
    if (auto e = validate(working_.params, rate_)) {
      // Unreachable after the screen above; were it reached, the error's words allocate.
      ++rejected_settings_;
      working_.params = applied_;
      return;
    }
    if (working_.params == applied_ && !reset_pending_) return;
    const reg::RegisterImage regs = to_registers(working_.params, rate_);
    // The lookahead and the dither seed latch at reset: when either changes, the back of
    // the chain (limiter and dither) starts again, and the latency port follows.
    const bool relatch = regs[reg::kLimLookahead] != regs_[reg::kLimLookahead] ||
                         regs[reg::kDitherSeed] != regs_[reg::kDitherSeed];
    regs_ = regs;
    chain_->configure(regs_);
    if (reset_pending_) {
      chain_->reset();
      dry_.fill(0);
    } else if (relatch) {
      chain_->reset_back();
      dry_.fill(0);
    }
    applied_ = working_.params;
    reset_pending_ = false;
  }

  void process(const float* in_l, const float* in_r, float* out_l, float* out_r, uint32_t frames) {
    const double out_scale = 1.0 / static_cast<double>(1 << (chain_->out_bits() - 1));
    const std::size_t latency = static_cast<std::size_t>(chain_->latency());
    for (std::size_t first = 0; first < frames; first += kChunkFrames) {
      const std::size_t n = std::min<std::size_t>(kChunkFrames, frames - first);
      for (std::size_t i = 0; i < n; ++i) {
        in_[2 * i] = quantise_24(in_l[first + i]);
        in_[2 * i + 1] = quantise_24(in_r[first + i]);
      }
      chain_->front_block(in_.data(), n, front_.data());
      for (std::size_t i = 0; i < n; ++i) {
        // Chain::back() takes the dry input for bypass from its caller; delayed by the
        // latency here, bypass lines up with the processed output.
        dry_[2 * dry_pos_] = in_[2 * i];
        dry_[2 * dry_pos_ + 1] = in_[2 * i + 1];
        const std::size_t rd = (dry_pos_ + kDryFrames - latency) % kDryFrames;
        dry_pos_ = (dry_pos_ + 1) % kDryFrames;
        int32_t l, r;
        chain_->back(front_[i], dry_[2 * rd], dry_[2 * rd + 1], l, r);
        // Float outputs are written after the inputs are read: in-place hosts are fine.
        out_l[first + i] = static_cast<float>(l * out_scale);
        out_r[first + i] = static_cast<float>(r * out_scale);
      }
    }
  }

  void write_meters() {
    const model::Meters& m = chain_->meters();
    for (const MeterPort& mp : meter_ports()) {
      float* p = ports_[mp.index];
      if (!p) continue;
      switch (mp.meter) {
        case Meter::kInPeakDbfs:
          *p = db_of(std::max(m.in_peak[0], m.in_peak[1]) / kFullScale24, mp.minimum);
          break;
        case Meter::kOutPeakDbfs:
          *p = db_of(std::max(m.out_peak[0], m.out_peak[1]) / kFullScale24, mp.minimum);
          break;
        case Meter::kTruePeakDbtp:
          *p = db_of(m.true_peak / static_cast<double>(1u << 27), mp.minimum);
          break;
        case Meter::kCompGrDb:
          *p = std::clamp(static_cast<float>(log2_q16_to_db(m.comp_gr_max)), mp.minimum, mp.maximum);
          break;
        case Meter::kLimGrDb:
          *p = std::clamp(static_cast<float>(log2_q16_to_db(m.lim_gr_max)), mp.minimum, mp.maximum);
          break;
        case Meter::kLatency:
          *p = static_cast<float>(chain_->latency());
          break;
        case Meter::kCount:
          break;
      }
    }
    chain_->clear_meters();  // each block's meters are that block's
  }

  int rate_;
  std::vector<float*> ports_;
  std::vector<float> last_values_;
  Preset working_;       // the ports' settings, as far as they were valid
  ChainParams applied_;  // what the chain runs
  reg::RegisterImage regs_{};
  std::unique_ptr<model::Chain> chain_;
  std::array<int32_t, 2 * kChunkFrames> in_{};
  std::array<model::FrontFrame, kChunkFrames> front_{};
  std::array<int32_t, 2 * kDryFrames> dry_{};
  std::size_t dry_pos_ = 0;
  uint32_t pending_seed_ = default_preset().params.dither.seed;
  bool reset_pending_ = true;

 public:
  // Counted, never reported by allocation: for tests and debugging.
  uint64_t rejected_values_ = 0, rejected_settings_ = 0;
};

LV2_Handle instantiate(const LV2_Descriptor*, double rate, const char*, const LV2_Feature* const* features) {
  const int sample_rate = static_cast<int>(rate);
  if (static_cast<double>(sample_rate) != rate || !is_supported_rate(sample_rate)) return nullptr;
  try {
    auto plugin = std::make_unique<Plugin>(sample_rate);
    for (int i = 0; features && features[i]; ++i)
      if (!std::strcmp(features[i]->URI, LV2_URID__map)) plugin->map = static_cast<LV2_URID_Map*>(features[i]->data);
    if (plugin->map) {
      plugin->seed_urid = plugin->map->map(plugin->map->handle, kDitherSeedUri);
      plugin->long_urid = plugin->map->map(plugin->map->handle, LV2_ATOM__Long);
      plugin->int_urid = plugin->map->map(plugin->map->handle, LV2_ATOM__Int);
    }
    return plugin.release();
  } catch (const std::exception&) {
    return nullptr;
  }
}

Plugin* self(LV2_Handle h) { return static_cast<Plugin*>(h); }

void connect_port(LV2_Handle h, uint32_t port, void* data) { self(h)->connect(port, data); }
void activate(LV2_Handle h) { self(h)->activate(); }
void run(LV2_Handle h, uint32_t frames) { self(h)->run(frames); }
void cleanup(LV2_Handle h) { delete self(h); }

LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle handle, uint32_t,
                      const LV2_Feature* const*) {
  Plugin* p = self(h);
  if (!p->map) return LV2_STATE_ERR_NO_FEATURE;
  const int64_t seed = p->seed();
  return store(handle, p->seed_urid, &seed, sizeof seed, p->long_urid, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
}

LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle, uint32_t,
                         const LV2_Feature* const*) {
  Plugin* p = self(h);
  if (!p->map) return LV2_STATE_ERR_NO_FEATURE;
  size_t size = 0;
  uint32_t type = 0, flags = 0;
  const void* value = retrieve(handle, p->seed_urid, &size, &type, &flags);
  if (!value) return LV2_STATE_SUCCESS;  // a state without a seed keeps the current one
  int64_t seed = -1;
  if (type == p->long_urid && size == sizeof(int64_t)) std::memcpy(&seed, value, sizeof seed);
  else if (type == p->int_urid && size == sizeof(int32_t)) seed = static_cast<uint32_t>(*static_cast<const int32_t*>(value));
  if (seed < 0 || seed > int64_t{UINT32_MAX}) return LV2_STATE_ERR_BAD_TYPE;
  p->set_seed(static_cast<uint32_t>(seed));
  return LV2_STATE_SUCCESS;
}

const void* extension_data(const char* uri) {
  static const LV2_State_Interface state = {save, restore};
  if (!std::strcmp(uri, LV2_STATE__interface)) return &state;
  return nullptr;
}

const LV2_Descriptor descriptor = {kPluginUri, instantiate, connect_port, activate, run, nullptr, cleanup, extension_data};

}  // namespace
}  // namespace lathe::lv2

extern "C" LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) {
  return index == 0 ? &lathe::lv2::descriptor : nullptr;
}
