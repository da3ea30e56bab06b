// SPDX-License-Identifier: MIT
// lathe_live alone (tests/rtl/lathe_live_tb.sv: Delay 2 and a stand-in chain that holds
// each frame 229 core clocks, up to 3 at once, and returns it XOR a pattern with its tag)
// on a bus with the codec model (sim/i2s_codec.cpp), under two unrelated clocks: the core
// clock, at a non-integer number of clocks per audio frame, and the audio clock (the
// codec's BCLK, or the MCLK this harness gives the FPGA when it is master). Event-driven
// in simulated picoseconds; nothing here looks at the wall clock.
//
// The fixed latency, derived. Bus frames are numbered here by the frame starts on the bus
// (an LRCLK edge into the left level seen at a BCLK rising edge), which is what the RTL
// counts (slot_q). A frame the ADC sends in bus frame n is decoded one BCLK into n + 1 and
// tagged n; the stand-in returns it with tag n (its frames in flight change when it comes
// back, not its tag); the transmitter's take at the end of frame m wants tag m + 1 - Delay,
// so tag n goes out in frame n + Delay. So the latency is exactly Delay = 2 bus frames,
// whatever the chain's pipelining: a real chain's own latency is in its data (its output
// with tag n is its input from some frames before), not in the tags. The harness measures
// the shift from the DAC's first frame that is an input's and requires Delay, then every
// frame at that shift.
//
// The deadline, derived: the frame is written into the crossing at BCLK 1 of frame n + 1,
// read 2-3 core clocks later, written back 229 core clocks after that and must be through
// the second crossing's two BCLK flops before the take at BCLK 63, so on time needs
// 232 core clocks < 60 BCLK (core >= 3.867x BCLK, 247.5 core clocks per frame) and
// late is certain at 231 >= 60 BCLK (3.85x); the header asks for 4x (256 per frame).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <utility>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vlathe_live_tb.h"
#include "lathe/registers_map.hpp"
#include "lathe/sim/clocked_model.hpp"
#include "lathe/sim/i2s_codec.hpp"
#include "lathe/sim/splitmix.hpp"

using lathe::sim::I2sCodec;
using lathe::sim::I2sCodecConfig;
using lathe::sim::I2sFormat;
using lathe::sim::splitmix64;

namespace {

// The test top's parameters (lathe_live_tb.sv), which this build uses.
constexpr int64_t kDelay = 2;
constexpr uint64_t kChainCapacity = 3;
constexpr uint32_t kPatternLeft = 0x5a5a5a;   // Pattern[23:0]
constexpr uint32_t kPatternRight = 0xa5c3f0;  // Pattern[47:24]
constexpr uint64_t kStopCycles = lathe::reg::kLiveStopCycles;

constexpr double kPsPerSecond = 1e12;
constexpr uint64_t kClocksStartPs = 3'000'000;  // the codec's first frame

int32_t sign_extend_24(uint32_t v) { return static_cast<int32_t>(v << 8) >> 8; }

// Random stereo 24-bit frames (one sample in 16 at +-full scale), all different.
std::vector<int32_t> test_frames(size_t frames, uint64_t seed) {
  std::vector<int32_t> v;
  v.reserve(2 * frames);
  for (size_t i = 0; i < frames; ++i) {
    for (int ch = 0; ch < 2; ++ch) {
      const uint64_t r = splitmix64(seed);
      int32_t s = sign_extend_24(static_cast<uint32_t>(r));
      if ((r >> 40) % 32 == 0) s = (1 << 23) - 1;
      if ((r >> 40) % 32 == 1) s = -(1 << 23);
      v.push_back(s);
    }
    // Index in the right sample's low bits: no two frames are equal.
    v.back() = sign_extend_24((static_cast<uint32_t>(v.back()) & ~0xfffffu) | (i & 0xfffffu));
  }
  return v;
}

struct Case {
  const char* name;
  uint32_t rate_hz;
  I2sFormat format;
  bool codec_master;
  int mclk_div = 0;             // FPGA master: mclk_div_i, MCLK/BCLK = 2 << mclk_div
  double core_per_frame = 260.5;  // core clocks per audio frame (64 BCLK)
  double jitter = 0.0;          // BCLK (codec master) or MCLK (FPGA master) edge jitter, of the half period
  uint32_t seed = 1;
};

std::string describe(const Case& c) {
  std::ostringstream s;
  s << c.name << ": " << c.rate_hz << " Hz, " << (c.format == I2sFormat::kI2s ? "I2S" : "left-justified") << ", "
    << (c.codec_master ? "codec master" : "FPGA master, MCLK/BCLK " + std::to_string(2 << c.mclk_div)) << ", "
    << c.core_per_frame << " core clocks per frame (" << c.core_per_frame / 64 << "x BCLK, "
    << c.core_per_frame * c.rate_hz * 1e-6 << " MHz)";
  if (c.jitter > 0) s << ", jitter " << 100 * c.jitter << " % of the half period";
  s << ", seed " << c.seed;
  return s.str();
}

// The status counters, sampled at BCLK 32 of a bus frame (all of the frame start's
// effects have crossed by then: they take a few core clocks).
struct Status {
  uint32_t frames = 0, rx_errors = 0, underruns = 0, late = 0, overruns = 0, clock_stops = 0;
  bool running = false;
  uint64_t dac_slot_errors = 0;  // the codec's
};

// Event counts from the random power-up state in first starts (FPGA master).
uint64_t g_power_up_counts = 0;

// Frames checked by every bench of this run, printed when the program ends.
uint64_t g_frames_checked = 0;
struct Summary {
  ~Summary() {
    if (g_frames_checked)
      std::printf("rtl-live-cdc: %llu frames checked in all\n", static_cast<unsigned long long>(g_frames_checked));
  }
} g_summary;

class Bench {
 public:
  Bench(const Case& c, size_t input_frames, uint64_t stop_at_ps = UINT64_MAX, uint64_t stop_for_ps = 0)
      : case_(c),
        input_(test_frames(input_frames, uint64_t{c.seed} * 1000003u + c.rate_hz)),
        dut_(options(c.seed)),
        codec_(codec_config(c, stop_at_ps, stop_for_ps)),
        rng_(c.seed * 2654435761u + 7u),
        codec_stop_at_(c.codec_master ? stop_at_ps : UINT64_MAX),
        restart_ps_(c.codec_master && stop_at_ps != UINT64_MAX ? stop_at_ps + stop_for_ps : UINT64_MAX) {
    frame_ps_ = kPsPerSecond / c.rate_hz;
    core_half_ps_ = frame_ps_ / c.core_per_frame / 2;
    core_t0_ = core_half_ps_ * uniform(0, 2);
    mclk_half_ps_ = frame_ps_ / (64.0 * (2 << c.mclk_div)) / 2;
    codec_.set_adc_frames(input_);
    Vlathe_live_tb& t = dut_.top();
    power_up_frames_ = t.frames_o;  // before any reset: the X-initial value of the seed
    t.rst_ni = 0;
    t.enable_i = 0;
    t.clock_master_i = !c.codec_master;
    t.left_justified_i = c.format == I2sFormat::kLeftJustified;
    t.mclk_div_i = static_cast<uint8_t>(c.mclk_div);
    t.restart_i = 0;
    t.mclk_i = 0;
    drive_codec_pins();
    dut_.eval_at(0);
    codec_.sample(bus_bclk(), bus_lrclk(), t.dac_o);
    core_next_ = edge_time(core_t0_, core_half_ps_, 0);
    if (!c.codec_master) {
      mclk_t0_ = kClocksStartPs + mclk_half_ps_ * uniform(0, 2);
      mclk_next_ = mclk_edge(0);
    }
  }

