// SPDX-License-Identifier: MIT
// The protocol client of docs/protocol.md over a Transport.
#include "lathe/link_device.hpp"

#include <algorithm>
#include <cstdio>

#include "lathe/readback.hpp"

namespace lathe {
namespace {

using protocol::Packet;
using protocol::Type;

// Bytes a wait may discard (garbage between packets) before the link counts as broken:
// far more than any burst of noise, far less than a stream that never resynchronises.
constexpr uint64_t kMaxGarbageBytes = 64 * 1024;

constexpr auto kMeterAddrs = reg::meter_addresses();

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

// A transport's error as it is, in its own words; one without words is named after the
// transport, so the user still learns what failed.
Error words_of(Error e, const Transport& transport) {
  if (!e || !e.message().empty()) return e;
  return {e.code(), "transport: " + transport.describe() + " failed (" + e.name() + ")"};
}

}  // namespace

LinkDevice::LinkDevice(std::unique_ptr<Transport> transport, LinkOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

DeviceInfo LinkDevice::info() const {
  return {options_.backend, transport_->describe(), options_.serial, board_.protocol_version, board_.eq_bands};
}

Error LinkDevice::not_opened() const { return {Errc::kNotAvailable, "the board has not been opened"}; }

Error LinkDevice::send(Type type, std::vector<uint8_t> payload, uint8_t& sequence) {
  sequence = host_sequence_++;
  const auto bytes = protocol::encode(Packet{type, sequence, std::move(payload)});
  return words_of(transport_->write(bytes, options_.reply_timeout), *transport_);
}

Error LinkDevice::board_error(const Packet& p) {
  const auto report = protocol::parse_error(p.payload);
  if (!report) return {Errc::kProtocol, "the board reported an error with an unreadable payload"};
  return {Errc::kProtocol, std::string("the board reported: ") + protocol::error_code_name(report->code) +
                               " (offending type " + hex8(report->offending_type) + ", sequence " +
                               std::to_string(report->offending_sequence) + ")"};
}

Result<Packet> LinkDevice::await(Want want, uint8_t sequence) {
  const Type wanted = want == Want::kInfo           ? Type::kInfo
                      : want == Want::kRegWriteAck ? Type::kRegWriteAck
                                                   : Type::kRegReadReply;
  const auto start = Clock::now();
  const uint64_t discarded_at_start = decoder_.stats().discarded_bytes;
  for (;;) {
    while (auto p = decoder_.next()) {
      if (p->type == Type::kError) {
        // The board's error about this request, or a stale one about another packet (a
        // host that reattaches after noise on the link, an earlier attempt): only the
        // first ends the wait; a request whose header the board could not read gets no
        // reply and is sent again on the timeout.
        const auto report = protocol::parse_error(p->payload);
        if (!report || report->offending_sequence == sequence) return failure(board_error(*p));
        continue;
      }
      if (p->type == wanted && p->sequence == sequence) return std::move(*p);
      // Audio left over from a process() that failed, or the live monitor stream, keeps
      // the board's count going.
      if (p->type == Type::kAudioOut) take_monitor_packet(*p);
      // Anything else is a stale reply (to an earlier attempt) or not ours: ignored.
    }
    if (auto e = receive("reply", start, discarded_at_start)) return failure(std::move(e));
  }
}

void LinkDevice::take_monitor_packet(const Packet& p) {
  if (keep_monitor_) {
    if (next_audio_sequence_ && p.sequence != *next_audio_sequence_)
      monitor_.lost_packets += static_cast<uint8_t>(p.sequence - *next_audio_sequence_);
    // Bounded: for a caller that stops reading, what comes after 10 s (at 192 kHz) is lost.
    constexpr std::size_t kMaxSamples = 2 * 192000 * 10;
    if (const auto samples = protocol::parse_audio(p.payload); samples && monitor_.frames.size() < kMaxSamples)
      monitor_.frames.insert(monitor_.frames.end(), samples->begin(), samples->end());
  }
  next_audio_sequence_ = static_cast<uint8_t>(p.sequence + 1);
}

void LinkDevice::keep_monitor(bool on) {
  keep_monitor_ = on;
  if (!on) monitor_ = {};
}

Result<LinkDevice::Monitor> LinkDevice::read_monitor(std::chrono::milliseconds wait) {
  if (!opened_) return failure(not_opened());
  auto drain = [&] {
    while (auto p = decoder_.next())
      if (p->type == Type::kAudioOut) take_monitor_packet(*p);  // anything else: stale, or not ours
  };
  drain();
  if (monitor_.frames.empty()) {
    rx_.clear();
    if (auto e = transport_->read(rx_, wait)) return failure(words_of(std::move(e), *transport_));
    decoder_.feed(rx_);
    drain();
  }
  Monitor out = std::move(monitor_);
  monitor_ = {};
  return out;
}

Error LinkDevice::receive(const char* what, Clock::time_point since, uint64_t discarded_since) {
  if (decoder_.stats().discarded_bytes - discarded_since > kMaxGarbageBytes)
    return {Errc::kProtocol, "the board sends bytes that are not packets (link out of sync)"};
  if (Clock::now() - since > options_.wall_timeout)
    return {Errc::kTimeout, std::string("no ") + what + " from the board within " +
                                std::to_string(options_.wall_timeout.count()) + " ms"};
  rx_.clear();
  if (auto e = transport_->read(rx_, options_.reply_timeout)) return words_of(std::move(e), *transport_);
  if (rx_.empty())
    return {Errc::kTimeout, std::string("no ") + what + " from the board within " +
                                std::to_string(options_.reply_timeout.count()) + " ms"};
  decoder_.feed(rx_);
  return {};
}

Result<Packet> LinkDevice::transact(Type type, const std::vector<uint8_t>& payload, Want want) {
  const int attempts = std::max(1, options_.attempts);
  Error last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    uint8_t sequence = 0;
    if (auto e = send(type, payload, sequence)) return failure(std::move(e));  // the transport's own failure
    auto reply = await(want, sequence);
    if (reply || reply.error() != Errc::kTimeout) return reply;  // success, or an error a retry cannot mend
    last = std::move(reply.error());
  }
  return failure(Errc::kTimeout,
                 last.message() + " (" + type_name(type) + ", " + std::to_string(attempts) + " attempts)");
}

Error LinkDevice::open() {
  opened_ = false;
  const auto reply = transact(Type::kHello, {}, Want::kInfo);
  if (!reply) return reply.error();
  const auto info = protocol::parse_info(reply->payload);
  if (!info) return {Errc::kProtocol, "the board's info packet is malformed"};
  if (info->protocol_version != protocol::kVersion)
    return {Errc::kProtocol, "the board speaks protocol version " + std::to_string(info->protocol_version) +
                                 ", this host speaks version " + std::to_string(protocol::kVersion)};
  if (info->eq_bands != reg::kEqBands)
    return {Errc::kProtocol, "the board has " + std::to_string(info->eq_bands) +
                                 " EQ bands per channel, this host was built for " + std::to_string(reg::kEqBands)};
  if (info->max_lookahead != reg::kMaxLookahead)
    return {Errc::kProtocol, "the board's maximum lookahead is " + std::to_string(info->max_lookahead) +
                                 " samples, this host was built for " + std::to_string(reg::kMaxLookahead)};
  if (info->audio_credit == 0) return {Errc::kProtocol, "the board offers no audio credit"};
  board_ = *info;
  opened_ = true;
  return {};
}

Error LinkDevice::write_items(const std::vector<std::pair<uint8_t, uint32_t>>& items) {
  for (std::size_t start = 0; start < items.size(); start += protocol::kMaxRegItems) {
    const std::size_t n = std::min(protocol::kMaxRegItems, items.size() - start);
    const auto reply =
        transact(Type::kRegWrite, protocol::reg_write_payload({items.data() + start, n}), Want::kRegWriteAck);
    if (!reply) return reply.error();
    if (reply->payload.size() != 1 || reply->payload[0] != n)
      return {Errc::kProtocol, "the board acknowledged " +
                                   (reply->payload.size() == 1 ? std::to_string(reply->payload[0]) : "?") + " of " +
                                   std::to_string(n) + " register writes"};
  }
  return {};
}

Error LinkDevice::command(uint32_t bits) { return write_items({{reg::kCommand, bits}}); }

Result<std::vector<uint32_t>> LinkDevice::read_registers(std::span<const uint8_t> addresses) {
  std::vector<uint32_t> values;
  for (std::size_t start = 0; start < addresses.size(); start += protocol::kMaxRegItems) {
    const auto part = addresses.subspan(start, std::min(protocol::kMaxRegItems, addresses.size() - start));
    const auto reply = transact(Type::kRegRead, protocol::reg_read_payload(part), Want::kRegReadReply);
    if (!reply) return failure(reply.error());
    const auto items = protocol::parse_reg_items(reply->payload);
    if (!items || items->size() != part.size())
      return failure(Errc::kProtocol, "the board's register read reply does not match the request");
    for (std::size_t i = 0; i < part.size(); ++i) {
      if ((*items)[i].first != part[i])
        return failure(Errc::kProtocol,
                       "the board answered register " + hex8((*items)[i].first) + " for " + hex8(part[i]));
      values.push_back((*items)[i].second);
    }
  }
  return values;
}

Error LinkDevice::wait_idle() {
  const uint8_t status_addr[] = {reg::kStatus};
  uint32_t status = 0;
  for (int poll = 0; poll < options_.max_status_polls; ++poll) {
    const auto read = read_registers(status_addr);
    if (!read) return read.error();
    status = read->front();
    if (reg::decode_status(status).idle()) return {};
  }
  return {Errc::kTimeout, "the board's command is still pending after " + std::to_string(options_.max_status_polls) +
                              " status reads (status " + hex8(status) + ")"};
}

Error LinkDevice::write_registers(const reg::RegisterImage& regs) {
  if (!opened_) return not_opened();
  std::vector<std::pair<uint8_t, uint32_t>> items;
  for (int a = 0; a < reg::kRegCount; ++a)
    if (reg::is_config_register(a)) items.emplace_back(static_cast<uint8_t>(a), regs.words[a]);
  if (auto e = write_items(items)) return e;
  if (auto e = command(reg::kCmdCommit)) return e;
  return wait_idle();
}

Error LinkDevice::write_control(uint8_t address, uint32_t value) {
  if (!opened_) return not_opened();
  return write_items({{address, value}});
}

Error LinkDevice::reset() {
  if (!opened_) return not_opened();
  // A board in live mode drops the host's audio: say so, rather than time out on it.
  const uint8_t live_addr[] = {reg::kLiveCtrl};
  const auto live = read_registers(live_addr);
  if (!live) return live.error();
  if (live->front() & reg::kLiveCtrlEnable)
    return {Errc::kBusy, "the board is in live mode (its codec in and out); `lathe live --device usb --off` ends it"};
  if (auto e = command(reg::kCmdClear | reg::kCmdClearMeters)) return e;
  return wait_idle();
}

Error LinkDevice::process(std::span<const int32_t> in, std::span<int32_t> out) {
  if (auto e = check_process_buffers(in, out)) return e;
  if (!opened_) return not_opened();
  const std::size_t frames = in.size() / 2;
  const std::size_t credit = board_.audio_credit;
  const std::size_t chunk = std::min<std::size_t>(protocol::kMaxFrames, credit);
  std::size_t sent = 0, received = 0;
  auto progress_at = Clock::now();
  uint64_t discarded_at_progress = decoder_.stats().discarded_bytes;
  while (received < frames) {
    while (auto p = decoder_.next()) {
      if (p->type == Type::kError) return board_error(*p);
      if (p->type != Type::kAudioOut) continue;  // stale register replies
      if (next_audio_sequence_ && p->sequence != *next_audio_sequence_)
        return {Errc::kProtocol, "audio from the board lost or out of order: expected packet " +
                                     std::to_string(*next_audio_sequence_) + ", got " + std::to_string(p->sequence)};
      next_audio_sequence_ = static_cast<uint8_t>(p->sequence + 1);
      const auto samples = protocol::parse_audio(p->payload);
      if (!samples) return {Errc::kProtocol, "the board sent a malformed audio packet"};
      const std::size_t n = samples->size() / 2;
      if (n > sent - received)
        return {Errc::kProtocol, "the board sent " + std::to_string(n) + " frames with only " +
                                     std::to_string(sent - received) + " in flight"};
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
      if (auto e = send(Type::kAudioIn, protocol::audio_payload(in.subspan(2 * sent, 2 * n)), sequence)) return e;
      sent += n;
    }
    if (auto e = receive("audio", progress_at, discarded_at_progress))
      return {e.code(), e.message() + " (" + std::to_string(received) + " of " + std::to_string(frames) +
                            " frames back)"};
  }
  return {};
}

Result<model::Meters> LinkDevice::read_meters(bool clear) {
  if (!opened_) return failure(not_opened());
  if (auto e = wait_idle()) return failure(std::move(e));
  const auto v = read_registers(kMeterAddrs);
  if (!v) return failure(v.error());
  const model::Meters m = reg::decode_meters(std::span<const uint32_t, reg::kMeterCount>(v->data(), reg::kMeterCount));
  if (clear) {
    if (auto e = command(reg::kCmdClearMeters)) return failure(std::move(e));
    if (auto e = wait_idle()) return failure(std::move(e));
  }
  return m;
}

}  // namespace lathe
