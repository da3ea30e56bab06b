// SPDX-License-Identifier: MIT
#include "lathe/usb/ft232h_setup.hpp"

#include <cstdio>

#include "lathe/usb/usb_context.hpp"

namespace lathe::usb {
namespace {

using namespace lathe::ftdi;

constexpr uint16_t kAllPins = 0xFF;  // the bit-mode pin mask; the FIFO uses all eight data pins

constexpr SetupStep kSyncFifoSetup[] = {
    {"reset the chip", kSioReset, kResetSio, kChannelIndex},
    {"set the latency timer", kSioSetLatencyTimer, kLatencyTimerMs, kChannelIndex},
    {"turn on RTS/CTS flow control", kSioSetFlowCtrl, 0, kFlowRtsCts | kChannelIndex},
    {"reset the bit mode", kSioSetBitmode, kBitmodeReset << 8 | kAllPins, kChannelIndex},
    {"enter synchronous 245 FIFO mode", kSioSetBitmode, kBitmodeSyncFifo << 8 | kAllPins, kChannelIndex},
    {"purge the receive buffer", kSioReset, kPurgeRx, kChannelIndex},
    {"purge the transmit buffer", kSioReset, kPurgeTx, kChannelIndex},
};

}  // namespace

std::span<const SetupStep> sync_fifo_setup() { return kSyncFifoSetup; }

Error enter_sync_fifo_mode(libusb_device_handle* handle, const std::string& board) {
  for (const SetupStep& step : kSyncFifoSetup) {
    const int rc = libusb_control_transfer(handle, kRequestOut, step.request, step.value, step.index, nullptr, 0,
                                           kControlTimeoutMs);
    if (rc >= 0) continue;
    if (rc == LIBUSB_ERROR_NO_DEVICE)
      return {Errc::kDisconnected, "board " + board + " was unplugged during set-up ('" + step.what + "')"};
    char request[64];
    std::snprintf(request, sizeof request, "request 0x%02x, wValue 0x%04x, wIndex 0x%04x", step.request, step.value,
                  step.index);
    return {rc == LIBUSB_ERROR_TIMEOUT ? Errc::kTimeout : Errc::kNotAvailable,
            "board " + board + ": FT232H set-up failed at '" + step.what + "' (" + request +
                "): " + libusb_error_text(rc)};
  }
  return {};
}

}  // namespace lathe::usb
