// SPDX-License-Identifier: MIT
// The simulated board: lathe_top, the FT232H pin model and a Transport over both.
#include "lathe/sim/board.hpp"

#include <algorithm>

#include "Vlathe_top.h"
#include "Vlathe_top_model.h"
#include "lathe/sim/clocked_model.hpp"

namespace lathe::sim {
namespace {
constexpr uint64_t kChunkCycles = 64;  // transport granularity
}

Board::Board(const SimOptions& options, const Ft232hOptions& chip) : chip_(chip) {
  if (options.core == SimCore::kModel) {
    model_ = std::make_unique<ClockedModel<Vlathe_top_model>>(options);
    start(*model_);
  } else {
    rtl_ = std::make_unique<ClockedModel<Vlathe_top>>(options);
    start(*rtl_);
  }
}

template <class Top>
void Board::start(ClockedModel<Top>& dut) {
  auto& top = dut.top();
  top.data_i = 0;
  top.rxf_ni = 1;
  top.txe_ni = 1;
  top.ft_clk_i = 0;
  top.mclk_i = 0;
  top.i2s_bclk_i = 0;
  top.i2s_lrclk_i = 0;
  top.i2s_adc_i = 0;
  // Reset with both clocks running, as on a board: the FT domain's flops take their reset
  // values on its edges (its reset is released on its own clock), so the chip model never
  // sees the random start-up levels of RD#/WR# once it runs.
  top.rst_ni = 0;
  for (int i = 0; i < 4; ++i) {
    top.clk_i = 1;
    top.ft_clk_i = 1;
    dut.eval_at(dut.time() + 1);
    top.clk_i = 0;
    top.ft_clk_i = 0;
    dut.eval_at(dut.time() + 1, false);
  }
  top.rst_ni = 1;
  cycles_ = dut.cycles();
}

Board::~Board() = default;

uint64_t Board::cycles() const { return cycles_; }

void Board::attach_codec(I2sCodec& codec, const BoardClocks& clocks) {
  codec_ = &codec;
  clocks_ = clocks;
  // The codec's time starts here; the simulation's own goes on from where tick() left it.
  base_ps_ = (rtl_ ? rtl_->time() : model_->time()) + 1;
  now_ps_ = 0;
  next_mclk_ps_ = clocks.mclk_period_ps ? clocks.mclk_period_ps / 2 : UINT64_MAX;
  // The codec sees the pins' levels before any edge.
  if (rtl_) eval_at(*rtl_, 0);
  else eval_at(*model_, 0);
}

uint64_t Board::cycles_per_ms() const {
  return codec_ ? std::max<uint64_t>(1, 1'000'000'000 / clocks_.clk_period_ps) : kCyclesPerMs;
}

bool Board::live() const { return rtl_ ? rtl_->top().live_o : model_->top().live_o; }

template <class Top>
void Board::eval_at(ClockedModel<Top>& dut, uint64_t t_ps) {
  dut.eval_at(base_ps_ + t_ps, false);
  auto& top = dut.top();
  const bool master = top.live_clock_master_o;
  codec_->sample(master ? top.i2s_bclk_o : codec_->bclk(), master ? top.i2s_lrclk_o : codec_->lrclk(), top.i2s_dac_o);
  top.i2s_adc_i = codec_->adc_sdata();  // a slave ADC changes its data on the edge it just saw
}

// MCLK and the codec's own clocks between two edges of the board's clock: each edge is
// one evaluation at its time, in time order.
template <class Top>
void Board::run_audio_until(ClockedModel<Top>& dut, uint64_t t_ps) {
  auto& top = dut.top();
  for (;;) {
    const uint64_t codec_at = codec_->next_event_ps();
    const uint64_t at = std::min(codec_at, next_mclk_ps_);
    if (at >= t_ps) return;
    if (at == next_mclk_ps_) {
      top.mclk_i = !top.mclk_i;
      next_mclk_ps_ += clocks_.mclk_period_ps / 2;
    }
    if (at == codec_at) {
      codec_->advance_to(at);
      top.i2s_bclk_i = codec_->bclk();
      top.i2s_lrclk_i = codec_->lrclk();
      top.i2s_adc_i = codec_->adc_sdata();
    }
    eval_at(dut, at);
  }
}

void Board::host_write(std::span<const uint8_t> bytes) { queue_.insert(queue_.end(), bytes.begin(), bytes.end()); }

std::size_t Board::feed(std::span<const uint8_t> bytes) { return chip_.host_write(bytes); }

std::size_t Board::host_read(std::vector<uint8_t>& out) { return chip_.host_read(out); }

template <class Top>
void Board::step(ClockedModel<Top>& dut) {
  auto& top = dut.top();
  const bool ft = ft_running_;
  if (ft) {
    if (!queue_.empty() && chip_.rx_space()) {
      const std::size_t n = std::min(queue_.size(), chip_.rx_space());
      std::vector<uint8_t> chunk(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      chip_.host_write(chunk);
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // Outputs of the FPGA are registered: what the chip samples at this edge.
    Ft232hFpgaPins f;
    f.data = top.data_o;
    f.data_oe = top.data_oe_o;
    f.rd_n = top.rd_no;
    f.wr_n = top.wr_no;
    f.oe_n = top.oe_no;
    const Ft232hChipPins c = chip_.outputs(f.oe_n);
    top.data_i = c.data;
    top.rxf_ni = c.rxf_n;
    top.txe_ni = c.txe_n;
    chip_.edge(f);
  }
  ++cycles_;
  // The board's clock and the FT232H's rise together (or the FT232H's is stopped).
  if (!codec_) {
    top.clk_i = 1;
    if (ft) top.ft_clk_i = 1;
    dut.eval_at(dut.time() + 1);
    top.clk_i = 0;
    if (ft) top.ft_clk_i = 0;
    dut.eval_at(dut.time() + 1, false);
    return;
  }
  // With a codec: the board's clock rises at now_ps_ and falls half a period later.
  run_audio_until(dut, now_ps_);
  top.clk_i = 1;
  if (ft) top.ft_clk_i = 1;
  eval_at(dut, now_ps_);
  const uint64_t fall = now_ps_ + clocks_.clk_period_ps / 2;
  run_audio_until(dut, fall);
  top.clk_i = 0;
  if (ft) top.ft_clk_i = 0;
  now_ps_ += clocks_.clk_period_ps;
  // No flop takes the falling edge and the board's outputs do not change on it, so it
  // needs its own evaluation only if no audio edge comes before the next rising one (that
  // edge's evaluation sees the clock low). With the FPGA's 256 fs MCLK there nearly always
  // is one; with the codec's BCLK (64 fs) in about a quarter of the periods.
  if (std::min(codec_->next_event_ps(), next_mclk_ps_) >= now_ps_) eval_at(dut, fall);
}

void Board::run(uint64_t cycles) {
  if (rtl_)
    for (uint64_t i = 0; i < cycles; ++i) step(*rtl_);
  else
    for (uint64_t i = 0; i < cycles; ++i) step(*model_);
}

Error BoardTransport::write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  uint64_t budget = static_cast<uint64_t>(timeout.count()) * board_.cycles_per_ms();
  const std::size_t total = bytes.size();
  for (;;) {
    bytes = bytes.subspan(board_.feed(bytes));
    if (bytes.empty()) return {};
    if (budget < kChunkCycles)
      return {Errc::kTimeout, "the simulated board took " + std::to_string(total - bytes.size()) + " of " +
                                  std::to_string(total) + " bytes within " + std::to_string(timeout.count()) +
                                  " ms (its FT232H receive buffer stayed full)"};
    board_.run(kChunkCycles);
    budget -= kChunkCycles;
  }
}

Error BoardTransport::read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) {
  uint64_t budget = static_cast<uint64_t>(timeout.count()) * board_.cycles_per_ms();
  for (;;) {
    if (board_.host_read(out)) return {};
    if (budget < kChunkCycles) return {};
    board_.run(kChunkCycles);
    budget -= kChunkCycles;
  }
}

}  // namespace lathe::sim
