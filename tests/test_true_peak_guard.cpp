// SPDX-License-Identifier: MIT
// The true-peak guard on its own: whatever the limiter hands it (here: signals whose
// samples are at most the ceiling but whose reconstruction is far over it, the worst a
// limiter's modulation could leave), the output's 32x reconstruction by the test's own
// reference (true_peak_reference.hpp, doubles, no project code) is at or under the
// ceiling; the premises of the bound hold (the gain moves at most 2^-6 a sample and never
// falls and rises again within a support); and the requirement equals the formula of
// docs/fixed-point.md computed here independently, in exact integers, the slow way.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "lathe/fixed_point.hpp"
#include "lathe/model/true_peak_guard.hpp"
#include "lathe/params.hpp"
#include "lathe/registers.hpp"
#include "true_peak_reference.hpp"

namespace {

using lathe::model::TruePeakGuard;
namespace reg = lathe::reg;

uint32_t guard_ceiling(double ceiling_dbtp) {
  lathe::ChainParams p;
  p.lim.ceiling_dbtp = ceiling_dbtp;
  return lathe::to_registers(p, 48000)[reg::kLimGuardCeiling];
}

// Signals at most `peak` (linear) a sample, interleaved stereo Q5.27, with 64 frames of
// silence either side (the guard and the reference both see the edges).
std::vector<int32_t> signal(int kind, std::size_t frames, double peak, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<int32_t> x(2 * (frames + 128), 0);
  const double full = std::ldexp(1.0, 27);
  for (std::size_t n = 0; n < frames; ++n) {
    double v[2];
    for (int ch = 0; ch < 2; ++ch) {
      switch (kind) {
        case 0: v[ch] = u(rng); break;                                   // white
        case 1: v[ch] = u(rng) < 0 ? -1.0 : 1.0; break;                  // random signs at the peak
        case 2: v[ch] = std::cos(M_PI * 0.97 * n + ch); break;           // near Nyquist
        case 3: v[ch] = (n / 7) % 2 ? 1.0 : -1.0; break;                 // square, 7-sample halves
        case 4: v[ch] = (n % 400 < 200 ? 1.0 : 0.1) * u(rng); break;     // 20 dB level jumps
        default: v[ch] = n % 37 == 0 ? (ch ? -1.0 : 1.0) : 0.0; break;   // impulses
      }
    }
    for (int ch = 0; ch < 2; ++ch) x[2 * (64 + n) + ch] = static_cast<int32_t>(std::lround(v[ch] * peak * full));
  }
  return x;
}

// The guard's whole output for `in` (the last kDelay frames flushed with silence),
// aligned with the input, and the gains it applied.
std::vector<int32_t> run(TruePeakGuard& g, const std::vector<int32_t>& in, std::vector<int64_t>* gains = nullptr) {
  const std::size_t frames = in.size() / 2;
  std::vector<int32_t> out(in.size());
  for (std::size_t n = 0; n < frames + TruePeakGuard::kDelay; ++n) {
    int32_t l = n < frames ? in[2 * n] : 0, r = n < frames ? in[2 * n + 1] : 0;
    g.process(l, r);
    if (n >= static_cast<std::size_t>(TruePeakGuard::kDelay)) {
      out[2 * (n - TruePeakGuard::kDelay)] = l;
      out[2 * (n - TruePeakGuard::kDelay) + 1] = r;
      if (gains) gains->push_back(g.gain());
    }
  }
  return out;
}

// The requirement written out from docs/fixed-point.md with no shortcut: every phase,
// every cut, exact integers (long double only to form the final quotients' floors,
// checked against the integer inequalities they stand for).
int64_t requirement_by_the_formula(const int32_t* l, const int32_t* r, uint32_t ceiling) {
  const int32_t* taps = lathe::fx::reconstruction_taps_q16();  // [32][20], phase 0 zeros
  const int64_t unity = int64_t{1} << 23;
  const int64_t cs = int64_t{ceiling} << 16;
  int64_t s_star = 0, n_star = 0, m_star = 0, a_star = 0;
  for (const int32_t* h : {l, r}) {
    s_star = std::max<int64_t>(s_star, std::abs(int64_t{h[10]}) << 16);
    a_star = std::max<int64_t>(a_star, std::abs(int64_t{h[10]}) << 16);
    for (int p = 1; p < 32; ++p) {
      int64_t s = 0, a = 0;
      for (int i = 0; i < 20; ++i) {
        s += int64_t{taps[20 * p + i]} * h[i];
        a += std::abs(int64_t{taps[20 * p + i]} * h[i]);
      }
      int64_t n = 0;
      for (int cut = 1; cut < 20; ++cut) {  // the first `cut` products on one side
        int64_t q = 0;
        for (int i = 0; i < cut; ++i) q += int64_t{taps[20 * p + i]} * h[i];
        if (s < 0) q = -q;
        n += q < 0 ? -q : (q > std::abs(s) ? q - std::abs(s) : 0);
      }
      s_star = std::max(s_star, std::abs(s));
      n_star = std::max(n_star, n);
      m_star = std::max(m_star, 19 * std::abs(s) + n);
      a_star = std::max(a_star, a);
    }
  }
  // X = floor(2^23 (C - N/64) / S), Y = floor(2^23 C / A): the largest x with x S <= ...
  auto floor_div = [](int64_t num_hi_shift23, int64_t den) -> int64_t {  // floor(num * 2^23 / den) for num < 2^57
    __extension__ typedef __int128 i128;
    return static_cast<int64_t>((static_cast<i128>(num_hi_shift23) << 23) / den);
  };
  int64_t x = 0;
  if (n_star < 64 * cs && m_star <= 64 * cs) x = s_star == 0 ? unity : floor_div(64 * cs - n_star, 64 * s_star);
  const int64_t y = a_star == 0 ? unity : floor_div(cs, a_star);
  return std::min(unity, std::max(x, y));
}

}  // namespace

