// SPDX-License-Identifier: MIT
// lathe_top (FT245 adapter, packet layer, core) through the FT232H pin model, spoken to
// with the host's protocol codec: kHello, register round trips, audio bit-exact against
// the model, and seeded robustness cases (garbage, bad CRCs, truncation, unknown types,
// oversize and malformed packets, audio beyond the credit, TXE# held high), after each of
// which the board must resynchronise, count, and answer the next good register read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>

#include "lathe/device.hpp"
#include "lathe/params.hpp"
#include "lathe/protocol.hpp"
#include "lathe/registers.hpp"
#include "lathe/sim/board.hpp"
#include "random_params.hpp"

using namespace lathe;
using protocol::Packet;
using protocol::Type;

namespace {

constexpr uint16_t kCredit = 512;
constexpr uint32_t kCoreId = 0x4C415448;
// The audio input FIFO holds the credit plus its output register.
constexpr int kAudioFifoFrames = kCredit + 1;

sim::SimOptions sim_options(uint32_t seed) {
  sim::SimOptions o;
  o.seed = seed;
  o.max_cycles = 400'000'000;
  return o;
}

class Host {
 public:
  Host(uint32_t seed, const sim::Ft232hOptions& chip = {}) : board(sim_options(seed), chip) {}

  void send_bytes(const std::vector<uint8_t>& b) {
    board.host_write(b);
    mirror.feed(b);
  }
  void send(Type type, uint8_t seq, std::vector<uint8_t> payload) {
    send_bytes(protocol::encode(Packet{type, seq, std::move(payload)}));
  }
  void poll() {
    std::vector<uint8_t> b;
    board.host_read(b);
    rx.feed(b);
    while (auto p = rx.next()) {
      if (p->type == Type::kAudioOut) {
        auto s = protocol::parse_audio(p->payload);
        REQUIRE(s);
        REQUIRE(p->sequence == audio_seq);
        ++audio_seq;
        audio.insert(audio.end(), s->begin(), s->end());
      } else if (p->type == Type::kError) {
        REQUIRE(protocol::parse_error(p->payload));
        errors.push_back(*p);
      } else {
        replies.push_back(*p);
      }
    }
  }
  std::optional<Packet> wait_reply(Type type, uint8_t seq, uint64_t max_cycles) {
    for (uint64_t c = 0; c < max_cycles; c += 128) {
      board.run(128);
      poll();
      for (auto it = replies.begin(); it != replies.end(); ++it)
        if (it->type == type && it->sequence == seq) {
          Packet p = *it;
          replies.erase(it);
          return p;
        }
    }
    return std::nullopt;
  }
  // Runs until the board has taken every queued byte and sent nothing for a while.
  void drain(uint64_t max_cycles) {
    uint64_t quiet = 0;
    for (uint64_t c = 0; c < max_cycles && quiet < 4096; c += 256) {
      const std::size_t before = rx.buffered() + audio.size() + errors.size() + replies.size();
      board.run(256);
      poll();
      const std::size_t after = rx.buffered() + audio.size() + errors.size() + replies.size();
      quiet = (after == before && board.queued() == 0 && board.chip().rx_level() == 0) ? quiet + 256 : 0;
    }
  }

