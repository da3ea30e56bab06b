// SPDX-License-Identifier: MIT
#include "lathe/usb/hotplug.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>

#include "board_access.hpp"

namespace lathe::usb {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

struct HotplugWatcher::Impl {
  // What a callback saw; the device is referenced until next() has looked at it.
  struct Pending {
    HotplugEvent::Kind kind;
    libusb_device* device;
    bool present_at_start;
  };

  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event,
                                    void* user_data) {
    auto& impl = *static_cast<Impl*>(user_data);
    const auto kind = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? HotplugEvent::Kind::kAttached
                                                                   : HotplugEvent::Kind::kDetached;
    std::lock_guard lock(impl.mutex);
    impl.pending.push_back({kind, libusb_ref_device(device), impl.enumerating.load()});
    return 0;  // stay registered
  }

  ~Impl() {
    if (registered) libusb_hotplug_deregister_callback(context->get(), callback);
    for (auto& p : pending) libusb_unref_device(p.device);
  }

  std::shared_ptr<UsbContext> context;
  libusb_hotplug_callback_handle callback{};
  bool registered = false;
  // True while registration enumerates the boards already attached (on this thread).
  std::atomic<bool> enumerating{false};
  std::mutex mutex;  // callbacks may run on a transport's event thread during a probe
  std::deque<Pending> pending;
  std::map<std::pair<int, int>, std::string> serials;  // bus, address -> serial of boards seen arriving
};

HotplugWatcher::HotplugWatcher() : impl_(std::make_unique<Impl>()) {}
HotplugWatcher::~HotplugWatcher() = default;

bool HotplugWatcher::supported() { return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0; }

Error HotplugWatcher::start(UsbId id) {
  if (!supported())
    return {Errc::kNotAvailable,
            "libusb cannot report boards arriving and leaving on this system (no hotplug support)"};
  auto context = UsbContext::create();
  if (!context) return context.error();
  impl_->context = std::move(*context);
  impl_->enumerating = true;
  const int rc = libusb_hotplug_register_callback(
      impl_->context->get(), LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
      LIBUSB_HOTPLUG_ENUMERATE, id.vendor_id, id.product_id, LIBUSB_HOTPLUG_MATCH_ANY, &Impl::on_hotplug,
      impl_.get(), &impl_->callback);
  impl_->enumerating = false;
  if (rc != LIBUSB_SUCCESS) return {Errc::kNotAvailable, "cannot watch for boards: " + libusb_error_text(rc)};
  impl_->registered = true;
  // Serial numbers of the boards already attached, now: one that leaves before next()
  // looks at its arrival would otherwise be reported without one.
  std::lock_guard lock(impl_->mutex);
  for (const auto& p : impl_->pending) {
    const BoardOnBus board = board_on_bus(p.device);
    impl_->serials[{board.bus, board.address}] = board.serial;
  }
  return {};
}

std::optional<HotplugEvent> HotplugWatcher::next(std::chrono::milliseconds timeout, bool probe) {
  if (!impl_->registered) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::optional<Impl::Pending> pending;
    {
      std::lock_guard lock(impl_->mutex);
      if (!impl_->pending.empty()) {
        pending = impl_->pending.front();
        impl_->pending.pop_front();
      }
    }
    if (pending) {
      HotplugEvent event;
      event.kind = pending->kind;
      event.present_at_start = pending->present_at_start;
      const int bus = libusb_get_bus_number(pending->device);
      const int address = libusb_get_device_address(pending->device);
      if (event.kind == HotplugEvent::Kind::kAttached) {
        BoardOnBus board = board_on_bus(pending->device);
        if (board.serial.empty() && impl_->serials.count({bus, address})) board.serial = impl_->serials[{bus, address}];
        event.board = probe && !event.present_at_start
                          ? probe_board(impl_->context, board)
                          : BoardReport{board.serial, bus, address, std::nullopt, board.serial_error};
        impl_->serials[{bus, address}] = board.serial;
      } else {
        event.board = BoardReport{impl_->serials[{bus, address}], bus, address, std::nullopt, {}};
        impl_->serials.erase({bus, address});
      }
      libusb_unref_device(pending->device);
      return event;
    }
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return std::nullopt;
    const auto wait_us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::min<Clock::duration>(left, std::chrono::milliseconds(100)));
    timeval tv{0, static_cast<suseconds_t>(wait_us.count())};
    libusb_handle_events_timeout_completed(impl_->context->get(), &tv, nullptr);
  }
}

}  // namespace lathe::usb
