// SPDX-License-Identifier: MIT
// live::DeviceBridge, the live path to a device that runs on its own thread (sim, usb),
// driven directly as the JACK callback would drive it, against fake devices: one that
// answers every block, one that stalls while the test holds it, one that fails (a board
// unplugged) after N blocks. The test thread plays the audio thread; may_wait = true is
// the freewheel path, so every case is deterministic.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "lathe/device.hpp"
#include "live_bridge.hpp"

using namespace lathe;
using namespace lathe::live;

namespace {

// out = in + 1, so that processed silence (1) differs from the priming and dropouts (0).
class FakeDevice final : public Device {
 public:
  explicit FakeDevice(long fail_after_blocks = -1) : fail_after_(fail_after_blocks) {}
  std::chrono::milliseconds block_time{0};  // a slow device: each block takes this long
  DeviceInfo info() const override { return {}; }
  Error write_registers(const reg::RegisterImage&) override { return {}; }
  Error reset() override { return {}; }
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override {
    hold.wait(true);  // until the test lets go (std::atomic wait: no polling)
    if (block_time.count() > 0) std::this_thread::sleep_for(block_time);
    if (fail_after_ >= 0 && blocks_ >= fail_after_) return Error(Errc::kDisconnected, "board FAKE-1 was unplugged");
    ++blocks_;
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i] + 1;
    return {};
  }
  Result<model::Meters> read_meters(bool) override { return model::Meters{}; }

  std::atomic<bool> hold{false};
  void release() {
    hold.store(false);
    hold.notify_all();
  }

 private:
  long fail_after_;
  long blocks_ = 0;
};

constexpr std::size_t kPeriod = 64;

// The programme: frame t is (t + 1, -(t + 1)), never 0.
int32_t sample(std::size_t t, int ch) { return ch == 0 ? static_cast<int32_t>(t + 1) : -static_cast<int32_t>(t + 1); }

// Runs `cycles` periods from cycle `first`, appending the output to `out`.
void run_cycles(DeviceBridge& b, std::size_t first, std::size_t cycles, bool may_wait, std::vector<int32_t>& out) {
  std::vector<int32_t> in(2 * kPeriod), o(2 * kPeriod);
  for (std::size_t c = first; c < first + cycles; ++c) {
    for (std::size_t i = 0; i < kPeriod; ++i)
      for (int ch = 0; ch < 2; ++ch) in[2 * i + ch] = sample(c * kPeriod + i, ch);
    b.exchange(in.data(), o.data(), kPeriod, may_wait);
    out.insert(out.end(), o.begin(), o.end());
  }
}

// Frames of `out` from `from` on that are not the device's output of the input
// `priming` frames earlier.
std::size_t misaligned(const std::vector<int32_t>& out, std::size_t from, std::size_t priming) {
  std::size_t bad = 0;
  for (std::size_t t = from; t < out.size() / 2; ++t)
    for (int ch = 0; ch < 2; ++ch) {
      const int32_t want = t < priming ? 0 : sample(t - priming, ch) + 1;
      if (out[2 * t + ch] != want) ++bad;
    }
  return bad;
}

BridgeOptions options(std::size_t priming_periods, std::size_t capacity_blocks = 64) {
  BridgeOptions o;
  o.block_frames = kPeriod;
  o.priming_frames = priming_periods * kPeriod;
  o.capacity_blocks = capacity_blocks;
  return o;
}

}  // namespace

TEST_CASE("DeviceBridge: the output is the device's, exactly the priming late", "[jack][live]") {
  for (std::size_t priming : {1, 2, 3}) {
    FakeDevice dev;
    DeviceBridge b(dev, options(priming));
    b.start();
    std::vector<int32_t> out;
    run_cycles(b, 0, 200, true, out);
    b.stop();
    INFO("priming " << priming << " periods");
    CHECK(misaligned(out, 0, priming * kPeriod) == 0);
    const BridgeStats s = b.stats();
    CHECK(s.dropouts == 0);
    CHECK(s.overflow_frames == 0);
    CHECK(s.frames == 200 * kPeriod);
    CHECK_FALSE(b.failed());
  }
}

