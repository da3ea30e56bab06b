// SPDX-License-Identifier: MIT
// lathe-tp-reference: the reference true peak of audio files (32x Kaiser-windowed sinc,
// tests/true_peak_reference.hpp), read as stored: float files above full scale are not
// attenuated, so their overs show.
//
//   lathe-tp-reference [--long] [--ceiling DBTP] FILE...
//
// One line per file: per-channel and overall reference true peak (dBTP), where the peak
// is, the sample peak, and with --ceiling the margin (negative = over). --long uses the
// 64-zero-crossing design (flat to 0.47 fs) instead of scipy's.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "lathe/audio_file.hpp"
#include "true_peak_reference.hpp"

using namespace lathe;

namespace {

int usage() {
  std::fprintf(stderr, "usage: lathe-tp-reference [--long] [--ceiling DBTP] FILE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  reference::Design design = reference::scipy_default();
  bool have_ceiling = false;
  double ceiling = 0.0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--long")) {
      design = reference::long_sinc();
    } else if (!std::strcmp(argv[i], "--ceiling") && i + 1 < argc) {
      have_ceiling = true;
      ceiling = std::strtod(argv[++i], nullptr);
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return usage();
    } else {
      files.emplace_back(argv[i]);
    }
  }
  if (files.empty()) return usage();

  int status = 0;
  for (const std::string& path : files) {
    auto reader = AudioReader::open(path, false);
    if (!reader) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), reader.error().message().c_str());
      status = 1;
      continue;
    }
    const int channels = reader->format().channels, fs = reader->format().sample_rate;
    std::vector<double> all, block(static_cast<std::size_t>(65536 * channels));
    for (;;) {
      auto got = reader->read_source(block);
      if (!got) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), got.error().message().c_str());
        return 1;
      }
      if (*got == 0) break;
      all.insert(all.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(*got * channels));
    }
    double sample_peak = 0.0;
    for (double v : all) sample_peak = std::max(sample_peak, std::abs(v));
    const auto peaks = reference::reference_true_peak(std::span<const double>(all), channels, design);
    const auto& m = peaks.max();
    std::printf("%s: reference true peak %.6f dBTP (L %.6f, R %.6f) at %.6f s (frame %zu + %d/%d, ch %d), sample peak %.6f dBFS",
                path.c_str(), m.dbtp(), peaks.channel[0].dbtp(), peaks.channel[1].dbtp(),
                (static_cast<double>(m.frame) + static_cast<double>(m.phase) / design.up) / fs, m.frame, m.phase,
                design.up, m.channel, 20 * std::log10(sample_peak));
    if (have_ceiling) std::printf(", margin %+.6f dB", ceiling - m.dbtp());
    std::printf("\n");
  }
  return status;
}
