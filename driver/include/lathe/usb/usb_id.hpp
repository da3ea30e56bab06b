// SPDX-License-Identifier: MIT
// Which USB devices are Lathe boards: a vendor and product id, the FT232H's by default,
// or another pair from LATHE_USB_ID (a board whose EEPROM carries its own ids).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lathe/error.hpp"

namespace lathe::usb {

struct UsbId {
  uint16_t vendor_id = 0;
  uint16_t product_id = 0;
  friend bool operator==(const UsbId&, const UsbId&) = default;
};

// The environment variable that overrides the ids the driver looks for.
constexpr const char* kUsbIdVariable = "LATHE_USB_ID";

// "VVVV:PPPP", four hex digits each (either case); anything else is nothing.
std::optional<UsbId> parse_usb_id(std::string_view text);
// "0403:6014".
std::string format_usb_id(UsbId id);

// LATHE_USB_ID when set, else the FT232H's 0403:6014; a malformed value is an error
// (kInvalidArgument) that quotes it.
Result<UsbId> usb_id_from_environment();

}  // namespace lathe::usb
