// SPDX-License-Identifier: MIT
// lathe_limiter against the model's limiter, frame by frame and bit for bit: the model calls
// detect(l, r) then apply(l, r, level) on each frame (as Chain::front/back do); the RTL gets the
// same frame and the same register values. Outputs, the detector peak and the gain reduction
// must be identical on every frame, and each frame must take at most the stage's cycle budget.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <numbers>
#include <string>
#include <tuple>
#include <vector>

#include "Vlathe_limiter.h"
#include "lathe/fixed_point.hpp"
#include "lathe/model/dither.hpp"
#include "lathe/model/true_peak_limiter.hpp"
#include "lathe/params.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "lathe/test_signals.hpp"
#include "tp_worst_cases.hpp"

using namespace lathe;

namespace {

constexpr int kCycleBudget = 72;      // input handshake to out_valid_o (66 expected)
constexpr double kFullScale = 134217728.0;  // 1.0 in Q5.27

double uniform(model::Xorshift32& rng) { return static_cast<double>(rng.next()) / 4294967296.0; }
double uniform(model::Xorshift32& rng, double lo, double hi) { return lo + (hi - lo) * uniform(rng); }

int32_t to_q27(double v) {
  return static_cast<int32_t>(std::llround(std::clamp(v * kFullScale, -2147483648.0, 2147483647.0)));
}

// Drives one Verilated lathe_limiter and one model limiter in lockstep.
class Bench {
 public:
  Bench(uint32_t seed, bool backpressure)
      : dut_(options(seed)), rng_(seed * 7919u + 1), backpressure_(backpressure) {
    dut_->clear_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_.reset();
  }

  // Register values, as the core presents them (ports) and the model receives them (configure).
  // The stage takes its ports as they are; the glides are lathe_core's, so the model's end at
  // once (settle).
  void set_registers(const reg::RegisterImage& r) {
    model_.configure(r);
    model_.settle();
    dut_->drive_i = r[reg::kLimDrive];
    dut_->ceiling_i = r[reg::kLimCeiling];
    dut_->lookahead_i = r[reg::kLimLookahead];
    dut_->recip_i = r[reg::kLimRecip];
    dut_->hold_blocks_i = r[reg::kLimHoldBlocks];
    dut_->release_i = r[reg::kLimRelease];
    dut_->transient_release_i = r[reg::kLimTransientRelease];
    dut_->sustain_release_i = r[reg::kLimSustainRelease];
    dut_->sustain_hold_i = r[reg::kLimSustainHold];
    dut_->two_x_i = (r[reg::kCtrl] & reg::kCtrlTp2x) != 0;
  }

  // Called after every frame with its input and the model's peak and gain reduction (which the RTL
  // has just matched): the tests below use it to show what the new parts of the model change.
  using Observer = std::function<void(int32_t left, int32_t right, uint32_t peak, int32_t gr)>;
  void set_observer(Observer o) { observer_ = std::move(o); }

  void clear() {
    model_.reset();
    idle(rng_.next() % 3);
    dut_->clear_i = 1;
    dut_.settle();
    REQUIRE(!dut_->in_ready_o);  // no transfer together with a clear
    dut_.tick();
    dut_->clear_i = 0;
    dut_.settle();
    // The meters between frames: reset() zeroes the gain, keeps the last peak.
    if (static_cast<int32_t>(dut_->gr_o) != model_.gain_reduction() || dut_->peak_o != model_.last_peak())
      FAIL("limiter after clear_i: gr rtl " << static_cast<int32_t>(dut_->gr_o) << " model "
           << model_.gain_reduction() << ", peak rtl " << dut_->peak_o << " model " << model_.last_peak());
  }

