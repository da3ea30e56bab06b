// SPDX-License-Identifier: MIT
// The host side of the byte protocol: CRC check values, encode/decode round trips, and a
// seeded randomised fuzz of the decoder (garbage, flipped bits, truncation, splicing).
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "lathe/model/dither.hpp"
#include "lathe/protocol.hpp"

using namespace lathe::protocol;

TEST_CASE("CRCs match their published check values", "[protocol]") {
  const char* check = "123456789";
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(check), 9);
  REQUIRE(crc8(bytes) == 0xF4);     // CRC-8/SMBUS
  REQUIRE(crc16(bytes) == 0x29B1);  // CRC-16/CCITT-FALSE
}

TEST_CASE("packets round-trip through encode and the decoder, in any chunking", "[protocol]") {
  lathe::model::Xorshift32 rng(5);
  std::vector<Packet> sent;
  std::vector<uint8_t> stream;
  for (int i = 0; i < 500; ++i) {
    Packet p;
    p.type = static_cast<Type>(rng.next() % 2 ? 0x03 : 0x82);
    p.sequence = static_cast<uint8_t>(i);
    p.payload.resize(rng.next() % (kMaxPayload + 1));
    for (auto& b : p.payload) b = static_cast<uint8_t>(rng.next());
    encode(p, stream);
    sent.push_back(p);
  }
  Decoder d;
  std::vector<Packet> got;
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + rng.next() % 3000);
    d.feed({stream.data() + at, n});
    at += n;
    while (auto p = d.next()) got.push_back(*p);
  }
  REQUIRE(got == sent);
  REQUIRE(d.stats().discarded_bytes == 0);
}

TEST_CASE("payload helpers round-trip", "[protocol]") {
  const std::vector<std::pair<uint8_t, uint32_t>> items = {{0x00, 0xdeadbeef}, {0xdf, 1}};
  REQUIRE(*parse_reg_items(reg_write_payload(items)) == items);
  const std::vector<int32_t> audio = {-8388608, 8388607, 0, -1, 12345, -54321};
  REQUIRE(*parse_audio(audio_payload(audio)) == audio);
  const Info info{kVersion, 8, 1024, 512, 0x1a7e0001};
  const auto parsed = parse_info(info_payload(info));
  REQUIRE(parsed);
  REQUIRE(parsed->audio_credit == 512);
  REQUIRE(parsed->core_id == 0x1a7e0001);
  REQUIRE_FALSE(parse_reg_items(std::vector<uint8_t>(7)));
  REQUIRE_FALSE(parse_audio(std::vector<uint8_t>{}));
  REQUIRE_FALSE(parse_info(std::vector<uint8_t>(3)));
}

TEST_CASE("the kInfo payload and kError reports have the documented byte layout", "[protocol]") {
  // docs/protocol-map.md: version u16, bands u8, lookahead u16, credit u16, core id u32,
  // live delay u8.
  const std::vector<uint8_t> bytes = {0x01, 0x00, 0x08, 0x00, 0x04, 0x00, 0x02, 0x48, 0x54, 0x41, 0x4c, 0x03};
  REQUIRE(info_payload({1, 8, 1024, 512, 0x4c415448, 3}) == bytes);
  const auto info = parse_info(bytes);
  REQUIRE(info);
  CHECK(info->protocol_version == 1);
  CHECK(info->eq_bands == 8);
  CHECK(info->max_lookahead == 1024);
  CHECK(info->audio_credit == 512);
  CHECK(info->core_id == 0x4c415448);
  CHECK(info->live_delay == 3);

  const auto report = parse_error(std::vector<uint8_t>{5, 0x03, 17, 0});
  REQUIRE(report);
  CHECK(report->code == ErrorCode::kMalformed);
  CHECK(report->offending_type == 0x03);
  CHECK(report->offending_sequence == 17);
  CHECK(std::string(error_code_name(ErrorCode::kMalformed)) == "malformed payload");
  CHECK(std::string(error_code_name(ErrorCode::kReplyDropped)) == "reply dropped");
  CHECK(std::string(error_code_name(static_cast<ErrorCode>(0))) == "unknown error");
  CHECK_FALSE(parse_error(std::vector<uint8_t>{0, 0x03, 17, 0}));  // no code 0
  CHECK_FALSE(parse_error(std::vector<uint8_t>{8, 0x03, 17, 0}));  // nor beyond the last
  CHECK_FALSE(parse_error(std::vector<uint8_t>{5, 0x03, 17}));     // short
}

TEST_CASE("the decoder survives garbage and damage and finds the next good packet", "[protocol][fuzz]") {
  // Seeded: every run checks the same 20000 cases; change the seed to explore more.
  lathe::model::Xorshift32 rng(20261125);
  uint64_t recovered = 0;
  for (int c = 0; c < 20000; ++c) {
    Decoder d;
    std::vector<uint8_t> bytes;
    // Damage first: garbage, a damaged or truncated packet, or an oversize header.
    const int kind = static_cast<int>(rng.next() % 5);
    Packet junk{Type::kAudioIn, 1, std::vector<uint8_t>(rng.next() % 64, 0x55)};
    std::vector<uint8_t> junk_bytes = encode(junk);
    switch (kind) {
      case 0: for (int i = 0, n = static_cast<int>(rng.next() % 200); i < n; ++i) bytes.push_back(static_cast<uint8_t>(rng.next())); break;
      case 1: junk_bytes[rng.next() % junk_bytes.size()] ^= static_cast<uint8_t>(1 + rng.next() % 255); bytes = junk_bytes; break;
      case 2: junk_bytes.resize(rng.next() % junk_bytes.size()); bytes = junk_bytes; break;
      case 3: bytes = {kSync0, kSync1, 0x01, 0x00, 0xff, 0xff}; bytes.push_back(crc8({bytes.data() + 2, 4})); break;
      default: for (int i = 0; i < 50; ++i) { bytes.push_back(kSync0); bytes.push_back(kSync1); } break;
    }
    // Then two good packets: the second must always come out (the first may be swallowed
    // by a truncated packet's payload).
    const Packet a{Type::kRegReadReply, 7, {1, 2, 3, 4, 5}};
    const Packet b{Type::kInfo, 9, info_payload({kVersion, 8, 1024, 512, 42})};
    encode(a, bytes);
    encode(b, bytes);
    std::vector<uint8_t> padding(kMaxPayload + kHeaderBytes + kTrailerBytes, 0);  // flushes a truncated packet
    d.feed(bytes);
    d.feed(padding);
    d.feed(encode(b));
    bool saw_b = false;
    while (auto p = d.next()) saw_b |= (*p == b);
    REQUIRE(saw_b);
    REQUIRE(d.buffered() <= kHeaderBytes + kMaxPayload + kTrailerBytes);
    ++recovered;
  }
  REQUIRE(recovered == 20000);
}
