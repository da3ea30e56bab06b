// SPDX-License-Identifier: MIT
// The lathe command line: master, analyze, presets, devices.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/loudness.hpp"
#include "lathe/master.hpp"
#include "lathe/preset.hpp"
#ifdef LATHE_HAVE_SIM_BOARD
#include "lathe/sim/sim_backend.hpp"
#endif
#include "lathe/usb/hotplug.hpp"
#include "lathe/usb/usb_backend.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  lathe master IN OUT [--preset NAME|FILE.json] [--target-lufs X|off] [--ceiling-dbtp X]
                      [--bits 16|24] [--device auto|model|sim|usb|usb:SERIAL]
                      [--wait-for-board SECONDS] [--set stage.param=value ...]
                      [--save-preset FILE.json] [--quiet]
  lathe analyze FILE [--json]
  lathe presets [NAME]        list the built-in presets, or print one as JSON
  lathe devices [--watch SECONDS]
                              list the back ends and attached boards; with --watch,
                              then report boards attached and detached for SECONDS
  lathe --version | --help

Presets: streaming (-14 LUFS, -1 dBTP, 24-bit; the default), broadcast (-23 LUFS),
cd (-12 LUFS, 16-bit dithered). --set examples: compressor.threshold_db=-20,
eq.band3.gain_db=1.5, eq.ch1.band3.type=peak, limiter.lookahead_ms=3, target_lufs=off.
Docs: docs/cli.md.
)";

struct UsageError {
  std::string message;
};

int fail(const std::string& message, int code = 1) {
  std::cerr << "lathe: " << message << "\n";
  return code;
}

// Progress on stderr, only when it is a terminal (logs and pipes stay clean).
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  ~ProgressLine() { finish(); }
  bool update(const std::string& stage, double fraction) {
    if (!enabled_) return true;
    const int percent = static_cast<int>(fraction * 100.0);
    if (percent == last_percent_ && stage == last_stage_) return true;
    last_percent_ = percent;
    last_stage_ = stage;
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r  %-10s [%s%s] %3d%%", stage.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), percent);
    std::fflush(stderr);
    shown_ = true;
    return true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r%60s\r", "");
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  int last_percent_ = -1;
  std::string last_stage_;
};

std::string fmt(double v, const char* unit, int precision = 1, bool sign = true) {
  if (!std::isfinite(v)) return std::string("-inf ") + unit;
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f %s" : "%.*f %s", precision, v, unit);
  return buf;
}

int cmd_analyze(const std::vector<std::string>& args) {
  std::string path;
  bool json = false;
  for (const auto& a : args) {
    if (a == "--json") json = true;
    else if (!a.empty() && a[0] == '-') return fail("analyze: unknown option " + a, 2);
    else if (path.empty()) path = a;
    else return fail("analyze: one file at a time", 2);
  }
  if (path.empty()) return fail("analyze: missing FILE\n" + std::string(kUsage), 2);
  auto read = lathe::read_audio(path);
  if (auto* e = std::get_if<lathe::FileError>(&read)) return fail(e->message);
  const auto& audio = std::get<lathe::AudioBuffer>(read);
  const auto report = lathe::measure_loudness(audio.samples, 24, audio.sample_rate, audio.channels);
  if (json) {
    std::cout << lathe::format_report_json(report);
  } else {
    std::cout << path << ": " << audio.sample_rate << " Hz, " << (audio.channels == 1 ? "mono" : "stereo")
              << ", " << audio.source_bits << "-bit" << (audio.source_float ? " float" : "") << "\n";
    if (audio.input_gain_db != 0.0)
      std::cout << "  (float overs: measured after " << fmt(audio.input_gain_db, "dB") << " of attenuation)\n";
    std::cout << lathe::format_report_text(report);
  }
  return 0;
}

int cmd_presets(const std::vector<std::string>& args) {
  if (args.empty()) {
    for (const auto& name : lathe::builtin_preset_names()) {
      const auto p = *lathe::builtin_preset(name);
      std::cout << "  " << name << std::string(12 - std::min<std::size_t>(11, name.size()), ' ') << p.description << "\n";
    }
    return 0;
  }
  auto found = lathe::find_preset(args[0]);
  if (auto* e = std::get_if<lathe::PresetError>(&found)) return fail(e->message);
  std::cout << lathe::preset_to_json(std::get<lathe::Preset>(found));
  return 0;
}

// A duration option: seconds, >= 0.
std::chrono::milliseconds parse_seconds(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(seconds) || seconds < 0.0 || seconds > 1e6)
    throw UsageError{option + " needs a number of seconds, not '" + text + "'"};
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000.0)));
}

// "LT-0042 (bus 1 address 4): protocol version 1, 8 EQ bands, ...", or why the board cannot be used.
std::string board_line(const lathe::usb::BoardReport& board) {
  const std::string where = lathe::usb::format_board(board);
  if (!board.info) return where + ": cannot use it: " + board.error;
  return where + ": " + lathe::protocol::describe(*board.info);
}