TEST_CASE("the guard keeps the reconstruction under the ceiling when the samples are at it", "[model][limiter]") {
  const char* names[] = {"white", "signs", "nyquist", "square7", "jumps", "impulses"};
  double worst = HUGE_VAL;
  for (double ceiling : {0.0, -1.0, -3.0}) {
    for (int kind = 0; kind < 6; ++kind) {
      TruePeakGuard g;
      reg::RegisterImage r;
      r[reg::kLimGuardCeiling] = guard_ceiling(ceiling);
      g.configure(r);
      g.reset();
      // Samples at the ceiling (its guard register, so they are legal limiter output).
      const double peak = r[reg::kLimGuardCeiling] / std::ldexp(1.0, 27);
      const auto in = signal(kind, 6000, peak, 7 + kind);
      std::vector<int64_t> gains;
      const auto out = run(g, in, &gains);
      // Q5.27 as 32-bit words: the reference reads value / 2^31, so scale by 16 first.
      std::vector<int32_t> in16(in.size()), out16(out.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        in16[i] = in[i] * 16;
        out16[i] = out[i] * 16;
      }
      const double before = lathe::reference::reference_true_peak_dbtp(in16, 32);
      const auto m = lathe::reference::worst_margin(out16, 32, ceiling);
      std::printf("guard %-9s ceiling %+.1f: input %+.3f dBTP, output margin %+.5f dB, %llu frames reduced, lowest gain %.3f dB\n",
                  names[kind], ceiling, before, m.margin_db, static_cast<unsigned long long>(g.reduced_frames()),
                  20 * std::log10(static_cast<double>(*std::min_element(gains.begin(), gains.end())) / (1 << 23)));
      worst = std::min(worst, m.margin_db);
      CHECK(m.margin_db >= 0.0);
      if (kind != 5) CHECK(g.reduced_frames() > 0);  // the input was over: the guard had work
      // The bound's premises: steps of at most 2^-6, and within any 20 samples no fall
      // followed by a rise.
      for (std::size_t n = 1; n < gains.size(); ++n) REQUIRE(std::abs(gains[n] - gains[n - 1]) <= (int64_t{1} << 17));
      for (std::size_t s = 0; s + 20 <= gains.size(); ++s) {
        bool fell = false;
        for (std::size_t n = s + 1; n < s + 20; ++n) {
          if (gains[n] < gains[n - 1]) fell = true;
          if (fell && gains[n] > gains[n - 1]) FAIL("gain falls and rises within 20 samples at " << s);
        }
      }
    }
  }
  std::printf("guard: worst margin %+.5f dB\n", worst);
}

TEST_CASE("the guard's requirement is the formula, fast paths included", "[model][limiter]") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::uniform_real_distribution<double> level(0.0, 1.2);
  int reduced = 0, tested = 0;
  for (double ceiling : {0.0, -1.0, -6.0}) {
    const uint32_t c = guard_ceiling(ceiling);
    for (int trial = 0; trial < 4000; ++trial) {
      int32_t h[2][20];
      const double scale = level(rng) * c;
      const int shape = trial % 4;
      for (int ch = 0; ch < 2; ++ch)
        for (int i = 0; i < 20; ++i) {
          double v = shape == 0 ? u(rng) : shape == 1 ? (u(rng) < 0 ? -1 : 1) : shape == 2 ? std::cos(3.05 * i + ch) : (i == 10 || i == 9 ? 1.0 : 0.3 * u(rng));
          h[ch][i] = static_cast<int32_t>(std::lround(v * scale));
        }
      const int64_t want = requirement_by_the_formula(h[0], h[1], c);
      const int64_t got = TruePeakGuard::requirement(h[0], h[1], c);
      if (got != want) FAIL("requirement " << got << " != " << want << " (trial " << trial << ", ceiling " << ceiling << ")");
      reduced += want < (int64_t{1} << 23);
      ++tested;
    }
  }
  std::printf("guard requirement: %d windows, %d of them below unity, all equal to the formula\n", tested, reduced);
  CHECK(reduced > tested / 10);
}
