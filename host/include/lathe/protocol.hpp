// SPDX-License-Identifier: MIT
// The byte protocol of docs/protocol.md: packet types, CRCs, encoding and a streaming
// decoder that resynchronises after garbage. Shared by every back end that speaks bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lathe/protocol_map.hpp"  // generated from regmap/lathe.protocol

namespace lathe::protocol {

// The version, sizes, packet types, error codes and the kInfo layout come from
// regmap/lathe.protocol (lathe/protocol_map.hpp).

// The words for `code` (kErrorCodeWords), "unknown error" for any other value.
const char* error_code_name(ErrorCode code);

// CRC-8 (poly 0x07, init 0) and CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
uint8_t crc8(std::span<const uint8_t> bytes);
uint16_t crc16(std::span<const uint8_t> bytes);

struct Packet {
  Type type = Type::kHello;
  uint8_t sequence = 0;
  std::vector<uint8_t> payload;
  bool operator==(const Packet&) const = default;
};

// Appends the packet's bytes to `out`. Precondition: payload.size() <= kMaxPayload.
void encode(const Packet& packet, std::vector<uint8_t>& out);
std::vector<uint8_t> encode(const Packet& packet);

// Payloads.
std::vector<uint8_t> reg_write_payload(std::span<const std::pair<uint8_t, uint32_t>> items);
std::vector<uint8_t> reg_read_payload(std::span<const uint8_t> addresses);
// Interleaved stereo frames of 24-bit samples (values outside 24 bits are truncated).
std::vector<uint8_t> audio_payload(std::span<const int32_t> interleaved);
// Parse; empty when the payload is malformed (not whole items, or no items).
std::optional<std::vector<std::pair<uint8_t, uint32_t>>> parse_reg_items(std::span<const uint8_t> payload);
std::optional<std::vector<int32_t>> parse_audio(std::span<const uint8_t> payload);  // sign-extended

struct Info {
  uint16_t protocol_version = 0;
  uint8_t eq_bands = 0;
  uint16_t max_lookahead = 0;
  uint16_t audio_credit = 0;  // frames the board's audio input FIFO holds
  uint32_t core_id = 0;
  uint8_t live_delay = 0;  // live mode: slots between a frame's slot in and its slot out
};
std::vector<uint8_t> info_payload(const Info& info);
std::optional<Info> parse_info(std::span<const uint8_t> payload);
// For people: "protocol version V, B EQ bands, lookahead up to L samples, credit C frames,
// core 4c415448, live delay D frames".
std::string describe(const Info& info);

struct ErrorReport {
  ErrorCode code;
  uint8_t offending_type;
  uint8_t offending_sequence;
};
std::optional<ErrorReport> parse_error(std::span<const uint8_t> payload);

// Streaming decoder: feed any bytes, take out valid packets. Never throws on input and
// never holds more than one packet's worth of bytes beyond what it has been fed.
class Decoder {
 public:
  struct Stats {
    uint64_t discarded_bytes = 0;  // skipped while hunting for a sync word
    uint64_t bad_header_crc = 0;
    uint64_t bad_payload_crc = 0;
    uint64_t oversize = 0;
    uint64_t packets = 0;
  };

  void feed(std::span<const uint8_t> bytes);
  std::optional<Packet> next();
  const Stats& stats() const { return stats_; }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  std::deque<uint8_t> buffer_;
  Stats stats_;
};

}  // namespace lathe::protocol
