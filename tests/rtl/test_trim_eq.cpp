// SPDX-License-Identifier: MIT
// lathe_trim_eq against the start of model::Chain::front (edge << 4, fx::apply_gain by the
// trim, model::Equalizer::process), frame by frame and bit for bit: random and extreme
// legal parameters at 44.1/48/96 kHz, every filter type, mid/side, +18 dB stacks into
// saturation, parameter changes between frames, random back-pressure, several reset seeds.
// A second build with Bands = 4 (lathe_trim_eq_b4_tb) runs against the same 8-band model with
// bands 5..8 off (identity coefficients: exact pass-through in the model).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdint>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "Vlathe_trim_eq_b4_tb.h"
#include "Vlathe_trim_eq_tb.h"
#include "lathe/fixed_point.hpp"
#include "lathe/model/dither.hpp"
#include "lathe/model/equalizer.hpp"
#include "lathe/params.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "stage_frame.hpp"
#include "lathe/test_signals.hpp"
#include "random_params.hpp"

using namespace lathe;

namespace {

constexpr int kCoefBits = 37;        // lathe_trim_eq's CoefBits
// Cycles from input handshake to out_valid_o: the budget (48 for 8 bands) and what the
// schedule gives (5 * Bands + 5).
constexpr uint64_t budget(int bands) { return 5 * static_cast<uint64_t>(bands) + 8; }
constexpr uint64_t latency(int bands) { return 5 * static_cast<uint64_t>(bands) + 5; }
static_assert(budget(reg::kEqBands) == 48 && latency(reg::kEqBands) == 45);
constexpr int32_t kMax24 = (1 << 23) - 1;
constexpr int32_t kMin24 = -(1 << 23);

// The model stage: the first lines of Chain::front, with the new registers taken at once as
// the stage takes its ports and coefficient RAM (the glides are lathe_core's and the
// register file's).
class RefTrimEq {
 public:
  void configure(const reg::RegisterImage& r) {
    trim_ = static_cast<int32_t>(r[reg::kTrimGain]);
    eq_.configure(r);
    eq_.settle();
  }
  void reset() { eq_.reset(); }
  void process(int32_t in_l, int32_t in_r, int32_t& l, int32_t& r) {
    l = fx::apply_gain(in_l * (1 << fx::kEdgeToInternalShift), trim_);
    r = fx::apply_gain(in_r * (1 << fx::kEdgeToInternalShift), trim_);
    eq_.process(l, r);
  }

 private:
  int32_t trim_ = 1 << fx::kGainFrac;
  model::Equalizer eq_;
};

// Top: a Verilated lathe_trim_eq test top with Bands sections per channel (Bands <= 8); the
// model's bands Bands..7 must be off.
template <class Top, int Bands>
class BenchT {
 public:
  explicit BenchT(uint32_t seed) : dut_(options(seed)), rng_(seed * 7919u + 13u) {
    dut_->clear_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_->coef_we_i = 0;
    dut_.reset();
    wait_ready();  // the reset clear walk
  }

  // New registers between frames (the stage is empty): the model's configure().
  void configure(const reg::RegisterImage& r) {
    for (int ch = 0; ch < reg::kEqChannels; ++ch)
      for (int b = 0; b < reg::kEqBands; ++b)
        for (int k = 0; k < reg::kEqCoefs; ++k) {
          const int64_t c = r.eq_coef(ch, b, k);
          INFO("coefficient ch " << ch << " band " << b << " k " << k << " = " << c);
          if (b >= Bands) {
            // Not in the RTL: the model's band must be the identity (b0 = 1.0, Q4.32).
            REQUIRE(c == (k == 0 ? int64_t{1} << 32 : 0));
            continue;
          }
          REQUIRE(c >= -(int64_t{1} << (kCoefBits - 1)));
          REQUIRE(c < (int64_t{1} << (kCoefBits - 1)));
          dut_->coef_we_i = 1;
          dut_->coef_waddr_i = static_cast<uint8_t>((ch * Bands + b) * reg::kEqCoefs + k);
          dut_->coef_wdata_i = static_cast<uint64_t>(c) & ((uint64_t{1} << kCoefBits) - 1);
          dut_.tick();
        }
    dut_->coef_we_i = 0;
    dut_->trim_gain_i = r[reg::kTrimGain];
    dut_->mid_side_i = (r[reg::kCtrl] & reg::kCtrlMidSide) != 0;
    dut_.settle();
    ref_.configure(r);
  }

