// SPDX-License-Identifier: MIT
// The protocol client of docs/protocol.md over a Transport.
#include "lathe/link_device.hpp"

#include <algorithm>
#include <cstdio>

namespace lathe {
namespace {

using protocol::Packet;
using protocol::Type;

// Bytes a wait may discard (garbage between packets) before the link counts as broken:
// far more than any burst of noise, far less than a stream that never resynchronises.
constexpr uint64_t kMaxGarbageBytes = 64 * 1024;

constexpr uint8_t kMeterAddrs[] = {
    reg::kMeterInPeakL,     reg::kMeterInPeakR,       reg::kMeterOutPeakL,      reg::kMeterOutPeakR,
    reg::kMeterTruePeak,    reg::kMeterCompGr,        reg::kMeterLimGr,         reg::kMeterFrames,
    reg::kMeterOutSumSqLLo, reg::kMeterOutSumSqLHi,   reg::kMeterOutSumSqRLo,   reg::kMeterOutSumSqRHi,
};

constexpr uint32_t kPendingBits = reg::kStatusCommitPending | reg::kStatusClearPending | reg::kStatusMetersPending;

std::string hex8(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v & 0xffu);
  return buf;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::kRegWrite: return "register write";
    case Type::kRegRead: return "register read";
    case Type::kAudioIn: return "audio";
    case Type::kHello: return "hello";
    default: return "packet";
  }
}

}  // namespace

LinkDevice::LinkDevice(std::unique_ptr<Transport> transport, LinkOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

std::error_code LinkDevice::fail(std::error_code ec, std::string message) {
  message_ = std::move(message);
  return ec;
}

std::error_code LinkDevice::transport_failure(std::error_code ec) {
  if (ec.category() == device_category()) {
    const std::string detail = transport_->error_detail();
    return fail(ec, detail.empty() ? "transport: " + ec.message() : detail);
  }
  return fail(DeviceError::kDisconnected, "transport: " + ec.message());
}

DeviceInfo LinkDevice::info() const {
  return {options_.backend, transport_->describe(), options_.serial, board_.protocol_version, board_.eq_bands};
}

std::error_code LinkDevice::send(Type type, std::vector<uint8_t> payload, uint8_t& sequence) {
  sequence = host_sequence_++;
  const auto bytes = protocol::encode(Packet{type, sequence, std::move(payload)});
  if (auto ec = transport_->write(bytes, options_.reply_timeout)) {
    if (ec == std::errc::timed_out)
      return fail(DeviceError::kTimeout, std::string("the board did not take a ") + type_name(type) + " packet within " +
                                             std::to_string(options_.reply_timeout.count()) + " ms");
    return transport_failure(ec);
  }
  return {};
}

std::error_code LinkDevice::check_error_packet(const Packet& p) {
  const auto report = protocol::parse_error(p.payload);
  if (!report) return fail(DeviceError::kProtocol, "the board reported an error with an unreadable payload");
  return fail(DeviceError::kProtocol, std::string("the board reported: ") + protocol::error_code_name(report->code) +
                                          " (offending type " + hex8(report->offending_type) + ", sequence " +
                                          std::to_string(report->offending_sequence) + ")");
}

std::error_code LinkDevice::await(Want want, uint8_t sequence, Packet& reply) {
  const Type wanted = want == Want::kInfo           ? Type::kInfo
                      : want == Want::kRegWriteAck ? Type::kRegWriteAck
                                                   : Type::kRegReadReply;
  const auto start = Clock::now();
  const uint64_t discarded_at_start = decoder_.stats().discarded_bytes;
  for (;;) {
    while (auto p = decoder_.next()) {
      if (p->type == Type::kError) return check_error_packet(*p);
      if (p->type == wanted && p->sequence == sequence) {
        reply = std::move(*p);
        return {};
      }
      // Audio left over from a process() that failed keeps the board's count going.
      if (p->type == Type::kAudioOut) next_audio_sequence_ = static_cast<uint8_t>(p->sequence + 1);
      // Anything else is a stale reply (to an earlier attempt) or not ours: ignored.
    }
    if (auto ec = receive("reply", start, discarded_at_start)) return ec;
  }
}

std::error_code LinkDevice::receive(const char* what, Clock::time_point since, uint64_t discarded_since) {
  if (decoder_.stats().discarded_bytes - discarded_since > kMaxGarbageBytes)
    return fail(DeviceError::kProtocol, "the board sends bytes that are not packets (link out of sync)");
  if (Clock::now() - since > options_.wall_timeout)
    return fail(DeviceError::kTimeout, std::string("no ") + what + " from the board within " +
                                           std::to_string(options_.wall_timeout.count()) + " ms");
  rx_.clear();
  if (auto ec = transport_->read(rx_, options_.reply_timeout)) return transport_failure(ec);
  if (rx_.empty())
    return fail(DeviceError::kTimeout, std::string("no ") + what + " from the board within " +
                                           std::to_string(options_.reply_timeout.count()) + " ms");
  decoder_.feed(rx_);
  return {};
}

std::error_code LinkDevice::transact(Type type, const std::vector<uint8_t>& payload, Want want, Packet& reply) {
  std::error_code ec;
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    uint8_t sequence = 0;
    if ((ec = send(type, payload, sequence))) return ec;
    ec = await(want, sequence, reply);
    if (ec != DeviceError::kTimeout) return ec;  // success, or an error a retry cannot mend
  }
  return fail(ec, message_ + " (" + type_name(type) + ", " + std::to_string(std::max(1, options_.attempts)) +
                      " attempts)");
}