  Vlathe_live_tb& tb() { return dut_.top(); }
  const I2sCodec& codec() const { return codec_; }
  const Case& config() const { return case_; }
  const std::vector<int32_t>& input() const { return input_; }
  double frame_ps() const { return frame_ps_; }
  double core_period_ps() const { return 2 * core_half_ps_; }
  uint64_t now() const { return now_; }
  // Bus frames begun (frame starts seen on the bus) and the status at BCLK 32 of each.
  int64_t bus_frames() const { return bus_frame_; }
  const std::vector<Status>& status() const { return status_; }
  // The codec's number for each bus frame (its frame began at that frame start).
  const std::vector<uint64_t>& codec_frame_of_bus() const { return codec_of_bus_; }
  uint64_t running_fell() const { return running_fell_; }
  uint32_t power_up_frames() const { return power_up_frames_; }
  // The first status snapshot after the audio clock stopped (MCLK, or the codec's BCLK),
  // -1 if it has not.
  int64_t stop_snapshot() const { return stop_snapshot_; }
  uint64_t running_rose() const { return running_rose_; }

  // Reset held for 8 core clocks, live mode off; then enabled after `frames_off` frames.
  // `cycle`: live mode on for 3 frames and off for 1 before that (the first start from
  // power-up in FPGA-master mode keeps random BCLK-domain state in this simulation; see
  // the power-up test case).
  void start(double frames_off = 3.0, bool cycle = false) {
    run_to(static_cast<uint64_t>(8 * core_period_ps()));
    tb().rst_ni = 1;
    run_to(kClocksStartPs + static_cast<uint64_t>((frames_off + uniform(0, 1)) * frame_ps_));
    if (cycle) {
      tb().enable_i = 1;
      run_frames(3);
      tb().enable_i = 0;
      run_frames(1 + uniform(0, 1));
      running_fell_ = running_rose_ = 0;
    }
    tb().enable_i = 1;
    enable_bus_ = bus_frame_;
  }
  int64_t enable_bus() const { return enable_bus_; }

  // MCLK (FPGA master) makes no edge from the first one due at or after `at_ps` for
  // `for_ps`, then runs on in the same phase.
  void stop_mclk(uint64_t at_ps, uint64_t for_ps) {
    mclk_stop_at_ = at_ps;
    mclk_stop_for_ = for_ps;
    restart_ps_ = at_ps + for_ps;
  }
  // The codec's frame the stop came in (codec master).
  uint64_t stop_codec_frame() const { return stop_codec_frame_; }
  // The first frame start after the audio clock ran again (-1: none yet).
  int64_t restart_bus() const { return restart_bus_; }

  void run_frames(double frames) { run_to(now_ + static_cast<uint64_t>(frames * frame_ps_)); }

