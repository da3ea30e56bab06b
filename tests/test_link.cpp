// SPDX-License-Identifier: MIT
// The protocol client (LinkDevice) against a C++ board: a loopback Transport that plays
// the board's side of docs/protocol.md on top of the model, with injectable faults. No RTL.
// Time is simulated: a read that brings nothing counts as its whole timeout waited, so no
// case depends on how fast the machine runs.
#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <random>

#include "check_meters.hpp"
#include "lathe/link_device.hpp"
#include "lathe/master.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;
using protocol::Packet;
using protocol::Type;

namespace {

// What can go wrong on the way back from the board, per reply packet.
struct Faults {
  uint32_t seed = 1;
  bool audio_only = false;      // leave register replies alone
  bool registers_only = false;  // leave audio alone
  double garbage = 0.0;     // random bytes before the packet
  double drop = 0.0;
  double duplicate = 0.0;
  double reorder = 0.0;     // held back and sent after the next packet
  double corrupt = 0.0;     // one byte flipped
  double error = 0.0;       // a kError packet instead
  double stale_error = 0.0; // a kError about another packet (sequence + 1) before the reply
  int silent_after = -1;    // replies stop after this many packets (-1: never)
  uint16_t protocol_version = protocol::kVersion;
  uint8_t eq_bands = reg::kEqBands;
  uint16_t max_lookahead = reg::kMaxLookahead;
  uint16_t credit = 512;
};

// The board's side of the protocol on top of the model's chain. Audio is processed when the
// host reads, so frames the host sends before reading are in flight against the credit.
class LoopbackBoard final : public Transport {
 public:
  explicit LoopbackBoard(Faults faults = {}) : faults_(faults), rng_(faults.seed) {}

  Error write(std::span<const uint8_t> bytes, std::chrono::milliseconds) override {
    decoder_.feed(bytes);
    while (auto p = decoder_.next()) handle(*p);
    return {};
  }

  Error read(std::vector<uint8_t>& out, std::chrono::milliseconds timeout) override {
    run_audio();
    if (held_) {  // a reordered packet with nothing after it goes out late, still
      emit(*held_);
      held_.reset();
    }
    // Bytes arrive in pieces of random size, as from USB.
    const std::size_t n = std::min<std::size_t>(tx_.size(), 1 + rng_() % 3000);
    out.insert(out.end(), tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(n));
    tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(n));
    if (n == 0) waited += timeout;  // a real link would have waited that long
    return {};
  }

  std::string describe() const override { return "loopback board (model)"; }

  uint64_t overruns = 0;
  std::chrono::milliseconds waited{0};  // simulated time spent in reads that brought nothing

 private:
  bool chance(double p) { return p > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

  void emit(const Packet& p) { protocol::encode(p, tx_); }

  void reply(Packet p) {
    if (faults_.silent_after >= 0 && replies_ >= faults_.silent_after) return;
    ++replies_;
    if (faults_.audio_only && p.type != Type::kAudioOut) return emit(p);
    if (faults_.registers_only && p.type == Type::kAudioOut) return emit(p);
    if (chance(faults_.garbage)) {
      const int n = 1 + static_cast<int>(rng_() % 64);
      for (int i = 0; i < n; ++i) tx_.push_back(static_cast<uint8_t>(rng_()));
    }
    if (chance(faults_.drop)) return;
    if (p.type != Type::kAudioOut && chance(faults_.stale_error))
      emit(Packet{Type::kError, error_count_++,
                  {static_cast<uint8_t>(protocol::ErrorCode::kBadHeaderCrc), 0x02, static_cast<uint8_t>(p.sequence + 1), 0}});
    if (chance(faults_.error)) {
      p = Packet{Type::kError, error_count_++, {static_cast<uint8_t>(1 + rng_() % 7), 0x03, p.sequence, 0}};
    }
    if (chance(faults_.corrupt)) {
      std::vector<uint8_t> bytes = protocol::encode(p);
      bytes[rng_() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng_() % 8));
      tx_.insert(tx_.end(), bytes.begin(), bytes.end());
      return;
    }
    if (!held_ && chance(faults_.reorder)) {
      held_ = p;
      return;
    }
    emit(p);
    if (chance(faults_.duplicate)) emit(p);
    if (held_) {
      emit(*held_);
      held_.reset();
    }
  }

