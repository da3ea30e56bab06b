// SPDX-License-Identifier: MIT
// Measurement helpers for the tests: sine fitting, spectra, chain runs.
#pragma once
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <vector>

#include "lathe/model/chain.hpp"
#include "lathe/params.hpp"

namespace lathe::test {

// Least-squares amplitude of a sinusoid of frequency f in x (any number of cycles).
inline double fit_amplitude(const std::vector<double>& x, double f, double fs) {
  double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double w = 2 * std::numbers::pi * f * static_cast<double>(n) / fs;
    const double s = std::sin(w), c = std::cos(w);
    ss += s * s; cc += c * c; sc += s * c; xs += x[n] * s; xc += x[n] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
  return std::hypot(a, b);
}

// In-place radix-2 FFT; size must be a power of two.
inline void fft(std::vector<std::complex<double>>& a) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::complex<double> wl = std::polar(1.0, -2 * std::numbers::pi / static_cast<double>(len));
    for (std::size_t i = 0; i < n; i += len) {
      std::complex<double> w = 1;
      for (std::size_t k = 0; k < len / 2; ++k) {
        const auto u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= wl;
      }
    }
  }
}

// Hann-windowed power spectrum |X|^2 of x (size a power of two), bins 0..N/2.
inline std::vector<double> power_spectrum(const std::vector<double>& x) {
  std::vector<std::complex<double>> a(x.size());
  for (std::size_t n = 0; n < x.size(); ++n)
    a[n] = x[n] * 0.5 * (1 - std::cos(2 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(x.size())));
  fft(a);
  std::vector<double> p(x.size() / 2 + 1);
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = std::norm(a[k]);
  return p;
}

inline double db(double v) { return 20 * std::log10(v); }

// Parameters with every stage neutral: EQ off, compressor 1:1, limiter far above any
// signal, no dither, 24-bit out. Tests switch on the stage they measure.
inline ChainParams neutral_params() {
  ChainParams p;
  p.comp.ratio = 1.0;
  p.comp.threshold_db = 0.0;
  p.lim.ceiling_dbtp = 0.0;
  p.lim.lookahead_ms = 1.0;
  p.dither.enabled = false;
  return p;
}

// Runs the model chain over interleaved stereo input; output aligned to input.
inline std::vector<int32_t> run_chain(const ChainParams& p, int fs, const std::vector<int32_t>& in) {
  const reg::RegisterImage r = to_registers(p, fs);
  model::Chain chain;
  chain.configure(r);
  chain.reset();
  const std::size_t frames = in.size() / 2;
  const std::size_t latency = static_cast<std::size_t>(chain.latency());
  std::vector<int32_t> padded(in);
  padded.resize(in.size() + 2 * latency, 0);
  std::vector<int32_t> out(padded.size());
  chain.process(padded.data(), out.data(), frames + latency);
  return {out.begin() + 2 * static_cast<std::ptrdiff_t>(latency), out.end()};
}

}  // namespace lathe::test
