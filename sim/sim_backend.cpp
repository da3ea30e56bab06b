// SPDX-License-Identifier: MIT
// The "sim" back end: LinkDevice over the simulated board.
#include "lathe/sim/sim_backend.hpp"

#include <stdexcept>

namespace lathe::sim {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

// reply_timeout is simulated time (a reply takes microseconds of board time), so it
// only catches a stuck design; the wall-clock bound is generous because simulating is
// far slower than the board.
LinkOptions sim_link_options() {
  LinkOptions o;
  o.backend = Backend::kSim;
  o.reply_timeout = std::chrono::milliseconds(20);
  o.wall_timeout = std::chrono::milliseconds(60000);
  return o;
}

OwnedBoardTransport::OwnedBoardTransport(const SimOptions& options, const Ft232hOptions& chip)
    : board_(std::make_unique<Board>(options, chip)), transport_(*board_) {}

Error OwnedBoardTransport::write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  const auto t0 = Clock::now();
  auto e = transport_.write(bytes, timeout);
  board_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  return e;
}

Error OwnedBoardTransport::read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) {
  const auto t0 = Clock::now();
  auto e = transport_.read(out, timeout);
  board_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  return e;
}

Result<OpenedDevice> open_sim_device(const SimOptions& options, const Ft232hOptions& chip) {
  std::unique_ptr<OwnedBoardTransport> transport;
  try {
    transport = std::make_unique<OwnedBoardTransport>(options, chip);
  } catch (const std::runtime_error& e) {  // e.g. LATHE_TRACE in a build without tracing
    return failure(Errc::kNotAvailable, std::string("device 'sim': ") + e.what());
  }
  auto device = std::make_unique<LinkDevice>(std::move(transport), sim_link_options());
  if (auto e = device->open()) return failure(e.within("device 'sim'"));
  const std::string summary = protocol::describe(device->board_info());
  return OpenedDevice{std::move(device), "device: sim (Verilated lathe_top over the byte protocol, " + summary + ")"};
}

void register_sim_backend() {
  // One simulated board: the selector has nothing to choose.
  register_backend("sim", [](const std::string&) { return open_sim_device(); });
}

}  // namespace lathe::sim
