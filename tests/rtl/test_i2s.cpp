// SPDX-License-Identifier: MIT
// lathe_i2s_clockgen, lathe_i2s_rx and lathe_i2s_tx in a loop (lathe_i2s_loop_tb.sv) on a
// bus with the codec model (sim/i2s_codec.cpp), event-driven in picoseconds: what the
// codec's DAC records against what its ADC sent, bus frame by bus frame, at 44.1, 48 and
// 96 kHz, I2S and left-justified, FPGA or codec as clock master, with jitter, a clock
// stop and restart, LRCLK glitches and the generator switched off and on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "Vlathe_i2s_loop_tb.h"
#include "lathe/sim/clocked_model.hpp"
#include "lathe/sim/i2s_codec.hpp"
#include "lathe/sim/splitmix.hpp"

using lathe::sim::I2sCodec;
using lathe::sim::I2sCodecConfig;
using lathe::sim::I2sFormat;
using lathe::sim::splitmix64;

namespace {

// The design's loop delay (docs/rtl.md, "Serial audio (I2S)"): a frame received in bus
// frame n is emitted by the receiver one BCLK into frame n + 1, taken by the
// transmitter at the end of frame n + 1 and sent in frame n + 2.
constexpr int64_t kLoopShiftFrames = 2;
constexpr uint64_t kPsPerSecond = 1'000'000'000'000ull;
constexpr uint64_t kResetReleasePs = 1000;
constexpr uint64_t kClocksStartPs = 5000;
constexpr int32_t kFullScalePos = (1 << 23) - 1;
constexpr int32_t kFullScaleNeg = -(1 << 23);

// Random 24-bit frames; one sample in eight is +full scale, -full scale or 0, and frame
// 37 is all zeros.
std::vector<int32_t> test_frames(size_t frames, uint64_t seed) {
  std::vector<int32_t> v;
  v.reserve(2 * frames);
  for (size_t i = 0; i < frames; ++i) {
    for (int ch = 0; ch < 2; ++ch) {
      const uint64_t r = splitmix64(seed);
      int32_t s = static_cast<int32_t>(static_cast<uint32_t>(r) << 8) >> 8;
      switch ((r >> 32) % 24) {
        case 0: s = kFullScalePos; break;
        case 1: s = kFullScaleNeg; break;
        case 2: s = 0; break;
        default: break;
      }
      v.push_back(s);
    }
  }
  if (frames > 40) v[2 * 37] = v[2 * 37 + 1] = 0;
  return v;
}

struct LoopConfig {
  uint32_t rate_hz = 48000;
  I2sFormat format = I2sFormat::kI2s;
  bool codec_master = false;
  int div_log2 = 2;  // FPGA master: MCLK = 64 fs x 2^div_log2 (2: 256 fs)
  uint64_t jitter_ps = 0;
  uint64_t stop_at_ps = UINT64_MAX;
  uint64_t stop_for_ps = 0;
  uint64_t glitch_at_ps = UINT64_MAX;
  uint32_t glitch_bclks = 0;
  uint32_t seed = 1;
};

double frame_ps(uint32_t rate_hz) { return static_cast<double>(kPsPerSecond) / rate_hz; }

// Start of the codec's frame f, plus bclks BCLK periods (codec master, before any stop).
uint64_t codec_frame_start_ps(uint32_t rate_hz, uint64_t f, double bclks = 0) {
  return kClocksStartPs + static_cast<uint64_t>((static_cast<double>(f) + bclks / 64.0) * frame_ps(rate_hz));
}

std::string describe(const LoopConfig& c) {
  std::string s = std::to_string(c.rate_hz) + " Hz, " + (c.format == I2sFormat::kI2s ? "I2S" : "left-justified") +
                  ", " + (c.codec_master ? "codec master" : "FPGA master (MCLK/BCLK " + std::to_string(1 << c.div_log2) + ")");
  if (c.jitter_ps) s += ", jitter +-" + std::to_string(c.jitter_ps) + " ps";
  return s;
}

// The loop on the bus with the codec; this is the only place that evaluates the top.
class Loop {
 public:
  Loop(const LoopConfig& c, const std::vector<int32_t>& input)
      : config_(c), input_(input), dut_(options(c.seed)), codec_(codec_config(c)) {
    codec_.set_adc_frames(input);
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->codec_master_i = c.codec_master;
    dut_->format_i = c.format == I2sFormat::kLeftJustified;
    dut_->div_log2_i = static_cast<uint8_t>(c.div_log2);
    dut_->clockgen_en_i = 0;
    drive_codec_pins();
    dut_.eval_at(0);
    codec_.sample(dut_->bus_bclk_o, dut_->bus_lrclk_o, dut_->dac_sdata_o);
    dut_->rst_ni = 1;
    dut_->clockgen_en_i = !c.codec_master;
    dut_.eval_at(kResetReleasePs);
    if (!c.codec_master) mclk_next_ = mclk_edge_ps(0);
  }

