// SPDX-License-Identifier: MIT
// lathe-tp-survey: runs the model chain over every worst case (tests/tp_worst_cases.hpp)
// x rate x level x compressor off/on x ceiling x lookahead x release through lathe::master,
// and judges every output with the reference true-peak meter
// (tests/true_peak_reference.hpp). The level is a loudness target, through the product's
// loudness search, for programme material, and a fixed limiter drive for test signals
// (a target would only turn a full-scale tone down below the ceiling). For every run that goes
// over, it runs the chain again with the registers the search chose, records the
// limiter's input, its detector's reading and its gain, and asks at each over which
// mechanism put it there:
//   - detector under-read: the limiter's input times a constant gain (the gain at that
//     sample) is over the ceiling by the reference too, so the detector read that spot
//     lower than an ideal reconstruction does;
//   - gain modulation: the constant-gain signal is under the ceiling, and the over comes
//     from the gain moving under the signal (its product has a wider spectrum).
//
//   lathe-tp-survey [--quick] [--seconds S] [--rates R,..] [--cases C,..] [--jobs N]
//                   [--long] [--judge scipy|long] [--all-rows]
//                   [--targets T,..] [--drives D,..] [--ceilings C,..] [--lookaheads MS,..]
//                   [--releases MS,..] [--transients MS/HOLD_MS|off,..] [--comp off|on|both]
//   lathe-tp-survey --write-cases DIR [--rates R,..] [--seconds S] [--seed N]
//
// EQ off, dither on (24-bit TPDF); "comp on" is the presets' compressor (-18 dB, 2:1,
// 6 dB knee, 20 ms attack, 200 ms release). Prints one row per run that goes over (all
// rows with --all-rows), then summaries; over_aim is how far the output's peak is above the
// limiter's aim, ceiling - ceiling_margin_db(L): what modulation and quantisation added
// (negative: under the aim). The judge is scipy's design unless --judge long
// (flat to 0.47 fs; scipy's falls 1.75 dB by 0.45 fs); --long adds the other design's
// margin as a column. --quick: a corner of the grid in a few minutes of CPU.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/fixed_point.hpp"
#include "lathe/master.hpp"
#include "lathe/model/chain.hpp"
#include "lathe/params.hpp"
#include "tp_worst_cases.hpp"
#include "true_peak_reference.hpp"

using namespace lathe;

