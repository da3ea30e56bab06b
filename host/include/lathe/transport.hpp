// SPDX-License-Identifier: MIT
// A byte stream to a board: the FT232H over libusb, or the simulated board. The protocol
// client (LinkDevice) speaks docs/protocol.md over any Transport.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace lathe {

class Transport {
 public:
  virtual ~Transport() = default;
  // Hands bytes to the board; returns when all were accepted, or an error (a timeout if
  // the board would not take them within `timeout`).
  virtual std::error_code write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) = 0;
  // Appends whatever bytes have arrived to `out`, waiting up to `timeout` for at least
  // one; a timeout with nothing read is not an error (out stays unchanged).
  virtual std::error_code read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) = 0;
  // For people: what is at the other end.
  virtual std::string describe() const = 0;
  // For people: why the last call that failed failed, beyond its error code (e.g. which
  // board was unplugged); empty when there is nothing to add. A transport that returns
  // DeviceError codes (the USB driver) says here what happened.
  virtual std::string error_detail() const { return {}; }
};

}  // namespace lathe
