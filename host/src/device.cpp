// SPDX-License-Identifier: MIT
// Device errors, the model back end, and back-end selection.
#include "lathe/device.hpp"

#include <map>
#include <mutex>

namespace lathe {
namespace {

class DeviceCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lathe-device"; }
  std::string message(int v) const override {
    switch (static_cast<DeviceError>(v)) {
      case DeviceError::kOk: return "ok";
      case DeviceError::kUnknownBackend: return "unknown device (use auto, model, sim, usb or usb:SERIAL)";
      case DeviceError::kNotAvailable: return "device not available";
      case DeviceError::kInvalidArgument: return "invalid argument";
      case DeviceError::kTimeout: return "device timed out";
      case DeviceError::kDisconnected: return "device disconnected";
      case DeviceError::kProtocol: return "protocol error";
    }
    return "unknown device error";
  }
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, BackendFactory> factories;
};
Registry& registry() {
  static Registry r;
  return r;
}

BackendFactory factory_for(const std::string& kind) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.factories.find(kind);
  return it == r.factories.end() ? nullptr : it->second;
}

}  // namespace

void register_backend(const std::string& kind, BackendFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[kind] = std::move(factory);
}

bool backend_registered(const std::string& kind) { return static_cast<bool>(factory_for(kind)); }

const std::error_category& device_category() {
  static const DeviceCategory category;
  return category;
}
std::error_code make_error_code(DeviceError e) { return {static_cast<int>(e), device_category()}; }

DeviceInfo ModelDevice::info() const {
  return {"model", "bit-exact C++ reference model", "", 0, reg::kEqBands};
}

std::error_code ModelDevice::write_registers(const reg::RegisterImage& regs) {
  chain_.configure(regs);
  return {};
}

std::error_code ModelDevice::reset() {
  chain_.reset();
  return {};
}

std::error_code ModelDevice::process(std::span<const int32_t> in, std::span<int32_t> out) {
  if (in.size() % 2 != 0 || out.size() != in.size()) return DeviceError::kInvalidArgument;
  chain_.process(in.data(), out.data(), in.size() / 2);
  return {};
}

std::error_code ModelDevice::read_meters(model::Meters& meters, bool clear) {
  meters = chain_.meters();
  if (clear) chain_.clear_meters();
  return {};
}

DeviceSpec parse_device_spec(const std::string& kind) {
  const auto colon = kind.find(':');
  if (colon == std::string::npos) return {kind, ""};
  return {kind.substr(0, colon), kind.substr(colon + 1)};
}

OpenedDevice open_device(const std::string& kind) {
  if (kind == "model") return {std::make_unique<ModelDevice>(), {}, "device: model (bit-exact reference)"};
  if (kind == "auto") {
    if (auto usb = factory_for("usb")) {
      auto opened = usb("");
      if (opened.device) return opened;
      return {std::make_unique<ModelDevice>(), {}, "device: auto -> model (" + opened.message + ")"};
    }
    return {std::make_unique<ModelDevice>(), {}, "device: auto -> model (no USB board support in this build)"};
  }
  const DeviceSpec spec = parse_device_spec(kind);
  if (kind.find(':') != std::string::npos && spec.selector.empty())
    return {nullptr, DeviceError::kInvalidArgument, "device '" + kind + "' names nothing after the colon (usb:SERIAL)"};
  if (spec.backend == "sim" || spec.backend == "usb") {
    if (auto factory = factory_for(spec.backend)) return factory(spec.selector);
    return {nullptr, DeviceError::kNotAvailable,
            "device '" + spec.backend + "' is not available in this program (its back end is not registered)"};
  }
  return {nullptr, DeviceError::kUnknownBackend, "unknown device '" + kind + "' (use auto, model, sim, usb or usb:SERIAL)"};
}

}  // namespace lathe
