// SPDX-License-Identifier: MIT
// The real `lathe` binary against careless and hostile input (issue 10): every case ends
// in a one-line error with the right exit status, leaves IN and any existing OUT byte for
// byte as they were, and leaves no temporary file behind.
#include <fcntl.h>
#include <signal.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/loudness.hpp"
#include "lathe/preset.hpp"
#include "lathe/settings.hpp"
#include "lathe/test_signals.hpp"

namespace fs = std::filesystem;
using lathe::test::Run;
using lathe::test::slurp;

namespace {

// A scratch directory with an input and an existing output whose bytes must survive.
class Hostile : public lathe::test::CliScratch {
 public:
  Hostile() : CliScratch("hostile") {
    REQUIRE_FALSE(lathe::write_audio(path("a.wav"), {48000, 2, 24}, lathe::signals::music_like(2.0, 48000, 3)));
    std::ofstream(path("o.wav"), std::ios::binary) << "the previous master";
    snapshot();
  }
  void snapshot() {
    before_.clear();
    names_.clear();
    for (const auto& name : files()) {
      if (name == "stdout" || name == "stderr") continue;  // the runs' own captures
      names_.insert(name);
      if (fs::is_regular_file(path(name))) before_[name] = slurp(path(name));
    }
  }
  std::string io() const { return path("a.wav") + " " + path("o.wav"); }
  // Every file that was there is as it was, nothing new appeared (no temporary files,
  // no half-written preset), unless the name is in `created`.
  void require_untouched(const std::set<std::string>& created = {}) const {
    for (const auto& [name, bytes] : before_) {
      INFO(name);
      REQUIRE(fs::exists(path(name)));
      if (fs::is_regular_file(path(name)) && !created.count(name)) REQUIRE(slurp(path(name)) == bytes);
    }
    for (const auto& name : files()) {
      INFO("left behind: " << name);
      REQUIRE((names_.count(name) || created.count(name) || name == "stdout" || name == "stderr"));
    }
  }

 private:
  std::map<std::string, std::string> before_;
  std::set<std::string> names_;
};

void require_usage_error(const Run& r, const std::string& mentions, int code = 2) {
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == code);
  REQUIRE_THAT(r.err, Catch::Contains(mentions));
  REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  REQUIRE(r.out.empty());
}

// A shell word: the argument exactly, whatever bytes it holds.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

TEST_CASE("a preset saved with a master never overwrites the input or the output, through any alias", "[cli][hostile]") {
  Hostile s;
  fs::create_symlink(s.path("a.wav"), s.path("link.wav"));
  fs::create_hard_link(s.path("a.wav"), s.path("hard.wav"));
  s.snapshot();
  for (const std::string& preset : {s.path("a.wav"), s.path("o.wav"), s.path("link.wav"), s.path("hard.wav"),
                                    s.path("./a.wav"), s.path("sub/../a.wav")}) {
    INFO(preset);
    if (preset.find("sub/") != std::string::npos) fs::create_directories(s.path("sub"));
    require_usage_error(s.lathe("master " + s.io() + " --save-preset " + preset), "--save-preset");
    fs::remove_all(s.path("sub"));
    s.require_untouched();
  }
  // /dev/fd/N names whatever file descriptor N is: here the input.
  const Run fd = s.shell(std::string(LATHE_CLI) + " master " + s.io() + " --save-preset /dev/fd/3 3<" + s.path("a.wav"));
  require_usage_error(fd, "would overwrite the input file");
  // OUT itself through an alias of IN.
  require_usage_error(s.lathe("master " + s.path("a.wav") + " " + s.path("hard.wav")), "would overwrite the input file");
  require_usage_error(s.lathe("master " + s.path("a.wav") + " " + s.path("link.wav")), "would overwrite the input file");
  s.require_untouched();
}

