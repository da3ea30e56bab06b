// SPDX-License-Identifier: MIT
// lathe_async_fifo (the live path's clock-domain crossing) under two unrelated clocks: a
// writer sends a counting sequence under random valid patterns, a reader takes it under
// random ready patterns and checks every word (none lost, repeated or out of order), at
// non-integer clock ratios both ways and nearly equal clocks, with and without edge
// jitter; clocks that stop and restart; resets of one side mid-stream (the FIFO's rule:
// either reset empties it on both sides); several reset seeds.
//
// The FIFO has two clocks, so this drives the Verilated top itself (ClockedModel has one):
// an event loop keeps each clock's next edge in simulated picoseconds, advances to the
// earlier one, toggles it and evaluates. Inputs of a domain change just after its rising
// edge, as if from a flop of that domain.
#include <catch2/catch.hpp>

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vlathe_async_fifo.h"

namespace {

// The RTL's default parameters, which this build uses.
constexpr unsigned kWidth = 48;
constexpr unsigned kDepth = 8;
constexpr uint64_t kDataMask = (uint64_t{1} << kWidth) - 1;

// The writer's n-th word: n in the low 32 bits, the low 16 bits of its complement above,
// so that every data bit changes and is checked.
uint64_t word_of(uint64_t n) { return (((~n & 0xffffu) << 32) | (n & 0xffffffffu)) & kDataMask; }

// Words checked by every bench of this run, printed when the program ends.
uint64_t g_words_checked = 0;
struct Summary {
  ~Summary() {
    if (g_words_checked) std::printf("rtl-cdc: %llu words checked in all\n", static_cast<unsigned long long>(g_words_checked));
  }
} g_summary;

struct Clocks {
  const char* name;
  double wclk_mhz;
  double rclk_mhz;
  double jitter = 0.0;  // each half period is nominal * (1 + u), u uniform in [-jitter, jitter]
  // +lathe_cdc_skew (lathe_sync_2ff: a bit that changed in the last half period of the
  // sampling clock comes out old or new at random); sound only for clocks within 1.6x.
  bool skew = false;
};

std::string describe(const Clocks& c) {
  std::ostringstream s;
  s << c.name << " (write " << c.wclk_mhz << " MHz, read " << c.rclk_mhz << " MHz, ratio " << c.rclk_mhz / c.wclk_mhz
    << ", jitter " << 100 * c.jitter << " % of the half period" << (c.skew ? ", sampling skew" : "") << ")";
  return s.str();
}

enum class Side { kWrite, kRead };

struct Clock {
  double half_ps = 0;
  double next_ps = 0;  // the next edge
  bool high = false;
  double period_ps() const { return 2 * half_ps; }
};

class Bench {
 public:
  Bench(const Clocks& clocks, uint32_t seed)
      : clocks_(clocks), context_(std::make_unique<VerilatedContext>()), rng_(seed * 2654435761u + 17u) {
    const double ratio = clocks.rclk_mhz / clocks.wclk_mhz;
    if (clocks.skew && (ratio > 1.6 || ratio < 1 / 1.6)) FAIL("sampling skew is only sound for clocks within 1.6x");
    context_->randReset(2);
    std::vector<std::string> args = {"sim", "+verilator+seed+" + std::to_string(seed)};
    if (clocks.skew) args.emplace_back("+lathe_cdc_skew");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    // Verilator 5.006 parses the seed with strtoull and then checks errno without clearing
    // it first (sim/include/lathe/sim/clocked_model.hpp).
    errno = 0;
    context_->commandArgs(static_cast<int>(argv.size()), argv.data());
    const char* trace = std::getenv("LATHE_TRACE");
#if VM_TRACE
    if (trace) context_->traceEverOn(true);
#endif
    top_ = std::make_unique<Vlathe_async_fifo>(context_.get());
#if VM_TRACE
    if (trace) {
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(trace);
    }
#else
    (void)trace;
#endif
    w_.half_ps = 0.5e6 / clocks.wclk_mhz;
    r_.half_ps = 0.5e6 / clocks.rclk_mhz;
    w_.next_ps = w_.half_ps * uniform(0, 1);
    r_.next_ps = r_.half_ps * uniform(0, 1);
    Vlathe_async_fifo& t = *top_;
    t.wclk_i = 0;
    t.rclk_i = 0;
    t.wrst_ni = 1;
    t.rrst_ni = 1;
    t.wvalid_i = 0;
    t.wdata_i = 0;
    t.rready_i = 0;
    eval();
    // The state before any reset: random (X) values that differ from seed to seed.
    power_up_rdata_ = t.rdata_o;
  }
  ~Bench() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  Vlathe_async_fifo& top() { return *top_; }
  uint64_t power_up_rdata() const { return power_up_rdata_; }
  uint64_t read() const { return read_; }
  uint64_t accepted() const { return accepted_; }
  int64_t occupancy() const { return static_cast<int64_t>(pushed_since_flush_) - static_cast<int64_t>(popped_since_flush_); }
  uint64_t full_seen() const { return full_seen_; }
  uint64_t empty_seen() const { return empty_seen_; }
  unsigned max_wdepth() const { return max_wdepth_; }
  double now_ps() const { return now_ps_; }
  double period_ps(Side s) const { return clock(s).period_ps(); }
  double slow_period_ps() const { return std::max(w_.period_ps(), r_.period_ps()); }

