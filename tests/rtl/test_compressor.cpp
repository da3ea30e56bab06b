// SPDX-License-Identifier: MIT
// lathe_compressor against model::Compressor, frame by frame and bit for bit: random legal
// parameter sets and hand-picked extremes at every supported rate, parameter changes and
// clears between frames, all signal classes, random back-pressure, several reset seeds; and
// raw register values far outside the legal ranges.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "Vlathe_compressor.h"
#include "lathe/model/compressor.hpp"
#include "lathe/model/dither.hpp"
#include "lathe/params.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;

namespace {

constexpr int kCycleBudget = 20;  // input handshake to out_valid_o

int32_t sat32(double v) {
  if (!(v < 2147483647.0)) return INT32_MAX;
  if (v < -2147483648.0) return INT32_MIN;
  return static_cast<int32_t>(std::lround(v));
}

std::string describe(const reg::RegisterImage& r) {
  std::ostringstream s;
  s << "threshold " << static_cast<int32_t>(r[reg::kCompThreshold]) << " knee_half "
    << static_cast<int32_t>(r[reg::kCompKneeHalf]) << " knee_coef " << r[reg::kCompKneeCoef] << " slope "
    << r[reg::kCompSlope] << " attack " << r[reg::kCompAttack] << " release " << r[reg::kCompRelease]
    << " makeup " << static_cast<int32_t>(r[reg::kCompMakeup]) << " link "
    << ((r[reg::kCtrl] & reg::kCtrlCompLink) != 0);
  return s.str();
}

// The Verilated stage and the model in lockstep.
class Bench {
 public:
  explicit Bench(uint32_t seed) : dut_(options(seed)), rng_(seed * 2654435761u + 1) {
    dut_->clear_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_.reset();
  }

  void configure(const reg::RegisterImage& r, const std::string& what) {
    dut_->threshold_i = r[reg::kCompThreshold];
    dut_->knee_half_i = r[reg::kCompKneeHalf];
    dut_->knee_coef_i = r[reg::kCompKneeCoef];
    dut_->slope_i = r[reg::kCompSlope];
    dut_->attack_i = r[reg::kCompAttack];
    dut_->release_i = r[reg::kCompRelease];
    dut_->makeup_i = r[reg::kCompMakeup];
    dut_->link_i = (r[reg::kCtrl] & reg::kCtrlCompLink) != 0;
    model_.configure(r);
    model_.settle();  // the stage takes its ports as they are; the glides are lathe_core's
    threshold_ = static_cast<int32_t>(r[reg::kCompThreshold]);
    knee_half_ = static_cast<int32_t>(r[reg::kCompKneeHalf]);
    link_ = (r[reg::kCtrl] & reg::kCtrlCompLink) != 0;
    context_ = what + ": " + describe(r);
    dut_.settle();
    check_meter("after configure");
  }

  void clear() {
    dut_->clear_i = 1;
    dut_.tick();
    dut_->clear_i = 0;
    model_.reset();
    dut_.settle();
    check_meter("after clear");
  }