  // Every event up to and including t_ps: the core clock's edges, MCLK's (FPGA master) and
  // the codec's (master), in time order.
  void run_to(uint64_t t_ps) {
    Vlathe_live_tb& t = dut_.top();
    for (;;) {
      const uint64_t codec_t = codec_.next_event_ps();
      const uint64_t ev = std::min(core_next_, std::min(mclk_next_, codec_t));
      if (ev > t_ps) break;
      // The core clock and MCLK clock only rising edges (no flop of the design is on their
      // falling edges), so a falling edge sets the pin without an evaluation of its own:
      // the next evaluation for any event sees it, or one just before the next rising edge.
      bool bus = false, eval = false;
      if (codec_t == ev) {
        if (ev >= codec_stop_at_ && stop_snapshot_ < 0) {
          stop_snapshot_ = rises_ < 32 ? bus_frame_ : bus_frame_ + 1;
          stop_codec_frame_ = codec_.bus_frames();
        }
        codec_.advance_to(ev);
        drive_codec_pins();
        bus = eval = true;
      }
      if (mclk_next_ == ev) {
        if (t.mclk_i) {
          t.mclk_i = 0;
          fall_pending_ = true;
        } else {
          if (fall_pending_) settle(ev);
          t.mclk_i = 1;
          bus = eval = true;
        }
        mclk_next_ = mclk_edge(++mclk_k_);
      }
      if (core_next_ == ev) {
        if (t.clk_i) {
          t.clk_i = 0;
          fall_pending_ = true;
        } else {
          if (fall_pending_) settle(ev);
          t.clk_i = 1;
          core_rise();
          eval = true;
        }
        core_next_ = edge_time(core_t0_, core_half_ps_, ++core_k_);
      }
      if (eval) settle(ev);
      now_event_ = ev;
      if (bus) bus_event();
    }
    now_ = t_ps;
  }

 private:
  static lathe::sim::SimOptions options(uint32_t seed) {
    errno = 0;  // Verilator 5.006 reads errno after strtoull without clearing it
    lathe::sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    return o;
  }
  static I2sCodecConfig codec_config(const Case& c, uint64_t stop_at_ps, uint64_t stop_for_ps) {
    I2sCodecConfig k;
    k.sample_rate_hz = c.rate_hz;
    k.format = c.format;
    k.master = c.codec_master;
    k.start_ps = kClocksStartPs;
    k.jitter_ps = c.codec_master ? static_cast<uint64_t>(c.jitter * 1e12 / (128.0 * c.rate_hz)) : 0;
    k.jitter_seed = c.seed * 7919u + 3u;
    k.stop_at_ps = stop_at_ps;
    k.stop_for_ps = stop_for_ps;
    return k;
  }
  static uint64_t edge_time(double t0, double half, uint64_t k) {
    return static_cast<uint64_t>(std::llround(t0 + half * static_cast<double>(k)));
  }
  uint64_t mclk_edge(uint64_t k) {
    double t = mclk_t0_ + mclk_half_ps_ * static_cast<double>(k) + mclk_offset_;
    if (t >= static_cast<double>(mclk_stop_at_)) {
      stop_snapshot_ = rises_ < 32 ? bus_frame_ : bus_frame_ + 1;
      mclk_offset_ += static_cast<double>(mclk_stop_for_);
      t += static_cast<double>(mclk_stop_for_);
      mclk_stop_at_ = UINT64_MAX;
    }
    if (case_.jitter > 0) t += mclk_half_ps_ * case_.jitter * uniform(-1, 1);
    return static_cast<uint64_t>(std::llround(t));
  }
  void settle(uint64_t t) {
    dut_.eval_at(t, false);
    fall_pending_ = false;
  }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  bool bus_bclk() { return case_.codec_master ? codec_.bclk() : dut_->bclk_o; }
  bool bus_lrclk() { return case_.codec_master ? codec_.lrclk() : dut_->lrclk_o; }
  void drive_codec_pins() {
    dut_->bclk_i = codec_.bclk();
    dut_->lrclk_i = codec_.lrclk();
    dut_->adc_i = codec_.adc_sdata();
  }

  void core_rise() {
    const bool running = dut_->running_o;
    if (running_ && !running) ++running_fell_;
    if (!running_ && running) ++running_rose_;
    running_ = running;
  }

  // After an evaluation where BCLK or LRCLK may have changed: the codec sees the bus; on a
  // BCLK rising edge the harness counts the bus frames as a receiver does.
  void bus_event() {
    const bool bclk = bus_bclk(), lrclk = bus_lrclk();
    codec_.sample(bclk, lrclk, dut_->dac_o);
    dut_->adc_i = codec_.adc_sdata();  // slave: the ADC's next bit after a falling edge
    if (bclk && !bclk_) {
      const bool left_level = case_.format == I2sFormat::kLeftJustified;
      if (lrclk_primed_ && lrclk != lrclk_ && lrclk == left_level) {
        ++bus_frame_;
        if (restart_bus_ < 0 && now_event_ >= restart_ps_) restart_bus_ = bus_frame_;
        codec_of_bus_.push_back(codec_.bus_frames());
        rises_ = 0;
      } else {
        ++rises_;
      }
      lrclk_primed_ = true;
      lrclk_ = lrclk;
      if (rises_ == 32 && bus_frame_ >= 0) {
        const Vlathe_live_tb& t = dut_.top();
        status_.resize(static_cast<size_t>(bus_frame_) + 1);
        status_[static_cast<size_t>(bus_frame_)] = {t.frames_o, t.rx_errors_o,  t.underruns_o, t.late_o,
                                                   t.overruns_o, t.clock_stops_o, t.running_o != 0,
                                                   codec_.dac_slot_errors()};
      }
    }
    bclk_ = bclk;
  }

