// SPDX-License-Identifier: MIT
// Audio files through libsndfile: decoding to 24-bit stereo, atomic writes, and the
// signal handlers that clean up after an interrupted write.
#include "lathe/audio_file.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstring>
#include <memory>
#include <system_error>

#include "lathe/params.hpp"  // kSupportedRates

namespace lathe {
namespace {

constexpr double kFullScale24 = 8388608.0;  // 2^23
constexpr int32_t kMax24 = (1 << 23) - 1;
constexpr int32_t kMin24 = -(1 << 23);
// Frames per libsndfile call: big enough to amortise the calls, small enough to stay
// in cache.
constexpr sf_count_t kChunkFrames = 8192;

FileError make_error(const std::string& path, FileErrorCode code, const std::string& reason) {
  return FileError{path + ": " + reason, code};
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// Owns a file descriptor so that every early return closes it.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now and returns 0 or the errno: close() is where NFS and some other file
  // systems report a failed write.
  int close_checked() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// "dir/name.wav" -> {"dir/", "name.wav"}; "name.wav" -> {"", "name.wav"}.
struct PathParts {
  std::string dir;
  std::string base;
  std::string dir_for_people() const { return dir.empty() ? "." : dir; }
};
PathParts split_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

// ---------------------------------------------------------------------------------
// Reading

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

int32_t quantise_24(double x) {
  // Clamp in double before converting so that no value can overflow the cast.
  const double scaled = std::nearbyint(x * kFullScale24);
  return static_cast<int32_t>(std::clamp(scaled, double{kMin24}, double{kMax24}));
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

struct DecodeResult {
  double peak = 0.0;  // largest |x| before gain
  bool non_finite = false;
  bool read_error = false;
};

// Decodes the whole file from the current position into `out` (stereo, 24-bit) with
// a linear gain, and measures the source peak on the way.
DecodeResult decode(SNDFILE* snd, int channels, double gain, std::vector<int32_t>& out) {
  DecodeResult result;
  std::vector<double> chunk(static_cast<std::size_t>(kChunkFrames) * channels);
  for (;;) {
    const sf_count_t got = sf_readf_double(snd, chunk.data(), kChunkFrames);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got; ++i) {
      const double* frame = &chunk[static_cast<std::size_t>(i) * channels];
      const double left = frame[0];
      const double right = channels == 2 ? frame[1] : left;
      if (!std::isfinite(left) || !std::isfinite(right)) {
        result.non_finite = true;
        return result;
      }
      result.peak = std::max({result.peak, std::fabs(left), std::fabs(right)});
      out.push_back(quantise_24(left * gain));
      out.push_back(quantise_24(right * gain));
    }
  }
  result.read_error = sf_error(snd) != SF_ERR_NO_ERROR;
  return result;
}

}  // namespace

const char* file_error_code_name(FileErrorCode code) {
  switch (code) {
    case FileErrorCode::kCannotOpen: return "cannot_open";
    case FileErrorCode::kUnsupportedFormat: return "unsupported_format";
    case FileErrorCode::kUnsupportedChannels: return "unsupported_channels";
    case FileErrorCode::kUnsupportedRate: return "unsupported_rate";
    case FileErrorCode::kNoAudio: return "no_audio";
    case FileErrorCode::kBadSamples: return "bad_samples";
    case FileErrorCode::kReadFailed: return "read_failed";
    case FileErrorCode::kInvalidArgument: return "invalid_argument";
    case FileErrorCode::kUnknownOutputFormat: return "unknown_output_format";
    case FileErrorCode::kWriteFailed: return "write_failed";
  }
  return "unknown";
}

std::variant<AudioBuffer, FileError> read_audio(const std::string& path) {
  // Open the descriptor ourselves: errno then names why a file is missing or
  // unreadable, where sf_open would only say "System error".
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return make_error(path, FileErrorCode::kCannotOpen, errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return make_error(path, FileErrorCode::kCannotOpen, errno_text(EISDIR));
  }

  SF_INFO info{};
  // close_desc = false: the Fd guard owns the descriptor on every path.
  SndfileHandle snd(sf_open_fd(fd.get(), SFM_READ, &info, SF_FALSE));
  if (!snd) {
    // sf_strerror(nullptr) is libsndfile's only report of why an open failed.
    return make_error(path, FileErrorCode::kUnsupportedFormat,
                      std::string("not a supported audio file (") + sf_strerror(nullptr) + ")");
  }
  if (info.channels != 1 && info.channels != 2) {
    return make_error(path, FileErrorCode::kUnsupportedChannels,
                      std::to_string(info.channels) +
                          " channels; Lathe masters mono or stereo files");
  }
  if (std::find(kSupportedRates.begin(), kSupportedRates.end(), info.samplerate) ==
      kSupportedRates.end()) {
    return make_error(path, FileErrorCode::kUnsupportedRate,
                      "sample rate " + std::to_string(info.samplerate) +
                          " Hz is not supported (use " + supported_rates_text() + ")");
  }
  if (info.frames == 0) return make_error(path, FileErrorCode::kNoAudio, "no audio frames");

  AudioBuffer buffer;
  buffer.sample_rate = info.samplerate;
  buffer.channels = info.channels;
  buffer.source_bits = source_bits_of(info.format);
  buffer.source_float = is_float_format(info.format);
  // The header's frame count is a hint only (unknown for some formats, may overstate a
  // truncated file); the read loop below decides the length.
  if (info.frames > 0 && info.frames < (sf_count_t{1} << 32)) {
    buffer.samples.reserve(static_cast<std::size_t>(info.frames) * 2);
  }

  // Normalised doubles: integer PCM arrives as value / 2^(bits-1), so PCM up to 24 bits
  // scales back to its exact integers, and float data arrives as stored.
  sf_command(snd.get(), SFC_SET_NORM_DOUBLE, nullptr, SF_TRUE);
  DecodeResult decoded = decode(snd.get(), info.channels, 1.0, buffer.samples);

  // Only a source that decodes above full scale needs a second pass, with the gain
  // that makes it fit; integer PCM never does.
  if (!decoded.non_finite && !decoded.read_error && decoded.peak > 1.0) {
    buffer.input_gain_db = overs_attenuation_db(decoded.peak);
    if (sf_seek(snd.get(), 0, SEEK_SET) != 0) {
      return make_error(path, FileErrorCode::kReadFailed,
                        std::string("cannot rewind to attenuate overs (") +
                            sf_strerror(snd.get()) + ")");
    }
    buffer.samples.clear();
    decoded = decode(snd.get(), info.channels, std::pow(10.0, buffer.input_gain_db / 20.0),
                     buffer.samples);
  }
  if (decoded.non_finite) {
    return make_error(path, FileErrorCode::kBadSamples,
                      "contains samples that are not finite numbers (NaN or infinity)");
  }
  if (decoded.read_error) {
    return make_error(path, FileErrorCode::kReadFailed,
                      std::string("read failed (") + sf_strerror(snd.get()) + ")");
  }
  if (buffer.samples.empty()) return make_error(path, FileErrorCode::kNoAudio, "no audio frames");
  return buffer;
}

// ---------------------------------------------------------------------------------
// Temporary files and signals

namespace {

// Temporary files of writes in progress, for the signal handler. A fixed table of
// plain char buffers and lock-free atomics is all a handler may safely touch. A write
// that finds every slot taken (many concurrent writes) runs without signal cleanup.
constexpr int kTempSlots = 8;
enum SlotState : int { kSlotFree = 0, kSlotClaimed = 1, kSlotActive = 2 };
struct TempSlot {
  std::atomic<int> state{kSlotFree};
  char path[PATH_MAX];
};
TempSlot g_temp_slots[kTempSlots];
static_assert(std::atomic<int>::is_always_lock_free, "signal handler needs lock-free atomics");

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

void cleanup_and_reraise(int sig) {
  const int saved_errno = errno;
  for (TempSlot& slot : g_temp_slots) {
    if (slot.state.load() == kSlotActive) ::unlink(slot.path);
  }
  errno = saved_errno;
  // SA_RESETHAND restored the default action on entry and the signal is blocked while
  // this handler runs, so the raise takes effect on return: the process ends the way
  // it would have without us, and its parent sees "killed by signal".
  ::raise(sig);
}

// Blocks the cleanup signals for its lifetime, so that creating a temporary file and
// registering it for cleanup happen as one step as far as a handler can tell.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kCleanupSignals) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// mkstemp-style name: hidden, next to the target, so that rename() stays within one
// file system and is atomic.
std::string temp_name_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  // Uniqueness comes from O_EXCL and retrying; the mix only makes collisions rare.
  uint64_t x = static_cast<uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (static_cast<uint64_t>(::getpid()) << 32) ^
               (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string suffix;
  for (int i = 0; i < 6; ++i) {
    suffix += kAlphabet[x % 62];
    x /= 62;
  }
  const PathParts parts = split_path(path);
  return parts.dir + "." + parts.base + "." + suffix;
}

// A temporary file being written. Until commit() it is removed on destruction, so
// every failure path leaves nothing behind.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    fd_.reset(-1);
    if (!name_.empty() && !committed_) ::unlink(name_.c_str());
    // Unregister last: a signal in between only unlinks a name that is already gone.
    if (slot_) slot_->state.store(kSlotFree);
  }

