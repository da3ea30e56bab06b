// SPDX-License-Identifier: MIT
// Audio files through libsndfile: streaming decode to 24-bit stereo, streaming atomic
// writes, and the whole-file helpers built on them.
#include "lathe/audio_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <system_error>

#include "lathe/params.hpp"  // kSupportedRates

namespace lathe {
namespace {

constexpr double kFullScale24 = 8388608.0;  // 2^23
constexpr int32_t kMax24 = (1 << 23) - 1;
constexpr int32_t kMin24 = -(1 << 23);
// Frames per libsndfile call: big enough to amortise the calls, small enough to stay
// in cache.
constexpr std::size_t kChunkFrames = 8192;

Error file_error(const std::string& path, Errc code, const std::string& reason) {
  return Error(code, path + ": " + reason);
}


std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Sample width of an encoding, for reports; 0 where the encoding has none.
int source_bits_of(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_DPCM_8:
      return 8;
    case SF_FORMAT_DWVW_12:
      return 12;
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_DPCM_16:
    case SF_FORMAT_DWVW_16:
    case SF_FORMAT_ALAC_16:
      return 16;
    case SF_FORMAT_ALAC_20:
      return 20;
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_DWVW_24:
    case SF_FORMAT_ALAC_24:
      return 24;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_ALAC_32:
    case SF_FORMAT_FLOAT:
      return 32;
    case SF_FORMAT_DOUBLE:
      return 64;
    default:
      return 0;
  }
}

bool is_float_format(int format) {
  const int sub = format & SF_FORMAT_SUBMASK;
  return sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
}

std::string supported_rates_text() {
  std::string text;
  for (std::size_t i = 0; i < kSupportedRates.size(); ++i) {
    if (i > 0) text += i + 1 == kSupportedRates.size() ? " or " : ", ";
    text += std::to_string(kSupportedRates[i]);
  }
  return text + " Hz";
}

// Smallest whole multiple of 0.1 dB of attenuation that brings `peak` (> 1) to <= 1.
double overs_attenuation_db(double peak) {
  auto fits = [peak](int tenths) { return peak * std::pow(10.0, -tenths / 200.0) <= 1.0; };
  int tenths = static_cast<int>(std::ceil(200.0 * std::log10(peak)));
  // The logarithm can land a hair either side of a whole tenth; settle it exactly.
  while (!fits(tenths)) ++tenths;
  while (tenths > 1 && fits(tenths - 1)) --tenths;
  return -tenths / 10.0;
}

std::optional<int> container_for(const std::string& path, std::size_t data_bytes) {
  const std::string base = base_name(path);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string::npos) return {};
  std::string ext = base.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "wav") {
    // A WAV header counts bytes in 32 bits; past that (an hour of 192 kHz stereo) the
    // only valid .wav is RF64. Below it, plain WAV, which every player reads. The
    // margin leaves room for the header chunks.
    constexpr std::size_t kWavDataLimit = 0xFFFFFFFFu - (1u << 20);
    return data_bytes > kWavDataLimit ? SF_FORMAT_RF64 : SF_FORMAT_WAV;
  }
  if (ext == "flac") return SF_FORMAT_FLAC;
  if (ext == "aif" || ext == "aiff") return SF_FORMAT_AIFF;
  if (ext == "w64") return SF_FORMAT_W64;
  return {};
}

Error unknown_format_error(const std::string& path) {
  return file_error(path, Errc::kUnknownOutputFormat, "unknown output format (use .wav, .flac, .aiff or .w64)");
}

}  // namespace

int32_t quantise_24(double x) {
  // Clamp in double before converting so that no value can overflow the cast.
  const double scaled = std::nearbyint(x * kFullScale24);
  return static_cast<int32_t>(std::clamp(scaled, double{kMin24}, double{kMax24}));
}

// ---------------------------------------------------------------------------------
// Reading

AudioReader::AudioReader(AudioReader&& o) noexcept { *this = std::move(o); }

AudioReader& AudioReader::operator=(AudioReader&& o) noexcept {
  if (this != &o) {
    if (snd_) sf_close(snd_);
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    snd_ = o.snd_;
    format_ = o.format_;
    gain_ = o.gain_;
    chunk_ = std::move(o.chunk_);
    o.fd_ = -1;
    o.snd_ = nullptr;
  }
  return *this;
}

