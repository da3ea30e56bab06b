// SPDX-License-Identifier: MIT
// A stereo audio codec on an I2S bus for simulations: an ADC that shifts frames out and
// a DAC that decodes and records the frames it receives, with the codec generating BCLK
// and LRCLK (codec is master) or following the FPGA's (codec is slave). Event-driven in
// simulated time (picoseconds); it knows nothing of Verilator, so any harness can use it.
//
// Bus format: 2 channels, 32 BCLK per channel slot (BCLK = 64 fs), 24-bit samples MSB
// first, the rest of the slot zeros. I2S: LRCLK low = left, the MSB one BCLK after the
// LRCLK edge; left-justified: LRCLK high = left, the MSB at the LRCLK edge. LRCLK and
// data change on BCLK falling edges and are sampled on rising edges.
//
// Contract with the harness, which owns the FPGA model and the time:
//  - Codec master: t = next_event_ps(); advance_to(t); drive bclk(), lrclk() and
//    adc_sdata() into the FPGA; evaluate the FPGA at t; sample(bus BCLK, bus LRCLK,
//    FPGA's SDATA). A clock stop leaves one event where nothing changes (the rising
//    edge that does not come), then the next is the restart.
//  - Codec slave: next_event_ps() is UINT64_MAX and advance_to() does nothing. After
//    every evaluation of the FPGA that can change BCLK or LRCLK, call sample(...) and
//    then drive adc_sdata() into the FPGA before its next evaluation (the ADC changes its
//    data at the falling edge it has just seen; the FPGA samples it at the next rising).
//  - sample() must see every BCLK edge: it compares BCLK with the previous call's (the
//    first call, before the clocks start, only records the levels). The DAC takes
//    dac_sdata at BCLK rising edges; a slave ADC shifts at falling edges.
//
// Bus frames: the model numbers the frames on the bus so that the harness can measure
// the loop's delay in frame periods: the count goes up where a frame begins, that is at
// the codec's own frame start (master; a restart after a clock stop begins a new frame
// unless the stopped one had no rising edge yet)
// or where the ADC sees LRCLK enter the left-channel level at a BCLK falling edge
// (slave). Every frame the ADC sends and every frame the DAC records carries the number
// of the bus frame it was sent in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lathe::sim {

enum class I2sFormat { kI2s, kLeftJustified };

struct I2sCodecConfig {
  uint32_t sample_rate_hz = 48000;
  I2sFormat format = I2sFormat::kI2s;
  // The codec drives BCLK (64 fs) and LRCLK; otherwise it samples the FPGA's.
  bool master = false;

  // Codec master only. The first frame begins at start_ps (BCLK low until then, LRCLK at
  // the right-channel level, so the first frame begins with an LRCLK edge).
  uint64_t start_ps = 0;
  // Every BCLK edge moves by a uniform random amount in [-jitter_ps, +jitter_ps]; LRCLK
  // and the ADC's data follow each falling edge after a further [0, jitter_ps]. Must be
  // under a quarter of the BCLK half period.
  uint64_t jitter_ps = 0;
  uint64_t jitter_seed = 1;
  // Clock stop: the first BCLK rising edge due at or after stop_at_ps does not come
  // (BCLK parks low, LRCLK holds); from stop_at_ps + stop_for_ps the codec starts over
  // with a new frame (left slot first; the interrupted frame's sample is lost). A stop
  // before a frame's first rising edge restarts that frame instead: no receiver has seen
  // it, so the stop falls between two frames.
  uint64_t stop_at_ps = UINT64_MAX;
  uint64_t stop_for_ps = 0;
  // LRCLK glitch: from the first falling edge at or after glitch_at_ps, the LRCLK pin is
  // inverted for glitch_bclks BCLK periods (the codec's own framing goes on unchanged).
  uint64_t glitch_at_ps = UINT64_MAX;
  uint32_t glitch_bclks = 0;

  // After the last ADC frame: start again from the first (true) or send silence.
  bool adc_loop = false;
};

// One frame the ADC sent: the bus frame it went out in and the index of the input frame
// (-1: silence after the input ran out).
struct I2sAdcFrame {
  uint64_t bus_frame = 0;
  int64_t input_index = -1;
};

class I2sCodec {
 public:
  explicit I2sCodec(const I2sCodecConfig& config);

  // The ADC's input: interleaved left/right signed 24-bit samples (in [-2^23, 2^23 - 1]).
  void set_adc_frames(std::vector<int32_t> interleaved);
  // The same, played from its first frame at the next frame the ADC begins (what it sent
  // before keeps its input indices; a programme started when the listener is ready).
  void restart_adc(std::vector<int32_t> interleaved);

