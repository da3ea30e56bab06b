// SPDX-License-Identifier: MIT
// The FT232H's USB vocabulary: identifiers, endpoints, vendor requests and the IN
// packet format, as FTDI's AN232B-04/AN_130 and libftdi define them. The driver speaks it
// to a real chip; the virtual board (driver/virtual_board) answers it.
#pragma once
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace lathe::ftdi {

constexpr uint16_t kVendorId = 0x0403;   // FTDI
constexpr uint16_t kProductId = 0x6014;  // FT232H
constexpr uint16_t kBcdDevice = 0x0900;  // FT232H silicon

constexpr uint8_t kInterface = 0;
constexpr uint16_t kChannelIndex = 1;  // wIndex of vendor requests: channel A
constexpr uint8_t kEndpointIn = 0x81;
constexpr uint8_t kEndpointOut = 0x02;
constexpr std::size_t kPacketBytes = 512;  // high-speed bulk max packet
constexpr std::size_t kStatusBytes = 2;    // modem and line status at the start of every IN packet

// bmRequestType of vendor requests.
constexpr uint8_t kRequestOut = 0x40;  // vendor, device, host-to-device
constexpr uint8_t kRequestIn = 0xC0;   // vendor, device, device-to-host

// bRequest values.
constexpr uint8_t kSioReset = 0x00;          // wValue: kResetSio, kPurgeRx or kPurgeTx
constexpr uint8_t kSioSetModemCtrl = 0x01;
constexpr uint8_t kSioSetFlowCtrl = 0x02;    // wIndex high byte: kFlowRtsCts ...
constexpr uint8_t kSioSetBaudRate = 0x03;
constexpr uint8_t kSioSetData = 0x04;
constexpr uint8_t kSioPollModemStatus = 0x05;
constexpr uint8_t kSioSetLatencyTimer = 0x09;  // wValue: 1..255 ms
constexpr uint8_t kSioGetLatencyTimer = 0x0A;
constexpr uint8_t kSioSetBitmode = 0x0B;       // wValue: mode << 8 | pin mask
constexpr uint8_t kSioReadPins = 0x0C;
constexpr uint8_t kSioReadEeprom = 0x90;       // wIndex: word address

constexpr uint16_t kResetSio = 0;
constexpr uint16_t kPurgeRx = 1;  // the chip's receive buffer (host -> FPGA)
constexpr uint16_t kPurgeTx = 2;  // the chip's transmit buffer (FPGA -> host)
constexpr uint16_t kFlowRtsCts = 0x0100;

constexpr uint8_t kBitmodeReset = 0x00;
constexpr uint8_t kBitmodeSyncFifo = 0x40;  // synchronous 245 FIFO; needs the EEPROM's 245 FIFO setting

// The chip sends a short packet when its latency timer runs out with data waiting, and a
// status-only packet every latency period when there is none. 16 ms is the power-on value.
constexpr uint8_t kDefaultLatencyMs = 16;

// The status bytes an idle FT232H sends: CTS/DSR-style bits and "transmitter empty".
constexpr uint8_t kModemStatusIdle = 0x32;
constexpr uint8_t kLineStatusIdle = 0x60;

// Appends the payload of one IN transfer to `out`, dropping the two status bytes at the
// start of each packet (a transfer may hold several packets; the last may be short).
// Returns the number of payload bytes appended.
inline std::size_t strip_status_bytes(std::span<const uint8_t> transfer, std::vector<uint8_t>& out) {
  std::size_t appended = 0;
  for (std::size_t at = 0; at < transfer.size(); at += kPacketBytes) {
    const std::size_t packet = std::min(kPacketBytes, transfer.size() - at);
    if (packet <= kStatusBytes) continue;
    out.insert(out.end(), transfer.begin() + static_cast<std::ptrdiff_t>(at + kStatusBytes),
               transfer.begin() + static_cast<std::ptrdiff_t>(at + packet));
    appended += packet - kStatusBytes;
  }
  return appended;
}

}  // namespace lathe::ftdi