  // Power-up: both clocks run on the random state, then both resets are asserted together
  // for a few edges and released, each on an edge of its clock. The FIFO must come out empty.
  void start() {
    run_for(4 * slow_period_ps());
    assert_reset(Side::kWrite);
    assert_reset(Side::kRead);
    run_for(4 * slow_period_ps());
    release_reset(Side::kWrite);
    release_reset(Side::kRead);
    run_for(6 * slow_period_ps());
    check(!top_->rvalid_o && top_->rdepth_o == 0 && top_->wdepth_o == 0 && top_->wready_o,
          "not empty and ready after the power-up reset");
  }

  void set_traffic(double p_valid, double p_ready) {
    p_valid_ = p_valid;
    p_ready_ = p_ready;
  }

  // Runs the clocks for `ps` simulated picoseconds.
  void run_for(double ps) {
    const double end = now_ps_ + ps;
    for (;;) {
      const Side s = w_.next_ps <= r_.next_ps ? Side::kWrite : Side::kRead;
      Clock& c = clock(s);
      if (c.next_ps > end) break;
      now_ps_ = c.next_ps;
      context_->time(static_cast<uint64_t>(now_ps_));
      edge(s);
      c.next_ps += c.half_ps * (1 + uniform(-clocks_.jitter, clocks_.jitter));
    }
    now_ps_ = end;
  }

  // Runs edge by edge until the given clock is at `high`.
  void align(Side s, bool high) {
    while (clock(s).high != high) run_for(clock(s).next_ps - now_ps_);
  }

  // The clock of `s` makes no edge for `ps` (it stays at its level), then runs on.
  void stop_clock(Side s, double ps) { clock(s).next_ps += ps; }

  // Random traffic until `words` more words have been read: the valid and ready
  // probabilities change every 50-300 periods of the slower clock, among patterns that
  // fill the FIFO (reader slow), empty it (writer slow) and stream.
  void run_words(uint64_t words) {
    static constexpr double kPatterns[][2] = {{1.0, 1.0}, {1.0, 0.02}, {0.02, 1.0}, {0.5, 0.5}, {0.9, 0.3},
                                              {0.3, 0.9}, {1.0, 0.5},  {0.7, 1.0},  {0.1, 0.1}};
    const uint64_t target = read_ + words;
    const double give_up = now_ps_ + static_cast<double>(words) * 200 * slow_period_ps() + 1e9;
    while (read_ < target) {
      const auto& p = kPatterns[rng_() % (sizeof kPatterns / sizeof kPatterns[0])];
      set_traffic(p[0], p[1]);
      run_for(uniform(50, 300) * slow_period_ps());
      if (now_ps_ > give_up) fail("no progress: " + std::to_string(read_ - (target - words)) + " of " + std::to_string(words) + " words read");
    }
  }