  // Runs every event up to and including t_ps.
  void run_to(uint64_t t_ps) {
    for (;;) {
      const uint64_t codec_t = codec_.next_event_ps();
      const uint64_t t = std::min(codec_t, mclk_next_);
      if (t > t_ps) break;
      if (codec_t == t) {
        codec_.advance_to(t);
        drive_codec_pins();
      }
      if (mclk_next_ == t) {
        dut_->clk_i = !dut_->clk_i;
        mclk_next_ = mclk_edge_ps(++mclk_k_);
      }
      dut_.eval_at(t);
      codec_.sample(dut_->bus_bclk_o, dut_->bus_lrclk_o, dut_->dac_sdata_o);
      dut_->adc_sdata_i = codec_.adc_sdata();
      const bool bclk = dut_->bus_bclk_o;
      if (bclk && !bclk_) {
        if (dut_->rx_valid_o) check_rx_frame();
        watch_tx();
      }
      bclk_ = bclk;
      if (observer_) observer_(t, dut_.top());
    }
    now_ = t_ps;
  }
  void run_frames(double frames) { run_to(now_ + static_cast<uint64_t>(frames * frame_ps(config_.rate_hz))); }

  // The generator's enable (FPGA master), from the next MCLK edge on.
  void set_clockgen_enable(bool on) { dut_->clockgen_en_i = on; }
  void observe(std::function<void(uint64_t, const Vlathe_i2s_loop_tb&)> f) { observer_ = std::move(f); }

  const Vlathe_i2s_loop_tb& tb() { return dut_.top(); }
  const I2sCodec& codec() const { return codec_; }
  // Frames the receiver emitted, and those that were not the ADC's frame of the bus
  // frame before (the receiver emits a frame one BCLK into the next frame).
  uint64_t rx_checked() const { return rx_checked_; }
  uint64_t rx_wrong() const { return rx_wrong_; }
  const std::string& rx_first_wrong() const { return rx_first_wrong_; }
  // The transmitter's take rule: take_o only in the BCLK cycle after frame position 62
  // (so the take is at position 63); and its slip rule: zeros after a slip until the
  // next take. Watched on every BCLK rising edge.
  uint64_t tx_takes() const { return takes_; }
  uint64_t tx_takes_misplaced() const { return takes_misplaced_; }
  uint64_t tx_slip_windows() const { return slip_windows_; }
  uint64_t tx_bits_after_slip() const { return bits_after_slip_; }

