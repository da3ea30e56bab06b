// SPDX-License-Identifier: MIT
// Boards arriving and leaving while a program runs, through libusb's hotplug callbacks.
// The callbacks only queue what happened; next() opens arrivals to read their serial
// (and, when asked, to say hello), which a callback must not do.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "lathe/error.hpp"

#include "lathe/usb/usb_backend.hpp"
#include "lathe/usb/usb_id.hpp"

namespace lathe::usb {

struct HotplugEvent {
  enum class Kind { kAttached, kDetached };
  Kind kind = Kind::kAttached;
  bool present_at_start = false;  // attached before start(): found by its enumeration
  BoardReport board;              // a detached board's serial is what its arrival said
};

class HotplugWatcher {
 public:
  HotplugWatcher();
  ~HotplugWatcher();
  HotplugWatcher(const HotplugWatcher&) = delete;
  HotplugWatcher& operator=(const HotplugWatcher&) = delete;

  // Whether libusb can report arrivals and departures on this system.
  static bool supported();

  // Watches boards with `id` on a libusb context of its own; boards already attached
  // come first, as events with present_at_start. kNotAvailable when libusb has no
  // hotplug support here or cannot start.
  Error start(UsbId id);

  // The next event, waiting up to `timeout` (libusb's events are handled on the calling
  // thread meanwhile). Arrivals carry their serial; with `probe`, arrivals after start()
  // also carry kInfo or why the board cannot be used.
  std::optional<HotplugEvent> next(std::chrono::milliseconds timeout, bool probe);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lathe::usb
