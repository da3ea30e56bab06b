// SPDX-License-Identifier: MIT
// Packet encoding and decoding for docs/protocol.md.
#include "lathe/protocol.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/crc.hpp>

namespace lathe::protocol {

const char* error_code_name(ErrorCode code) {
  for (const auto& e : kErrorCodeWords)
    if (e.code == code) return e.words;
  return "unknown error";
}

// Both without reflection or final XOR; the RTL's lathe_crc8/lathe_crc16 compute the same.
uint8_t crc8(std::span<const uint8_t> bytes) {
  boost::crc_optimal<8, 0x07, 0x00, 0x00, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

uint16_t crc16(std::span<const uint8_t> bytes) {
  boost::crc_optimal<16, 0x1021, 0xFFFF, 0x0000, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void encode(const Packet& p, std::vector<uint8_t>& out) {
  const std::size_t n = p.payload.size();
  const uint8_t header[5] = {static_cast<uint8_t>(p.type), p.sequence, static_cast<uint8_t>(n),
                             static_cast<uint8_t>(n >> 8), 0};
  out.push_back(kSync0);
  out.push_back(kSync1);
  out.insert(out.end(), header, header + 4);
  out.push_back(crc8({header, 4}));
  out.insert(out.end(), p.payload.begin(), p.payload.end());
  const uint16_t crc = crc16(p.payload);
  out.push_back(static_cast<uint8_t>(crc));
  out.push_back(static_cast<uint8_t>(crc >> 8));
}

std::vector<uint8_t> encode(const Packet& p) {
  std::vector<uint8_t> out;
  encode(p, out);
  return out;
}

namespace {
void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}
uint32_t get32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24); }
}  // namespace

std::vector<uint8_t> reg_write_payload(std::span<const std::pair<uint8_t, uint32_t>> items) {
  std::vector<uint8_t> v;
  for (const auto& [addr, value] : items) {
    v.push_back(addr);
    put32(v, value);
  }
  return v;
}

std::vector<uint8_t> reg_read_payload(std::span<const uint8_t> addresses) { return {addresses.begin(), addresses.end()}; }

std::vector<uint8_t> audio_payload(std::span<const int32_t> interleaved) {
  std::vector<uint8_t> v;
  v.reserve(interleaved.size() * 3);
  for (int32_t s : interleaved)
    for (int i = 0; i < 3; ++i) v.push_back(static_cast<uint8_t>(static_cast<uint32_t>(s) >> (8 * i)));
  return v;
}

std::optional<std::vector<std::pair<uint8_t, uint32_t>>> parse_reg_items(std::span<const uint8_t> p) {
  if (p.empty() || p.size() % kRegItemBytes != 0) return std::nullopt;
  std::vector<std::pair<uint8_t, uint32_t>> items;
  for (std::size_t i = 0; i < p.size(); i += kRegItemBytes) items.emplace_back(p[i], get32(&p[i + 1]));
  return items;
}

std::optional<std::vector<int32_t>> parse_audio(std::span<const uint8_t> p) {
  if (p.empty() || p.size() % kFrameBytes != 0) return std::nullopt;
  std::vector<int32_t> samples;
  samples.reserve(p.size() / 3);
  for (std::size_t i = 0; i < p.size(); i += 3) {
    const uint32_t u = p[i] | (p[i + 1] << 8) | (static_cast<uint32_t>(p[i + 2]) << 16);
    samples.push_back(static_cast<int32_t>(u << 8) >> 8);
  }
  return samples;
}

namespace {
// Little-endian fields of the kInfo layout.
void put_field(std::vector<uint8_t>& v, InfoField f, uint32_t x) {
  for (std::size_t i = 0; i < f.bytes; ++i) v[f.offset + i] = static_cast<uint8_t>(x >> (8 * i));
}
uint32_t get_field(std::span<const uint8_t> p, InfoField f) {
  uint32_t x = 0;
  for (std::size_t i = 0; i < f.bytes; ++i) x |= static_cast<uint32_t>(p[f.offset + i]) << (8 * i);
  return x;
}
static_assert(kInfoProtocolVersion.bytes == sizeof(Info::protocol_version) && kInfoEqBands.bytes == sizeof(Info::eq_bands) &&
                  kInfoMaxLookahead.bytes == sizeof(Info::max_lookahead) &&
                  kInfoAudioCredit.bytes == sizeof(Info::audio_credit) && kInfoCoreId.bytes == sizeof(Info::core_id) &&
                  kInfoLiveDelay.bytes == sizeof(Info::live_delay),
              "lathe::protocol::Info's members must hold regmap/lathe.protocol's info fields");
}  // namespace