TEST_CASE("every output path is checked before any audio is read, and a failure keeps OUT", "[cli][hostile]") {
  Hostile s;
  const Run r = s.lathe("master " + s.io() + " --save-preset " + s.path("no/such/dir/p.json"));
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  REQUIRE_THAT(r.err, Catch::Contains("--save-preset") && Catch::Contains("no/such/dir"));
  REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  s.require_untouched();
  // A preset path that is a directory.
  fs::create_directories(s.path("adir.json"));
  s.snapshot();
  REQUIRE(s.lathe("master " + s.io() + " --save-preset " + s.path("adir.json")).exit_code != 0);
  s.require_untouched();
  // Both written when both can be: the preset reads back as the settings used.
  const Run ok = s.lathe("master " + s.io() + " -q --set trim_db=-1.5 --save-preset " + s.path("p.json"));
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto saved = lathe::load_preset_file(s.path("p.json"));
  REQUIRE(saved.has_value());
  REQUIRE(saved->params.trim_db == -1.5);
  REQUIRE(lathe::read_audio(s.path("o.wav")).has_value());
}

TEST_CASE("values that used to abort are one-line errors: bad UTF-8, numbers beyond double", "[cli][hostile]") {
  Hostile s;
  for (const std::string key : {"name", "description", "eq.mode", "eq.band1.type", "eq.ch1.band3.type"}) {
    INFO(key);
    require_usage_error(s.lathe("master " + s.io() + " --set " + quoted(key + "=\xff\xfe\xc3")), key);
    s.require_untouched();
  }
  std::ofstream(s.path("big.json")) << "{\"trim_db\": 1e400}";
  std::ofstream(s.path("bigint.json")) << "{\"dither\": {\"seed\": 123456789012345678901234567890}}";
  std::ofstream(s.path("badutf.json")) << "{\"name\": \"\xff\"}";
  s.snapshot();
  for (const char* name : {"big.json", "bigint.json", "badutf.json"}) {
    INFO(name);
    require_usage_error(s.lathe("master " + s.io() + " --preset " + s.path(name)), name);
    require_usage_error(s.lathe("presets " + s.path(name)), name);
    s.require_untouched();
  }
}

TEST_CASE("numbers are strict decimal with documented ranges, NaN and inf only where documented", "[cli][hostile]") {
  Hostile s;
  struct Bad {
    std::string args, mentions;
  };
  for (const Bad& b : std::vector<Bad>{
           {"--target-lufs nan", "target_lufs"},
           {"--target-lufs inf", "target_lufs"},
           {"--set target_lufs=1e308", "out of range"},
           {"--set target_lufs=-1e308", "out of range"},
           {"--set compressor.ratio=-inf", "ratio"},
           {"--set compressor.ratio=nan", "ratio"},
           {"--set compressor.ratio=0.5", "ratio"},
           {"--set trim_db=0x10", "decimal"},
           {"--set 'trim_db= 5'", "decimal"},
           {"--set 'trim_db=5 '", "decimal"},
           {"--set trim_db=5dB", "decimal"},
           {"--set trim_db=", "decimal"},
           {"--set trim_db=1e", "decimal"},
           {"--set trim_db=infinity", "decimal"},
           {"--set eq.band0x1.q=1", "band numbers are 1..8"},
           {"--set eq.band1e0.q=1", "band numbers are 1..8"},
           {"--set eq.band01.q=1", "band numbers are 1..8"},
           {"--set eq.band9.q=1", "band numbers are 1..8"},
           {"--set eq.ch2.band1.q=1", "eq.ch2"},
           {"--set dither.seed=1.5", "whole number"},
           {"--set dither.seed=-1", "whole number"},
           {"--set dither.seed=4294967296", "whole number"},
           {"--set dither.bits=16.0", "16 or 24"},
           {"--bits 20", "16 or 24"},
           {"--ceiling-dbtp 5", "-20 .. 0"},
           {"--set limiter.lookahead_ms=0", "0.1 .. 5"},
           {"--set eq.band1.freq_hz=100000", "freq_hz"},
           {"--set compressor.treshold_db=-3", "did you mean compressor.threshold_db"},
           {"--set limiter=3", "not a single parameter"},
           {"--set noequals", "stage.param=value"},
           {"--preset nonesuch", "nonesuch"},
           {"--device bogus", "auto, model, sim, usb"},
       }) {
    INFO(b.args);
    require_usage_error(s.lathe("master " + s.io() + " " + b.args), b.mentions);
    s.require_untouched();
  }
  // Documented words still work: ratio inf, target off.
  const Run ok = s.lathe("master " + s.io() + " -q --set compressor.ratio=inf --target-lufs off");
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  // A frequency legal at 96 kHz but past 0.49 fs of this 48 kHz file: refused, no audio read.
  s.snapshot();
  require_usage_error(s.lathe("master " + s.io() + " --set eq.band1.type=peak --set eq.band1.freq_hz=30000"),
                      "at 48000 Hz");
  s.require_untouched();
}

