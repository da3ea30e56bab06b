// SPDX-License-Identifier: MIT
// Drives the Verilated lathe_core: register writes, commands, frame streaming with
// back-pressure, meter reads. Every wait is bounded by a cycle budget.
#include "lathe/sim/core_device.hpp"

#include <array>
#include <cstdio>

#include "Vlathe_core.h"
#include "lathe/readback.hpp"
#include "lathe/sim/clocked_model.hpp"

namespace lathe::sim {
namespace {
// Per frame: a frame needs about 50 cycles at full throughput.
constexpr int kCyclesPerFrame = 2000;

std::string hex(uint32_t v, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%0*x", digits, v);
  return text;
}
}  // namespace

CoreDevice::CoreDevice(const SimOptions& options) : dut_(std::make_unique<ClockedModel<Vlathe_core>>(options)) {
  auto& top = dut_->top();
  top.reg_we_i = 0;
  top.in_valid_i = 0;
  top.out_ready_i = 0;
  dut_->reset();
}

CoreDevice::~CoreDevice() = default;

DeviceInfo CoreDevice::info() const {
  return {Backend::kSim, "Verilated lathe_core (register bus and streams, no protocol)", "", 0, reg::kEqBands};
}

uint64_t CoreDevice::cycles() const { return dut_->cycles(); }

Error CoreDevice::write_register(int addr, uint32_t value, int max_cycles) {
  auto& top = dut_->top();
  top.reg_addr_i = static_cast<uint8_t>(addr);
  top.reg_wdata_i = value;
  top.reg_we_i = 1;
  bool taken = false;
  for (int i = 0; i < max_cycles && !taken; ++i) {
    dut_->settle();
    taken = top.reg_ready_o;
    dut_->tick();
  }
  top.reg_we_i = 0;
  if (taken) return {};
  return {Errc::kTimeout, "lathe_core did not take the write of register " + hex(static_cast<uint32_t>(addr), 2) +
                              " within " + std::to_string(max_cycles) + " cycles (its register file stayed busy)"};
}

uint32_t CoreDevice::read_register(int addr) {
  auto& top = dut_->top();
  top.reg_we_i = 0;
  top.reg_addr_i = static_cast<uint8_t>(addr);
  dut_->tick();
  dut_->settle();
  return top.reg_rdata_o;
}

Error CoreDevice::wait_idle() {
  uint32_t status = 0;
  for (int i = 0; i < kCommandCycles; ++i) {
    status = read_register(reg::kStatus);
    if (reg::decode_status(status).idle()) return {};
  }
  return {Errc::kTimeout, "lathe_core's command is still pending after " + std::to_string(kCommandCycles) +
                              " cycles (status " + hex(status, 8) + ")"};
}

Error CoreDevice::write_registers(const reg::RegisterImage& regs) {
  for (int a = 0; a < reg::kRegCount; ++a)
    if (reg::is_config_register(a))
      if (auto e = write_register(a, regs.words[a])) return e;
  if (auto e = write_register(reg::kCommand, reg::kCmdCommit)) return e;
  out_bits_ = (regs[reg::kCtrl] & reg::kCtrlOut16) ? 16 : 24;
  return wait_idle();
}

Error CoreDevice::reset() {
  if (auto e = write_register(reg::kCommand, reg::kCmdClear | reg::kCmdClearMeters)) return e;
  return wait_idle();
}

Error CoreDevice::process(std::span<const int32_t> in, std::span<int32_t> out) {
  if (auto e = check_process_buffers(in, out)) return e;
  auto& top = dut_->top();
  const std::size_t frames = in.size() / 2;
  std::size_t sent = 0, received = 0;
  const uint64_t allowed = static_cast<uint64_t>(frames) * kCyclesPerFrame + kCommandCycles;
  uint64_t budget = allowed;
  top.out_ready_i = 1;
  while (received < frames) {
    if (budget-- == 0) {
      top.in_valid_i = 0;
      return {Errc::kTimeout, "lathe_core returned " + std::to_string(received) + " of " + std::to_string(frames) +
                                  " frames within " + std::to_string(allowed) + " cycles"};
    }
    top.in_valid_i = sent < frames;
    if (sent < frames) {
      top.in_left_i = static_cast<uint32_t>(in[2 * sent]) & 0xffffff;
      top.in_right_i = static_cast<uint32_t>(in[2 * sent + 1]) & 0xffffff;
    }
    dut_->settle();
    const bool in_taken = top.in_valid_i && top.in_ready_o;
    const bool out_taken = top.out_valid_o && top.out_ready_i;
    if (out_taken) {
      // 24-bit ports, sign-extended.
      out[2 * received] = static_cast<int32_t>(top.out_left_o << 8) >> 8;
      out[2 * received + 1] = static_cast<int32_t>(top.out_right_o << 8) >> 8;
      ++received;
    }
    dut_->tick();
    if (in_taken) ++sent;
  }
  top.in_valid_i = 0;
  return {};
}

Result<model::Meters> CoreDevice::read_meters(bool clear) {
  if (auto e = wait_idle()) return failure(std::move(e));
  std::array<uint32_t, reg::kMeterCount> words;
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = read_register(reg::meter_addresses()[i]);
  const model::Meters m = reg::decode_meters(words);
  if (clear) {
    if (auto e = write_register(reg::kCommand, reg::kCmdClearMeters)) return failure(std::move(e));
    if (auto e = wait_idle()) return failure(std::move(e));
  }
  return m;
}

}  // namespace lathe::sim
