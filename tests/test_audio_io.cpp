// SPDX-License-Identifier: MIT
// Audio file reading and writing, and the loudness meters, against known answers.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "lathe/audio_file.hpp"
#include "lathe/loudness.hpp"

namespace fs = std::filesystem;
using lathe::AudioBuffer;
using lathe::Errc;
using FileError = lathe::Error;

namespace {

constexpr int32_t kMax24 = (1 << 23) - 1;

// A fresh directory under /tmp per test case, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/lathe_test_io.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
};

// Interleaved stereo frames of uniformly random values of `bits` width, with both
// extremes included so that the full range is exercised.
std::vector<int32_t> random_frames(std::size_t frames, int bits, unsigned seed) {
  const int32_t hi = (int32_t{1} << (bits - 1)) - 1;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(-hi - 1, hi);
  std::vector<int32_t> v(frames * 2);
  for (auto& x : v) x = dist(rng);
  v[0] = hi;
  v[1] = -hi - 1;
  return v;
}

// Stereo frames of a sine, amplitude relative to 24-bit full scale, rounded.
std::vector<int32_t> sine_frames(double freq_hz, double amplitude, int sample_rate,
                                 double seconds, bool both_channels = true,
                                 double phase = 0.0) {
  const auto frames = static_cast<std::size_t>(seconds * sample_rate);
  std::vector<int32_t> v(frames * 2, 0);
  for (std::size_t i = 0; i < frames; ++i) {
    const double x =
        amplitude * std::sin(2.0 * std::numbers::pi * freq_hz * i / sample_rate + phase);
    const auto s = static_cast<int32_t>(
        std::lround(std::clamp(x * 8388608.0, -8388608.0, double{kMax24})));
    v[2 * i] = s;
    v[2 * i + 1] = both_channels ? s : 0;
  }
  return v;
}

// By value: callers pass read_audio's result straight in, a temporary.
AudioBuffer require_buffer(lathe::Result<AudioBuffer> r) {
  if (!r) FAIL("unexpected error: " << r.error().message());
  return std::move(*r);
}

FileError require_error(lathe::Result<AudioBuffer> r) {
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

// Writes a file straight through libsndfile, for inputs write_audio cannot make.
void write_with_sndfile(const std::string& path, int format, int channels, int rate,
                        const std::vector<double>& interleaved) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(f != nullptr);
  const sf_count_t frames = static_cast<sf_count_t>(interleaved.size()) / channels;
  REQUIRE(sf_writef_double(f, interleaved.data(), frames) == frames);
  REQUIRE(sf_close(f) == 0);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Reading and writing

TEST_CASE("16-bit round trip is exact", "[io]") {
  TempDir dir;
  const auto frames = random_frames(30000, 16, 1);
  for (const char* name : {"a.wav", "b.flac"}) {
    INFO(name);
    REQUIRE_FALSE(lathe::write_audio(dir.file(name), {44100, 2, 16}, frames));
    const AudioBuffer b = require_buffer(lathe::read_audio(dir.file(name)));
    CHECK(b.sample_rate == 44100);
    CHECK(b.channels == 2);
    CHECK(b.source_bits == 16);
    CHECK_FALSE(b.source_float);
    CHECK(b.input_gain_db == 0.0);
    REQUIRE(b.samples.size() == frames.size());
    // Reading returns 24-bit values: 16-bit ones are the same numbers shifted up 8 bits.
    for (std::size_t i = 0; i < frames.size(); ++i) REQUIRE(b.samples[i] == frames[i] * 256);
  }
}

TEST_CASE("24-bit round trip is exact in every container", "[io]") {
  TempDir dir;
  const auto frames = random_frames(20000, 24, 2);
  for (const char* name : {"a.wav", "b.flac", "c.aiff", "d.aif", "e.w64", "f.WAV"}) {
    INFO(name);
    REQUIRE_FALSE(lathe::write_audio(dir.file(name), {96000, 2, 24}, frames));
    const AudioBuffer b = require_buffer(lathe::read_audio(dir.file(name)));
    CHECK(b.sample_rate == 96000);
    CHECK(b.source_bits == 24);
    CHECK(b.samples == frames);
  }
  // Only the outputs: no temporary files left behind.
  CHECK(dir.entries() ==
        std::vector<std::string>{"a.wav", "b.flac", "c.aiff", "d.aif", "e.w64", "f.WAV"});
}

TEST_CASE("mono files are written from the left channel and read as L = R", "[io]") {
  TempDir dir;
  const auto frames = random_frames(5000, 24, 4);
  REQUIRE_FALSE(lathe::write_audio(dir.file("m.wav"), {48000, 1, 24}, frames));

  SF_INFO info{};
  SNDFILE* f = sf_open(dir.file("m.wav").c_str(), SFM_READ, &info);
  REQUIRE(f != nullptr);
  CHECK(info.channels == 1);
  sf_close(f);

  const AudioBuffer b = require_buffer(lathe::read_audio(dir.file("m.wav")));
  CHECK(b.channels == 1);
  REQUIRE(b.frames() == 5000);
  for (std::size_t i = 0; i < b.frames(); ++i) {
    REQUIRE(b.samples[2 * i] == frames[2 * i]);
    REQUIRE(b.samples[2 * i + 1] == frames[2 * i]);
  }
}

TEST_CASE("float files within full scale are read without attenuation", "[io]") {
  TempDir dir;
  std::vector<double> x(2 * 4800);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.01 * i) * 0.9;
  write_with_sndfile(dir.file("f.wav"), SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 2, 48000, x);
  const AudioBuffer b = require_buffer(lathe::read_audio(dir.file("f.wav")));
  CHECK(b.source_float);
  CHECK(b.source_bits == 64);
  CHECK(b.input_gain_db == 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    REQUIRE(b.samples[i] == static_cast<int32_t>(std::lround(x[i] * 8388608.0)));
  }
}