  Case case_;
  std::vector<int32_t> input_;
  lathe::sim::ClockedModel<Vlathe_live_tb> dut_;
  I2sCodec codec_;
  std::mt19937_64 rng_;
  uint64_t codec_stop_at_ = UINT64_MAX, restart_ps_ = UINT64_MAX, now_event_ = 0;
  double frame_ps_ = 0, core_half_ps_ = 0, core_t0_ = 0, mclk_half_ps_ = 0, mclk_t0_ = 0, mclk_offset_ = 0;
  uint64_t core_k_ = 0, core_next_ = UINT64_MAX, mclk_k_ = 0, mclk_next_ = UINT64_MAX;
  uint64_t mclk_stop_at_ = UINT64_MAX, mclk_stop_for_ = 0;
  uint64_t now_ = 0;
  bool bclk_ = false, lrclk_ = false, lrclk_primed_ = false, running_ = false, fall_pending_ = false;
  int64_t bus_frame_ = -1;  // the bus frame now (-1 before the first frame start)
  int64_t enable_bus_ = 0;
  uint32_t rises_ = 0;
  std::vector<uint64_t> codec_of_bus_;
  std::vector<Status> status_;
  uint64_t running_fell_ = 0, running_rose_ = 0;
  uint32_t power_up_frames_ = 0;
  int64_t stop_snapshot_ = -1, restart_bus_ = -1;
  uint64_t stop_codec_frame_ = 0;
};

// What the DAC recorded, bus frame by bus frame, against what the ADC sent.
enum class Got { kNone, kZero, kPattern, kExact, kWrong };

struct Recording {
  std::vector<Got> got;             // per bus frame (harness numbering)
  std::vector<int64_t> delivered;   // per bus frame: the input index it carried (exact), else -1
  std::vector<int64_t> sent;        // per bus frame: the input index the ADC sent in it (-1: none, silence)
  int64_t shift = INT64_MIN;        // measured: bus frames from the ADC to the DAC
  std::string first_wrong;
};

Recording analyse(const Bench& b) {
  const I2sCodec& codec = b.codec();
  const auto& input = b.input();
  const auto& codec_of_bus = b.codec_frame_of_bus();
  const size_t buses = codec_of_bus.size();
  Recording r;
  r.got.assign(buses, Got::kNone);
  r.delivered.assign(buses, -1);
  r.sent.assign(buses, -1);
  // Codec frame number -> bus frame (only frames that began at a frame start have one).
  std::vector<int64_t> bus_of_codec(codec.bus_frames() + 2, -1);
  for (size_t i = 0; i < buses; ++i) bus_of_codec[codec_of_bus[i]] = static_cast<int64_t>(i);
  for (const auto& f : codec.adc_frames_sent()) {
    const int64_t bus = bus_of_codec[f.bus_frame];
    if (bus >= 0) r.sent[static_cast<size_t>(bus)] = f.input_index;
  }
  auto expected = [&](int64_t idx, int ch) -> int32_t {
    const uint32_t v = idx >= 0 ? static_cast<uint32_t>(input[2 * static_cast<size_t>(idx) + ch]) : 0u;
    return sign_extend_24(v ^ (ch ? kPatternRight : kPatternLeft));
  };
  const auto& dac = codec.dac_frames();
  const auto& dac_bus = codec.dac_bus_frames();
  // The shift: from the first recorded frame that is an input's, XORed.
  for (size_t k = 0; k < dac_bus.size() && r.shift == INT64_MIN; ++k) {
    const int64_t bus = bus_of_codec[dac_bus[k]];
    for (int64_t s = 0; s <= 16 && bus - s >= 0; ++s) {
      const int64_t idx = r.sent[static_cast<size_t>(bus - s)];
      if (idx >= 0 && dac[2 * k] == expected(idx, 0) && dac[2 * k + 1] == expected(idx, 1)) r.shift = s;
    }
  }
  const int64_t shift = r.shift == INT64_MIN ? kDelay : r.shift;
  for (size_t k = 0; k < dac_bus.size(); ++k) {
    const int64_t bus = bus_of_codec[dac_bus[k]];
    const int32_t l = dac[2 * k], rt = dac[2 * k + 1];
    Got g = Got::kWrong;
    const int64_t idx = bus - shift >= 0 ? r.sent[static_cast<size_t>(bus - shift)] : -2;
    if (idx >= 0 && l == expected(idx, 0) && rt == expected(idx, 1)) {
      g = Got::kExact;
      r.delivered[static_cast<size_t>(bus)] = idx;
    } else if (l == 0 && rt == 0) {
      g = Got::kZero;
    } else if (l == expected(-1, 0) && rt == expected(-1, 1)) {
      g = Got::kPattern;
    } else if (r.first_wrong.empty()) {
      std::ostringstream s;
      s << "bus frame " << bus << ": DAC " << l << " " << rt << ", the ADC sent input " << idx << " " << shift
        << " frames before";
      r.first_wrong = s.str();
    }
    if (bus >= 0) r.got[static_cast<size_t>(bus)] = g;
  }
  return r;
}

// A clean run: from the first frame start the receiver saw (bus frame b0), the DAC has
// in frame b0 + 2 the receiver's silence for it (the first frame after reset is never
// whole) and maybe once more, then every input at the shift, each once, in order, to the
// end; before that only zeros. The counters: one frame a bus frame, nothing else; with
// `stops` clock stops of more than StopCycles (MCLK: the bus just pauses, nothing is lost),
// clock_stops counts them from the first snapshot after the stop and running is low
// only there.
// strict = false (the first start from power-up in FPGA-master mode): the event counters
// may hold a few counts from the random power-up state, from the first frames only.
uint64_t check_clean(Bench& b, const Recording& r, int64_t last_bus, uint32_t stops = 0, bool strict = true) {
  INFO(describe(b.config()) << "; " << r.first_wrong);
  REQUIRE(r.shift == kDelay);
  // What went before the (last) enable is not checked: the frame the enable came in is
  // still the last on-phase's (FPGA master; its BCLK restarts with the enable).
  const int64_t from = b.enable_bus() + 1;
  int64_t first = -1;  // the first frame the DAC got from the chain
  for (int64_t f = from; f <= last_bus && first < 0; ++f)
    if (r.got[static_cast<size_t>(f)] != Got::kZero && r.got[static_cast<size_t>(f)] != Got::kNone) first = f;
  REQUIRE(first >= 0);
  // The receiver's first frame start is at most two frames after the enable.
  CHECK(first - kDelay >= b.enable_bus());
  CHECK(first - kDelay <= b.enable_bus() + 2);
  const int64_t b0 = first - kDelay;
  uint64_t exact = 0, patterns = 0;
  for (int64_t f = from; f <= last_bus; ++f) {
    const Got g = r.got[static_cast<size_t>(f)];
    bool ok;
    if (f < first) {
      ok = g == Got::kZero || g == Got::kNone;
    } else if (f < first + 2 && g == Got::kPattern && exact == 0) {
      ok = true;
      ++patterns;
    } else {
      ok = g == Got::kExact &&
           (exact == 0 || r.delivered[static_cast<size_t>(f)] == r.delivered[static_cast<size_t>(f - 1)] + 1);
      ++exact;
    }
    if (!ok) FAIL("bus frame " << f << " (the first from the chain " << first << "): " << static_cast<int>(g));
  }
  CHECK(patterns >= 1);
  CHECK(patterns <= 2);
  // frames: one per frame start from the end of b0 on.
  const auto& st = b.status();
  const int64_t stop_at = b.stop_snapshot();
  for (int64_t f = b0 + 1; f <= last_bus; ++f) {
    const Status& s = st[static_cast<size_t>(f)];
    const uint32_t want_stops = stops && f >= stop_at ? stops : 0;
    if (s.frames != static_cast<uint32_t>(f - b0) || (!s.running && !(stops && f == stop_at)) ||
        s.clock_stops != want_stops)
      FAIL("status at bus frame " << f << ": frames " << s.frames << ", want " << f - b0 << ", running "
                                  << s.running << ", clock stops " << s.clock_stops << ", want " << want_stops);
  }
  const Status& s = st[static_cast<size_t>(last_bus)];
  if (strict) {
    CHECK(s.rx_errors == 0);
    CHECK(s.underruns == 0);
    CHECK(s.late == 0);
    CHECK(s.overruns == 0);
  } else {
    const Status& early = st[static_cast<size_t>(b0 + 4)];
    CHECK(s.rx_errors == early.rx_errors);
    CHECK(s.underruns == early.underruns);
    CHECK(s.late == early.late);
    CHECK(s.overruns == early.overruns);
    CHECK(s.rx_errors + s.underruns + s.late + s.overruns <= 4);
    g_power_up_counts += s.rx_errors + s.underruns + s.late + s.overruns;
    WARN(describe(b.config()) << ", first start from power-up: rx_errors " << s.rx_errors << ", underruns "
                              << s.underruns << ", late " << s.late << ", overruns " << s.overruns);
  }
  CHECK(s.clock_stops == stops);
  CHECK(s.running);
  CHECK(b.running_fell() == stops);
  CHECK(b.running_rose() == stops + 1);
  CHECK(b.tb().chain_max_held_o >= 1);
  CHECK(b.tb().chain_max_held_o <= kChainCapacity);
  // The DAC's framing: never wrong once the bus runs (FPGA master: it starts with live mode).
  if (b.config().codec_master) CHECK(b.codec().dac_slot_errors() == 0);
  CHECK(s.dac_slot_errors == st[static_cast<size_t>(b0 + 2)].dac_slot_errors);
  g_frames_checked += exact;
  return exact;
}

uint64_t run_clean(const Case& c, size_t frames) {
  Bench b(c, frames + 16);
  b.start(3.0, !c.codec_master);
  b.run_frames(static_cast<double>(frames) + 4);
  const Recording r = analyse(b);
  const uint64_t exact = check_clean(b, r, b.bus_frames() - 2);
  WARN(describe(c) << ": " << exact << " frames exact at " << r.shift << " bus frames, chain held up to "
                   << static_cast<int>(b.tb().chain_max_held_o) << " at once, " << b.now() * 1e-9 << " ms simulated");
  return exact;
}

// Clean runs; the frames of each in thousands.
uint64_t run_all(std::initializer_list<std::pair<Case, size_t>> runs) {
  uint64_t total = 0;
  for (const auto& [c, k] : runs) total += run_clean(c, 1000 * k);
  WARN(total << " frames checked");
  return total;
}

// Scales the long runs (LATHE_LIVE_CDC_SCALE, default 1) for an experiment.
size_t kfr(size_t k) {
  static const double scale = [] {
    const char* e = std::getenv("LATHE_LIVE_CDC_SCALE");
    return e ? std::atof(e) : 1.0;
  }();
  return std::max<size_t>(1, static_cast<size_t>(static_cast<double>(k) * scale));
}

constexpr auto kI2s = I2sFormat::kI2s;
constexpr auto kLj = I2sFormat::kLeftJustified;

}  // namespace

