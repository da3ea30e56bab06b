// SPDX-License-Identifier: MIT
// The I2S codec model: master clock generator, ADC shifter and DAC decoder.
#include "lathe/sim/i2s_codec.hpp"

#include "lathe/sim/splitmix.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace lathe::sim {

namespace {

constexpr int kSlotBclks = 32;
constexpr int kFrameBclks = 2 * kSlotBclks;
constexpr int kSampleBits = 24;
constexpr uint32_t kSampleMask = (1u << kSampleBits) - 1u;
constexpr uint64_t kPsPerSecond = 1'000'000'000'000ull;
__extension__ typedef unsigned __int128 Uint128;  // GCC and Clang; for exact edge times

int32_t sign_extend_24(uint32_t bits) {
  return static_cast<int32_t>(bits << (32 - kSampleBits)) >> (32 - kSampleBits);
}

}  // namespace

I2sCodec::I2sCodec(const I2sCodecConfig& config) : config_(config), rng_state_(config.jitter_seed) {
  if (config_.sample_rate_hz == 0) throw std::invalid_argument("I2sCodec: sample rate 0");
  if (config_.master) {
    const uint64_t half = bclk_half_period_ps();
    if (config_.jitter_ps * 4 >= half)
      throw std::invalid_argument("I2sCodec: jitter " + std::to_string(config_.jitter_ps) +
                                  " ps is not under a quarter of the BCLK half period (" + std::to_string(half) + " ps)");
    // Before the first frame: BCLK low, LRCLK at the right-channel level.
    lrclk_gen_ = !left_level();
    lrclk_pin_ = lrclk_gen_;
    base_ps_ = config_.start_ps;
    gen_pos_ = 0;
    data_ps_ = base_ps_;
    edge_k_ = 1;
    schedule_next();
  }
}

void I2sCodec::set_adc_frames(std::vector<int32_t> interleaved) {
  if (interleaved.size() % 2) throw std::invalid_argument("I2sCodec: ADC input is not whole stereo frames");
  adc_input_ = std::move(interleaved);
}

void I2sCodec::restart_adc(std::vector<int32_t> interleaved) {
  set_adc_frames(std::move(interleaved));
  adc_next_input_ = 0;
}

std::vector<int32_t> I2sCodec::dac_recording(uint64_t first_bus, std::size_t frames) const {
  std::vector<int32_t> out(2 * frames, 0);
  for (std::size_t i = 0; i < dac_bus_frames_.size(); ++i) {
    const uint64_t bus = dac_bus_frames_[i];
    if (bus < first_bus || bus - first_bus >= frames) continue;
    out[2 * (bus - first_bus)] = dac_frames_[2 * i];
    out[2 * (bus - first_bus) + 1] = dac_frames_[2 * i + 1];
  }
  return out;
}

int64_t I2sCodec::bus_frame_of_input(int64_t input_index, std::size_t from) const {
  for (std::size_t i = from; i < adc_sent_.size(); ++i)
    if (adc_sent_[i].input_index == input_index) return static_cast<int64_t>(adc_sent_[i].bus_frame);
  return -1;
}

uint64_t I2sCodec::bclk_half_period_ps() const {
  return kPsPerSecond / (uint64_t{2} * kFrameBclks * config_.sample_rate_hz);
}

uint64_t I2sCodec::nominal_edge_ps(uint64_t k) const {
  // Edge k of a frame sequence, rounded to the picosecond without accumulating error.
  const Uint128 edges_per_second = static_cast<Uint128>(2 * kFrameBclks) * config_.sample_rate_hz;
  return static_cast<uint64_t>((static_cast<Uint128>(k) * kPsPerSecond + edges_per_second / 2) / edges_per_second);
}

int64_t I2sCodec::random_offset(uint64_t span, bool symmetric) {
  const uint64_t z = splitmix64(rng_state_);  // reproducible on every platform
  if (span == 0) return 0;
  if (symmetric) return static_cast<int64_t>(z % (2 * span + 1)) - static_cast<int64_t>(span);
  return static_cast<int64_t>(z % (span + 1));
}

uint64_t I2sCodec::next_event_ps() const {
  if (!config_.master) return UINT64_MAX;
  return std::min(next_ps_, data_ps_);
}

void I2sCodec::schedule_next() {
  // The next BCLK edge after edge_k_ - 1 of the current sequence; jitter moves it by at
  // most a quarter half-period, so edges stay in order.
  const int64_t jitter = random_offset(config_.jitter_ps, true);
  next_ps_ = static_cast<uint64_t>(static_cast<int64_t>(base_ps_ + nominal_edge_ps(edge_k_)) + jitter);
  next_kind_ = (edge_k_ % 2) ? Event::kRise : Event::kFall;
}