 private:
  static lathe::sim::SimOptions options(uint32_t seed) {
    errno = 0;  // Verilator 5.006 reads errno after strtoull without clearing it
    lathe::sim::SimOptions o;
    o.seed = seed;
    o.rand_reset = 2;
    o.max_cycles = 400'000'000;  // a hang guard
    return o;
  }
  static I2sCodecConfig codec_config(const LoopConfig& c) {
    I2sCodecConfig k;
    k.sample_rate_hz = c.rate_hz;
    k.format = c.format;
    k.master = c.codec_master;
    k.start_ps = kClocksStartPs;
    k.jitter_ps = c.jitter_ps;
    k.jitter_seed = c.seed * 7919u + 3u;
    k.stop_at_ps = c.stop_at_ps;
    k.stop_for_ps = c.stop_for_ps;
    k.glitch_at_ps = c.glitch_at_ps;
    k.glitch_bclks = c.glitch_bclks;
    return k;
  }
  uint64_t mclk_edge_ps(uint64_t k) const {
    // MCLK half periods: 2 x 64 fs x 2^div_log2 of them per second, rounded, not accumulated.
    const uint64_t per_second = uint64_t{128} * config_.rate_hz << config_.div_log2;
    return kClocksStartPs + (k * (kPsPerSecond / per_second)) +
           (k * (kPsPerSecond % per_second) + per_second / 2) / per_second;
  }
  void check_rx_frame() {
    ++rx_checked_;
    const uint64_t bus = codec_.bus_frames() - 1;
    const auto& sent = codec_.adc_frames_sent();
    int64_t idx = -2;  // -2: the ADC sent nothing in that bus frame
    for (auto it = sent.rbegin(); it != sent.rend() && it->bus_frame >= bus; ++it) {
      if (it->bus_frame == bus) idx = it->input_index;
    }
    const int32_t want_l = idx >= 0 ? input_[2 * static_cast<size_t>(idx)] : 0;
    const int32_t want_r = idx >= 0 ? input_[2 * static_cast<size_t>(idx) + 1] : 0;
    const int32_t got_l = static_cast<int32_t>(dut_->rx_left_o << 8) >> 8;
    const int32_t got_r = static_cast<int32_t>(dut_->rx_right_o << 8) >> 8;
    if (idx == -2 || got_l != want_l || got_r != want_r) {
      if (!rx_wrong_)
        rx_first_wrong_ = "receiver frame " + std::to_string(rx_checked_) + " in bus frame " + std::to_string(bus + 1) +
                          ": " + std::to_string(got_l) + " " + std::to_string(got_r) + ", ADC sent input " +
                          std::to_string(idx);
      ++rx_wrong_;
    }
  }
  void watch_tx() {
    const bool lrclk = dut_->bus_lrclk_o;
    const bool left_level = config_.format == I2sFormat::kLeftJustified;
    // The frame position as the transmitter counts it: 0 at an LRCLK edge into the left
    // level, 32 into the right.
    if (watch_primed_ && lrclk != watch_lrclk_) {
      watch_pos_ = lrclk == left_level ? 0 : 32;
    } else {
      ++watch_pos_;
    }
    watch_primed_ = true;
    watch_lrclk_ = lrclk;
    // SDATA here is the bit chosen at the previous rising edge.
    if (muted_ && dut_->dac_sdata_o) ++bits_after_slip_;
    if (take_was_high_) {
      muted_ = false;
      ++takes_;
    }
    if (dut_->tx_slips_o != slips_seen_) {
      slips_seen_ = dut_->tx_slips_o;
      muted_ = true;
      ++slip_windows_;
    }
    take_was_high_ = dut_->tx_take_o;
    if (take_was_high_ && watch_pos_ != 62) ++takes_misplaced_;
  }
  void drive_codec_pins() {
    dut_->codec_bclk_i = codec_.bclk();
    dut_->codec_lrclk_i = codec_.lrclk();
    dut_->adc_sdata_i = codec_.adc_sdata();
  }

