// SPDX-License-Identifier: MIT
// The one object that holds the chain settings every view shows: the current preset
// (parameters and loudness target), the A/B bypass, the sample rate the settings are
// converted at, and the registers that conversion gives. Views edit through it and
// redraw on changed(); nothing else calls to_registers().
#pragma once
#include <QObject>
#include <optional>
#include <string>

#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/registers.hpp"

namespace lathe::gui {

// Where an EQ edit goes: both channels alike (linked), or channel 0 (L or M) or 1 (R or S).
enum class EqTarget { Both, Channel0, Channel1 };

class ChainModel : public QObject {
  Q_OBJECT

 public:
  explicit ChainModel(QObject* parent = nullptr);

  // The settings as a preset. Its params.bypass is always false: the A/B bypass is a
  // listening switch (bypass()), not a setting that is saved or mastered with.
  const Preset& preset() const { return preset_; }
  const ChainParams& params() const { return preset_.params; }
  const EqBand& band(int channel, int band) const { return preset_.params.eq.bands[channel][band]; }
  bool bypass() const { return bypass_; }
  int sampleRate() const { return sample_rate_; }

  // Empty when the settings are valid at sampleRate(); else one line naming the setting.
  const std::optional<std::string>& validationError() const { return validation_error_; }
  // to_registers(settings with the A/B bypass, sampleRate()): what the device gets. While
  // the settings are invalid, the last valid registers (which the device still runs).
  const reg::RegisterImage& registers() const { return registers_; }

  void setPreset(const Preset& preset);  // a preset with "bypass": true switches A/B to bypass
  void setPresetInfo(const std::string& name, const std::string& description);
  void setTrimDb(double db);
  void setMidSide(bool mid_side);
  void setBand(EqTarget target, int band, const EqBand& value);
  void setCompressor(const CompressorParams& comp);
  void setLimiter(const LimiterParams& lim);
  void setDither(const DitherParams& dither);
  void setTargetLufs(std::optional<double> target_lufs);
  void setBypass(bool bypass);
  void setSampleRate(int sample_rate);

  // EQ view state shared by the curve and the band controls.
  EqTarget eqTarget() const { return eq_target_; }
  int eqChannel() const { return eq_target_ == EqTarget::Channel1 ? 1 : 0; }  // the one shown
  void setEqTarget(EqTarget target);
  int selectedBand() const { return selected_band_; }
  void setSelectedBand(int band);

 signals:
  void changed();          // settings, bypass or sample rate: registers() may differ
  void presetReplaced();   // a whole preset was loaded (also emits changed())
  void eqViewChanged();    // edit target or selected band

 private:
  void update();

  Preset preset_;
  bool bypass_ = false;
  int sample_rate_ = 48000;
  std::optional<std::string> validation_error_;
  reg::RegisterImage registers_{};
  EqTarget eq_target_ = EqTarget::Both;
  int selected_band_ = 0;
};

}  // namespace lathe::gui
