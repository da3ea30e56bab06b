// SPDX-License-Identifier: MIT
// Finding boards on the bus and opening one: enumeration by USB id, the serial number,
// libusb_open / kernel driver / claim / FT232H set-up, and the transport on top.
// Internal to the driver.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lathe/error.hpp"
#include "lathe/protocol.hpp"
#include "lathe/usb/usb_backend.hpp"
#include "lathe/usb/usb_context.hpp"
#include "lathe/usb/usb_id.hpp"
#include "lathe/usb/usb_transport.hpp"

namespace lathe::usb {

// A board on the bus as enumeration sees it.
struct BoardOnBus {
  libusb_device* device = nullptr;  // referenced by whoever made this
  int bus = 0;
  int address = 0;
  std::string serial;  // empty when it could not be read
  Error serial_error;  // why it is empty, in words that follow the board's location
};

// `device` on the bus, with its serial number read from its string descriptor (which
// opens and closes it). The caller keeps the device referenced.
BoardOnBus board_on_bus(libusb_device* device);
// What a board is called in messages: "FT232H serial LT-0042", or "FT232H at bus 1
// address 4" when its serial is unknown.
std::string board_name(const BoardOnBus& board);
// "bus 1 address 4".
std::string board_location(const BoardOnBus& board);

// Every device with `id`, each with one reference held until the scan is destroyed.
class BoardScan {
 public:
  BoardScan(const UsbContext& context, UsbId id);
  ~BoardScan();
  BoardScan(const BoardScan&) = delete;
  BoardScan& operator=(const BoardScan&) = delete;

  const std::vector<BoardOnBus>& boards() const { return boards_; }
  const Error& error() const { return error_; }  // enumeration itself failed

 private:
  std::vector<BoardOnBus> boards_;
  Error error_;
};

// Opens `board`: libusb_open, kernel driver detached, interface 0 claimed, the FT232H in
// synchronous FIFO mode, IN transfers running; or the step that failed, in words.
Result<std::unique_ptr<UsbTransport>> open_board(std::shared_ptr<UsbContext> context, const BoardOnBus& board);

// Opens `board`, asks kHello and closes it again: what `lathe devices` shows.
BoardReport probe_board(std::shared_ptr<UsbContext> context, const BoardOnBus& board);

}  // namespace lathe::usb
