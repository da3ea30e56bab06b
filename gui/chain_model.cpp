// SPDX-License-Identifier: MIT
#include "chain_model.hpp"

namespace lathe::gui {

ChainModel::ChainModel(QObject* parent) : QObject(parent) {
  preset_ = *builtin_preset("streaming");
  update();
}

void ChainModel::update() {
  ChainParams p = preset_.params;
  p.bypass = bypass_;
  validation_error_.reset();
  if (auto e = validate(p, sample_rate_)) validation_error_ = e.message();
  if (!validation_error_) registers_ = to_registers(p, sample_rate_);
  emit changed();
}

void ChainModel::setPreset(const Preset& preset) {
  preset_ = preset;
  bypass_ = preset.params.bypass;
  preset_.params.bypass = false;
  const auto& bands = preset_.params.eq.bands;
  eq_target_ = bands[0] == bands[1] ? EqTarget::Both : EqTarget::Channel0;
  selected_band_ = 0;
  for (int b = 0; b < reg::kEqBands; ++b)
    if (bands[0][b].type != FilterType::Off) {
      selected_band_ = b;
      break;
    }
  update();
  emit presetReplaced();
  emit eqViewChanged();
}

void ChainModel::setPresetInfo(const std::string& name, const std::string& description) {
  if (preset_.name == name && preset_.description == description) return;
  preset_.name = name;
  preset_.description = description;
  emit changed();
}

void ChainModel::setTrimDb(double db) {
  if (preset_.params.trim_db == db) return;
  preset_.params.trim_db = db;
  update();
}

void ChainModel::setMidSide(bool mid_side) {
  if (preset_.params.eq.mid_side == mid_side) return;
  preset_.params.eq.mid_side = mid_side;
  update();
}

void ChainModel::setBand(EqTarget target, int band, const EqBand& value) {
  if (band < 0 || band >= reg::kEqBands) return;
  auto& bands = preset_.params.eq.bands;
  bool differs = false;
  for (int ch = 0; ch < reg::kEqChannels; ++ch) {
    const bool hit = target == EqTarget::Both || (ch == 0) == (target == EqTarget::Channel0);
    if (hit && !(bands[ch][band] == value)) {
      bands[ch][band] = value;
      differs = true;
    }
  }
  if (differs) update();
}

void ChainModel::setCompressor(const CompressorParams& comp) {
  if (preset_.params.comp == comp) return;
  preset_.params.comp = comp;
  update();
}

void ChainModel::setLimiter(const LimiterParams& lim) {
  if (preset_.params.lim == lim) return;
  preset_.params.lim = lim;
  update();
}

void ChainModel::setDither(const DitherParams& dither) {
  if (preset_.params.dither == dither) return;
  preset_.params.dither = dither;
  update();
}

void ChainModel::setTargetLufs(std::optional<double> target_lufs) {
  if (preset_.target_lufs == target_lufs) return;
  preset_.target_lufs = target_lufs;
  emit changed();  // not a register: the loudness search uses it when mastering
}

void ChainModel::setBypass(bool bypass) {
  if (bypass_ == bypass) return;
  bypass_ = bypass;
  update();
}

void ChainModel::setSampleRate(int sample_rate) {
  if (sample_rate_ == sample_rate || !is_supported_rate(sample_rate)) return;
  sample_rate_ = sample_rate;
  update();
}

void ChainModel::setEqTarget(EqTarget target) {
  if (eq_target_ == target) return;
  eq_target_ = target;
  emit eqViewChanged();
}

void ChainModel::setSelectedBand(int band) {
  if (selected_band_ == band || band < 0 || band >= reg::kEqBands) return;
  selected_band_ = band;
  emit eqViewChanged();
}

}  // namespace lathe::gui
