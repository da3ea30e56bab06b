// SPDX-License-Identifier: MIT
// The device interface: what every back end (model, sim, usb) offers the host.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "lathe/model/chain.hpp"
#include "lathe/registers.hpp"

namespace lathe {

enum class DeviceError {
  kOk = 0,
  kUnknownBackend,   // not one of auto, model, sim, usb
  kNotAvailable,     // back end not built in, or no board attached
  kInvalidArgument,  // e.g. buffer sizes that are not whole stereo frames
  kTimeout,
  kDisconnected,
  kProtocol,
};
const std::error_category& device_category();
std::error_code make_error_code(DeviceError e);

struct DeviceInfo {
  std::string backend;      // "model", "sim", "usb"
  std::string description;  // for people
  std::string serial;       // boards only
  int protocol_version = 0;
  int eq_bands = reg::kEqBands;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual DeviceInfo info() const = 0;
  // Writes every register and commits them together at the next frame boundary.
  virtual std::error_code write_registers(const reg::RegisterImage& regs) = 0;
  // Clears all DSP state and meters; latches the lookahead and the dither seed.
  virtual std::error_code reset() = 0;
  // Interleaved stereo frames of 24-bit samples in; as many frames out, at the output
  // word width. Output lags input by latency_frames(registers).
  virtual std::error_code process(std::span<const int32_t> in, std::span<int32_t> out) = 0;
  virtual std::error_code read_meters(model::Meters& meters, bool clear) = 0;
  // For people: what went wrong in the last call that failed on this device, beyond its
  // error code (e.g. both protocol versions); empty when there is nothing to add.
  virtual std::string error_detail() const { return {}; }
};

// Frames from input to output for a register set (latched at reset).
inline int latency_frames(const reg::RegisterImage& r) {
  return static_cast<int>(r[reg::kLimLookahead]) + reg::kLimiterExtraDelay;
}

// The bit-exact reference model as a device.
class ModelDevice final : public Device {
 public:
  DeviceInfo info() const override;
  std::error_code write_registers(const reg::RegisterImage& regs) override;
  std::error_code reset() override;
  std::error_code process(std::span<const int32_t> in, std::span<int32_t> out) override;
  std::error_code read_meters(model::Meters& meters, bool clear) override;

 private:
  model::Chain chain_;
};

struct OpenedDevice {
  std::unique_ptr<Device> device;
  std::error_code error;
  std::string message;  // what was chosen and why, or why nothing could be opened
};
// kind: "auto" (a USB board when one is attached, else the model), "model", "sim", "usb",
// or "usb:SERIAL" for one board of several. "sim" and "usb" open through the factory
// registered for them, if any, which gets what follows the colon as its selector.
OpenedDevice open_device(const std::string& kind);

// A device kind split at its first colon: "usb:LT-0042" -> {"usb", "LT-0042"}.
struct DeviceSpec {
  std::string backend;
  std::string selector;  // empty: the back end chooses (the only board attached)
};
DeviceSpec parse_device_spec(const std::string& kind);

// Back ends that live outside liblathe (the simulated board in the sim library, the
// libusb driver) register a factory for their kind at start-up; a later registration
// for the same kind replaces the earlier one. Not for "model" or "auto". The factory
// gets the selector of the kind ("" for plain "usb"); back ends with one device ignore it.
using BackendFactory = std::function<OpenedDevice(const std::string& selector)>;
void register_backend(const std::string& kind, BackendFactory factory);
bool backend_registered(const std::string& kind);

}  // namespace lathe

template <>
struct std::is_error_code_enum<lathe::DeviceError> : std::true_type {};