void I2sCodec::advance_to(uint64_t t_ps) {
  if (!config_.master) return;
  while (std::min(next_ps_, data_ps_) <= t_ps) {
    if (data_ps_ <= next_ps_) {
      // LRCLK and data after a falling edge (or at a frame sequence's start).
      const uint64_t now = data_ps_;
      data_ps_ = UINT64_MAX;
      if (gen_pos_ == 0 && !resume_frame_) {
        ++bus_frame_;
        adc_begin_frame();
      }
      resume_frame_ = false;
      frame_has_rise_ = frame_has_rise_ && gen_pos_ != 0;
      lrclk_gen_ = gen_pos_ < kSlotBclks ? left_level() : !left_level();
      if (!glitch_done_ && now >= config_.glitch_at_ps) {
        glitch_done_ = true;
        glitch_left_ = config_.glitch_bclks;
      }
      lrclk_pin_ = lrclk_gen_ != (glitch_left_ > 0);
      if (glitch_left_ > 0) --glitch_left_;
      adc_sdata_ = adc_bit(gen_pos_ >= kSlotBclks, gen_pos_ % kSlotBclks);
      continue;
    }
    const uint64_t now = next_ps_;
    if (next_kind_ == Event::kRise) {
      if (!stop_done_ && base_ps_ + nominal_edge_ps(edge_k_) >= config_.stop_at_ps) {
        // Clock stop: BCLK stays low; the codec starts over with a new frame, or with
        // the same one if it has had no rising edge yet (then nobody has seen it).
        stop_done_ = true;
        resume_frame_ = gen_pos_ == 0 && !frame_has_rise_;
        base_ps_ = std::max(config_.stop_at_ps + config_.stop_for_ps, now + 1);
        gen_pos_ = 0;
        data_ps_ = base_ps_;
        edge_k_ = 1;
        schedule_next();
        continue;
      }
      bclk_ = true;
      frame_has_rise_ = true;
    } else {
      bclk_ = false;
      gen_pos_ = (gen_pos_ + 1) % kFrameBclks;
      data_ps_ = now + static_cast<uint64_t>(random_offset(config_.jitter_ps, false));
    }
    ++edge_k_;
    schedule_next();
  }
}

void I2sCodec::adc_begin_frame() {
  I2sAdcFrame sent;
  sent.bus_frame = bus_frame_;
  const uint64_t frames = adc_input_.size() / 2;
  if (config_.adc_loop && frames && adc_next_input_ >= frames) adc_next_input_ = 0;
  if (adc_next_input_ < frames) {
    adc_left_ = adc_input_[2 * adc_next_input_];
    adc_right_ = adc_input_[2 * adc_next_input_ + 1];
    sent.input_index = static_cast<int64_t>(adc_next_input_);
    ++adc_next_input_;
  } else {
    adc_left_ = 0;
    adc_right_ = 0;
  }
  adc_sent_.push_back(sent);
}

bool I2sCodec::adc_bit(bool right_slot, int pos) const {
  const int bit = pos - first_bit_pos();
  if (bit < 0 || bit >= kSampleBits) return false;
  const uint32_t sample = static_cast<uint32_t>(right_slot ? adc_right_ : adc_left_) & kSampleMask;
  return (sample >> (kSampleBits - 1 - bit)) & 1u;
}

void I2sCodec::sample(bool bclk, bool lrclk, bool dac_sdata) {
  if (!seen_primed_) {
    seen_primed_ = true;
    seen_bclk_ = bclk;
    adc_slave_lrclk_ = lrclk;
    return;
  }
  const bool rose = bclk && !seen_bclk_;
  const bool fell = !bclk && seen_bclk_;
  seen_bclk_ = bclk;
  if (rose) dac_rising(lrclk, dac_sdata);
  if (fell && !config_.master) {
    // A slave ADC follows LRCLK as it is at the falling edge (the FPGA changes it there):
    // a new slot at each change, the next bit of the slot otherwise.
    if (lrclk != adc_slave_lrclk_) {
      adc_slave_lrclk_ = lrclk;
      adc_slave_pos_ = 0;
      adc_slave_right_ = lrclk != left_level();
      if (!adc_slave_right_) {
        ++bus_frame_;
        adc_begin_frame();
      }
    } else if (adc_slave_pos_ < kFrameBclks) {
      ++adc_slave_pos_;
    }
    adc_sdata_ = adc_slave_pos_ < kSlotBclks && adc_bit(adc_slave_right_, adc_slave_pos_);
  }
}

void I2sCodec::dac_rising(bool lrclk, bool sdata) {
  // The same framing rule as rtl/io/lathe_i2s_rx.sv, written again from the contract.
  const bool edge = dac_primed_ && lrclk != dac_lrclk_;
  dac_primed_ = true;
  dac_lrclk_ = lrclk;
  const bool into_left = lrclk == left_level();
  const bool whole = dac_counting_ && dac_pos_ == kSlotBclks - 1;
  if (edge) {
    if (whole) {
      if (into_left) {
        if (dac_left_ok_) {
          dac_frames_.push_back(sign_extend_24(dac_left_hold_));
          dac_frames_.push_back(sign_extend_24(dac_shift_));
          dac_bus_frames_.push_back(dac_left_bus_frame_);
        }
        dac_left_ok_ = false;
      } else {
        dac_left_hold_ = dac_shift_;
        dac_left_ok_ = dac_proper_;
      }
      dac_proper_ = true;
    } else {
      if (dac_counting_) ++dac_slot_errors_;
      dac_proper_ = false;
      dac_left_ok_ = false;
    }
    if (into_left) dac_left_bus_frame_ = bus_frame_;
    dac_counting_ = true;
    dac_pos_ = 0;
  } else if (dac_counting_) {
    if (dac_pos_ == kSlotBclks - 1) {
      ++dac_slot_errors_;
      dac_counting_ = false;
      dac_proper_ = false;
      dac_left_ok_ = false;
    } else {
      ++dac_pos_;
    }
  }
  const int bit = dac_pos_ - first_bit_pos();
  if (dac_counting_ && bit >= 0 && bit < kSampleBits) dac_shift_ = ((dac_shift_ << 1) | (sdata ? 1u : 0u)) & kSampleMask;
}

}  // namespace lathe::sim