TEST_CASE("bypass is never a way past the ceiling", "[cli][hostile]") {
  Hostile s;
  // A hot 16-bit file: square-ish, clipped.
  auto hot = lathe::signals::music_like(3.0, 44100, 9);
  for (auto& v : hot) v = std::clamp(v * 4, -(1 << 23), (1 << 23) - 1) & ~0xff;
  REQUIRE_FALSE(lathe::write_audio(s.path("hot.wav"), {44100, 2, 24}, hot));
  lathe::Preset p = *lathe::builtin_preset("cd");
  p.params.bypass = true;
  REQUIRE_FALSE(lathe::save_preset_file(s.path("bypass.json"), p));
  for (const std::string& args : std::vector<std::string>{"--set bypass=true --preset cd", "--preset " + s.path("bypass.json")}) {
    INFO(args);
    const Run r = s.lathe("master " + s.path("hot.wav") + " " + s.path("out.wav") + " " + args);
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.err + r.out, Catch::Contains("bypass") && Catch::Contains("ignored"));
    const auto out = lathe::read_audio(s.path("out.wav"));
    REQUIRE(out.has_value());
    REQUIRE(out->samples != hot);  // the chain ran
    REQUIRE(lathe::measure_loudness(out->samples, 24, 44100, 2).true_peak_dbtp <= -1.0);
  }
}

TEST_CASE("range errors are reported before a long file is read", "[cli][hostile]") {
  Hostile s;
  // A FIFO as input: reading its audio would block until someone writes to it. The
  // settings check must fail first, so the command returns at once.
  REQUIRE(::mkfifo(s.path("pipe.wav").c_str(), 0600) == 0);
  const Run r = s.shell("timeout 60 " + std::string(LATHE_CLI) + " master " + s.path("pipe.wav") + " " + s.path("o.wav") +
                        " --ceiling-dbtp 5");
  require_usage_error(r, "ceiling_dbtp");
}

TEST_CASE("preset files: not regular, too large, duplicate or contradicting keys", "[cli][hostile]") {
  Hostile s;
  REQUIRE(::mkfifo(s.path("fifo.json").c_str(), 0600) == 0);
  std::ofstream(s.path("huge.json")) << std::string(lathe::kMaxPresetFileBytes + 10, ' ');
  std::ofstream(s.path("dup.json")) << R"({"trim_db": 1, "trim_db": 2})";
  std::ofstream(s.path("dup2.json")) << R"({"limiter": {"ceiling_dbtp": -1, "ceiling_dbtp": -2}})";
  std::ofstream(s.path("contra.json")) << R"({"eq": {"bands": [{"type": "peak"}], "ch0": []}})";
  s.snapshot();
  // /dev/zero would never end; a FIFO would block: both are refused unread.
  for (const auto& [file, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"/dev/zero", "not a regular file"},
           {s.path("fifo.json"), "not a regular file"},
           {s.path("huge.json"), "too large"},
           {s.path("dup.json"), "trim_db: duplicate key"},
           {s.path("dup2.json"), "limiter.ceiling_dbtp: duplicate key"},
           {s.path("contra.json"), "contradicts"},
       }) {
    INFO(file);
    require_usage_error(s.shell("timeout 60 " + std::string(LATHE_CLI) + " presets " + file), mentions);
    require_usage_error(s.shell("timeout 60 " + std::string(LATHE_CLI) + " master " + s.io() + " --preset " + file),
                        mentions);
    s.require_untouched();
  }
  // A partial file takes the documented defaults for what it leaves out.
  std::ofstream(s.path("partial.json")) << R"({"limiter": {"ceiling_dbtp": -2}})";
  auto partial = lathe::load_preset_file(s.path("partial.json"));
  REQUIRE(partial.has_value());
  lathe::Preset expected = lathe::default_preset();
  expected.params.lim.ceiling_dbtp = -2;
  REQUIRE(*partial == expected);
  REQUIRE_FALSE(partial->target_lufs);  // docs/cli.md: a missing target means no loudness search
}