  void clear() {
    dut_->clear_i = 1;
    dut_.tick();
    dut_->clear_i = 0;
    ref_.reset();
    wait_ready();
  }

  // Interleaved 24-bit stereo frames through both, compared frame by frame.
  void run(const std::vector<int32_t>& in, const std::string& what) {
    for (std::size_t i = 0; i + 1 < in.size(); i += 2) frame(in[i], in[i + 1], what);
  }

  uint64_t frames() const { return frames_; }
  uint64_t max_latency() const { return max_latency_; }
  uint64_t min_latency() const { return min_latency_; }

 private:
  static sim::SimOptions options(uint32_t seed) {
    // Verilator 5.006 parses +verilator+seed+ with strtoull and then tests errno without
    // clearing it first: a stale ERANGE (from libm, say) aborts the run.
    errno = 0;
    sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    return o;
  }

  void wait_ready() {
    for (int i = 0; !dut_->in_ready_o; ++i) {
      REQUIRE(i < 100);
      dut_.tick();
    }
  }

  void frame(int32_t in_l, int32_t in_r, const std::string& what) {
    // Random idle gaps before the frame is offered.
    if ((rng_.next() & 7) == 0) {
      const int gap = static_cast<int>(rng_.next() % 4);
      for (int i = 0; i < gap; ++i) dut_.tick();
    }
    const auto out = test::push_frame(dut_, rng_, static_cast<uint32_t>(in_l) & 0xffffffu,
                                      static_cast<uint32_t>(in_r) & 0xffffffu, {"trim_eq", 100, budget(Bands), 1000},
                                      frames_);
    // Every coefficient word used exactly once in each frame so far (the register file
    // steps a word's glide at each use: lathe_regfile, coef_use_i).
    REQUIRE(dut_->coef_uses_ok_o);
    max_latency_ = std::max(max_latency_, out.latency);
    min_latency_ = std::min(min_latency_, out.latency);
    const uint32_t got_l = out.left, got_r = out.right;
    int32_t want_l, want_r;
    ref_.process(in_l, in_r, want_l, want_r);
    const int32_t rtl_l = static_cast<int32_t>(got_l), rtl_r = static_cast<int32_t>(got_r);
    if (rtl_l != want_l || rtl_r != want_r) {
      INFO("stage trim_eq, " << what << ", frame " << frames_ << ": in " << in_l << " " << in_r
                             << "; rtl " << rtl_l << " " << rtl_r << ", model " << want_l << " " << want_r);
      REQUIRE(rtl_l == want_l);
      REQUIRE(rtl_r == want_r);
    }
    ++frames_;
  }