TEST_CASE("float files with overs are attenuated, not clipped", "[io]") {
  TempDir dir;
  const double over = std::pow(10.0, 3.0 / 20.0);  // peaks at +3 dBFS
  std::vector<double> x(2 * 48000);
  for (std::size_t i = 0; i < x.size() / 2; ++i) {
    x[2 * i] = over * std::sin(2.0 * std::numbers::pi * 997.0 * i / 48000.0);
    x[2 * i + 1] = 0.5 * x[2 * i];
  }
  write_with_sndfile(dir.file("hot.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 48000, x);
  const AudioBuffer b = require_buffer(lathe::read_audio(dir.file("hot.wav")));
  CHECK(b.source_float);
  CHECK(b.source_bits == 32);
  // 3 dB of overs: the smallest 0.1 dB step that fits is -3.0 (or -3.1 if the float
  // rounding of the file put the peak a hair above +3.0 dB).
  CHECK(b.input_gain_db <= -3.0 + 1e-9);
  CHECK(b.input_gain_db >= -3.1 - 1e-9);
  // Every sample is the source scaled by the reported gain: nothing was clipped.
  const double gain = std::pow(10.0, b.input_gain_db / 20.0);
  int32_t peak = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double expected = static_cast<float>(x[i]) * gain * 8388608.0;
    REQUIRE(std::fabs(b.samples[i] - expected) <= 1.0);
    peak = std::max(peak, std::abs(b.samples[i]));
  }
  CHECK(peak <= kMax24);
  CHECK(peak > 0.98 * kMax24);  // brought down to full scale, not further
}

TEST_CASE("files with more than two channels are rejected", "[io]") {
  TempDir dir;
  write_with_sndfile(dir.file("three.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 3, 48000,
                     std::vector<double>(300, 0.25));
  const FileError e = require_error(lathe::read_audio(dir.file("three.wav")));
  CHECK(e.code() == Errc::kUnsupportedChannels);
  CHECK(e.message() == dir.file("three.wav") + ": 3 channels; Lathe masters mono or stereo files");
}

TEST_CASE("unsupported sample rates are rejected with the supported list", "[io]") {
  TempDir dir;
  REQUIRE_FALSE(lathe::write_audio(dir.file("low.wav"), {22050, 2, 16}, random_frames(100, 16, 5)));
  const FileError e = require_error(lathe::read_audio(dir.file("low.wav")));
  CHECK(e.code() == Errc::kUnsupportedRate);
  CHECK(e.message() == dir.file("low.wav") +
                         ": sample rate 22050 Hz is not supported (use 44100, 48000, 88200, "
                         "96000, 176400 or 192000 Hz)");
}

TEST_CASE("files that are not audio are rejected with libsndfile's reason", "[io]") {
  TempDir dir;
  std::string garbage(4096, '\0');
  std::mt19937 rng(6);
  for (auto& c : garbage) c = static_cast<char>(rng());
  write_bytes(dir.file("noise.wav"), garbage);
  const FileError e = require_error(lathe::read_audio(dir.file("noise.wav")));
  CHECK(e.code() == Errc::kUnsupportedFormat);
  CHECK_THAT(e.message(),
             Catch::StartsWith(dir.file("noise.wav") + ": not a supported audio file ("));
  CHECK_THAT(e.message(), Catch::EndsWith(")"));
  CHECK(e.message().find('\n') == std::string::npos);
}

TEST_CASE("a truncated WAV header is rejected", "[io]") {
  TempDir dir;
  REQUIRE_FALSE(
      lathe::write_audio(dir.file("full.wav"), {48000, 2, 24}, random_frames(100, 24, 7)));
  write_bytes(dir.file("cut.wav"), read_bytes(dir.file("full.wav")).substr(0, 30));
  const FileError e = require_error(lathe::read_audio(dir.file("cut.wav")));
  CHECK(e.code() == Errc::kUnsupportedFormat);
  CHECK_THAT(e.message(), Catch::StartsWith(dir.file("cut.wav") + ": not a supported audio file ("));
}

TEST_CASE("a WAV with no frames is rejected", "[io]") {
  TempDir dir;
  REQUIRE_FALSE(lathe::write_audio(dir.file("empty.wav"), {48000, 2, 24}, {}));
  const FileError e = require_error(lathe::read_audio(dir.file("empty.wav")));
  CHECK(e.code() == Errc::kNoAudio);
  CHECK(e.message() == dir.file("empty.wav") + ": no audio frames");
}

TEST_CASE("missing files and directories are rejected with the system's reason", "[io]") {
  TempDir dir;
  const FileError missing = require_error(lathe::read_audio(dir.file("nope.wav")));
  CHECK(missing.code() == Errc::kCannotOpen);
  CHECK(missing.message() == dir.file("nope.wav") + ": No such file or directory");
  const FileError directory = require_error(lathe::read_audio(dir.path.string()));
  CHECK(directory.code() == Errc::kCannotOpen);
  CHECK(directory.message() == dir.path.string() + ": Is a directory");
}

TEST_CASE("writing into a missing directory fails and creates nothing", "[io]") {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/out.wav");
  const auto e = lathe::write_audio(path, {48000, 2, 24}, random_frames(100, 24, 8));
  REQUIRE(e);
  CHECK(e.code() == Errc::kWriteFailed);
  CHECK_THAT(e.message(), Catch::StartsWith(path + ": "));
  CHECK_THAT(e.message(), Catch::Contains("No such file or directory"));
  CHECK(dir.entries().empty());
}

TEST_CASE("an unknown output extension is refused before anything is written", "[io]") {
  TempDir dir;
  for (const char* name : {"out.xyz", "out", "dir.wav/out"}) {
    const auto e = lathe::write_audio(dir.file(name), {48000, 2, 24}, random_frames(10, 24, 9));
    REQUIRE(e);
    CHECK(e.code() == Errc::kUnknownOutputFormat);
    CHECK(e.message() ==
          dir.file(name) + ": unknown output format (use .wav, .flac, .aiff or .w64)");
  }
  CHECK(dir.entries().empty());
}

TEST_CASE("output paths are checked up front without leaving anything", "[io]") {
  TempDir dir;
  CHECK_FALSE(lathe::check_output_path(dir.file("ok.flac")));
  const auto unknown = lathe::check_output_path(dir.file("out.mp3"));
  REQUIRE(unknown);
  CHECK(unknown.code() == Errc::kUnknownOutputFormat);
  const auto missing_dir = lathe::check_output_path(dir.file("nodir/out.wav"));
  REQUIRE(missing_dir);
  CHECK(missing_dir.code() == Errc::kWriteFailed);
  CHECK_THAT(missing_dir.message(), Catch::Contains("No such file or directory"));
  fs::create_directory(dir.path / "taken.wav");
  const auto directory = lathe::check_output_path(dir.file("taken.wav"));
  REQUIRE(directory);
  CHECK(directory.message() == dir.file("taken.wav") + ": Is a directory");
  CHECK(dir.entries() == std::vector<std::string>{"taken.wav"});
}

TEST_CASE("sample values wider than the output are refused", "[io]") {
  TempDir dir;
  std::vector<int32_t> frames = random_frames(10, 16, 10);
  frames[7] = 40000;
  const auto e = lathe::write_audio(dir.file("out.wav"), {48000, 2, 16}, frames);
  REQUIRE(e);
  CHECK(e.code() == Errc::kInvalidArgument);
  CHECK_THAT(e.message(), Catch::Contains("sample 7 = 40000"));
  CHECK(dir.entries().empty());
}

TEST_CASE("a successful write replaces an existing file", "[io]") {
  TempDir dir;
  write_bytes(dir.file("out.wav"), "old content");
  const auto frames = random_frames(1000, 24, 11);
  REQUIRE_FALSE(lathe::write_audio(dir.file("out.wav"), {48000, 2, 24}, frames));
  CHECK(require_buffer(lathe::read_audio(dir.file("out.wav"))).samples == frames);
  CHECK(dir.entries() == std::vector<std::string>{"out.wav"});
}

// The file system refuses to grow a file past RLIMIT_FSIZE, which makes a write fail
// part way through just like a full disk does.
TEST_CASE("a write that fails part way leaves the existing file intact", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.wav");
  write_bytes(path, "the previous master");

  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG, not a core dump
  rlimit limited = saved;
  limited.rlim_cur = 64 * 1024;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  const auto e = lathe::write_audio(path, {48000, 2, 24}, random_frames(100000, 24, 12));
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  REQUIRE(e);
  CHECK(e.code() == Errc::kWriteFailed);
  CHECK_THAT(e.message(), Catch::StartsWith(path + ": write failed ("));
  CHECK(read_bytes(path) == "the previous master");
  CHECK(dir.entries() == std::vector<std::string>{"out.wav"});
}

// A child process starts a long write and is sent SIGTERM while its temporary file
// exists: it must die by SIGTERM and leave no temporary file behind.
TEST_CASE("SIGTERM during a write removes the temporary file", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.wav");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    lathe::install_cleanup_signal_handlers();
    const std::vector<int32_t> frames(2 * 10'000'000, 1000);  // 60 MB of output
    const auto e = lathe::write_audio(path, {48000, 2, 24}, frames);
    ::_exit(e ? 2 : 0);
  }

  // Wait for the temporary file to appear, then interrupt.
  bool saw_temp = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!saw_temp && std::chrono::steady_clock::now() < deadline) {
    for (const auto& name : dir.entries()) saw_temp = saw_temp || name.starts_with(".out.wav.");
    if (!saw_temp) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(child, SIGTERM);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);

  REQUIRE(saw_temp);
  if (WIFEXITED(status)) {
    // The write won the race; the invariant still holds: a complete file, no temporary.
    WARN("the child finished its write before SIGTERM arrived");
    CHECK(dir.entries() == std::vector<std::string>{"out.wav"});
  } else {
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK(dir.entries().empty());
  }
}

