// SPDX-License-Identifier: MIT
// The "usb" back end: choosing a board, opening it, listing boards, waiting for one.
#include "lathe/usb/usb_backend.hpp"

#include <cstdio>
#include <cstdlib>
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
    text += board.serial.empty() ? board_location(board) + " (" + board.serial_error.message() + ")" : board.serial;
  }
  return text;
}

}  // namespace

LinkOptions usb_link_options(const std::string& serial) {
  LinkOptions o;
  o.backend = Backend::kUsb;
  o.serial = serial;
  // A board answers within a couple of latency-timer periods; a second of silence means
  // it is not answering. Both are wall-clock times here.
  o.reply_timeout = std::chrono::milliseconds(1000);
  o.wall_timeout = std::chrono::milliseconds(20000);
  // A simulated board (lathe-virtual-board: the RTL under Verilator, far slower than
  // hardware) on a busy machine can go quiet for longer; its tests say how long.
  if (const char* v = std::getenv("LATHE_USB_REPLY_TIMEOUT_MS")) {
    char* end = nullptr;
    const long ms = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && ms > 0 && ms <= 600000) o.reply_timeout = std::chrono::milliseconds(ms);
  }
  return o;
}

Result<OpenedDevice> open_usb_board(const std::string& serial) {
  auto opened = open_usb_board_link(serial);
  if (!opened) return failure(std::move(opened.error()));
  return OpenedDevice{std::move(opened->device), std::move(opened->message)};
}

Result<OpenedBoard> open_usb_board_link(const std::string& serial) {
  const std::string kind = serial.empty() ? "device 'usb'" : "device 'usb:" + serial + "'";
  const auto found_id = usb_id_from_environment();
  if (!found_id) return failure(found_id.error().within(kind));
  const UsbId id = *found_id;

  const auto context = UsbContext::create();
  if (!context)
    return failure(context.error().code(),
                   kind + ": no board attached " + looking_for(id) + ": " + context.error().message());
  const BoardScan scan(**context, id);
  if (scan.error()) return failure(scan.error().within(kind));
  const auto& boards = scan.boards();

  const BoardOnBus* chosen = nullptr;
  if (serial.empty()) {
    if (boards.empty()) return failure(Errc::kNotAvailable, kind + ": no board attached " + looking_for(id));
    if (boards.size() > 1)
      return failure(Errc::kInvalidArgument, kind + ": " + std::to_string(boards.size()) + " boards attached (" +
                                                 list_serials(boards) + "): choose one with --device usb:SERIAL");
    chosen = &boards.front();
  } else {
    std::vector<const BoardOnBus*> matching;
    for (const auto& board : boards)
      if (board.serial == serial) matching.push_back(&board);
    if (!matching.empty()) chosen = matching.front();
    if (!chosen)
      return failure(Errc::kNotAvailable, kind + ": no board with serial " + serial + " is attached " +
                                              looking_for(id) +
                                              (boards.empty() ? "" : "; attached: " + list_serials(boards)));
    if (matching.size() > 1) {
      std::string places;
      for (const auto* board : matching) places += (places.empty() ? "" : ", ") + board_location(*board);
      return failure(Errc::kInvalidArgument, kind + ": " + std::to_string(matching.size()) + " boards have serial " +
                                                 serial + " (" + places + ")");
    }
  }

  auto transport = open_board(*context, *chosen);
  if (!transport) return failure(transport.error().within(kind));
  const UsbTransport* view = transport->get();
  auto device = std::make_unique<LinkDevice>(std::move(*transport), usb_link_options(chosen->serial));
  if (auto e = device->open()) return failure(e.within(kind + " (board " + board_name(*chosen) + ")"));
  const std::string summary = protocol::describe(device->board_info());
  return OpenedBoard{std::move(device), view,
                     "device: usb (" + board_name(*chosen) + ", " + board_location(*chosen) + "; " + summary + ")"};
}

BoardReport probe_board(std::shared_ptr<UsbContext> context, const BoardOnBus& board) {
  BoardReport report{board.serial, board.bus, board.address, std::nullopt, {}};
  auto transport = open_board(std::move(context), board);
  if (!transport) {
    report.error = std::move(transport.error());
    return report;
  }
  LinkDevice device(std::move(*transport), usb_link_options(board.serial));
  if (auto e = device.open()) report.error = std::move(e);
  else report.info = device.board_info();
  return report;
}

Result<BoardList> list_boards() {
  const auto id = usb_id_from_environment();
  if (!id) return failure(id.error());
  const auto context = UsbContext::create();
  if (!context) return failure(context.error());
  const BoardScan scan(**context, *id);
  if (scan.error()) return failure(scan.error());
  BoardList list{*id, {}};
  for (const auto& board : scan.boards()) list.boards.push_back(probe_board(*context, board));
  return list;
}

Error wait_for_board(const std::string& serial, std::chrono::milliseconds timeout) {
  const auto found_id = usb_id_from_environment();
  if (!found_id) return found_id.error();
  const UsbId id = *found_id;
  const auto wanted = [&](const std::string& found) { return serial.empty() || found == serial; };
  const auto deadline = Clock::now() + timeout;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };

  if (HotplugWatcher::supported()) {
    HotplugWatcher watcher;
    if (auto e = watcher.start(id)) return e;
    while (const auto event = watcher.next(remaining(), false))
      if (event->kind == HotplugEvent::Kind::kAttached && wanted(event->board.serial)) return {};
  } else {
    const auto context = UsbContext::create();
    if (!context) return context.error();
    // No hotplug events on this system: look again every 250 ms.
    for (;;) {
      const BoardScan scan(**context, id);
      for (const auto& board : scan.boards())
        if (wanted(board.serial)) return {};
      if (remaining().count() == 0) break;
      std::this_thread::sleep_for(std::min(remaining(), std::chrono::milliseconds(250)));
    }
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g s", static_cast<double>(timeout.count()) / 1000.0);
  return {Errc::kNotAvailable, "no board" + (serial.empty() ? std::string() : " with serial " + serial) +
                                   " attached within " + seconds + " " + looking_for(id)};
}

std::string format_board(const BoardReport& board) {
  const std::string where = "bus " + std::to_string(board.bus) + " address " + std::to_string(board.address);
  return board.serial.empty() ? where : board.serial + " (" + where + ")";
}

void register_usb_backend() {
  register_backend("usb", [](const std::string& serial) { return open_usb_board(serial); });
}

}  // namespace lathe::usb
