// SPDX-License-Identifier: MIT
// usbfs emulation of one Lathe board; see usbfs_board.hpp.
#include "usbfs_board.hpp"

#include <sys/ioctl.h>
// clang-format off: usbdevice_fs.h needs the ioctl macros first.
#include <linux/usbdevice_fs.h>
#include <linux/usb/ch9.h>
// clang-format on
#include <umockdev.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "ft232h_descriptors.hpp"
#include "lathe/registers.hpp"
#include "lathe/usb/ftdi.hpp"

namespace lathe::virtual_board {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kChunkCycles = 512;  // simulated between looks at the USB side
// The board keeps running this long after the last byte moved: the DSP finishes what it
// holds, the latency timer can run out.
constexpr uint64_t kActiveTailMs = 4;

sim::Ft232hOptions chip_options(const Faults& f) {
  sim::Ft232hOptions o;
  o.seed = f.seed;
  o.rx_stall_rate = f.fifo_stall_rate;
  o.tx_stall_rate = f.fifo_stall_rate;
  o.max_stall_cycles = f.fifo_stall_rate > 0 ? 2000 : 0;
  return o;
}

sim::SimOptions sim_options(const Faults& f, sim::SimCore core) {
  sim::SimOptions o;
  o.seed = f.seed;
  o.core = core;
  return o;
}

std::string hex(const std::vector<uint8_t>& bytes) {
  std::string s;
  char b[3];
  for (uint8_t v : bytes) {
    std::snprintf(b, sizeof b, "%02x", v);
    s += b;
  }
  return s;
}

usbdevfs_urb& urb_of(UMockdevIoctlData* data) { return *reinterpret_cast<usbdevfs_urb*>(data->data); }

}  // namespace

std::string Identity::syspath() const {
  return "/sys/devices/pci0000:00/0000:00:14.0/usb" + std::to_string(busnum) + "/" + std::to_string(busnum) + "-" +
         std::to_string(devnum - 1);
}

std::string Identity::devnode() const {
  char b[32];
  std::snprintf(b, sizeof b, "/dev/bus/usb/%03d/%03d", busnum, devnum);
  return b;
}

std::string Identity::udev_record() const {
  char bus[8], dev[8];
  std::snprintf(bus, sizeof bus, "%03d", busnum);
  std::snprintf(dev, sizeof dev, "%03d", devnum);
  auto descriptors = device_descriptor();
  const auto config = configuration_descriptor();
  descriptors.insert(descriptors.end(), config.begin(), config.end());
  const std::string path = syspath().substr(4);  // umockdev wants it without /sys
  return "P: " + path + "\n" +
         "N: bus/usb/" + bus + "/" + dev + "\n"
         "E: SUBSYSTEM=usb\n"
         "E: DEVTYPE=usb_device\n"
         "E: DRIVER=usb\n"
         "E: BUSNUM=" + bus + "\n"
         "E: DEVNUM=" + dev + "\n"
         "E: DEVNAME=" + devnode() + "\n"
         "E: PRODUCT=403/6014/900\n"
         "E: ID_SERIAL_SHORT=" + serial + "\n"
         "A: busnum=" + std::to_string(busnum) + "\\n\n"
         "A: devnum=" + std::to_string(devnum) + "\\n\n"
         "A: speed=480\\n\n"
         "A: bConfigurationValue=1\\n\n"
         "A: idVendor=0403\\n\n"
         "A: idProduct=6014\\n\n"
         "A: serial=" + serial + "\\n\n"
         "H: descriptors=" + hex(descriptors) + "\n";
}

