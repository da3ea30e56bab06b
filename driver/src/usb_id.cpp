// SPDX-License-Identifier: MIT
#include "lathe/usb/usb_id.hpp"

#include <cstdio>
#include <cstdlib>

#include "lathe/usb/ftdi.hpp"

namespace lathe::usb {
namespace {

std::optional<uint16_t> parse_hex16(std::string_view digits) {
  if (digits.size() != 4) return std::nullopt;
  uint16_t value = 0;
  for (const char c : digits) {
    int nibble;
    if (c >= '0' && c <= '9') nibble = c - '0';
    else if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
    else return std::nullopt;
    value = static_cast<uint16_t>(value << 4 | nibble);
  }
  return value;
}

}  // namespace

std::optional<UsbId> parse_usb_id(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto vendor = parse_hex16(text.substr(0, colon));
  const auto product = parse_hex16(text.substr(colon + 1));
  if (!vendor || !product) return std::nullopt;
  return UsbId{*vendor, *product};
}

std::string format_usb_id(UsbId id) {
  char text[16];
  std::snprintf(text, sizeof text, "%04x:%04x", id.vendor_id, id.product_id);
  return text;
}

Result<UsbId> usb_id_from_environment() {
  const char* value = std::getenv(kUsbIdVariable);
  if (!value) return UsbId{ftdi::kVendorId, ftdi::kProductId};
  if (auto id = parse_usb_id(value)) return *id;
  return failure(Errc::kInvalidArgument, std::string(kUsbIdVariable) + "='" + value +
                                             "' is not a USB id: use VVVV:PPPP in hex, e.g. " +
                                             format_usb_id({ftdi::kVendorId, ftdi::kProductId}));
}

}  // namespace lathe::usb