int cmd_devices(const std::vector<std::string>& args) {
  std::optional<std::chrono::milliseconds> watch;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--watch") {
      if (i + 1 >= args.size()) throw UsageError{"devices: --watch needs a value"};
      watch = parse_seconds("devices: --watch", args[++i]);
    } else {
      throw UsageError{"devices: unknown option " + args[i]};
    }
  }
  // Watching starts before the listing, so that no board slips between the two.
  lathe::usb::HotplugWatcher watcher;
  if (watch) {
    const auto id = lathe::usb::usb_id_from_environment();
    if (const auto* error = std::get_if<std::string>(&id)) return fail(*error);
    std::string message;
    if (watcher.start(std::get<lathe::usb::UsbId>(id), message)) return fail("devices --watch: " + message);
  }
  std::cout << "  model   bit-exact C++ reference model (always available)\n";
  auto sim = lathe::open_device("sim");
  std::cout << "  sim     " << (sim.device ? sim.device->info().description : sim.message) << "\n";
  sim.device.reset();
  const auto list = lathe::usb::list_boards();
  if (!list.error.empty()) std::cout << "  usb     " << list.error << "\n";
  else if (list.boards.empty())
    std::cout << "  usb     no board attached (looking for " << lathe::usb::format_usb_id(list.id) << ")\n";
  for (const auto& board : list.boards) std::cout << "  usb     " << board_line(board) << "\n";
  std::cout << std::flush;
  if (!watch) return 0;
  const auto deadline = std::chrono::steady_clock::now() + *watch;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const auto event = watcher.next(left, true);
    if (!event) break;
    if (event->present_at_start) continue;  // listed above
    if (event->kind == lathe::usb::HotplugEvent::Kind::kAttached)
      std::cout << "attached: usb " << board_line(event->board) << std::endl;
    else
      std::cout << "detached: usb " << lathe::usb::format_board(event->board) << std::endl;
  }
  return 0;
}

