// SPDX-License-Identifier: MIT
// A board's live path from the host (lathe/board_live.hpp).
#include "lathe/board_live.hpp"

#include "lathe/device.hpp"
#include "lathe/registers.hpp"

namespace lathe {

Result<BoardLive> BoardLive::start(LinkDevice& board, const reg::RegisterImage& regs, const BoardLiveOptions& o) {
  // Configure the chain first (commit, clear: a clear needs file mode), then switch the
  // board to its codec.
  if (auto e = board.write_control(reg::kLiveCtrl, 0)) return failure(e.within("live_ctrl"));
  if (auto e = board.write_registers(regs)) return failure(std::move(e));
  if (auto e = board.reset()) return failure(std::move(e));
  uint32_t ctrl = reg::kLiveCtrlEnable | (1u << reg::kLiveCtrlMclkDivLsb);  // MCLK 256 fs
  if (o.fpga_master) ctrl |= reg::kLiveCtrlClockMaster;
  if (o.left_justified) ctrl |= reg::kLiveCtrlLeftJustified;
  if (o.monitor) ctrl |= reg::kLiveCtrlMonitor;
  board.keep_monitor(o.monitor);
  if (auto e = board.write_control(reg::kLiveCtrl, ctrl)) return failure(e.within("live_ctrl"));
  return BoardLive(board, o, ctrl, board.board_info().live_delay + latency_frames(regs));
}

Error BoardLive::off(LinkDevice& board) {
  board.keep_monitor(false);
  if (auto e = board.write_control(reg::kLiveCtrl, 0)) return e.within("live_ctrl");
  return {};
}

Error BoardLive::configure(const reg::RegisterImage& regs) {
  // The latency stays: the lookahead is latched at a clear, which live mode has none of.
  return board_->write_registers(regs);
}

Result<BoardLiveCounters> BoardLive::counters() {
  const uint8_t addrs[] = {reg::kLiveStatus, reg::kLiveFrames, reg::kLiveRxErrors, reg::kLiveUnderruns,
                           reg::kLiveLate, reg::kLiveClockStops};
  const auto v = board_->read_registers(addrs);
  if (!v) return failure(v.error().within("live counters"));
  return BoardLiveCounters{((*v)[0] & reg::kLiveStatusRunning) != 0, (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5]};
}

Result<LinkDevice::Monitor> BoardLive::monitor(std::chrono::milliseconds wait) {
  auto m = board_->read_monitor(wait);
  if (!m) return failure(m.error().within("monitor stream"));
  return m;
}

Result<LinkDevice::Monitor> BoardLive::stop_monitor() {
  LinkDevice::Monitor all;
  if (!(ctrl_ & reg::kLiveCtrlMonitor)) return all;
  ctrl_ &= ~reg::kLiveCtrlMonitor;
  if (auto e = board_->write_control(reg::kLiveCtrl, ctrl_)) return failure(e.within("live_ctrl"));
  // What is left in the board's output FIFO follows the reply at once; then nothing comes.
  for (int reads = 0; reads < 1000; ++reads) {
    auto m = board_->read_monitor(std::chrono::milliseconds(100));
    if (!m) return failure(m.error().within("monitor stream"));
    all.lost_packets += m->lost_packets;
    if (m->frames.empty()) break;
    all.frames.insert(all.frames.end(), m->frames.begin(), m->frames.end());
  }
  board_->keep_monitor(false);
  return all;
}

Error BoardLive::end() {
  ctrl_ = 0;
  return off(*board_);
}

}  // namespace lathe
