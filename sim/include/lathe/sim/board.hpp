// SPDX-License-Identifier: MIT
// The simulated board: the Verilated lathe_top behind the FT232H pin model, and a
// Transport over it, so the protocol client runs unchanged against the RTL. Its lathe_core
// is the RTL's, or with SimOptions::core the model core (the bit-exact model behind the
// same registers and timing; sim/rtl/lathe_core_model.sv), which runs far faster. Simulated
// time: the FIFO's 60 MHz clock, 1 ms = 60,000 cycles. With a codec attached (live mode)
// the board also runs the serial-audio clocks, event by event in picoseconds.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lathe/sim/ft232h.hpp"
#include "lathe/sim/i2s_codec.hpp"
#include "lathe/sim/sim_options.hpp"
#include "lathe/transport.hpp"

class Vlathe_top;
class Vlathe_top_model;

namespace lathe::sim {

template <class Top>
class ClockedModel;

// The clocks of a board with a codec: lathe_top's clock (the FT232H's and the core's) and,
// when the FPGA is the I2S clock master, the MCLK it makes BCLK from.
struct BoardClocks {
  uint64_t clk_period_ps = 16667;  // 60 MHz
  uint64_t mclk_period_ps = 0;     // 0: no MCLK (the codec is master)
};

class Board {
 public:
  static constexpr uint64_t kCyclesPerMs = 60000;  // at 60 MHz

  explicit Board(const SimOptions& options = {}, const Ft232hOptions& chip = {});
  SimCore core() const { return rtl_ ? SimCore::kRtl : SimCore::kModel; }
  ~Board();
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  // Queues bytes from the USB side; run() moves them into the chip as it has room.
  void host_write(std::span<const uint8_t> bytes);
  // Puts bytes straight into the chip's receive buffer as far as they fit; returns how many.
  std::size_t feed(std::span<const uint8_t> bytes);
  // Drains what the board sent; returns the number of bytes appended.
  std::size_t host_read(std::vector<uint8_t>& out);
  // Runs the clock.
  void run(uint64_t cycles);

  // From now on the codec is on the board's I2S pins, and the board runs at `clocks`
  // (a live-mode simulation). The codec must outlive the board.
  void attach_codec(I2sCodec& codec, const BoardClocks& clocks);
  // The FT232H's CLKOUT (lathe_top's ft_clk_i) runs with the board's clock, on the same
  // edges, unless stopped: a host gone away (the chip then moves no bytes either).
  void set_ft_clock(bool running) { ft_running_ = running; }
  // Simulated time since the codec was attached, picoseconds (the codec's time).
  uint64_t time_ps() const { return now_ps_; }

  std::size_t queued() const { return queue_.size(); }
  uint64_t cycles() const;
  // Board clocks in a millisecond: kCyclesPerMs, or with a codec its clocks' rate.
  uint64_t cycles_per_ms() const;
  // lathe_top's live_o: live mode is on and frames arrive from the codec.
  bool live() const;
  Ft232h& chip() { return chip_; }
  const Ft232h& chip() const { return chip_; }

 private:
  // The work, for either build of lathe_top (exactly one of rtl_ and model_ is set).
  template <class Top>
  void start(ClockedModel<Top>& dut);
  template <class Top>
  void step(ClockedModel<Top>& dut);
  // With a codec: evaluates every MCLK and codec edge before t_ps.
  template <class Top>
  void run_audio_until(ClockedModel<Top>& dut, uint64_t t_ps);
  template <class Top>
  void eval_at(ClockedModel<Top>& dut, uint64_t t_ps);

  std::unique_ptr<ClockedModel<Vlathe_top>> rtl_;
  std::unique_ptr<ClockedModel<Vlathe_top_model>> model_;
  uint64_t cycles_ = 0;
  I2sCodec* codec_ = nullptr;
  BoardClocks clocks_;
  uint64_t base_ps_ = 0, now_ps_ = 0, next_mclk_ps_ = UINT64_MAX;
  bool ft_running_ = true;
  Ft232h chip_;
  std::deque<uint8_t> queue_;
};

class BoardTransport final : public Transport {
 public:
  explicit BoardTransport(Board& board) : board_(board) {}
  Error write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Error read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) override;
  std::string describe() const override {
    return board_.core() == SimCore::kModel
               ? "simulated board (Verilated lathe_top with the model core, behind an FT232H model)"
               : "simulated board (Verilated lathe_top behind an FT232H model)";
  }

 private:
  Board& board_;
};

}  // namespace lathe::sim