namespace {

struct Settings {
  bool targeted;  // level: a loudness target (LUFS) through the search, else a fixed drive (dB)
  double level;
  bool comp;
  double ceiling_dbtp;
  double lookahead_ms;
  double release_ms;
  double transient_ms = 1.0;  // limiter.transient_release_ms; < 0: off (= release_ms)
  double hold_ms = 5.0;       // limiter.transient_hold_ms
};

struct Grid {
  std::vector<int> rates{kSupportedRates.begin(), kSupportedRates.end()};
  std::vector<std::string> cases;
  std::vector<double> targets{-23, -14, -9, -8, -7};  // programme material
  std::vector<double> drives{0, 6, 12};                // test signals
  std::vector<bool> comps{false, true};
  std::vector<double> ceilings{-3, -1, 0};
  std::vector<double> lookaheads{0.1, 0.5, 1, 2, 5};
  std::vector<double> releases{0.05, 80};
  std::vector<std::pair<double, double>> transients{{1.0, 5.0}};  // (transient release, hold) ms; < 0: off
  double seconds = 4.0;
};

// What the chain did at the overs of one run (see the header comment).
struct Mechanism {
  bool analysed = false;
  bool gain_model_ok = false;     // exp2(drive - gain reduction) x input reproduced the output
  int over_frames = 0;            // frames whose output reference peak is over the ceiling
  int underread_frames = 0;       // of those, where the constant-gain signal is over too
  double worst_underread_db = -HUGE_VAL;   // max of 20 log10(reference peak of the input / detector reading)
  double worst_modulation_db = -HUGE_VAL;  // max of 20 log10(output peak / constant-gain peak)
  // At the worst over: the constant-gain signal's reference peak and the detector's
  // reading, both times the gain (dBTP).
  double spot_const_dbtp = NAN, spot_detector_dbtp = NAN;
};

struct Row {
  std::string name;
  int fs = 0;
  Settings s{};
  bool ok = false;
  std::string error;
  double drive_db = 0, lufs = 0;
  bool reached = false;
  double tp_dbtp = 0, margin_db = 0;
  int look = 0;           // lookahead, samples
  double over_aim_db = 0;  // output peak above the limiter's aim (ceiling - ceiling_margin_db(L))
  double long_margin_db = NAN;
  double spot_time_s = 0;
  Mechanism mech;
};

ChainParams params_for(const Settings& s) {
  ChainParams p;  // EQ off, compressor 1:1, dither on, 24-bit
  if (s.comp) p.comp = {-18.0, 2.0, 6.0, 20.0, 200.0, 0.0, true};
  p.lim.ceiling_dbtp = s.ceiling_dbtp;
  p.lim.lookahead_ms = s.lookahead_ms;
  p.lim.release_ms = s.release_ms;
  p.lim.transient_release_ms = s.transient_ms < 0 ? s.release_ms : s.transient_ms;
  p.lim.transient_hold_ms = s.hold_ms;
  return p;
}

std::vector<double> normalised(const std::vector<int32_t>& v, int frac_bits) {
  std::vector<double> d(v.size());
  const double scale = std::ldexp(1.0, -frac_bits);
  for (std::size_t i = 0; i < v.size(); ++i) d[i] = v[i] * scale;
  return d;
}

// The chain once more with the search's registers, instrumented.
Mechanism analyse(const std::vector<int32_t>& in, const reg::RegisterImage& regs, const std::vector<int32_t>& expected,
                  double ceiling_dbtp, const reference::Design& design) {
  Mechanism m;
  m.analysed = true;
  const std::size_t n = in.size() / 2;
  model::Chain chain;
  chain.configure(regs);
  chain.reset();
  const std::size_t latency = static_cast<std::size_t>(chain.latency());
  // docs/fixed-point.md: the detector's reading after frame i is for the interval
  // between frames i - 12 and i - 11.
  constexpr std::size_t kDetectorLag = 12;
  const int32_t drive = static_cast<int32_t>(regs[reg::kLimDrive]);
  std::vector<int32_t> x(2 * n), out(2 * n);
  std::vector<double> detector(n, 0.0), gain(n, 0.0);
  for (std::size_t i = 0; i < n + latency; ++i) {
    const int32_t l = i < n ? in[2 * i] : 0, r = i < n ? in[2 * i + 1] : 0;
    const model::FrontFrame f = chain.front(l, r);
    if (i < n) x[2 * i] = f.left, x[2 * i + 1] = f.right;
    if (i >= kDetectorLag && i - kDetectorLag < n) detector[i - kDetectorLag] = std::ldexp(chain.limiter().last_peak(), -27);
    int32_t ol, orr;
    chain.back(f, l, r, ol, orr);
    if (i >= latency) {
      const std::size_t j = i - latency;
      out[2 * j] = ol;
      out[2 * j + 1] = orr;
      gain[j] = std::ldexp(fx::exp2_gain_q27(drive - chain.limiter().gain_reduction()), -27);
    }
  }
  if (out != expected) return m;  // not the search's output: nothing to say about it
  // Output = round(input x gain) plus at most 1 LSB of dither (24-bit LSB = 16 internal).
  m.gain_model_ok = true;
  for (std::size_t j = 0; j < n && m.gain_model_ok; ++j)
    for (int ch = 0; ch < 2; ++ch) {
      const double predicted = x[2 * j + ch] * gain[j];
      if (std::abs(out[2 * j + ch] * 16.0 - predicted) > 33.0) m.gain_model_ok = false;
    }

  const auto xd = normalised(x, 27), yd = normalised(out, 23);
  const reference::Interpolator interp(design);
  const auto x_env = reference::linked_frame_peaks(xd, design);
  const std::vector<reference::Interpolator::FramePeak> y_env[2] = {interp.frame_peaks(yd.data(), n, 2),
                                                                   interp.frame_peaks(yd.data() + 1, n, 2)};
  const double ceiling = std::pow(10.0, ceiling_dbtp / 20);
  double worst_out = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    for (int ch = 0; ch < 2; ++ch) {
      const auto& p = y_env[ch][j];
      if (p.peak <= ceiling) continue;
      if (ch == 1 && y_env[0][j].peak > ceiling) continue;  // one count per frame
      ++m.over_frames;
      // The gain of the nearer sample, constant, times the input at the same point.
      const std::size_t k = std::min(n - 1, p.phase < design.up / 2 ? j : j + 1);
      const double at_spot = std::abs(interp.value_at(xd.data() + ch, n, 2, j, p.phase));
      const double constant = gain[k] * at_spot;
      if (constant > ceiling) ++m.underread_frames;
      const double underread = detector[j] > 0 ? 20 * std::log10(x_env[j].peak / detector[j]) : HUGE_VAL;
      const double modulation = constant > 0 ? 20 * std::log10(p.peak / constant) : HUGE_VAL;
      m.worst_underread_db = std::max(m.worst_underread_db, underread);
      m.worst_modulation_db = std::max(m.worst_modulation_db, modulation);
      if (p.peak > worst_out) {
        worst_out = p.peak;
        m.spot_const_dbtp = 20 * std::log10(constant);
        m.spot_detector_dbtp = 20 * std::log10(gain[k] * detector[j]);
      }
    }
  }
  return m;
}

