// SPDX-License-Identifier: MIT
// The "usb" back end: choosing a board, opening it, listing boards, waiting for one.
#include "lathe/usb/usb_backend.hpp"

#include <cstdio>
#include <thread>

#include "board_access.hpp"
#include "lathe/usb/ftdi.hpp"
#include "lathe/usb/hotplug.hpp"

namespace lathe::usb {
namespace {

using Clock = std::chrono::steady_clock;

std::string looking_for(UsbId id) { return "(looking for " + format_usb_id(id) + ")"; }

// "LT-1, LT-2, bus 1 address 7 (no permission to open it)".
std::string list_serials(const std::vector<BoardOnBus>& boards) {
  std::string text;
  for (const auto& board : boards) {
    if (!text.empty()) text += ", ";
    text += board.serial.empty() ? board_location(board) + " (" + board.serial_error + ")" : board.serial;
  }
  return text;
}

}  // namespace

LinkOptions usb_link_options(const std::string& serial) {
  LinkOptions o;
  o.backend = "usb";
  o.serial = serial;
  // A board answers within a couple of latency-timer periods; a second of silence means
  // it is not answering. Both are wall-clock times here.
  o.reply_timeout = std::chrono::milliseconds(1000);
  o.wall_timeout = std::chrono::milliseconds(20000);
  return o;
}

OpenedDevice open_usb_board(const std::string& serial) {
  auto opened = open_usb_board_link(serial);
  return {std::move(opened.device), opened.error, std::move(opened.message)};
}

OpenedBoard open_usb_board_link(const std::string& serial) {
  const std::string kind = serial.empty() ? "device 'usb'" : "device 'usb:" + serial + "'";
  const auto id_or_error = usb_id_from_environment();
  if (const auto* error = std::get_if<std::string>(&id_or_error))
    return {nullptr, nullptr, DeviceError::kInvalidArgument, kind + ": " + *error};
  const UsbId id = std::get<UsbId>(id_or_error);

  std::string message;
  auto context = UsbContext::create(message);
  if (!context)
    return {nullptr, nullptr, DeviceError::kNotAvailable, kind + ": no board attached " + looking_for(id) + ": " + message};
  const BoardScan scan(*context, id);
  if (!scan.error().empty()) return {nullptr, nullptr, DeviceError::kNotAvailable, kind + ": " + scan.error()};
  const auto& boards = scan.boards();

  const BoardOnBus* chosen = nullptr;
  if (serial.empty()) {
    if (boards.empty())
      return {nullptr, nullptr, DeviceError::kNotAvailable, kind + ": no board attached " + looking_for(id)};
    if (boards.size() > 1)
      return {nullptr, nullptr, DeviceError::kInvalidArgument,
              kind + ": " + std::to_string(boards.size()) + " boards attached (" + list_serials(boards) +
                  "): choose one with --device usb:SERIAL"};
    chosen = &boards.front();
  } else {
    std::vector<const BoardOnBus*> matching;
    for (const auto& board : boards)
      if (board.serial == serial) matching.push_back(&board);
    if (!matching.empty()) chosen = matching.front();
    if (!chosen)
      return {nullptr, nullptr, DeviceError::kNotAvailable,
              kind + ": no board with serial " + serial + " is attached " + looking_for(id) +
                  (boards.empty() ? "" : "; attached: " + list_serials(boards))};
    if (matching.size() > 1) {
      std::string places;
      for (const auto* board : matching) places += (places.empty() ? "" : ", ") + board_location(*board);
      return {nullptr, nullptr, DeviceError::kInvalidArgument,
              kind + ": " + std::to_string(matching.size()) + " boards have serial " + serial + " (" + places + ")"};
    }
  }

  UsbFailure failure;
  auto transport = open_board(context, *chosen, failure);
  if (!transport) return {nullptr, nullptr, failure.error, kind + ": " + failure.message};
  const UsbTransport* view = transport.get();
  auto device = std::make_unique<LinkDevice>(std::move(transport), usb_link_options(chosen->serial));
  if (const auto ec = device->open())
    return {nullptr, nullptr, ec, kind + " (board " + board_name(*chosen) + "): " + device->error_message()};
  const std::string summary = protocol::describe(device->board_info());
  return {std::move(device), view, {},
          "device: usb (" + board_name(*chosen) + ", " + board_location(*chosen) + "; " + summary + ")"};
}

BoardReport probe_board(std::shared_ptr<UsbContext> context, const BoardOnBus& board) {
  BoardReport report{board.serial, board.bus, board.address, std::nullopt, {}};
  UsbFailure failure;
  auto transport = open_board(std::move(context), board, failure);
  if (!transport) {
    report.error = failure.message;
    return report;
  }
  LinkDevice device(std::move(transport), usb_link_options(board.serial));
  if (device.open()) report.error = device.error_message();
  else report.info = device.board_info();
  return report;
}

BoardList list_boards() {
  BoardList list;
  list.id = UsbId{ftdi::kVendorId, ftdi::kProductId};
  const auto id_or_error = usb_id_from_environment();
  if (const auto* error = std::get_if<std::string>(&id_or_error)) {
    list.error = *error;
    return list;
  }
  list.id = std::get<UsbId>(id_or_error);
  std::string message;
  auto context = UsbContext::create(message);
  if (!context) {
    list.error = message;
    return list;
  }
  const BoardScan scan(*context, list.id);
  list.error = scan.error();
  for (const auto& board : scan.boards()) list.boards.push_back(probe_board(context, board));
  return list;
}

std::error_code wait_for_board(const std::string& serial, std::chrono::milliseconds timeout, std::string& message) {
  const auto id_or_error = usb_id_from_environment();
  if (const auto* error = std::get_if<std::string>(&id_or_error)) {
    message = *error;
    return DeviceError::kInvalidArgument;
  }
  const UsbId id = std::get<UsbId>(id_or_error);
  const auto wanted = [&](const std::string& found) { return serial.empty() || found == serial; };
  const auto deadline = Clock::now() + timeout;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };

  if (HotplugWatcher::supported()) {
    HotplugWatcher watcher;
    if (const auto ec = watcher.start(id, message)) return ec;
    while (const auto event = watcher.next(remaining(), false))
      if (event->kind == HotplugEvent::Kind::kAttached && wanted(event->board.serial)) return {};
  } else {
    std::string error;
    const auto context = UsbContext::create(error);
    if (!context) {
      message = error;
      return DeviceError::kNotAvailable;
    }
    // No hotplug events on this system: look again every 250 ms.
    for (;;) {
      const BoardScan scan(*context, id);
      for (const auto& board : scan.boards())
        if (wanted(board.serial)) return {};
      if (remaining().count() == 0) break;
      std::this_thread::sleep_for(std::min(remaining(), std::chrono::milliseconds(250)));
    }
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g s", static_cast<double>(timeout.count()) / 1000.0);
  message = "no board" + (serial.empty() ? std::string() : " with serial " + serial) + " attached within " + seconds +
            " " + looking_for(id);
  return DeviceError::kNotAvailable;
}

std::string format_board(const BoardReport& board) {
  const std::string where = "bus " + std::to_string(board.bus) + " address " + std::to_string(board.address);
  return board.serial.empty() ? where : board.serial + " (" + where + ")";
}

void register_usb_backend() {
  register_backend("usb", [](const std::string& serial) { return open_usb_board(serial); });
}

}  // namespace lathe::usb