  // Words per picosecond with both sides always valid and ready, as a fraction of the
  // slower clock's rate.
  double streaming_rate(double slow_periods) {
    set_traffic(1.0, 1.0);
    run_for(50 * slow_period_ps());
    const uint64_t r0 = read_;
    const double t0 = now_ps_;
    run_for(slow_periods * slow_period_ps());
    return static_cast<double>(read_ - r0) / (now_ps_ - t0) * slow_period_ps();
  }

  // No new words; the reader takes everything. Then both sides must see the FIFO empty.
  void drain() {
    set_traffic(0.0, 1.0);
    run_for(10 * slow_period_ps() + kDepth * r_.period_ps());
    check(occupancy() == 0 && read_ == accepted_since_start(), "words left after draining");
    check(!top_->rvalid_o && top_->rdepth_o == 0 && top_->wdepth_o == 0, "the FIFO does not look empty after draining");
  }

  // Asserts a side's reset now (asynchronously). The FIFO's rule: either reset drops every
  // word not yet read, on both sides; the reader expects the writer's next word after it.
  void assert_reset(Side s) {
    (s == Side::kWrite ? top_->wrst_ni : top_->rrst_ni) = 0;
    armed_ = true;
    eval();
    flush();
    check(!top_->rvalid_o && top_->rdepth_o == 0 && !top_->wready_o && top_->wdepth_o == 0,
          "a reset did not empty the FIFO on both sides at once");
    after_eval(false);
  }

  // Releases a side's reset: on the next rising edge of its clock (a reset synchroniser),
  // or now, asynchronously (a clock that is stopped has no edge).
  void release_reset(Side s, bool on_clock_edge = true) {
    if (on_clock_edge) {
      (s == Side::kWrite ? w_release_ : r_release_) = true;
    } else {
      (s == Side::kWrite ? top_->wrst_ni : top_->rrst_ni) = 1;
      eval();
      after_eval(false);
    }
  }

  uint64_t accepted_since_start() const { return accepted_ - flushed_; }

  // Prints what this bench saw and adds its words to the total.
  std::string summary() const {
    std::ostringstream s;
    s << read_ << " words checked, full seen " << full_seen_ << " times, empty " << empty_seen_ << " times, "
      << words_flushed_ << " dropped by resets, " << now_ps_ * 1e-9 << " ms simulated";
    return s.str();
  }

  [[noreturn]] void fail(const std::string& what) const {
    FAIL(describe(clocks_) << ": " << what << " (at " << now_ps_ * 1e-6 << " us; " << read_ << " words read, "
                           << accepted_ << " accepted, occupancy " << occupancy() << ")");
    std::abort();  // not reached: FAIL throws
  }
  void check(bool ok, const char* what) const {
    if (!ok && armed_) fail(what);
  }

 private:
  Clock& clock(Side s) { return s == Side::kWrite ? w_ : r_; }
  const Clock& clock(Side s) const { return s == Side::kWrite ? w_ : r_; }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool coin(double p) { return p >= 1.0 || (p > 0.0 && uniform(0, 1) < p); }
  bool any_reset() const { return !top_->wrst_ni || !top_->rrst_ni; }

  void eval() {
    top_->eval();
#if VM_TRACE
    if (trace_) trace_->dump(context_->time());
#endif
  }

  void edge(Side s) {
    Clock& c = clock(s);
    if (c.high) {
      (s == Side::kWrite ? top_->wclk_i : top_->rclk_i) = 0;
      eval();
      after_eval(false);
    } else if (s == Side::kWrite) {
      write_rise();
    } else {
      read_rise();
    }
    c.high = !c.high;
  }