int cmd_master(const std::vector<std::string>& args) {
  std::vector<std::string> positional, sets;
  std::string preset_name = "streaming", device_kind = "auto", save_preset;
  std::optional<std::string> target, ceiling, bits;
  std::chrono::milliseconds wait_for_board{0};
  bool quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError{"master: " + a + " needs a value"};
      return args[++i];
    };
    if (a == "--preset") preset_name = value();
    else if (a == "--target-lufs") target = value();
    else if (a == "--ceiling-dbtp") ceiling = value();
    else if (a == "--bits") bits = value();
    else if (a == "--device") device_kind = value();
    else if (a == "--wait-for-board") wait_for_board = parse_seconds("master: " + a, value());
    else if (a == "--set") sets.push_back(value());
    else if (a == "--save-preset") save_preset = value();
    else if (a == "--quiet" || a == "-q") quiet = true;
    else if (a.size() > 1 && a[0] == '-') throw UsageError{"master: unknown option " + a};
    else positional.push_back(a);
  }
  if (positional.size() != 2) throw UsageError{"master: expected IN and OUT files\n" + std::string(kUsage)};
  const lathe::DeviceSpec device_spec = lathe::parse_device_spec(device_kind);
  if (wait_for_board.count() > 0 && device_spec.backend != "usb" && device_kind != "auto")
    throw UsageError{"master: --wait-for-board needs --device usb, usb:SERIAL or auto"};
  const std::string& in_path = positional[0];
  const std::string& out_path = positional[1];

  // Settings first, so a typo fails before any audio is read.
  auto found = lathe::find_preset(preset_name);
  if (auto* e = std::get_if<lathe::PresetError>(&found)) return fail(e->message);
  lathe::Preset preset = std::get<lathe::Preset>(found);
  if (target) sets.insert(sets.begin(), "target_lufs=" + *target);
  if (ceiling) sets.insert(sets.begin(), "limiter.ceiling_dbtp=" + *ceiling);
  if (bits) sets.insert(sets.begin(), "dither.bits=" + *bits);
  for (const auto& s : sets)
    if (auto e = lathe::apply_setting(preset, s)) return fail(e->message);

  std::error_code ec;
  if (std::filesystem::exists(out_path, ec) && std::filesystem::equivalent(in_path, out_path, ec))
    return fail(out_path + ": output would overwrite the input file");
  // Everything that can be checked before the work is checked before it.
  if (auto e = lathe::check_output_path(out_path)) return fail(e->message);
  if (wait_for_board.count() > 0) {
    if (!quiet) std::cerr << "waiting up to " << wait_for_board.count() / 1000.0 << " s for a board\n";
    std::string message;
    // With auto, a board that never came means the model, which open_device says.
    if (lathe::usb::wait_for_board(device_spec.selector, wait_for_board, message) && device_kind != "auto")
      return fail("device '" + device_kind + "': " + message);
  }
  auto opened = lathe::open_device(device_kind);
  if (!opened.device) return fail(opened.message);

  auto read = lathe::read_audio(in_path);
  if (auto* e = std::get_if<lathe::FileError>(&read)) return fail(e->message);
  const auto& audio = std::get<lathe::AudioBuffer>(read);
  if (auto err = lathe::validate(preset.params, audio.sample_rate)) return fail(in_path + ": " + *err);
  if (!quiet) std::cerr << opened.message << "\n";
  if (!quiet && audio.input_gain_db != 0.0)
    std::cerr << "note: " << in_path << " is a float file with overs; attenuated by "
              << fmt(-audio.input_gain_db, "dB") << " on input so nothing clips\n";

  lathe::install_cleanup_signal_handlers();
  ProgressLine progress(!quiet);
  lathe::MasterOptions options;
  options.params = preset.params;
  options.target_lufs = preset.target_lufs;
  options.channels = audio.channels;
  options.progress = [&](const std::string& stage, double f) { return progress.update(stage, f); };

  const auto t0 = std::chrono::steady_clock::now();
  lathe::MasterResult result;
  if (auto err = lathe::master(audio.samples, audio.sample_rate, options, opened.device.get(), result))
    return fail(in_path + ": " + err->message);
  progress.update("writing", 1.0);
  const lathe::WriteSpec spec{audio.sample_rate, audio.channels, result.out_bits};
  if (auto e = lathe::write_audio(out_path, spec, result.output)) return fail(e->message);
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!save_preset.empty()) {
    if (auto e = lathe::save_preset_file(save_preset, preset)) return fail(e->message);
  }
  if (quiet) return 0;

  const auto in_report = lathe::measure_loudness(audio.samples, 24, audio.sample_rate, audio.channels);
  const auto out_report = lathe::measure_loudness(result.output, result.out_bits, audio.sample_rate, audio.channels);
  const double duration = static_cast<double>(audio.frames()) / audio.sample_rate;
  std::printf("%s -> %s  (%d Hz, %s, %d-bit%s, preset %s, device %s)\n", in_path.c_str(), out_path.c_str(),
              audio.sample_rate, audio.channels == 1 ? "mono" : "stereo", result.out_bits,
              preset.params.dither.enabled ? " TPDF dither" : "", preset.name.c_str(),
              opened.device->info().backend.c_str());
  std::printf("                   %-14s %-14s %s\n", "input", "output", "target");
  std::printf("  integrated       %-14s %-14s %s\n", fmt(in_report.integrated_lufs, "LUFS").c_str(),
              fmt(out_report.integrated_lufs, "LUFS").c_str(),
              preset.target_lufs ? fmt(*preset.target_lufs, "LUFS").c_str() : "off");
  std::printf("  loudness range   %-14s %-14s\n", fmt(in_report.range_lu, "LU", 1, false).c_str(),
              fmt(out_report.range_lu, "LU", 1, false).c_str());
  std::printf("  short-term max   %-14s %-14s\n", fmt(in_report.shortterm_max_lufs, "LUFS").c_str(),
              fmt(out_report.shortterm_max_lufs, "LUFS").c_str());
  std::printf("  true peak        %-14s %-14s %s\n", fmt(in_report.true_peak_dbtp, "dBTP").c_str(),
              fmt(out_report.true_peak_dbtp, "dBTP").c_str(),
              fmt(preset.params.lim.ceiling_dbtp, "dBTP (ceiling)").c_str());
  std::printf("  sample peak      %-14s %-14s\n", fmt(in_report.sample_peak_dbfs, "dBFS").c_str(),
              fmt(out_report.sample_peak_dbfs, "dBFS").c_str());
  std::printf("  gain reduction   compressor max %.1f dB, limiter max %.1f dB; limiter drive %s\n",
              result.comp_gr_max_db, result.lim_gr_max_db, fmt(result.drive_db, "dB", 2).c_str());
  std::printf("  job              %.1f s audio in %.2f s (%.0fx real time), %d limiter pass%s\n", duration, seconds,
              duration / seconds, result.passes, result.passes == 1 ? "" : "es");
  if (!result.note.empty()) std::printf("  note: %s\n", result.note.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef LATHE_HAVE_SIM_BOARD
  lathe::sim::register_sim_backend();
#endif
  lathe::usb::register_usb_backend();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "lathe " << LATHE_VERSION << "\n";
    return 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "master") return cmd_master(args);
    if (cmd == "analyze" || cmd == "analyse") return cmd_analyze(args);
    if (cmd == "presets") return cmd_presets(args);
    if (cmd == "devices") return cmd_devices(args);
    return fail("unknown command '" + cmd + "'\n" + kUsage, 2);
  } catch (const UsageError& e) {
    return fail(e.message, 2);
  } catch (const std::bad_alloc&) {
    return fail("out of memory (the file is held in memory while it is mastered)");
  }
}