  void handle(const Packet& p) {
    switch (p.type) {
      case Type::kHello: {
        const protocol::Info info{faults_.protocol_version, faults_.eq_bands, faults_.max_lookahead, faults_.credit,
                                  0x1a7e0001};
        reply({Type::kInfo, p.sequence, protocol::info_payload(info)});
        break;
      }
      case Type::kRegWrite: {
        const auto items = protocol::parse_reg_items(p.payload);
        if (!items) return malformed(p);
        for (const auto& [addr, value] : *items) {
          if (addr == reg::kCommand) {
            if (value & reg::kCmdCommit) {
              chain_.configure(staged_);
              configured_ = true;
            }
            if (value & reg::kCmdClear) chain_.reset();
            if (value & reg::kCmdClearMeters) chain_.clear_meters();
          } else if (addr < reg::kRegCount) {
            staged_.words[addr] = value;
          }
        }
        reply({Type::kRegWriteAck, p.sequence, {static_cast<uint8_t>(items->size())}});
        break;
      }
      case Type::kRegRead: {
        if (p.payload.empty()) return malformed(p);
        const model::Meters m = chain_.meters();
        const uint32_t meters[] = {m.in_peak[0],
                                   m.in_peak[1],
                                   m.out_peak[0],
                                   m.out_peak[1],
                                   m.true_peak,
                                   static_cast<uint32_t>(m.comp_gr_max),
                                   static_cast<uint32_t>(m.lim_gr_max),
                                   m.frames,
                                   static_cast<uint32_t>(m.out_sum_sq[0]),
                                   static_cast<uint32_t>(m.out_sum_sq[0] >> 32),
                                   static_cast<uint32_t>(m.out_sum_sq[1]),
                                   static_cast<uint32_t>(m.out_sum_sq[1] >> 32)};
        std::vector<std::pair<uint8_t, uint32_t>> items;
        for (uint8_t addr : p.payload) {
          uint32_t v = 0;
          if (addr == reg::kStatus) v = configured_ ? static_cast<uint32_t>(reg::kStatusConfigured) : 0u;
          else if (addr >= reg::kMeterInPeakL && addr <= reg::kMeterOutSumSqRHi) v = meters[addr - reg::kMeterInPeakL];
          else if (addr < reg::kRegCount) v = staged_.words[addr];
          items.emplace_back(addr, v);
        }
        reply({Type::kRegReadReply, p.sequence, protocol::reg_write_payload(items)});
        break;
      }
      case Type::kAudioIn: {
        const auto samples = protocol::parse_audio(p.payload);
        if (!samples) return malformed(p);
        if (pending_.size() / 2 + samples->size() / 2 > faults_.credit) {
          ++overruns;
          reply({Type::kError, error_count_++, {static_cast<uint8_t>(protocol::ErrorCode::kAudioOverrun), 0x03,
                                                p.sequence, 0}});
          return;
        }
        // Packet boundaries of the output follow the input's, as on the board.
        pending_.insert(pending_.end(), samples->begin(), samples->end());
        pending_sizes_.push_back(samples->size());
        break;
      }
      default:
        reply({Type::kError, error_count_++, {static_cast<uint8_t>(protocol::ErrorCode::kUnknownType),
                                              static_cast<uint8_t>(p.type), p.sequence, 0}});
    }
  }

  void malformed(const Packet& p) {
    reply({Type::kError, error_count_++, {static_cast<uint8_t>(protocol::ErrorCode::kMalformed),
                                          static_cast<uint8_t>(p.type), p.sequence, 0}});
  }

