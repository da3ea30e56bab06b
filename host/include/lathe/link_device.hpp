// SPDX-License-Identifier: MIT
// The protocol client: a Device that speaks docs/protocol.md over any Transport (the
// simulated board, or a board's FT232H over libusb). Every wait is bounded; a fault on
// the link is an error of the call, never a hang or a silently wrong result.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "lathe/device.hpp"
#include "lathe/protocol.hpp"
#include "lathe/transport.hpp"

namespace lathe {

struct LinkOptions {
  std::string backend = "usb";  // what info() reports: "sim" or "usb"
  std::string serial;           // what info() reports: the board's serial number, if any
  // How long one wait for a reply may see no bytes at all (the Transport's timeout;
  // simulated time on the simulated board).
  std::chrono::milliseconds reply_timeout{250};
  // Wall-clock bound on one wait that does see bytes but never the packet it waits for.
  std::chrono::milliseconds wall_timeout{20000};
  int attempts = 3;          // register reads, writes and hello: sent at most this often
  int max_status_polls = 1000;  // while a commit or clear is pending
};

class LinkDevice final : public Device {
 public:
  explicit LinkDevice(std::unique_ptr<Transport> transport, LinkOptions options = {});

  // kHello -> kInfo; refuses a board whose protocol version, EQ band count or maximum
  // lookahead differs from this build's (DeviceError::kProtocol, message names both).
  std::error_code open();

  DeviceInfo info() const override;
  std::error_code write_registers(const reg::RegisterImage& regs) override;
  std::error_code reset() override;
  std::error_code process(std::span<const int32_t> in, std::span<int32_t> out) override;
  std::error_code read_meters(model::Meters& meters, bool clear) override;

  // Reads registers by address (meters, status, link counters).
  std::error_code read_registers(std::span<const uint8_t> addresses, std::vector<uint32_t>& values);

  // Why the last call that failed on this device failed, for people; empty after success.
  const std::string& error_message() const { return message_; }
  std::string error_detail() const override { return message_; }
  // What the board said in kInfo (valid after open()).
  const protocol::Info& board_info() const { return board_; }

 private:
  enum class Want { kInfo, kRegWriteAck, kRegReadReply };
  using Clock = std::chrono::steady_clock;

  std::error_code fail(std::error_code ec, std::string message);
  // A failed transport call: a DeviceError from the transport (a USB board unplugged, an
  // endpoint stalled) is kept with the transport's own words; anything else means the
  // link is gone.
  std::error_code transport_failure(std::error_code ec);
  std::error_code send(protocol::Type type, std::vector<uint8_t> payload, uint8_t& sequence);
  // Waits for the reply of `want` with the given sequence number; other packets are
  // handled (audio, errors) or ignored (stale replies).
  std::error_code await(Want want, uint8_t sequence, protocol::Packet& reply);
  // Request/reply with retries on timeout (requests are idempotent).
  // Feeds what the transport has into the decoder. A read that brings nothing within the
  // reply timeout, a wait longer than the wall timeout since `since`, or more garbage
  // than a burst of noise since `discarded_since` fails the wait; `what` names it.
  std::error_code receive(const char* what, Clock::time_point since, uint64_t discarded_since);
  std::error_code transact(protocol::Type type, const std::vector<uint8_t>& payload, Want want,
                           protocol::Packet& reply);
  std::error_code write_items(const std::vector<std::pair<uint8_t, uint32_t>>& items);
  std::error_code command(uint32_t bits);
  std::error_code wait_idle();
  // Packets outside what the current call waits for: kError fails the call, audio out
  // of the current process() is checked against the board's sequence numbers.
  std::error_code check_error_packet(const protocol::Packet& p);

  std::unique_ptr<Transport> transport_;
  LinkOptions options_;
  protocol::Decoder decoder_;
  protocol::Info board_{};
  bool opened_ = false;
  uint8_t host_sequence_ = 0;
  std::optional<uint8_t> next_audio_sequence_;  // the board's, once one kAudioOut was seen
  std::string message_;
  std::vector<uint8_t> rx_;
};

}  // namespace lathe