TEST_CASE("live cdc: codec is clock master, 44.1/48/96 kHz, both formats, 4.0-5.2x BCLK, with and without jitter",
          "[rtl][live][cdc]") {
  run_all({{{"near the 4x minimum", 48000, kI2s, true, 0, 260.5, 0.0, 1}, kfr(140)},
           {{"4.7x", 44100, kLj, true, 0, 301.3, 0.1, 2}, kfr(120)},
           {{"just over 4x", 96000, kI2s, true, 0, 257.3, 0.1, 3}, kfr(140)},
           {{"5.2x", 48000, kLj, true, 0, 333.7, 0.0, 4}, kfr(70)}});
}

TEST_CASE("live cdc: FPGA is clock master from MCLK/2, /4, /8, 44.1/48/96 kHz, both formats, with and without jitter",
          "[rtl][live][cdc]") {
  run_all({{{"4.7x", 48000, kI2s, false, 0, 301.3, 0.0, 5}, kfr(120)},
           {{"near the 4x minimum", 96000, kLj, false, 1, 260.5, 0.1, 6}, kfr(110)},
           {{"MCLK 512 fs", 44100, kI2s, false, 2, 263.9, 0.0, 7}, kfr(60)},
           {{"just over 4x", 44100, kLj, false, 0, 257.1, 0.1, 8}, kfr(120)}});
}