// ---------------------------------------------------------------------------------
// Loudness (BS.1770 reference values: a full-scale 997 Hz sine in one channel reads
// -3.01 LUFS, so the same sine in both channels of a stereo file reads 0.0 LUFS)

TEST_CASE("a full-scale 997 Hz sine in both channels reads 0 LUFS", "[io]") {
  const auto frames = sine_frames(997.0, 1.0, 48000, 10.0);
  const lathe::LoudnessReport r = lathe::measure_loudness(frames, 24, 48000, 2);
  CHECK(r.integrated_lufs == Approx(0.0).margin(0.1));
  CHECK(r.shortterm_max_lufs == Approx(0.0).margin(0.1));
  CHECK(r.momentary_max_lufs == Approx(0.0).margin(0.1));
  CHECK(r.range_lu == Approx(0.0).margin(0.1));
  CHECK(r.sample_peak_dbfs == Approx(0.0).margin(0.01));
  CHECK(r.true_peak_dbtp == Approx(0.0).margin(0.1));
  CHECK(r.duration_s == Approx(10.0));
  CHECK(lathe::integrated_loudness(frames, 24, 48000, 2) == Approx(r.integrated_lufs).margin(1e-9));
}

TEST_CASE("loudness scales with level and counts channels", "[io]") {
  // -20 dBFS in both channels: -20 LUFS.
  const auto stereo = sine_frames(997.0, 0.1, 44100, 10.0);
  CHECK(lathe::integrated_loudness(stereo, 24, 44100, 2) == Approx(-20.0).margin(0.1));
  // The same sine in the left channel only: 3.01 dB less.
  const auto left_only = sine_frames(997.0, 1.0, 48000, 10.0, false);
  CHECK(lathe::integrated_loudness(left_only, 24, 48000, 2) == Approx(-3.01).margin(0.1));
  // A mono file measures its one channel alone, not as dual mono.
  const auto mono = sine_frames(997.0, 1.0, 96000, 10.0);
  CHECK(lathe::integrated_loudness(mono, 24, 96000, 1) == Approx(-3.01).margin(0.1));
  // 16-bit values are scaled by their own width.
  auto sixteen = sine_frames(997.0, 1.0, 48000, 10.0);
  for (auto& v : sixteen) v /= 256;
  CHECK(lathe::integrated_loudness(sixteen, 16, 48000, 2) == Approx(0.0).margin(0.1));
}