  void run_audio() {
    while (!pending_sizes_.empty()) {
      const std::size_t n = pending_sizes_.front();
      pending_sizes_.pop_front();
      std::vector<int32_t> in(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n)), out(n);
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
      chain_.process(in.data(), out.data(), n / 2);
      reply({Type::kAudioOut, audio_sequence_++, protocol::audio_payload(out)});
    }
  }

  Faults faults_;
  std::mt19937 rng_;
  protocol::Decoder decoder_;
  std::vector<uint8_t> tx_;
  std::optional<Packet> held_;
  model::Chain chain_;  // the model, as the board's core
  reg::RegisterImage staged_;
  bool configured_ = false;
  std::deque<int32_t> pending_;
  std::deque<std::size_t> pending_sizes_;
  uint8_t audio_sequence_ = 0, error_count_ = 0;
  int replies_ = 0;
};

reg::RegisterImage job_registers(const char* preset_name, int fs) {
  return to_registers(builtin_preset(preset_name)->params, fs);
}

std::unique_ptr<LinkDevice> open_link(const Faults& faults, LoopbackBoard** board = nullptr) {
  auto transport = std::make_unique<LoopbackBoard>(faults);
  if (board) *board = transport.get();
  auto link = std::make_unique<LinkDevice>(std::move(transport));
  return link;
}

constexpr auto kReplyTimeout = LinkOptions{}.reply_timeout;
constexpr int kAttempts = LinkOptions{}.attempts;

// A device in front of another that keeps the first error any call returned, so a test
// that runs a whole job (run_device) can look at the Error itself.
class ErrorTap final : public Device {
 public:
  explicit ErrorTap(Device& inner) : inner_(inner) {}
  DeviceInfo info() const override { return inner_.info(); }
  Error write_registers(const reg::RegisterImage& regs) override { return keep(inner_.write_registers(regs)); }
  Error reset() override { return keep(inner_.reset()); }
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override { return keep(inner_.process(in, out)); }
  Result<model::Meters> read_meters(bool clear) override {
    auto m = inner_.read_meters(clear);
    if (!m && !first_) first_ = m.error();
    return m;
  }
  const Error& first_error() const { return first_; }

 private:
  Error keep(Error e) {
    if (e && !first_) first_ = e;
    return e;
  }
  Device& inner_;
  Error first_;
};

}  // namespace

TEST_CASE("LinkDevice over a loopback board equals the model bit for bit", "[link]") {
  for (const char* preset : {"streaming", "cd"}) {
    const int fs = 48000;
    const auto in = signals::music_like(1.5, fs, 3);
    const auto regs = job_registers(preset, fs);
    ModelDevice model;
    std::vector<int32_t> expected, got;
    REQUIRE_FALSE(run_device(model, regs, in, expected));

    // A small credit (not a multiple of the packet size) so flow control is exercised.
    Faults f;
    f.credit = 300;
    LoopbackBoard* board = nullptr;
    auto link = open_link(f, &board);
    REQUIRE_FALSE(link->open());
    CHECK(link->info().protocol_version == protocol::kVersion);
    CHECK(link->info().description == "loopback board (model)");
    const auto err = run_device(*link, regs, in, got);
    INFO(preset << ": " << err.message());
    REQUIRE_FALSE(err);
    CHECK(board->overruns == 0);
    CHECK(board->waited.count() == 0);  // never a reply missing
    REQUIRE(got.size() == expected.size());
    CHECK(got == expected);

    const model::Meters want = required_meters(model, true);
    check_meters_equal(required_meters(*link, true), want);
    CHECK(want.frames > 0);
    // Cleared on the board too.
    CHECK(required_meters(*link, false).frames == 0);
  }
}

TEST_CASE("LinkDevice refuses a board of another protocol version, band count or lookahead", "[link]") {
  {
    Faults f;
    f.protocol_version = protocol::kVersion + 1;
    auto link = open_link(f);
    const Error e = link->open();
    CHECK(e == Errc::kProtocol);
    CHECK(e.message() == "the board speaks protocol version " + std::to_string(protocol::kVersion + 1) +
                             ", this host speaks version " + std::to_string(protocol::kVersion));
    reg::RegisterImage regs;
    const Error not_open = link->write_registers(regs);
    CHECK(not_open == Errc::kNotAvailable);
    CHECK(not_open.message() == "the board has not been opened");
  }
  {
    Faults f;
    f.eq_bands = 6;
    auto link = open_link(f);
    const Error e = link->open();
    CHECK(e == Errc::kProtocol);
    CHECK_THAT(e.message(), Catch::Contains("6 EQ bands") && Catch::Contains("built for 8"));
  }
  {
    Faults f;
    f.max_lookahead = 512;
    auto link = open_link(f);
    const Error e = link->open();
    CHECK(e == Errc::kProtocol);
    CHECK_THAT(e.message(), Catch::Contains("512") && Catch::Contains("1024"));
  }
}

