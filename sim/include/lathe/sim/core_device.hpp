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
  explicit CoreDevice(const SimOptions& options = {});
  ~CoreDevice() override;

  DeviceInfo info() const override;
  std::error_code write_registers(const reg::RegisterImage& regs) override;
  std::error_code reset() override;
  std::error_code process(std::span<const int32_t> in, std::span<int32_t> out) override;
  std::error_code read_meters(model::Meters& meters, bool clear) override;

  // Register bus access, for tests.
  void write_register(int addr, uint32_t value);
  uint32_t read_register(int addr);
  uint64_t cycles() const;

 private:
  std::error_code wait_idle();

  std::unique_ptr<ClockedModel<Vlathe_core>> dut_;
  int out_bits_ = 24;
};

}  // namespace lathe::sim
