// SPDX-License-Identifier: MIT
// UsbTransport: asynchronous bulk transfers to and from the FT232H (see the header for
// the sizes and the threads).
#include "lathe/usb/usb_transport.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "lathe/usb/ftdi.hpp"

namespace lathe::usb {
namespace {

using Clock = std::chrono::steady_clock;

std::string endpoint_name(uint8_t endpoint) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", endpoint);
  return text;
}

}  // namespace

struct UsbTransport::Link {
  // One libusb transfer and its buffer. Slots never move: callbacks hold their address.
  struct Slot {
    Link* link = nullptr;
    libusb_transfer* transfer = nullptr;
    std::vector<uint8_t> buffer;
    bool in_flight = false;
    bool is_in() const { return transfer->endpoint & LIBUSB_ENDPOINT_IN; }
  };

  Link(std::shared_ptr<UsbContext> context_in, libusb_device_handle* handle_in, std::string board_in,
       std::string location_in, UsbTransportOptions options_in);
  ~Link();

  static void LIBUSB_CALL transfer_done(libusb_transfer* transfer);
  void in_done(Slot& slot);
  void out_done(Slot& slot);
  // Submits `slot`; on failure records it and returns false.
  bool submit_locked(Slot& slot);
  void fail_locked(Error error);
  Error transfer_failure(const libusb_transfer& transfer) const;
  Error submit_failure(int rc, uint8_t endpoint) const;
  void run_events();
  // Cancels every transfer and waits for their callbacks; false when some never came
  // back within the close timeout.
  bool cancel_all();
  void stop_events();

  std::shared_ptr<UsbContext> context;
  libusb_device_handle* handle;
  const std::string board;     // "FT232H serial X"
  const std::string location;  // "bus 1 address 4"
  const UsbTransportOptions options;

  std::thread event_thread;
  std::atomic<bool> events_stopping{false};

  // Everything below is shared with the callbacks (on the event thread).
  mutable std::mutex mutex;
  // Signalled when bytes arrive, an OUT slot frees, a transfer ends while closing, or a
  // failure is recorded.
  std::condition_variable changed;
  std::vector<std::unique_ptr<Slot>> in_slots, out_slots;
  std::vector<Slot*> free_out;   // OUT slots not in flight
  std::vector<Slot*> parked_in;  // IN slots waiting for read() to drain the queue
  std::size_t in_flight = 0;
  bool closing = false;
  Error failed;             // the first failure; sticky
  std::vector<uint8_t> rx;  // payload bytes not yet read
  UsbCounters counters;
};

UsbTransport::Link::Link(std::shared_ptr<UsbContext> context_in, libusb_device_handle* handle_in,
                         std::string board_in, std::string location_in, UsbTransportOptions options_in)
    : context(std::move(context_in)),
      handle(handle_in),
      board(std::move(board_in)),
      location(std::move(location_in)),
      options(options_in) {
  auto make_slots = [&](std::vector<std::unique_ptr<Slot>>& slots, std::size_t count, std::size_t bytes,
                        uint8_t endpoint, unsigned timeout_ms) {
    for (std::size_t i = 0; i < count; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->link = this;
      slot->buffer.resize(bytes);
      slot->transfer = libusb_alloc_transfer(0);
      if (!slot->transfer) {
        fail_locked({Errc::kOutOfMemory, "out of memory for USB transfers (board " + board + ")"});
        return;
      }
      libusb_fill_bulk_transfer(slot->transfer, handle, endpoint, slot->buffer.data(), static_cast<int>(bytes),
                                &Link::transfer_done, slot.get(), timeout_ms);
      slots.push_back(std::move(slot));
    }
  };
  // IN transfers wait as long as the board is quiet: the chip's status packets end them.
  make_slots(in_slots, options.in_transfers, options.in_transfer_bytes, ftdi::kEndpointIn, 0);
  make_slots(out_slots, options.out_transfers, options.out_transfer_bytes, ftdi::kEndpointOut,
             static_cast<unsigned>(options.out_timeout.count()));
  for (auto& slot : out_slots) free_out.push_back(slot.get());
}

UsbTransport::Link::~Link() {
  for (auto* slots : {&in_slots, &out_slots})
    for (auto& slot : *slots) libusb_free_transfer(slot->transfer);
  // The interface may be gone with the board; closing is all that is left to do then.
  libusb_release_interface(handle, ftdi::kInterface);
  libusb_close(handle);
}