  // One frame through both; a mismatch fails the test with the stage, frame and both values.
  void frame(int32_t left, int32_t right) {
    // RTL: optional idle cycles, then the input handshake.
    if (backpressure_ && rng_.next() % 4 == 0) idle(rng_.next() % 5);
    dut_->in_valid_i = 1;
    dut_->in_left_i = static_cast<uint32_t>(left);
    dut_->in_right_i = static_cast<uint32_t>(right);
    dut_->out_ready_i = backpressure_ ? rng_.next() & 1 : 1;
    dut_.settle();
    int guard = 0;
    while (!dut_->in_ready_o) {
      dut_.tick();
      if (++guard > 100000) FAIL("limiter: in_ready_o stuck low before frame " << frames_);
    }
    dut_.tick();  // the handshake edge
    dut_->in_valid_i = 0;
    dut_->in_left_i = rng_.next();  // must not be sampled any more
    dut_->in_right_i = rng_.next();
    int cycles = 1;
    while (!dut_->out_valid_o) {
      if (dut_->in_ready_o) FAIL("limiter: in_ready_o high while frame " << frames_ << " is inside");
      dut_.tick();
      if (++cycles > 1000) FAIL("limiter: no output for frame " << frames_);
    }
    max_cycles_ = std::max(max_cycles_, cycles);
    if (cycles > kCycleBudget) FAIL("limiter: frame " << frames_ << " took " << cycles << " cycles, budget " << kCycleBudget);
    // Output handshake, with random back-pressure.
    while (true) {
      dut_->out_ready_i = backpressure_ ? (rng_.next() % 3 != 0) : 1;
      dut_.settle();
      if (dut_->out_ready_i) break;
      dut_.tick();
      if (!dut_->out_valid_o) FAIL("limiter: out_valid_o dropped without out_ready_i at frame " << frames_);
    }
    const int32_t rtl_left = static_cast<int32_t>(dut_->out_left_o);
    const int32_t rtl_right = static_cast<int32_t>(dut_->out_right_o);
    dut_.tick();
    dut_->out_ready_i = 0;
    const uint32_t rtl_peak = dut_->peak_o;
    const int32_t rtl_gr = static_cast<int32_t>(dut_->gr_o);

    // Model, as Chain::front/back call it.
    int32_t l = left, r = right;
    const int32_t level = model_.detect(l, r);
    model_.apply(l, r, level);
    if (rtl_left != l || rtl_right != r || rtl_peak != model_.last_peak() || rtl_gr != model_.gain_reduction()) {
      INFO("stage limiter, " << context_ << ", frame " << frames_ << " (segment frame " << segment_frames_
                             << "), input " << left << " " << right);
      INFO("left: rtl " << rtl_left << " model " << l << "; right: rtl " << rtl_right << " model " << r);
      INFO("peak: rtl " << rtl_peak << " model " << model_.last_peak() << "; gr: rtl " << rtl_gr << " model "
                        << model_.gain_reduction());
      FAIL("limiter output differs from the model");
    }
    if (observer_) observer_(left, right, model_.last_peak(), model_.gain_reduction());
    ++frames_;
    ++segment_frames_;
    if (rtl_gr > 0) ++limited_;
  }

  void run(const std::vector<int32_t>& interleaved) {
    for (std::size_t i = 0; i + 1 < interleaved.size(); i += 2) frame(interleaved[i], interleaved[i + 1]);
  }

  void set_context(std::string c) {
    context_ = std::move(c);
    segment_frames_ = 0;
  }
  uint64_t frames() const { return frames_; }
  uint64_t limited() const { return limited_; }  // frames with gain reduction
  int max_cycles() const { return max_cycles_; }
  model::Xorshift32& rng() { return rng_; }

 private:
  static sim::SimOptions options(uint32_t seed) {
    sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    return o;
  }
  void idle(unsigned n) {
    dut_->in_valid_i = 0;
    for (unsigned i = 0; i < n; ++i) dut_.tick();
  }

  sim::ClockedModel<Vlathe_limiter> dut_;
  model::TruePeakLimiter model_;
  model::Xorshift32 rng_;
  bool backpressure_;
  uint64_t frames_ = 0, segment_frames_ = 0, limited_ = 0;
  int max_cycles_ = 0;
  std::string context_;
  Observer observer_;
};

// The detector without the 32x reconstruction (the BS.1770-4 and Hann phases and |h[12]| only, the
// model before the reconstruction was added): frames where the model's peak is above this one are
// frames whose compared peak (and so gain) comes from the 32x phases.
class ShortPhaseDetector {
 public:
  uint32_t push(int32_t left, int32_t right, bool two_x) {
    uint64_t peak = 0;
    for (int ch = 0; ch < 2; ++ch) {
      auto& h = history_[ch];
      for (int k = reg::kTruePeakSpan - 1; k > 0; --k) h[k] = h[k - 1];
      h[0] = ch == 0 ? left : right;
      peak = std::max<uint64_t>(peak, fx::magnitude(h[12]));
      auto phase = [&](const int16_t* taps, int n, int first, int shift) {
        int64_t acc = 0;
        for (int k = 0; k < n; ++k) acc += int64_t{taps[k]} * h[first + k];
        peak = std::max(peak, (acc < 0 ? static_cast<uint64_t>(-acc) : static_cast<uint64_t>(acc)) >> shift);
      };
      for (int p = 0; p < 4; ++p) phase(fx::true_peak_taps() + 12 * p, 12, 6, 13);
      if (two_x) phase(fx::hann2_taps(), 24, 0, 14);
      else
        for (int p = 0; p < 3; ++p) phase(fx::hann4_taps() + 12 * p, 12, 6, 14);
    }
    return static_cast<uint32_t>(std::min<uint64_t>(peak, UINT32_MAX));
  }

