// SPDX-License-Identifier: MIT
// Generates the tables that the reference model and the RTL both read ($readmemh
// format): log2/exp2 mantissa tables and the BS.1770-4 true-peak interpolator taps.
// The outputs are checked in under tables/; the test `tables_up_to_date` reruns this
// generator and compares, so the checked-in files can never drift from this source.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lathe/reconstruction_peak.hpp"

namespace {

constexpr int kTableBits = 10;              // 1024 entries, indexed by mantissa bits
constexpr int kTableSize = 1 << kTableBits;
constexpr int kLogFrac = 16;                // log2 table: Q0.16
constexpr int kExpFrac = 23;                // exp2 table: Q1.23, values in [1, 2)

// ITU-R BS.1770-4 Annex 2, 4 phases x 12 taps; every tap is an exact multiple of 1/8192.
constexpr double kTruePeakTaps[4][12] = {
    {0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875,
     0.1373291015625, 0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250,
     0.0148925781250, -0.0083007812500},
    {-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500,
     0.4650878906250, 0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625,
     0.0330810546875, -0.0189208984375},
    {-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125,
     0.7797851562500, 0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000,
     0.0292968750000, -0.0291748046875},
    {-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750,
     0.9721679687500, 0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125,
     0.0109863281250, 0.0017089843750},
};

FILE* open_out(const std::string& dir, const char* name) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "gen_tables: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gen_tables OUTDIR\n");
    return 2;
  }
  const std::string dir = argv[1];

  // log2(1 + (i + 0.5)/1024): sampled at the bin centre so the error of the truncated
  // index is symmetric (at most half a bin, 0.0007 in log2 units, 0.0042 dB).
  FILE* f = open_out(dir, "log2_frac.hex");
  std::fprintf(f, "// log2(1 + (i + 0.5) / 1024) in Q0.16, i = 0..1023\n");
  for (int i = 0; i < kTableSize; ++i) {
    const double v = std::log2(1.0 + (i + 0.5) / kTableSize);
    std::fprintf(f, "%04x\n", static_cast<unsigned>(std::lround(v * (1 << kLogFrac))));
  }
  std::fclose(f);

  // 2^(i/1024) in Q1.23, sampled at the bin start: unity gain is exact, and a gain is
  // never larger than asked for (at most 0.0059 dB smaller), which the limiter relies on.
  f = open_out(dir, "exp2_frac.hex");
  std::fprintf(f, "// 2^(i / 1024) in Q1.23, i = 0..1023\n");
  for (int i = 0; i < kTableSize; ++i) {
    const double v = std::exp2(static_cast<double>(i) / kTableSize);
    std::fprintf(f, "%06x\n", static_cast<unsigned>(std::lround(v * (1 << kExpFrac))));
  }
  std::fclose(f);

  // Taps as signed 16-bit integers (tap * 8192), phase-major: phase p, tap k at 12p + k.
  f = open_out(dir, "tp_fir.hex");
  std::fprintf(f, "// BS.1770-4 true-peak taps * 8192, 16-bit two's complement, index 12*phase + tap\n");
  for (const auto& phase : kTruePeakTaps) {
    for (double tap : phase) {
      const double scaled = tap * 8192.0;
      const long q = std::lround(scaled);
      if (scaled != static_cast<double>(q)) {
        std::fprintf(stderr, "gen_tables: tap %.13f is not a multiple of 1/8192\n", tap);
        return 1;
      }
      std::fprintf(f, "%04x\n", static_cast<unsigned>(q) & 0xffffu);
    }
  }
  std::fclose(f);

  // The interpolator of the true-peak meter the reports use (libebur128): a 49-tap
  // Hann-windowed sinc with its cut-off at Nyquist, 4x below 96 kHz and 2x from 96 kHz.
  // The BS.1770-4 filter above is a 48 kHz design whose passband ends near 20 kHz; on
  // content near Nyquist (noise, clipped transients, anything at 96 kHz and above) it
  // reads inter-sample peaks lower than this one (docs/fixed-point.md has the figures),
  // so the limiter's detector takes the larger of the two. Taps * 16384, 16-bit.
  // Prototype tap j (0..48): sinc((j - 24) / factor) * 0.5 * (1 - cos(2 pi j / 48));
  // phase f uses taps j = f + factor * i, applied to x[n - i].
  auto hann_sinc = [](int j, int factor) {
    const double m = (j - 24) / static_cast<double>(factor);
    const double sinc = m == 0 ? 1.0 : std::sin(M_PI * m) / (M_PI * m);
    return sinc * 0.5 * (1 - std::cos(2 * M_PI * j / 48.0));
  };
  f = open_out(dir, "tp_hann4.hex");
  std::fprintf(f, "// 4x Hann-windowed sinc phases 1..3, taps * 16384, 16-bit two's complement, index 12*(phase-1) + i, tap i at x[n-6-i]\n");
  for (int phase = 1; phase <= 3; ++phase)
    for (int i = 0; i < 12; ++i)
      std::fprintf(f, "%04x\n", static_cast<unsigned>(std::lround(hann_sinc(phase + 4 * i, 4) * 16384.0)) & 0xffffu);
  std::fclose(f);
  f = open_out(dir, "tp_hann2.hex");
  std::fprintf(f, "// 2x Hann-windowed sinc phase 1, taps * 16384, 16-bit two's complement, tap i at x[n-i]\n");
  for (int i = 0; i < 24; ++i)
    std::fprintf(f, "%04x\n", static_cast<unsigned>(std::lround(hann_sinc(1 + 2 * i, 2) * 16384.0)) & 0xffffu);
  std::fclose(f);

  // The limiter's detector: the reconstruction meter's 32 phases x 20 taps (a 641-tap
  // Kaiser-windowed sinc), taps * 65536 rounded, as 17-bit two's complement (|tap| < 1).
  // The kernel is symmetric and so are the tables, by construction: phase 32 - p is
  // phase p reversed, which the detector's RTL and model both rely on.
  const auto& taps = lathe::reconstruction_taps();
  long q[32][20];
  for (int p = 0; p <= 16; ++p)
    for (int i = 0; i < 20; ++i) q[p][i] = p == 0 ? 0 : std::lround(taps[p][i] * 65536.0);  // phase 0: the sample itself
  for (int i = 0; i < 10; ++i) q[16][19 - i] = q[16][i];
  for (int p = 17; p < 32; ++p)
    for (int i = 0; i < 20; ++i) q[p][i] = q[32 - p][19 - i];
  f = open_out(dir, "tp_ref32.hex");
  std::fprintf(f, "// 32x reconstruction taps * 65536, 17-bit two's complement, index 20*phase + i, tap i at x[n-i]; phase 0 (the sample itself) is zeros\n");
  for (int p = 0; p < 32; ++p)
    for (int i = 0; i < 20; ++i) {
      if (q[p][i] < -65536 || q[p][i] > 65535) {
        std::fprintf(stderr, "gen_tables: tap %ld does not fit 17 bits\n", q[p][i]);
        return 1;
      }
      std::fprintf(f, "%05lx\n", static_cast<unsigned long>(q[p][i]) & 0x1ffffUL);
    }
  std::fclose(f);

  // The same taps folded for the RTL detector (lathe_tp_detector.sv), which uses the
  // kernel's symmetry: with s_i = x_i + x_19-i and d_i = x_i - x_19-i, phases p and 32 - p
  // are (A + B) / 2 and (A - B) / 2, A = sum a_i s_i, B = sum b_i d_i, a_i = t_i + t_19-i,
  // b_i = t_i - t_19-i (phase 16: b = 0). 18-bit two's complement: |a_i| reaches 1.26.
  f = open_out(dir, "tp_ref32_fold.hex");
  std::fprintf(f, "// 32x reconstruction taps folded, * 65536, 18-bit two's complement: index 10*(p-1) + i, p = 1..16, a_i = t[p][i] + t[p][19-i]; then 160 + 10*(p-1) + i, b_i = t[p][i] - t[p][19-i]\n");
  for (int sign = 1; sign >= -1; sign -= 2)
    for (int p = 1; p <= 16; ++p)
      for (int i = 0; i < 10; ++i) {
        const long v = q[p][i] + sign * q[p][19 - i];
        if (v < -131072 || v > 131071) {
          std::fprintf(stderr, "gen_tables: folded tap %ld does not fit 18 bits\n", v);
          return 1;
        }
        std::fprintf(f, "%05lx\n", static_cast<unsigned long>(v) & 0x3ffffUL);
      }
  std::fclose(f);
  return 0;
}