TEST_CASE("usage: exit 2, one line and a hint, -- ends options, per-command help", "[cli][hostile]") {
  Hostile s;
  const Run none = s.lathe("master");
  require_usage_error(none, "IN is required");
  REQUIRE_THAT(none.err, Catch::Contains("lathe master --help"));
  require_usage_error(s.lathe("master " + s.path("a.wav")), "OUT is required");
  require_usage_error(s.lathe("frobnicate"), "unknown command 'frobnicate'");
  require_usage_error(s.lathe("master " + s.io() + " --frobnicate"), "--frobnicate");
  require_usage_error(s.lathe("analyze"), "FILE is required");
  for (const char* cmd : {"master", "analyze", "presets", "settings", "devices"}) {
    const Run help = s.lathe(std::string(cmd) + " --help");
    INFO(cmd);
    REQUIRE(help.exit_code == 0);
    REQUIRE_THAT(help.out, Catch::Contains(std::string("lathe ") + cmd));
  }
  // --opt=value, and a file whose name begins with '-' after `--`.
  fs::copy_file(s.path("a.wav"), s.path("-dash.wav"));
  const Run dash = s.shell("cd " + s.path("") + " && " + LATHE_CLI + " master --preset=cd --set=trim_db=-1 -q -- -dash.wav -out.wav");
  INFO(dash.err);
  REQUIRE(dash.exit_code == 0);
  REQUIRE(fs::exists(s.path("-out.wav")));
}

TEST_CASE("names at the file-system limit work (the temporary name is never longer)", "[cli][hostile]") {
  Hostile s;
  const long name_max = ::pathconf(s.path("").c_str(), _PC_NAME_MAX);
  REQUIRE(name_max > 10);
  const std::string longest = std::string(static_cast<std::size_t>(name_max) - 4, 'x') + ".wav";
  const std::string utf8 = [&] {  // multi-byte characters up to the limit, for the cut
    std::string n;
    while (n.size() + 2 + 4 <= static_cast<std::size_t>(name_max)) n += "\xc3\xa9";
    return n + ".wav";
  }();
  for (const std::string& name : {longest, utf8}) {
    const Run r = s.lathe("master " + s.path("a.wav") + " " + quoted(s.path(name)) + " -q --save-preset " +
                          quoted(s.path(name.substr(0, name.size() - 5) + ".json")));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(lathe::read_audio(s.path(name)).has_value());
    for (const auto& f : s.files()) REQUIRE(f[0] != '.');
  }
}

TEST_CASE("every catchable fatal signal removes the temporary file", "[cli][hostile]") {
  Hostile s;
  // Long enough that the job is still running when the signal comes.
  REQUIRE_FALSE(lathe::write_audio(s.path("long.wav"), {96000, 2, 24}, lathe::signals::music_like(60.0, 96000, 4)));
  s.snapshot();
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGXFSZ, SIGRTMIN + 1}) {
    INFO("signal " << sig);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, 0), ::dup2(devnull, 1), ::dup2(devnull, 2);
      // The test harness may have changed these; the CLI starts as a user's would.
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int k = 1; k < NSIG; ++k) ::signal(k, SIG_DFL);
      ::execl(LATHE_CLI, LATHE_CLI, "master", s.path("long.wav").c_str(), s.path("o.wav").c_str(), "-q",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The event: the job's temporary output appears. (A hang guard only, far above the need.)
    bool saw_temp = false;
    for (int i = 0; i < 600000 && !saw_temp; ++i) {
      for (const auto& name : s.files()) saw_temp = saw_temp || name.rfind(".o.wav.", 0) == 0;
      if (!saw_temp) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    REQUIRE(saw_temp);
    ::kill(child, sig);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == sig);
    s.require_untouched();
  }
}