TEST_CASE("DeviceBridge: a late device is a counted dropout, and the round trip stays the same", "[jack][live]") {
  FakeDevice dev;
  dev.hold.store(true);  // stuck in its first block
  DeviceBridge b(dev, options(2));
  b.start();
  std::vector<int32_t> out;
  run_cycles(b, 0, 10, false, out);  // the audio thread never waits: 2 periods of priming, then 8 of silence
  BridgeStats s = b.stats();
  CHECK(s.dropouts == 8);
  CHECK(s.dropout_frames == 8 * kPeriod);
  CHECK(s.overflow_frames == 0);
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == 0);
  dev.release();
  // The late blocks are discarded as they come: from the next cycle on, the output is
  // where it would have been.
  run_cycles(b, 10, 100, true, out);
  b.stop();
  CHECK(misaligned(out, 10 * kPeriod, 2 * kPeriod) == 0);
  CHECK(b.stats().dropouts == 8);
}

TEST_CASE("DeviceBridge: input the full queue cannot take is counted and the alignment comes back", "[jack][live]") {
  FakeDevice dev;
  dev.hold.store(true);
  DeviceBridge b(dev, options(2, 4));  // room for 4 blocks beyond the priming
  b.start();
  std::vector<int32_t> out;
  run_cycles(b, 0, 20, false, out);
  const BridgeStats s = b.stats();
  CHECK(s.overflow_frames > 0);
  CHECK(s.dropouts > 0);
  dev.release();
  run_cycles(b, 20, 100, true, out);
  b.stop();
  // Once the dropped input is a priming behind, every frame is where it belongs.
  CHECK(misaligned(out, 20 * kPeriod + 2 * kPeriod, 2 * kPeriod) == 0);
}

// Freewheel waits for the device, but not past the cycle limit: JACK2's freewheel driver
// stops waiting for a cycle after 10 s and shifts the clients' periods against each other
// (a recording one period late). A cycle the device cannot serve in time is a dropout.
TEST_CASE("DeviceBridge: in freewheel a cycle the device cannot serve in time is a dropout, and the alignment holds",
          "[jack][live]") {
  REQUIRE(BridgeOptions{}.cycle_limit < std::chrono::seconds(10));  // what lathe live uses: inside JACK2's
  FakeDevice dev;
  dev.hold.store(true);  // stuck in its first block
  BridgeOptions o = options(2);
  o.cycle_limit = std::chrono::milliseconds(100);
  DeviceBridge b(dev, o);
  b.start();
  std::vector<int32_t> out;
  run_cycles(b, 0, 4, true, out);  // the priming, then two cycles that wait in vain
  CHECK(b.stats().dropouts == 2);
  CHECK(b.stats().dropout_frames == 2 * kPeriod);
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == 0);
  dev.release();
  run_cycles(b, 4, 20, true, out);
  b.stop();
  CHECK(b.stats().dropouts == 2);
  CHECK(b.stats().overflow_frames == 0);
  CHECK(misaligned(out, 4 * kPeriod, 2 * kPeriod) == 0);  // the late blocks were discarded
}

// In real time a device that falls behind fills the input queue only to its capacity:
// deeper input would come back too late anyway. So the backlog the first freewheel cycle
// waits for is short (once 50 periods, 20 s of the simulated board on a busy machine:
// past JACK2's 10 s freewheel limit).
TEST_CASE("DeviceBridge: a slow device's backlog is a few blocks, not the whole wait", "[jack][live]") {
  FakeDevice dev;
  dev.hold.store(true);
  BridgeOptions o = options(2);
  o.capacity_blocks = BridgeOptions{}.capacity_blocks;  // the default, what lathe live uses
  REQUIRE(o.capacity_blocks == 2);
  DeviceBridge b(dev, o);
  b.start();
  std::vector<int32_t> out;
  run_cycles(b, 0, 40, false, out);  // real time, the device stuck in its first block
  // Taken: the block the device holds and the queue's 3; the other 36 were dropped.
  CHECK(b.stats().overflow_frames >= 36 * kPeriod);
  dev.release();
  run_cycles(b, 40, 1, true, out);  // freewheel: this cycle waits for the backlog
  CHECK(b.stats().blocks <= 5);     // what was queued and this cycle's block, no more
  run_cycles(b, 41, 20, true, out);
  b.stop();
  // Once the dropped input is a priming behind, every frame is where it belongs.
  CHECK(misaligned(out, 42 * kPeriod, 2 * kPeriod) == 0);
}