std::vector<uint8_t> info_payload(const Info& info) {
  std::vector<uint8_t> v(kInfoBytes);
  put_field(v, kInfoProtocolVersion, info.protocol_version);
  put_field(v, kInfoEqBands, info.eq_bands);
  put_field(v, kInfoMaxLookahead, info.max_lookahead);
  put_field(v, kInfoAudioCredit, info.audio_credit);
  put_field(v, kInfoCoreId, info.core_id);
  put_field(v, kInfoLiveDelay, info.live_delay);
  return v;
}

std::optional<Info> parse_info(std::span<const uint8_t> p) {
  if (p.size() != kInfoBytes) return std::nullopt;
  return Info{static_cast<uint16_t>(get_field(p, kInfoProtocolVersion)), static_cast<uint8_t>(get_field(p, kInfoEqBands)),
              static_cast<uint16_t>(get_field(p, kInfoMaxLookahead)), static_cast<uint16_t>(get_field(p, kInfoAudioCredit)),
              get_field(p, kInfoCoreId), static_cast<uint8_t>(get_field(p, kInfoLiveDelay))};
}

std::string describe(const Info& info) {
  char core_id[16];
  std::snprintf(core_id, sizeof core_id, "%08x", info.core_id);
  return "protocol version " + std::to_string(info.protocol_version) + ", " + std::to_string(info.eq_bands) +
         " EQ bands, lookahead up to " + std::to_string(info.max_lookahead) + " samples, credit " +
         std::to_string(info.audio_credit) + " frames, core " + core_id + ", live delay " +
         std::to_string(info.live_delay) + " frames";
}

std::optional<ErrorReport> parse_error(std::span<const uint8_t> p) {
  if (p.size() != kErrorBytes) return std::nullopt;
  const auto known = std::ranges::find(kErrorCodeWords, static_cast<ErrorCode>(p[0]), &ErrorCodeWords::code);
  if (known == std::end(kErrorCodeWords)) return std::nullopt;
  return ErrorReport{known->code, p[1], p[2]};
}

void Decoder::feed(std::span<const uint8_t> bytes) { buffer_.insert(buffer_.end(), bytes.begin(), bytes.end()); }

std::optional<Packet> Decoder::next() {
  for (;;) {
    // Hunt for the sync word.
    while (buffer_.size() >= 2 && !(buffer_[0] == kSync0 && buffer_[1] == kSync1)) {
      buffer_.pop_front();
      ++stats_.discarded_bytes;
    }
    if (buffer_.size() < kHeaderBytes) return std::nullopt;
    const uint8_t header[4] = {buffer_[2], buffer_[3], buffer_[4], buffer_[5]};
    if (crc8({header, 4}) != buffer_[6]) {
      ++stats_.bad_header_crc;
      buffer_.pop_front();  // resume the hunt at the byte after the false sync word
      ++stats_.discarded_bytes;
      continue;
    }
    const std::size_t n = header[2] | (header[3] << 8);
    if (n > kMaxPayload) {
      ++stats_.oversize;
      buffer_.erase(buffer_.begin(), buffer_.begin() + kHeaderBytes);
      continue;
    }
    if (buffer_.size() < kHeaderBytes + n + kTrailerBytes) return std::nullopt;
    Packet p;
    p.type = static_cast<Type>(header[0]);
    p.sequence = header[1];
    p.payload.assign(buffer_.begin() + kHeaderBytes, buffer_.begin() + static_cast<std::ptrdiff_t>(kHeaderBytes + n));
    const uint16_t crc = static_cast<uint16_t>(buffer_[kHeaderBytes + n] | (buffer_[kHeaderBytes + n + 1] << 8));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(kHeaderBytes + n + kTrailerBytes));
    if (crc16(p.payload) != crc) {
      ++stats_.bad_payload_crc;
      continue;
    }
    ++stats_.packets;
    return p;
  }
}

}  // namespace lathe::protocol
