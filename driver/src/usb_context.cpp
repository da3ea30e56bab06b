// SPDX-License-Identifier: MIT
#include "lathe/usb/usb_context.hpp"

namespace lathe::usb {

Result<std::shared_ptr<UsbContext>> UsbContext::create() {
  libusb_context* context = nullptr;
  if (const int rc = libusb_init(&context); rc != LIBUSB_SUCCESS)
    return failure(Errc::kNotAvailable, "libusb cannot start: " + libusb_error_text(rc));
  return std::shared_ptr<UsbContext>(new UsbContext(context));
}

UsbContext::~UsbContext() { libusb_exit(context_); }

std::string libusb_error_text(int code) {
  return std::string(libusb_error_name(code)) + " (" + libusb_strerror(code) + ")";
}

}  // namespace lathe::usb