UsbfsBoard::UsbfsBoard(Identity identity, Faults faults, bool verbose, std::function<void()> on_unplug,
                       std::function<void()> on_term, std::optional<CodecPlan> codec,
                       std::function<void()> on_played, sim::SimCore core)
    : identity_(std::move(identity)),
      faults_(faults),
      verbose_(verbose),
      on_unplug_(std::move(on_unplug)),
      on_term_(std::move(on_term)),
      board_(sim_options(faults, core), chip_options(faults)),
      last_in_time_(Clock::now()),
      plan_(std::move(codec)),
      on_played_(std::move(on_played)) {
  if (plan_) {
    // The codec is the I2S clock master (the host sets live_ctrl to match); the board's
    // clock is 260.5 fs, as `lathe live --device sim` runs it: above the 256 fs live mode
    // needs and not a multiple of BCLK. The FT232H's side runs on the same edges.
    sim::I2sCodecConfig cc;
    cc.sample_rate_hz = plan_->sample_rate_hz;
    cc.master = true;
    cc.adc_loop = plan_->loop;
    codec_ = std::make_unique<sim::I2sCodec>(cc);
    sim::BoardClocks clocks;
    clocks.clk_period_ps = static_cast<uint64_t>(std::llround(1e12 / (260.5 * plan_->sample_rate_hz)));
    board_.attach_codec(*codec_, clocks);
  }
  thread_ = std::thread([this] { run(); });
}

void UsbfsBoard::stop_thread() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    answer_reaps_locked();  // ENODEV to anyone still waiting
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<int32_t> UsbfsBoard::stop_and_record() {
  stop_thread();
  if (!codec_ || !programme_started_) return {};
  const int64_t first_bus = codec_->bus_frame_of_input(0, adc_sent_at_start_);
  const auto& bus = codec_->dac_bus_frames();
  if (first_bus < 0 || bus.empty() || bus.back() < static_cast<uint64_t>(first_bus)) return {};
  return codec_->dac_recording(static_cast<uint64_t>(first_bus), bus.back() - static_cast<uint64_t>(first_bus) + 1);
}

void UsbfsBoard::codec_step_locked() {
  if (!programme_started_ && board_.live()) {
    // The board listens: the programme starts at the ADC's next frame.
    adc_sent_at_start_ = codec_->adc_frames_sent().size();
    codec_->restart_adc(plan_->programme);
    programme_started_ = true;
    if (verbose_) std::fprintf(stderr, "virtual board %s: live mode on, the codec plays its programme\n",
                               identity_.serial.c_str());
  }
  if (programme_started_ && !played_) {
    // Played, and out: the programme, the longest latency a board has, a few frames more.
    const std::size_t tail = reg::kMaxLookahead + reg::kChainExtraDelay + 16;
    if (codec_->adc_frames_sent().size() - adc_sent_at_start_ >= plan_->programme.size() / 2 + tail) {
      played_ = true;
      if (on_played_) on_played_();
    }
  }
}

UsbfsBoard::~UsbfsBoard() {
  stop_thread();
  auto release = [](Urb& u) {
    if (u.buffer) umockdev_ioctl_data_unref(u.buffer);
    umockdev_ioctl_data_unref(u.data);
  };
  for (auto* list : {&out_urbs_, &in_urbs_})
    for (auto& u : *list) release(u);
  for (auto& [client, file] : files_) {
    for (auto& u : file.done) release(u);
    g_object_unref(client);
  }
}

BoardCounters UsbfsBoard::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void UsbfsBoard::complete_locked(UMockdevIoctlClient* client, long result, int error) {
  umockdev_ioctl_client_complete(client, result, error);
}

UsbfsBoard::OpenFile& UsbfsBoard::file_locked(UMockdevIoctlClient* client) {
  const auto it = files_.find(client);
  if (it != files_.end()) return it->second;
  g_object_ref(client);
  return files_[client];
}

// usbfs hands an interface to one open file at a time: a second program gets EBUSY,
// as it would from the kernel. A file whose program has gone gives it up.
// With --verbose the claims are logged, so that a test can wait for a program to hold
// the board instead of guessing how long that takes.
void UsbfsBoard::claim_locked(UMockdevIoctlClient* client) {
  close_stale_files_locked();
  if (claimed_by_ && claimed_by_ != client) {
    if (verbose_) std::fprintf(stderr, "virtual board %s: claim refused, in use\n", identity_.serial.c_str());
    return complete_locked(client, -1, EBUSY);
  }
  if (verbose_ && claimed_by_ != client)
    std::fprintf(stderr, "virtual board %s: claimed\n", identity_.serial.c_str());
  claimed_by_ = client;
  file_locked(client);
  complete_locked(client, 0, 0);
}

