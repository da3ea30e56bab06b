// SPDX-License-Identifier: MIT
// The byte stream to a board over its FT232H in synchronous 245 FIFO mode, with
// asynchronous libusb transfers so that data flows both ways while the host works.
//
// Threads: one event thread runs libusb_handle_events_timeout_completed; every transfer
// callback runs on it. Callers of write() and read() only wait on a condition variable,
// each wait bounded by its timeout.
//
// IN (EP 0x81): 8 transfers of 2048 bytes (4 high-speed packets) are always in flight
// and resubmitted from their callback. The FT232H starts every 512-byte packet with 2
// status bytes, which the callback strips (ftdi::strip_status_bytes) into a byte queue.
// A transfer completes at the first short packet or after 4 full ones, i.e. at most
// 2040 payload bytes: 7.1 ms of 48 kHz stereo 24-bit audio (6 bytes a frame), 3.5 ms at
// 96 kHz. The chip sends a short packet when its latency timer (set to 1 ms when the
// board is opened) runs out with data waiting, so the tail of a reply waits at most
// ~1 ms, and a status-only packet every 1 ms when idle: IN transfers need no libusb
// timeout (0), and read()'s timeout bounds every wait. 8 transfers hold 56 ms of 48 kHz
// audio, far more than the board's credit lets it send ahead.
//
// OUT (EP 0x02): write() cuts its bytes into transfers of up to 4096 bytes, at most 4 in
// flight, waits (up to its timeout) for a free one, and returns when every byte is
// submitted. Each transfer has a libusb timeout (1000 ms): a board that takes nothing for
// that long has stopped reading its FIFO.
//
// Failures are sticky: the first transfer that ends in error (unplugged, stalled, timed
// out) is reported by the next write() or read(), and by every call after it, at once,
// as an Error that names the board and what happened to it.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lathe/transport.hpp"
#include "lathe/usb/usb_context.hpp"

namespace lathe::usb {

struct UsbTransportOptions {
  std::size_t in_transfers = 8;
  std::size_t in_transfer_bytes = 2048;  // a whole number of 512-byte packets
  std::size_t out_transfers = 4;
  std::size_t out_transfer_bytes = 4096;
  std::chrono::milliseconds out_timeout{1000};
  // Bytes the IN queue may hold before IN transfers wait for read() (the FT232H's flow
  // control then holds the FPGA back, as on a full FIFO).
  std::size_t max_queued_in_bytes = 16u << 20;
  // How long closing waits for cancelled transfers to come back.
  std::chrono::milliseconds close_timeout{2000};
};

// Running totals for benchmarks.
struct UsbCounters {
  uint64_t bytes_in = 0;           // payload, status bytes stripped
  uint64_t bytes_out = 0;
  uint64_t transfers_in = 0;       // completed, status-only ones included
  uint64_t status_only_in = 0;     // IN transfers with no payload (an idle chip)
  uint64_t transfers_out = 0;
  std::size_t max_queued_in = 0;   // the IN queue's high-water mark, bytes
};

class UsbTransport final : public Transport {
 public:
  // Takes over `handle`: interface 0 claimed, the chip in synchronous FIFO mode.
  // `board` names it in messages ("FT232H serial LT-0042"), `location` says where it is
  // ("bus 1 address 4").
  UsbTransport(std::shared_ptr<UsbContext> context, libusb_device_handle* handle, std::string board,
               std::string location, UsbTransportOptions options = {});
  // Cancels every transfer, waits for them (bounded), releases the interface, closes.
  ~UsbTransport() override;
  UsbTransport(const UsbTransport&) = delete;
  UsbTransport& operator=(const UsbTransport&) = delete;

  // Starts the event thread and submits the IN transfers.
  Error start();

  Error write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Error read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) override;
  std::string describe() const override;

  UsbCounters counters() const;

 private:
  struct Link;  // everything the transfer callbacks touch
  std::unique_ptr<Link> link_;
};

}  // namespace lathe::usb