 private:
  std::array<std::array<int32_t, reg::kTruePeakSpan>, 2> history_{};
};

// ---------------------------------------------------------------------------------------------
// Signals, interleaved stereo Q5.27 (the limiter's input is the compressor's output, which may
// exceed full scale by up to 24 dB).
const char* const kSignalNames[] = {"fs/4 at 45 degrees", "full-scale squares", "impulses", "clipped transients",
                                    "noise", "music_like", "sines", "bursts and silence", "extreme values"};
constexpr int kSignalCount = 9;

std::vector<int32_t> make_signal(int kind, std::size_t n, int fs, model::Xorshift32& rng) {
  std::vector<int32_t> out(2 * n);
  const double amps[] = {1.0, 1.0, 0.5, 2.0, 4.0, 15.9, 0.25, 1.2};
  const double a = amps[rng.next() % 8];
  auto noise = [&] { return 2.0 * uniform(rng) - 1.0; };
  switch (kind) {
    case 0:  // the true peak is 3 dB above every sample
      for (std::size_t i = 0; i < n; ++i) {
        const double v = a * std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4);
        out[2 * i] = out[2 * i + 1] = to_q27(v);
      }
      break;
    case 1: {
      const double fl = uniform(rng, 50, 3000), fr = uniform(rng, 50, 5000);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        out[2 * i] = to_q27((static_cast<int64_t>(t * fl * 2) % 2) ? a : -a);
        out[2 * i + 1] = to_q27((static_cast<int64_t>(t * fr * 2) % 2) ? a : -a);
      }
      break;
    }
    case 2: {
      const unsigned period = 20 + rng.next() % 3000;
      for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = (i % period == 0) ? to_q27(a) : 0;
        out[2 * i + 1] = (i % period == 7) ? to_q27(-a) : 0;
      }
      break;
    }
    case 3:
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        const double in_beat = std::fmod(t, 0.05);
        const double body = std::exp(-in_beat * 60) * (0.7 * noise() + std::sin(2 * std::numbers::pi * 60 * in_beat));
        out[2 * i] = to_q27(std::clamp(2.0 * a * body, -a, a));
        out[2 * i + 1] = to_q27(std::clamp(1.8 * a * body, -a, a));
      }
      break;
    case 4:
      for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = to_q27(a * noise());
        out[2 * i + 1] = to_q27(a * noise());
      }
      break;
    case 5: {
      const double seconds = static_cast<double>(n) / fs + 0.001;
      const auto m = signals::music_like(seconds, fs, rng.next());
      const double g = a * 2.0;
      for (std::size_t i = 0; i < 2 * n; ++i) out[i] = to_q27(g * m[i] / 8388608.0);
      break;
    }
    case 6: {
      const double fl = uniform(rng, 20, 0.49 * fs), fr = uniform(rng, 20, 0.49 * fs);
      const double ph = uniform(rng, 0, 6.28);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        out[2 * i] = to_q27(a * std::sin(2 * std::numbers::pi * fl * t + ph));
        out[2 * i + 1] = to_q27(a * 0.7 * std::sin(2 * std::numbers::pi * fr * t));
      }
      break;
    }
    case 7: {
      // Loud bursts separated by silence long enough for the gain to recover.
      std::size_t i = 0;
      while (i < n) {
        const std::size_t burst = 1 + rng.next() % 400, gap = rng.next() % 6000;
        for (std::size_t k = 0; k < burst && i < n; ++k, ++i) {
          out[2 * i] = to_q27(a * noise());
          out[2 * i + 1] = to_q27(a * noise());
        }
        for (std::size_t k = 0; k < gap && i < n; ++k, ++i) out[2 * i] = out[2 * i + 1] = 0;
      }
      break;
    }
    default: {
      const int32_t values[] = {INT32_MIN, INT32_MAX, 0, 1, -1, INT32_MIN + 1, 1 << 27, -(1 << 27)};
      for (std::size_t i = 0; i < 2 * n; ++i)
        out[i] = (rng.next() % 4 == 0) ? static_cast<int32_t>(rng.next()) : values[rng.next() % 8];
      break;
    }
  }
  return out;
}

LimiterParams random_limiter(model::Xorshift32& rng) {
  LimiterParams l;
  l.ceiling_dbtp = uniform(rng, limits::kCeilingMinDbtp, limits::kCeilingMaxDbtp);
  l.lookahead_ms = uniform(rng, limits::kLookaheadMinMs, limits::kLookaheadMaxMs);
  l.release_ms = std::exp(uniform(rng, std::log(limits::kTimeMinMs), std::log(limits::kTimeMaxMs)));
  l.drive_db = uniform(rng, -limits::kDriveDb, limits::kDriveDb);
  // The program-dependent release: the transient stage is on when faster than release_ms.
  l.transient_release_ms = std::exp(uniform(rng, std::log(limits::kTimeMinMs), std::log(limits::kTimeMaxMs)));
  if (rng.next() % 2)
    l.transient_release_ms = std::max(limits::kTimeMinMs, std::min(l.transient_release_ms, l.release_ms * uniform(rng, 0.01, 1.0)));
  l.transient_hold_ms = uniform(rng, 0.0, limits::kTransientHoldMaxMs);
  // Some edges of the legal ranges.
  switch (rng.next() % 10) {
    case 0: l.lookahead_ms = limits::kLookaheadMinMs; break;
    case 1: l.lookahead_ms = limits::kLookaheadMaxMs; break;
    case 2: l.release_ms = rng.next() & 1 ? limits::kTimeMinMs : limits::kTimeMaxMs; break;
    case 3: l.drive_db = rng.next() & 1 ? limits::kDriveDb : -limits::kDriveDb; break;
    case 4: l.ceiling_dbtp = rng.next() & 1 ? limits::kCeilingMinDbtp : limits::kCeilingMaxDbtp; break;
    case 5: l.transient_hold_ms = rng.next() & 1 ? 0.0 : limits::kTransientHoldMaxMs; break;
    case 6: l.transient_release_ms = rng.next() & 1 ? limits::kTimeMinMs : limits::kTimeMaxMs; break;
    default: break;
  }
  return l;
}

