// SPDX-License-Identifier: MIT
// Packet encoding and decoding for docs/protocol.md.
#include "lathe/protocol.hpp"

#include <cstdio>

namespace lathe::protocol {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadHeaderCrc: return "bad header CRC";
    case ErrorCode::kBadPayloadCrc: return "bad payload CRC";
    case ErrorCode::kOversize: return "length over the maximum";
    case ErrorCode::kUnknownType: return "unknown packet type";
    case ErrorCode::kMalformed: return "malformed payload";
    case ErrorCode::kAudioOverrun: return "audio overrun";
    case ErrorCode::kReplyDropped: return "reply dropped";
  }
  return "unknown error";
}

uint8_t crc8(std::span<const uint8_t> bytes) {
  uint8_t crc = 0;
  for (uint8_t b : bytes) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = static_cast<uint8_t>(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
  }
  return crc;
}

uint16_t crc16(std::span<const uint8_t> bytes) {
  uint16_t crc = 0xFFFF;
  for (uint8_t b : bytes) {
    crc ^= static_cast<uint16_t>(b) << 8;
    for (int i = 0; i < 8; ++i) crc = static_cast<uint16_t>(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc;
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

std::vector<uint8_t> info_payload(const Info& info) {
  std::vector<uint8_t> v = {static_cast<uint8_t>(info.protocol_version), static_cast<uint8_t>(info.protocol_version >> 8),
                            info.eq_bands, static_cast<uint8_t>(info.max_lookahead),
                            static_cast<uint8_t>(info.max_lookahead >> 8), static_cast<uint8_t>(info.audio_credit),
                            static_cast<uint8_t>(info.audio_credit >> 8)};
  put32(v, info.core_id);
  return v;
}

std::optional<Info> parse_info(std::span<const uint8_t> p) {
  if (p.size() != kInfoBytes) return std::nullopt;
  return Info{static_cast<uint16_t>(p[0] | (p[1] << 8)), p[2], static_cast<uint16_t>(p[3] | (p[4] << 8)),
              static_cast<uint16_t>(p[5] | (p[6] << 8)), get32(&p[7])};
}

std::string describe(const Info& info) {
  char core_id[16];
  std::snprintf(core_id, sizeof core_id, "%08x", info.core_id);
  return "protocol version " + std::to_string(info.protocol_version) + ", " + std::to_string(info.eq_bands) +
         " EQ bands, lookahead up to " + std::to_string(info.max_lookahead) + " samples, credit " +
         std::to_string(info.audio_credit) + " frames, core " + core_id;
}

std::optional<ErrorReport> parse_error(std::span<const uint8_t> p) {
  if (p.size() != 4 || p[0] < 1 || p[0] > 7) return std::nullopt;
  return ErrorReport{static_cast<ErrorCode>(p[0]), p[1], p[2]};
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