TEST_CASE("live cdc: four reset seeds in each clocking mode, X-initial unique, each from power-up", "[rtl][live][cdc]") {
  std::vector<uint32_t> power_up;
  uint64_t total = 0;
  g_power_up_counts = 0;
  for (const uint32_t seed : {11u, 12u, 13u, 14u}) {
    for (const int mode : {0, 1, 2}) {
      // 0: codec master; 1: FPGA master, first start from power-up; 2: the same, live mode
      // on and off once before.
      const Case c{"reset seed", seed % 2 ? 48000u : 44100u, seed % 2 ? kI2s : kLj, mode == 0, 1, 271.9, 0.05, seed};
      Bench b(c, 4016);
      if (mode == 0) power_up.push_back(b.power_up_frames());
      b.start(1.0 + seed % 3, mode == 2);
      b.run_frames(4004);
      total += check_clean(b, analyse(b), b.bus_frames() - 2, 0, mode != 1);
    }
  }
  // The seeds do give different power-up states.
  std::sort(power_up.begin(), power_up.end());
  CHECK(std::unique(power_up.begin(), power_up.end()) - power_up.begin() == 4);
  WARN(total << " frames checked; " << g_power_up_counts << " events counted from power-up state in FPGA-master first starts");
}

TEST_CASE("live cdc: MCLK stops (FPGA master) for 2x and 1/4 of live_stop_cycles: the bus pauses, nothing is lost",
          "[rtl][live][cdc]") {
  uint64_t total = 0;
  for (const bool long_stop : {true, false}) {
    for (const auto& c : {Case{"MCLK stop", 48000, kI2s, false, 0, 260.5, 0.0, 21},
                          Case{"MCLK stop", 96000, kLj, false, 1, 301.3, 0.1, 22},
                          Case{"MCLK stop", 44100, kI2s, false, 2, 257.1, 0.1, 23}}) {
      Bench b(c, 3016);
      b.start(3.0, true);
      b.run_frames(1000);
      const double stop_ps = (long_stop ? 2.0 : 0.25) * kStopCycles * b.core_period_ps();
      b.stop_mclk(b.now() + static_cast<uint64_t>(b.frame_ps() * (0.5 + (c.seed % 7) / 7.0)), static_cast<uint64_t>(stop_ps));
      b.run_frames(2004 + stop_ps / b.frame_ps());
      INFO((long_stop ? "long stop" : "short stop"));
      REQUIRE(b.stop_snapshot() > 0);
      total += check_clean(b, analyse(b), b.bus_frames() - 2, long_stop ? 1 : 0);
    }
  }
  WARN(total << " frames checked");
}

