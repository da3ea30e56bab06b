// SPDX-License-Identifier: MIT
// What a device reads back from the core, decoded once for every back end: the status
// word (lathe::reg::kStatus) and the meter registers (the `meter` group of
// regmap/lathe.regs) into model::Meters.
#pragma once
#include <array>
#include <cstdint>
#include <span>

#include "lathe/model/meters.hpp"
#include "lathe/registers.hpp"

namespace lathe::reg {

struct Status {
  bool commit_pending = false;
  bool clear_pending = false;
  bool configured = false;
  bool meters_pending = false;
  uint32_t frames_in_flight = 0;
  // No command pending and no frame in flight: what a command waits for.
  bool idle() const { return !commit_pending && !clear_pending && !meters_pending && frames_in_flight == 0; }
};
Status decode_status(uint32_t word);

// The meter registers in address order: read these, then decode_meters their values.
constexpr std::array<uint8_t, kMeterCount> meter_addresses() {
  std::array<uint8_t, kMeterCount> a{};
  for (int i = 0; i < kMeterCount; ++i) a[i] = static_cast<uint8_t>(kMeterFirst + i);
  return a;
}
model::Meters decode_meters(std::span<const uint32_t, kMeterCount> words);
// The meter registers' words for `m`, in address order: what a core that keeps
// model::Meters (the simulation's model core) answers; decode_meters undoes it.
std::array<uint32_t, kMeterCount> encode_meters(const model::Meters& m);

}  // namespace lathe::reg