AudioReader::~AudioReader() {
  if (snd_) sf_close(snd_);
  if (fd_ >= 0) ::close(fd_);
}

Result<AudioFormat> AudioReader::probe(const std::string& path) {
  auto r = open_header(path);
  if (!r) return failure(r.error());
  return r->format();
}

Result<AudioReader> AudioReader::open(const std::string& path, bool attenuate_overs) {
  auto opened = open_header(path);
  if (!opened) return failure(opened.error());
  AudioReader& r = *opened;
  // Integer PCM never goes above full scale; a float source may, and then needs its
  // peak before the first frame is delivered: one scan, then back to the start.
  if (r.format_.source_float && attenuate_overs) {
    double peak = 0.0;
    std::size_t frames_seen = 0;
    for (;;) {
      auto got = r.read_doubles(kChunkFrames);
      if (!got) return failure(got.error());
      if (*got == 0) break;
      frames_seen += *got;
      for (std::size_t i = 0; i < *got * static_cast<std::size_t>(r.format_.channels); ++i)
        peak = std::max(peak, std::fabs(r.chunk_[i]));
    }
    if (frames_seen == 0) return failure(file_error(path, Errc::kNoAudio, "no audio frames"));
    if (peak > 1.0) {
      r.format_.input_gain_db = overs_attenuation_db(peak);
      r.gain_ = std::pow(10.0, r.format_.input_gain_db / 20.0);
    }
    if (auto e = r.rewind()) return failure(e);
  }
  return opened;
}

Result<AudioReader> AudioReader::open_header(const std::string& path) {
  AudioReader r;
  r.path_ = path;
  // Open the descriptor ourselves: errno then names why a file is missing or
  // unreadable, where sf_open would only say "System error".
  r.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r.fd_ < 0) return failure(file_error(path, Errc::kCannotOpen, errno_text(errno)));
  struct stat st {};
  if (::fstat(r.fd_, &st) == 0 && S_ISDIR(st.st_mode)) return failure(file_error(path, Errc::kCannotOpen, errno_text(EISDIR)));

  SF_INFO info{};
  // close_desc = false: the reader owns the descriptor on every path.
  r.snd_ = sf_open_fd(r.fd_, SFM_READ, &info, SF_FALSE);
  if (!r.snd_) {
    // sf_strerror(nullptr) is libsndfile's only report of why an open failed.
    return failure(file_error(path, Errc::kUnsupportedFormat,
                              std::string("not a supported audio file (") + sf_strerror(nullptr) + ")"));
  }
  if (info.channels != 1 && info.channels != 2)
    return failure(file_error(path, Errc::kUnsupportedChannels,
                              std::to_string(info.channels) + " channels; Lathe masters mono or stereo files"));
  if (!is_supported_rate(info.samplerate))
    return failure(file_error(path, Errc::kUnsupportedRate,
                              "sample rate " + std::to_string(info.samplerate) + " Hz is not supported (use " +
                                  supported_rates_text() + ")"));
  if (info.frames == 0) return failure(file_error(path, Errc::kNoAudio, "no audio frames"));

  r.format_.sample_rate = info.samplerate;
  r.format_.channels = info.channels;
  r.format_.source_bits = source_bits_of(info.format);
  r.format_.source_float = is_float_format(info.format);
  r.format_.frames = info.frames;
  r.chunk_.resize(kChunkFrames * static_cast<std::size_t>(info.channels));
  // Normalised doubles: integer PCM arrives as value / 2^(bits-1), so PCM up to 24 bits
  // scales back to its exact integers, and float data arrives as stored.
  sf_command(r.snd_, SFC_SET_NORM_DOUBLE, nullptr, SF_TRUE);

  return r;
}

Result<std::size_t> AudioReader::read_doubles(std::size_t frames) {
  const sf_count_t got = sf_readf_double(snd_, chunk_.data(), static_cast<sf_count_t>(frames));
  if (got < 0 || (got == 0 && sf_error(snd_) != SF_ERR_NO_ERROR))
    return failure(file_error(path_, Errc::kReadFailed, std::string("read failed (") + sf_strerror(snd_) + ")"));
  const std::size_t n = static_cast<std::size_t>(got) * static_cast<std::size_t>(format_.channels);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(chunk_[i]))
      return failure(file_error(path_, Errc::kBadSamples, "contains samples that are not finite numbers (NaN or infinity)"));
  return static_cast<std::size_t>(got);
}