std::error_code LinkDevice::open() {
  opened_ = false;
  Packet reply;
  if (auto ec = transact(Type::kHello, {}, Want::kInfo, reply)) return ec;
  const auto info = protocol::parse_info(reply.payload);
  if (!info) return fail(DeviceError::kProtocol, "the board's info packet is malformed");
  if (info->protocol_version != protocol::kVersion)
    return fail(DeviceError::kProtocol, "the board speaks protocol version " + std::to_string(info->protocol_version) +
                                            ", this host speaks version " + std::to_string(protocol::kVersion));
  if (info->eq_bands != reg::kEqBands)
    return fail(DeviceError::kProtocol, "the board has " + std::to_string(info->eq_bands) +
                                            " EQ bands per channel, this host was built for " +
                                            std::to_string(reg::kEqBands));
  if (info->max_lookahead != reg::kMaxLookahead)
    return fail(DeviceError::kProtocol, "the board's maximum lookahead is " + std::to_string(info->max_lookahead) +
                                            " samples, this host was built for " + std::to_string(reg::kMaxLookahead));
  if (info->audio_credit == 0) return fail(DeviceError::kProtocol, "the board offers no audio credit");
  board_ = *info;
  opened_ = true;
  message_.clear();
  return {};
}

std::error_code LinkDevice::write_items(const std::vector<std::pair<uint8_t, uint32_t>>& items) {
  for (std::size_t start = 0; start < items.size(); start += protocol::kMaxRegItems) {
    const std::size_t n = std::min(protocol::kMaxRegItems, items.size() - start);
    Packet reply;
    if (auto ec = transact(Type::kRegWrite, protocol::reg_write_payload({items.data() + start, n}),
                           Want::kRegWriteAck, reply))
      return ec;
    if (reply.payload.size() != 1 || reply.payload[0] != n)
      return fail(DeviceError::kProtocol, "the board acknowledged " +
                                              (reply.payload.size() == 1 ? std::to_string(reply.payload[0]) : "?") +
                                              " of " + std::to_string(n) + " register writes");
  }
  return {};
}

std::error_code LinkDevice::command(uint32_t bits) { return write_items({{reg::kCommand, bits}}); }

std::error_code LinkDevice::read_registers(std::span<const uint8_t> addresses, std::vector<uint32_t>& values) {
  values.clear();
  for (std::size_t start = 0; start < addresses.size(); start += protocol::kMaxRegItems) {
    const auto part = addresses.subspan(start, std::min(protocol::kMaxRegItems, addresses.size() - start));
    Packet reply;
    if (auto ec = transact(Type::kRegRead, protocol::reg_read_payload(part), Want::kRegReadReply, reply)) return ec;
    const auto items = protocol::parse_reg_items(reply.payload);
    if (!items || items->size() != part.size())
      return fail(DeviceError::kProtocol, "the board's register read reply does not match the request");
    for (std::size_t i = 0; i < part.size(); ++i) {
      if ((*items)[i].first != part[i])
        return fail(DeviceError::kProtocol, "the board answered register " + hex8((*items)[i].first) + " for " +
                                                hex8(part[i]));
      values.push_back((*items)[i].second);
    }
  }
  return {};
}

std::error_code LinkDevice::wait_idle() {
  const uint8_t status_addr[] = {reg::kStatus};
  std::vector<uint32_t> status;
  for (int poll = 0; poll < options_.max_status_polls; ++poll) {
    if (auto ec = read_registers(status_addr, status)) return ec;
    if (!(status[0] & kPendingBits) && ((status[0] >> 8) & 0xff) == 0) return {};
  }
  return fail(DeviceError::kTimeout, "the board's command is still pending after " +
                                         std::to_string(options_.max_status_polls) + " status reads (status " +
                                         hex8(status.empty() ? 0 : status[0]) + ")");
}