TEST_CASE("LinkDevice reports board errors by name and silence as a timeout", "[link]") {
  const auto regs = job_registers("streaming", 48000);
  const auto in = signals::music_like(0.3, 48000, 5);
  std::vector<int32_t> out;
  {
    Faults f;
    f.audio_only = true;
    f.error = 1.0;
    auto link = open_link(f);
    REQUIRE_FALSE(link->open());
    const auto err = run_device(*link, regs, in, out);
    REQUIRE(err);
    // The job's message carries the error's name and the link's words, so the CLI shows them.
    CHECK(err == Errc::kProtocol);
    CHECK_THAT(err.message(), Catch::StartsWith("device: protocol: the board reported: "));
    std::vector<int32_t> block(2 * 64), block_out(block.size());
    const Error e = link->process(block, block_out);
    CHECK(e == Errc::kProtocol);
    CHECK_THAT(e.message(), Catch::StartsWith("the board reported: "));
  }
  {
    Faults f;
    f.silent_after = 3;  // info, the registers' and the commit's acks, then nothing
    LoopbackBoard* board = nullptr;
    auto link = open_link(f, &board);
    REQUIRE_FALSE(link->open());
    const Error e = link->write_registers(regs);
    CHECK(e == Errc::kTimeout);
    CHECK(e.message() == "no reply from the board within 250 ms (register read, 3 attempts)");  // the status poll
    // Each attempt waited one reply timeout, no more.
    CHECK(board->waited == kAttempts * kReplyTimeout);
  }
}

// A transport that fails the way the USB driver does: an Error in its own words, sticky.
// Writes fail, or (with `reads_only`) only reads do.
class FailedTransport final : public Transport {
 public:
  FailedTransport(Error error, bool reads_only = false) : error_(std::move(error)), reads_only_(reads_only) {}
  Error write(std::span<const uint8_t>, std::chrono::milliseconds) override {
    ++writes;
    return reads_only_ ? Error{} : error_;
  }
  Error read(std::vector<uint8_t>&, std::chrono::milliseconds) override {
    ++reads;
    return error_;
  }
  std::string describe() const override { return "failed transport"; }

  int writes = 0, reads = 0;

 private:
  Error error_;
  bool reads_only_;
};

TEST_CASE("LinkDevice passes a transport's error and its words on to the user", "[link]") {
  auto open_on = [](Error error, bool reads_only, FailedTransport*& transport) {
    auto t = std::make_unique<FailedTransport>(std::move(error), reads_only);
    transport = t.get();
    return std::make_unique<LinkDevice>(std::move(t));
  };
  FailedTransport* transport = nullptr;
  {
    auto link = open_on({Errc::kDisconnected, "board FT232H serial X was unplugged"}, false, transport);
    const Error e = link->open();
    REQUIRE(e == Errc::kDisconnected);
    CHECK(e.message() == "board FT232H serial X was unplugged");
  }
  {
    // A failure the transport keeps: asked once, never again, nothing waited for.
    auto link = open_on({Errc::kTimeout, "the board did not accept data for 1000 ms"}, false, transport);
    const Error e = link->open();
    REQUIRE(e == Errc::kTimeout);
    CHECK(e.message() == "the board did not accept data for 1000 ms");
    CHECK(transport->writes == 1);
    CHECK(transport->reads == 0);
  }
  {
    // The same on the way back.
    auto link = open_on({Errc::kDisconnected, "board FT232H serial X was unplugged"}, true, transport);
    const Error e = link->open();
    REQUIRE(e == Errc::kDisconnected);
    CHECK(e.message() == "board FT232H serial X was unplugged");
    CHECK(transport->writes == 1);
    CHECK(transport->reads == 1);
  }
  {
    // A transport without words is still named.
    auto link = open_on({Errc::kDisconnected, ""}, false, transport);
    const Error e = link->open();
    REQUIRE(e == Errc::kDisconnected);
    CHECK(e.message() == "transport: failed transport failed (disconnected)");
  }
}