  sim::Board board;
  protocol::Decoder rx;      // what the board sends
  protocol::Decoder mirror;  // what we sent, decoded the way the board must decode it
  std::vector<int32_t> audio;
  std::vector<Packet> errors;
  std::deque<Packet> replies;
  uint8_t audio_seq = 0;
};

std::vector<std::pair<uint8_t, uint32_t>> parse_items(const Packet& p) {
  auto items = protocol::parse_reg_items(p.payload);
  REQUIRE(items);
  return *items;
}

// Writes registers in packets of at most 204 items; waits for each acknowledgement.
void write_regs(Host& h, uint8_t& seq, const std::vector<std::pair<uint8_t, uint32_t>>& items) {
  for (std::size_t i = 0; i < items.size(); i += protocol::kMaxRegItems) {
    const std::size_t n = std::min(protocol::kMaxRegItems, items.size() - i);
    const std::span<const std::pair<uint8_t, uint32_t>> chunk(items.data() + i, n);
    const uint8_t s = seq++;
    h.send(Type::kRegWrite, s, protocol::reg_write_payload(chunk));
    auto ack = h.wait_reply(Type::kRegWriteAck, s, 200'000);
    REQUIRE(ack);
    REQUIRE(ack->payload == std::vector<uint8_t>{static_cast<uint8_t>(n)});
  }
}

std::vector<std::pair<uint8_t, uint32_t>> read_regs(Host& h, uint8_t& seq, const std::vector<uint8_t>& addrs) {
  std::vector<std::pair<uint8_t, uint32_t>> out;
  for (std::size_t i = 0; i < addrs.size(); i += protocol::kMaxRegItems) {
    const std::size_t n = std::min(protocol::kMaxRegItems, addrs.size() - i);
    const uint8_t s = seq++;
    h.send(Type::kRegRead, s, protocol::reg_read_payload({addrs.data() + i, n}));
    auto reply = h.wait_reply(Type::kRegReadReply, s, 200'000);
    REQUIRE(reply);
    auto items = parse_items(*reply);
    REQUIRE(items.size() == n);
    out.insert(out.end(), items.begin(), items.end());
  }
  return out;
}

std::vector<std::pair<uint8_t, uint32_t>> config_items(const reg::RegisterImage& regs) {
  std::vector<std::pair<uint8_t, uint32_t>> items;
  for (int a = 0; a < reg::kRegCount; ++a)
    if (reg::is_config_register(a)) items.emplace_back(static_cast<uint8_t>(a), regs.words[a]);
  return items;
}

}  // namespace

TEST_CASE("lathe_top answers kHello with kInfo", "[rtl][protocol]") {
  Host h(1);
  h.send(Type::kHello, 42, {});
  auto p = h.wait_reply(Type::kInfo, 42, 20'000);
  REQUIRE(p);
  auto info = protocol::parse_info(p->payload);
  REQUIRE(info);
  CHECK(info->protocol_version == protocol::kVersion);
  CHECK(info->eq_bands == reg::kEqBands);
  CHECK(info->max_lookahead == reg::kMaxLookahead);
  CHECK(info->audio_credit == kCredit);
  CHECK(info->core_id == kCoreId);
  CHECK(h.errors.empty());
  CHECK(h.board.chip().violations() == 0);
  // Latencies in 60 MHz cycles, from the request's first byte in the chip to the reply's
  // last byte in the chip.
  auto latency = [&](Type type, uint8_t seq, std::vector<uint8_t> payload) {
    h.board.run(64);
    std::vector<uint8_t> sink;
    h.board.host_read(sink);
    const auto bytes = protocol::encode(Packet{type, seq, std::move(payload)});
    const uint64_t start = h.board.cycles();
    REQUIRE(h.board.feed(bytes) == bytes.size());
    protocol::Decoder d;
    for (int i = 0; i < 100000; ++i) {
      h.board.run(1);
      std::vector<uint8_t> b;
      h.board.host_read(b);
      d.feed(b);
      if (auto p = d.next()) return h.board.cycles() - start;
    }
    FAIL("no reply");
    return uint64_t{0};
  };
  const uint64_t hello = latency(Type::kHello, 1, {});
  const uint64_t read1 = latency(Type::kRegRead, 2, {reg::kCtrl});
  std::vector<uint8_t> many(204, reg::kTrimGain);
  const uint64_t read204 = latency(Type::kRegRead, 3, many);
  const std::pair<uint8_t, uint32_t> w[1] = {{reg::kTrimGain, 5}};
  const uint64_t write1 = latency(Type::kRegWrite, 4, protocol::reg_write_payload(w));
  WARN("cycles, request in to reply out: kHello " << hello << ", kRegRead x1 " << read1 << ", kRegRead x204 " << read204
                                                  << ", kRegWrite x1 " << write1);
  CHECK(hello < 200);
}

TEST_CASE("BoardTransport carries kHello and kInfo in simulated time", "[rtl][protocol]") {
  sim::Board board(sim_options(3));
  sim::BoardTransport t(board);
  const auto hello = protocol::encode(Packet{Type::kHello, 7, {}});
  REQUIRE_FALSE(t.write(hello, std::chrono::milliseconds(10)));
  protocol::Decoder rx;
  std::optional<Packet> p;
  const uint64_t start = board.cycles();
  for (int i = 0; i < 10 && !p; ++i) {
    std::vector<uint8_t> bytes;
    REQUIRE_FALSE(t.read(bytes, std::chrono::milliseconds(1)));
    rx.feed(bytes);
    p = rx.next();
  }
  REQUIRE(p);
  CHECK(p->type == Type::kInfo);
  CHECK(p->sequence == 7);
  CHECK(board.cycles() - start < 2 * sim::Board::kCyclesPerMs);
  // Nothing to read: read() returns after the timeout's cycles with nothing, no error.
  std::vector<uint8_t> none;
  const uint64_t before = board.cycles();
  REQUIRE_FALSE(t.read(none, std::chrono::milliseconds(2)));
  CHECK(none.empty());
  CHECK(board.cycles() - before >= 2 * sim::Board::kCyclesPerMs - 64);
  CHECK(board.cycles() - before <= 2 * sim::Board::kCyclesPerMs + 64);
}

TEST_CASE("lathe_top register write/read round trip over every configuration register", "[rtl][protocol]") {
  Host h(2);
  test::Random r(77);
  uint8_t seq = 0;
  for (int round = 0; round < 3; ++round) {
    reg::RegisterImage regs = to_registers(test::random_params(r, 48000), 48000);
    // Arbitrary words too, except the coefficient high words (37-bit coefficients).
    for (int a = 0; a < reg::kRegCount; ++a)
      if (reg::is_config_register(a) && (a < reg::kEqBase || (a - reg::kEqBase) % 2 == 0) && r.chance(0.5))
        regs.words[a] = r.bits();
    const auto items = config_items(regs);
    write_regs(h, seq, items);
    std::vector<uint8_t> addrs;
    for (const auto& it : items) addrs.push_back(it.first);
    const auto got = read_regs(h, seq, addrs);
    REQUIRE(got.size() == items.size());
    // Every address, so the first read is a full one (204 addresses, a 1020-byte reply).
    std::vector<uint8_t> all;
    for (int a = 0; a < reg::kRegCount; ++a) all.push_back(static_cast<uint8_t>(a));
    const auto every = read_regs(h, seq, all);
    REQUIRE(every.size() == all.size());
    for (int a = 0; a < reg::kRegCount; ++a) {
      INFO("full read, register 0x" << std::hex << a);
      CHECK(every[static_cast<std::size_t>(a)].first == a);
      if (reg::is_config_register(a)) CHECK(every[static_cast<std::size_t>(a)].second == regs.words[static_cast<std::size_t>(a)]);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      INFO("round " << round << " register 0x" << std::hex << int(items[i].first));
      CHECK(got[i].first == items[i].first);
      CHECK(got[i].second == items[i].second);
    }
  }
  CHECK(h.errors.empty());
  CHECK(h.board.chip().violations() == 0);
}

namespace {

// One job through the board and the model; returns frames compared.
std::size_t audio_job(uint32_t seed, const sim::Ft232hOptions& chip, std::size_t frames) {
  Host h(seed, chip);
  test::Random r(seed * 31u + 5);
  const int fs = std::array<int, 3>{44100, 48000, 96000}[r.integer(0, 2)];
  const char* kSignals[] = {"music", "sine", "fs4", "noise", "impulses", "square"};
  const std::string signal = kSignals[r.integer(0, 5)];
  INFO("seed " << seed << " at " << fs << " Hz, " << signal);
  const reg::RegisterImage regs = to_registers(test::random_params(r, fs), fs);
  uint8_t seq = 0;
  write_regs(h, seq, config_items(regs));
  write_regs(h, seq, {{reg::kCommand, reg::kCmdCommit}});
  write_regs(h, seq, {{reg::kCommand, reg::kCmdClear | reg::kCmdClearMeters}});
  ModelDevice model;
  REQUIRE_FALSE(model.write_registers(regs));
  REQUIRE_FALSE(model.reset());

  const auto in = test::test_signal(signal, fs, frames, r);
  std::vector<int32_t> expect(in.size());
  REQUIRE_FALSE(model.process(in, expect));

  std::size_t sent = 0;
  uint64_t idle = 0;
  while (h.audio.size() < in.size()) {
    const std::size_t received = h.audio.size() / 2;
    const std::size_t room = kCredit - (sent - received);
    if (sent < frames && room > 0) {
      const std::size_t k = std::min<std::size_t>({room, frames - sent, static_cast<std::size_t>(r.integer(1, 170))});
      h.send(Type::kAudioIn, seq++, protocol::audio_payload({in.data() + 2 * sent, 2 * k}));
      sent += k;
    }
    const std::size_t before = h.audio.size();
    h.board.run(512);
    h.poll();
    idle = h.audio.size() == before ? idle + 512 : 0;
    REQUIRE(idle < 2'000'000);  // no deadlock
  }
  REQUIRE(h.audio.size() == expect.size());
  for (std::size_t i = 0; i < expect.size(); ++i) {
    if (h.audio[i] != expect[i])
      FAIL("frame " << i / 2 << (i % 2 ? " right" : " left") << ": board " << h.audio[i] << ", model " << expect[i]);
  }
  CHECK(h.errors.empty());
  CHECK(h.board.chip().violations() == 0);
  CHECK(h.rx.stats().discarded_bytes == 0);
  CHECK(h.rx.stats().bad_payload_crc == 0);
  // Counters: nothing dropped.
  const auto c = read_regs(h, seq, {reg::kLinkDiscardedBytes, reg::kLinkBadPayloadCrc, reg::kLinkAudioDropped,
                                     reg::kLinkRepliesDropped});
  for (const auto& [a, v] : c) {
    INFO("counter 0x" << std::hex << int(a));
    CHECK(v == 0);
  }
  return frames;
}

}  // namespace

TEST_CASE("lathe_top audio equals the model bit for bit", "[rtl][protocol]") {
  std::size_t frames = 0;
  frames += audio_job(11, {}, 6000);
  sim::Ft232hOptions stalls;
  stalls.seed = 9;
  stalls.rx_stall_rate = 0.02;
  stalls.tx_stall_rate = 0.02;
  stalls.max_stall_cycles = 300;
  frames += audio_job(12, stalls, 6000);
  stalls.rx_stall_rate = 0.3;  // RXF#/TXE# toggling almost every cycle
  stalls.tx_stall_rate = 0.3;
  stalls.max_stall_cycles = 3;
  frames += audio_job(13, stalls, 4000);
  WARN("frames compared through the board: " << frames);
}

namespace {

enum class Fault { kGarbage, kBadHeader, kBadPayload, kTruncated, kUnknownType, kOversize, kMalformed, kAudioBurst,
                   kTxeHold, kCount };
const char* fault_name(Fault f) {
  switch (f) {
    case Fault::kGarbage: return "garbage";
    case Fault::kBadHeader: return "bad header CRC";
    case Fault::kBadPayload: return "bad payload CRC";
    case Fault::kTruncated: return "truncated packet";
    case Fault::kUnknownType: return "unknown type";
    case Fault::kOversize: return "oversize length";
    case Fault::kMalformed: return "malformed payload";
    case Fault::kAudioBurst: return "audio beyond the credit";
    case Fault::kTxeHold: return "TXE# held high";
    default: return "?";
  }
}

std::vector<uint8_t> random_bytes(test::Random& r, int n) {
  std::vector<uint8_t> v(static_cast<std::size_t>(n));
  for (auto& b : v) b = static_cast<uint8_t>(r.bits());
  return v;
}

// A valid packet of a request type with a random well-formed payload.
Packet random_request(test::Random& r, uint8_t seq) {
  Packet p;
  p.sequence = seq;
  switch (r.integer(0, 2)) {
    case 0: {
      p.type = Type::kRegRead;
      p.payload = random_bytes(r, r.integer(1, 40));
      break;
    }
    case 1: {
      p.type = Type::kRegWrite;  // status/meters only: read-only words, harmless
      const int k = r.integer(1, 8);
      for (int i = 0; i < k; ++i) {
        p.payload.push_back(static_cast<uint8_t>(reg::kStatus));
        for (int j = 0; j < 4; ++j) p.payload.push_back(static_cast<uint8_t>(r.bits()));
      }
      break;
    }
    default:
      p.type = Type::kHello;
      break;
  }
  return p;
}

constexpr int kCounters = 8;
using Counters = std::array<uint32_t, kCounters>;

}  // namespace

namespace {
void robustness(uint32_t seed, int cases, double stall_rate, uint32_t max_stall) {
  sim::Ft232hOptions chip;
  chip.seed = seed;
  chip.rx_stall_rate = stall_rate;
  chip.tx_stall_rate = stall_rate;
  chip.max_stall_cycles = max_stall;
  Host h(seed, chip);
  test::Random r(seed);
  // The core stays unconfigured: audio frames wait in the input FIFO, so a burst beyond
  // the credit is dropped deterministically.
  uint8_t seq = 0;
  Counters expect{};  // expected counters 4..7 (unknown, malformed, audio dropped); 0..3 from the mirror decoder
  int audio_held = 0;
  std::array<int, static_cast<int>(Fault::kCount)> seen{};
  uint64_t max_case_cycles = 0;

  for (int c = 0; c < cases; ++c) {
    const auto fault = static_cast<Fault>(r.integer(0, static_cast<int>(Fault::kCount) - 1));
    ++seen[static_cast<int>(fault)];
    INFO("case " << c << ": " << fault_name(fault));
    const uint64_t start = h.board.cycles();
    std::optional<protocol::ErrorCode> want_error;
    uint8_t want_type = 0, want_seq = 0;
    int txe_requests = 0, txe_answered = 0, txe_audio = 0;
    const std::size_t errors_before = h.errors.size();
    Counters before{};
    switch (fault) {
      case Fault::kGarbage: {
        auto g = random_bytes(r, r.integer(1, 80));
        if (r.chance(0.5)) {  // plant false sync words
          const std::size_t at = static_cast<std::size_t>(r.integer(0, static_cast<int>(g.size()) - 1));
          g.insert(g.begin() + static_cast<std::ptrdiff_t>(at), {protocol::kSync0, protocol::kSync1});
        }
        h.send_bytes(g);
        break;
      }
      case Fault::kBadHeader: {
        auto b = protocol::encode(random_request(r, seq++));
        b[static_cast<std::size_t>(r.integer(2, 6))] ^= static_cast<uint8_t>(r.integer(1, 255));
        h.send_bytes(b);
        break;
      }
      case Fault::kBadPayload: {
        Packet p = random_request(r, seq++);
        auto b = protocol::encode(p);
        const int at = r.integer(7, static_cast<int>(b.size()) - 1);  // payload or its CRC
        b[static_cast<std::size_t>(at)] ^= static_cast<uint8_t>(1u << r.integer(0, 7));
        h.send_bytes(b);
        want_error = protocol::ErrorCode::kBadPayloadCrc;
        want_type = static_cast<uint8_t>(p.type);
        want_seq = p.sequence;
        break;
      }
      case Fault::kTruncated: {
        auto b = protocol::encode(random_request(r, seq++));
        b.resize(static_cast<std::size_t>(r.integer(1, static_cast<int>(b.size()) - 1)));
        h.send_bytes(b);
        break;
      }
      case Fault::kUnknownType: {
        uint8_t t;
        do t = static_cast<uint8_t>(r.bits()); while (t >= 1 && t <= 4);
        const uint8_t s = seq++;
        h.send(static_cast<Type>(t), s, random_bytes(r, r.integer(0, 30)));
        want_error = protocol::ErrorCode::kUnknownType;
        want_type = t;
        want_seq = s;
        ++expect[4];
        break;
      }
      case Fault::kOversize: {
        const uint16_t n = static_cast<uint16_t>(r.integer(protocol::kMaxPayload + 1, 65535));
        const uint8_t t = static_cast<uint8_t>(r.integer(1, 4));
        const uint8_t s = seq++;
        const uint8_t hdr[4] = {t, s, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8)};
        std::vector<uint8_t> b = {protocol::kSync0, protocol::kSync1, hdr[0], hdr[1], hdr[2], hdr[3],
                                  protocol::crc8(hdr)};
        h.send_bytes(b);
        want_error = protocol::ErrorCode::kOversize;
        want_type = t;
        want_seq = s;
        break;
      }
      case Fault::kMalformed: {
        const uint8_t s = seq++;
        Type t = Type::kHello;
        std::vector<uint8_t> payload;
        switch (r.integer(0, 3)) {
          case 0: {  // register write: not whole items, or none
            t = Type::kRegWrite;
            int n;
            do n = r.integer(0, 60); while (n % 5 == 0 && n != 0);
            payload = random_bytes(r, n);
            break;
          }
          case 1:  // register read: none, or more than 204
            t = Type::kRegRead;
            payload = r.chance(0.5) ? std::vector<uint8_t>{} : random_bytes(r, r.integer(205, 1020));
            break;
          case 2: {  // audio: not whole frames, or none
            t = Type::kAudioIn;
            int n;
            do n = r.integer(0, 70); while (n % 6 == 0 && n != 0);
            payload = random_bytes(r, n);
            break;
          }
          default:  // hello with a payload
            payload = random_bytes(r, r.integer(1, 20));
            break;
        }
        h.send(t, s, payload);
        want_error = protocol::ErrorCode::kMalformed;
        want_type = static_cast<uint8_t>(t);
        want_seq = s;
        ++expect[5];
        break;
      }
      case Fault::kAudioBurst: {
        const int packets = r.integer(1, 4);
        for (int i = 0; i < packets; ++i) {
          const int k = r.integer(1, 170);
          std::vector<int32_t> frames(2 * static_cast<std::size_t>(k));
          for (auto& s : frames) s = static_cast<int32_t>(r.bits() << 8) >> 8;
          h.send(Type::kAudioIn, seq++, protocol::audio_payload(frames));
          const int taken = std::min(k, kAudioFifoFrames - audio_held);
          audio_held += taken;
          expect[6] += static_cast<uint32_t>(k - taken);
          if (k > taken) {
            want_error = protocol::ErrorCode::kAudioOverrun;
            want_type = static_cast<uint8_t>(Type::kAudioIn);
            want_seq = static_cast<uint8_t>(seq - 1);
          }
        }
        break;
      }
      case Fault::kTxeHold: {
        // Replies pile up in the board while the chip will not take them: the board keeps
        // reading, and drops (and counts) what does not fit.
        const uint8_t s0 = seq++;
        h.send(Type::kRegRead, s0, protocol::reg_read_payload(std::vector<uint8_t>{0x30, 0x31, 0x32, 0x33, 0x34,
                                                                                    0x35, 0x36, 0x37}));
        auto p = h.wait_reply(Type::kRegReadReply, s0, 100'000);
        REQUIRE(p);
        const auto items = parse_items(*p);
        for (int i = 0; i < kCounters; ++i) before[static_cast<std::size_t>(i)] = items[static_cast<std::size_t>(i)].second;
        const auto hold = static_cast<uint64_t>(r.integer(2000, 40000));
        h.board.chip().hold_txe(hold);
        txe_requests = r.integer(1, 12);
        std::vector<uint8_t> addrs(static_cast<std::size_t>(r.integer(1, 204)));
        for (auto& a : addrs) a = static_cast<uint8_t>(r.integer(0, 0x37));
        const uint8_t first = seq;
        seq = static_cast<uint8_t>(seq + txe_requests);
        for (int i = 0; i < txe_requests; ++i) {
          h.send(Type::kRegRead, static_cast<uint8_t>(first + i), protocol::reg_read_payload(addrs));
          if (r.chance(0.3)) {  // audio arriving meanwhile, beyond the credit once the FIFO is full
            const int k = r.integer(1, 170);
            std::vector<int32_t> frames(2 * static_cast<std::size_t>(k));
            for (auto& x : frames) x = static_cast<int32_t>(r.bits() << 8) >> 8;
            h.send(Type::kAudioIn, seq++, protocol::audio_payload(frames));
            const int taken = std::min(k, kAudioFifoFrames - audio_held);
            audio_held += taken;
            expect[6] += static_cast<uint32_t>(k - taken);
            ++txe_audio;  // its kError (overrun) may be dropped too
          }
        }
        // The board must keep taking bytes while it cannot send.
        const std::size_t pending = h.board.queued() + h.board.chip().rx_level();
        h.board.run(hold);
        const std::size_t left = h.board.queued() + h.board.chip().rx_level();
        REQUIRE((left == 0 || left + hold / 16 < pending));
        h.drain(200'000);
        for (int i = 0; i < txe_requests; ++i)
          for (auto it = h.replies.begin(); it != h.replies.end(); ++it)
            if (it->type == Type::kRegReadReply && it->sequence == static_cast<uint8_t>(first + i)) {
              ++txe_answered;
              h.replies.erase(it);
              break;
            }
        break;
      }
      default:
        break;
    }

    // The next good register read is answered (retried: a truncated packet may swallow it).
    std::optional<Packet> reply;
    uint8_t asked = 0;
    for (int attempt = 0; attempt < 80 && !reply; ++attempt) {
      asked = seq++;
      h.send(Type::kRegRead, asked,
             protocol::reg_read_payload(std::vector<uint8_t>{0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, reg::kStatus}));
      reply = h.wait_reply(Type::kRegReadReply, asked, 4000);
    }
    INFO("board: " << h.board.queued() << " bytes queued, " << h.board.chip().rx_level() << " in the chip's RX buffer, "
                   << h.board.chip().tx_level() << " in its TX buffer; host decoder holds " << h.rx.buffered()
                   << " bytes, " << h.replies.size() << " unmatched replies, " << h.errors.size() - errors_before
                   << " errors this case, asked " << int(asked));
    REQUIRE(reply);
    const uint64_t used = h.board.cycles() - start;
    max_case_cycles = std::max(max_case_cycles, used);
    REQUIRE(used < 600'000);  // bounded: no deadlock
    const auto items = parse_items(*reply);
    REQUIRE(items.size() == 9);
    Counters got{};
    for (int i = 0; i < kCounters; ++i) {
      REQUIRE(items[static_cast<std::size_t>(i)].first == 0x30 + i);
      got[static_cast<std::size_t>(i)] = items[static_cast<std::size_t>(i)].second;
    }
    // Framing counters: exactly what the host's decoder counts on the same byte stream.
    std::optional<Packet> last;
    while (auto p = h.mirror.next()) last = p;
    REQUIRE(last);
    REQUIRE(last->sequence == asked);
    const auto& st = h.mirror.stats();
    CHECK(got[0] == st.discarded_bytes);
    CHECK(got[1] == st.bad_header_crc);
    CHECK(got[2] == st.bad_payload_crc);
    CHECK(got[3] == st.oversize);
    CHECK(got[4] == expect[4]);
    CHECK(got[5] == expect[5]);
    CHECK(got[6] == expect[6]);
    if (fault == Fault::kTxeHold) {
      const uint32_t dropped = got[7] - before[7];
      const auto missing = static_cast<uint32_t>(txe_requests - txe_answered);
      CHECK(dropped >= missing);
      CHECK(dropped <= 2 * missing + static_cast<uint32_t>(txe_audio));
    }
    if (want_error) {
      bool found = false;
      for (std::size_t i = errors_before; i < h.errors.size(); ++i) {
        const auto e = protocol::parse_error(h.errors[i].payload);
        if (e->code == *want_error && e->offending_type == want_type && e->offending_sequence == want_seq) found = true;
      }
      CHECK(found);
    }
    h.replies.clear();
  }
  CHECK(h.board.chip().violations() == 0);
  // What the board sent was always well formed.
  CHECK(h.rx.stats().discarded_bytes == 0);
  CHECK(h.rx.stats().bad_header_crc == 0);
  CHECK(h.rx.stats().bad_payload_crc == 0);
  for (int f = 0; f < static_cast<int>(Fault::kCount); ++f) CHECK(seen[static_cast<std::size_t>(f)] > 0);
  WARN("seed " << seed << ": " << cases << " cases, " << h.board.cycles() << " cycles, longest case "
                << max_case_cycles << " cycles, " << h.errors.size() << " kError packets");
}
}  // namespace

TEST_CASE("lathe_top resynchronises, counts and keeps answering after bad input", "[rtl][protocol]") {
  robustness(1234, 5000, 0.01, 40);  // long RXF#/TXE# stalls now and then
  robustness(99, 4000, 0.3, 3);      // RXF#/TXE# toggling almost every cycle
}