TEST_CASE("short-term and momentary maxima find a loud passage", "[io]") {
  // 10 s at -30 dBFS with a 1 s burst at -10 dBFS in the middle.
  auto frames = sine_frames(997.0, std::pow(10.0, -30.0 / 20.0), 48000, 10.0);
  const auto burst = sine_frames(997.0, std::pow(10.0, -10.0 / 20.0), 48000, 1.0);
  std::copy(burst.begin(), burst.end(), frames.begin() + 2 * 48000 * 5);
  const lathe::LoudnessReport r = lathe::measure_loudness(frames, 24, 48000, 2);
  CHECK(r.momentary_max_lufs == Approx(-10.0).margin(0.1));  // 400 ms fits in the burst
  // 3 s window: 1 s at -10 and 2 s at -30 dB (power average).
  const double shortterm = 10.0 * std::log10((1.0 * 0.1 + 2.0 * 0.001) / 3.0);
  CHECK(r.shortterm_max_lufs == Approx(shortterm).margin(0.2));
  CHECK(r.range_lu > 5.0);
}

TEST_CASE("silence measures as -inf and renders as -inf / null", "[io]") {
  const std::vector<int32_t> silence(2 * 48000 * 2, 0);
  const lathe::LoudnessReport r = lathe::measure_loudness(silence, 24, 48000, 2);
  CHECK(std::isinf(r.integrated_lufs));
  CHECK(r.integrated_lufs < 0);
  CHECK(std::isinf(r.sample_peak_dbfs));
  CHECK(std::isinf(r.true_peak_dbtp));
  CHECK(r.duration_s == Approx(2.0));

  const std::string text = lathe::format_report_text(r);
  CHECK_THAT(text, Catch::Contains("Integrated loudness") && Catch::Contains("-inf LUFS") &&
                       Catch::Contains("-inf dBTP") && Catch::Contains("2.000 s"));
  const auto json = nlohmann::json::parse(lathe::format_report_json(r));
  CHECK(json["integrated_lufs"].is_null());
  CHECK(json["true_peak_dbtp"].is_null());
  CHECK(json["duration_s"].get<double>() == Approx(2.0));
}

