// SPDX-License-Identifier: MIT
// The whole chain through the device interface: meters, bypass, reset, determinism.
#include <catch2/catch.hpp>
#include <cmath>

#include "check_meters.hpp"
#include "dsp_measure.hpp"
#include "lathe/device.hpp"
#include "lathe/master.hpp"
#include "lathe/preset.hpp"
#include "lathe/test_signals.hpp"

using namespace lathe;

TEST_CASE("meters report what the chain did", "[model][meters]") {
  const int fs = 48000;
  const auto in = signals::music_like(4.0, fs, 4);
  ChainParams p = builtin_preset("streaming")->params;
  p.lim.drive_db = 8.0;
  ModelDevice device;
  std::vector<int32_t> out;
  REQUIRE_FALSE(run_device(device, to_registers(p, fs), in, out));
  const model::Meters m = required_meters(device, true);

  uint32_t in_peak[2] = {0, 0};
  for (std::size_t i = 0; i < in.size(); ++i) in_peak[i % 2] = std::max(in_peak[i % 2], fx::magnitude(in[i]));
  REQUIRE(m.in_peak[0] == in_peak[0]);
  REQUIRE(m.in_peak[1] == in_peak[1]);
  // The device ran input frames plus the latency's worth of flushing zeros.
  const std::size_t frames = in.size() / 2 + static_cast<std::size_t>(latency_frames(to_registers(p, fs)));
  REQUIRE(m.frames == frames);
  uint32_t out_peak[2] = {0, 0};
  double energy[2] = {0, 0};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out_peak[i % 2] = std::max(out_peak[i % 2], fx::magnitude(out[i]));
    const double q = out[i] >> 4;
    energy[i % 2] += q * q;
  }
  for (int ch = 0; ch < 2; ++ch) {
    REQUIRE(m.out_peak[ch] >= out_peak[ch]);  // the flushed tail can only add
    REQUIRE(static_cast<double>(m.out_sum_sq[ch]) >= energy[ch]);
    REQUIRE(static_cast<double>(m.out_sum_sq[ch]) <= energy[ch] * 1.0001 + 1e9);
  }
  // Compression and limiting happened, and the meters saw them, in plausible amounts.
  REQUIRE(log2_q16_to_db(m.comp_gr_max) > 1.0);
  REQUIRE(log2_q16_to_db(m.comp_gr_max) < 30.0);
  REQUIRE(log2_q16_to_db(m.lim_gr_max) > 1.0);
  REQUIRE(log2_q16_to_db(m.lim_gr_max) < 20.0);
  REQUIRE(m.true_peak > 0);

  // Reading with clear empties them; without clear keeps them.
  const model::Meters again = required_meters(device, false);
  REQUIRE(again.frames == 0);
  REQUIRE(again.in_peak[0] == 0);
}

TEST_CASE("bypass passes the input through, delayed by the chain's latency, requantised", "[model]") {
  const int fs = 44100;
  const auto in = signals::music_like(1.0, fs, 2);
  ChainParams p = builtin_preset("streaming")->params;
  p.bypass = true;
  p.dither.enabled = false;
  ModelDevice device;
  REQUIRE_FALSE(device.write_registers(to_registers(p, fs)));
  REQUIRE_FALSE(device.reset());
  std::vector<int32_t> out(in.size());
  REQUIRE_FALSE(device.process(in, out));
  // 24 bits in, 24 bits out, no dither: identical, the chain's latency late (so bypass
  // lines up with the processed output), silence before.
  const std::size_t latency = static_cast<std::size_t>(latency_frames(to_registers(p, fs)));
  REQUIRE(latency == static_cast<std::size_t>(lookahead_samples(p.lim.lookahead_ms, fs) + reg::kChainExtraDelay));
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < out.size(); ++i) wrong += out[i] != (i < 2 * latency ? 0 : in[i - 2 * latency]);
  REQUIRE(wrong == 0);
}

TEST_CASE("the same registers and input give the same output after reset", "[model]") {
  const int fs = 96000;
  const auto in = signals::music_like(1.0, fs, 8);
  const auto regs = to_registers(builtin_preset("cd")->params, fs);
  ModelDevice device;
  std::vector<int32_t> a, b;
  REQUIRE_FALSE(run_device(device, regs, in, a));
  REQUIRE_FALSE(run_device(device, regs, in, b));
  REQUIRE(a == b);
  std::vector<int32_t> odd(3);
  const Error odd_frames = device.process(odd, odd);
  REQUIRE(odd_frames == Errc::kInvalidArgument);
  REQUIRE(odd_frames.message() == "process: 3 samples in, 3 out (both must be the same whole number of stereo frames)");
}

