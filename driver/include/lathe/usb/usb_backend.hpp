// SPDX-License-Identifier: MIT
// The "usb" back end: Lathe boards (an FPGA behind an FT232H in synchronous 245 FIFO
// mode) found by USB id, chosen by serial number, opened as a LinkDevice over a
// UsbTransport, registered with open_device().
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lathe/device.hpp"
#include "lathe/error.hpp"
#include "lathe/link_device.hpp"
#include "lathe/protocol.hpp"
#include "lathe/usb/usb_id.hpp"
#include "lathe/usb/usb_transport.hpp"

namespace lathe::usb {

// Registers the factory for open_device("usb") and open_device("usb:SERIAL"). Call once
// at start-up.
void register_usb_backend();

// The LinkDevice options for a board: wall-clock timeouts, a reply within a second.
LinkOptions usb_link_options(const std::string& serial);

// Opens the board with serial number `serial`, or the only board attached when it is
// empty (several boards: an error that lists their serials), and says hello. Boards are
// those with usb_id_from_environment(). No board: Errc::kNotAvailable.
Result<OpenedDevice> open_usb_board(const std::string& serial);

// The same, keeping a view of the transport (benchmarks read its counters).
struct OpenedBoard {
  std::unique_ptr<LinkDevice> device;
  const UsbTransport* transport = nullptr;  // owned by `device`
  std::string message;                      // what was opened
};
Result<OpenedBoard> open_usb_board_link(const std::string& serial);

// One attached board as `lathe devices` shows it.
struct BoardReport {
  std::string serial;                  // empty when it could not be read
  int bus = 0;
  int address = 0;
  std::optional<protocol::Info> info;  // when it opened and answered kHello
  Error error;                         // why not
};

struct BoardList {
  UsbId id;  // what was looked for
  std::vector<BoardReport> boards;
};

// Every attached board, each opened, asked kHello and closed again; an error when the
// listing itself fails (LATHE_USB_ID, libusb).
Result<BoardList> list_boards();

// Waits up to `timeout` until a board (with `serial`, unless it is empty) is attached;
// one already attached counts. Uses hotplug events where libusb has them, else looks
// every 250 ms. kNotAvailable when none came.
Error wait_for_board(const std::string& serial, std::chrono::milliseconds timeout);

// "LT-0042 (bus 1 address 4)".
std::string format_board(const BoardReport& board);

}  // namespace lathe::usb