  LoopConfig config_;
  std::vector<int32_t> input_;
  lathe::sim::ClockedModel<Vlathe_i2s_loop_tb> dut_;
  I2sCodec codec_;
  uint64_t mclk_k_ = 0;
  uint64_t mclk_next_ = UINT64_MAX;
  uint64_t now_ = kResetReleasePs;
  bool bclk_ = false;
  uint64_t rx_checked_ = 0, rx_wrong_ = 0;
  bool watch_primed_ = false, watch_lrclk_ = false, take_was_high_ = false, muted_ = false;
  uint64_t watch_pos_ = 0, takes_ = 0, takes_misplaced_ = 0, slip_windows_ = 0, bits_after_slip_ = 0;
  uint16_t slips_seen_ = 0;
  std::string rx_first_wrong_;
  std::function<void(uint64_t, const Vlathe_i2s_loop_tb&)> observer_;
};

// What the DAC recorded, judged against what the ADC sent shift bus frames before.
struct LoopCheck {
  int64_t shift = INT64_MIN;      // measured: bus frames from the ADC to the DAC
  uint64_t dac_frames = 0;
  uint64_t matched = 0;           // equal to the input frame sent shift frames before
  uint64_t zeros = 0;             // zeros with no input frame behind them (underrun, silence)
  uint64_t wrong = 0;             // anything else: garbage
  std::string first_wrong;
  std::vector<int64_t> delivered;        // input indices, in DAC order
  std::vector<uint64_t> matched_bus;     // DAC bus frames of the matched frames
};

LoopCheck check_loop(const I2sCodec& codec, const std::vector<int32_t>& input) {
  LoopCheck c;
  std::map<uint64_t, int64_t> sent;  // bus frame -> input index (-1: silence)
  std::map<int64_t, uint64_t> sent_at;
  for (const auto& f : codec.adc_frames_sent()) {
    sent[f.bus_frame] = f.input_index;
    if (f.input_index >= 0) sent_at[f.input_index] = f.bus_frame;
  }
  const auto& dac = codec.dac_frames();
  const auto& bus = codec.dac_bus_frames();
  c.dac_frames = bus.size();
  // The shift: from the first non-zero frame the DAC recorded and the input it equals.
  for (size_t r = 0; r < bus.size() && c.shift == INT64_MIN; ++r) {
    if (dac[2 * r] == 0 && dac[2 * r + 1] == 0) continue;
    for (size_t i = 0; 2 * i < input.size(); ++i) {
      if (input[2 * i] == dac[2 * r] && input[2 * i + 1] == dac[2 * r + 1] && sent_at.count(static_cast<int64_t>(i))) {
        c.shift = static_cast<int64_t>(bus[r]) - static_cast<int64_t>(sent_at[static_cast<int64_t>(i)]);
        break;
      }
    }
  }
  for (size_t r = 0; r < bus.size(); ++r) {
    const int32_t l = dac[2 * r], rt = dac[2 * r + 1];
    const auto it = sent.find(bus[r] - static_cast<uint64_t>(c.shift));
    const int64_t idx = (c.shift != INT64_MIN && it != sent.end()) ? it->second : -1;
    if (idx >= 0 && input[2 * idx] == l && input[2 * idx + 1] == rt) {
      ++c.matched;
      c.delivered.push_back(idx);
      c.matched_bus.push_back(bus[r]);
    } else if (l == 0 && rt == 0) {
      ++c.zeros;
    } else {
      if (!c.wrong)
        c.first_wrong = "DAC frame " + std::to_string(r) + " (bus frame " + std::to_string(bus[r]) + "): " +
                        std::to_string(l) + " " + std::to_string(rt) + ", expected input " + std::to_string(idx);
      ++c.wrong;
    }
  }
  return c;
}

// An uninterrupted run: every input from the receiver's first frame to the last is
// delivered, in bus frames without a gap, with the design's shift; no framing errors
// anywhere and no underrun once the loop has filled.
void check_clean_loop(const LoopConfig& cfg, size_t frames) {
  const auto input = test_frames(frames, cfg.seed * 1000003u + cfg.rate_hz);
  Loop loop(cfg, input);
  loop.run_frames(8);
  const uint64_t underruns_at_start = loop.tb().tx_underruns_o;
  loop.run_frames(static_cast<double>(frames) + 4);
  const LoopCheck c = check_loop(loop.codec(), input);
  INFO(describe(cfg) << ": " << c.first_wrong << loop.rx_first_wrong());
  REQUIRE(loop.rx_wrong() == 0);
  CHECK(loop.rx_checked() >= frames);
  REQUIRE(c.wrong == 0);
  REQUIRE(c.matched > 0);
  CHECK(c.shift == kLoopShiftFrames);
  REQUIRE(c.delivered.front() <= 2);
  CHECK(c.delivered.back() == static_cast<int64_t>(frames) - 1);
  for (size_t j = 1; j < c.delivered.size(); ++j) {
    if (c.delivered[j] != c.delivered[j - 1] + 1 || c.matched_bus[j] != c.matched_bus[j - 1] + 1) {
      FAIL("gap after input " << c.delivered[j - 1] << " (bus frame " << c.matched_bus[j - 1] << ")");
    }
  }
  CHECK(loop.tb().rx_locked_o);
  CHECK(loop.tb().tx_locked_o);
  // One frame-start strobe per frame the codec began (the receiver misses the first edge
  // after reset, or the ADC a first frame with no LRCLK edge).
  CHECK(static_cast<int64_t>(loop.tb().rx_frame_starts_o) - static_cast<int64_t>(loop.codec().bus_frames()) >= -1);
  CHECK(static_cast<int64_t>(loop.tb().rx_frame_starts_o) - static_cast<int64_t>(loop.codec().bus_frames()) <= 1);
  CHECK(loop.tx_takes() >= frames);
  CHECK(loop.tx_takes_misplaced() == 0);
  CHECK(loop.tb().rx_slot_errors_o == 0);
  CHECK(loop.tb().tx_slips_o == 0);
  CHECK(loop.codec().dac_slot_errors() == 0);
  CHECK(loop.tb().tx_underruns_o == underruns_at_start);
  CHECK(underruns_at_start <= 3);
  WARN(describe(cfg) << ": " << c.matched << " frames bit-exact, shift " << c.shift << " frames, first input "
                     << c.delivered.front() << ", " << underruns_at_start << " underruns at start");
}

// A disturbed run (clock stop, glitch, generator off and on): the DAC records nothing
// but the inputs with the design's shift or zeros; inputs are lost only near the event;
// afterwards every input is delivered again, with the same shift.
struct Disturbed {
  uint64_t lost = 0;
  uint64_t rx_errors = 0, underruns = 0, slips = 0;
};

// The counters and the codec's bus frame just before the event.
struct Before {
  uint64_t bus_frame = 0, rx_errors = 0, underruns = 0, slips = 0;
};

Before before_event(Loop& loop) {
  return {loop.codec().bus_frames(), loop.tb().rx_slot_errors_o, loop.tb().tx_underruns_o, loop.tb().tx_slips_o};
}

// The smallest and largest of each count over many runs, for the report.
struct DisturbedRange {
  Disturbed lo{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}, hi;
  void add(const Disturbed& d) {
    lo = {std::min(lo.lost, d.lost), std::min(lo.rx_errors, d.rx_errors), std::min(lo.underruns, d.underruns),
          std::min(lo.slips, d.slips)};
    hi = {std::max(hi.lost, d.lost), std::max(hi.rx_errors, d.rx_errors), std::max(hi.underruns, d.underruns),
          std::max(hi.slips, d.slips)};
  }
};

std::string summary(const DisturbedRange& r) {
  auto span = [](uint64_t a, uint64_t b) { return a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b); };
  return span(r.lo.lost, r.hi.lost) + " frames lost, rx slot errors " + span(r.lo.rx_errors, r.hi.rx_errors) +
         ", underruns " + span(r.lo.underruns, r.hi.underruns) + ", tx slips " + span(r.lo.slips, r.hi.slips);
}

