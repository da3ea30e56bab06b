// SPDX-License-Identifier: MIT
// live::JackSession in this process on a dummy jackd of the test's own, in freewheel:
// a setting changed mid-stream through configure() lands at the period boundary the
// session reports, crossfaded exactly as LiveChain does offline (so bit for bit the
// model outside the fade); the meter snapshots are the model's over the same frames; a
// lookahead change moves the latency the out ports report.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>

#include "cli_scratch.hpp"
#include "jack_session.hpp"
#include "lathe/registers.hpp"
#include "lathe/live_chain.hpp"
#include "lathe/params.hpp"
#include "lathe/preset.hpp"
#include "lathe/test_signals.hpp"
#include "../../cli/jack_session.hpp"

using namespace lathe;
using namespace lathe::test;

namespace {

ChainParams streaming() {
  ChainParams p = builtin_preset("streaming")->params;
  p.dither.enabled = false;  // the noise would depend on the silent frames before the programme
  return p;
}

struct SessionRun {
  std::unique_ptr<live::JackSession> session;
  std::string error;
};

SessionRun open_session(const JackServer& server, const std::string& name, const ChainParams& params, int meter_frames) {
  ::setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
  live::JackOptions o;
  o.client_name = name;
  o.params = params;
  o.meter_interval_frames = meter_frames;
  SessionRun r;
  auto opened = live::JackSession::open(o);
  if (!opened) r.error = opened.error().message();
  else r.session = std::move(*opened);
  return r;
}

}  // namespace