  sim::ClockedModel<Top> dut_;
  RefTrimEq ref_;
  model::Xorshift32 rng_;
  uint64_t frames_ = 0;
  uint64_t max_latency_ = 0;
  uint64_t min_latency_ = UINT64_MAX;
};

using Bench = BenchT<Vlathe_trim_eq_tb, reg::kEqBands>;
using Bench4 = BenchT<Vlathe_trim_eq_b4_tb, 4>;

// ---------------------------------------------------------------------------------------
// Parameters.

using test::Random;

EqBand random_band(Random& g, int fs) {
  EqBand b;
  b.type = static_cast<FilterType>(g.bits() % 6);
  const double fmax = limits::kEqMaxFraction * fs;
  b.freq_hz = g.one_in(6) ? (g.one_in(2) ? limits::kEqMinHz : fmax) : g.log_uniform(limits::kEqMinHz, fmax);
  b.gain_db = g.one_in(5) ? (g.one_in(2) ? limits::kEqGainDb : -limits::kEqGainDb)
                          : g.uniform(-limits::kEqGainDb, limits::kEqGainDb);
  b.q = g.one_in(6) ? (g.one_in(2) ? limits::kEqMinQ : limits::kEqMaxQ) : g.log_uniform(limits::kEqMinQ, limits::kEqMaxQ);
  return b;
}

// Bands 0..active-1 (active random in 0..bands) of both channels random, the rest off.
ChainParams random_eq_params(Random& g, int fs, int bands = reg::kEqBands) {
  ChainParams p;
  p.trim_db = g.one_in(6) ? (g.one_in(2) ? limits::kTrimDb : -limits::kTrimDb) : g.uniform(-12.0, 12.0);
  p.eq.mid_side = g.one_in(3);
  const int active = static_cast<int>(g.bits() % static_cast<uint32_t>(bands + 1));  // bands in use per channel
  for (int ch = 0; ch < reg::kEqChannels; ++ch)
    for (int b = 0; b < active; ++b) p.eq.bands[ch][b] = random_band(g, fs);
  return p;
}

reg::RegisterImage registers(const ChainParams& p, int fs) {
  const auto err = validate(p, fs);
  INFO("invalid parameters: " << err.message());
  REQUIRE(!err);
  return to_registers(p, fs);
}

// ---------------------------------------------------------------------------------------
// Signals: interleaved 24-bit stereo frames.

int32_t clamp24(double v) { return static_cast<int32_t>(std::clamp(std::lround(v), long{kMin24}, long{kMax24})); }

std::vector<int32_t> stereo_sines(Random& g, int fs, std::size_t n) {
  const double fl = g.log_uniform(10.0, 0.49 * fs), fr = g.log_uniform(10.0, 0.49 * fs);
  const double al = g.uniform(0.01, 1.0), ar = g.uniform(0.01, 1.0);
  const double pl = g.uniform(0, 6.283), pr = g.uniform(0, 6.283);
  std::vector<int32_t> out(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    out[2 * i] = clamp24(al * kMax24 * std::sin(2 * std::numbers::pi * fl * t + pl));
    out[2 * i + 1] = clamp24(ar * kMax24 * std::sin(2 * std::numbers::pi * fr * t + pr));
  }
  return out;
}

std::vector<int32_t> noise(Random& g, std::size_t n, int shift) {
  std::vector<int32_t> out(2 * n);
  for (auto& s : out) s = static_cast<int32_t>(g.bits()) >> (8 + shift);
  return out;
}

std::vector<int32_t> impulses(Random& g, std::size_t n) {
  std::vector<int32_t> out(2 * n, 0);
  for (std::size_t i = 0; i < n; i += 1 + g.bits() % 400) {
    out[2 * i] = g.one_in(2) ? kMax24 : kMin24;
    out[2 * i + 1] = g.one_in(3) ? out[2 * i] : (g.one_in(2) ? kMax24 : kMin24);
  }
  return out;
}

std::vector<int32_t> squares(Random& g, std::size_t n) {
  const std::size_t half = 1 + g.bits() % 200;
  const bool opposite = g.one_in(2);
  std::vector<int32_t> out(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool hi = (i / half) % 2 == 0;
    out[2 * i] = hi ? kMax24 : kMin24;
    out[2 * i + 1] = (hi != opposite) ? kMax24 : kMin24;
  }
  return out;
}

std::vector<int32_t> first(std::vector<int32_t> v, std::size_t n) {
  v.resize(std::min(v.size(), 2 * n));
  return v;
}

// One block of each signal class.
template <class B>
void run_signals(B& bench, Random& g, int fs, std::size_t n, const std::string& what) {
  const double seconds = static_cast<double>(n) / fs + 1e-3;
  bench.run(stereo_sines(g, fs, n), what + ", sines");
  bench.run(first(signals::sine(seconds, fs, fs / 4.0, 1.0, std::numbers::pi / 4), n), what + ", fs/4 at 45 deg");
  bench.run(noise(g, n, 0), what + ", full-scale noise");
  bench.run(noise(g, n, 12), what + ", quiet noise");
  bench.run(impulses(g, n), what + ", impulses");
  bench.run(squares(g, n), what + ", full-scale squares");
  bench.run(first(signals::music_like(seconds, fs, g.bits()), n), what + ", music_like");
}

}  // namespace

TEST_CASE("lathe_trim_eq equals the model: random legal parameters, every filter type, 44.1/48/96 kHz", "[rtl]") {
  Bench bench(1);
  Random g(2024);
  for (int fs : {44100, 48000, 96000}) {
    for (int set = 0; set < 6; ++set) {
      const ChainParams p = random_eq_params(g, fs);
      bench.configure(registers(p, fs));
      if (g.one_in(3)) bench.clear();  // else the change lands mid-stream, state kept
      std::ostringstream what;
      what << fs << " Hz, set " << set << (p.eq.mid_side ? " (mid/side)" : "");
      run_signals(bench, g, fs, 1800, what.str());
    }
  }
  INFO("latency " << bench.min_latency() << ".." << bench.max_latency());
  CHECK(bench.frames() >= 220000);
  CHECK(bench.max_latency() == latency(reg::kEqBands));
  CHECK(bench.min_latency() == latency(reg::kEqBands));
}