std::string summary(const Disturbed& d) {
  return std::to_string(d.lost) + " frames lost, rx slot errors " + std::to_string(d.rx_errors) + ", underruns " +
         std::to_string(d.underruns) + ", tx slips " + std::to_string(d.slips);
}

Disturbed check_disturbed_loop(const LoopConfig& cfg, Loop& loop, const std::vector<int32_t>& input,
                               const Before& before) {
  const uint64_t event_bus_frame = before.bus_frame;
  const LoopCheck c = check_loop(loop.codec(), input);
  INFO(describe(cfg) << ", event at bus frame " << event_bus_frame << ": " << c.first_wrong << loop.rx_first_wrong());
  REQUIRE(loop.rx_wrong() == 0);
  REQUIRE(c.wrong == 0);
  REQUIRE(c.shift == kLoopShiftFrames);
  for (size_t j = 1; j < c.delivered.size(); ++j) REQUIRE(c.delivered[j] > c.delivered[j - 1]);
  // Every input sent more than 3 frames from the event and early enough to arrive.
  Disturbed d;
  std::vector<bool> got(input.size() / 2, false);
  for (int64_t i : c.delivered) got[static_cast<size_t>(i)] = true;
  const uint64_t last_bus = loop.codec().bus_frames();
  REQUIRE(c.delivered.front() <= 2);  // the receiver locks within the first frames
  for (const auto& f : loop.codec().adc_frames_sent()) {
    if (f.input_index < c.delivered.front() || f.bus_frame + kLoopShiftFrames + 1 >= last_bus) continue;
    if (got[static_cast<size_t>(f.input_index)]) continue;
    ++d.lost;
    const bool near = f.bus_frame + 3 >= event_bus_frame && f.bus_frame <= event_bus_frame + 3;
    if (!near) FAIL("input " << f.input_index << " (bus frame " << f.bus_frame << ") lost far from the event");
  }
  CHECK(loop.tx_takes_misplaced() == 0);
  CHECK(loop.tx_bits_after_slip() == 0);
  CHECK(loop.tx_slip_windows() == loop.tb().tx_slips_o);
  d.rx_errors = loop.tb().rx_slot_errors_o - before.rx_errors;
  d.underruns = loop.tb().tx_underruns_o - before.underruns;
  d.slips = loop.tb().tx_slips_o - before.slips;
  CHECK(d.lost <= 5);
  CHECK(c.delivered.back() == static_cast<int64_t>(input.size() / 2) - 1);
  return d;
}

}  // namespace

TEST_CASE("lathe_i2s codec model: its ADC wired to its DAC records its input, looped, under jitter", "[i2s]") {
  for (I2sFormat format : {I2sFormat::kI2s, I2sFormat::kLeftJustified}) {
    I2sCodecConfig k;
    k.sample_rate_hz = 88200;
    k.format = format;
    k.master = true;
    k.jitter_ps = 10000;
    k.adc_loop = true;
    const size_t frames = 97;
    const auto input = test_frames(frames, 5);
    I2sCodec codec(k);
    codec.set_adc_frames(input);
    codec.sample(codec.bclk(), codec.lrclk(), codec.adc_sdata());
    while (codec.bus_frames() < 1000) {
      codec.advance_to(codec.next_event_ps());
      codec.sample(codec.bclk(), codec.lrclk(), codec.adc_sdata());
    }
    std::map<uint64_t, int64_t> sent;
    for (const auto& f : codec.adc_frames_sent()) sent[f.bus_frame] = f.input_index;
    const auto& dac = codec.dac_frames();
    const auto& bus = codec.dac_bus_frames();
    REQUIRE(bus.size() >= 996);  // all but the first frames and the one in progress
    for (size_t r = 0; r < bus.size(); ++r) {
      const int64_t i = sent.at(bus[r]);  // the same bus frame: a wire has no delay
      REQUIRE(i == static_cast<int64_t>((bus[r] - 1) % frames));
      REQUIRE(dac[2 * r] == input[2 * static_cast<size_t>(i)]);
      REQUIRE(dac[2 * r + 1] == input[2 * static_cast<size_t>(i) + 1]);
    }
    CHECK(codec.dac_slot_errors() == 0);
  }
}