Result<std::size_t> AudioReader::read(std::span<int32_t> stereo_frames) {
  std::size_t done = 0;
  const std::size_t want = stereo_frames.size() / 2;
  const int ch = format_.channels;
  while (done < want) {
    auto got = read_doubles(std::min(kChunkFrames, want - done));
    if (!got) return failure(got.error());
    if (*got == 0) break;
    for (std::size_t i = 0; i < *got; ++i) {
      const double left = chunk_[i * ch];
      const double right = ch == 2 ? chunk_[i * ch + 1] : left;
      stereo_frames[2 * (done + i)] = quantise_24(left * gain_);
      stereo_frames[2 * (done + i) + 1] = quantise_24(right * gain_);
    }
    done += *got;
  }
  return done;
}

Result<std::size_t> AudioReader::read_source(std::span<double> frames) {
  const std::size_t ch = static_cast<std::size_t>(format_.channels);
  std::size_t done = 0;
  const std::size_t want = frames.size() / ch;
  while (done < want) {
    auto got = read_doubles(std::min(kChunkFrames, want - done));
    if (!got) return failure(got.error());
    if (*got == 0) break;
    std::copy_n(chunk_.begin(), *got * ch, frames.begin() + static_cast<std::ptrdiff_t>(done * ch));
    done += *got;
  }
  return done;
}

Error AudioReader::rewind() {
  if (sf_seek(snd_, 0, SEEK_SET) != 0)
    return file_error(path_, Errc::kReadFailed, std::string("cannot rewind (") + sf_strerror(snd_) + ")");
  return {};
}

// ---------------------------------------------------------------------------------
// Writing

AudioWriter::AudioWriter(AtomicFile file, const WriteSpec& spec, SNDFILE* snd)
    : file_(std::move(file)), spec_(spec), snd_(snd), chunk_(kChunkFrames * static_cast<std::size_t>(spec.channels)) {}

AudioWriter::AudioWriter(AudioWriter&& o) noexcept
    : file_(std::move(o.file_)), spec_(o.spec_), snd_(o.snd_), written_(o.written_), chunk_(std::move(o.chunk_)) {
  o.snd_ = nullptr;
}

AudioWriter::~AudioWriter() {
  if (snd_) sf_close(snd_);
}

Error AudioWriter::failed(const std::string& why) const { return file_error(file_.target(), Errc::kWriteFailed, why); }

Result<AudioWriter> AudioWriter::create(const std::string& path, const WriteSpec& spec, std::size_t frames) {
  auto invalid = [&path](const std::string& why) { return failure(file_error(path, Errc::kInvalidArgument, why)); };
  if (spec.channels != 1 && spec.channels != 2)
    return invalid("cannot write " + std::to_string(spec.channels) + " channels (1 or 2)");
  if (spec.bits != 16 && spec.bits != 24)
    return invalid("cannot write " + std::to_string(spec.bits) + "-bit samples (16 or 24)");
  if (spec.sample_rate <= 0) return invalid("invalid sample rate " + std::to_string(spec.sample_rate));
  const std::size_t data_bytes = frames * static_cast<std::size_t>(spec.channels * spec.bits / 8);
  const std::optional<int> container = container_for(path, data_bytes);
  if (!container) return failure(unknown_format_error(path));

  SF_INFO info{};
  info.samplerate = spec.sample_rate;
  info.channels = spec.channels;
  info.format = *container | (spec.bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24);
  if (!sf_format_check(&info))
    return invalid("the container cannot hold " + std::to_string(spec.channels) + " channels of " +
                   std::to_string(spec.bits) + "-bit samples at " + std::to_string(spec.sample_rate) + " Hz");
  auto file = AtomicFile::create(path);
  if (!file) return failure(file.error());
  SNDFILE* snd = sf_open_fd(file->fd(), SFM_WRITE, &info, SF_FALSE);
  if (!snd)
    return failure(file_error(path, Errc::kWriteFailed, std::string("cannot start writing (") + sf_strerror(nullptr) + ")"));
  return AudioWriter(std::move(*file), spec, snd);
}