  void flush() {
    words_flushed_ += static_cast<uint64_t>(occupancy());
    flushed_ += static_cast<uint64_t>(occupancy());
    pushed_since_flush_ = popped_since_flush_ = 0;
    expected_ = next_word_;
    reset_since_check_ = true;
  }

  // What the write side's flops see at the edge (inputs and outputs just before it), then
  // the writer's next move.
  void write_rise() {
    Vlathe_async_fifo& t = *top_;
    const unsigned wdepth = t.wdepth_o;
    if (any_reset()) check(!t.wready_o, "wready_o high while a reset is asserted");
    check(wdepth <= kDepth, "wdepth_o above Depth");
    check(static_cast<int64_t>(wdepth) >= occupancy(), "wdepth_o below the true fill level");
    check(!t.wready_o || wdepth != kDepth, "wready_o high with wdepth_o at Depth");
    const bool push = t.wvalid_i && t.wready_o;
    if (armed_) {
      max_wdepth_ = std::max(max_wdepth_, wdepth);
      if (t.wvalid_i && !t.wready_o && wdepth == kDepth) ++full_seen_;
    }
    t.wclk_i = 1;
    eval();
    if (push) {
      ++next_word_;
      ++accepted_;
      ++pushed_since_flush_;
      check(occupancy() <= static_cast<int64_t>(kDepth), "a word accepted with the FIFO full");
    }
    if (w_release_) {
      t.wrst_ni = 1;
      w_release_ = false;
    }
    if (!t.wvalid_i || push) {  // a word offered stays offered until it is taken
      t.wvalid_i = coin(p_valid_);
      t.wdata_i = word_of(next_word_);
    }
    eval();
    after_eval(false);
  }

  void read_rise() {
    Vlathe_async_fifo& t = *top_;
    const unsigned rdepth = t.rdepth_o;
    if (any_reset()) check(!t.rvalid_o, "rvalid_o high while a reset is asserted");
    check(static_cast<int64_t>(rdepth) <= occupancy(), "rdepth_o above the true fill level");
    check(t.rvalid_o == (rdepth != 0), "rvalid_o is not rdepth_o != 0");
    const bool pop = t.rvalid_o && t.rready_i;
    if (pop) {
      const uint64_t got = t.rdata_o, want = word_of(expected_);
      if (got != want && armed_) {
        std::ostringstream s;
        s << "word " << expected_ << ": read 0x" << std::hex << got << ", want 0x" << want;
        fail(s.str());
      }
      ++expected_;
      ++read_;
      ++popped_since_flush_;
      ++g_words_checked;
    }
    if (t.rvalid_o) {
      was_valid_ = true;
    } else if (was_valid_) {
      was_valid_ = false;
      ++empty_seen_;
    }
    t.rclk_i = 1;
    eval();
    if (r_release_) {
      t.rrst_ni = 1;
      r_release_ = false;
    }
    t.rready_i = coin(p_ready_);
    eval();
    after_eval(pop);
  }

  // The read side's stream rule after every evaluation: a word offered and not taken stays
  // offered, unchanged (the write side's memory writes must not disturb it).
  void after_eval(bool popped) {
    const Vlathe_async_fifo& t = *top_;
    if (held_valid_ && !popped && !reset_since_check_) {
      check(t.rvalid_o, "rvalid_o dropped without a pop");
      check(t.rdata_o == held_data_, "rdata_o changed while rvalid_o && !rready_i");
    }
    held_valid_ = t.rvalid_o;
    held_data_ = t.rdata_o;
    reset_since_check_ = false;
  }