void UsbfsBoard::release_locked(UMockdevIoctlClient* client) {
  if (claimed_by_ != client) return;
  claimed_by_ = nullptr;
  if (verbose_) std::fprintf(stderr, "virtual board %s: released\n", identity_.serial.c_str());
}

void UsbfsBoard::close_stale_files_locked() {
  for (auto it = files_.begin(); it != files_.end();) {
    UMockdevIoctlClient* client = it->first;
    if (umockdev_ioctl_client_get_connected(client)) {
      ++it;
      continue;
    }
    auto drop = [client](std::deque<Urb>& list) {
      for (auto u = list.begin(); u != list.end();) {
        if (u->owner != client) {
          ++u;
          continue;
        }
        if (u->buffer) umockdev_ioctl_data_unref(u->buffer);
        umockdev_ioctl_data_unref(u->data);
        u = list.erase(u);
      }
    };
    drop(out_urbs_);
    drop(in_urbs_);
    drop(it->second.done);
    if (it->second.held_reap) g_object_unref(it->second.held_reap);
    release_locked(client);
    g_object_unref(client);
    it = files_.erase(it);
  }
}

bool UsbfsBoard::handle_ioctl(UMockdevIoctlClient* client) {
  const unsigned long request = umockdev_ioctl_client_get_request(client);
  UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
  std::lock_guard lock(mutex_);
  if (gone_ && request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY) {
    complete_locked(client, -1, ENODEV);
    return true;
  }
  switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
      UMockdevIoctlData* caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), nullptr);
      if (!caps) {
        complete_locked(client, -1, EFAULT);
        return true;
      }
      // What a current xHCI kernel offers; NO_PACKET_SIZE_LIM lets libusb submit each
      // transfer as one URB.
      *reinterpret_cast<uint32_t*>(caps->data) = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                                                 USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                                 USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
      umockdev_ioctl_data_unref(caps);
      complete_locked(client, 0, 0);
      return true;
    }
#ifdef USBDEVFS_GET_SPEED
    case USBDEVFS_GET_SPEED:
      complete_locked(client, USB_SPEED_HIGH, 0);
      return true;
#endif
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM:  // no kernel driver to disconnect: a plain claim
      claim_locked(client);
      return true;
    case USBDEVFS_RELEASEINTERFACE:
      release_locked(client);
      complete_locked(client, 0, 0);
      return true;
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_RESET:
    case USBDEVFS_RESETEP:
      complete_locked(client, 0, 0);
      return true;
    case USBDEVFS_CLEAR_HALT:
      in_halted_ = false;
      complete_locked(client, 0, 0);
      return true;
    case USBDEVFS_GETDRIVER:
    case USBDEVFS_IOCTL:  // disconnect/connect a kernel driver: none is bound here
      complete_locked(client, -1, ENODATA);
      return true;
    case USBDEVFS_SUBMITURB:
      submit_locked(client);
      return true;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
      reap_locked(client);
      return true;
    case USBDEVFS_DISCARDURB:
      discard_locked(client);
      return true;
    default:
      if (verbose_) std::fprintf(stderr, "virtual board: unhandled ioctl 0x%lx\n", request);
      complete_locked(client, -1, ENOTTY);
      return true;
  }
}