// Bypass switched in and out mid-stream (the A/B button, live): the output fades from the
// chain's to the dry input and back over N = 2^bypass_fade_shift frames, the j-th frame
// after the switch weighted by the smoothstep 3 (j/N)^2 - 2 (j/N)^3: within a 24-bit LSB of
// wet + (dry - wet) W computed in double from a run without bypass and the delayed input.
// So a switch adds at most 1.5 |dry - wet| / N a frame to the signals' own motion, with no
// kink (second differences: 6 |dry - wet| / N^2); an instant switch jumps by |dry - wet|.
// The largest legal step: a loud 100 Hz sine limited at the most drive there is, against
// its dry self.
TEST_CASE("switching bypass mid-stream fades: no sample moves more than 1.5 |dry - wet| / 256 beyond the signals' own motion",
          "[model][click]") {
  const int fs = 48000;
  const std::size_t frames = 24000;
  std::vector<int32_t> in(2 * frames);
  for (std::size_t i = 0; i < frames; ++i)
    in[2 * i] = in[2 * i + 1] = static_cast<int32_t>(std::lround(0.7 * 8388607.0 * std::sin(2 * M_PI * 100.0 * i / fs)));
  ChainParams p = builtin_preset("streaming")->params;
  p.dither.enabled = false;
  p.lim.drive_db = limits::kDriveDb;
  const reg::RegisterImage wet_regs = to_registers(p, fs);
  p.bypass = true;
  const reg::RegisterImage dry_regs = to_registers(p, fs);
  const std::size_t latency = static_cast<std::size_t>(latency_frames(wet_regs));
  constexpr std::size_t kFade = std::size_t{1} << reg::kBypassFadeShift;
  REQUIRE(kFade == 256);

  std::vector<int32_t> wet(in.size()), out(in.size());
  ModelDevice a, b;
  REQUIRE_FALSE(a.write_registers(wet_regs));
  REQUIRE_FALSE(a.reset());
  REQUIRE_FALSE(a.process(in, wet));
  // In at frame on, out at frame off, each between process() calls (the next frame).
  const std::size_t on = 6000, off = 15000;
  REQUIRE_FALSE(b.write_registers(wet_regs));
  REQUIRE_FALSE(b.reset());
  auto run = [&](std::size_t from, std::size_t to) {
    REQUIRE_FALSE(b.process(std::span<const int32_t>(in).subspan(2 * from, 2 * (to - from)),
                            std::span<int32_t>(out).subspan(2 * from, 2 * (to - from))));
  };
  run(0, on);
  REQUIRE_FALSE(b.write_registers(dry_regs));
  run(on, off);
  REQUIRE_FALSE(b.write_registers(wet_regs));
  run(off, frames);

  auto dry = [&](std::size_t n, int ch) { return n < latency ? 0 : in[2 * (n - latency) + ch]; };
  auto weight = [](double j) { return 3 * j * j - 2 * j * j * j; };  // j in [0, 1]
  double worst_error = 0, fade_step = 0, own_step = 0, fade_bend = 0, own_bend = 0, difference = 0, instant_step = 0;
  std::size_t exact_wrong = 0;
  for (std::size_t n = 2; n < frames; ++n)
    for (int ch = 0; ch < 2; ++ch) {
      auto y = [&](std::size_t m) { return static_cast<double>(out[2 * m + ch]); };
      auto w = [&](std::size_t m) { return static_cast<double>(wet[2 * m + ch]); };
      auto d = [&](std::size_t m) { return static_cast<double>(dry(m, ch)); };
      // Frame on is the first with the new setting: weight 0 (j = 0) there, all dry at on + N.
      const bool fading_in = n > on && n < on + kFade, fading_out = n > off && n < off + kFade;
      if (fading_in || fading_out) {
        const double j = fading_in ? static_cast<double>(n - on) / kFade : 1.0 - static_cast<double>(n - off) / kFade;
        worst_error = std::max(worst_error, std::abs(y(n) - (w(n) + (d(n) - w(n)) * weight(j))));
        fade_step = std::max(fade_step, std::abs(y(n) - y(n - 1)));
        own_step = std::max({own_step, std::abs(w(n) - w(n - 1)), std::abs(d(n) - d(n - 1))});
        fade_bend = std::max(fade_bend, std::abs(y(n) - 2 * y(n - 1) + y(n - 2)));
        own_bend = std::max({own_bend, std::abs(w(n) - 2 * w(n - 1) + w(n - 2)), std::abs(d(n) - 2 * d(n - 1) + d(n - 2))});
        difference = std::max(difference, std::abs(d(n) - w(n)));
        instant_step = std::max(instant_step, std::abs(d(n) - w(n - 1)));
      } else {
        const bool bypassed = n >= on + kFade && n <= off;
        exact_wrong += y(n) != (bypassed ? d(n) : w(n));
      }
    }
  INFO("largest step in the fades " << fade_step << ", the signals' own " << own_step << "; second difference "
                                    << fade_bend << ", the signals' own " << own_bend << "; |dry - wet| up to "
                                    << difference << ", an instant switch's step " << instant_step << " (24-bit LSB)");
  CHECK(exact_wrong == 0);    // before, between and after the fades: the wet or the dry signal, bit for bit
  CHECK(worst_error <= 1.5);  // the fade's weights, to the requantisation's rounding
  CHECK(difference > 1e6);    // a step worth fading: over -18 dBFS
  CHECK(fade_step <= own_step + 1.5 * difference / kFade + 2);
  CHECK(fade_bend <= own_bend + 6 * difference / (kFade * kFade) + 4);
  CHECK(instant_step > 4 * (own_step + 1.5 * difference / kFade));  // what the fade avoids
  WARN("bypass fade, 100 Hz at -3 dBFS, drive +" << limits::kDriveDb << " dB: largest step " << fade_step << " LSB ("
                                                 << 20 * std::log10(fade_step / 8388608.0) << " dBFS) against the signals' own "
                                                 << own_step << " and an instant switch's " << instant_step << " ("
                                                 << 20 * std::log10(instant_step / 8388608.0) << " dBFS); second difference "
                                                 << fade_bend << " against their own " << own_bend);
}
