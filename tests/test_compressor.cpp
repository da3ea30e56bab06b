// SPDX-License-Identifier: MIT
// Compressor: static curve against the soft-knee formula; attack and release times.
#include <catch2/catch.hpp>
#include <cmath>

#include "dsp_measure.hpp"
#include "lathe/model/compressor.hpp"

using namespace lathe;

namespace {

// Giannoulis et al. (2012), eq. 4: output level for input level x, all in dB.
double soft_knee_db(double x, double t, double ratio, double w) {
  if (2 * (x - t) < -w) return x;
  if (w > 0 && 2 * std::abs(x - t) <= w) return x + (1 / ratio - 1) * (x - t + w / 2) * (x - t + w / 2) / (2 * w);
  return t + (x - t) / ratio;
}

model::Compressor make(const CompressorParams& c, int fs) {
  ChainParams p = test::neutral_params();
  p.comp = c;
  model::Compressor comp;
  comp.configure(to_registers(p, fs));
  return comp;
}

}  // namespace

TEST_CASE("compressor static curve is within 0.1 dB of the soft-knee formula", "[model][compressor]") {
  struct Setting { double threshold, ratio, knee, makeup; };
  for (const Setting s : {Setting{-20, 4, 6, 0}, Setting{-30, 2, 12, 3}, Setting{-10, 10, 0, 0},
                          Setting{-40, 1.5, 24, 6}, Setting{-6, 100, 3, -2}}) {
    CompressorParams c{s.threshold, s.ratio, s.knee, 0.05, 0.05, s.makeup, true};
    double worst = 0;
    for (double level = -60; level <= 6; level += 0.5) {
      model::Compressor comp = make(c, 48000);
      // DC at the level: the detector settles to the static gain within a few ms.
      const int32_t x = static_cast<int32_t>(std::lround(std::pow(10, level / 20) * (1 << 27)));
      int32_t l = 0, r = 0;
      for (int n = 0; n < 2000; ++n) {
        l = x;
        r = x;
        comp.process(l, r);
      }
      const double gain_db = test::db(static_cast<double>(l) / x);
      const double expect = soft_knee_db(level, s.threshold, s.ratio, s.knee) - level + s.makeup;
      INFO("T " << s.threshold << " R " << s.ratio << " W " << s.knee << " at " << level << " dBFS: gain "
                << gain_db << " expected " << expect);
      REQUIRE(std::abs(gain_db - expect) <= 0.1);
      worst = std::max(worst, std::abs(gain_db - expect));
    }
    WARN("static curve T" << s.threshold << " R" << s.ratio << " W" << s.knee << ": worst error " << worst << " dB");
  }
}

TEST_CASE("compressor attack and release time constants are within 5% of the setting", "[model][compressor]") {
  for (int fs : {44100, 48000, 96000}) {
    for (double attack_ms : {1.0, 10.0, 50.0}) {
      for (double release_ms : {50.0, 300.0, 1000.0}) {
        if (release_ms < 2 * attack_ms) continue;
        CompressorParams c{-40, 10, 0, attack_ms, release_ms, 0, true};
        model::Compressor comp = make(c, fs);
        const int32_t quiet = static_cast<int32_t>(std::lround(std::pow(10, -60 / 20.0) * (1 << 27)));
        const int32_t loud = static_cast<int32_t>(std::lround(std::pow(10, -10 / 20.0) * (1 << 27)));
        std::vector<double> gr;
        const int n_attack = static_cast<int>(attack_ms * 1e-3 * fs * 12);
        const int n_release = static_cast<int>(release_ms * 1e-3 * fs * 12);
        for (int n = 0; n < n_attack + n_release; ++n) {
          int32_t l = n < n_attack ? loud : quiet, r = l;
          comp.process(l, r);
          gr.push_back(comp.gain_reduction());
        }
        const double full = gr[n_attack - 1];
        REQUIRE(full > 0);
        int t_attack = 0;
        while (gr[t_attack] < (1 - std::exp(-1.0)) * full) ++t_attack;
        int t_release = n_attack;
        while (gr[t_release] > std::exp(-1.0) * full) ++t_release;
        const double attack_meas = (t_attack + 1) * 1e3 / fs;
        const double release_meas = (t_release - n_attack + 1) * 1e3 / fs;
        INFO("fs " << fs << " attack " << attack_ms << " -> " << attack_meas << " ms, release " << release_ms << " -> "
                   << release_meas << " ms");
        REQUIRE(std::abs(attack_meas / attack_ms - 1) <= 0.05);
        REQUIRE(std::abs(release_meas / release_ms - 1) <= 0.05);
      }
    }
  }
}

TEST_CASE("unlinked compressor treats channels independently, linked one together", "[model][compressor]") {
  const int32_t loud = 1 << 27, quiet = 1 << 20;
  for (bool link : {false, true}) {
    model::Compressor comp = make({-20, 4, 0, 1, 50, 0, link}, 48000);
    int32_t l = 0, r = 0;
    for (int n = 0; n < 4800; ++n) {
      l = loud;
      r = quiet;
      comp.process(l, r);
    }
    const double gain_r = test::db(static_cast<double>(r) / quiet);
    if (link) REQUIRE(gain_r < -10);  // the loud left channel pulls the right down
    else REQUIRE(std::abs(gain_r) < 0.01);
  }
}