TEST_CASE("lathe_i2s_clockgen: BCLK = MCLK/2, /4, /8 at 50 % duty, LRCLK every 32 BCLK on falling edges, parked low when off",
          "[rtl][i2s]") {
  for (int div_log2 : {1, 2, 3}) {
    for (I2sFormat format : {I2sFormat::kI2s, I2sFormat::kLeftJustified}) {
      LoopConfig cfg;
      cfg.div_log2 = div_log2;
      cfg.format = format;
      cfg.seed = static_cast<uint32_t>(10 + div_log2);
      const size_t frames = 300;
      const auto input = test_frames(frames, 77u + static_cast<uint64_t>(div_log2));
      Loop loop(cfg, input);
      // MCLK rising edges per BCLK phase, BCLK falls per LRCLK level, where LRCLK changes;
      // while off, that both clocks are low from the first MCLK edge.
      const int half = 1 << (div_log2 - 1);
      bool mclk = false, bclk = false, lrclk = false, off = false;
      int mclk_rises = 0, bclk_falls = 0, lrclk_changes = 0;
      int bclk_edges_seen = 0, lrclk_edges_seen = 0, bad_duty = 0, bad_slot = 0, lrclk_off_edge = 0, parked_violations = 0;
      loop.observe([&](uint64_t, const Vlathe_i2s_loop_tb& tb) {
        const bool m = tb.clk_i, b = tb.bus_bclk_o, l = tb.bus_lrclk_o;
        if (m && !mclk) ++mclk_rises;
        if (off) {
          if (mclk_rises >= 1 && (b || l)) ++parked_violations;
        } else {
          if (b != bclk) {
            ++bclk_edges_seen;
            if (mclk_rises != half) ++bad_duty;
            mclk_rises = 0;
            if (!b) ++bclk_falls;
          }
          if (l != lrclk) {
            ++lrclk_edges_seen;
            if (!(bclk && !b)) ++lrclk_off_edge;  // LRCLK moves only with a BCLK falling edge
            if (lrclk_changes > 0 && bclk_falls != 32) ++bad_slot;
            ++lrclk_changes;
            bclk_falls = 0;
          }
        }
        mclk = m;
        bclk = b;
        lrclk = l;
      });
      loop.run_frames(150.37);  // mid-frame
      const Before before = before_event(loop);
      loop.set_clockgen_enable(false);
      off = true;
      mclk_rises = 0;
      const int edges_before_off = bclk_edges_seen;
      CHECK(edges_before_off >= 150 * 128 - 2);
      loop.run_frames(7.3);
      const uint64_t frames_while_off = loop.tb().rx_frames_o;
      loop.run_frames(3);
      CHECK(loop.tb().rx_frames_o == frames_while_off);
      // On again: the first BCLK phase and the first slot are whole again.
      off = false;
      mclk_rises = 0;
      bclk_falls = 0;
      lrclk_changes = 0;
      loop.set_clockgen_enable(true);
      loop.run_frames(static_cast<double>(frames) - 150.37 + 4);
      INFO("MCLK/BCLK " << (1 << div_log2) << (format == I2sFormat::kI2s ? ", I2S" : ", left-justified"));
      CHECK(lrclk_edges_seen >= 2 * static_cast<int>(frames) - 30);
      CHECK(bad_duty == 0);
      CHECK(bad_slot == 0);
      CHECK(lrclk_off_edge == 0);
      CHECK(parked_violations == 0);
      const Disturbed d = check_disturbed_loop(cfg, loop, input, before);
      CHECK(d.rx_errors + d.underruns > 0);
      WARN(describe(cfg) << ", generator off and on: " << summary(d));
    }
  }
}

// check_clean_loop at 44.1, 48 and 96 kHz (or the rates given), both formats.
void check_rates_and_formats(LoopConfig cfg, size_t frames, std::initializer_list<uint32_t> rates = {44100, 48000, 96000}) {
  for (uint32_t rate : rates) {
    for (I2sFormat format : {I2sFormat::kI2s, I2sFormat::kLeftJustified}) {
      cfg.rate_hz = rate;
      cfg.format = format;
      ++cfg.seed;
      check_clean_loop(cfg, frames);
    }
  }
}