std::error_code LinkDevice::write_registers(const reg::RegisterImage& regs) {
  if (!opened_) return fail(DeviceError::kNotAvailable, "the board has not been opened");
  std::vector<std::pair<uint8_t, uint32_t>> items;
  for (int a = 0; a < reg::kRegCount; ++a)
    if (reg::is_config_register(a)) items.emplace_back(static_cast<uint8_t>(a), regs.words[a]);
  if (auto ec = write_items(items)) return ec;
  if (auto ec = command(reg::kCmdCommit)) return ec;
  if (auto ec = wait_idle()) return ec;
  message_.clear();
  return {};
}

std::error_code LinkDevice::reset() {
  if (!opened_) return fail(DeviceError::kNotAvailable, "the board has not been opened");
  if (auto ec = command(reg::kCmdClear | reg::kCmdClearMeters)) return ec;
  if (auto ec = wait_idle()) return ec;
  message_.clear();
  return {};
}

std::error_code LinkDevice::process(std::span<const int32_t> in, std::span<int32_t> out) {
  if (in.size() % 2 != 0 || out.size() != in.size()) return DeviceError::kInvalidArgument;
  if (!opened_) return fail(DeviceError::kNotAvailable, "the board has not been opened");
  const std::size_t frames = in.size() / 2;
  const std::size_t credit = board_.audio_credit;
  const std::size_t chunk = std::min<std::size_t>(protocol::kMaxFrames, credit);
  std::size_t sent = 0, received = 0;
  auto progress_at = Clock::now();
  uint64_t discarded_at_progress = decoder_.stats().discarded_bytes;
  while (received < frames) {
    while (auto p = decoder_.next()) {
      if (p->type == Type::kError) return check_error_packet(*p);
      if (p->type != Type::kAudioOut) continue;  // stale register replies
      if (next_audio_sequence_ && p->sequence != *next_audio_sequence_)
        return fail(DeviceError::kProtocol, "audio from the board lost or out of order: expected packet " +
                                                std::to_string(*next_audio_sequence_) + ", got " +
                                                std::to_string(p->sequence));
      next_audio_sequence_ = static_cast<uint8_t>(p->sequence + 1);
      const auto samples = protocol::parse_audio(p->payload);
      if (!samples) return fail(DeviceError::kProtocol, "the board sent a malformed audio packet");
      const std::size_t n = samples->size() / 2;
      if (n > sent - received)
        return fail(DeviceError::kProtocol, "the board sent " + std::to_string(n) + " frames with only " +
                                                std::to_string(sent - received) + " in flight");
      std::copy(samples->begin(), samples->end(), out.begin() + static_cast<std::ptrdiff_t>(2 * received));
      received += n;
      progress_at = Clock::now();
      discarded_at_progress = decoder_.stats().discarded_bytes;
    }
    if (received == frames) break;
    // Keep frames in flight within the credit, in packets as large as it allows.
    while (sent < frames) {
      const std::size_t n = std::min(chunk, frames - sent);
      if (sent - received + n > credit) break;
      uint8_t sequence = 0;
      if (auto ec = send(Type::kAudioIn, protocol::audio_payload(in.subspan(2 * sent, 2 * n)), sequence)) return ec;
      sent += n;
    }
    if (auto ec = receive("audio", progress_at, discarded_at_progress)) {
      message_ += " (" + std::to_string(received) + " of " + std::to_string(frames) + " frames back)";
      return ec;
    }
  }
  message_.clear();
  return {};
}

std::error_code LinkDevice::read_meters(model::Meters& m, bool clear) {
  if (!opened_) return fail(DeviceError::kNotAvailable, "the board has not been opened");
  if (auto ec = wait_idle()) return ec;
  std::vector<uint32_t> v;
  if (auto ec = read_registers(kMeterAddrs, v)) return ec;
  m.in_peak[0] = v[0];
  m.in_peak[1] = v[1];
  m.out_peak[0] = v[2];
  m.out_peak[1] = v[3];
  m.true_peak = v[4];
  m.comp_gr_max = static_cast<int32_t>(v[5]);
  m.lim_gr_max = static_cast<int32_t>(v[6]);
  m.frames = v[7];
  m.out_sum_sq[0] = v[8] | (static_cast<uint64_t>(v[9]) << 32);
  m.out_sum_sq[1] = v[10] | (static_cast<uint64_t>(v[11]) << 32);
  if (clear) {
    if (auto ec = command(reg::kCmdClearMeters)) return ec;
    if (auto ec = wait_idle()) return ec;
  }
  message_.clear();
  return {};
}

}  // namespace lathe