reg::RegisterImage registers(const LimiterParams& l, int fs) {
  ChainParams p;
  p.lim = l;
  REQUIRE(!validate(p, fs));
  return to_registers(p, fs);
}

// A run of segments: each picks a rate, parameters and a signal, clears (mostly), and within it
// moves the drive (and other live or pending registers) between frames.
void random_segments(Bench& bench, int segments, std::size_t frames_lo, std::size_t frames_hi,
                     const std::vector<int>& rates) {
  auto& rng = bench.rng();
  for (int seg = 0; seg < segments; ++seg) {
    const int fs = rates[rng.next() % rates.size()];
    LimiterParams lim = random_limiter(rng);
    reg::RegisterImage r = registers(lim, fs);
    bench.set_registers(r);
    const bool cleared = seg == 0 || rng.next() % 6 != 0;  // else the new lookahead stays pending
    if (cleared) bench.clear();
    const int kind = static_cast<int>(rng.next() % kSignalCount);
    const std::size_t n = frames_lo + rng.next() % (frames_hi - frames_lo + 1);
    const auto sig = make_signal(kind, n, fs, rng);
    std::size_t pos = 0;
    int piece = 0;
    while (pos < n) {
      const std::size_t len = std::min<std::size_t>(n - pos, 200 + rng.next() % 3000);
      char ctx[256];
      std::snprintf(ctx, sizeof ctx,
                    "segment %d piece %d: %s at %d Hz, ceiling %.2f dBTP, lookahead %.3f ms (L reg %u), "
                    "release %.3f ms, transient %.3f ms, hold %.2f ms, drive %.2f dB, %s interpolator%s",
                    seg, piece, kSignalNames[kind], fs, lim.ceiling_dbtp, lim.lookahead_ms,
                    r[reg::kLimLookahead], lim.release_ms, lim.transient_release_ms, lim.transient_hold_ms, lim.drive_db,
                    (r[reg::kCtrl] & reg::kCtrlTp2x) ? "2x" : "4x", cleared ? "" : ", not cleared");
      bench.set_context(ctx);
      bench.run(std::vector<int32_t>(sig.begin() + static_cast<std::ptrdiff_t>(2 * pos),
                                     sig.begin() + static_cast<std::ptrdiff_t>(2 * (pos + len))));
      pos += len;
      ++piece;
      // Between frames: a new drive (loudness targeting), sometimes new ceiling / release, and
      // sometimes a new lookahead that must wait for the next clear.
      lim.drive_db = uniform(rng, -limits::kDriveDb, limits::kDriveDb);
      if (rng.next() % 3 == 0) lim.ceiling_dbtp = uniform(rng, limits::kCeilingMinDbtp, limits::kCeilingMaxDbtp);
      if (rng.next() % 3 == 0)
        lim.release_ms = std::exp(uniform(rng, std::log(limits::kTimeMinMs), std::log(limits::kTimeMaxMs)));
      if (rng.next() % 3 == 0) {  // the release registers are live, the sustain state carries on
        const LimiterParams other = random_limiter(rng);
        lim.transient_release_ms = other.transient_release_ms;
        lim.transient_hold_ms = other.transient_hold_ms;
      }
      if (rng.next() % 4 == 0) lim.lookahead_ms = uniform(rng, limits::kLookaheadMinMs, limits::kLookaheadMaxMs);
      r = registers(lim, fs);
      // The detector's interpolator is live too: sometimes the other one for a piece.
      if (rng.next() % 5 == 0) r[reg::kCtrl] ^= reg::kCtrlTp2x;
      bench.set_registers(r);
    }
  }
}

struct Timer {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

}  // namespace

