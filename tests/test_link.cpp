// SPDX-License-Identifier: MIT
// The protocol client (LinkDevice) against a C++ board: a loopback Transport that plays
// the board's side of docs/protocol.md on top of the model, with injectable faults. No RTL.
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
  int silent_after = -1;    // replies stop after this many packets (-1: never)
  uint16_t protocol_version = protocol::kVersion;
  uint8_t eq_bands = reg::kEqBands;
  uint16_t max_lookahead = reg::kMaxLookahead;
  uint16_t credit = 512;
};

// The board's side of the protocol on top of ModelDevice. Audio is processed when the
// host reads, so frames the host sends before reading are in flight against the credit.
class LoopbackBoard final : public Transport {
 public:
  explicit LoopbackBoard(Faults faults = {}) : faults_(faults), rng_(faults.seed) {}

  std::error_code write(std::span<const uint8_t> bytes, std::chrono::milliseconds) override {
    decoder_.feed(bytes);
    while (auto p = decoder_.next()) handle(*p);
    return {};
  }

  std::error_code read(std::vector<uint8_t>& out, std::chrono::milliseconds) override {
    run_audio();
    if (held_) {  // a reordered packet with nothing after it goes out late, still
      emit(*held_);
      held_.reset();
    }
    // Bytes arrive in pieces of random size, as from USB.
    const std::size_t n = std::min<std::size_t>(tx_.size(), 1 + rng_() % 3000);
    out.insert(out.end(), tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(n));
    tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(n));
    return {};
  }

  std::string describe() const override { return "loopback board (model)"; }

  uint64_t overruns = 0;

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
              model_.write_registers(staged_);
              configured_ = true;
            }
            if (value & reg::kCmdClear) model_.reset();
            if (value & reg::kCmdClearMeters) {
              model::Meters discard;
              model_.read_meters(discard, true);
            }
          } else if (addr < reg::kRegCount) {
            staged_.words[addr] = value;
          }
        }
        reply({Type::kRegWriteAck, p.sequence, {static_cast<uint8_t>(items->size())}});
        break;
      }
      case Type::kRegRead: {
        if (p.payload.empty()) return malformed(p);
        model::Meters m;
        model_.read_meters(m, false);
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
      model_.process(in, out);
      reply({Type::kAudioOut, audio_sequence_++, protocol::audio_payload(out)});
    }
  }

  Faults faults_;
  std::mt19937 rng_;
  protocol::Decoder decoder_;
  std::vector<uint8_t> tx_;
  std::optional<Packet> held_;
  ModelDevice model_;
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

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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
    INFO(preset << ": " << (err ? err.message() : "") << " " << link->error_message());
    REQUIRE_FALSE(err);
    CHECK(board->overruns == 0);
    REQUIRE(got.size() == expected.size());
    CHECK(got == expected);

    model::Meters want, have;
    REQUIRE_FALSE(model.read_meters(want, true));
    REQUIRE_FALSE(link->read_meters(have, true));
    check_meters_equal(have, want);
    CHECK(want.frames > 0);
    // Cleared on the board too.
    REQUIRE_FALSE(link->read_meters(have, false));
    CHECK(have.frames == 0);
  }
}

TEST_CASE("LinkDevice refuses a board of another protocol version, band count or lookahead", "[link]") {
  {
    Faults f;
    f.protocol_version = 2;
    auto link = open_link(f);
    CHECK(link->open() == DeviceError::kProtocol);
    CHECK_THAT(link->error_message(), Catch::Contains("version 2") && Catch::Contains("version 1"));
    reg::RegisterImage regs;
    CHECK(link->write_registers(regs) == DeviceError::kNotAvailable);
  }
  {
    Faults f;
    f.eq_bands = 6;
    auto link = open_link(f);
    CHECK(link->open() == DeviceError::kProtocol);
    CHECK_THAT(link->error_message(), Catch::Contains("6 EQ bands") && Catch::Contains("built for 8"));
  }
  {
    Faults f;
    f.max_lookahead = 512;
    auto link = open_link(f);
    CHECK(link->open() == DeviceError::kProtocol);
    CHECK_THAT(link->error_message(), Catch::Contains("512") && Catch::Contains("1024"));
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
    CHECK_THAT(link->error_message(), Catch::Contains("the board reported"));
    // The job's message carries the link's detail, so the CLI shows it.
    CHECK_THAT(err.message(), Catch::Contains("protocol error") && Catch::Contains("the board reported"));
  }
  {
    Faults f;
    f.silent_after = 3;  // info and a couple of register replies, then nothing
    auto link = open_link(f);
    REQUIRE_FALSE(link->open());
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(link->write_registers(regs) == DeviceError::kTimeout);
    CHECK(seconds_since(t0) < 5.0);
    CHECK_THAT(link->error_message(), Catch::Contains("no reply"));
  }
}

