// SPDX-License-Identifier: MIT
// Back-end names, the model back end, and back-end selection.
#include "lathe/device.hpp"

#include <map>
#include <mutex>

namespace lathe {
namespace {

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

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::kModel: return "model";
    case Backend::kSim: return "sim";
    case Backend::kUsb: return "usb";
  }
  return "unknown";
}

void register_backend(const std::string& kind, BackendFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[kind] = std::move(factory);
}

bool backend_registered(const std::string& kind) { return static_cast<bool>(factory_for(kind)); }

Error check_process_buffers(std::span<const int32_t> in, std::span<const int32_t> out) {
  if (in.size() % 2 == 0 && out.size() == in.size()) return {};
  return {Errc::kInvalidArgument, "process: " + std::to_string(in.size()) + " samples in, " +
                                      std::to_string(out.size()) +
                                      " out (both must be the same whole number of stereo frames)"};
}

DeviceInfo ModelDevice::info() const {
  return {Backend::kModel, "bit-exact C++ reference model", "", 0, reg::kEqBands};
}

Error ModelDevice::write_registers(const reg::RegisterImage& regs) {
  chain_.configure(regs);
  return {};
}

Error ModelDevice::reset() {
  chain_.reset();
  return {};
}

Error ModelDevice::process(std::span<const int32_t> in, std::span<int32_t> out) {
  if (auto e = check_process_buffers(in, out)) return e;
  chain_.process(in.data(), out.data(), in.size() / 2);
  return {};
}

Result<model::Meters> ModelDevice::read_meters(bool clear) {
  const model::Meters meters = chain_.meters();
  if (clear) chain_.clear_meters();
  return meters;
}

DeviceSpec parse_device_spec(const std::string& kind) {
  const auto colon = kind.find(':');
  if (colon == std::string::npos) return {kind, ""};
  return {kind.substr(0, colon), kind.substr(colon + 1)};
}

Result<OpenedDevice> open_device(const std::string& kind) {
  if (kind == "model") return OpenedDevice{std::make_unique<ModelDevice>(), "device: model (bit-exact reference)"};
  if (kind == "auto") {
    if (auto usb = factory_for("usb")) {
      auto opened = usb("");
      if (opened) return opened;
      return OpenedDevice{std::make_unique<ModelDevice>(), "device: auto -> model (" + opened.error().message() + ")"};
    }
    return OpenedDevice{std::make_unique<ModelDevice>(), "device: auto -> model (no USB board support in this build)"};
  }
  const DeviceSpec spec = parse_device_spec(kind);
  if (kind.find(':') != std::string::npos && spec.selector.empty())
    return failure(Errc::kInvalidArgument, "device '" + kind + "' names nothing after the colon (usb:SERIAL)");
  if (spec.backend == "sim" || spec.backend == "usb") {
    if (auto factory = factory_for(spec.backend)) return factory(spec.selector);
    return failure(Errc::kNotAvailable,
                   "device '" + spec.backend + "' is not available in this program (its back end is not registered)");
  }
  return failure(Errc::kUnknownBackend, "unknown device '" + kind + "' (use auto, model, sim, usb or usb:SERIAL)");
}

}  // namespace lathe
