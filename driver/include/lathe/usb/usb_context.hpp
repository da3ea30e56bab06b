// SPDX-License-Identifier: MIT
// One libusb context. Everything that came from it (device lists, handles, transfers,
// hotplug callbacks) holds a shared_ptr to it, so the context outlives them all.
#pragma once
#include <libusb.h>

#include <memory>
#include <string>

#include "lathe/error.hpp"

namespace lathe::usb {

class UsbContext {
 public:
  // A new context, or why not (kNotAvailable: libusb cannot start here).
  static Result<std::shared_ptr<UsbContext>> create();
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  libusb_context* get() const { return context_; }

 private:
  explicit UsbContext(libusb_context* context) : context_(context) {}
  libusb_context* context_;
};

// "LIBUSB_ERROR_ACCESS (Access denied (insufficient permissions))": the name for people
// who search for it, and libusb's words.
std::string libusb_error_text(int code);

}  // namespace lathe::usb