  // One frame through both; the stage is empty before and after.
  void frame(int32_t left, int32_t right) {
    if (rng_.next() % 16 == 0) {  // idle gap with junk on the bus
      dut_->in_valid_i = 0;
      dut_->in_left_i = rng_.next();
      dut_->in_right_i = rng_.next();
      for (uint32_t i = rng_.next() % 4; i > 0; --i) dut_.tick();
    }
    dut_->in_valid_i = 1;
    dut_->in_left_i = static_cast<uint32_t>(left);
    dut_->in_right_i = static_cast<uint32_t>(right);
    dut_->out_ready_i = rng_.next() & 1;
    dut_.settle();
    if (!dut_->in_ready_o || dut_->out_valid_o) {
      INFO("compressor frame " << frames_ << ": stage not empty between frames");
      REQUIRE(false);
    }
    // The handshake tick, then wait for the output; the next input may wait on the bus.
    int latency = 0;
    do {
      dut_.tick();
      ++latency;
      if (rng_.next() & 1) {
        dut_->in_left_i = rng_.next();
        dut_->in_right_i = rng_.next();
      } else {
        dut_->in_valid_i = 0;
      }
      dut_->out_ready_i = rng_.next() & 1;
      dut_.settle();
      if (dut_->in_ready_o) {
        INFO("compressor frame " << frames_ << ": in_ready_o high while a frame is inside, cycle " << latency);
        REQUIRE(false);
      }
      if (latency > kCycleBudget) break;
    } while (!dut_->out_valid_o);
    if (latency > kCycleBudget) {
      INFO("compressor frame " << frames_ << ": " << latency << " cycles from handshake to out_valid_o > budget "
                               << kCycleBudget);
      REQUIRE(false);
    }
    min_latency_ = std::min(min_latency_, latency);
    max_latency_ = std::max(max_latency_, latency);

    const int32_t in_l = left, in_r = right;
    // Coverage: the gain computer's regions, its knee edges, saturated outputs.
    for (int ch = 0; ch < (link_ ? 1 : 2); ++ch) {
      const uint32_t m = link_ ? std::max(fx::magnitude(left), fx::magnitude(right)) : fx::magnitude(ch ? right : left);
      const int64_t over = static_cast<int64_t>(fx::log2_q16(m)) - threshold_;
      if (over < -static_cast<int64_t>(knee_half_)) ++coverage_.below;
      else if (over <= knee_half_) ++coverage_.knee;
      else ++coverage_.linear;
      if (over == -static_cast<int64_t>(knee_half_) || over == knee_half_) ++coverage_.edge;
    }
    model_.process(left, right);
    for (const int32_t v : {left, right})
      if (v == INT32_MAX || v == INT32_MIN) ++coverage_.saturated;
    const int32_t rtl_l = static_cast<int32_t>(dut_->out_left_o);
    const int32_t rtl_r = static_cast<int32_t>(dut_->out_right_o);
    const int32_t rtl_gr = static_cast<int32_t>(dut_->gr_o);
    const int32_t model_gr = model_.gain_reduction();
    if (rtl_l != left || rtl_r != right || rtl_gr != model_gr) {
      INFO("compressor frame " << frames_ << " (" << context_ << ") input L " << in_l << " R " << in_r);
      INFO("RTL L " << rtl_l << " R " << rtl_r << " gr " << rtl_gr);
      INFO("model L " << left << " R " << right << " gr " << model_gr);
      REQUIRE(false);
    }
    // Back-pressure: the output holds until taken.
    while (!dut_->out_ready_i) {
      dut_.tick();
      dut_->out_ready_i = (rng_.next() % 4) != 0;
      dut_->in_valid_i = 0;
      dut_.settle();
      if (!dut_->out_valid_o || static_cast<int32_t>(dut_->out_left_o) != rtl_l ||
          static_cast<int32_t>(dut_->out_right_o) != rtl_r) {
        INFO("compressor frame " << frames_ << ": output changed while out_ready_i was low");
        REQUIRE(false);
      }
    }
    dut_.tick();  // the output transfer
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    ++frames_;
  }

  struct Coverage {
    uint64_t below = 0, knee = 0, linear = 0, edge = 0, saturated = 0;
  };
  const Coverage& coverage() const { return coverage_; }
  uint64_t frames() const { return frames_; }
  int min_latency() const { return min_latency_; }
  int max_latency() const { return max_latency_; }
  uint64_t cycles() const { return dut_.cycles(); }
  model::Xorshift32& rng() { return rng_; }

 private:
  static sim::SimOptions options(uint32_t seed) {
    // Verilator 5.006 parses +verilator+seed+ with strtoull and then checks errno without
    // clearing it first: a stale ERANGE (from an underflowing exp/pow) aborts the run.
    errno = 0;
    sim::SimOptions o;
    o.rand_reset = 2;
    o.seed = seed;
    return o;
  }
  void check_meter(const char* when) {
    const int32_t rtl_gr = static_cast<int32_t>(dut_->gr_o);
    if (rtl_gr != model_.gain_reduction()) {
      INFO("compressor meter " << when << " at frame " << frames_ << " (" << context_ << "): RTL gr " << rtl_gr
                               << " model gr " << model_.gain_reduction());
      REQUIRE(false);
    }
  }