  Clocks clocks_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vlathe_async_fifo> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  std::mt19937_64 rng_;
  Clock w_, r_;
  double now_ps_ = 0;
  double p_valid_ = 0, p_ready_ = 0;
  bool w_release_ = false, r_release_ = false;
  bool armed_ = false;  // from the first reset on: the state before it is random
  uint64_t power_up_rdata_ = 0;
  // Writer: the next word to offer; reader: the next word due.
  uint64_t next_word_ = 0, expected_ = 0;
  uint64_t accepted_ = 0, read_ = 0, flushed_ = 0, words_flushed_ = 0;
  uint64_t pushed_since_flush_ = 0, popped_since_flush_ = 0;
  bool was_valid_ = false, held_valid_ = false, reset_since_check_ = false;
  uint64_t held_data_ = 0;
  uint64_t full_seen_ = 0, empty_seen_ = 0;
  unsigned max_wdepth_ = 0;
};

// The live path's clocks: I2S bit clocks of 2.8224 MHz (44.1 kHz x 64) to 6.144 MHz
// (96 kHz x 64), the core clock 24.576 MHz, off by 1.37 % (a crystal that is not the I2S
// master's), and the FT232H's 60 MHz.
constexpr double kCoreMhz = 24.576 * 1.0137;

// Streams at full rate (the slower clock's rate, to 1 %), then random traffic until
// `words` words have been checked; the FIFO must have been full and empty; drains.
uint64_t run_ratio(const Clocks& clocks, uint32_t seed, uint64_t words) {
  const auto t0 = std::chrono::steady_clock::now();
  Bench b(clocks, seed);
  b.start();
  const double rate = b.streaming_rate(3000);
  INFO(describe(clocks));
  CHECK(rate > 0.99);
  CHECK(rate < 1.01);
  b.run_words(words);
  b.drain();
  CHECK(b.full_seen() > 0);
  CHECK(b.max_wdepth() == kDepth);
  CHECK(b.empty_seen() > 0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN(describe(clocks) << ": streaming at " << rate << " of the slower clock's rate; " << b.summary() << "; " << s
                        << " s");
  return b.read();
}

constexpr uint64_t kWordsPerRun = 125000;

}  // namespace

TEST_CASE("cdc: I2S into the core, the read clock 8.1x the write clock", "[rtl][cdc]") {
  uint64_t words = 0;
  words += run_ratio({"I2S 48 kHz in", 3.072, kCoreMhz}, 1, kWordsPerRun);
  words += run_ratio({"I2S 48 kHz in", 3.072, kCoreMhz, 0.1}, 2, kWordsPerRun);
  WARN(words << " words checked");
}

TEST_CASE("cdc: the core out to I2S, the read clock 8.9x slower than the write clock", "[rtl][cdc]") {
  uint64_t words = 0;
  words += run_ratio({"I2S 44.1 kHz out", kCoreMhz, 2.8224}, 3, kWordsPerRun);
  words += run_ratio({"I2S 44.1 kHz out", kCoreMhz, 2.8224, 0.1}, 4, kWordsPerRun);
  WARN(words << " words checked");
}

TEST_CASE("cdc: nearly equal clocks, the reader 1.0001x faster, with sampling skew", "[rtl][cdc]") {
  uint64_t words = 0;
  words += run_ratio({"nearly equal", 24.576, 24.576 * 1.0001, 0.0, true}, 5, kWordsPerRun);
  words += run_ratio({"nearly equal", 24.576, 24.576 * 1.0001, 0.1, true}, 6, kWordsPerRun);
  WARN(words << " words checked");
}

TEST_CASE("cdc: nearly equal clocks, the writer 1.0001x faster, and 60 MHz against 44.1 kHz x 512", "[rtl][cdc]") {
  uint64_t words = 0;
  words += run_ratio({"nearly equal", 24.576 * 1.0001, 24.576, 0.0, true}, 7, kWordsPerRun);
  words += run_ratio({"nearly equal", 24.576 * 1.0001, 24.576, 0.1, true}, 8, kWordsPerRun);
  words += run_ratio({"FT232H to 22.5792 MHz, 2.66x", 60.0, 22.5792, 0.1, false}, 9, kWordsPerRun / 2);
  WARN(words << " words checked");
}

namespace {

constexpr double kMs = 1e9;  // picoseconds

// The FIFO holding Depth words: the writer always valid, the reader never ready.
void fill(Bench& b) {
  b.set_traffic(1.0, 0.0);
  b.run_for((kDepth + 8) * b.period_ps(Side::kWrite) + 10 * b.slow_period_ps());
  b.check(b.occupancy() == static_cast<int64_t>(kDepth), "not full with the reader stalled");
  b.check(!b.top().wready_o && b.top().wdepth_o == kDepth, "wready_o high or wdepth_o not Depth when full");
}

const Clocks kStopClocks[] = {{"I2S 48 kHz in", 3.072, kCoreMhz, 0.1},
                              {"nearly equal", 24.576, 24.576 * 1.0001, 0.1, true}};

}  // namespace

TEST_CASE("cdc: the write clock stops for 1 ms and restarts: the reader drains, then words flow again", "[rtl][cdc]") {
  for (const Clocks& clocks : kStopClocks) {
    Bench b(clocks, 11);
    b.start();
    b.run_words(20000);
    for (const bool high : {true, false}) {
      INFO(describe(clocks) << ", the write clock stopped " << (high ? "high" : "low"));
      fill(b);
      b.align(Side::kWrite, high);  // the writer still offering its next word
      const uint64_t accepted = b.accepted(), read = b.read();
      b.stop_clock(Side::kWrite, 1 * kMs);
      b.set_traffic(1.0, 0.5);
      b.run_for(0.9 * kMs);
      CHECK(b.accepted() == accepted);
      CHECK(b.read() == read + kDepth);  // all of them, each once, in order (the reader checks every word)
      CHECK(b.occupancy() == 0);
      CHECK(!b.top().rvalid_o);
      CHECK(b.top().rdepth_o == 0);
      b.run_for(0.2 * kMs);  // the clock runs again
      b.run_words(20000);
    }
    b.drain();
    WARN(describe(clocks) << ": " << b.summary());
  }
}

TEST_CASE("cdc: the read clock stops for 1 ms and restarts: the writer fills to full, nothing overwritten", "[rtl][cdc]") {
  for (const Clocks& clocks : kStopClocks) {
    Bench b(clocks, 12);
    b.start();
    b.run_words(20000);
    for (const bool high : {true, false}) {
      INFO(describe(clocks) << ", the read clock stopped " << (high ? "high" : "low"));
      b.set_traffic(0.9, 1.0);
      b.run_for(20 * b.slow_period_ps());
      b.align(Side::kRead, high);
      const uint64_t read = b.read();
      b.stop_clock(Side::kRead, 1 * kMs);
      b.run_for(0.9 * kMs);
      CHECK(b.read() == read);
      CHECK(b.occupancy() == static_cast<int64_t>(kDepth));  // full, and no word accepted beyond it
      CHECK(!b.top().wready_o);
      CHECK(b.top().wdepth_o == kDepth);
      b.run_for(0.2 * kMs);
      // The reader gets exactly the words accepted, in order: the Depth held, then the rest.
      b.drain();
      b.run_words(20000);
    }
    b.drain();
    WARN(describe(clocks) << ": " << b.summary());
  }
}

TEST_CASE("cdc: a reset of either side empties the FIFO on both sides, clocks running or stopped, three reset seeds",
          "[rtl][cdc]") {
  std::vector<uint64_t> power_up;
  for (const uint32_t seed : {1u, 2u, 3u}) {
    for (const Clocks& clocks : kStopClocks) {
      INFO(describe(clocks) << ", reset seed " << seed);
      std::mt19937 rng(seed);
      Bench b(clocks, seed);
      power_up.push_back(b.power_up_rdata());
      b.start();
      b.run_words(5000);

      // Mid-stream, both clocks running, the FIFO holding words: one side's reset, held for
      // 10 periods of the slower clock, released on an edge of its clock. The other side
      // is in reset with it (assert_reset checks both sides empty at once, the edges check
      // that no word is accepted or offered meanwhile); after the release the writer is
      // ready within a period of that clock and three of the write clock, and the reader
      // gets the writer's words from its next one on.
      for (const Side side : {Side::kRead, Side::kWrite}) {
        b.set_traffic(1.0, 0.05);
        b.run_for((10 + rng() % 20) * b.slow_period_ps() + (rng() % 1000) * 1e-3 * b.slow_period_ps());
        CHECK(b.occupancy() > 0);
        b.assert_reset(side);
        b.run_for(10 * b.slow_period_ps());
        b.release_reset(side);
        const double released = b.now_ps();
        const double bound = 1.1 * b.period_ps(side) + 3.2 * b.period_ps(Side::kWrite);
        while (!b.top().wready_o && b.now_ps() - released < 2 * bound) b.run_for(0.01 * b.period_ps(Side::kWrite));
        CHECK(b.now_ps() - released < bound);
        b.run_words(5000);
      }

      // Both resets together, mid-stream.
      b.set_traffic(1.0, 0.05);
      b.run_for(20 * b.slow_period_ps());
      b.assert_reset(Side::kWrite);
      b.assert_reset(Side::kRead);
      b.run_for(5 * b.slow_period_ps());
      b.release_reset(Side::kRead);
      b.release_reset(Side::kWrite);
      b.run_words(5000);

      // The read clock stops with the FIFO full and its domain is reset while it is
      // stopped, the reset held until the clock runs again: the write side is held in reset
      // all that time (nothing accepted).
      fill(b);
      b.stop_clock(Side::kRead, 1 * kMs);
      b.run_for(0.1 * kMs);
      b.assert_reset(Side::kRead);
      b.release_reset(Side::kRead);  // on the first edge after the restart
      b.set_traffic(1.0, 0.5);
      uint64_t accepted = b.accepted();
      b.run_for(0.8 * kMs);
      CHECK(b.accepted() == accepted);
      CHECK(!b.top().wready_o);
      b.run_for(0.2 * kMs);
      b.run_words(5000);

      // The same, with a reset pulse released while the read clock is stopped: the write
      // side comes out of reset and fills the emptied FIFO with new words, Depth of them;
      // the read side stays empty until its clock runs, then reads exactly those.
      fill(b);
      b.stop_clock(Side::kRead, 1 * kMs);
      b.run_for(0.1 * kMs);
      b.assert_reset(Side::kRead);
      b.run_for(0.05 * kMs);
      b.release_reset(Side::kRead, false);
      accepted = b.accepted();
      uint64_t read = b.read();
      b.set_traffic(1.0, 0.5);
      b.run_for(0.5 * kMs);
      CHECK(b.accepted() == accepted + kDepth);
      CHECK(b.occupancy() == static_cast<int64_t>(kDepth));
      CHECK(b.top().wdepth_o == kDepth);
      CHECK(!b.top().wready_o);
      CHECK(!b.top().rvalid_o);
      b.run_for(0.5 * kMs);
      CHECK(b.read() >= read + kDepth);
      b.run_words(5000);

      // The write clock stops with words in the FIFO and its domain gets a reset pulse: the
      // reader sees the FIFO empty at once and no word until the write clock runs again.
      fill(b);
      b.stop_clock(Side::kWrite, 1 * kMs);
      b.run_for(0.1 * kMs);
      read = b.read();
      b.assert_reset(Side::kWrite);
      b.run_for(0.05 * kMs);
      b.release_reset(Side::kWrite, false);
      b.set_traffic(1.0, 0.5);
      b.run_for(0.7 * kMs);
      CHECK(b.read() == read);
      CHECK(!b.top().rvalid_o);
      b.run_for(0.2 * kMs);
      b.run_words(5000);
      b.drain();
      WARN(describe(clocks) << ", seed " << seed << ": " << b.summary());
    }
  }
  // The seeds do give different start-up states (the memory word under the random read
  // pointer, before any reset).
  std::sort(power_up.begin(), power_up.end());
  CHECK(std::unique(power_up.begin(), power_up.end()) - power_up.begin() >= 3);
}