void UsbfsBoard::submit_locked(UMockdevIoctlClient* client) {
  UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
  Urb urb;
  urb.owner = client;
  file_locked(client);
  urb.data = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
  if (!urb.data) {
    complete_locked(client, -1, EFAULT);
    return;
  }
  const usbdevfs_urb u = urb_of(urb.data);
  if (u.buffer_length > 0)
    urb.buffer = umockdev_ioctl_data_resolve(urb.data, offsetof(usbdevfs_urb, buffer),
                                             static_cast<gsize>(u.buffer_length), nullptr);
  ++counters_.urbs;
  const bool bulk = u.type == USBDEVFS_URB_TYPE_BULK;
  if (bulk && !claimed_by_) {  // usbfs claims implicitly
    claimed_by_ = client;
    if (verbose_) std::fprintf(stderr, "virtual board %s: claimed\n", identity_.serial.c_str());
  }
  if (bulk && claimed_by_ != client) {
    if (urb.buffer) umockdev_ioctl_data_unref(urb.buffer);
    umockdev_ioctl_data_unref(urb.data);
    return complete_locked(client, -1, EBUSY);
  }
  if (u.type == USBDEVFS_URB_TYPE_CONTROL) {
    complete_locked(client, 0, 0);
    control_locked(urb);
  } else if (u.type == USBDEVFS_URB_TYPE_BULK && u.endpoint == ftdi::kEndpointOut) {
    complete_locked(client, 0, 0);
    out_urbs_.push_back(urb);
  } else if (u.type == USBDEVFS_URB_TYPE_BULK && u.endpoint == ftdi::kEndpointIn && u.buffer_length >= 2) {
    complete_locked(client, 0, 0);
    if (in_halted_) finish_locked(urb, -EPIPE, 0);
    else in_urbs_.push_back(urb);
  } else {
    if (urb.buffer) umockdev_ioctl_data_unref(urb.buffer);
    umockdev_ioctl_data_unref(urb.data);
    complete_locked(client, -1, EINVAL);
    return;
  }
  wake_.notify_all();
}

void UsbfsBoard::finish_locked(Urb urb, int status, std::size_t actual) {
  auto& u = urb_of(urb.data);
  u.status = status;
  u.actual_length = static_cast<int>(actual);
  OpenFile& file = file_locked(urb.owner);
  file.done.push_back(urb);
  answer_reap_locked(urb.owner, file);
}

void UsbfsBoard::answer_reaps_locked() {
  for (auto& [client, file] : files_) answer_reap_locked(client, file);
}

void UsbfsBoard::answer_reap_locked(UMockdevIoctlClient* client, OpenFile& file) {
  UMockdevIoctlClient* reap = file.held_reap;
  if (!reap) return;
  if (file.done.empty()) {
    if (!gone_ && !stop_ && Clock::now() < file.held_until) return;
    complete_locked(reap, -1, gone_ || stop_ ? ENODEV : EAGAIN);
    g_object_unref(reap);
    file.held_reap = nullptr;
    return;
  }
  Urb urb = file.done.front();
  file.done.pop_front();
  UMockdevIoctlData* pointer = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, sizeof(void*), nullptr);
  if (pointer) {
    // The reply is the client's own URB address; umockdev writes the URB (and its
    // buffer) back into the client's memory when the ioctl completes.
    umockdev_ioctl_data_set_ptr(pointer, 0, urb.data);
    umockdev_ioctl_data_unref(pointer);
    complete_locked(reap, 0, 0);
  } else {
    complete_locked(reap, -1, EFAULT);
  }
  g_object_unref(reap);
  file.held_reap = nullptr;
  if (urb.buffer) umockdev_ioctl_data_unref(urb.buffer);
  umockdev_ioctl_data_unref(urb.data);
}

void UsbfsBoard::reap_locked(UMockdevIoctlClient* client) {
  OpenFile& file = file_locked(client);
  if (file.held_reap) {  // libusb reaps from one thread at a time
    complete_locked(client, -1, EBUSY);
    return;
  }
  file.held_reap = static_cast<UMockdevIoctlClient*>(g_object_ref(client));
  file.held_until = Clock::now() + std::chrono::milliseconds(kReapHoldMs);
  answer_reap_locked(client, file);
  wake_.notify_all();
}

