// SPDX-License-Identifier: MIT
// One emulated Lathe board as the kernel's usbfs presents it: the FT232H's USB side
// (descriptors, FTDI vendor requests, bulk endpoints with status bytes and latency timer)
// answering the ioctls libusb makes on /dev/bus/usb/BBB/DDD, in front of the Verilated
// lathe_top with the FT232H FIFO pin model (lathe::sim::Board).
//
// Threads: umockdev's worker thread calls handle_ioctl(); a board thread runs the
// simulation and completes URBs. libusb polls the device node, which umockdev makes a
// plain file that is always ready, so an empty REAPURBNDELAY is held back for up to
// kReapHoldMs instead of answered at once: that keeps libusb's event loop from spinning
// and costs nothing a real kernel would not (the reap returns as soon as a URB is done).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lathe/protocol.hpp"
#include "lathe/sim/board.hpp"

typedef struct _UMockdevIoctlClient UMockdevIoctlClient;
typedef struct _UMockdevIoctlData UMockdevIoctlData;

namespace lathe::virtual_board {

// What can go wrong with the board, for tests of the host's error paths.
struct Faults {
  std::optional<uint64_t> unplug_after_out_bytes;  // the cable is pulled
  std::optional<uint64_t> hang_after_out_bytes;    // the board stops answering anything
  std::optional<uint64_t> stall_after_in_bytes;    // the IN endpoint halts (STALL)
  std::optional<uint16_t> protocol_version;        // a bitstream of another protocol version
  // Not the board's fault: the user stops the job (on_term runs once, e.g. SIGTERM to it).
  std::optional<uint64_t> term_after_out_bytes;
  double fifo_stall_rate = 0.0;                    // random RXF#/TXE# stalls on the FIFO pins
  uint32_t seed = 1;
};

// A codec on the board's I2S pins (lathe-virtual-board --codec-in/--codec-out): the I2S
// clock master at the programme's rate, silent until the board is in live mode, then
// playing the programme into the ADC while the DAC records.
struct CodecPlan {
  std::vector<int32_t> programme;  // interleaved stereo, 24-bit
  uint32_t sample_rate_hz = 48000;
  bool loop = false;  // the programme again and again, else silence after it
};

struct Identity {
  std::string serial;
  int busnum = 1;
  int devnum = 2;
  std::string syspath() const;  // /sys/devices/... path as umockdev names it
  std::string devnode() const;  // /dev/bus/usb/BBB/DDD
  // The umockdev record (udev properties, sysfs attributes, descriptors) of this board.
  std::string udev_record() const;
};

struct BoardCounters {
  uint64_t out_bytes = 0;  // host -> FPGA, into the chip
  uint64_t in_bytes = 0;   // FPGA -> host, payload
  uint64_t urbs = 0;
  uint64_t status_only_packets = 0;
};

class UsbfsBoard {
 public:
  static constexpr int kReapHoldMs = 2;

  // on_unplug runs on the board thread when a fault pulls the cable; the caller removes
  // the device from the testbed (which must happen on its own thread). on_term runs on
  // the board thread when faults.term_after_out_bytes is reached.
  // With a codec, on_played runs on the board thread once the programme has played and
  // everything it can give has come out of the DAC (the longest latency a board has).
  // `core`: the simulated board's lathe_core (sim::SimCore).
  UsbfsBoard(Identity identity, Faults faults, bool verbose, std::function<void()> on_unplug,
             std::function<void()> on_term = {}, std::optional<CodecPlan> codec = {},
             std::function<void()> on_played = {}, sim::SimCore core = sim::SimCore::kRtl);
  ~UsbfsBoard();
  UsbfsBoard(const UsbfsBoard&) = delete;
  UsbfsBoard& operator=(const UsbfsBoard&) = delete;

  const Identity& identity() const { return identity_; }
  // The umockdev "handle-ioctl" signal; true when the ioctl was answered (now or later).
  bool handle_ioctl(UMockdevIoctlClient* client);
  BoardCounters counters() const;
  // Pulls the cable now: URBs in flight fail, the device leaves the bus.
  void unplug();
  // Stops the board (it answers nothing more) and returns what its codec's DAC received
  // from the bus frame the programme began in (interleaved; frames the DAC did not get
  // are silence); empty if the programme never began or there is no codec.
  std::vector<int32_t> stop_and_record();

 private:
  struct Urb {
    UMockdevIoctlClient* owner = nullptr;  // the open file it was submitted on
    UMockdevIoctlData* data = nullptr;     // struct usbdevfs_urb, a local copy
    UMockdevIoctlData* buffer = nullptr;   // its buffer, a local copy
    std::size_t done = 0;                  // OUT bytes already in the chip
  };
  // An open file of the device node (one per libusb_open): its finished URBs and the
  // reap it is waiting in, as usbfs keeps them per file.
  struct OpenFile {
    std::deque<Urb> done;
    UMockdevIoctlClient* held_reap = nullptr;
    std::chrono::steady_clock::time_point held_until;
  };

  void complete_locked(UMockdevIoctlClient* client, long result, int error);
  OpenFile& file_locked(UMockdevIoctlClient* client);
  void claim_locked(UMockdevIoctlClient* client);
  void release_locked(UMockdevIoctlClient* client);
  void submit_locked(UMockdevIoctlClient* client);
  void reap_locked(UMockdevIoctlClient* client);
  void discard_locked(UMockdevIoctlClient* client);
  void control_locked(Urb& urb);
  void finish_locked(Urb urb, int status, std::size_t actual);
  void answer_reap_locked(UMockdevIoctlClient* client, OpenFile& file);
  void answer_reaps_locked();
  void close_stale_files_locked();
  void unplug_locked();

  // Board thread.
  void run();
  void stop_thread();
  void codec_step_locked();
  void move_out_locked();
  void move_in_locked();
  void fill_in_urb_locked(Urb urb);
  void note_activity_locked();
  bool board_active_locked() const;

  Identity identity_;
  Faults faults_;
  bool verbose_;
  std::function<void()> on_unplug_;
  std::function<void()> on_term_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  sim::Board board_;  // touched only by the board thread, under mutex_ except while it runs
  std::deque<Urb> out_urbs_, in_urbs_;
  std::map<UMockdevIoctlClient*, OpenFile> files_;  // holds a reference to each client
  UMockdevIoctlClient* claimed_by_ = nullptr;       // interface 0's owner
  std::deque<uint8_t> tx_;  // FPGA -> host bytes not yet in an IN packet
  protocol::Decoder rewrite_;  // when faults_.protocol_version is set
  uint64_t tx_since_cycle_ = 0;
  uint64_t last_in_cycle_ = 0;
  std::chrono::steady_clock::time_point last_in_time_;
  uint64_t active_until_cycle_ = 0;
  uint64_t pins_moved_ = 0;
  uint8_t bitmode_ = 0;
  uint8_t latency_ms_ = 16;
  bool purge_rx_ = false, purge_tx_ = false;
  bool in_halted_ = false, hung_ = false, gone_ = false, stop_ = false, term_sent_ = false;
  BoardCounters counters_;
  std::optional<CodecPlan> plan_;
  std::function<void()> on_played_;
  std::unique_ptr<sim::I2sCodec> codec_;
  std::size_t adc_sent_at_start_ = 0;  // frames the ADC had sent when the programme began
  bool programme_started_ = false, played_ = false;
  std::thread thread_;
};

}  // namespace lathe::virtual_board
