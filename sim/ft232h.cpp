// SPDX-License-Identifier: MIT
// The FT232H synchronous 245 FIFO pin model.
#include "lathe/sim/ft232h.hpp"

namespace lathe::sim {

Ft232h::Ft232h(const Ft232hOptions& options) : rng_(options.seed), options_(options) { update_flags(); }

std::size_t Ft232h::host_write(std::span<const uint8_t> bytes) {
  const std::size_t n = std::min(bytes.size(), rx_space());
  rx_.insert(rx_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
  // A byte written between edges shows on RXF# from the next edge on, as flags are
  // recomputed only at edges; an idle chip shows it at once (it is a USB packet away).
  if (rxf_n_ && rx_stall_ == 0 && rxf_hold_ == 0 && !rx_.empty()) rxf_n_ = false;
  return n;
}

std::size_t Ft232h::host_read(std::vector<uint8_t>& out) {
  const std::size_t n = tx_.size();
  out.insert(out.end(), tx_.begin(), tx_.end());
  tx_.clear();
  if (txe_n_ && tx_stall_ == 0 && txe_hold_ == 0) txe_n_ = false;
  return n;
}

Ft232hChipPins Ft232h::outputs(bool oe_n) const {
  Ft232hChipPins p;
  p.rxf_n = rxf_n_;
  p.txe_n = txe_n_;
  p.data = (!oe_n && !rx_.empty()) ? rx_.front() : 0x00;
  return p;
}

void Ft232h::edge(const Ft232hFpgaPins& f) {
  if (!f.oe_n && f.data_oe) ++violations_;      // both drive the bus
  if (!f.rd_n && f.oe_n) ++violations_;         // RD# without OE#
  if (!f.wr_n && !f.data_oe) ++violations_;     // WR# without data driven
  if (!f.rd_n && !f.wr_n) ++violations_;
  if (!rxf_n_ && !f.rd_n && !f.oe_n) {
    rx_.pop_front();
    ++to_fpga_;
  }
  if (!txe_n_ && !f.wr_n) {
    tx_.push_back(f.data);
    ++from_fpga_;
  }
  update_flags();
}

void Ft232h::update_flags() {
  if (rx_stall_) --rx_stall_;
  if (tx_stall_) --tx_stall_;
  if (rxf_hold_) --rxf_hold_;
  if (txe_hold_) --txe_hold_;
  if (options_.max_stall_cycles) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::uniform_int_distribution<uint32_t> len(1, options_.max_stall_cycles);
    if (!rx_stall_ && u(rng_) < options_.rx_stall_rate) rx_stall_ = len(rng_);
    if (!tx_stall_ && u(rng_) < options_.tx_stall_rate) tx_stall_ = len(rng_);
  }
  rxf_n_ = rx_.empty() || rx_stall_ || rxf_hold_;
  txe_n_ = tx_.size() >= kBufferBytes || tx_stall_ || txe_hold_;
}

}  // namespace lathe::sim