  // Creates a new file with a fresh name next to `path`; returns 0 or an errno.
  int create(const std::string& path) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = temp_name_for(path);
      SignalBlock block;
      // Not mkstemp: it creates mode 0600, and the output should get the usual
      // 0666 & ~umask like any file the user creates.
      const int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) {
        if (errno == EEXIST) continue;
        return errno;
      }
      fd_.reset(fd);
      name_ = std::move(name);
      register_for_signals();
      return 0;
    }
    return EEXIST;
  }

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  int close_checked() { return fd_.close_checked(); }
  void commit() { committed_ = true; }

 private:
  void register_for_signals() {
    if (name_.size() >= sizeof(TempSlot::path)) return;
    for (TempSlot& slot : g_temp_slots) {
      int expected = kSlotFree;
      if (slot.state.compare_exchange_strong(expected, kSlotClaimed)) {
        std::memcpy(slot.path, name_.c_str(), name_.size() + 1);
        slot.state.store(kSlotActive);
        slot_ = &slot;
        return;
      }
    }
  }

  Fd fd_;
  std::string name_;
  bool committed_ = false;
  TempSlot* slot_ = nullptr;
};

// ---------------------------------------------------------------------------------
// Writing

std::optional<int> container_for(const std::string& path, std::size_t data_bytes) {
  const std::string base = split_path(path).base;
  const std::size_t dot = base.rfind('.');
  if (dot == std::string::npos) return {};
  std::string ext = base.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
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

std::optional<FileError> check_write_arguments(const std::string& path, const WriteSpec& spec,
                                               const std::vector<int32_t>& frames) {
  auto invalid = [&path](const std::string& why) {
    return make_error(path, FileErrorCode::kInvalidArgument, why);
  };
  if (spec.channels != 1 && spec.channels != 2) {
    return invalid("cannot write " + std::to_string(spec.channels) + " channels (1 or 2)");
  }
  if (spec.bits != 16 && spec.bits != 24) {
    return invalid("cannot write " + std::to_string(spec.bits) + "-bit samples (16 or 24)");
  }
  if (spec.sample_rate <= 0) {
    return invalid("invalid sample rate " + std::to_string(spec.sample_rate));
  }
  if (frames.size() % 2 != 0) return invalid("sample count is not a whole number of stereo frames");
  // Values wider than the output would be silently wrapped by the shift below, which
  // hides a bug upstream (a missing dither/requantise stage), so refuse them.
  const int32_t hi = (int32_t{1} << (spec.bits - 1)) - 1;
  const int32_t lo = -hi - 1;
  const auto bad = std::find_if(frames.begin(), frames.end(),
                                [lo, hi](int32_t v) { return v < lo || v > hi; });
  if (bad != frames.end()) {
    return invalid("sample " + std::to_string(bad - frames.begin()) + " = " +
                   std::to_string(*bad) + " is outside the " + std::to_string(spec.bits) +
                   "-bit range");
  }
  return {};
}

// The bytes on disk must decode to what we meant to write; a short frame count means a
// header update or the tail of the data got lost.
bool frame_count_matches(int fd, sf_count_t expected) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return false;
  SF_INFO info{};
  SndfileHandle check(sf_open_fd(fd, SFM_READ, &info, SF_FALSE));
  return check && info.frames == expected;
}