TEST_CASE("analyze --json on a float file with overs reports the file's own values", "[cli][hostile]") {
  Hostile s;
  const auto music = lathe::signals::music_like(4.0, 48000, 6);
  std::vector<float> overs(music.size());
  for (std::size_t i = 0; i < music.size(); ++i) overs[i] = static_cast<float>(music[i] / 8388608.0 * 2.0);  // +6 dB
  SF_INFO info{};
  info.samplerate = 48000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(s.path("overs.wav").c_str(), SFM_WRITE, &info);
  REQUIRE(f);
  sf_command(f, SFC_SET_CLIPPING, nullptr, SF_FALSE);
  sf_writef_float(f, overs.data(), static_cast<sf_count_t>(overs.size() / 2));
  sf_close(f);
  float peak = 0;
  for (float v : overs) peak = std::max(peak, std::fabs(v));
  const Run r = s.lathe("analyze --json " + s.path("overs.wav"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  // The file's own sample peak, above full scale, not the attenuated one.
  REQUIRE(j.at("sample_peak_dbfs").get<double>() == Approx(20 * std::log10(peak)).margin(0.001));
  REQUIRE(j.at("sample_peak_dbfs").get<double>() > 0.0);
  const Run text = s.lathe("analyze " + s.path("overs.wav"));
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.2f dBFS", 20 * std::log10(peak));
  REQUIRE_THAT(text.out, Catch::Contains(expected));
}

// Random and edge values for every key: never an abort, only 0 or 2; what is accepted
// reads back through --save-preset as the same value.
TEST_CASE("fuzz: --set over every key with random, edge and hostile values", "[cli][hostile]") {
  Hostile s;
  std::mt19937 rng(20261201);
  std::vector<std::string> edge_words = {"nan", "NaN", "inf", "-inf", "+inf", "off", "none", "true", "false", "on", "1",
                                         "0", "-0", "1e308", "-1e308", "1e-320", "0x10", " 1", "1 ", "", "=", "1e",
                                         ".", "-.5", "+.5e1", "١", std::string(5000, '9'), std::string(100000, 'a'),
                                         "\xff", "\xc0\x80", "\xed\xa0\x80", "a\x01" "b", "peak", "mid_side", "16", "24"};
  auto random_bytes = [&](std::size_t n) {
    std::string v;
    for (std::size_t i = 0; i < n; ++i) v += static_cast<char>(rng() % 255 + 1);  // no NUL: argv cannot hold one
    return v;
  };
  int accepted = 0, refused = 0;
  std::vector<std::string> keys;
  for (const auto& info : lathe::setting_infos()) keys.push_back(info.key);
  for (const char* extra : {"eq.band3.gain_db", "comp.ratio", "lim.ceiling_dbtp", "eq.band10.q", "eq", "x.y"})
    keys.push_back(extra);
  for (int i = 0; i < 300; ++i) {
    const std::string key = keys[rng() % keys.size()];
    const lathe::SettingInfo* info = lathe::find_setting(key);
    std::string value;
    switch (rng() % 4) {
      case 0: value = edge_words[rng() % edge_words.size()]; break;
      case 1: value = random_bytes(rng() % 12); break;
      default: {  // at and beyond the range's edges
        const double lo = info ? info->min : -100, hi = info && std::isfinite(info->max) ? info->max : 100;
        const double picks[] = {lo, hi, lo - 1e-9 * std::max(1.0, std::abs(lo)), hi + 1e-9 * std::max(1.0, std::abs(hi)),
                                lo - 1, hi + 1, (lo + hi) / 2, std::nextafter(hi, 1e300)};
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", picks[rng() % 8]);
        value = buf;
      }
    }
    INFO(key << "=" << value.substr(0, 60));
    const Run r = s.lathe("master " + s.io() + " -q --target-lufs off --save-preset " + s.path("fz.json") + " --set " +
                          quoted(key + "=" + value));
    REQUIRE((r.exit_code == 0 || r.exit_code == 2));
    REQUIRE(r.err.find("internal error") == std::string::npos);
    if (r.exit_code == 2) {
      ++refused;
      REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') <= 2);  // the error, perhaps the bypass note
      continue;
    }
    ++accepted;
    // The value reads back: a preset with it, and `--set` of it again, give the same preset.
    auto saved = lathe::load_preset_file(s.path("fz.json"));
    REQUIRE(saved.has_value());
    lathe::Preset direct = *lathe::builtin_preset("streaming");
    direct.target_lufs.reset();
    REQUIRE_FALSE(lathe::apply_setting(direct, key + "=" + value));
    REQUIRE(*saved == direct);
    fs::remove(s.path("fz.json"));
    fs::remove(s.path("o.wav"));
    std::ofstream(s.path("o.wav"), std::ios::binary) << "the previous master";
  }
  // The generator reaches both sides.
  REQUIRE(accepted > 20);
  REQUIRE(refused > 100);
}
