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
#include <vector>

#include "lathe/device.hpp"
#include "lathe/protocol.hpp"
#include "lathe/transport.hpp"

namespace lathe {

struct LinkOptions {
  Backend backend = Backend::kUsb;  // what info() reports: kSim or kUsb
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
  // lookahead differs from this build's (Errc::kProtocol, the message names both).
  Error open();

  DeviceInfo info() const override;
  Error write_registers(const reg::RegisterImage& regs) override;
  Error reset() override;
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override;
  Result<model::Meters> read_meters(bool clear) override;

  // Writes one of the board top's control registers (access ctl in regmap/lathe.regs,
  // e.g. live_ctrl): in effect at once, no commit.
  Error write_control(uint8_t address, uint32_t value);
  // Reads registers by address (meters, status, link counters), values in that order.
  Result<std::vector<uint32_t>> read_registers(std::span<const uint8_t> addresses);

  // Live mode's monitor stream (live_ctrl.monitor): the frames the board sent to its DAC
  // and to the host since the last call (interleaved 24-bit), kept while other calls wait
  // for their replies, after waiting up to `wait` for more if none had come.
  // `lost_packets` counts the packets whose sequence numbers never arrived.
  struct Monitor {
    std::vector<int32_t> frames;
    uint64_t lost_packets = 0;
  };
  Result<Monitor> read_monitor(std::chrono::milliseconds wait);
  // Keep monitor frames from now on (else kAudioOut outside process() is dropped).
  void keep_monitor(bool on);

  // What the board said in kInfo (valid after open()).
  const protocol::Info& board_info() const { return board_; }

 private:
  enum class Want { kInfo, kRegWriteAck, kRegReadReply };
  using Clock = std::chrono::steady_clock;

  // A transport's failure is passed on in its own words.
  Error send(protocol::Type type, std::vector<uint8_t> payload, uint8_t& sequence);
  // Waits for the reply of `want` with the given sequence number; other packets are
  // handled (audio, errors) or ignored (stale replies).
  Result<protocol::Packet> await(Want want, uint8_t sequence);
  // Feeds what the transport has into the decoder. A read that brings nothing within the
  // reply timeout, a wait longer than the wall timeout since `since`, or more garbage
  // than a burst of noise since `discarded_since` fails the wait; `what` names it.
  Error receive(const char* what, Clock::time_point since, uint64_t discarded_since);
  // Request/reply with retries on timeout (requests are idempotent).
  Result<protocol::Packet> transact(protocol::Type type, const std::vector<uint8_t>& payload, Want want);
  Error write_items(const std::vector<std::pair<uint8_t, uint32_t>>& items);
  Error command(uint32_t bits);
  Error wait_idle();
  Error not_opened() const;
  // A kError packet from the board: the error of the call that was waiting.
  static Error board_error(const protocol::Packet& p);

  std::unique_ptr<Transport> transport_;
  LinkOptions options_;
  protocol::Decoder decoder_;
  protocol::Info board_{};
  bool opened_ = false;
  uint8_t host_sequence_ = 0;
  std::optional<uint8_t> next_audio_sequence_;  // the board's, once one kAudioOut was seen
  std::vector<uint8_t> rx_;
  bool keep_monitor_ = false;
  Monitor monitor_;
  // A kAudioOut outside process(): its frames kept as monitor frames, if asked for.
  void take_monitor_packet(const protocol::Packet& p);
};

}  // namespace lathe