TEST_CASE("lathe_limiter equals the model on random parameters and signals at 44.1, 48 and 96 kHz", "[rtl]") {
  const Timer timer;
  uint64_t frames = 0, limited = 0;
  int max_cycles = 0;
  // Several reset-randomisation seeds; back-pressure on half of the runs.
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    Bench bench(seed, seed % 2 == 0);
    random_segments(bench, 18, 2000, 7000, {44100, 48000, 96000});
    frames += bench.frames();
    limited += bench.limited();
    max_cycles = std::max(max_cycles, bench.max_cycles());
  }
  std::printf("rtl-limiter random: %llu frames bit-exact (%llu with gain reduction), at most %d cycles per frame, "
              "%.1f s\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(limited), max_cycles,
              timer.seconds());
  REQUIRE(frames >= 300000);
  REQUIRE(limited >= frames / 4);  // the signals do drive the limiter
  REQUIRE(max_cycles <= kCycleBudget);
}

TEST_CASE("lathe_limiter equals the model at 192 kHz with a 5 ms (960-sample) lookahead", "[rtl]") {
  const Timer timer;
  Bench bench(11, true);
  const int fs = 192000;
  LimiterParams lim{-1.0, 5.0, 50.0, 12.0};
  const reg::RegisterImage r = registers(lim, fs);
  REQUIRE(r[reg::kLimLookahead] == 960);
  bench.set_registers(r);
  bench.clear();
  for (int kind : {0, 3, 5, 1, 7}) {
    bench.set_context(std::string("192 kHz, L = 960, ") + kSignalNames[kind]);
    bench.run(make_signal(kind, 6000, fs, bench.rng()));
  }
  std::printf("rtl-limiter 192 kHz: %llu frames bit-exact, at most %d cycles per frame, %.1f s\n",
              static_cast<unsigned long long>(bench.frames()), bench.max_cycles(), timer.seconds());
}

TEST_CASE("lathe_limiter equals the model on extreme register values and samples", "[rtl]") {
  const Timer timer;
  Bench bench(21, true);
  auto& rng = bench.rng();
  const uint32_t words[] = {0u, 1u, 2u, 22u, 23u, 32u, 63u, 64u, 65u, 960u, 1023u, 1024u, 1025u,
                            0x7fffffffu, 0x80000000u, 0xffffffffu};
  for (int trial = 0; trial < 24; ++trial) {
    reg::RegisterImage r;
    // Legal-ish values first, then raw words in every limiter register.
    const LimiterParams lim = random_limiter(rng);
    r = registers(lim, 48000);
    if (trial >= 4) {
      for (reg::Addr a : {reg::kLimLookahead, reg::kLimHoldBlocks, reg::kLimRecip, reg::kLimRelease,
                          reg::kLimTransientRelease, reg::kLimSustainRelease, reg::kLimSustainHold})
        if (rng.next() % 2) r[a] = words[rng.next() % 16];
    }
    if (trial >= 12) {
      // Drive and ceiling far outside the user range (the model's int64 -> int32 casts).
      for (reg::Addr a : {reg::kLimDrive, reg::kLimCeiling})
        if (rng.next() % 2) r[a] = rng.next() % 2 ? words[rng.next() % 16] : rng.next();
    }
    if (rng.next() % 2) r[reg::kCtrl] ^= reg::kCtrlTp2x;
    bench.set_registers(r);
    bench.clear();
    char ctx[300];
    std::snprintf(ctx, sizeof ctx,
                  "extreme trial %d: drive %08x ceiling %08x L %u recip %08x hold %u release %08x transient %08x "
                  "sustain release %08x sustain hold %u ctrl %02x",
                  trial, r[reg::kLimDrive], r[reg::kLimCeiling], r[reg::kLimLookahead], r[reg::kLimRecip],
                  r[reg::kLimHoldBlocks], r[reg::kLimRelease], r[reg::kLimTransientRelease],
                  r[reg::kLimSustainRelease], r[reg::kLimSustainHold], r[reg::kCtrl]);
    bench.set_context(ctx);
    const int kind = trial % 3 == 0 ? 8 : static_cast<int>(rng.next() % kSignalCount);
    bench.run(make_signal(kind, 2500, 48000, rng));
  }
  std::printf("rtl-limiter extremes: %llu frames bit-exact, %.1f s\n",
              static_cast<unsigned long long>(bench.frames()), timer.seconds());
}

TEST_CASE("lathe_limiter after reset, before any clear, is the model as constructed", "[rtl]") {
  for (uint32_t seed : {31u, 32u, 33u}) {
    Bench bench(seed, seed == 32u);
    // The model is configured but never reset: lookahead 1, recip 2^31, hold 1 until a clear.
    const reg::RegisterImage r = registers({-3.0, 2.0, 20.0, 6.0}, 48000);
    bench.set_registers(r);
    bench.set_context("after reset, no clear");
    bench.run(make_signal(5, 3000, 48000, bench.rng()));
    bench.clear();
    bench.set_context("after the first clear");
    bench.run(make_signal(0, 2000, 48000, bench.rng()));
  }
}