TEST_CASE("JackSession: a change made through configure() mid-stream is LiveChain's, switched where the session says",
          "[jack][session]") {
  CliScratch s("jack-session");
  JackServer server(s, 64);
  REQUIRE(server.up());

  const ChainParams a = streaming();
  auto changes = GENERATE(as<std::string>{}, "drive", "eq");
  ChainParams b = a;
  if (changes == std::string("drive")) {
    b.lim.drive_db = 6.0;
  } else {
    b.eq.bands[0][1] = EqBand{FilterType::Peak, 2500.0, 6.0, 1.0};
    b.eq.bands[1][1] = b.eq.bands[0][1];
  }
  const reg::RegisterImage ra = to_registers(a, kRate), rb = to_registers(b, kRate);
  REQUIRE(ra != rb);

  constexpr int kMeterFrames = 1024;
  SessionRun run = open_session(server, "lathe-session-" + changes, a, kMeterFrames);
  INFO(run.error);
  REQUIRE(run.session);
  live::JackSession& session = *run.session;

  const std::vector<int32_t> programme = signals::music_like(1.5, kRate, 21);
  const std::size_t n = programme.size() / 2, total = n + kTailFrames;
  PlayRecord pr(server.name(), programme, total);
  REQUIRE(pr.ok());
  REQUIRE(pr.connect(session.client_name()));

  // In the player's callback, before the session's in the same period: the session's
  // frame count at the programme's first frame, and the change posted a third of the way
  // in (a deterministic period, whatever the machine's speed).
  std::atomic<uint64_t> f0{0};
  std::atomic<bool> tried{false}, posted{false};
  pr.on_period = [&](std::size_t played) {
    if (played == 0) f0.store(session.status().frames);
    if (!tried.load() && played >= n / 3) {
      tried.store(true);
      posted.store(!session.configure(rb));  // an Error is true when it is one
    }
  };
  for (live::MeterSnapshot m; session.poll_meters(m);) {
  }
  pr.set_freewheel(true);
  pr.start();
  REQUIRE(pr.wait_done());
  pr.set_freewheel(false);

  REQUIRE(posted.load());
  live::AppliedConfig applied;
  REQUIRE(session.poll_applied(applied));
  CHECK(applied.serial == 1);
  CHECK(session.status().configs_applied == 1);
  REQUIRE(applied.frame >= f0.load());
  const std::size_t k = applied.frame - f0.load();  // the programme frame the change landed at
  INFO("change landed at programme frame " << k << " (period " << pr.period() << ")");
  CHECK(k % pr.period() == 0);
  CHECK(k >= n / 3);
  CHECK(k < n / 3 + pr.period());  // the period it was posted before

  // Offline: the same chain, the same change at frame k, meters read and cleared where
  // the session read and cleared them.
  std::vector<live::MeterSnapshot> snaps;
  for (live::MeterSnapshot m; session.poll_meters(m);) snaps.push_back(m);
  CHECK(session.status().meters_dropped == 0);
  std::vector<int32_t> input(2 * total, 0);
  std::copy(programme.begin(), programme.end(), input.begin());
  LiveChain chain(kRate, ra), steady_a(kRate, ra);
  std::vector<float> left(total), right(total), left_a(total), right_a(total);
  steady_a.process(input.data(), left_a.data(), right_a.data(), total);
  std::vector<std::size_t> cuts = {k};
  std::vector<const live::MeterSnapshot*> compared;
  for (const auto& m : snaps) {
    const uint64_t end = m.first_frame + m.frames;
    if (end > f0.load() && end - f0.load() <= total) {
      cuts.push_back(end - f0.load());
      compared.push_back(&m);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  REQUIRE(compared.size() > total / kMeterFrames / 2);
  std::size_t pos = 0, next_snap = 0;
  long meter_mismatches = 0;
  for (std::size_t cut : cuts) {
    if (cut > pos) chain.process(input.data() + 2 * pos, left.data() + pos, right.data() + pos, cut - pos);
    pos = cut;
    if (cut == k) chain.configure(rb);
    if (next_snap < compared.size() && compared[next_snap]->first_frame + compared[next_snap]->frames - f0.load() == cut) {
      const model::Meters& got = compared[next_snap]->meters;
      const model::Meters& want = chain.meters();
      for (int ch = 0; ch < 2; ++ch)
        if (got.in_peak[ch] != want.in_peak[ch] || got.out_peak[ch] != want.out_peak[ch]) ++meter_mismatches;
      if (got.true_peak != want.true_peak || got.comp_gr_max != want.comp_gr_max || got.lim_gr_max != want.lim_gr_max)
        ++meter_mismatches;
      chain.clear_meters();
      ++next_snap;
    }
  }
  if (pos < total) chain.process(input.data() + 2 * pos, left.data() + pos, right.data() + pos, total - pos);
  CHECK(next_snap == compared.size());
  CHECK(meter_mismatches == 0);

  // The recording: LiveChain's output bit for bit (before the change: the old chain's;
  // after the fade: the new chain's; inside: between the two, LiveChain's raised cosine).
  const std::vector<float>& rl = pr.raw(0);
  const std::vector<float>& rr = pr.raw(1);
  long mismatches = 0, before_differs = 0, fade_outside = 0;
  const std::size_t fade = static_cast<std::size_t>(chain.fade_frames());
  for (std::size_t i = 0; i < total; ++i) {
    if (rl[i] != left[i] || rr[i] != right[i]) ++mismatches;
    if (i < k && (rl[i] != left_a[i] || rr[i] != right_a[i])) ++before_differs;
  }
  // Inside the fade the output lies between the old chain's and the new one's (the
  // model with the registers written at frame k, no fade).
  model::Chain hard;
  hard.configure(ra);
  hard.reset();
  std::vector<int32_t> hard_out(2 * total);
  hard.process(input.data(), hard_out.data(), k);
  hard.configure(rb);
  hard.process(input.data() + 2 * k, hard_out.data() + 2 * k, total - k);
  long after_fade_differs = 0;
  for (std::size_t i = k; i < total; ++i) {
    const float nl = static_cast<float>(hard_out[2 * i] / 8388608.0), nr = static_cast<float>(hard_out[2 * i + 1] / 8388608.0);
    if (i < k + fade) {
      auto between = [](float x, float p, float q) { return x >= std::min(p, q) && x <= std::max(p, q); };
      if (!between(rl[i], left_a[i], nl) || !between(rr[i], right_a[i], nr)) ++fade_outside;
    } else if (rl[i] != nl || rr[i] != nr) {
      ++after_fade_differs;
    }
  }
  CHECK(after_fade_differs == 0);
  CHECK(mismatches == 0);
  CHECK(before_differs == 0);
  CHECK(fade_outside == 0);
  // The change made a difference after the fade (the test would pass on a no-op).
  long after_differs = 0;
  for (std::size_t i = k + fade; i < n; ++i)
    if (rl[i] != left_a[i]) ++after_differs;
  CHECK(after_differs > 0);
  session.close();
}

TEST_CASE("JackSession: a lookahead change moves the latency the out ports report", "[jack][session]") {
  CliScratch s("jack-session-latency");
  JackServer server(s, 64);
  REQUIRE(server.up());
  const ChainParams a = streaming();
  SessionRun run = open_session(server, "lathe-session-lat", a, 0);
  INFO(run.error);
  REQUIRE(run.session);
  live::JackSession& session = *run.session;
  PlayRecord pr(server.name(), std::vector<int32_t>(2 * 64, 0), 64);
  REQUIRE(pr.ok());
  REQUIRE(pr.connect(session.client_name()));
  const long before = lookahead_samples(2.0, kRate) + lathe::reg::kChainExtraDelay;
  CHECK(pr.reported_latency(session.client_name()) == before);
  CHECK(session.status().latency == before);

  ChainParams b = a;
  b.lim.lookahead_ms = 0.5;
  REQUIRE(!session.configure(b));
  const long after = lookahead_samples(0.5, kRate) + lathe::reg::kChainExtraDelay;
  // The session tells JACK when its latency moved; wait for the ports to say so.
  const long seen = pr.reported_latency(session.client_name(), [&](long v) { return v == after; });
  CHECK(seen == after);
  CHECK(session.status().latency == after);
  live::AppliedConfig applied;
  REQUIRE(session.poll_applied(applied));
  CHECK(applied.chain_latency == after);

  // A setting the server's rate does not allow: an error, nothing posted.
  ChainParams bad = a;
  bad.lim.lookahead_ms = 1000.0;
  CHECK(session.configure(bad));
  CHECK(session.status().configs_posted == 1);
  session.close();
}