TEST_CASE("report renderings carry every measurement", "[io]") {
  const lathe::LoudnessReport r{-14.04, 6.25, -10.5, -8.0, -1.234, -0.987, 183.4, -0.912};
  const std::string text = lathe::format_report_text(r);
  CHECK(text ==
        "Integrated loudness       -14.0 LUFS\n"
        "Loudness range              6.2 LU\n"
        "Short-term max            -10.5 LUFS\n"
        "Momentary max              -8.0 LUFS\n"
        "Sample peak               -1.23 dBFS\n"
        "True peak                 -0.99 dBTP (BS.1770-4, 4x)\n"
        "Reconstruction peak       -0.91 dBTP (32x sinc)\n"
        "Duration                183.400 s\n");
  const auto json = nlohmann::json::parse(lathe::format_report_json(r));
  CHECK(json.size() == 10);
  CHECK(json["reconstruction_peak_dbtp"].get<double>() == -0.912);
  CHECK_THAT(json["true_peak_meter"].get<std::string>(), Catch::Contains("BS.1770-4"));
  CHECK_THAT(json["reconstruction_peak_meter"].get<std::string>(), Catch::Contains("32x"));
  CHECK(json["integrated_lufs"].get<double>() == -14.04);
  CHECK(json["loudness_range_lu"].get<double>() == 6.25);
  CHECK(json["shortterm_max_lufs"].get<double>() == -10.5);
  CHECK(json["momentary_max_lufs"].get<double>() == -8.0);
  CHECK(json["sample_peak_dbfs"].get<double>() == -1.234);
  CHECK(json["true_peak_dbtp"].get<double>() == -0.987);
  CHECK(json["duration_s"].get<double>() == 183.4);
}