  sim::ClockedModel<Vlathe_compressor> dut_;
  model::Compressor model_;
  model::Xorshift32 rng_;
  std::string context_;
  int32_t threshold_ = 0, knee_half_ = 0;
  bool link_ = false;
  Coverage coverage_;
  uint64_t frames_ = 0;
  int min_latency_ = INT_MAX, max_latency_ = 0;
};

double uniform(model::Xorshift32& rng, double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(rng.next()) / 4294967296.0);
}
double log_uniform(model::Xorshift32& rng, double lo, double hi) {
  return std::exp(uniform(rng, std::log(lo), std::log(hi)));
}

// Random legal compressor settings, endpoints and the oddities (ratio 1, inf, zero and tiny knees) included.
CompressorParams random_comp(model::Xorshift32& rng) {
  using namespace limits;
  CompressorParams c;
  const uint32_t t = rng.next() % 10;
  c.threshold_db = t == 0 ? kThresholdMinDb : t == 1 ? kThresholdMaxDb : uniform(rng, kThresholdMinDb, kThresholdMaxDb);
  const uint32_t k = rng.next() % 10;
  c.ratio = k == 0 ? 1.0 : k <= 2 ? std::numeric_limits<double>::infinity() : k == 3 ? 100.0 : log_uniform(rng, 1.0, 100.0);
  const uint32_t w = rng.next() % 10;
  c.knee_db = w <= 1 ? 0.0 : w == 2 ? kKneeMaxDb : w == 3 ? uniform(rng, 0.0, 0.05) : uniform(rng, 0.0, kKneeMaxDb);
  auto time = [&] {
    const uint32_t e = rng.next() % 10;
    return e == 0 ? kTimeMinMs : e == 1 ? kTimeMaxMs : log_uniform(rng, kTimeMinMs, kTimeMaxMs);
  };
  c.attack_ms = time();
  c.release_ms = time();
  const uint32_t m = rng.next() % 10;
  c.makeup_db = m == 0 ? -kMakeupDb : m == 1 ? kMakeupDb : uniform(rng, -kMakeupDb, kMakeupDb);
  c.stereo_link = (rng.next() & 1) != 0;
  return c;
}

int random_rate(model::Xorshift32& rng) {
  static constexpr int kMain[3] = {44100, 48000, 96000};
  if (rng.next() % 5 != 0) return kMain[rng.next() % 3];
  return kSupportedRates[rng.next() % kSupportedRates.size()];
}

reg::RegisterImage registers_for(const CompressorParams& c, int fs) {
  ChainParams p;
  p.comp = c;
  const auto error = validate(p, fs);
  INFO(error.message());
  REQUIRE(!error);
  return to_registers(p, fs);
}

std::string describe(const CompressorParams& c, int fs) {
  std::ostringstream s;
  s << "T " << c.threshold_db << " dB, R " << c.ratio << ", W " << c.knee_db << " dB, A " << c.attack_ms
    << " ms, R " << c.release_ms << " ms, M " << c.makeup_db << " dB, link " << c.stereo_link << ", " << fs
    << " Hz";
  return s.str();
}