void UsbfsBoard::discard_locked(UMockdevIoctlClient* client) {
  UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
  const gulong address = *reinterpret_cast<gulong*>(arg->data);
  for (auto* list : {&out_urbs_, &in_urbs_}) {
    const auto it = std::find_if(list->begin(), list->end(), [&](const Urb& u) { return u.data->client_addr == address; });
    if (it == list->end()) continue;
    Urb urb = *it;
    list->erase(it);
    complete_locked(client, 0, 0);
    finish_locked(urb, -ENOENT, urb.done);
    return;
  }
  complete_locked(client, -1, EINVAL);
}

void UsbfsBoard::control_locked(Urb& urb) {
  if (!urb.buffer || urb.buffer->data_len < 8) {
    finish_locked(urb, -EPIPE, 0);
    return;
  }
  uint8_t* setup = urb.buffer->data;
  const uint8_t type = setup[0], request = setup[1];
  const uint16_t value = static_cast<uint16_t>(setup[2] | setup[3] << 8);
  const uint16_t length = static_cast<uint16_t>(setup[6] | setup[7] << 8);
  uint8_t* data = setup + 8;
  const std::size_t room = std::min<std::size_t>(length, static_cast<std::size_t>(urb.buffer->data_len) - 8);
  auto reply = [&](const std::vector<uint8_t>& bytes) {
    const std::size_t n = std::min(room, bytes.size());
    std::memcpy(data, bytes.data(), n);
    finish_locked(urb, 0, n);
  };
  if (verbose_)
    std::fprintf(stderr, "virtual board %s: control %02x %02x value %04x length %u\n", identity_.serial.c_str(), type,
                 request, value, length);

  if (type == 0x80 && request == USB_REQ_GET_DESCRIPTOR) {
    const uint8_t kind = value >> 8, index = value & 0xff;
    if (kind == USB_DT_DEVICE) return reply(device_descriptor());
    if (kind == USB_DT_CONFIG) return reply(configuration_descriptor());
    if (kind == USB_DT_STRING) {
      if (index == 0) return reply(language_descriptor());
      if (index == kStringManufacturer) return reply(string_descriptor("Lathe"));
      if (index == kStringProduct) return reply(string_descriptor("Lathe mastering board (virtual)"));
      if (index == kStringSerial) return reply(string_descriptor(identity_.serial));
    }
    return finish_locked(urb, -EPIPE, 0);
  }
  if (type == 0x00 && request == USB_REQ_SET_CONFIGURATION) return finish_locked(urb, 0, 0);
  if (type == ftdi::kRequestOut) {
    switch (request) {
      case ftdi::kSioReset:
        if (value == ftdi::kResetSio || value == ftdi::kPurgeRx) purge_rx_ = true;
        if (value == ftdi::kResetSio || value == ftdi::kPurgeTx) {
          purge_tx_ = true;
          tx_.clear();
        }
        return finish_locked(urb, 0, 0);
      case ftdi::kSioSetLatencyTimer:
        if ((value & 0xff) == 0) return finish_locked(urb, -EPIPE, 0);
        latency_ms_ = static_cast<uint8_t>(value & 0xff);
        return finish_locked(urb, 0, 0);
      case ftdi::kSioSetBitmode:
        bitmode_ = static_cast<uint8_t>(value >> 8);
        return finish_locked(urb, 0, 0);
      case ftdi::kSioSetModemCtrl:
      case ftdi::kSioSetFlowCtrl:
      case ftdi::kSioSetBaudRate:
      case ftdi::kSioSetData:
        return finish_locked(urb, 0, 0);
      default:
        return finish_locked(urb, -EPIPE, 0);
    }
  }
  if (type == ftdi::kRequestIn) {
    switch (request) {
      case ftdi::kSioGetLatencyTimer: return reply({latency_ms_});
      case ftdi::kSioPollModemStatus: return reply({ftdi::kModemStatusIdle, ftdi::kLineStatusIdle});
      case ftdi::kSioReadPins: return reply({0xff});
      case ftdi::kSioReadEeprom: return reply({0x00, 0x00});
      default: return finish_locked(urb, -EPIPE, 0);
    }
  }
  finish_locked(urb, -EPIPE, 0);
}