// judge: the design whose margin the row reports and whose overs are analysed; second:
// the other design's margin too (the long_m column).
Row run_one(const std::string& name, int fs, const std::vector<int32_t>& in, const Settings& s,
            const reference::Design& judge, bool second) {
  Row row;
  row.name = name;
  row.fs = fs;
  row.s = s;
  MasterOptions o;
  o.params = params_for(s);
  if (s.targeted)
    o.target_lufs = s.level;
  else
    o.params.lim.drive_db = s.level;
  MasterResult result;
  if (auto e = master(in, fs, o, nullptr, result)) {
    row.error = e.message();
    return row;
  }
  row.ok = true;
  row.drive_db = result.drive_db;
  row.lufs = result.output_lufs;
  row.reached = result.target_reached;
  const auto margin = reference::worst_margin(result.output, result.out_bits, s.ceiling_dbtp, 0, SIZE_MAX, judge);
  row.margin_db = margin.margin_db;
  row.look = lookahead_samples(s.lookahead_ms, fs);
  row.over_aim_db = ceiling_margin_db(row.look) - margin.margin_db;
  row.tp_dbtp = margin.spot.dbtp();
  row.spot_time_s = (static_cast<double>(margin.spot.frame) + margin.spot.phase / 32.0) / fs;
  if (second) {
    const bool judge_is_long = judge.zero_crossings == reference::long_sinc().zero_crossings;
    row.long_margin_db = reference::worst_margin(result.output, result.out_bits, s.ceiling_dbtp, 0, SIZE_MAX,
                                                 judge_is_long ? reference::scipy_default() : reference::long_sinc())
                             .margin_db;
  }
  if (row.margin_db < 0) row.mech = analyse(in, result.registers, result.output, s.ceiling_dbtp, judge);
  return row;
}

std::string settings_text(const Settings& s) {
  char b[128];
  char level[16];  // one word, so the table splits on blanks
  std::snprintf(level, sizeof level, "%c%+.1f", s.targeted ? 'T' : 'D', s.level);
  char tr[32];
  if (s.transient_ms < 0)
    std::snprintf(tr, sizeof tr, "off");
  else
    std::snprintf(tr, sizeof tr, "%g/%g", s.transient_ms, s.hold_ms);
  std::snprintf(b, sizeof b, "%6s %-4s %5.1f %5.2f %6.2f %-8s", level, s.comp ? "on" : "off", s.ceiling_dbtp,
                s.lookahead_ms, s.release_ms, tr);
  return b;
}

void print_header(bool with_long) {
  std::printf("%-17s %6s %6s %-4s %5s %5s %6s %-8s | %6s %7s %3s | %8s %7s %4s %8s %s%8s | %s\n", "case", "rate",
              "level", "comp", "ceil", "la_ms", "rel_ms", "tr/hold", "drive", "LUFS", "hit", "TP_ref", "margin", "L",
              "over_aim", with_long ? " long_m " : "", "at_s", "mechanism at the overs");
}