TEST_CASE("Every injected link fault ends in an error or in the exact output, never a hang", "[link]") {
  const int fs = 48000;
  const auto in = signals::music_like(0.5, fs, 7);
  const auto regs = job_registers("streaming", fs);
  ModelDevice model;
  std::vector<int32_t> expected;
  REQUIRE_FALSE(run_device(model, regs, in, expected));

  struct Kind {
    const char* name;
    Faults f;
  };
  auto with = [](auto set) {
    Faults f;
    set(f);
    return f;
  };
  const Kind kinds[] = {
      {"garbage", with([](Faults& f) { f.garbage = 0.2; })},
      {"drop", with([](Faults& f) { f.drop = 0.05; })},
      {"duplicate", with([](Faults& f) { f.duplicate = 0.05; })},
      {"reorder", with([](Faults& f) { f.reorder = 0.05; })},
      {"corrupt", with([](Faults& f) { f.corrupt = 0.05; })},
      {"error", with([](Faults& f) { f.error = 0.05; })},
      {"silence", with([](Faults& f) { f.silent_after = 40; })},
      {"audio drop", with([](Faults& f) { f.drop = 0.05; f.audio_only = true; })},
      {"audio reorder", with([](Faults& f) { f.reorder = 0.05; f.audio_only = true; })},
      {"audio duplicate", with([](Faults& f) { f.duplicate = 0.05; f.audio_only = true; })},
      {"audio corrupt", with([](Faults& f) { f.corrupt = 0.05; f.audio_only = true; })},
      {"register drop", with([](Faults& f) { f.drop = 0.2; f.registers_only = true; })},
      {"register duplicate", with([](Faults& f) { f.duplicate = 0.2; f.registers_only = true; })},
      {"register reorder", with([](Faults& f) { f.reorder = 0.2; f.registers_only = true; })},
      {"everything", with([](Faults& f) {
         f.garbage = f.drop = f.duplicate = f.reorder = f.corrupt = f.error = 0.02;
       })},
  };
  std::chrono::milliseconds waited_in_all{0};
  for (const Kind& kind : kinds) {
    const std::string name = kind.name;
    int errors = 0, exact = 0;
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      Faults f = kind.f;
      f.seed = seed;
      f.credit = 400;
      LoopbackBoard* board = nullptr;
      auto link = open_link(f, &board);
      ErrorTap tap(*link);
      std::vector<int32_t> out;
      Error e = link->open();
      if (!e) {
        const Error err = run_device(tap, regs, in, out);
        e = tap.first_error();
        // The job's error is the device's: its code, its name and its words.
        CHECK(err.code() == e.code());
        if (err) CHECK(err.message() == "device: " + std::string(e.name()) + ": " + e.message());
      }
      INFO(kind.name << " seed " << seed << ": " << e.name() << ": " << e.message());
      // However the link misbehaves, a job waits a few reply timeouts, not more.
      CHECK(board->waited < std::chrono::seconds(5));
      waited_in_all += board->waited;
      if (e) {
        ++errors;
        // Only the board's words and silence end a job: a lost or garbled packet is a
        // protocol error or a timeout, and the message says which part of the board.
        CHECK((e == Errc::kProtocol || e == Errc::kTimeout));
        CHECK_THAT(e.message(), Catch::Contains("the board") || Catch::Contains("from the board"));
        if (name == "silence") CHECK(e == Errc::kTimeout);
        if (name == "error") CHECK_THAT(e.message(), Catch::StartsWith("the board reported: "));
      } else {
        // A fault the client mended (a retried register reply, garbage between packets)
        // must leave the output exact.
        REQUIRE(out == expected);
        ++exact;
      }
    }
    INFO(kind.name << ": " << errors << " errors, " << exact << " exact");
    // ~50 audio packets per job at 5%: each seed meets a fault on the audio path.
    if (name.starts_with("audio") || name == "silence") CHECK(errors == 20);
    else if (name.starts_with("register") || name == "garbage") CHECK(exact > 0);  // mended by retries, resync
    else CHECK(errors > 0);
  }
  CHECK(waited_in_all < std::chrono::seconds(60));
}