void LIBUSB_CALL UsbTransport::Link::transfer_done(libusb_transfer* transfer) {
  auto& slot = *static_cast<Slot*>(transfer->user_data);
  if (slot.is_in()) slot.link->in_done(slot);
  else slot.link->out_done(slot);
}

void UsbTransport::Link::in_done(Slot& slot) {
  std::lock_guard lock(mutex);
  slot.in_flight = false;
  --in_flight;
  const libusb_transfer& t = *slot.transfer;
  bool wake = closing;
  if (t.status == LIBUSB_TRANSFER_COMPLETED) {
    const std::size_t payload =
        ftdi::strip_status_bytes({t.buffer, static_cast<std::size_t>(t.actual_length)}, rx);
    counters.bytes_in += payload;
    ++counters.transfers_in;
    if (payload == 0) ++counters.status_only_in;
    counters.max_queued_in = std::max(counters.max_queued_in, rx.size());
    wake = wake || payload > 0;
    if (!closing && !failed) {
      if (rx.size() >= options.max_queued_in_bytes) parked_in.push_back(&slot);
      else if (!submit_locked(slot)) wake = true;
    }
  } else if (!(closing && t.status == LIBUSB_TRANSFER_CANCELLED)) {
    fail_locked(transfer_failure(t));
    wake = true;
  }
  if (wake) changed.notify_all();
}

void UsbTransport::Link::out_done(Slot& slot) {
  std::lock_guard lock(mutex);
  slot.in_flight = false;
  --in_flight;
  free_out.push_back(&slot);
  const libusb_transfer& t = *slot.transfer;
  if (t.status == LIBUSB_TRANSFER_COMPLETED) {
    counters.bytes_out += static_cast<uint64_t>(t.actual_length);
    ++counters.transfers_out;
    if (t.actual_length != t.length)
      fail_locked({Errc::kDisconnected, "board " + board + " took " + std::to_string(t.actual_length) + " of " +
                                            std::to_string(t.length) + " bytes on endpoint " +
                                            endpoint_name(t.endpoint)});
  } else if (!(closing && t.status == LIBUSB_TRANSFER_CANCELLED)) {
    fail_locked(transfer_failure(t));
  }
  changed.notify_all();
}

bool UsbTransport::Link::submit_locked(Slot& slot) {
  const int rc = libusb_submit_transfer(slot.transfer);
  if (rc == LIBUSB_SUCCESS) {
    slot.in_flight = true;
    ++in_flight;
    return true;
  }
  if (!slot.is_in()) free_out.push_back(&slot);
  fail_locked(submit_failure(rc, slot.transfer->endpoint));
  return false;
}

void UsbTransport::Link::fail_locked(Error error) {
  if (!failed) failed = std::move(error);  // the first failure is the cause; later ones follow from it
}

Error UsbTransport::Link::transfer_failure(const libusb_transfer& t) const {
  const std::string endpoint = "endpoint " + endpoint_name(t.endpoint);
  switch (t.status) {
    case LIBUSB_TRANSFER_NO_DEVICE:
      return {Errc::kDisconnected, "board " + board + " was unplugged"};
    case LIBUSB_TRANSFER_TIMED_OUT:
      return {Errc::kTimeout, "the board did not accept data for " + std::to_string(options.out_timeout.count()) +
                                  " ms (" + board + ", " + endpoint + ")"};
    case LIBUSB_TRANSFER_STALL:
      return {Errc::kDisconnected, endpoint + " stalled (board " + board + ")"};
    case LIBUSB_TRANSFER_OVERFLOW:
      return {Errc::kDisconnected, endpoint + " sent more than was asked for (overflow, board " + board + ")"};
    case LIBUSB_TRANSFER_CANCELLED:
      return {Errc::kDisconnected, "a transfer on " + endpoint + " was cancelled (board " + board + ")"};
    case LIBUSB_TRANSFER_ERROR:
    case LIBUSB_TRANSFER_COMPLETED:
      break;
  }
  // Linux reports most bus errors, and some unplugs, as a plain transfer error.
  return {Errc::kDisconnected,
          "a transfer on " + endpoint + " failed (board " + board + ": unplugged, or a cable or hub problem)"};
}