// A transport that fails every call the way the USB driver does: a DeviceError and its
// own words (or a plain system error, as a transport without them would).
class FailedTransport final : public Transport {
 public:
  FailedTransport(std::error_code error, std::string detail) : error_(error), detail_(std::move(detail)) {}
  std::error_code write(std::span<const uint8_t>, std::chrono::milliseconds) override { return error_; }
  std::error_code read(std::vector<uint8_t>&, std::chrono::milliseconds) override { return error_; }
  std::string describe() const override { return "failed transport"; }
  std::string error_detail() const override { return detail_; }

 private:
  std::error_code error_;
  std::string detail_;
};

TEST_CASE("LinkDevice passes a transport's DeviceError and its words on to the user", "[link]") {
  {
    LinkDevice link(std::make_unique<FailedTransport>(DeviceError::kDisconnected, "board FT232H serial X was unplugged"));
    REQUIRE(link.open() == DeviceError::kDisconnected);
    CHECK(link.error_message() == "board FT232H serial X was unplugged");
  }
  {
    LinkDevice link(std::make_unique<FailedTransport>(DeviceError::kTimeout, "the board did not accept data for 1000 ms"));
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(link.open() == DeviceError::kTimeout);  // retried, each attempt failing at once
    CHECK(seconds_since(t0) < 1.0);
    CHECK_THAT(link.error_message(), Catch::StartsWith("the board did not accept data for 1000 ms"));
  }
  {
    LinkDevice link(std::make_unique<FailedTransport>(std::make_error_code(std::errc::io_error), ""));
    REQUIRE(link.open() == DeviceError::kDisconnected);
    CHECK_THAT(link.error_message(), Catch::StartsWith("transport: "));
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
  const auto t0 = std::chrono::steady_clock::now();
  for (const Kind& kind : kinds) {
    int errors = 0, exact = 0;
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      Faults f = kind.f;
      f.seed = seed;
      f.credit = 400;
      const auto t_job = std::chrono::steady_clock::now();
      auto link = open_link(f);
      lathe::Error err;
      std::vector<int32_t> out;
      if (link->open()) err = lathe::Error(lathe::Errc::kProtocol, link->error_message());
      else err = run_device(*link, regs, in, out);
      INFO(kind.name << " seed " << seed << ": " << (err ? err.message() + " / " + link->error_message() : "ok"));
      CHECK(seconds_since(t_job) < 5.0);
      if (err) {
        ++errors;
        CHECK_FALSE(link->error_message().empty());
      } else {
        // A fault the client mended (a retried register reply, garbage between packets)
        // must leave the output exact.
        REQUIRE(out == expected);
        ++exact;
      }
    }
    INFO(kind.name << ": " << errors << " errors, " << exact << " exact");
    // ~50 audio packets per job at 5%: each seed meets a fault on the audio path.
    const std::string name = kind.name;
    if (name.starts_with("audio") || name == "silence") CHECK(errors == 20);
    else if (name.starts_with("register") || name == "garbage") CHECK(exact > 0);  // mended by retries, resync
    else CHECK(errors > 0);
  }
  CHECK(seconds_since(t0) < 60.0);
}

namespace {

// Replies that are random bytes, sprinkled with well-formed packets of random type,
// sequence and payload (so the client gets past the sync hunt and into its checks).
class FuzzBoard final : public Transport {
 public:
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
        protocol::encode(p, stream_);
      }
    }
  }
  std::error_code write(std::span<const uint8_t>, std::chrono::milliseconds) override {
    return rng_() % 500 == 0 ? std::make_error_code(std::errc::io_error) : std::error_code{};
  }
  std::error_code read(std::vector<uint8_t>& out, std::chrono::milliseconds) override {
    const std::size_t n = std::min<std::size_t>(stream_.size() - at_, 1 + rng_() % 700);
    out.insert(out.end(), stream_.begin() + static_cast<std::ptrdiff_t>(at_),
               stream_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    return {};
  }
  std::string describe() const override { return "fuzz"; }

 private:
  std::mt19937 rng_;
  std::vector<uint8_t> stream_;
  std::size_t at_ = 0;
};

}  // namespace

TEST_CASE("LinkDevice survives thousands of random reply streams in bounded time", "[link]") {
  const auto regs = job_registers("streaming", 48000);
  const auto in = signals::music_like(0.02, 48000, 9);
  std::vector<int32_t> out(in.size());
  const auto t0 = std::chrono::steady_clock::now();
  int opened = 0;
  for (uint32_t seed = 1; seed <= 3000; ++seed) {
    LinkDevice link(std::make_unique<FuzzBoard>(seed));
    if (link.open()) {
      CHECK_FALSE(link.error_message().empty());
      continue;
    }
    ++opened;
    // Whatever the bytes, each call returns; most fail, none may crash or hang.
    (void)link.write_registers(regs);
    (void)link.reset();
    (void)link.process(in, out);
    model::Meters m;
    (void)link.read_meters(m, true);
  }
  CHECK(opened > 1000);
  CHECK(seconds_since(t0) < 60.0);
}
