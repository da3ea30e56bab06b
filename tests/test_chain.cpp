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
