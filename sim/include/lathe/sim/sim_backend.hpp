// SPDX-License-Identifier: MIT
// The "sim" back end: the simulated board (Board + BoardTransport) behind the protocol
// client (LinkDevice), registered with open_device().
#pragma once
#include <memory>

#include "lathe/link_device.hpp"
#include "lathe/sim/board.hpp"

namespace lathe::sim {

// Registers the factory for open_device("sim"). Call once at start-up.
void register_sim_backend();

// A Transport that owns its simulated board, and the time spent running the board
// (Board::run inside read and write) versus everything else, for benchmarks.
class OwnedBoardTransport final : public Transport {
 public:
  explicit OwnedBoardTransport(const SimOptions& options = {}, const Ft232hOptions& chip = {});
  Error write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Error read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) override;
  std::string describe() const override { return transport_.describe(); }

  Board& board() { return *board_; }
  // Wall-clock seconds spent inside the board's transport (simulating lathe_top).
  double board_seconds() const { return board_seconds_; }

 private:
  std::unique_ptr<Board> board_;
  BoardTransport transport_;
  double board_seconds_ = 0.0;
};

// The LinkDevice options for the simulated board (timeouts in simulated time).
LinkOptions sim_link_options();

// Opens a LinkDevice on a fresh simulated board (kHello included).
Result<OpenedDevice> open_sim_device(const SimOptions& options = {}, const Ft232hOptions& chip = {});

}  // namespace lathe::sim
