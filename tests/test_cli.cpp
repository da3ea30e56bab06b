// SPDX-License-Identifier: MIT
// The real `lathe` binary on bad and awkward input: one-line errors naming the file,
// non-zero exits, and never a partial output file.
#include <sndfile.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lathe/audio_file.hpp"
#include "lathe/loudness.hpp"
#include "cli_scratch.hpp"
#include "lathe/test_signals.hpp"

namespace fs = std::filesystem;

namespace {

using lathe::test::Run;
using lathe::test::slurp;

class Scratch : public lathe::test::CliScratch {
 public:
  Scratch() : CliScratch("cli") {}
  void write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
  }
  void write_sndfile(const std::string& name, int format, int channels, int rate, const std::vector<double>& interleaved) const {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* f = sf_open(path(name).c_str(), SFM_WRITE, &info);
    REQUIRE(f);
    if (format & SF_FORMAT_FLOAT) sf_command(f, SFC_SET_CLIPPING, nullptr, SF_FALSE);
    sf_writef_double(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
    sf_close(f);
  }
};

void require_one_line_error(const Run& r, const std::string& names) {
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code != 0);
  REQUIRE(r.err.find(names) != std::string::npos);
  REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("bad input files give a one-line error naming the file and leave no output", "[cli]") {
  Scratch s;
  const std::string out = s.path("out.wav");
  s.write_bytes("garbage.wav", std::string(4096, '\x5a'));
  s.write_bytes("empty.wav", "");
  s.write_sndfile("good.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, std::vector<double>(48000 * 2, 0.1));
  s.write_bytes("truncated.wav", slurp(s.path("good.wav")).substr(0, 30));
  s.write_sndfile("three.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 3, 48000, std::vector<double>(4800 * 3, 0.1));
  s.write_sndfile("rate.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 22050, std::vector<double>(4800 * 2, 0.1));
  fs::create_directories(s.path("adir.wav"));

  for (const char* name : {"missing.wav", "garbage.wav", "empty.wav", "truncated.wav", "three.wav", "rate.wav", "adir.wav"}) {
    INFO(name);
    const Run r = s.lathe("master " + s.path(name) + " " + out);
    require_one_line_error(r, name);
    REQUIRE_FALSE(fs::exists(out));
    const Run a = s.lathe("analyze " + s.path(name));
    require_one_line_error(a, name);
  }
}

TEST_CASE("unwritable or unknown outputs fail cleanly and keep what was there", "[cli]") {
  Scratch s;
  s.write_sndfile("in.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, std::vector<double>(48000, 0.1));
  const Run nodir = s.lathe("master " + s.path("in.wav") + " " + s.path("no/such/dir/out.wav"));
  require_one_line_error(nodir, "out.wav");
  REQUIRE_FALSE(fs::exists(s.path("no")));
  const Run ext = s.lathe("master " + s.path("in.wav") + " " + s.path("out.xyz"));
  require_one_line_error(ext, "out.xyz");
  REQUIRE_FALSE(fs::exists(s.path("out.xyz")));

  // A failing job leaves an existing output file exactly as it was.
  s.write_bytes("keep.wav", "previous master");
  s.write_bytes("garbage.wav", std::string(100, '\x01'));
  const Run bad = s.lathe("master " + s.path("garbage.wav") + " " + s.path("keep.wav"));
  REQUIRE(bad.exit_code != 0);
  REQUIRE(slurp(s.path("keep.wav")) == "previous master");
  // Overwriting the input with the output is refused.
  const Run same = s.lathe("master " + s.path("in.wav") + " " + s.path("in.wav"));
  require_one_line_error(same, "in.wav");
  // No temporary files are left behind in the output directory.
  for (const auto& e : fs::directory_iterator(s.path(""))) REQUIRE(e.path().filename().string()[0] != '.');
}

TEST_CASE("bad options and settings are usage errors, before any audio is read", "[cli]") {
  Scratch s;
  s.write_sndfile("in.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, std::vector<double>(4800, 0.1));
  const std::string io = s.path("in.wav") + " " + s.path("out.wav");
  require_one_line_error(s.lathe("master " + io + " --preset nonesuch"), "nonesuch");
  require_one_line_error(s.lathe("master " + io + " --set compressor.ratio=0.5"), "ratio");
  require_one_line_error(s.lathe("master " + io + " --bits 20"), "16 or 24");
  require_one_line_error(s.lathe("master " + io + " --ceiling-dbtp 2"), "ceiling_dbtp");
  require_one_line_error(s.lathe("master " + io + " --device usb"), "usb");
  REQUIRE(s.lathe("master " + io + " --frobnicate").exit_code == 2);
  REQUIRE_FALSE(fs::exists(s.path("out.wav")));
}

TEST_CASE("awkward but valid input masters: silence, one sample, mono, 16-bit, float overs", "[cli]") {
  Scratch s;
  const auto music = lathe::signals::music_like(4.0, 44100, 5);
  std::vector<double> music_d(music.size()), mono_d(music.size() / 2), overs(music.size());
  for (std::size_t i = 0; i < music.size(); ++i) {
    music_d[i] = music[i] / 8388608.0;
    overs[i] = music_d[i] * 2.5;  // +8 dB over full scale, only a float file can hold it
  }
  for (std::size_t i = 0; i < mono_d.size(); ++i) mono_d[i] = music_d[2 * i];
  s.write_sndfile("silence.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, std::vector<double>(96000, 0.0));
  s.write_sndfile("one.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 48000, {0.5, -0.5});
  s.write_sndfile("mono.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1, 44100, mono_d);
  s.write_sndfile("pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, music_d);
  s.write_sndfile("overs.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 44100, overs);
  struct Case { const char* name; int channels; std::size_t frames; bool targeted; };
  for (const Case c : {Case{"silence.wav", 2, 48000, false}, Case{"one.wav", 2, 1, false},
                       Case{"mono.wav", 1, mono_d.size(), true}, Case{"pcm16.wav", 2, music.size() / 2, true},
                       Case{"overs.wav", 2, music.size() / 2, true}}) {
    INFO(c.name);
    const std::string out = s.path(std::string("m-") + c.name);
    const Run r = s.lathe("master " + s.path(c.name) + " " + out + " --preset streaming");
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    auto read = lathe::read_audio(out);
    REQUIRE(read.has_value());
    const auto& a = (*read);
    REQUIRE(a.channels == c.channels);
    REQUIRE(a.frames() == c.frames);
    if (c.targeted) {
      const auto rep = lathe::measure_loudness(a.samples, 24, a.sample_rate, a.channels);
      REQUIRE(std::abs(rep.integrated_lufs - -14.0) <= 0.2);
      REQUIRE(rep.true_peak_dbtp <= -1.0);
    } else {
      REQUIRE(r.out.find("skipped") != std::string::npos);
    }
  }
}

TEST_CASE("analyze prints loudness, range, maxima and peaks, as text or JSON", "[cli]") {
  Scratch s;
  const auto music = lathe::signals::music_like(5.0, 48000, 2);
  REQUIRE_FALSE(lathe::write_audio(s.path("m.wav"), {48000, 2, 24}, music));
  const Run text = s.lathe("analyze " + s.path("m.wav"));
  REQUIRE(text.exit_code == 0);
  for (const char* word : {"LUFS", "LU", "dBTP", "dBFS"}) REQUIRE(text.out.find(word) != std::string::npos);
  const Run json = s.lathe("analyze --json " + s.path("m.wav"));
  REQUIRE(json.exit_code == 0);
  const auto expect = lathe::measure_loudness(music, 24, 48000, 2);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.at("integrated_lufs").get<double>() == Approx(expect.integrated_lufs).margin(0.01));
  REQUIRE(j.at("loudness_range_lu").get<double>() == Approx(expect.range_lu).margin(0.01));
  REQUIRE(j.at("true_peak_dbtp").get<double>() == Approx(expect.true_peak_dbtp).margin(0.01));
  REQUIRE(j.at("sample_peak_dbfs").get<double>() == Approx(expect.sample_peak_dbfs).margin(0.01));
  REQUIRE(j.at("shortterm_max_lufs").get<double>() >= j.at("integrated_lufs").get<double>());
  REQUIRE(j.at("momentary_max_lufs").get<double>() >= j.at("shortterm_max_lufs").get<double>());
}

TEST_CASE("progress goes to stderr on a terminal and nowhere otherwise", "[cli]") {
  Scratch s;
  REQUIRE_FALSE(lathe::write_audio(s.path("in.wav"), {48000, 2, 24}, lathe::signals::music_like(30.0, 48000, 2)));
  // Not a terminal: no progress line, the report on stdout.
  const Run plain = s.lathe("master " + s.path("in.wav") + " " + s.path("a.wav"));
  REQUIRE(plain.exit_code == 0);
  REQUIRE(plain.err.find('%') == std::string::npos);
  REQUIRE(plain.out.find("integrated") != std::string::npos);
  // A terminal (script(1) gives the command a pseudo-terminal): a bar with percentages.
  if (std::system("command -v script >/dev/null 2>&1") != 0) return;
  const std::string cmd = "script -qec '" + std::string(LATHE_CLI) + " master " + s.path("in.wav") + " " +
                          s.path("b.wav") + "' /dev/null";
  const Run tty = s.shell(cmd);
  REQUIRE(tty.exit_code == 0);
  REQUIRE(tty.out.find("100%") != std::string::npos);
  REQUIRE(tty.out.find("limiting") != std::string::npos);
}

// Machines without boards (CI): the usb back end says what it looked for; its options are
// checked like the others.
TEST_CASE("devices and the usb options without a board attached", "[cli][driver]") {
  Scratch s;
  const Run devices = s.lathe("devices");
  REQUIRE(devices.exit_code == 0);
  REQUIRE_THAT(devices.out, Catch::Contains("usb     no board attached (looking for 0403:6014)"));
  REQUIRE(s.lathe("devices --watch soon").exit_code == 2);
  REQUIRE(s.lathe("devices --frobnicate").exit_code == 2);

  s.write_sndfile("in.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, std::vector<double>(4800, 0.1));
  const std::string io = s.path("in.wav") + " " + s.path("out.wav");
  REQUIRE(s.lathe("master " + io + " --device model --wait-for-board 1").exit_code == 2);
  REQUIRE(s.lathe("master " + io + " --device usb --wait-for-board -1").exit_code == 2);
  require_one_line_error(s.lathe("master " + io + " --device usb:LT-0042 -q"), "no board with serial LT-0042");
  const Run waited = s.lathe("master " + io + " --device usb --wait-for-board 0.2 -q");
  require_one_line_error(waited, "no board attached within 0.2 s (looking for 0403:6014)");
  REQUIRE_FALSE(fs::exists(s.path("out.wav")));
}