FileError unknown_format_error(const std::string& path) {
  return make_error(path, FileErrorCode::kUnknownOutputFormat,
                    "unknown output format (use .wav, .flac, .aiff or .w64)");
}

// Creates the temporary file for `path`, or says why it cannot be created.
std::optional<FileError> create_temp_for(const std::string& path, TempFile& temp) {
  if (const int err = temp.create(path)) {
    return make_error(path, FileErrorCode::kWriteFailed,
                      "cannot create a temporary file in " + split_path(path).dir_for_people() +
                          " (" + errno_text(err) + ")");
  }
  return {};
}

}  // namespace

std::optional<FileError> write_audio(const std::string& path, const WriteSpec& spec,
                                     const std::vector<int32_t>& stereo_frames) {
  if (auto error = check_write_arguments(path, spec, stereo_frames)) return error;
  const std::size_t data_bytes =
      stereo_frames.size() / 2 * static_cast<std::size_t>(spec.channels * spec.bits / 8);
  const std::optional<int> container = container_for(path, data_bytes);
  if (!container) return unknown_format_error(path);

  SF_INFO info{};
  info.samplerate = spec.sample_rate;
  info.channels = spec.channels;
  info.format = *container | (spec.bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24);
  if (!sf_format_check(&info)) {
    return make_error(path, FileErrorCode::kInvalidArgument,
                      "the container cannot hold " + std::to_string(spec.channels) +
                          " channels of " + std::to_string(spec.bits) + "-bit samples at " +
                          std::to_string(spec.sample_rate) + " Hz");
  }

  auto failed = [&path](const std::string& why) {
    return make_error(path, FileErrorCode::kWriteFailed, why);
  };

  TempFile temp;
  if (auto error = create_temp_for(path, temp)) return error;

  const sf_count_t frames = static_cast<sf_count_t>(stereo_frames.size() / 2);
  {
    SndfileHandle snd(sf_open_fd(temp.fd(), SFM_WRITE, &info, SF_FALSE));
    if (!snd) return failed(std::string("cannot start writing (") + sf_strerror(nullptr) + ")");

    // libsndfile's int interface takes left-justified 32-bit values and keeps the top
    // `bits` bits, so shifting our values up is exact.
    const int shift = 32 - spec.bits;
    std::vector<int> chunk(static_cast<std::size_t>(kChunkFrames) * spec.channels);
    for (sf_count_t first = 0; first < frames; first += kChunkFrames) {
      const sf_count_t count = std::min(kChunkFrames, frames - first);
      const int32_t* src = &stereo_frames[static_cast<std::size_t>(first) * 2];
      for (sf_count_t i = 0; i < count; ++i) {
        for (int c = 0; c < spec.channels; ++c) {
          chunk[static_cast<std::size_t>(i * spec.channels + c)] = src[i * 2 + c] << shift;
        }
      }
      if (sf_writef_int(snd.get(), chunk.data(), count) != count) {
        return failed(std::string("write failed (") + sf_strerror(snd.get()) + ")");
      }
    }
    // sf_close writes the final header (and flushes the FLAC encoder), so its result
    // matters as much as any write's.
    const int close_error = sf_close(snd.release());
    if (close_error != SF_ERR_NO_ERROR) {
      return failed(std::string("write failed (") + sf_error_number(close_error) + ")");
    }
  }

  // Data must be on disk before the rename publishes it, or a crash could leave a
  // complete-looking name pointing at missing blocks.
  if (::fsync(temp.fd()) != 0) return failed("write failed (" + errno_text(errno) + ")");
  if (!frame_count_matches(temp.fd(), frames)) {
    return failed("write failed (the written file does not read back complete)");
  }
  if (const int err = temp.close_checked()) return failed("write failed (" + errno_text(err) + ")");
  if (::rename(temp.name().c_str(), path.c_str()) != 0) {
    return failed("cannot replace the file (" + errno_text(errno) + ")");
  }
  temp.commit();

  // Make the rename itself durable. The file is already complete at `path`, so a
  // failure here is not worth reporting as a failed write.
  const Fd dir_fd(
      ::open(split_path(path).dir_for_people().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return {};
}

std::optional<FileError> check_output_path(const std::string& path) {
  if (!container_for(path, 0)) return unknown_format_error(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return make_error(path, FileErrorCode::kWriteFailed, errno_text(EISDIR));
  }
  // The real test of a writable directory is creating the file write_audio would; the
  // TempFile removes it again on the way out.
  TempFile probe;
  return create_temp_for(path, probe);
}

void install_cleanup_signal_handlers() {
  for (int sig : kCleanupSignals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) continue;
    // An ignored signal was ignored on purpose (nohup, `cmd &` in a script).
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = cleanup_and_reraise;
    // One handler at a time: a second signal waits, then ends the process by default.
    sigemptyset(&action.sa_mask);
    for (int other : kCleanupSignals) sigaddset(&action.sa_mask, other);
    action.sa_flags = SA_RESETHAND;
    sigaction(sig, &action, nullptr);
  }
}

}  // namespace lathe