void UsbfsBoard::unplug() {
  std::lock_guard lock(mutex_);
  unplug_locked();
}

void UsbfsBoard::unplug_locked() {
  if (gone_) return;
  gone_ = true;
  // The host controller gives back every URB in flight with -ESHUTDOWN.
  for (auto* list : {&out_urbs_, &in_urbs_}) {
    while (!list->empty()) {
      Urb urb = list->front();
      list->pop_front();
      finish_locked(urb, -ESHUTDOWN, urb.done);
    }
  }
  answer_reaps_locked();
  if (on_unplug_) on_unplug_();
}

void UsbfsBoard::note_activity_locked() {
  // A byte crossing the FIFO pins either way means the FPGA is busy; it gets a tail of
  // board time to finish what that byte started.
  const uint64_t moved = board_.chip().bytes_to_fpga() + board_.chip().bytes_from_fpga();
  if (moved != pins_moved_) {
    pins_moved_ = moved;
    active_until_cycle_ = board_.cycles() + kActiveTailMs * board_.cycles_per_ms();
  }
}

bool UsbfsBoard::board_active_locked() const {
  // A codec's clocks never stop: neither does the board's time. Otherwise bytes in either
  // of the chip's buffers keep the board running, however long the FIFO pins stall.
  return codec_ != nullptr || !out_urbs_.empty() || board_.chip().rx_level() > 0 || board_.chip().tx_level() > 0 ||
         board_.cycles() < active_until_cycle_;
}

void UsbfsBoard::move_out_locked() {
  if (purge_rx_) {
    board_.chip().purge_rx();
    purge_rx_ = false;
  }
  if (purge_tx_) {
    board_.chip().purge_tx();
    purge_tx_ = false;
  }
  while (!out_urbs_.empty()) {
    Urb& urb = out_urbs_.front();
    const std::size_t length = urb.buffer ? urb.buffer->data_len : 0;
    std::size_t n = length - urb.done;
    if (bitmode_ == ftdi::kBitmodeSyncFifo) {
      // Faults trigger at an exact byte count.
      for (auto limit : {faults_.unplug_after_out_bytes, faults_.hang_after_out_bytes, faults_.term_after_out_bytes})
        if (limit && counters_.out_bytes < *limit) n = std::min<std::size_t>(n, *limit - counters_.out_bytes);
      n = board_.feed(std::span<const uint8_t>(urb.buffer->data + urb.done, n));
    }  // else the chip is still a UART: the bytes leave on its TXD pin, not to the FPGA
    urb.done += n;
    counters_.out_bytes += bitmode_ == ftdi::kBitmodeSyncFifo ? n : 0;
    if (faults_.term_after_out_bytes && counters_.out_bytes >= *faults_.term_after_out_bytes && !term_sent_) {
      term_sent_ = true;
      if (verbose_) std::fprintf(stderr, "virtual board %s: stopping the command after %llu bytes\n",
                                 identity_.serial.c_str(), static_cast<unsigned long long>(counters_.out_bytes));
      if (on_term_) on_term_();
    }
    if (faults_.unplug_after_out_bytes && counters_.out_bytes >= *faults_.unplug_after_out_bytes) return unplug_locked();
    if (faults_.hang_after_out_bytes && counters_.out_bytes >= *faults_.hang_after_out_bytes) {
      hung_ = true;
      return;
    }
    if (urb.done < length) return;  // the chip's buffer is full
    Urb finished = urb;
    out_urbs_.pop_front();
    finish_locked(finished, 0, finished.done);
  }
}