// A segment of test signal, interleaved L/R Q5.27.
class SignalMaker {
 public:
  std::vector<int32_t> make(model::Xorshift32& rng, int fs, std::size_t frames, std::string& name) {
    std::vector<int32_t> out(2 * frames);
    const double fsd = fs;
    auto db_amp = [](double db) { return std::pow(10.0, db / 20.0) * (1 << 27); };
    switch (rng.next() % 9) {
      case 0: {  // silence, sometimes with a stray LSB
        name = "silence";
        const bool lsb = rng.next() & 1;
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = lsb && rng.next() % 64 == 0 ? 1 : 0;
        break;
      }
      case 1: {  // sines, silence to +24 dBFS, channels at different levels
        const bool quarter = rng.next() % 4 == 0;
        const double f = quarter ? fsd / 4 : log_uniform(rng, 20.0, 0.45 * fsd);
        const double phase = quarter ? std::numbers::pi / 4 : uniform(rng, 0, 2 * std::numbers::pi);
        const double al = db_amp(uniform(rng, -140.0, 24.5));
        const double ar = (rng.next() & 1) ? al : db_amp(uniform(rng, -140.0, 24.5));
        name = quarter ? "sine fs/4 at 45 degrees" : "sine";
        for (std::size_t i = 0; i < frames; ++i) {
          const double w = 2 * std::numbers::pi * f * static_cast<double>(i) / fsd + phase;
          out[2 * i] = sat32(al * std::sin(w));
          out[2 * i + 1] = sat32(ar * std::sin(w + 0.3));
        }
        break;
      }
      case 2: {  // white noise at random levels, independent channels
        name = "noise";
        const uint32_t sl = rng.next() % 32, sr = rng.next() % 32;
        for (std::size_t i = 0; i < frames; ++i) {
          out[2 * i] = static_cast<int32_t>(rng.next()) >> sl;
          out[2 * i + 1] = static_cast<int32_t>(rng.next()) >> sr;
        }
        break;
      }
      case 3: {  // impulses, extremes included
        name = "impulses";
        for (std::size_t i = 0; i < out.size(); ++i) {
          const uint32_t r = rng.next();
          if (r % 40 != 0) { out[i] = 0; continue; }
          switch ((r >> 8) % 4) {
            case 0: out[i] = INT32_MIN; break;
            case 1: out[i] = INT32_MAX; break;
            case 2: out[i] = 1 << 27; break;
            default: out[i] = static_cast<int32_t>(rng.next()); break;
          }
        }
        break;
      }
      case 4: {  // squares: full scale, and the internal extremes
        const uint32_t kind = rng.next() % 3;
        const int32_t hi = kind == 0 ? (1 << 27) : kind == 1 ? INT32_MAX : (1 << 23);
        const int32_t lo = kind == 1 ? INT32_MIN : -hi;
        const std::size_t period = 2 + rng.next() % 400;
        name = "square";
        for (std::size_t i = 0; i < frames; ++i) {
          const bool up = (i % period) < period / 2;
          out[2 * i] = up ? hi : lo;
          out[2 * i + 1] = up ? lo : hi;
        }
        break;
      }
      case 5:
      case 6: {  // music-like, at a random gain, saturated
        if (music_fs_ != fs) {
          music_ = signals::music_like(4.0, fs, 11);
          music_fs_ = fs;
        }
        const double g = std::pow(10.0, uniform(rng, -40.0, 24.0) / 20.0) * 16.0;  // Q0.23 -> Q5.27
        const std::size_t n = music_.size() / 2;
        std::size_t at = rng.next() % n;
        name = "music_like";
        for (std::size_t i = 0; i < frames; ++i, at = (at + 1) % n) {
          out[2 * i] = sat32(music_[2 * at] * g);
          out[2 * i + 1] = sat32(music_[2 * at + 1] * g);
        }
        break;
      }
      case 7: {  // tone bursts: loud / quiet, for attack and release
        const double f = log_uniform(rng, 40.0, 8000.0);
        const double loud = db_amp(uniform(rng, -10.0, 24.5)), quiet = db_amp(uniform(rng, -120.0, -20.0));
        const std::size_t len = 20 + rng.next() % 3000;
        name = "bursts";
        for (std::size_t i = 0; i < frames; ++i) {
          const double a = (i / len) % 2 == 0 ? loud : quiet;
          const double w = 2 * std::numbers::pi * f * static_cast<double>(i) / fsd;
          out[2 * i] = sat32(a * std::sin(w));
          out[2 * i + 1] = sat32(((i / len) % 3 == 0 ? quiet : a) * std::cos(w));
        }
        break;
      }
      default: {  // DC steps
        name = "dc";
        int32_t l = 0, r = 0;
        for (std::size_t i = 0; i < frames; ++i) {
          if (i % 256 == 0) {
            l = static_cast<int32_t>(rng.next()) >> (rng.next() % 32);
            r = (rng.next() % 4 == 0) ? INT32_MIN : static_cast<int32_t>(rng.next()) >> (rng.next() % 32);
          }
          out[2 * i] = l;
          out[2 * i + 1] = r;
        }
        break;
      }
    }
    return out;
  }

 private:
  std::vector<int32_t> music_;
  int music_fs_ = 0;
};

void run_segment(Bench& bench, const std::vector<int32_t>& x) {
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) bench.frame(x[i], x[i + 1]);
}

void report(const char* what, const Bench& b, std::chrono::steady_clock::time_point t0) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "rtl-compressor " << what << ": " << b.frames() << " frames bit-exact, " << b.cycles()
            << " cycles, latency " << b.min_latency() << ".." << b.max_latency() << " cycles (budget "
            << kCycleBudget << "), " << s << " s; gain computer below/knee/linear/edge " << b.coverage().below
            << "/" << b.coverage().knee << "/" << b.coverage().linear << "/" << b.coverage().edge << ", saturated outputs "
            << b.coverage().saturated << "\n";
}

}  // namespace

