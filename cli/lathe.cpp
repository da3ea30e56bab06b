// SPDX-License-Identifier: MIT
// The lathe command line: master, live, analyze, presets, settings, devices. CLI11 parses;
// everything a command does is liblathe's (the job API, presets, meters) or a back end's.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/device.hpp"
#include "lathe/job.hpp"
#include "lathe/loudness.hpp"
#include "lathe/preset.hpp"
#include "lathe/settings.hpp"
#ifdef LATHE_HAVE_SIM_BOARD
#include "lathe/sim/sim_backend.hpp"
#include "live_codec.hpp"
#endif
#ifdef LATHE_HAVE_JACK
#include "jack_client.hpp"
#endif
#include "live_board.hpp"
#include "lathe/usb/hotplug.hpp"
#include "lathe/usb/usb_backend.hpp"

namespace {

constexpr int kExitFailed = 1;  // the work failed (a file, a device)
constexpr int kExitUsage = 2;   // the command line does not say what to do

// A usage error: one line, then a hint where the help is.
struct UsageError {
  std::string message;
};

int fail(const std::string& message, int code = kExitFailed) {
  std::cerr << "lathe: " << message << "\n";
  return code;
}

// Errors of what the user asked for (settings, presets, the same file twice) are usage
// errors; everything else is a failed job.
int exit_code_for(const lathe::Error& e) {
  switch (e.code()) {
    case lathe::Errc::kUsage:
    case lathe::Errc::kInvalidSetting:
    case lathe::Errc::kBadPreset:
    case lathe::Errc::kSameFile:
    case lathe::Errc::kUnknownBackend:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}
int fail(const lathe::Error& e) { return fail(e.message(), exit_code_for(e)); }

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
  if (std::isnan(v)) return std::string("n/a ") + unit;
  if (!std::isfinite(v)) return std::string(v < 0 ? "-inf " : "inf ") + unit;
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f %s" : "%.*f %s", precision, v, unit);
  return buf;
}

// A duration option: seconds, >= 0, strict decimal.
std::chrono::milliseconds parse_seconds(const std::string& option, const std::string& text) {
  const auto seconds = lathe::parse_decimal(text);
  if (!seconds || *seconds < 0.0 || *seconds > 1e6)
    throw UsageError{option + " needs a number of seconds (0 .. 1000000), not '" + text.substr(0, 40) + "'"};
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(*seconds * 1000.0)));
}

// ---------------------------------------------------------------------------------

int cmd_analyze(const std::string& path, bool json) {
  // The file's own values: the source channels as stored, nothing attenuated.
  auto reader = lathe::AudioReader::open(path, false);
  if (!reader) return fail(reader.error());
  const lathe::AudioFormat& f = reader->format();
  auto meter = lathe::LoudnessMeter::create(f.sample_rate, f.channels, lathe::LoudnessMeter::Measures::kAll);
  if (!meter) return fail(meter.error());
  std::vector<double> block(8192 * static_cast<std::size_t>(f.channels));
  for (;;) {
    auto got = reader->read_source(block);
    if (!got) return fail(got.error());
    if (*got == 0) break;
    if (auto e = meter->add_source({block.data(), *got * static_cast<std::size_t>(f.channels)})) return fail(e);
  }
  const auto report = meter->report();
  if (!std::isfinite(report.duration_s) || report.duration_s <= 0) return fail(path + ": no audio frames");
  if (json) {
    std::cout << lathe::format_report_json(report);
  } else {
    std::cout << path << ": " << f.sample_rate << " Hz, " << (f.channels == 1 ? "mono" : "stereo") << ", "
              << f.source_bits << "-bit" << (f.source_float ? " float" : "") << "\n";
    std::cout << lathe::format_report_text(report);
  }
  return 0;
}

int cmd_presets(const std::string& name) {
  if (name.empty()) {
    for (const auto& n : lathe::builtin_preset_names()) {
      const auto p = *lathe::builtin_preset(n);
      std::cout << "  " << n << std::string(12 - std::min<std::size_t>(11, n.size()), ' ') << p.description << "\n";
    }
    return 0;
  }
  auto found = lathe::find_preset(name);
  if (!found) return fail(found.error());
  std::cout << lathe::preset_to_json(*found);
  return 0;
}

// "LT-0042 (bus 1 address 4): protocol version 1, 8 EQ bands, ...", or why the board cannot be used.
std::string board_line(const lathe::usb::BoardReport& board) {
  const std::string where = lathe::usb::format_board(board);
  if (!board.info) return where + ": cannot use it: " + board.error.message();
  return where + ": " + lathe::protocol::describe(*board.info);
}

