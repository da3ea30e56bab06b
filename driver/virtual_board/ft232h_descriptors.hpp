// SPDX-License-Identifier: MIT
// The USB descriptors of a Lathe board's FT232H (EEPROM set to 245 FIFO, custom strings),
// as the kernel exposes them in sysfs and answers GET_DESCRIPTOR.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lathe/usb/ftdi.hpp"

namespace lathe::virtual_board {

inline constexpr uint8_t kStringManufacturer = 1, kStringProduct = 2, kStringSerial = 3;

inline std::vector<uint8_t> device_descriptor() {
  const uint16_t vid = ftdi::kVendorId, pid = ftdi::kProductId, bcd = ftdi::kBcdDevice;
  return {18,   0x01, 0x00, 0x02,  // bLength, DEVICE, bcdUSB 2.00
          0x00, 0x00, 0x00, 64,    // class/subclass/protocol per interface, EP0 64 bytes
          uint8_t(vid), uint8_t(vid >> 8), uint8_t(pid), uint8_t(pid >> 8), uint8_t(bcd), uint8_t(bcd >> 8),
          kStringManufacturer, kStringProduct, kStringSerial, 1};
}

// Configuration 1: one vendor-specific interface with the FIFO's two bulk endpoints.
inline std::vector<uint8_t> configuration_descriptor() {
  constexpr uint8_t mps_lo = ftdi::kPacketBytes & 0xff, mps_hi = ftdi::kPacketBytes >> 8;
  return {9,    0x02, 32,   0,    1,    1,    0,    0x80, 50,    // bus powered, 100 mA
          9,    0x04, ftdi::kInterface, 0, 2, 0xff, 0xff, 0xff, 2,  // interface 0, 2 endpoints
          7,    0x05, ftdi::kEndpointIn, 0x02, mps_lo, mps_hi, 0,   // bulk IN 512
          7,    0x05, ftdi::kEndpointOut, 0x02, mps_lo, mps_hi, 0};  // bulk OUT 512
}

// A string descriptor (UTF-16LE of ASCII text); index 0 is the language table.
inline std::vector<uint8_t> string_descriptor(const std::string& text) {
  std::vector<uint8_t> d{uint8_t(2 + 2 * text.size()), 0x03};
  for (char c : text) {
    d.push_back(static_cast<uint8_t>(c));
    d.push_back(0);
  }
  return d;
}
inline std::vector<uint8_t> language_descriptor() { return {4, 0x03, 0x09, 0x04}; }  // en-US

}  // namespace lathe::virtual_board
