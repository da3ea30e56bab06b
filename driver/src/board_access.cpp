// SPDX-License-Identifier: MIT
#include "board_access.hpp"

#include <algorithm>
#include <tuple>

#include "lathe/usb/ft232h_setup.hpp"

namespace lathe::usb {

BoardOnBus board_on_bus(libusb_device* device) {
  BoardOnBus board;
  board.device = device;
  board.bus = libusb_get_bus_number(device);
  board.address = libusb_get_device_address(device);
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);  // cannot fail since libusb 1.0.16
  if (descriptor.iSerialNumber == 0) {
    board.serial_error = {Errc::kNotAvailable, "it has no serial number"};
    return board;
  }
  libusb_device_handle* handle = nullptr;
  if (const int rc = libusb_open(device, &handle); rc != LIBUSB_SUCCESS) {
    board.serial_error = rc == LIBUSB_ERROR_ACCESS
                             ? Error(Errc::kAccessDenied, "no permission to open it")
                             : Error(Errc::kNotAvailable, "cannot open it: " + libusb_error_text(rc));
    return board;
  }
  unsigned char serial[256];
  const int n = libusb_get_string_descriptor_ascii(handle, descriptor.iSerialNumber, serial, sizeof serial);
  libusb_close(handle);
  if (n < 0) board.serial_error = {Errc::kNotAvailable, "cannot read its serial number: " + libusb_error_text(n)};
  else board.serial.assign(reinterpret_cast<const char*>(serial), static_cast<std::size_t>(n));
  return board;
}

std::string board_name(const BoardOnBus& board) {
  if (!board.serial.empty()) return "FT232H serial " + board.serial;
  return "FT232H at " + board_location(board);
}

std::string board_location(const BoardOnBus& board) {
  return "bus " + std::to_string(board.bus) + " address " + std::to_string(board.address);
}

BoardScan::BoardScan(const UsbContext& context, UsbId id) {
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context.get(), &list);
  if (count < 0) {
    error_ = {Errc::kNotAvailable, "cannot list USB devices: " + libusb_error_text(static_cast<int>(count))};
    return;
  }
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(list[i], &descriptor) != LIBUSB_SUCCESS) continue;
    if (descriptor.idVendor != id.vendor_id || descriptor.idProduct != id.product_id) continue;
    boards_.push_back(board_on_bus(libusb_ref_device(list[i])));
  }
  libusb_free_device_list(list, 1);  // the boards keep their own references
  // Listings and messages in bus order, whatever order libusb keeps.
  std::sort(boards_.begin(), boards_.end(), [](const BoardOnBus& a, const BoardOnBus& b) {
    return std::tie(a.bus, a.address) < std::tie(b.bus, b.address);
  });
}

BoardScan::~BoardScan() {
  for (auto& board : boards_) libusb_unref_device(board.device);
}

Result<std::unique_ptr<UsbTransport>> open_board(std::shared_ptr<UsbContext> context, const BoardOnBus& board) {
  const std::string name = board_name(board);
  libusb_device_handle* handle = nullptr;
  if (const int rc = libusb_open(board.device, &handle); rc != LIBUSB_SUCCESS) {
    if (rc == LIBUSB_ERROR_ACCESS)
      return failure(Errc::kAccessDenied, "no permission to open board " + name + " at " + board_location(board) +
                                              ": install the udev rule driver/udev/60-lathe.rules "
                                              "(docs/board.md), then unplug and replug the board");
    if (rc == LIBUSB_ERROR_NO_DEVICE) return failure(Errc::kDisconnected, "board " + name + " was unplugged");
    return failure(Errc::kNotAvailable, "cannot open board " + name + ": " + libusb_error_text(rc));
  }
  auto give_up = [&](Error error, bool claimed) {
    if (claimed) libusb_release_interface(handle, ftdi::kInterface);
    libusb_close(handle);
    return failure(std::move(error));
  };
  // ftdi_sio binds real FT232Hs; libusb detaches it on claim and re-attaches it on release.
  if (const int rc = libusb_set_auto_detach_kernel_driver(handle, 1);
      rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_NOT_SUPPORTED)
    return give_up({Errc::kNotAvailable,
                    "board " + name + ": cannot have the kernel driver detached: " + libusb_error_text(rc)},
                   false);
  if (const int rc = libusb_claim_interface(handle, ftdi::kInterface); rc != LIBUSB_SUCCESS) {
    if (rc == LIBUSB_ERROR_BUSY)
      return give_up({Errc::kBusy, "board " + name + " is in use by another program"}, false);
    if (rc == LIBUSB_ERROR_NO_DEVICE) return give_up({Errc::kDisconnected, "board " + name + " was unplugged"}, false);
    return give_up({Errc::kNotAvailable, "board " + name + ": cannot claim interface 0: " + libusb_error_text(rc)},
                   false);
  }
  if (auto e = enter_sync_fifo_mode(handle, name)) return give_up(std::move(e), true);
  auto transport = std::make_unique<UsbTransport>(std::move(context), handle, name, board_location(board));
  if (auto e = transport->start()) return failure(std::move(e));  // the transport closes the handle
  return transport;
}

}  // namespace lathe::usb
