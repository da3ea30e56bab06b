// SPDX-License-Identifier: MIT
// A pin-level model of the FT232H in synchronous 245 FIFO mode, as the FPGA sees it: a
// 1 KiB receive buffer (host -> FPGA) and a 1 KiB transmit buffer (FPGA -> host), RXF# and
// TXE# driven from their fill levels plus optional seeded random stalls, and at each
// rising edge of the 60 MHz clock a byte moved exactly when the chip would move it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <vector>

namespace lathe::sim {

struct Ft232hOptions {
  uint32_t seed = 1;
  // Per cycle, the chance that RXF# (TXE#) is held high for a while although the buffer
  // could move a byte, and the longest such stretch in cycles (0: never).
  double rx_stall_rate = 0.0;
  double tx_stall_rate = 0.0;
  uint32_t max_stall_cycles = 0;
};

// The FPGA's outputs, sampled at a rising edge.
struct Ft232hFpgaPins {
  uint8_t data = 0;
  bool data_oe = false;
  bool rd_n = true;
  bool wr_n = true;
  bool oe_n = true;
};

// The chip's outputs during a cycle.
struct Ft232hChipPins {
  uint8_t data = 0;  // valid while OE# is low
  bool rxf_n = true;
  bool txe_n = true;
};

class Ft232h {
 public:
  static constexpr std::size_t kBufferBytes = 1024;

  explicit Ft232h(const Ft232hOptions& options = {});

  // USB side. Returns how many of the bytes fit into the receive buffer.
  std::size_t host_write(std::span<const uint8_t> bytes);
  std::size_t rx_space() const { return kBufferBytes - rx_.size(); }
  std::size_t rx_level() const { return rx_.size(); }
  // Drains the transmit buffer into `out`; returns the number of bytes.
  std::size_t host_read(std::vector<uint8_t>& out);
  std::size_t tx_level() const { return tx_.size(); }
  // SIO_RESET purges: drop what either buffer holds.
  void purge_rx() { rx_.clear(); }
  void purge_tx() { tx_.clear(); }

  // Holds TXE# (RXF#) high for the next `cycles` cycles, on top of the random stalls.
  void hold_txe(uint64_t cycles) { txe_hold_ = cycles; }
  void hold_rxf(uint64_t cycles) { rxf_hold_ = cycles; }

  // Pins: the chip's outputs for this cycle (data depends on the FPGA's OE#).
  Ft232hChipPins outputs(bool oe_n) const;
  // The rising edge: moves the bytes the pins say move, then computes the next cycle's
  // RXF#/TXE#.
  void edge(const Ft232hFpgaPins& fpga);

  // Protocol violations seen on the pins (bus fights, RD# without OE#, ...).
  uint64_t violations() const { return violations_; }
  uint64_t bytes_to_fpga() const { return to_fpga_; }
  uint64_t bytes_from_fpga() const { return from_fpga_; }

 private:
  void update_flags();

  std::deque<uint8_t> rx_, tx_;
  std::mt19937 rng_;
  Ft232hOptions options_;
  uint64_t rx_stall_ = 0, tx_stall_ = 0, txe_hold_ = 0, rxf_hold_ = 0;
  bool rxf_n_ = true, txe_n_ = false;
  uint64_t violations_ = 0, to_fpga_ = 0, from_fpga_ = 0;
};

}  // namespace lathe::sim