std::string mechanism_text(const Mechanism& m) {
  if (!m.analysed) return "";
  if (!m.gain_model_ok) return "(gain model does not reproduce the output: limiter changed?)";
  char b[200];
  std::snprintf(b, sizeof b, "%d over frames: %d detector under-read, %d modulation; worst under-read %+.2f dB, worst "
                             "modulation %+.2f dB; worst spot: const-gain %+.2f, detector %+.2f dBTP",
                m.over_frames, m.underread_frames, m.over_frames - m.underread_frames, m.worst_underread_db,
                m.worst_modulation_db, m.spot_const_dbtp, m.spot_detector_dbtp);
  return b;
}

void print_row(const Row& r, bool with_long) {
  if (!r.ok) {
    std::printf("%-17s %6d %s | error: %s\n", r.name.c_str(), r.fs, settings_text(r.s).c_str(), r.error.c_str());
    return;
  }
  char lm[16] = "";
  if (with_long) std::snprintf(lm, sizeof lm, " %+7.3f", r.long_margin_db);
  std::printf("%-17s %6d %s | %+6.1f %7.2f %3s | %+8.3f %+7.4f %4d %+8.4f%s %8.4f | %s\n", r.name.c_str(), r.fs,
              settings_text(r.s).c_str(), r.drive_db, r.lufs, r.reached ? "yes" : "no", r.tp_dbtp, r.margin_db, r.look,
              r.over_aim_db, lm, r.spot_time_s, mechanism_text(r.mech).c_str());
}

// The worst (smallest) margin in each group of rows, with how many went over.
void print_group(const std::vector<Row>& rows, const char* title, const std::function<std::string(const Row&)>& key,
                 bool with_long) {
  struct Acc {
    int runs = 0, overs = 0;
    const Row* worst = nullptr;
    double sum_margin = 0;
    double max_over_aim = -HUGE_VAL;
  };
  std::map<std::string, Acc> groups;
  std::vector<std::string> order;
  for (const Row& r : rows) {
    if (!r.ok) continue;
    const std::string k = key(r);
    if (!groups.count(k)) order.push_back(k);
    Acc& a = groups[k];
    ++a.runs;
    if (r.margin_db < 0) ++a.overs;
    a.sum_margin += r.margin_db;
    a.max_over_aim = std::max(a.max_over_aim, r.over_aim_db);
    if (!a.worst || r.margin_db < a.worst->margin_db) a.worst = &r;
  }
  std::printf("\nWorst margin by %s (negative = over the ceiling by the reference):\n", title);
  for (const auto& k : order) {
    const Acc& a = groups[k];
    std::printf("  %-18s %5d runs, %5d over, mean margin %+6.3f, worst %+7.4f dB, most over the aim %+7.4f dB: %s %d %s\n",
                k.c_str(), a.runs, a.overs, a.sum_margin / a.runs, a.worst->margin_db, a.max_over_aim,
                a.worst->name.c_str(), a.worst->fs, settings_text(a.worst->s).c_str());
  }
  (void)with_long;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) v.push_back(item);
  return v;
}

