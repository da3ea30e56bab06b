// SPDX-License-Identifier: MIT
// Reading and writing audio files (libsndfile): whole files in, 24-bit stereo frames out,
// and atomic writes that never leave a partial file behind.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lathe {

struct AudioBuffer {
  int sample_rate = 0;
  int channels = 0;     // channels of the source file (1 or 2)
  int source_bits = 0;  // 8..32 for PCM, 32/64 for float/double; 0 where the encoding has
                        // no fixed sample width (ADPCM, u-law, lossy codecs). For reports.
  bool source_float = false;
  // Interleaved stereo frames of signed 24-bit values (-2^23 .. 2^23-1); a mono source is
  // duplicated to L = R so that everything downstream handles one layout.
  std::vector<int32_t> samples;
  // Attenuation (dB, <= 0) applied because the decoded source went above full scale,
  // which only float (and lossy) sources can do; 0 otherwise. Callers report it.
  double input_gain_db = 0.0;
  std::size_t frames() const { return samples.size() / 2; }
};

enum class FileErrorCode {
  kCannotOpen,           // missing, unreadable, a directory
  kUnsupportedFormat,    // libsndfile cannot parse it (garbage, truncated header)
  kUnsupportedChannels,  // not mono or stereo
  kUnsupportedRate,      // not one of kSupportedRates
  kNoAudio,              // zero frames
  kBadSamples,           // NaN or infinity in a float file
  kReadFailed,           // decoding failed part way
  kInvalidArgument,      // write_audio called with an impossible spec or sample values
  kUnknownOutputFormat,  // output extension is not .wav, .flac, .aif/.aiff or .w64
  kWriteFailed,          // temporary file could not be created, written or renamed
};
const char* file_error_code_name(FileErrorCode code);  // "cannot_open", ...

struct FileError {
  // One line that names the file and the reason, for people:
  // "in.wav: not a supported audio file (File contains data in an unknown format.)"
  std::string message;
  FileErrorCode code = FileErrorCode::kCannotOpen;  // for programs
};

// Reads a whole file in any format libsndfile reads; see AudioBuffer for the result.
// Float sources that go above full scale are attenuated by the smallest whole multiple
// of 0.1 dB that brings the peak to full scale, so nothing clips on the way to 24 bits.
std::variant<AudioBuffer, FileError> read_audio(const std::string& path);

struct WriteSpec {
  int sample_rate = 0;
  int channels = 2;  // 1 writes the left channel only
  int bits = 24;     // 16 or 24: the width of the integer values passed in
};

// Writes interleaved stereo frames whose values are already at spec.bits width. The
// container comes from the extension of `path` (.wav, .flac, .aif/.aiff, .w64). The
// data goes to a hidden temporary file in the same directory which is renamed over
// `path` only once it is complete and flushed: on any failure `path` is untouched.
std::optional<FileError> write_audio(const std::string& path, const WriteSpec& spec,
                                     const std::vector<int32_t>& stereo_frames);

// Checks before any work is done that write_audio(path, ...) can start: the extension
// names a container, `path` is not a directory, and a file can be created next to it.
// Leaves nothing behind. (A full disk can still make the write itself fail.)
std::optional<FileError> check_output_path(const std::string& path);

// Makes SIGINT, SIGTERM and SIGHUP remove the temporary file of a write in progress,
// then end the process by the signal's default action. Call once at program start,
// before installing other handlers for these signals (it replaces them); a signal the
// process ignores (nohup, background jobs) stays ignored.
void install_cleanup_signal_handlers();

}  // namespace lathe