TEST_CASE("lathe_i2s loopback is bit-exact with the FPGA as clock master: 44.1, 48, 96 kHz, both formats, MCLK 128-512 fs",
          "[rtl][i2s]") {
  LoopConfig cfg;
  cfg.seed = 20;
  check_rates_and_formats(cfg, 10000);
  for (int div_log2 : {1, 3}) {
    cfg.div_log2 = div_log2;
    cfg.seed += 10;
    check_rates_and_formats(cfg, 3000, {48000});
  }
}

TEST_CASE("lathe_i2s loopback is bit-exact with the codec as clock master: 44.1, 48, 96 kHz, both formats", "[rtl][i2s]") {
  LoopConfig cfg;
  cfg.codec_master = true;
  cfg.seed = 40;
  check_rates_and_formats(cfg, 20000);
}

TEST_CASE("lathe_i2s loopback stays bit-exact under the codec's BCLK jitter", "[rtl][i2s]") {
  LoopConfig cfg;
  cfg.codec_master = true;
  cfg.seed = 60;
  for (uint32_t rate : {44100u, 96000u}) {
    // Just under a quarter of the BCLK half period: 44 ns at 44.1 kHz, 20 ns at 96 kHz.
    cfg.jitter_ps = kPsPerSecond / (128ull * rate) / 4 - 1;
    check_rates_and_formats(cfg, 20000, {rate});
    cfg.seed += 10;
  }
}

TEST_CASE("lathe_i2s clock stop and restart (codec master): no garbage, counted, bit-exact again with the same shift",
          "[rtl][i2s]") {
  struct Stop {
    uint32_t rate;
    I2sFormat format;
    double at_bclk;  // position in the frame where the clocks stop
    double for_frames;
    // Between two frames (after the last BCLK rising edge of one, before the first of
    // the next): no receiver can tell; nothing may be lost.
    bool seamless = false;
  };
  const Stop stops[] = {
      {48000, I2sFormat::kI2s, 12.5, 48.0},          {48000, I2sFormat::kLeftJustified, 12.5, 48.0},
      {44100, I2sFormat::kI2s, 44.2, 11.0},          {44100, I2sFormat::kLeftJustified, 44.2, 11.0},
      {96000, I2sFormat::kI2s, 1.3, 3.37},           {96000, I2sFormat::kLeftJustified, 62.7, 3.37},
      {48000, I2sFormat::kLeftJustified, 31.6, 0.2}, {48000, I2sFormat::kI2s, 32.4, 0.2},
      {48000, I2sFormat::kI2s, 63.7, 5.0, true},     {44100, I2sFormat::kLeftJustified, 0.2, 2.0, true},
  };
  std::vector<Stop> all(std::begin(stops), std::end(stops));
  // And random ones: anywhere in the frame (clear of the rising edges, where it is
  // decided whether the edge came), 0.05 to 40 frames long.
  uint64_t r = 4242;
  for (uint32_t rate : {44100u, 48000u, 96000u}) {
    for (I2sFormat format : {I2sFormat::kI2s, I2sFormat::kLeftJustified}) {
      for (int i = 0; i < 6; ++i) {
        double at = static_cast<double>(splitmix64(r) % 6400) / 100.0;
        const double frac = at - static_cast<int>(at);
        if (frac > 0.4 && frac < 0.6) at += 0.25;
        if (at >= 64.0) at -= 64.0;
        const double for_frames = 0.05 * std::pow(800.0, static_cast<double>(splitmix64(r) % 1000) / 1000.0);
        const double in_frame = at - 64.0 * static_cast<int>(at / 64.0);
        all.push_back({rate, format, at, for_frames, in_frame > 63.5 || in_frame < 0.5});
      }
    }
  }
  uint32_t seed = 80;
  uint64_t total_frames = 0, seamless_runs = 0;
  DisturbedRange mid_frame;
  for (const Stop& s : all) {
    LoopConfig cfg;
    cfg.rate_hz = s.rate;
    cfg.format = s.format;
    cfg.codec_master = true;
    cfg.seed = ++seed;
    const size_t frames = 700;
    const uint64_t stop_frame = 200 + seed % 200;
    const double period_ps = frame_ps(s.rate);
    cfg.stop_at_ps = codec_frame_start_ps(s.rate, stop_frame, s.at_bclk);
    cfg.stop_for_ps = static_cast<uint64_t>(s.for_frames * period_ps);
    const auto input = test_frames(frames, seed);
    Loop loop(cfg, input);
    loop.run_to(cfg.stop_at_ps - 1);
    const Before before = before_event(loop);
    // While stopped: no frame out of the receiver, none into the DAC.
    loop.run_to(cfg.stop_at_ps + static_cast<uint64_t>(period_ps / 64 + 1));
    const uint64_t rx_frames = loop.tb().rx_frames_o;
    const size_t dac_frames = loop.codec().dac_frames().size();
    loop.run_to(cfg.stop_at_ps + cfg.stop_for_ps - 1);
    CHECK(loop.tb().rx_frames_o == rx_frames);
    CHECK(loop.codec().dac_frames().size() == dac_frames);
    loop.run_to(cfg.stop_at_ps + cfg.stop_for_ps + static_cast<uint64_t>((frames - stop_frame + 4) * period_ps));
    INFO(describe(cfg) << ", stop at BCLK " << s.at_bclk << " of frame " << stop_frame << " for " << s.for_frames
                       << " frames");
    const Disturbed d = check_disturbed_loop(cfg, loop, input, before);
    if (s.seamless) {
      ++seamless_runs;
      CHECK(d.lost == 0);
      CHECK(d.rx_errors + d.underruns + d.slips == 0);
    } else {
      CHECK(d.rx_errors > 0);
      CHECK(d.underruns > 0);
      CHECK(d.lost > 0);
      mid_frame.add(d);
    }
    total_frames += loop.codec().dac_frames().size();
    if (&s - all.data() < static_cast<std::ptrdiff_t>(std::size(stops)))
      WARN(describe(cfg) << ", clock stop at BCLK " << s.at_bclk << " for " << s.for_frames << " frames: " << summary(d));
  }
  WARN(all.size() << " clock stops (" << seamless_runs << " between frames), " << total_frames
                  << " DAC frames checked; mid-frame stops: " << summary(mid_frame));
}