TEST_CASE("DeviceBridge: a device that fails mid-session leaves silence and its error, not a crash", "[jack][live]") {
  FakeDevice dev(10);  // unplugged after 10 blocks
  DeviceBridge b(dev, options(2));
  b.start();
  std::vector<int32_t> out;
  run_cycles(b, 0, 60, true, out);
  REQUIRE(b.failed());
  CHECK(b.failure() == "board FAKE-1 was unplugged");
  CHECK(b.stats().blocks == 10);
  // Before the failure, the device's output in place; after it, silence only.
  std::size_t last_sound = 0;
  for (std::size_t t = 0; t < out.size() / 2; ++t)
    if (out[2 * t] != 0) last_sound = t;
  CHECK(last_sound == (10 + 2) * kPeriod - 1);
  std::vector<int32_t> head(out.begin(), out.begin() + 2 * static_cast<std::ptrdiff_t>(last_sound + 1));
  CHECK(misaligned(head, 0, 2 * kPeriod) == 0);
  // The audio thread goes on: no wait, no dropout counted for a device that is gone.
  const uint64_t dropouts = b.stats().dropouts;
  run_cycles(b, 60, 20, false, out);
  CHECK(b.stats().dropouts == dropouts);
  b.stop();
}

namespace {

// Registers and meters: the frames processed when each write came, and meters that say
// how many frames they cover (in_peak[0] = frames since the last clear).
class RegisterDevice final : public Device {
 public:
  DeviceInfo info() const override { return {}; }
  Error write_registers(const reg::RegisterImage& regs) override {
    writes.push_back({regs[reg::kLimLookahead], frames_});
    return {};
  }
  Error reset() override { return {}; }
  Error process(std::span<const int32_t> in, std::span<int32_t> out) override {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i] + 1;
    frames_ += in.size() / 2;
    since_clear_ += in.size() / 2;
    blocks.fetch_add(1);
    blocks.notify_all();
    return {};
  }
  // Blocks processed, for the test to wait on (std::atomic wait: woken by each block).
  void wait_blocks(uint64_t n) const {
    for (uint64_t seen = blocks.load(); seen < n; seen = blocks.load()) blocks.wait(seen);
  }
  std::atomic<uint64_t> blocks{0};
  Result<model::Meters> read_meters(bool clear) override {
    model::Meters m;
    m.in_peak[0] = static_cast<uint32_t>(since_clear_);
    if (clear) since_clear_ = 0;
    return m;
  }
  struct Write {
    uint32_t lookahead;
    uint64_t frames;
  };
  std::vector<Write> writes;  // device thread; read after stop()

 private:
  uint64_t frames_ = 0, since_clear_ = 0;
};

}  // namespace

TEST_CASE("DeviceBridge: posted registers are written between blocks, and the meters come in snapshots", "[jack][live]") {
  RegisterDevice device;
  BridgeOptions o = options(2);
  o.meter_interval_frames = 4 * kPeriod;
  DeviceBridge bridge(device, o);
  bridge.start();
  std::vector<int32_t> out;
  run_cycles(bridge, 0, 10, true, out);
  reg::RegisterImage regs{};
  regs[reg::kLimLookahead] = 40;
  REQUIRE(bridge.post_registers(regs, 1));
  regs[reg::kLimLookahead] = 41;
  REQUIRE(bridge.post_registers(regs, 2));  // both waiting: only the newest is written
  run_cycles(bridge, 10, 30, true, out);
  // Until the device has processed every block pushed (ctest's TIMEOUT guards a hang).
  device.wait_blocks(40);
  bridge.stop();  // joins the device thread: its counts are final
  REQUIRE(bridge.stats().blocks == 40);
  CHECK(misaligned(out, 0, 2 * kPeriod) == 0);  // the audio is untouched by the writes

  // One write, or two when the device thread took the first before the second came;
  // the newest last, each between two blocks, each reported.
  REQUIRE(!device.writes.empty());
  REQUIRE(device.writes.size() <= 2);
  CHECK(device.writes.back().lookahead == 41);
  AppliedConfig applied;
  for (const auto& w : device.writes) {
    CHECK(w.frames % kPeriod == 0);
    REQUIRE(bridge.poll_applied(applied));
    CHECK(applied.frame == w.frames);
    CHECK(applied.chain_latency == static_cast<int>(w.lookahead) + reg::kChainExtraDelay);
  }
  CHECK(applied.serial == 2);
  CHECK_FALSE(bridge.poll_applied(applied));

  // Snapshots every 4 blocks, back to back, each covering what it says.
  uint64_t next = 0;
  int count = 0;
  for (MeterSnapshot m; bridge.poll_meters(m); ++count) {
    CHECK(m.first_frame == next);
    CHECK(m.frames == 4 * kPeriod);
    CHECK(m.meters.in_peak[0] == m.frames);
    next = m.first_frame + m.frames;
  }
  CHECK(count == 10);
  CHECK(bridge.meters_dropped() == 0);
}
