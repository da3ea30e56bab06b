// SPDX-License-Identifier: MIT
// The largest legal steps of the settings, for the tests that measure what a change does
// to a running signal (a LiveChain crossfade: test_live_chain.cpp; a glide:
// test_glide.cpp): a step from one setting to another, played on a sine of some amplitude.
#pragma once
#include <functional>
#include <string>
#include <utility>

#include "lathe/params.hpp"

namespace lathe::test {

struct SettingStep {
  using Set = std::function<void(ChainParams&)>;
  std::string what;
  double amplitude;  // of the sine, fraction of full scale
  Set from, to;

  // Default settings with dither off (its own LSB steps are not what is measured), before
  // and after the step.
  std::pair<ChainParams, ChainParams> params() const {
    ChainParams p0;
    p0.dither.enabled = false;
    ChainParams p1 = p0;
    from(p0);
    to(p1);
    return {p0, p1};
  }
};

// Setters for the steps' two ends.
namespace set {
inline SettingStep::Set eq_100hz(double gain_db) {  // a peak at 100 Hz, Q 0.7071, in band 1 of channel 0
  return [gain_db](ChainParams& p) { p.eq.bands[0][0] = EqBand{FilterType::Peak, 100.0, gain_db, 0.7071}; };
}
inline SettingStep::Set ceiling(double dbtp) {
  return [dbtp](ChainParams& p) { p.lim.ceiling_dbtp = dbtp; };
}
inline SettingStep::Set drive(double db) {
  return [db](ChainParams& p) { p.lim.drive_db = db; };
}
inline SettingStep::Set trim(double db) {
  return [db](ChainParams& p) { p.trim_db = db; };
}
inline SettingStep::Set makeup(double db) {
  return [db](ChainParams& p) { p.comp.makeup_db = db; };
}
inline SettingStep::Set threshold(double db) {  // at ratio 20, where the threshold moves the gain most
  return [db](ChainParams& p) {
    p.comp.threshold_db = db;
    p.comp.ratio = 20.0;
  };
}
}  // namespace set

}  // namespace lathe::test
