// SPDX-License-Identifier: MIT
// A byte stream to a board: the FT232H over libusb, or the simulated board. The protocol
// client (LinkDevice) speaks docs/protocol.md over any Transport.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lathe/error.hpp"

namespace lathe {

// A failed call's Error says in the transport's own words what happened to which board
// ("board FT232H serial LT-0042 was unplugged"); the client passes it on unchanged.
class Transport {
 public:
  virtual ~Transport() = default;
  // Hands bytes to the board; returns when all were accepted, or an error (kTimeout if
  // the board would not take them within `timeout`).
  virtual Error write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) = 0;
  // Appends whatever bytes have arrived to `out`, waiting up to `timeout` for at least
  // one; a timeout with nothing read is not an error (out stays unchanged).
  virtual Error read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) = 0;
  // For people: what is at the other end.
  virtual std::string describe() const = 0;
};

}  // namespace lathe