Error UsbTransport::Link::submit_failure(int rc, uint8_t endpoint) const {
  if (rc == LIBUSB_ERROR_NO_DEVICE) return {Errc::kDisconnected, "board " + board + " was unplugged"};
  if (rc == LIBUSB_ERROR_PIPE)
    return {Errc::kDisconnected, "endpoint " + endpoint_name(endpoint) + " stalled (board " + board + ")"};
  return {Errc::kDisconnected, "cannot submit a transfer on endpoint " + endpoint_name(endpoint) + " (board " +
                                   board + "): " + libusb_error_text(rc)};
}

void UsbTransport::Link::run_events() {
  while (!events_stopping.load(std::memory_order_acquire)) {
    // libusb_interrupt_event_handler ends the wait at once on close; the timeout is a
    // backstop.
    timeval tv{0, 100'000};
    const int rc = libusb_handle_events_timeout_completed(context->get(), &tv, nullptr);
    if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_INTERRUPTED) {
      {
        std::lock_guard lock(mutex);
        fail_locked({Errc::kDisconnected, "libusb stopped handling events: " + libusb_error_text(rc)});
      }
      changed.notify_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // not a busy loop on a broken context
    }
  }
}

bool UsbTransport::Link::cancel_all() {
  std::unique_lock lock(mutex);
  closing = true;
  parked_in.clear();
  for (auto* slots : {&in_slots, &out_slots})
    for (auto& slot : *slots)
      if (slot->in_flight) libusb_cancel_transfer(slot->transfer);  // NOT_FOUND: it is completing anyway
  return changed.wait_for(lock, options.close_timeout, [&] { return in_flight == 0; });
}

void UsbTransport::Link::stop_events() {
  if (!event_thread.joinable()) return;
  events_stopping.store(true, std::memory_order_release);
  libusb_interrupt_event_handler(context->get());
  event_thread.join();
}

UsbTransport::UsbTransport(std::shared_ptr<UsbContext> context, libusb_device_handle* handle, std::string board,
                           std::string location, UsbTransportOptions options)
    : link_(std::make_unique<Link>(std::move(context), handle, std::move(board), std::move(location), options)) {}

UsbTransport::~UsbTransport() {
  const bool all_back = link_->cancel_all();
  link_->stop_events();
  // A transfer that never came back still belongs to libusb, which may write its buffer
  // and call back into the link: the link (its transfers, handle and context) is left
  // alive rather than freed under it. Only a broken host controller gets here.
  if (!all_back) (void)link_.release();
}

Error UsbTransport::start() {
  Link& l = *link_;
  if (!l.event_thread.joinable()) l.event_thread = std::thread([&l] { l.run_events(); });
  std::lock_guard lock(l.mutex);
  if (!l.failed)
    for (auto& slot : l.in_slots)
      if (!l.submit_locked(*slot)) break;
  return l.failed;
}

Error UsbTransport::write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  Link& l = *link_;
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(l.mutex);
  if (l.failed) return l.failed;
  for (std::size_t at = 0; at < bytes.size();) {
    if (!l.changed.wait_until(lock, deadline, [&] { return l.failed || !l.free_out.empty(); }))
      return {Errc::kTimeout,
              "the board did not accept data for " + std::to_string(timeout.count()) + " ms (" + l.board + ")"};
    if (l.failed) return l.failed;
    Link::Slot& slot = *l.free_out.back();
    l.free_out.pop_back();
    const std::size_t n = std::min(l.options.out_transfer_bytes, bytes.size() - at);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), n, slot.buffer.begin());
    slot.transfer->length = static_cast<int>(n);
    if (!l.submit_locked(slot)) return l.failed;
    at += n;
  }
  return {};
}

Error UsbTransport::read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) {
  Link& l = *link_;
  std::unique_lock lock(l.mutex);
  l.changed.wait_for(lock, timeout, [&] { return l.failed || !l.rx.empty(); });
  if (l.failed) return l.failed;
  if (out.empty()) out.swap(l.rx);
  else out.insert(out.end(), l.rx.begin(), l.rx.end());
  l.rx.clear();
  // IN transfers parked on a full queue go back to work; a failure to submit them is
  // the next call's error, these bytes are good.
  while (!l.parked_in.empty() && !l.failed) {
    Link::Slot* slot = l.parked_in.back();
    l.parked_in.pop_back();
    l.submit_locked(*slot);
  }
  return {};
}

std::string UsbTransport::describe() const { return "Lathe board, " + link_->board + " (" + link_->location + ")"; }

UsbCounters UsbTransport::counters() const {
  std::lock_guard lock(link_->mutex);
  return link_->counters;
}

}  // namespace lathe::usb
