// SPDX-License-Identifier: MIT
// The generated true-peak interpolator against the standard itself: the 48 taps of
// ITU-R BS.1770-4 Annex 2 (the table of the 4x interpolating filter, 12 rows by phases
// 0..3) typed here from the Recommendation, independently of host/tools/gen_tables.cpp,
// and compared with what the RTL reads (tables/tp_fir.hex) and what the model compiled in.
//
// Some public copies of this table carry typos (one has -0.1024169921875 for
// -0.1022949218750 in phases 0 and 3), so this transcription was cross-checked against
// two independent implementations that agree with each other digit for digit:
// mpavageau/LUFS-TruePeak source/AudioProcessing.cpp (phases as printed) and
// EleonoreMizo/pedalevite src/mfx/dsp/ana/r128/Upsampler.cpp (phases time-reversed).
// libebur128's interpolator is a different filter (a Hann-windowed sinc), not a copy.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "lathe/fixed_point.hpp"

namespace {

// Row k: tap k of phase 0, 1, 2, 3, as the Recommendation's table lays them out.
constexpr double kAnnex2[12][4] = {
    {0.0017089843750, -0.0291748046875, -0.0189208984375, -0.0083007812500},
    {0.0109863281250, 0.0292968750000, 0.0330810546875, 0.0148925781250},
    {-0.0196533203125, -0.0517578125000, -0.0582275390625, -0.0266113281250},
    {0.0332031250000, 0.0891113281250, 0.1015625000000, 0.0476074218750},
    {-0.0594482421875, -0.1665039062500, -0.2003173828125, -0.1022949218750},
    {0.1373291015625, 0.4650878906250, 0.7797851562500, 0.9721679687500},
    {0.9721679687500, 0.7797851562500, 0.4650878906250, 0.1373291015625},
    {-0.1022949218750, -0.2003173828125, -0.1665039062500, -0.0594482421875},
    {0.0476074218750, 0.1015625000000, 0.0891113281250, 0.0332031250000},
    {-0.0266113281250, -0.0582275390625, -0.0517578125000, -0.0196533203125},
    {0.0148925781250, 0.0330810546875, 0.0292968750000, 0.0109863281250},
    {-0.0083007812500, -0.0189208984375, -0.0291748046875, 0.0017089843750},
};

// tables/tp_fir.hex: one 16-bit two's complement word per line, comments skipped.
std::vector<int> read_hex_words(const std::string& path) {
  std::ifstream f(path);
  std::vector<int> words;
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line.starts_with("//")) continue;
    const int v = std::stoi(line, nullptr, 16);
    words.push_back(v >= 0x8000 ? v - 0x10000 : v);
  }
  return words;
}

}  // namespace

TEST_CASE("the true-peak taps are the BS.1770-4 Annex 2 table, each an exact multiple of 1/8192",
          "[model][rtl][tables]") {
  const auto hex = read_hex_words(std::string(LATHE_SOURCE_DIR) + "/tables/tp_fir.hex");
  REQUIRE(hex.size() == 48);
  const int16_t* model = lathe::fx::true_peak_taps();
  for (int phase = 0; phase < 4; ++phase) {
    for (int k = 0; k < 12; ++k) {
      const double published = kAnnex2[k][phase];
      const double scaled = published * 8192.0;
      INFO("phase " << phase << ", tap " << k << ": " << published);
      // The exactness the RTL relies on (13 fractional bits, no rounding).
      CHECK(scaled == std::round(scaled));
      // Phase-major, 12 * phase + tap, in both the RTL's file and the model.
      CHECK(hex[static_cast<std::size_t>(12 * phase + k)] == static_cast<int>(scaled));
      CHECK(model[12 * phase + k] == static_cast<int>(scaled));
    }
  }
  // The symmetry of a linear-phase 48-tap prototype, as the brief states it: phase 2 is
  // phase 1 reversed and phase 3 is phase 0 reversed.
  for (int k = 0; k < 12; ++k) {
    CHECK(kAnnex2[k][2] == kAnnex2[11 - k][1]);
    CHECK(kAnnex2[k][3] == kAnnex2[11 - k][0]);
  }
}
