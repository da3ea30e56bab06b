// SPDX-License-Identifier: MIT
// The Verilated lathe_core as a Device: registers over the core's register bus, frames
// over its streams. The bit-exactness tests run the same jobs through this and the model.
#pragma once
#include <memory>

#include "lathe/device.hpp"
#include "lathe/sim/sim_options.hpp"

class Vlathe_core;

namespace lathe::sim {

template <class Top>
class ClockedModel;

class CoreDevice final : public Device {
 public:
  // Cycles any one register write or command may take: far more than any needs (a
  // commit copies 224 words, a clear walks 2048-entry memories), so running out means
  // the design is stuck.
  static constexpr int kCommandCycles = 20000;

  explicit CoreDevice(const SimOptions& options = {});
  ~CoreDevice() override;

  DeviceInfo info() const override;
  Error write_registers(const reg::RegisterImage& regs) override;
  Error reset() override;
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override;
  Result<model::Meters> read_meters(bool clear) override;

  // Register bus access, for tests. The core holds writes off while a commit copies; a
  // write it has not taken within `max_cycles` is dropped and reported (kTimeout).
  Error write_register(int addr, uint32_t value, int max_cycles = kCommandCycles);
  uint32_t read_register(int addr);
  uint64_t cycles() const;

 private:
  Error wait_idle();

  std::unique_ptr<ClockedModel<Vlathe_core>> dut_;
  int out_bits_ = 24;
};

}  // namespace lathe::sim