TEST_CASE("lathe_i2s LRCLK glitch mid-slot (codec master): counted, the frame dropped, the stream recovers", "[rtl][i2s]") {
  struct Glitch {
    I2sFormat format;
    double at_bclk;
    uint32_t bclks;
  };
  const Glitch glitches[] = {
      {I2sFormat::kI2s, 10.0, 3},  {I2sFormat::kLeftJustified, 10.0, 3},  {I2sFormat::kI2s, 45.0, 1},
      {I2sFormat::kLeftJustified, 45.0, 1}, {I2sFormat::kI2s, 20.0, 20}, {I2sFormat::kLeftJustified, 50.0, 40},
  };
  std::vector<Glitch> all(std::begin(glitches), std::end(glitches));
  uint64_t r = 777;
  for (int i = 0; i < 24; ++i) {
    const double at = 0.6 + static_cast<double>(splitmix64(r) % 628) / 10.0;
    all.push_back({i % 2 ? I2sFormat::kI2s : I2sFormat::kLeftJustified, at, 1 + static_cast<uint32_t>(splitmix64(r) % 40)});
  }
  uint32_t seed = 100;
  uint64_t total_frames = 0;
  DisturbedRange range;
  for (const Glitch& g : all) {
    LoopConfig cfg;
    cfg.rate_hz = seed % 2 ? 48000 : 96000;
    cfg.format = g.format;
    cfg.codec_master = true;
    cfg.seed = ++seed;
    const size_t frames = 500;
    const uint64_t glitch_frame = 200;
    // From the falling edge before BCLK at_bclk (the glitch starts at a falling edge).
    cfg.glitch_at_ps = codec_frame_start_ps(cfg.rate_hz, glitch_frame, g.at_bclk - 0.5);
    cfg.glitch_bclks = g.bclks;
    const auto input = test_frames(frames, seed);
    Loop loop(cfg, input);
    loop.run_to(cfg.glitch_at_ps - 1);
    const Before before = before_event(loop);
    const uint64_t dac_errors = loop.codec().dac_slot_errors();
    loop.run_frames(static_cast<double>(frames - glitch_frame) + 4);
    INFO(describe(cfg) << ", LRCLK inverted at BCLK " << g.at_bclk << " for " << g.bclks << " BCLK");
    const Disturbed d = check_disturbed_loop(cfg, loop, input, before);
    CHECK(d.rx_errors > 0);
    CHECK(d.slips > 0);
    CHECK(d.lost > 0);
    CHECK(loop.codec().dac_slot_errors() > dac_errors);
    total_frames += loop.codec().dac_frames().size();
    range.add(d);
    if (&g - all.data() < static_cast<std::ptrdiff_t>(std::size(glitches)))
      WARN(describe(cfg) << ", LRCLK glitch at BCLK " << g.at_bclk << " for " << g.bclks << ": " << summary(d));
  }
  WARN(all.size() << " glitches, " << total_frames << " DAC frames checked: " << summary(range));
}