TEST_CASE("lathe_trim_eq equals the model: every filter type at its extremes, +18 dB stacks into saturation", "[rtl]") {
  Bench bench(5);
  Random g(77);
  int set = 0;
  for (int fs : {44100, 48000, 96000}) {
    for (int t = 1; t <= 5; ++t) {
      const FilterType type = static_cast<FilterType>(t);
      for (double gain : {limits::kEqGainDb, -limits::kEqGainDb}) {
        ChainParams p;
        p.trim_db = gain > 0 ? limits::kTrimDb : -limits::kTrimDb;
        p.eq.mid_side = (set % 2) == 1;
        for (int ch = 0; ch < reg::kEqChannels; ++ch)
          for (int b = 0; b < reg::kEqBands; ++b) {
            // Stacked sections around one corner; shelves at both ends of the range,
            // where |b1| nears 2 * 10^(18/20) = 15.9.
            EqBand& band = p.eq.bands[ch][b];
            band.type = type;
            band.gain_db = gain;
            band.q = (b % 2) ? limits::kEqMaxQ : limits::kEqMinQ;
            const double f[4] = {limits::kEqMinHz, 1000.0, 0.25 * fs, limits::kEqMaxFraction * fs};
            band.freq_hz = f[(b + ch) % 4];
          }
        bench.configure(registers(p, fs));
        bench.clear();
        std::ostringstream what;
        what << fs << " Hz, extreme " << filter_type_name(type) << " " << gain << " dB"
             << (p.eq.mid_side ? " (mid/side)" : "");
        bench.run(squares(g, 500), what.str() + ", full-scale squares");
        bench.run(impulses(g, 300), what.str() + ", impulses");
        bench.run(noise(g, 300, 0), what.str() + ", full-scale noise");
        bench.run(first(signals::sine(0.02, fs, 1000.0, 1.0, 0.3), 400), what.str() + ", 1 kHz");
        ++set;
      }
    }
    // Peaks: eight +18 dB sections on one frequency, +24 dB trim: deep saturation of
    // every section and of the mid/side output matrix.
    for (bool ms : {false, true}) {
      ChainParams p;
      p.trim_db = limits::kTrimDb;
      p.eq.mid_side = ms;
      for (auto& ch : p.eq.bands)
        for (auto& band : ch) band = EqBand{FilterType::Peak, 997.0, limits::kEqGainDb, 2.0};
      bench.configure(registers(p, fs));
      bench.clear();
      const std::string what = std::to_string(fs) + " Hz, +18 dB x 8 peaks" + (ms ? " (mid/side)" : "");
      bench.run(first(signals::sine(0.1, fs, 997.0, 1.0), 4000), what + ", full-scale sine");
      bench.run(squares(g, 4000), what + ", full-scale squares");
      bench.run(first(signals::music_like(0.1, fs, 9), 4000), what + ", music_like");
    }
  }
  CHECK(bench.frames() >= 60000);
}

TEST_CASE("lathe_trim_eq equals the model across reset seeds, clears and register changes between frames", "[rtl]") {
  for (uint32_t seed : {11u, 12u, 13u}) {
    Bench bench(seed);
    Random g(seed * 31u);
    const int rates[3] = {44100, 48000, 96000};
    for (int block = 0; block < 12; ++block) {
      const int fs = rates[block % 3];
      // A fresh image every block; mid/side, trim and coefficients all change.
      bench.configure(registers(random_eq_params(g, fs), fs));
      if (block % 4 == 3) bench.clear();
      const std::string what = "seed " + std::to_string(seed) + ", block " + std::to_string(block);
      bench.run(first(signals::music_like(0.05, fs, seed + block), 1500), what + ", music_like");
      bench.run(noise(g, 300, static_cast<int>(g.bits() % 16)), what + ", noise");
      // Single-frame register changes: every frame with other coefficients.
      for (int i = 0; i < 4; ++i) {
        bench.configure(registers(random_eq_params(g, fs), fs));
        bench.run(noise(g, 1, 0), what + ", single frame after change");
      }
    }
    CHECK(bench.frames() >= 20000);
  }
}