Error AudioWriter::write(std::span<const int32_t> stereo_frames) {
  if (!snd_) return failed("internal error: write after finish");
  if (stereo_frames.size() % 2 != 0)
    return file_error(file_.target(), Errc::kInvalidArgument, "sample count is not a whole number of stereo frames");
  // Values wider than the output would be silently wrapped by the shift below, which
  // hides a bug upstream (a missing dither/requantise stage), so refuse them.
  const int32_t hi = (int32_t{1} << (spec_.bits - 1)) - 1, lo = -hi - 1;
  // libsndfile's int interface takes left-justified 32-bit values and keeps the top
  // `bits` bits, so shifting our values up is exact.
  const int shift = 32 - spec_.bits;
  const std::size_t frames = stereo_frames.size() / 2;
  for (std::size_t first = 0; first < frames; first += kChunkFrames) {
    const std::size_t count = std::min(kChunkFrames, frames - first);
    for (std::size_t i = 0; i < count; ++i)
      for (int c = 0; c < spec_.channels; ++c) {
        const int32_t v = stereo_frames[(first + i) * 2 + static_cast<std::size_t>(c)];
        if (v < lo || v > hi)
          return file_error(file_.target(), Errc::kInvalidArgument,
                            "sample " + std::to_string(written_ * 2 + static_cast<int64_t>((first + i) * 2) + c) + " = " +
                                std::to_string(v) + " is outside the " + std::to_string(spec_.bits) + "-bit range");
        chunk_[i * static_cast<std::size_t>(spec_.channels) + static_cast<std::size_t>(c)] =
            static_cast<int>(static_cast<uint32_t>(v) << shift);
      }
    if (sf_writef_int(snd_, chunk_.data(), static_cast<sf_count_t>(count)) != static_cast<sf_count_t>(count))
      return failed(std::string("write failed (") + sf_strerror(snd_) + ")");
  }
  written_ += static_cast<int64_t>(frames);
  return {};
}

Error AudioWriter::finish() {
  if (!snd_) return failed("internal error: finish twice");
  // sf_close writes the final header (and flushes the FLAC encoder), so its result
  // matters as much as any write's.
  const int close_error = sf_close(snd_);
  snd_ = nullptr;
  if (close_error != SF_ERR_NO_ERROR) return failed(std::string("write failed (") + sf_error_number(close_error) + ")");
  // The bytes on disk must decode to what we meant to write; a short frame count means
  // a header update or the tail of the data got lost.
  if (::lseek(file_.fd(), 0, SEEK_SET) != 0) return failed("write failed (" + errno_text(errno) + ")");
  SF_INFO info{};
  SNDFILE* check = sf_open_fd(file_.fd(), SFM_READ, &info, SF_FALSE);
  const bool complete = check && info.frames == written_;
  if (check) sf_close(check);
  if (!complete) return failed("write failed (the written file does not read back complete)");
  return file_.finish();
}

Error AudioWriter::commit() { return file_.commit(); }

Error check_output_path(const std::string& path) {
  if (!container_for(path, 0)) return unknown_format_error(path);
  return check_output_paths({}, {path});
}

// ---------------------------------------------------------------------------------
// Whole files

Result<AudioBuffer> read_audio(const std::string& path) {
  auto reader = AudioReader::open(path);
  if (!reader) return failure(reader.error());
  const AudioFormat& f = reader->format();
  AudioBuffer buffer{f.sample_rate, f.channels, f.source_bits, f.source_float, f.input_gain_db, {}};
  // The header's frame count is a hint only (it may overstate a truncated file); the
  // reads decide the length.
  if (f.frames > 0 && f.frames < (int64_t{1} << 32)) buffer.samples.reserve(static_cast<std::size_t>(f.frames) * 2);
  std::vector<int32_t> block(2 * kChunkFrames);
  for (;;) {
    auto got = reader->read(block);
    if (!got) return failure(got.error());
    if (*got == 0) break;
    buffer.samples.insert(buffer.samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(2 * *got));
  }
  if (buffer.samples.empty()) return failure(file_error(path, Errc::kNoAudio, "no audio frames"));
  return buffer;
}

Error write_audio(const std::string& path, const WriteSpec& spec, const std::vector<int32_t>& stereo_frames) {
  auto writer = AudioWriter::create(path, spec, stereo_frames.size() / 2);
  if (!writer) return writer.error();
  if (auto e = writer->write(stereo_frames)) return e;
  if (auto e = writer->finish()) return e;
  return writer->commit();
}

}  // namespace lathe