int write_cases(const std::string& dir, const Grid& g, uint32_t seed) {
  for (int fs : g.rates)
    for (const std::string& name : g.cases) {
      const std::string path = dir + "/" + name + "_" + std::to_string(fs) + ".wav";
      if (auto e = write_audio(path, {fs, 2, 24}, tp_cases::make(name, fs, g.seconds, seed))) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), e.message().c_str());
        return 1;
      }
      std::printf("%s\n", path.c_str());
    }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: lathe-tp-survey [--quick] [--seconds S] [--rates R,..] [--cases C,..] [--jobs N] [--long] "
               "[--judge scipy|long] [--all-rows]\n"
               "                       [--targets T,..] [--drives D,..] [--ceilings C,..] [--lookaheads MS,..] "
               "[--releases MS,..] [--transients MS/HOLD_MS|off,..] [--comp off|on|both]\n       lathe-tp-survey --write-cases DIR [--rates R,..] [--cases C,..] [--seconds S] "
               "[--seed N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Grid g;
  for (const auto& c : tp_cases::all_cases()) g.cases.emplace_back(c.name);
  bool with_long = false, all_rows = false, quick = false, seconds_set = false, axes_set = false;
  reference::Design judge = reference::scipy_default();
  int jobs = 1;
  uint32_t seed = 1;
  std::string write_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--quick") {
      quick = true;
    } else if (a == "--seconds") {
      g.seconds = std::stod(value());
      seconds_set = true;
    } else if (a == "--rates") {
      g.rates.clear();
      for (const auto& r : split(value())) g.rates.push_back(std::stoi(r));
    } else if (a == "--cases") {
      g.cases = split(value());
    } else if (a == "--jobs") {
      jobs = std::max(1, std::stoi(value()));
    } else if (a == "--long") {
      with_long = true;
    } else if (a == "--judge") {
      const std::string v = value();
      if (v != "scipy" && v != "long") return usage();
      judge = v == "long" ? reference::long_sinc() : reference::scipy_default();
    } else if (a == "--targets" || a == "--drives" || a == "--ceilings" || a == "--lookaheads" ||
               a == "--releases") {
      std::vector<double>& axis = a == "--targets" ? g.targets : a == "--drives" ? g.drives : a == "--ceilings" ? g.ceilings
                                  : a == "--lookaheads" ? g.lookaheads : g.releases;
      axis.clear();
      for (const auto& v : split(value())) axis.push_back(std::stod(v));
      axes_set = true;
    } else if (a == "--comp") {
      const std::string v = value();
      g.comps.clear();
      if (v == "off" || v == "both") g.comps.push_back(false);
      if (v == "on" || v == "both") g.comps.push_back(true);
      if (g.comps.empty()) return usage();
      axes_set = true;
    } else if (a == "--transients") {
      g.transients.clear();
      for (const auto& v : split(value())) {
        if (v == "off") {
          g.transients.emplace_back(-1.0, 5.0);
          continue;
        }
        const auto slash = v.find('/');
        if (slash == std::string::npos) return usage();
        g.transients.emplace_back(std::stod(v.substr(0, slash)), std::stod(v.substr(slash + 1)));
      }
      axes_set = true;
    } else if (a == "--all-rows") {
      all_rows = true;
    } else if (a == "--write-cases") {
      write_dir = value();
    } else if (a == "--seed") {
      seed = static_cast<uint32_t>(std::stoul(value()));
    } else {
      return usage();
    }
  }
  for (const auto& c : g.cases)
    if (tp_cases::make(c, 44100, 0.01).empty()) {
      std::fprintf(stderr, "unknown case '%s'\n", c.c_str());
      return 2;
    }
  if (!write_dir.empty()) return write_cases(write_dir, g, seed);
  if (quick && axes_set) {
    std::fprintf(stderr, "--quick sets the axes itself: give either --quick or axis lists\n");
    return 2;
  }
  if (quick) {
    // The corners of the grid: quiet and loud targets, the extremes of lookahead and
    // release, the usual ceiling, compressor off.
    g.targets = {-14, -8};
    g.drives = {0, 12};
    g.comps = {false};
    g.ceilings = {-1};
    g.lookaheads = {0.1, 1, 5};
    g.releases = {0.05, 80};
    if (!seconds_set) g.seconds = 3.0;
  }

  struct Job {
    std::size_t input;
    Settings s;
  };
  std::vector<std::pair<std::string, int>> inputs_key;
  std::vector<std::vector<int32_t>> inputs;
  std::vector<Job> todo;
  for (const std::string& name : g.cases) {
    const bool programme = std::find_if(tp_cases::all_cases().begin(), tp_cases::all_cases().end(), [&](const auto& c) {
                             return name == c.name;
                           })->programme;
    for (int fs : g.rates) {
      inputs_key.emplace_back(name, fs);
      inputs.push_back(tp_cases::make(name, fs, g.seconds, seed));
      for (double level : programme ? g.targets : g.drives)
        for (bool c : g.comps)
          for (double ceil : g.ceilings)
            for (double la : g.lookaheads)
              for (double rel : g.releases)
                for (const auto& [tr, hold] : g.transients)
                  todo.push_back({inputs.size() - 1, {programme, level, c, ceil, la, rel, tr, hold}});
    }
  }
  std::fprintf(stderr, "lathe-tp-survey: %zu runs (%zu cases x %zu rates), %.1f s each, %d job(s)\n", todo.size(),
               g.cases.size(), g.rates.size(), g.seconds, jobs);

  std::vector<Row> rows(todo.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex print_mutex;
  auto worker = [&] {
    for (std::size_t k; (k = next++) < todo.size();) {
      const Job& j = todo[k];
      rows[k] = run_one(inputs_key[j.input].first, inputs_key[j.input].second, inputs[j.input], j.s, judge, with_long);
      const std::size_t d = ++done;
      if (d % 50 == 0) {
        std::lock_guard<std::mutex> lock(print_mutex);
        std::fprintf(stderr, "  %zu/%zu\n", d, todo.size());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  const bool judge_long = judge.zero_crossings == reference::long_sinc().zero_crossings;
  std::printf("%s rows (margin by %s%s):\n", all_rows ? "All" : "Over-the-ceiling",
              judge_long ? "the long design, 32x Kaiser 12 with 64 zero crossings" : "scipy's resample_poly 32x, Kaiser 12",
              with_long ? (judge_long ? "; long_m: scipy's design" : "; long_m: the long design") : "");
  print_header(with_long);
  std::size_t overs = 0, long_overs = 0, errors = 0;
  for (const Row& r : rows) {
    if (!r.ok) ++errors;
    if (r.ok && r.margin_db < 0) ++overs;
    if (r.ok && with_long && r.long_margin_db < 0) ++long_overs;
    if (all_rows || !r.ok || r.margin_db < 0 || (with_long && r.long_margin_db < 0)) print_row(r, with_long);
  }

  auto fmt = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return std::string(b);
  };
  print_group(rows, "case", [](const Row& r) { return r.name; }, with_long);
  print_group(rows, "rate", [](const Row& r) { return std::to_string(r.fs); }, with_long);
  print_group(rows, "level (T: target LUFS, D: drive dB)", [&](const Row& r) {
    return std::string(r.s.targeted ? "T " : "D ") + fmt(r.s.level);
  }, with_long);
  print_group(rows, "compressor", [](const Row& r) { return std::string(r.s.comp ? "on" : "off"); }, with_long);
  print_group(rows, "ceiling dBTP", [&](const Row& r) { return fmt(r.s.ceiling_dbtp); }, with_long);
  print_group(rows, "lookahead ms", [&](const Row& r) { return fmt(r.s.lookahead_ms); }, with_long);
  print_group(rows, "release ms", [&](const Row& r) { return fmt(r.s.release_ms); }, with_long);
  print_group(rows, "transient release/hold ms", [&](const Row& r) {
    return r.s.transient_ms < 0 ? std::string("off") : fmt(r.s.transient_ms) + "/" + fmt(r.s.hold_ms);
  }, with_long);
  print_group(rows, "lookahead samples L (aim 0.01 + 0.6/L dB below the ceiling)", [&](const Row& r) {
    char b[48];
    std::snprintf(b, sizeof b, "L=%d (%.4f)", r.look, ceiling_margin_db(r.look));
    return std::string(b);
  }, with_long);

  // Which mechanism puts the overs there, over every analysed run.
  int frames = 0, underread = 0, runs_modulation_only = 0, runs_underread = 0, runs_unexplained = 0;
  double worst_under = -HUGE_VAL, worst_mod = -HUGE_VAL;
  for (const Row& r : rows) {
    if (!r.mech.analysed) continue;
    if (!r.mech.gain_model_ok) {
      ++runs_unexplained;
      continue;
    }
    frames += r.mech.over_frames;
    underread += r.mech.underread_frames;
    (r.mech.underread_frames > 0 ? runs_underread : runs_modulation_only)++;
    worst_under = std::max(worst_under, r.mech.worst_underread_db);
    worst_mod = std::max(worst_mod, r.mech.worst_modulation_db);
  }
  std::printf("\nMechanism: %d over frames in %zu over runs; %d (%.1f %%) detector under-read (constant gain is over "
              "too), %d gain modulation only.\n  Runs with any under-read: %d; modulation only: %d; not analysable: "
              "%d. Worst under-read %+.3f dB, worst modulation %+.3f dB.\n",
              frames, overs, underread, frames ? 100.0 * underread / frames : 0.0, frames - underread, runs_underread,
              runs_modulation_only, runs_unexplained, worst_under, worst_mod);
  std::printf("Totals: %zu runs, %zu over by the reference", rows.size(), overs);
  if (with_long) std::printf(", %zu over by the long design", long_overs);
  std::printf(", %zu errors.\n", errors);
  return 0;
}