  // Codec master: the time of the next change of its outputs; slave: UINT64_MAX.
  uint64_t next_event_ps() const;
  // Codec master: applies every own edge due at or before t_ps.
  void advance_to(uint64_t t_ps);

  // The codec's output pins (bclk and lrclk are meaningful in master mode).
  bool bclk() const { return bclk_; }
  bool lrclk() const { return lrclk_pin_; }
  bool adc_sdata() const { return adc_sdata_; }

  // The bus after an evaluation of the FPGA: the BCLK and LRCLK in use (the codec's own
  // in master mode) and the FPGA's serial data to the DAC.
  void sample(bool bclk, bool lrclk, bool dac_sdata);

  // What the DAC decoded: interleaved left/right (sign-extended 24-bit) and the bus frame
  // each frame was sent in. A frame is recorded only when both its slots were 32 BCLK
  // between LRCLK edges and its left slot began at an edge that ended a 32-BCLK slot.
  const std::vector<int32_t>& dac_frames() const { return dac_frames_; }
  const std::vector<uint64_t>& dac_bus_frames() const { return dac_bus_frames_; }
  // What the DAC received from bus frame `first_bus` on, one frame per bus frame for
  // `frames` bus frames: interleaved, silence where no frame was recorded.
  std::vector<int32_t> dac_recording(uint64_t first_bus, std::size_t frames) const;
  // DAC slots of the wrong length (an LRCLK edge early, or missing after 32 BCLK).
  uint64_t dac_slot_errors() const { return dac_slot_errors_; }

  const std::vector<I2sAdcFrame>& adc_frames_sent() const { return adc_sent_; }
  // The bus frame the ADC sent input frame `input_index` in, searching the frames sent
  // from the `from`-th on; -1 when it has not been sent.
  int64_t bus_frame_of_input(int64_t input_index, std::size_t from = 0) const;
  uint64_t bus_frames() const { return bus_frame_; }
  // Nominal BCLK half period (BCLK = 64 fs), rounded down.
  uint64_t bclk_half_period_ps() const;

 private:
  enum class Event { kRise, kFall };

  bool left_level() const { return config_.format == I2sFormat::kLeftJustified; }
  int first_bit_pos() const { return config_.format == I2sFormat::kI2s ? 1 : 0; }
  uint64_t nominal_edge_ps(uint64_t k) const;
  int64_t random_offset(uint64_t span, bool symmetric);
  void schedule_next();
  void adc_begin_frame();
  bool adc_bit(bool right_slot, int pos) const;
  void dac_rising(bool lrclk, bool sdata);

  I2sCodecConfig config_;
  std::vector<int32_t> adc_input_;
  uint64_t rng_state_;

  // Master generator: edge k of the frame sequence that began at base_ps_ (k = 0: the
  // frame start's data change with BCLK low; odd k rising, even k >= 2 falling).
  uint64_t base_ps_ = 0;
  uint64_t edge_k_ = 0;
  Event next_kind_ = Event::kRise;
  uint64_t next_ps_ = UINT64_MAX;
  uint64_t data_ps_ = UINT64_MAX;  // a falling edge's data change, if pending
  bool stop_done_ = false;
  bool frame_has_rise_ = false;  // the current frame has had a BCLK rising edge
  bool resume_frame_ = false;    // the restart continues a frame nobody saw
  bool glitch_done_ = false;
  uint32_t glitch_left_ = 0;
  int gen_pos_ = 63;  // BCLK period of the frame, 0-63
  bool lrclk_gen_ = false;

  bool bclk_ = false;
  bool lrclk_pin_ = false;
  bool adc_sdata_ = false;

  // ADC.
  uint64_t bus_frame_ = 0;
  uint64_t adc_next_input_ = 0;
  int32_t adc_left_ = 0;
  int32_t adc_right_ = 0;
  bool adc_slave_primed_ = false;
  bool adc_slave_lrclk_ = false;
  int adc_slave_pos_ = 64;  // slave: BCLK of the slot; 64 and up: no data
  bool adc_slave_right_ = false;
  std::vector<I2sAdcFrame> adc_sent_;

  // What sample() saw last.
  bool seen_primed_ = false;
  bool seen_bclk_ = false;

  // DAC decoder.
  bool dac_primed_ = false;
  bool dac_lrclk_ = false;
  bool dac_counting_ = false;
  int dac_pos_ = 0;
  bool dac_proper_ = false;
  bool dac_left_ok_ = false;
  uint32_t dac_shift_ = 0;
  uint32_t dac_left_hold_ = 0;
  uint64_t dac_left_bus_frame_ = 0;
  std::vector<int32_t> dac_frames_;
  std::vector<uint64_t> dac_bus_frames_;
  uint64_t dac_slot_errors_ = 0;
};

}  // namespace lathe::sim