namespace {

struct StopResult {
  int64_t lost = 0;           // inputs sent from 2 frames before the stop that never came out
  int64_t lock_frames = 0;    // frame starts after the restart before every frame is exact again
  Status before, after;       // the counters before the stop and at the end
};

// A BCLK stop (codec master): the codec starts over with a new frame after it (its
// interrupted frame is lost). Before the stop every frame is exact; across it the DAC
// has only inputs at the shift, the chain's silence or zeros, each input at most once
// and in order; from a bounded number of frames after the restart on, every frame is
// exact again, and the counters are one frame a bus frame again.
StopResult check_codec_stop(Bench& b, uint32_t stops) {
  const Recording r = analyse(b);
  INFO(describe(b.config()) << "; " << r.first_wrong);
  REQUIRE(r.shift == kDelay);
  const int64_t stop = b.stop_snapshot(), restart = b.restart_bus(), last = b.bus_frames() - 2;
  REQUIRE(stop > 10);
  REQUIRE(restart > stop - 2);
  const auto& st = b.status();
  StopResult res;
  // No wrong frame anywhere, each input at most once, in order.
  int64_t prev = -1, first = -1;
  for (int64_t f = b.enable_bus() + 1; f <= last; ++f) {
    const Got g = r.got[static_cast<size_t>(f)];
    if (g == Got::kWrong) FAIL("bus frame " << f << ": a wrong frame");
    if (g == Got::kExact) {
      const int64_t idx = r.delivered[static_cast<size_t>(f)];
      if (idx <= prev) FAIL("bus frame " << f << ": input " << idx << " after input " << prev);
      if (first < 0) first = f;
      prev = idx;
    }
  }
  REQUIRE(first > 0);
  // Exact from the first to 1 frame before the frame of the stop (its frame's data are
  // still going out when it stops), and again from `lock` frames after the restart.
  for (int64_t f = first; f < stop - 1; ++f)
    if (r.got[static_cast<size_t>(f)] != Got::kExact) FAIL("bus frame " << f << " before the stop: not exact");
  int64_t lock = last;
  for (int64_t f = last; f >= restart && r.got[static_cast<size_t>(f)] == Got::kExact; --f) lock = f;
  res.lock_frames = lock - restart;
  // Lost: inputs between the first and the last that came out that did not; each must
  // have been sent within 2 frames of the stop (the codec's numbering).
  std::vector<bool> out(b.input().size() / 2, false);
  int64_t lo = -1, hi = -1;
  for (int64_t f = first; f <= last; ++f) {
    const int64_t idx = r.delivered[static_cast<size_t>(f)];
    if (idx < 0) continue;
    out[static_cast<size_t>(idx)] = true;
    if (lo < 0) lo = idx;
    hi = idx;
  }
  for (const auto& a : b.codec().adc_frames_sent()) {
    if (a.input_index <= lo || a.input_index >= hi || out[static_cast<size_t>(a.input_index)]) continue;
    ++res.lost;
    const int64_t d = static_cast<int64_t>(a.bus_frame) - static_cast<int64_t>(b.stop_codec_frame());
    if (d < -2 || d > 1) FAIL("input " << a.input_index << " lost, sent " << d << " frames from the stop's frame");
  }
  res.before = st[static_cast<size_t>(stop - 1)];
  res.after = st[static_cast<size_t>(last)];
  // After the restart: one frame a bus frame again.
  for (int64_t f = restart + 2; f <= last; ++f)
    if (st[static_cast<size_t>(f)].frames != st[static_cast<size_t>(f - 1)].frames + 1)
      FAIL("status at bus frame " << f << " after the restart: frames " << st[static_cast<size_t>(f)].frames);
  CHECK(res.after.clock_stops == stops);
  CHECK(b.running_fell() == stops);
  CHECK(res.after.running);
  CHECK(res.after.overruns == 0);
  CHECK(res.before.rx_errors == 0);
  CHECK(res.before.underruns == 0);
  CHECK(res.before.late == 0);
  uint64_t exact = 0;
  for (int64_t f = first; f <= last; ++f) exact += r.got[static_cast<size_t>(f)] == Got::kExact;
  g_frames_checked += exact;
  return res;
}


// The losses of a BCLK stop at BCLK `pos` of the codec's frame s (its rising edge does not
// come; the codec starts over with a new frame s + 1 at the restart), from the protocol:
//  - pos 0: no receiver saw frame s begin, the codec restarts that frame: nothing lost.
//  - pos 1-32 (left slot): frame s - 2, on the wire to the DAC in s, is cut off; s is
//    cut off; the restart begins s + 1 with no LRCLK edge (the line is already at the
//    left level), so the receiver sees one long slot (1 slot error) and drops s + 1.
//    Frame s - 1 goes out in the receiver's next frame, the shift kept: 3 inputs lost.
//  - pos 33-62 (right slot): s - 2, s, s + 1 as above (the restart's LRCLK edge ends the
//    right slot early: 1 slot error), and s - 1, whose take at the end of s never comes,
//    is late at the next one (counted): 4 lost.
//  - pos 63 (the take edge itself): the same 4. The restart's first rising edge is where
//    the transmitter's count takes (frame position 62 -> 63), but its LRCLK edge makes it
//    a slip: the edge is the new frame's first, and the transmitter drops what it takes
//    there. lathe_live does not count that as a take, so s - 1 stays due, the frame start
//    puts it behind the schedule one BCLK later, and it is late (counted), as in the
//    right slot. None of the stops is an underrun: no take finds its frame missing.
int64_t stop_losses(int pos) { return pos == 0 ? 0 : pos <= 32 ? 3 : 4; }
uint32_t stop_late(int pos) { return pos >= 33 ? 1 : 0; }

}  // namespace

