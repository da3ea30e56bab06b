// SPDX-License-Identifier: MIT
// Audio files through libsndfile: streaming reads into 24-bit stereo frames, streaming
// atomic writes that never leave a partial file behind, and whole-file helpers.
#pragma once
#include <sndfile.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lathe/atomic_file.hpp"
#include "lathe/error.hpp"

namespace lathe {

struct AudioFormat {
  int sample_rate = 0;
  int channels = 0;     // channels of the source file (1 or 2)
  int source_bits = 0;  // 8..32 for PCM, 32/64 for float/double; 0 where the encoding has
                        // no fixed sample width (ADPCM, u-law, lossy codecs). For reports.
  bool source_float = false;
  int64_t frames = 0;   // as the header says (exact for PCM files; read() decides)
  // Attenuation (dB, <= 0) applied by read() because the decoded source goes above full
  // scale, which only float (and lossy) sources can do; 0 otherwise. Callers report it.
  double input_gain_db = 0.0;
};

// A normalised sample (full scale 1.0) as a signed 24-bit value: round(x * 2^23) (to
// nearest, ties to even), clamped to -2^23 .. 2^23 - 1. The one quantiser of the input:
// AudioReader::read uses it for every file, `lathe live` for every JACK sample.
int32_t quantise_24(double x);

// Reads a file in any format libsndfile reads, a block at a time.
class AudioReader {
 public:
  // Checks the file (mono or stereo, a supported rate, some audio). A float source that
  // goes above full scale is scanned once for its peak, and read() attenuates it by the
  // smallest whole multiple of 0.1 dB that brings the peak to full scale.
  // attenuate_overs = false skips the scan (for read_source, which never attenuates).
  static Result<AudioReader> open(const std::string& path, bool attenuate_overs = true);
  // The same checks from the header alone: no audio is read (input_gain_db is 0).
  static Result<AudioFormat> probe(const std::string& path);

  AudioReader(AudioReader&&) noexcept;
  AudioReader& operator=(AudioReader&&) noexcept;
  ~AudioReader();

  const AudioFormat& format() const { return format_; }
  const std::string& path() const { return path_; }

  // Up to stereo_frames.size() / 2 frames as interleaved stereo signed 24-bit values (a
  // mono source is duplicated to L = R); 0 at the end of the file.
  Result<std::size_t> read(std::span<int32_t> stereo_frames);
  // Up to frames.size() / channels frames of the source channels as stored, normalised
  // (integer PCM as value / 2^(bits-1)) and not attenuated: for measuring the file itself.
  Result<std::size_t> read_source(std::span<double> frames);
  // Back to the first frame.
  Error rewind();

 private:
  AudioReader() = default;
  static Result<AudioReader> open_header(const std::string& path);
  Result<std::size_t> read_doubles(std::size_t frames);

  std::string path_;
  int fd_ = -1;
  SNDFILE* snd_ = nullptr;
  AudioFormat format_;
  double gain_ = 1.0;
  std::vector<double> chunk_;
};

struct WriteSpec {
  int sample_rate = 0;
  int channels = 2;  // 1 writes the left channel only
  int bits = 24;     // 16 or 24: the width of the integer values passed in
};

// Writes interleaved stereo frames whose values are already at spec.bits width, a block
// at a time, into a temporary file next to `path`; commit() renames it over `path` once
// it is complete, flushed and reads back whole. On any failure, or destruction without
// commit(), `path` is untouched and the temporary file is gone.
class AudioWriter {
 public:
  // The container comes from the extension (.wav, .flac, .aif/.aiff, .w64); `frames` is
  // the number of frames that will be written (a .wav past 4 GiB becomes RF64).
  static Result<AudioWriter> create(const std::string& path, const WriteSpec& spec, std::size_t frames);

  AudioWriter(AudioWriter&&) noexcept;
  AudioWriter& operator=(AudioWriter&&) = delete;
  ~AudioWriter();

  Error write(std::span<const int32_t> stereo_frames);
  // Completes the file: header, flush to disk, read-back check of the frame count.
  Error finish();
  Error commit();

 private:
  AudioWriter(AtomicFile file, const WriteSpec& spec, SNDFILE* snd);
  Error failed(const std::string& why) const;

  AtomicFile file_;
  WriteSpec spec_;
  SNDFILE* snd_ = nullptr;
  int64_t written_ = 0;
  std::vector<int> chunk_;
};

// Checks before any work is done that AudioWriter::create(path, ...) can start: the
// extension names a container, `path` is not a directory, and a file can be created
// next to it. Leaves nothing behind. (A full disk can still make the write itself fail.)
Error check_output_path(const std::string& path);

inline Result<AudioFormat> probe_audio_file(const std::string& path) { return AudioReader::probe(path); }

// A whole file in memory, for tests and short material (jobs stream instead).
struct AudioBuffer {
  int sample_rate = 0;
  int channels = 0;  // of the source
  int source_bits = 0;
  bool source_float = false;
  double input_gain_db = 0.0;    // as AudioFormat
  std::vector<int32_t> samples;  // interleaved stereo 24-bit frames
  std::size_t frames() const { return samples.size() / 2; }
};
Result<AudioBuffer> read_audio(const std::string& path);
Error write_audio(const std::string& path, const WriteSpec& spec, const std::vector<int32_t>& stereo_frames);

}  // namespace lathe