TEST_CASE("lathe_trim_eq equals the model for hand-picked trim register values (rounding ties, extremes)", "[rtl]") {
  Bench bench(21);
  Random g(4242);
  // 2^27 + 2^22 and 3 * 2^22 make trim * (x << 4) end in exactly half an LSB for odd x
  // (round half up); the rest are the ends of the Q5.27 range, incl. ones no dB value gives.
  const uint32_t trims[] = {(1u << 27) + (1u << 22), 3u << 22, (1u << 27) - (1u << 22), 0x7fffffffu,
                            0x80000000u, 0xf8000000u, 1u, 0u, 1u << 27};
  for (uint32_t trim : trims) {
    for (bool ms : {false, true}) {
      ChainParams p;
      p.eq.mid_side = ms;
      if (g.one_in(2)) p = random_eq_params(g, 48000), p.eq.mid_side = ms;
      reg::RegisterImage r = registers(p, 48000);
      r[reg::kTrimGain] = trim;
      bench.configure(r);
      const std::string what = "trim register " + std::to_string(trim) + (ms ? " (mid/side)" : "");
      bench.run(noise(g, 1500, 0), what + ", full-scale noise");
      bench.run(noise(g, 500, 14), what + ", quiet noise");
      bench.run(squares(g, 300), what + ", full-scale squares");
    }
  }
  CHECK(bench.frames() >= 40000);
}

TEST_CASE("lathe_trim_eq with Bands = 4 equals the 8-band model with bands 5..8 off", "[rtl]") {
  uint64_t frames = 0;
  // Random parameters on bands 1..4 (every filter type, mid/side, trim), at three rates, over
  // two reset seeds; clears and register changes between frames.
  for (uint32_t seed : {31u, 32u}) {
    Bench4 bench(seed);
    Random g(seed * 97u + 5u);
    for (int fs : {44100, 48000, 96000}) {
      for (int set = 0; set < 3; ++set) {
        ChainParams p = random_eq_params(g, fs, 4);
        if (set == 0)  // all four bands in use
          for (int ch = 0; ch < reg::kEqChannels; ++ch)
            for (int b = 0; b < 4; ++b) p.eq.bands[ch][b] = random_band(g, fs);
        bench.configure(registers(p, fs));
        if (g.one_in(3)) bench.clear();
        std::ostringstream what;
        what << "4 bands, seed " << seed << ", " << fs << " Hz, set " << set << (p.eq.mid_side ? " (mid/side)" : "");
        run_signals(bench, g, fs, 900, what.str());
      }
      for (int i = 0; i < 8; ++i) {
        bench.configure(registers(random_eq_params(g, fs, 4), fs));
        bench.run(noise(g, 1, 0), "4 bands, single frame after change");
      }
    }
    INFO("latency " << bench.min_latency() << ".." << bench.max_latency());
    CHECK(bench.max_latency() == latency(4));
    CHECK(bench.min_latency() == latency(4));
    CHECK(bench.max_latency() == 25);
    frames += bench.frames();
  }
  // Extremes: four stacked +-18 dB sections of every type, +24 dB trim, into saturation.
  Bench4 bench(33);
  Random g(99);
  for (int fs : {44100, 96000}) {
    for (int t = 1; t <= 5; ++t) {
      for (double gain : {limits::kEqGainDb, -limits::kEqGainDb}) {
        ChainParams p;
        p.trim_db = gain > 0 ? limits::kTrimDb : -limits::kTrimDb;
        p.eq.mid_side = g.one_in(2);
        for (int ch = 0; ch < reg::kEqChannels; ++ch)
          for (int b = 0; b < 4; ++b) {
            EqBand& band = p.eq.bands[ch][b];
            band.type = static_cast<FilterType>(t);
            band.gain_db = gain;
            band.q = (b % 2) ? limits::kEqMaxQ : limits::kEqMinQ;
            const double f[4] = {limits::kEqMinHz, 1000.0, 0.25 * fs, limits::kEqMaxFraction * fs};
            band.freq_hz = f[(b + ch) % 4];
          }
        bench.configure(registers(p, fs));
        bench.clear();
        std::ostringstream what;
        what << "4 bands, " << fs << " Hz, extreme " << filter_type_name(static_cast<FilterType>(t)) << " " << gain
             << " dB" << (p.eq.mid_side ? " (mid/side)" : "");
        bench.run(squares(g, 400), what.str() + ", full-scale squares");
        bench.run(impulses(g, 300), what.str() + ", impulses");
        bench.run(noise(g, 300, 0), what.str() + ", full-scale noise");
      }
    }
  }
  CHECK(bench.max_latency() == 25);
  CHECK(bench.min_latency() == 25);
  frames += bench.frames();
  CHECK(frames >= 100000);
}