int cmd_devices(std::optional<std::chrono::milliseconds> watch) {
  // Watching starts before the listing, so that no board slips between the two.
  lathe::usb::HotplugWatcher watcher;
  if (watch) {
    const auto id = lathe::usb::usb_id_from_environment();
    if (!id) return fail(id.error().message());
    if (auto e = watcher.start(*id)) return fail("devices --watch: " + e.message());
  }
  std::cout << "  model   bit-exact C++ reference model (always available)\n";
  auto sim = lathe::open_device("sim");
  std::cout << "  sim     " << (sim ? sim->device->info().description : sim.error().message()) << "\n";
  if (sim) sim->device.reset();
  const auto list = lathe::usb::list_boards();
  if (!list) std::cout << "  usb     " << list.error().message() << "\n";
  else if (list->boards.empty())
    std::cout << "  usb     no board attached (looking for " << lathe::usb::format_usb_id(list->id) << ")\n";
  else
    for (const auto& board : list->boards) std::cout << "  usb     " << board_line(board) << "\n";
  std::cout << std::flush;
  if (!watch) return 0;
  // How long to watch is the user's request, not a test's margin: the wall clock is right here.
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

struct MasterArgs {
  std::string in, out;
  std::string preset = "streaming", device = "auto", save_preset;
  std::optional<std::string> target, ceiling, bits, wait_for_board;
  std::vector<std::string> sets;
  bool quiet = false;
};

void print_report(const lathe::JobReport& r, const lathe::Preset& preset) {
  const auto& f = r.input_format;
  std::printf("%s -> %s  (%d Hz, %s, %d-bit%s, preset %s, device %s)\n", r.input.c_str(), r.output.c_str(), f.sample_rate,
              f.channels == 1 ? "mono" : "stereo", r.out_bits, preset.params.dither.enabled ? " TPDF dither" : "",
              preset.name.empty() ? "(unnamed)" : preset.name.c_str(), lathe::backend_name(r.device));
  std::printf("                   %-14s %-14s %s\n", "input", "output", "target");
  std::printf("  integrated       %-14s %-14s %s\n", fmt(r.before.integrated_lufs, "LUFS").c_str(),
              fmt(r.after.integrated_lufs, "LUFS").c_str(), r.target_lufs ? fmt(*r.target_lufs, "LUFS").c_str() : "off");
  std::printf("  loudness range   %-14s %-14s\n", fmt(r.before.range_lu, "LU", 1, false).c_str(),
              fmt(r.after.range_lu, "LU", 1, false).c_str());
  std::printf("  short-term max   %-14s %-14s\n", fmt(r.before.shortterm_max_lufs, "LUFS").c_str(),
              fmt(r.after.shortterm_max_lufs, "LUFS").c_str());
  // Both true-peak meters, named: the standard's 4x and the 32x reconstruction.
  std::printf("  true peak 4x     %-14s %-14s %s\n", fmt(r.before.true_peak_dbtp, "dBTP").c_str(),
              fmt(r.after.true_peak_dbtp, "dBTP").c_str(), fmt(r.ceiling_dbtp, "dBTP (ceiling)").c_str());
  std::printf("  true peak 32x    %-14s %-14s (4x: BS.1770-4, libebur128; 32x: %s)\n",
              fmt(r.before.reconstruction_peak_dbtp, "dBTP").c_str(), fmt(r.after.reconstruction_peak_dbtp, "dBTP").c_str(),
              lathe::reconstruction_meter_name().c_str());
  std::printf("  sample peak      %-14s %-14s\n", fmt(r.before.sample_peak_dbfs, "dBFS").c_str(),
              fmt(r.after.sample_peak_dbfs, "dBFS").c_str());
  std::printf("  gain reduction   compressor max %.1f dB, limiter max %.1f dB; limiter drive %s\n", r.comp_gr_max_db,
              r.lim_gr_max_db, fmt(r.drive_db, "dB", 2).c_str());
  const double duration = r.after.duration_s;
  std::printf("  job              %.1f s audio in %.2f s (%.0fx real time), %d limiter pass%s\n", duration, r.seconds,
              duration / r.seconds, r.passes, r.passes == 1 ? "" : "es");
  for (const auto& note : r.notes) std::printf("  note: %s\n", note.c_str());
}

int cmd_master(const MasterArgs& a) {
  const lathe::DeviceSpec device_spec = lathe::parse_device_spec(a.device);
  if (device_spec.backend != "auto" && device_spec.backend != "model" && device_spec.backend != "sim" &&
      device_spec.backend != "usb")
    throw UsageError{"--device: unknown device '" + a.device.substr(0, 40) + "' (auto, model, sim, usb or usb:SERIAL)"};
  std::chrono::milliseconds wait_for_board{0};
  if (a.wait_for_board) wait_for_board = parse_seconds("--wait-for-board", *a.wait_for_board);
  if (wait_for_board.count() > 0 && device_spec.backend != "usb" && device_spec.backend != "auto")
    throw UsageError{"--wait-for-board needs --device usb, usb:SERIAL or auto"};

  // Settings first, so that a typo fails before any audio is read.
  auto found = lathe::find_preset(a.preset);
  if (!found) return fail(found.error().within("--preset"));
  lathe::MasterJob job;
  job.input = a.in;
  job.output = a.out;
  job.save_preset = a.save_preset;
  job.preset = *found;
  job.measure = !a.quiet;  // the report is all the measurements are for
  std::vector<std::string> sets;
  if (a.bits) sets.push_back("dither.bits=" + *a.bits);
  if (a.ceiling) sets.push_back("limiter.ceiling_dbtp=" + *a.ceiling);
  if (a.target) sets.push_back("target_lufs=" + *a.target);
  sets.insert(sets.end(), a.sets.begin(), a.sets.end());
  for (const auto& s : sets)
    if (auto e = lathe::apply_setting(job.preset, s)) return fail(e);
  // Everything that can be checked before the work is checked before it.
  if (auto e = lathe::check_master_job(job)) return fail(e);
  if (job.preset.params.bypass && !a.quiet)
    std::cerr << "lathe: note: bypass is for listening, not for mastering: ignored (the chain runs)\n";

  if (wait_for_board.count() > 0) {
    if (!a.quiet) std::cerr << "waiting up to " << wait_for_board.count() / 1000.0 << " s for a board\n";
    // With auto, a board that never came means the model, which open_device says.
    if (auto e = lathe::usb::wait_for_board(device_spec.selector, wait_for_board); e && device_spec.backend != "auto")
      return fail("device '" + a.device + "': " + e.message());
  }
  auto opened = lathe::open_device(a.device);
  if (!opened) return fail(opened.error().message());
  if (!a.quiet) std::cerr << opened->message << "\n";

  ProgressLine progress(!a.quiet);
  auto report = lathe::run_master_job(job, opened->device.get(),
                                      [&](const std::string& stage, double f) { return progress.update(stage, f); });
  progress.finish();
  if (!report) return fail(report.error());
  if (!a.quiet) print_report(*report, job.preset);
  return 0;
}

// `lathe live`: the chain on a live stream: a JACK client (--jack), or the simulated
// board's live path between a codec model's ADC and DAC (--codec-in/--codec-out).
struct LiveArgs {
  bool jack = false;
  std::string device = "model", preset = "streaming", name = "lathe";
  std::vector<std::string> sets;
  std::optional<std::string> priming, codec_in, codec_out;
  std::string clock_master = "codec", format = "i2s";
  std::optional<std::string> rate, sim_core;
  bool off = false, quiet = false, monitor = false;
};

// The serial bus between the board and its codec, as the options say.
void check_codec_bus(const LiveArgs& a) {
  if (a.clock_master != "codec" && a.clock_master != "fpga")
    throw UsageError{"--clock-master: codec or fpga, not '" + a.clock_master.substr(0, 40) + "'"};
  if (a.format != "i2s" && a.format != "left-justified")
    throw UsageError{"--format: i2s or left-justified, not '" + a.format.substr(0, 40) + "'"};
}

// The preset with the --set settings applied.
lathe::Result<lathe::Preset> live_preset(const LiveArgs& a) {
  auto found = lathe::find_preset(a.preset);
  if (!found) return lathe::failure(found.error().within("--preset"));
  lathe::Preset preset = *found;
  for (const auto& s : a.sets)
    if (auto e = lathe::apply_setting(preset, s)) return lathe::failure(std::move(e));
  return preset;
}

int cmd_live_board(const LiveArgs& a) {
  if (a.priming) throw UsageError{"--priming is for --jack"};
  if (a.sim_core) throw UsageError{"--sim-core is for --codec-in/--codec-out (the simulated board)"};
  check_codec_bus(a);
  int rate = 48000;
  if (a.rate) {
    const auto v = lathe::parse_decimal(*a.rate);
    if (!v || *v != std::floor(*v) || !lathe::is_supported_rate(static_cast<int>(*v)))
      throw UsageError{"--rate: the codec's sample rate, 44100 .. 192000 Hz (the six the chain supports), not '" +
                       a.rate->substr(0, 40) + "'"};
    rate = static_cast<int>(*v);
  }
  auto found = live_preset(a);
  if (!found) return fail(found.error());
  const lathe::Preset& preset = *found;
  if (preset.target_lufs && !a.off)
    std::cerr << "lathe: note: live: the loudness target (" << *preset.target_lufs
              << " LUFS) is ignored; limiter.drive_db sets the gain into the limiter\n";
  lathe::live::BoardRunOptions o;
  o.device = a.device;
  o.params = preset.params;
  o.sample_rate = rate;
  o.fpga_master = a.clock_master == "fpga";
  o.left_justified = a.format == "left-justified";
  o.off = a.off;
  o.quiet = a.quiet;
  o.monitor = a.monitor;
  if (a.off && a.monitor) throw UsageError{"--off ends live mode: there is nothing to --monitor"};
  if (auto e = lathe::live::run_board(o)) return fail(e);
  return 0;
}

int cmd_live_codec(const LiveArgs& a) {
  if (a.jack) throw UsageError{"--jack and --codec-in/--codec-out are two ways to run live: say one"};
  if (!a.codec_in || !a.codec_out) throw UsageError{"--codec-in and --codec-out go together: the ADC's input and the DAC's recording"};
  if (a.device != "sim")
    throw UsageError{"--codec-in/--codec-out run on --device sim (the simulated board's codec); a board's own codec "
                     "needs its board top, which is not built yet"};
  if (a.priming) throw UsageError{"--priming is for --jack"};
  if (a.monitor || a.off || a.rate)
    throw UsageError{"--monitor, --off and --rate are for a board's live mode (--device usb); --codec-in sets the rate"};
  check_codec_bus(a);
  const std::string core = a.sim_core.value_or("model");
  if (core != "model" && core != "rtl")
    throw UsageError{"--sim-core: model or rtl, not '" + core.substr(0, 40) + "'"};
  auto found = live_preset(a);
  if (!found) return fail(found.error());
  const lathe::Preset& preset = *found;
  if (preset.target_lufs)
    std::cerr << "lathe: note: live: the loudness target (" << *preset.target_lufs
              << " LUFS) is ignored; limiter.drive_db sets the gain into the limiter\n";
#ifdef LATHE_HAVE_SIM_BOARD
  lathe::live::CodecRunOptions o;
  o.in = *a.codec_in;
  o.out = *a.codec_out;
  o.params = preset.params;
  o.fpga_master = a.clock_master == "fpga";
  o.left_justified = a.format == "left-justified";
  o.rtl_core = core == "rtl";
  o.quiet = a.quiet;
  ProgressLine progress(!a.quiet);
  o.progress = [&](double f) { return progress.update("live", f); };
  const lathe::Error e = lathe::live::run_codec(o);
  progress.finish();
  if (e) return fail(e);
  return 0;
#else
  return fail("live --device sim: this lathe was built without the simulated board (verilator)");
#endif
}

int cmd_live(const LiveArgs& a) {
  if (a.codec_in || a.codec_out) return cmd_live_codec(a);
  if (!a.jack && lathe::parse_device_spec(a.device).backend == "usb") return cmd_live_board(a);
  if (a.off || a.rate || a.monitor) throw UsageError{"--off, --rate and --monitor are for a board's live mode (--device usb)"};
  if (!a.jack)
    throw UsageError{"say which stream to run on: --jack (a JACK client), --codec-in/--codec-out (--device sim), or "
                     "--device usb (a board's codec)"};
  const lathe::DeviceSpec device_spec = lathe::parse_device_spec(a.device);
  if (device_spec.backend != "model" && device_spec.backend != "sim" && device_spec.backend != "usb")
    throw UsageError{"--device: unknown device '" + a.device.substr(0, 40) + "' (model, sim, usb or usb:SERIAL)"};
  if (device_spec.backend != "usb" && !device_spec.selector.empty())
    throw UsageError{"--device: only usb takes a serial number, not '" + a.device.substr(0, 40) + "'"};
  int priming = 2;
  if (a.priming) {
    const auto v = lathe::parse_decimal(*a.priming);
    if (!v || *v != std::floor(*v) || *v < 1 || *v > 16)
      throw UsageError{"--priming needs a whole number of periods, 1 .. 16, not '" + a.priming->substr(0, 40) + "'"};
    priming = static_cast<int>(*v);
    if (device_spec.backend == "model") throw UsageError{"--priming is for --device sim and usb (the model has no queue)"};
  }
  if (a.name.empty() || a.name.size() > 63) throw UsageError{"--name needs a JACK client name of 1 .. 63 bytes"};
  auto found = lathe::find_preset(a.preset);
  if (!found) return fail(found.error().within("--preset"));
  lathe::Preset preset = *found;
  for (const auto& s : a.sets)
    if (auto e = lathe::apply_setting(preset, s)) return fail(e);
  // A loudness target needs the whole programme; live, the gain into the limiter is the
  // setting limiter.drive_db.
  if (preset.target_lufs)
    std::cerr << "lathe: note: live: the loudness target (" << *preset.target_lufs
              << " LUFS) is ignored; limiter.drive_db sets the gain into the limiter\n";
#ifdef LATHE_HAVE_JACK
  lathe::live::JackOptions options;
  options.client_name = a.name;
  options.device = a.device;
  options.params = preset.params;
  options.priming_periods = priming;
  options.quiet = a.quiet;
  if (auto e = lathe::live::run_jack(options)) return fail(e);
  return 0;
#else
  return fail("live --jack: this lathe was built without JACK (libjack-jackd2-dev)");
#endif
}

std::string help_hint(const std::string& command) {
  return "run 'lathe " + (command.empty() ? std::string() : command + " ") + "--help' for the options";
}

}  // namespace