TEST_CASE("lathe_compressor equals the model for random legal settings and signals", "[rtl][compressor]") {
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t total = 0;
  for (const uint32_t seed : {1u, 2u, 3u, 4u}) {
    Bench bench(seed);
    auto& rng = bench.rng();
    SignalMaker signals;
    int fs = random_rate(rng);
    bool first = true;
    while (bench.frames() < 160000) {
      // New settings between frames (the stage is empty); sometimes a new rate and a clear.
      if (first || rng.next() % 4 != 0) {
        first = false;
        if (rng.next() % 3 == 0) fs = random_rate(rng);
        const CompressorParams c = random_comp(rng);
        bench.configure(registers_for(c, fs), describe(c, fs));
      }
      if (rng.next() % 5 == 0) bench.clear();
      std::string name;
      const std::size_t n = 100 + rng.next() % 3000;
      const auto x = signals.make(rng, fs, n, name);
      INFO("signal " << name << " seed " << seed);
      run_segment(bench, x);
    }
    total += bench.frames();
    report(("random, seed " + std::to_string(seed)).c_str(), bench, t0);
    CHECK(bench.coverage().below > 1000);
    CHECK(bench.coverage().knee > 1000);
    CHECK(bench.coverage().linear > 1000);
    CHECK(bench.coverage().saturated > 100);
  }
  REQUIRE(total >= 600000);
}

TEST_CASE("lathe_compressor equals the model at the extremes of every setting", "[rtl][compressor]") {
  using namespace limits;
  const auto t0 = std::chrono::steady_clock::now();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<CompressorParams> settings;
  for (const double threshold : {kThresholdMinDb, kThresholdMaxDb})
    for (const double ratio : {1.0, 100.0, inf})
      for (const double knee : {0.0, 0.001, kKneeMaxDb})
        for (const double attack : {kTimeMinMs, kTimeMaxMs})
          for (const double release : {kTimeMinMs, kTimeMaxMs})
            for (const double makeup : {-kMakeupDb, kMakeupDb})
              for (const bool link : {false, true})
                settings.push_back({threshold, ratio, knee, attack, release, makeup, link});
  Bench bench(9);
  auto& rng = bench.rng();
  const int rates[3] = {44100, 48000, 96000};
  std::size_t index = 0;
  for (const CompressorParams& c : settings) {
    const int fs = rates[index++ % 3];
    bench.configure(registers_for(c, fs), describe(c, fs));
    if (rng.next() % 2 == 0) bench.clear();
    // Loud to silent: full attack then release; the internal extremes too.
    for (int i = 0; i < 40; ++i) bench.frame(INT32_MAX, i % 2 ? INT32_MIN : INT32_MAX);
    for (int i = 0; i < 30; ++i) bench.frame(i % 2 ? INT32_MIN : 1 << 27, 0);
    for (int i = 0; i < 30; ++i) bench.frame(0, 0);
    for (int i = 0; i < 20; ++i) bench.frame(static_cast<int32_t>(rng.next()), 1);
  }
  report("extremes", bench, t0);
}