TEST_CASE("live cdc: the codec's BCLK stops in every part of the frame, for 2x and 1/4 of live_stop_cycles, and restarts",
          "[rtl][live][cdc]") {
  struct Stop {
    I2sFormat format;
    uint32_t rate_hz;
    int pos;
    bool long_stop;
    double jitter;
  };
  std::vector<Stop> stops;
  for (const auto format : {kI2s, kLj})
    for (const int pos : {0, 1, 16, 31, 32, 33, 47, 62, 63}) stops.push_back({format, 48000, pos, true, 0.0});
  for (const int pos : {0, 16, 47, 63}) stops.push_back({kI2s, 44100, pos, false, 0.1});
  for (const int pos : {2, 40}) stops.push_back({kLj, 96000, pos, true, 0.1});
  uint64_t checked = g_frames_checked;
  for (const Stop& x : stops) {
    const Case c{"BCLK stop", x.rate_hz, x.format, true, 0, 260.5, x.jitter, static_cast<uint32_t>(31 + x.pos)};
    const double frame = 1e12 / c.rate_hz, core = frame / c.core_per_frame;
    const uint64_t stop_for = static_cast<uint64_t>((x.long_stop ? 2.0 : 0.25) * kStopCycles * core);
    // The rising edge of BCLK `pos` of the codec's frame 700 (nominally at pos + 0.5) does
    // not come.
    const uint64_t stop_at = kClocksStartPs + static_cast<uint64_t>((699 + (x.pos + 0.25) / 64.0) * frame);
    Bench b(c, 1500 + static_cast<size_t>(stop_for / frame), stop_at, stop_for);
    b.start();
    b.run_to(stop_at + stop_for + static_cast<uint64_t>(700 * frame));
    INFO("stop at BCLK " << x.pos << (x.long_stop ? ", 2x" : ", 1/4x") << " live_stop_cycles");
    const StopResult res = check_codec_stop(b, x.long_stop ? 1 : 0);
    CHECK(res.lost == stop_losses(x.pos));
    CHECK(res.lock_frames <= 3);
    CHECK(res.after.rx_errors == (x.pos == 0 ? 0u : 1u));
    CHECK(res.after.late == stop_late(x.pos));
    CHECK(res.after.underruns == 0);
  }
  WARN(stops.size() << " stops, " << g_frames_checked - checked << " frames checked");
}

namespace {

// A run with the core clock under the deadline's (top of the file): bus frames b0 + 2 on
// have the frame tagged f - 2 either on time (the DAC has it, exact) or late (discarded,
// counted; the DAC has zeros, counted as an underrun once a frame has gone out).
struct LateResult {
  uint64_t on_time = 0, late = 0;
};

LateResult run_late(const Case& c, size_t frames) {
  Bench b(c, frames + 16);
  b.start(3.0, !c.codec_master);
  b.run_frames(static_cast<double>(frames) + 4);
  const Recording r = analyse(b);
  INFO(describe(c) << "; " << r.first_wrong);
  const auto& st = b.status();
  const int64_t last = b.bus_frames() - 2;
  const int64_t b0 = last - st[static_cast<size_t>(last)].frames;
  CHECK(b0 >= b.enable_bus());
  CHECK(b0 <= b.enable_bus() + 2);
  for (int64_t f = b0 + 1; f <= last; ++f)
    if (st[static_cast<size_t>(f)].frames != static_cast<uint32_t>(f - b0)) FAIL("frames at bus frame " << f);
  LateResult res;
  int64_t prev = -1;
  uint64_t zeros_after_first = 0;
  bool sent = false;
  for (int64_t f = b0 + 2; f <= last; ++f) {
    const Got g = r.got[static_cast<size_t>(f)];
    if (g == Got::kExact || g == Got::kPattern) {
      if (g == Got::kExact && r.delivered[static_cast<size_t>(f)] <= prev) FAIL("bus frame " << f << ": out of order");
      if (g == Got::kExact) prev = r.delivered[static_cast<size_t>(f)];
      ++res.on_time;
      sent = true;
    } else if (g == Got::kZero) {
      ++res.late;
      zeros_after_first += sent;
    } else {
      FAIL("bus frame " << f << ": " << static_cast<int>(g));
    }
    // The counters at BCLK 32 of f: the frame due in f was late or not by then.
    const Status& s = st[static_cast<size_t>(f)];
    if (f >= b0 + 3 && (s.late != res.late || s.underruns != zeros_after_first))
      FAIL("bus frame " << f << ": late " << s.late << ", want " << res.late << "; underruns " << s.underruns
                        << ", want " << zeros_after_first);
  }
  const Status& s = st[static_cast<size_t>(last)];
  CHECK(s.rx_errors == 0);
  CHECK(s.overruns == 0);
  CHECK(s.clock_stops == 0);
  g_frames_checked += res.on_time + res.late;
  WARN(describe(c) << ": " << res.on_time << " frames on time, " << res.late << " late, chain held up to "
                   << static_cast<int>(b.tb().chain_max_held_o) << " at once");
  return res;
}

}  // namespace

TEST_CASE("live cdc: a core clock under the deadline: every frame late (3.5x BCLK), or some (3.858x), each one counted",
          "[rtl][live][cdc]") {
  {
    const LateResult r = run_late({"3.5x, under the minimum", 48000, kI2s, true, 0, 224.0, 0.0, 41}, 3000);
    CHECK(r.on_time == 0);
    CHECK(r.late > 2990);
  }
  for (const auto& c : {Case{"3.858x, at the deadline", 48000, kLj, true, 0, 246.9, 0.0, 42},
                        Case{"3.858x, at the deadline", 44100, kI2s, false, 0, 246.9, 0.1, 43}}) {
    const LateResult r = run_late(c, 6000);
    CHECK(r.on_time > 600);
    CHECK(r.late > 600);
  }
  // Just over it (232 core clocks in 60 BCLK): never late.
  const LateResult r = run_late({"3.875x, just over the deadline", 48000, kI2s, true, 0, 248.0, 0.1, 44}, 6000);
  CHECK(r.late == 0);
}