int run(int argc, char** argv) {
#ifdef LATHE_HAVE_SIM_BOARD
  lathe::sim::register_sim_backend();
#endif
  lathe::usb::register_usb_backend();
  // Before any temporary file can exist (the job's checks create and remove some).
  lathe::install_cleanup_signal_handlers();

  CLI::App app{"Lathe: mastering on an FPGA co-processor, its Verilated RTL, or the bit-exact model.\n"
               "Docs: docs/cli.md."};
  app.name("lathe");
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "lathe " LATHE_VERSION);

  MasterArgs m;
  CLI::App* master = app.add_subcommand("master", "master IN into OUT (loudness target, true-peak ceiling)");
  master->add_option("IN", m.in, "input audio file (wav, flac, aiff, ...; mono or stereo)")->required()->type_name("");
  master->add_option("OUT", m.out, "output file: .wav, .flac, .aif/.aiff or .w64; written atomically")
      ->required()
      ->type_name("");
  master->add_option("--preset", m.preset, "built-in preset (streaming, broadcast, cd) or a preset file")
      ->capture_default_str()
      ->type_name("NAME|FILE.json");
  master->add_option("--target-lufs", m.target, "integrated loudness target, -60..0 LUFS, or off")->type_name("LUFS|off");
  master->add_option("--ceiling-dbtp", m.ceiling, "true-peak ceiling, -20..0 dBTP")->type_name("DBTP");
  master->add_option("--bits", m.bits, "output word length (TPDF dither)")->type_name("16|24");
  master->add_option("--device", m.device, "where the final pass runs (auto: a board if one is attached, else the model)")
      ->capture_default_str()
      ->type_name("auto|model|sim|usb|usb:SERIAL");
  master->add_option("--wait-for-board", m.wait_for_board, "with usb or auto: wait this long for a board")
      ->type_name("SECONDS");
  master->add_option("--set", m.sets, "any setting, repeatable (`lathe settings` lists them)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  master->add_option("--save-preset", m.save_preset, "also save the settings used as a preset file")
      ->type_name("FILE.json");
  master->add_flag("-q,--quiet", m.quiet, "no progress, no report");

  LiveArgs l;
  CLI::App* live = app.add_subcommand(
      "live", "run the chain on a live stream: a JACK client (--jack), or the simulated board's codec (--codec-in/--codec-out)");
  live->add_flag("--jack", l.jack, "as a JACK client: ports in_L, in_R, out_L, out_R");
  live->add_option("--device", l.device, "where the chain runs")->capture_default_str()->type_name("model|sim|usb|usb:SERIAL");
  live->add_option("--preset", l.preset, "built-in preset (streaming, broadcast, cd) or a preset file; its loudness target is ignored")
      ->capture_default_str()
      ->type_name("NAME|FILE.json");
  live->add_option("--set", l.sets, "any setting, repeatable (`lathe settings` lists them)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  live->add_option("--name", l.name, "JACK client name")->capture_default_str()->type_name("CLIENT");
  live->add_option("--priming", l.priming, "sim, usb: periods of silence the output queue starts with (default 2)")
      ->type_name("PERIODS");
  live->add_option("--codec-in", l.codec_in, "--device sim: the file the codec's ADC plays into the board")
      ->type_name("IN");
  live->add_option("--codec-out", l.codec_out, "--device sim: where the DAC's recording goes (24-bit; written atomically)")
      ->type_name("OUT");
  live->add_option("--clock-master", l.clock_master, "--codec-in: who drives BCLK and LRCLK")
      ->capture_default_str()
      ->type_name("codec|fpga");
  live->add_option("--format", l.format, "--codec-in: the serial format")->capture_default_str()->type_name("i2s|left-justified");
  live->add_option("--sim-core", l.sim_core,
                   "--codec-in: the simulated board's core: the bit-exact model behind the RTL's registers and timing "
                   "(default; about 10x faster) or the Verilated RTL")
      ->type_name("model|rtl");
  live->add_option("--rate", l.rate, "--device usb (no --jack): the codec's sample rate (default 48000)")->type_name("HZ");
  live->add_flag("--off", l.off, "--device usb: end the board's live mode");
  live->add_flag("--monitor", l.monitor,
                 "--device usb (no --jack): the board also sends its output; its loudness is shown");
  live->add_flag("-q,--quiet", l.quiet, "no status line");

  std::string analyze_path;
  bool analyze_json = false;
  CLI::App* analyze = app.add_subcommand("analyze", "loudness (I, LRA, S max, M max), sample and true peak of FILE");
  analyze->alias("analyse");
  analyze->add_option("FILE", analyze_path, "audio file")->required()->type_name("");
  analyze->add_flag("--json", analyze_json, "print the report as JSON");

  std::string preset_name;
  CLI::App* presets = app.add_subcommand("presets", "list the built-in presets, or print one (or a file) as JSON");
  presets->add_option("NAME", preset_name, "a built-in preset or a preset FILE.json")->type_name("");

  bool settings_markdown = false;
  CLI::App* settings = app.add_subcommand("settings", "every setting of a preset: key, range, default, meaning");
  settings->add_flag("--markdown", settings_markdown, "as the Markdown table in docs/cli.md");

  std::optional<std::string> watch;
  CLI::App* devices = app.add_subcommand("devices", "list the back ends and attached boards");
  devices->add_option("--watch", watch, "then report boards attached and detached for this long")->type_name("SECONDS");

  const std::string command = argc > 1 ? argv[1] : "";
  const bool known = command == "master" || command == "live" || command == "analyze" || command == "analyse" || command == "presets" ||
                     command == "settings" || command == "devices";
  if (!command.empty() && command[0] != '-' && !known)
    return fail("unknown command '" + command.substr(0, 40) + "' (master, live, analyze, presets, settings, devices); " +
                    help_hint(""),
                kExitUsage);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "cannot read the command line";
    return fail(std::string(known ? command + ": " : "") + what + "; " + help_hint(known ? command : ""), kExitUsage);
  }
  try {
    if (*master) return cmd_master(m);
    if (*live) return cmd_live(l);
    if (*analyze) return cmd_analyze(analyze_path, analyze_json);
    if (*presets) return cmd_presets(preset_name);
    if (*settings) {
      if (settings_markdown) {
        std::cout << lathe::settings_markdown();
      } else {
        for (const auto& info : lathe::setting_infos()) {
          if (info.key.rfind("eq.ch1.", 0) == 0 || (info.key.rfind("eq.ch0.band", 0) == 0 && info.key.rfind("eq.ch0.band1.", 0) != 0))
            continue;
          std::printf("  %-26s %s\n", info.key.c_str(), info.summary.c_str());
        }
        std::printf("(eq.chC.bandN.*: C = 0, 1; N = 1..8; `lathe settings --markdown` gives ranges and defaults)\n");
      }
      return 0;
    }
    if (*devices) return cmd_devices(watch ? std::optional(parse_seconds("--watch", *watch)) : std::nullopt);
    std::cerr << app.help();
    return kExitUsage;
  } catch (const UsageError& e) {
    return fail((command.empty() ? "" : command + ": ") + e.message + "; " + help_hint(command), kExitUsage);
  }
}

int main(int argc, char** argv) {
  // Nothing escapes main: whatever goes wrong ends as one line and a status.
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error");
  }
}
