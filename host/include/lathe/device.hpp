// SPDX-License-Identifier: MIT
// The device interface: what every back end (model, sim, usb) offers the host.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "lathe/error.hpp"
#include "lathe/model/chain.hpp"
#include "lathe/registers.hpp"

namespace lathe {

enum class Backend { kModel, kSim, kUsb };
// "model", "sim", "usb": the word --device takes, for display.
const char* backend_name(Backend backend);

struct DeviceInfo {
  Backend backend = Backend::kModel;
  std::string description;  // for people
  std::string serial;       // boards only
  int protocol_version = 0;
  int eq_bands = reg::kEqBands;
};

// Every call returns an Error (or a Result) that says, in its own words, what went wrong
// with which device: "board FT232H serial LT-0042 was unplugged".
class Device {
 public:
  virtual ~Device() = default;
  virtual DeviceInfo info() const = 0;
  // Writes every register and commits them together at the next frame boundary.
  virtual Error write_registers(const reg::RegisterImage& regs) = 0;
  // Clears all DSP state and meters; latches the lookahead and the dither seed.
  virtual Error reset() = 0;
  // Interleaved stereo frames of 24-bit samples in; as many frames out, at the output
  // word width. Output lags input by latency_frames(registers).
  virtual Error process(std::span<const int32_t> in, std::span<int32_t> out) = 0;
  // The meters since they were last cleared; with `clear`, they start again.
  virtual Result<model::Meters> read_meters(bool clear) = 0;
};

// process()'s own check, shared by the back ends: kInvalidArgument unless `in` holds whole
// stereo frames and `out` is as long.
Error check_process_buffers(std::span<const int32_t> in, std::span<const int32_t> out);

// Frames from input to output for a register set (latched at reset).
inline int latency_frames(const reg::RegisterImage& r) {
  return static_cast<int>(r[reg::kLimLookahead]) + reg::kChainExtraDelay;
}

// The bit-exact reference model as a device.
class ModelDevice final : public Device {
 public:
  DeviceInfo info() const override;
  Error write_registers(const reg::RegisterImage& regs) override;
  Error reset() override;
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override;
  Result<model::Meters> read_meters(bool clear) override;

 private:
  model::Chain chain_;
};

// An open device and what was chosen and why ("device: auto -> model (no board ...)").
struct OpenedDevice {
  std::unique_ptr<Device> device;
  std::string message;
};
// kind: "auto" (a USB board when one is attached, else the model), "model", "sim", "usb",
// or "usb:SERIAL" for one board of several. "sim" and "usb" open through the factory
// registered for them, if any, which gets what follows the colon as its selector.
Result<OpenedDevice> open_device(const std::string& kind);

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
using BackendFactory = std::function<Result<OpenedDevice>(const std::string& selector)>;
void register_backend(const std::string& kind, BackendFactory factory);
bool backend_registered(const std::string& kind);

}  // namespace lathe