void UsbfsBoard::fill_in_urb_locked(Urb urb) {
  const std::size_t length = static_cast<std::size_t>(urb.buffer->data_len);
  std::size_t at = 0;
  // Whole packets while there is data for them; a short packet ends the transfer.
  while (at + ftdi::kStatusBytes <= length) {
    const std::size_t room = std::min(ftdi::kPacketBytes, length - at) - ftdi::kStatusBytes;
    const std::size_t n = std::min(room, tx_.size());
    urb.buffer->data[at] = ftdi::kModemStatusIdle;
    urb.buffer->data[at + 1] = ftdi::kLineStatusIdle;
    std::copy_n(tx_.begin(), n, urb.buffer->data + at + ftdi::kStatusBytes);
    tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(n));
    at += ftdi::kStatusBytes + n;
    counters_.in_bytes += n;
    if (n < room || tx_.empty()) break;
  }
  if (at == ftdi::kStatusBytes) ++counters_.status_only_packets;
  last_in_cycle_ = board_.cycles();
  last_in_time_ = Clock::now();
  tx_since_cycle_ = board_.cycles();
  finish_locked(urb, 0, at);
}

void UsbfsBoard::move_in_locked() {
  std::vector<uint8_t> bytes;
  if (board_.host_read(bytes)) {
    if (tx_.empty()) tx_since_cycle_ = board_.cycles();
    if (faults_.protocol_version) {
      rewrite_.feed(bytes);
      std::vector<uint8_t> out;
      while (auto p = rewrite_.next()) {
        if (p->type == protocol::Type::kInfo && p->payload.size() >= 2) {
          p->payload[0] = static_cast<uint8_t>(*faults_.protocol_version);
          p->payload[1] = static_cast<uint8_t>(*faults_.protocol_version >> 8);
        }
        protocol::encode(*p, out);
      }
      tx_.insert(tx_.end(), out.begin(), out.end());
    } else {
      tx_.insert(tx_.end(), bytes.begin(), bytes.end());
    }
  }
  if (bitmode_ != ftdi::kBitmodeSyncFifo) tx_.clear();
  const bool active = board_active_locked();
  const uint64_t latency_cycles = uint64_t{latency_ms_} * board_.cycles_per_ms();
  while (!in_urbs_.empty()) {
    const Urb& urb = in_urbs_.front();
    const std::size_t length = static_cast<std::size_t>(urb.buffer->data_len);
    const std::size_t packets = (length + ftdi::kPacketBytes - 1) / ftdi::kPacketBytes;
    const std::size_t capacity = length - packets * ftdi::kStatusBytes;
    bool send = tx_.size() >= capacity;
    // The latency timer: waiting data goes out in a short packet when it runs out (in
    // board time while the board runs; an idle board's time passes at once).
    if (!tx_.empty() && (!active || board_.cycles() - tx_since_cycle_ >= latency_cycles)) send = true;
    // With nothing to send the chip still answers every latency period: status only.
    if (tx_.empty()) {
      send = active ? board_.cycles() - last_in_cycle_ >= latency_cycles
                    : Clock::now() - last_in_time_ >= std::chrono::milliseconds(latency_ms_);
    }
    if (!send) break;
    if (faults_.stall_after_in_bytes && counters_.in_bytes >= *faults_.stall_after_in_bytes) in_halted_ = true;
    Urb next = urb;
    in_urbs_.pop_front();
    if (in_halted_) finish_locked(next, -EPIPE, 0);
    else fill_in_urb_locked(next);
  }
}

void UsbfsBoard::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (codec_) codec_step_locked();
    if (!hung_ && !gone_) {
      note_activity_locked();
      move_out_locked();
      if (!gone_) move_in_locked();
    }
    answer_reaps_locked();
    close_stale_files_locked();
    if (codec_ && gone_) board_.set_ft_clock(false);  // unplugged: the live path goes on, the FT232H is dark
    if (!codec_ && (hung_ || gone_ || !board_active_locked())) {
      // Idle: wake for a submitted URB, a held reap's deadline or the latency timer.
      const bool waiting = std::any_of(files_.begin(), files_.end(), [](const auto& f) { return f.second.held_reap; });
      wake_.wait_for(lock, std::chrono::milliseconds(waiting ? 1 : latency_ms_));
      continue;
    }
    lock.unlock();
    board_.run(kChunkCycles);
    lock.lock();
  }
}

}  // namespace lathe::virtual_board
