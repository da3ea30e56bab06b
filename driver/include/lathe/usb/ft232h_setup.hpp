// SPDX-License-Identifier: MIT
// Putting an FT232H into synchronous 245 FIFO mode: the vendor requests, in order, that
// the driver sends after claiming interface 0 (FTDI AN_130, libftdi's
// ftdi_set_bitmode(BITMODE_SYNCFF) sequence).
#pragma once
#include <libusb.h>

#include <cstdint>
#include <span>
#include <string>

#include "lathe/error.hpp"
#include "lathe/usb/ftdi.hpp"

namespace lathe::usb {

// Our latency timer. The chip sends what it holds as a short packet when the timer runs
// out, so the last bytes of a reply reach the host within ~1 ms (16 ms at power-on would
// add up to 16 ms to every register round trip). The price: a 2-byte status packet every
// millisecond while the FPGA is quiet, about 1000 tiny IN transfers a second.
constexpr uint8_t kLatencyTimerMs = 1;
// Timeout of each set-up control transfer.
constexpr unsigned kControlTimeoutMs = 1000;

struct SetupStep {
  const char* what;  // for error messages: "enter synchronous 245 FIFO mode"
  uint8_t request;   // bRequest; bmRequestType is ftdi::kRequestOut
  uint16_t value;
  uint16_t index;
};

// Reset, latency timer, RTS/CTS flow control (the FIFO's TXE#/RXF# handshake), bit mode
// reset then synchronous FIFO (pin mask 0xFF), purge RX then TX (stale bytes from a
// previous session must not reach the packet layer).
std::span<const SetupStep> sync_fifo_setup();

// Runs sync_fifo_setup() on an open handle with interface 0 claimed. An error names the
// board, the step that failed and libusb's reason.
Error enter_sync_fifo_mode(libusb_device_handle* handle, const std::string& board);

}  // namespace lathe::usb