TEST_CASE("lathe_limiter's 32x phases: inter-sample peaks of fs/4 tones at 45 degrees and full-scale noise", "[rtl]") {
  uint64_t frames = 0, from_32x = 0;
  for (bool two_x : {false, true}) {
    Bench bench(two_x ? 42u : 41u, two_x);
    const int fs = two_x ? 96000 : 48000;
    reg::RegisterImage r = registers({-1.0, 1.0, 30.0, 6.0, 1.0, 5.0}, fs);
    REQUIRE(((r[reg::kCtrl] & reg::kCtrlTp2x) != 0) == two_x);
    bench.set_registers(r);
    bench.clear();
    ShortPhaseDetector short_phases;
    uint64_t above = 0;
    bench.set_observer([&](int32_t l, int32_t rr, uint32_t peak, int32_t) {
      const uint32_t s = short_phases.push(l, rr, two_x);
      REQUIRE(peak >= s);  // the model takes the larger: the 32x phases only ever add
      if (peak > s) ++above;
    });
    auto& rng = bench.rng();
    for (int piece = 0; piece < 8; ++piece) {
      std::vector<int32_t> sig(2 * 3000);
      const double a = uniform(rng, 0.3, 8.0);
      const double ph = std::numbers::pi / 4 + (piece % 2 ? uniform(rng, -0.2, 0.2) : 0.0);
      for (std::size_t i = 0; i < sig.size() / 2; ++i) {
        if (piece < 4) {  // fs/4 at (near) 45 degrees: every sample 3 dB under the peak
          sig[2 * i] = to_q27(a * std::sin(std::numbers::pi / 2 * static_cast<double>(i) + ph));
          sig[2 * i + 1] = to_q27(-a * std::sin(std::numbers::pi / 2 * static_cast<double>(i) + ph));
        } else {  // random full-scale noise (and beyond, up to the compressor's +24 dB)
          sig[2 * i] = piece == 7 ? static_cast<int32_t>(rng.next()) : to_q27(a * (2.0 * uniform(rng) - 1.0));
          sig[2 * i + 1] = to_q27(a * (2.0 * uniform(rng) - 1.0));
        }
      }
      char ctx[120];
      std::snprintf(ctx, sizeof ctx, "32x phases, %s, piece %d (%s)", two_x ? "2x" : "4x", piece,
                    piece < 4 ? "fs/4 tone" : "noise");
      bench.set_context(ctx);
      bench.run(sig);
      // The dual release on this material too: a new transient release or hold between pieces.
      r[reg::kLimSustainHold] = rng.next() % 2000;
      bench.set_registers(r);
    }
    // The 32x phases must decide the peak of many frames, or this test shows nothing about them.
    REQUIRE(above > bench.frames() / 10);
    frames += bench.frames();
    from_32x += above;
  }
  std::printf("rtl-limiter 32x: %llu frames bit-exact, %llu with the peak from the 32x phases\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(from_32x));
}

TEST_CASE("lathe_limiter's program-dependent release: transient release back to a held sustained reduction",
          "[rtl]") {
  uint64_t frames = 0, differ = 0;
  for (uint32_t seed = 51; seed <= 54; ++seed) {
    Bench bench(seed, seed % 2 == 0);
    auto& rng = bench.rng();
    const int fs = seed == 54 ? 192000 : 48000;
    // transient release < release, sustain hold > 0; the last runs draw them across the legal ranges.
    LimiterParams lim{-1.0, uniform(rng, 0.5, 3.0), uniform(rng, 50.0, 500.0), uniform(rng, 3.0, 12.0),
                      uniform(rng, 0.1, 5.0), uniform(rng, 1.0, 30.0)};
    if (seed >= 53) {
      lim.transient_release_ms = std::exp(uniform(rng, std::log(limits::kTimeMinMs), std::log(lim.release_ms)));
      lim.transient_hold_ms = uniform(rng, 0.05, limits::kTransientHoldMaxMs);
    }
    const reg::RegisterImage r = registers(lim, fs);
    REQUIRE(r[reg::kLimTransientRelease] > r[reg::kLimRelease]);  // a faster coefficient: the stage is on
    REQUIRE(r[reg::kLimSustainHold] > 0);
    bench.set_registers(r);
    bench.clear();
    // A model with the transient stage off (transient release = release, no hold): where its gain
    // differs, the compared gain comes from the sustain and transient path.
    reg::RegisterImage plain = r;
    plain[reg::kLimTransientRelease] = r[reg::kLimRelease];
    plain[reg::kLimSustainRelease] = r[reg::kLimRelease];
    plain[reg::kLimSustainHold] = 0;
    model::TruePeakLimiter reference;
    reference.configure(plain);
    reference.reset();
    uint64_t seg_differ = 0;
    bench.set_observer([&](int32_t l, int32_t rr, uint32_t, int32_t gr) {
      int32_t a = l, b = rr;
      reference.apply(a, b, reference.detect(a, b));
      if (reference.gain_reduction() != gr) ++seg_differ;
    });
    char ctx[200];
    std::snprintf(ctx, sizeof ctx, "dual release, seed %u, %d Hz, release %.1f ms, transient %.2f ms, hold %.1f ms",
                  seed, fs, lim.release_ms, lim.transient_release_ms, lim.transient_hold_ms);
    for (int kind : {3, 7, 5, 2, 4}) {  // transients, bursts, music, impulses, noise
      bench.set_context(std::string(ctx) + ", " + kSignalNames[kind]);
      bench.run(make_signal(kind, 5000, fs, rng));
    }
    REQUIRE(seg_differ > bench.frames() / 20);
    frames += bench.frames();
    differ += seg_differ;
  }
  std::printf("rtl-limiter dual release: %llu frames bit-exact, %llu where the transient stage changes the gain\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(differ));
}

// Issue 12: the true-peak worst cases (tests/tp_worst_cases.cpp, the material tp_ceiling checks
// for overs with the model) through the Verilated limiter at every rate. Each case runs, after a
// clear, as the pieces of its signal that hold its features (the onsets, steps, bursts and clipped
// hits the survey chose it for), one after another without a clear between them, with the
// registers the host makes for a driven limiter: +12 dB into the programme cases, +6 dB into the
// test signals, ceiling -1 dBTP, lookahead 0.1 or 5 ms and release 80 or 0.05 ms in turn (so that
// every case meets both lookaheads across the rates), the default transient release and hold. The
// limiter's input is the 24-bit frame at the internal scale, as the chain delivers it with a
// neutral trim, EQ and compressor.
namespace {

struct Piece {
  double start, seconds;  // s into the signal
};
struct CaseWindows {
  const char* name;
  std::vector<Piece> pieces;
};
// Where each case's features are (see the generators in tp_worst_cases.cpp; the mixes are
// music_like from 13 s in: 120 bpm, the clipped bar from 1 s, its first clipped snare at 1.5 s).
const std::vector<CaseWindows>& case_windows() {
  static const std::vector<CaseWindows> w = {
      {"mix", {{0.98, 0.06}, {1.48, 0.1}}},             // the kick, then the clipped snare, of the hot bar
      {"dense_mix", {{0.98, 0.06}, {1.48, 0.1}}},       // the same, densified, with near-Nyquist hats
      {"clipped_drums", {{0.0, 0.05}, {0.48, 0.1}}},    // the clipped kick, then kick and snare at 0.5 s
      {"nyquist_hats", {{0.0, 0.05}, {0.12, 0.05}}},    // two onsets
      {"fs4_45deg", {{0.0, 0.05}}},                     // stationary from the first sample
      {"nyquist_bursts", {{0.0, 0.04}, {0.1, 0.04}, {0.2, 0.04}}},  // 0.45, 0.47, 0.49 fs: on 30 ms
      {"square_p2", {{0.385, 0.03}, {0.495, 0.03}}},    // the gate closing at 0.4 s, opening at 0.5 s
      {"square_p3", {{0.385, 0.03}, {0.495, 0.03}}},
      {"square_p4", {{0.385, 0.03}, {0.495, 0.03}}},
      {"square_p5", {{0.385, 0.03}, {0.495, 0.03}}},
      {"square_1k", {{0.0, 0.05}}},                     // stationary
      {"sweep_exp", {{0.0, 0.06}}},                     // the whole sweep to 0.49 fs (it lasts the signal)
      {"sweep_lin", {{0.0, 0.06}}},
      {"impulses", {{0.0, 0.02}, {0.1, 0.02}}},         // both signs, L and R 7 samples apart
      {"impulse_trains", {{0.0, 0.03}, {0.1, 0.03}, {0.2, 0.03}, {0.3, 0.03}}},  // spacings 2, 3, 4, 7
      {"alternating_flips", {{0.0, 0.03}}},             // the 120-sample pattern of runs repeats
      {"random_signs", {{0.0, 0.05}}},
      {"white_noise", {{0.0, 0.1}}},
      {"step_mix", {{0.96, 0.08}, {1.48, 0.1}}},        // the 20 dB step up at 1 s, the clipped snare
      {"step_tone", {{0.22, 0.06}, {0.48, 0.04}}},      // the 20 dB step up at 250 ms, down at 500 ms
  };
  return w;
}

// The pieces of a case at the internal scale, one after another.
std::vector<int32_t> case_input(const char* name, int fs, const std::vector<Piece>& pieces, uint32_t seed = 1) {
  double end = 0;
  for (const Piece& p : pieces) end = std::max(end, p.start + p.seconds);
  // A sweep's length is the signal's: make it as long as its only piece. The mixes are music_like
  // from 13 s in, and slow to make: each is made once per rate and length.
  static std::map<std::tuple<std::string, int, double, uint32_t>, std::vector<int32_t>> made;
  const auto key = std::make_tuple(std::string(name), fs, end, seed);
  if (!made.count(key)) {
    if (!made.empty() && std::get<1>(made.begin()->first) != fs) made.clear();
    made[key] = tp_cases::make(name, fs, end, seed);
  }
  const auto& whole = made[key];
  std::vector<int32_t> in;
  for (const Piece& p : pieces) {
    const std::size_t first = static_cast<std::size_t>(std::lround(p.start * fs));
    const std::size_t n = std::min(static_cast<std::size_t>(std::lround(p.seconds * fs)), whole.size() / 2 - first);
    REQUIRE(n + 2 >= static_cast<std::size_t>(std::lround(p.seconds * fs)));
    for (std::size_t i = 2 * first; i < 2 * (first + n); ++i) in.push_back(whole[i] * (1 << fx::kEdgeToInternalShift));
  }
  return in;
}

std::string describe(const std::vector<Piece>& pieces) {
  std::string s;
  char b[40];
  for (const Piece& p : pieces) {
    std::snprintf(b, sizeof b, "%s%.2f..%.2f s", s.empty() ? "" : ", ", p.start, p.start + p.seconds);
    s += b;
  }
  return s;
}

}  // namespace

TEST_CASE("lathe_limiter equals the model on the true-peak worst cases at every rate", "[rtl]") {
  const auto& cases = tp_cases::all_cases();
  const auto& windows = case_windows();
  REQUIRE(windows.size() == cases.size());
  uint64_t frames = 0, limited = 0;
  int max_cycles = 0;
  const int rates[] = {44100, 48000, 88200, 96000, 176400, 192000};
  for (int ri = 0; ri < 6; ++ri) {
    const int fs = rates[ri];
    Bench bench(61u + static_cast<uint32_t>(ri), ri % 2 == 1);  // back-pressure at half the rates
    auto run = [&](const char* name, uint32_t seed, const std::vector<Piece>& pieces, const LimiterParams& lim) {
      const reg::RegisterImage r = registers(lim, fs);
      REQUIRE(((r[reg::kCtrl] & reg::kCtrlTp2x) != 0) == (fs >= 96000));
      bench.set_registers(r);
      bench.clear();
      char ctx[300];
      std::snprintf(ctx, sizeof ctx, "%s seed %u (%s) at %d Hz, drive %+.0f dB, ceiling %.0f dBTP, lookahead %.1f ms "
                    "(L reg %u), release %.2f ms, transient %.2f ms, hold %.1f ms, %s interpolator", name, seed,
                    describe(pieces).c_str(), fs, lim.drive_db, lim.ceiling_dbtp, lim.lookahead_ms,
                    r[reg::kLimLookahead], lim.release_ms, lim.transient_release_ms, lim.transient_hold_ms,
                    (r[reg::kCtrl] & reg::kCtrlTp2x) ? "2x" : "4x");
      bench.set_context(ctx);
      const uint64_t limited_before = bench.limited();
      bench.run(case_input(name, fs, pieces, seed));
      INFO(ctx);
      REQUIRE(bench.limited() > limited_before);  // every case, at every rate, drives the limiter
    };
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
      const auto& info = cases[ci];
      REQUIRE(std::string(windows[ci].name) == info.name);
      const std::size_t k = ci + static_cast<std::size_t>(ri);
      LimiterParams lim;  // ceiling -1 dBTP, the default transient release and hold
      lim.drive_db = info.programme ? 12.0 : 6.0;
      lim.lookahead_ms = k % 2 ? 5.0 : 0.1;
      lim.release_ms = (k / 2) % 2 ? limits::kTimeMinMs : 80.0;  // the shortest legal, 0.05 ms, or the default
      run(info.name, 1, windows[ci].pieces, lim);
    }
    // tp_ceiling's loudest corner on the dense mix (0 dBTP, 0.1 ms, driven about as hard as its
    // -7 LUFS target; the clipped snare, from the signal the case above made) with the transient
    // stage at its fastest and off, and at 44.1 and 48 kHz the
    // white-noise seeds whose overshoot over the aim the seed searches found largest.
    run("dense_mix", 1, {{1.48, 0.1}}, {0.0, 0.1, 80.0, 18.0, limits::kTimeMinMs, 0.0});
    run("dense_mix", 1, {{1.48, 0.1}}, {0.0, 0.1, 80.0, 18.0, 80.0, 5.0});
    if (fs <= 48000)
      for (uint32_t seed : {904u, 268u, 586u, 396u, 35u})
        run("white_noise", seed, {{0.0, 0.1}}, {-1.0, 0.1, limits::kTimeMinMs, 6.0, 1.0, 5.0});
    std::printf("rtl-limiter worst cases at %d Hz: %llu frames bit-exact (%llu with gain reduction)\n", fs,
                static_cast<unsigned long long>(bench.frames()), static_cast<unsigned long long>(bench.limited()));
    frames += bench.frames();
    limited += bench.limited();
    max_cycles = std::max(max_cycles, bench.max_cycles());
  }
  std::printf("rtl-limiter worst cases: %llu frames bit-exact (%llu with gain reduction), at most %d cycles per "
              "frame\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(limited), max_cycles);
  REQUIRE(max_cycles <= kCycleBudget);
}