TEST_CASE("true peak sees the inter-sample peak of an fs/4 sine at 45 degrees", "[io]") {
  // sin(2 pi n / 4 + pi / 4) samples are +-0.7071 of the amplitude: with amplitude
  // 0.5 * sqrt(2) every sample is +-0.5 (-6.02 dBFS) and the peak between them is
  // 0.7071 (-3.01 dBTP), 3.01 dB above the sample peak. 192 kHz is left out: libebur128
  // does not oversample there (BS.1770 asks for a 192 kHz interpolated rate).
  for (const int rate : {44100, 48000, 88200, 96000, 176400}) {
    INFO(rate);
    auto frames = sine_frames(rate / 4.0, 0.5 * std::numbers::sqrt2, rate, 2.0, true,
                              std::numbers::pi / 4.0);
    // A sine switched on at full level rings in any reconstruction filter; fade it in
    // and out so that the meter sees the steady state the expected value describes.
    const std::size_t fade = rate / 50;
    const std::size_t n = frames.size() / 2;
    for (std::size_t i = 0; i < fade; ++i) {
      for (const std::size_t frame : {i, n - 1 - i}) {
        frames[2 * frame] = static_cast<int32_t>(frames[2 * frame] * (double(i) / fade));
        frames[2 * frame + 1] = frames[2 * frame];
      }
    }
    const double sample_peak = lathe::measure_loudness(frames, 24, rate, 2).sample_peak_dbfs;
    CHECK(sample_peak == Approx(-6.02).margin(0.01));
    CHECK(lathe::true_peak_dbtp(frames, 24, rate, 2) == Approx(-3.01).margin(0.2));
    CHECK(lathe::true_peak_dbtp(frames, 24, rate, 1) == Approx(-3.01).margin(0.2));
  }
}

TEST_CASE("invalid measurement arguments give NaN, not a crash", "[io]") {
  const auto frames = sine_frames(997.0, 0.5, 48000, 1.0);
  CHECK(std::isnan(lathe::integrated_loudness(frames, 24, 48000, 3)));
  CHECK(std::isnan(lathe::integrated_loudness(frames, 0, 48000, 2)));
  CHECK(std::isnan(lathe::true_peak_dbtp(frames, 24, 0, 2)));
  CHECK(std::isnan(lathe::measure_loudness({1, 2, 3}, 24, 48000, 2).integrated_lufs));
}