TEST_CASE("lathe_compressor equals the model for raw register values outside the legal ranges", "[rtl][compressor]") {
  // The datapath is exact for any register value; the model's C++ has signed overflow only
  // where these ranges stay clear (|knee_half| < 2^30 keeps u*u in int64).
  const auto t0 = std::chrono::steady_clock::now();
  Bench bench(5);
  auto& rng = bench.rng();
  SignalMaker signals;
  auto wild = [&](int max_bits) {  // signed, magnitudes up to 2^(max_bits - 1)
    return static_cast<int32_t>(rng.next()) >> (32 - max_bits + static_cast<int>(rng.next() % max_bits));
  };
  auto word = [&] {
    switch (rng.next() % 6) {
      case 0: return 0u;
      case 1: return 0xffffffffu;
      default: return rng.next() >> (rng.next() % 32);
    }
  };
  while (bench.frames() < 40000) {
    reg::RegisterImage r;
    r[reg::kCompThreshold] = static_cast<uint32_t>(wild(29));
    r[reg::kCompKneeHalf] = static_cast<uint32_t>(wild(29));
    r[reg::kCompKneeCoef] = word();
    r[reg::kCompSlope] = word();
    r[reg::kCompAttack] = word();
    r[reg::kCompRelease] = word();
    r[reg::kCompMakeup] = static_cast<uint32_t>(wild(29));
    r[reg::kCtrl] = (rng.next() & 1) ? static_cast<uint32_t>(reg::kCtrlCompLink) : 0u;
    if (rng.next() % 3 == 0) {
      // Reductions spread over the whole int32 range (the low bits of a huge slope * over),
      // fast detectors: differences near 2^48 in the Q8.32 states.
      r[reg::kCompThreshold] = static_cast<uint32_t>(-(1 << 28) + static_cast<int32_t>(rng.next() % 4096));
      r[reg::kCompKneeHalf] = 0;
      r[reg::kCompSlope] = 0xffffffffu - rng.next() % 256;
      r[reg::kCompAttack] = 0x80000000u | rng.next();
      r[reg::kCompRelease] = 0x80000000u | rng.next();
    }
    bench.configure(r, "raw");
    if (rng.next() % 4 == 0) bench.clear();
    std::string name;
    const auto x = signals.make(rng, 48000, 50 + rng.next() % 800, name);
    INFO("signal " << name);
    run_segment(bench, x);
  }
  report("raw registers", bench, t0);
}

TEST_CASE("lathe_compressor equals the model on the knee edges", "[rtl][compressor]") {
  // Levels exactly at threshold -/+ knee_half (and one LSB either side): the region
  // comparisons' edges, which random signals hit only by chance.
  const auto t0 = std::chrono::steady_clock::now();
  Bench bench(6);
  auto& rng = bench.rng();
  int configs = 0;
  while (bench.frames() < 60000) {
    const uint32_t m = rng.next() >> (rng.next() % 32);
    const int32_t level = fx::log2_q16(m);
    int32_t knee_half = 0;
    switch (rng.next() % 4) {
      case 0: knee_half = 0; break;
      case 1: knee_half = static_cast<int32_t>(rng.next() % 140000); break;  // legal knees
      case 2: knee_half = static_cast<int32_t>(rng.next() % 16); break;
      default: knee_half = static_cast<int32_t>(rng.next() >> 4) - (1 << 27); break;  // negative too
    }
    const int32_t delta = static_cast<int32_t>(rng.next() % 3) - 1;
    const bool lower = rng.next() & 1;
    reg::RegisterImage r;
    r[reg::kCompThreshold] = static_cast<uint32_t>(lower ? level + knee_half + delta : level - knee_half + delta);
    r[reg::kCompKneeHalf] = static_cast<uint32_t>(knee_half);
    r[reg::kCompKneeCoef] = rng.next() >> (rng.next() % 32);
    r[reg::kCompSlope] = rng.next() >> (rng.next() % 32);
    r[reg::kCompAttack] = (rng.next() & 1) ? 0xffffffffu : rng.next();
    r[reg::kCompRelease] = (rng.next() & 1) ? 0xffffffffu : rng.next();
    r[reg::kCompMakeup] = static_cast<uint32_t>(static_cast<int32_t>(rng.next() % (48u << 16)) - (24 << 16));
    r[reg::kCtrl] = (rng.next() & 1) ? static_cast<uint32_t>(reg::kCtrlCompLink) : 0u;
    bench.configure(r, "knee edge");
    if (rng.next() % 2 == 0) bench.clear();
    ++configs;
    const int32_t s = m > INT32_MAX ? INT32_MIN : static_cast<int32_t>(m);
    for (int i = 0; i < 20; ++i) {
      const int32_t l = (rng.next() & 1) ? s : -s;
      const int32_t other = static_cast<int32_t>(rng.next()) >> (rng.next() % 32);
      if (rng.next() & 1) bench.frame(l, (rng.next() & 1) ? l : other);
      else bench.frame((rng.next() & 1) ? l : other, l);
    }
  }
  report("knee edges", bench, t0);
  CHECK(bench.coverage().edge > 10000);
  std::cout << "rtl-compressor knee edges: " << configs << " register sets\n";
}