namespace {

// Replies that are random bytes, sprinkled with well-formed packets of random type,
// sequence and payload (so the client gets past the sync hunt and into its checks). It
// says what it did to the client: a write it failed, a read that found the stream ended.
class FuzzBoard final : public Transport {
 public:
  static inline const Error kWriteFailure{Errc::kDisconnected, "fuzz board: write failed"};

  explicit FuzzBoard(uint32_t seed) : rng_(seed) {
    // A valid kInfo for the first hello (sequence 0) lets most streams reach open().
    if (rng_() % 4 != 0) {
      const protocol::Info info{protocol::kVersion, reg::kEqBands, reg::kMaxLookahead,
                                static_cast<uint16_t>(rng_() % 600), 0};
      protocol::encode({Type::kInfo, 0, protocol::info_payload(info)}, stream_);
    }
    const int pieces = static_cast<int>(rng_() % 40);
    for (int i = 0; i < pieces; ++i) {
      if (rng_() % 2) {
        const int n = static_cast<int>(rng_() % 200);
        for (int k = 0; k < n; ++k) stream_.push_back(static_cast<uint8_t>(rng_()));
      } else {
        static constexpr Type kTypes[] = {Type::kRegWriteAck, Type::kRegReadReply, Type::kAudioOut, Type::kInfo,
                                          Type::kError};
        Packet p{kTypes[rng_() % 5], static_cast<uint8_t>(rng_() % 8), {}};
        const std::size_t n = rng_() % 3 == 0 ? rng_() % 1021 : rng_() % 16;
        for (std::size_t k = 0; k < n; ++k) p.payload.push_back(static_cast<uint8_t>(rng_()));
        if (p.type == Type::kRegWriteAck && rng_() % 2) p.payload = {static_cast<uint8_t>(rng_() % 200)};
        if (p.type == Type::kAudioOut)
          if (auto samples = protocol::parse_audio(p.payload)) audio_.push_back(std::move(*samples));
        protocol::encode(p, stream_);
      }
    }
  }
  Error write(std::span<const uint8_t>, std::chrono::milliseconds) override {
    if (rng_() % 500 != 0) return {};
    failed_write_ = true;
    return kWriteFailure;
  }
  Error read(std::vector<uint8_t>& out, std::chrono::milliseconds) override {
    const std::size_t n = std::min<std::size_t>(stream_.size() - at_, 1 + rng_() % 700);
    out.insert(out.end(), stream_.begin() + static_cast<std::ptrdiff_t>(at_),
               stream_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    if (n == 0) ran_dry_ = true;
    return {};
  }
  std::string describe() const override { return "fuzz"; }

  // What happened since the last look.
  struct Events {
    bool failed_write = false;
    bool ran_dry = false;
  };
  Events take_events() {
    const Events e{failed_write_, ran_dry_};
    failed_write_ = ran_dry_ = false;
    return e;
  }
  // The samples of every well-formed audio packet in the stream, in stream order.
  const std::vector<std::vector<int32_t>>& audio() const { return audio_; }

 private:
  std::mt19937 rng_;
  std::vector<uint8_t> stream_;
  std::size_t at_ = 0;
  std::vector<std::vector<int32_t>> audio_;
  bool failed_write_ = false, ran_dry_ = false;
};

// Whether `out` is the samples of some of `packets`, in their order, end to end: all that
// audio from a board can be.
bool made_of(const std::vector<int32_t>& out, const std::vector<std::vector<int32_t>>& packets) {
  std::size_t at = 0;
  for (const auto& p : packets)
    if (at + p.size() <= out.size() && std::equal(p.begin(), p.end(), out.begin() + static_cast<std::ptrdiff_t>(at)))
      at += p.size();
  return at == out.size();
}

}  // namespace

TEST_CASE("LinkDevice survives thousands of random reply streams, each call ending as it must", "[link]") {
  const auto regs = job_registers("streaming", 48000);
  const auto in = signals::music_like(0.02, 48000, 9);
  const std::string dry_reply = "no reply from the board within 250 ms (";
  const std::string dry_audio = "no audio from the board within 250 ms (";
  int opened = 0, calls = 0, ok = 0, failed_writes = 0, ran_dry = 0, protocol_errors = 0, audio_back = 0;
  for (uint32_t seed = 1; seed <= 3000; ++seed) {
    auto transport = std::make_unique<FuzzBoard>(seed);
    FuzzBoard& board = *transport;
    LinkDevice link(std::move(transport));
    // What each call must end in follows from what the board did meanwhile: a failed
    // write is the call's error, word for word (the client passes it on and does not
    // retry it); a stream that ended is silence, a timeout after every attempt; otherwise
    // the bytes decide: success, or a protocol error in the board's words.
    auto check = [&](const char* call, const Error& e, std::initializer_list<const char*> requests) {
      INFO("seed " << seed << ", " << call << ": " << e.name() << ": " << e.message());
      ++calls;
      const auto events = board.take_events();
      if (events.failed_write) {
        ++failed_writes;
        CHECK(e == FuzzBoard::kWriteFailure.code());
        CHECK(e.message() == FuzzBoard::kWriteFailure.message());
      } else if (events.ran_dry) {
        ++ran_dry;
        CHECK(e == Errc::kTimeout);
        bool named = false;
        for (const char* request : requests)
          named = named || e.message() == dry_reply + request + ", 3 attempts)" ||
                  (std::string(request) == "audio" && e.message().starts_with(dry_audio));
        CHECK(named);
      } else if (e) {
        ++protocol_errors;
        CHECK(e == Errc::kProtocol);
        CHECK_THAT(e.message(), Catch::StartsWith("the board") || Catch::StartsWith("audio from the board "));
      } else {
        ++ok;
      }
    };
    const Error hello = link.open();
    check("open", hello, {"hello"});
    if (hello) continue;
    ++opened;
    check("write_registers", link.write_registers(regs), {"register write", "register read"});
    check("reset", link.reset(), {"register write", "register read"});
    std::vector<int32_t> out(in.size());
    const Error processed = link.process(in, out);
    check("process", processed, {"audio"});
    // Audio that came back is audio the board sent, in order, nothing else.
    if (!processed) {
      ++audio_back;
      CHECK(made_of(out, board.audio()));
    }
    const auto meters = link.read_meters(true);
    check("read_meters", meters ? Error{} : meters.error(), {"register write", "register read"});
  }
  CHECK(opened > 1000);
  // Every ending was met, so each branch above was checked.
  CHECK(failed_writes > 0);
  CHECK(ran_dry > 0);
  CHECK(protocol_errors > 0);
  WARN(calls << " calls: " << ok << " ok, " << failed_writes << " failed writes, " << ran_dry << " ran dry, "
             << protocol_errors << " protocol errors; " << audio_back << " times audio back");
}

TEST_CASE("LinkDevice ignores a stale kError about another packet while it waits for its reply", "[link]") {
  Faults f;
  f.stale_error = 1.0;  // before every register reply
  auto link = open_link(f);
  REQUIRE_FALSE(link->open());
  const uint8_t addrs[] = {reg::kCtrl, reg::kTrimGain};
  const auto v = link->read_registers(addrs);
  REQUIRE(v);
  CHECK(v->size() == 2);
  reg::RegisterImage regs;
  regs[reg::kTrimGain] = 0x08000000;
  CHECK_FALSE(link->write_registers(regs));
  // An error that names the request still ends it, by name.
  Faults g;
  g.error = 1.0;
  auto failing = open_link(g);
  const Error e = failing->open();
  CHECK(e == Errc::kProtocol);
  CHECK_THAT(e.message(), Catch::Contains("the board reported"));
}
