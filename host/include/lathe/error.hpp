// SPDX-License-Identifier: MIT
// The one error value of liblathe: a code with a name, plus the words that say what
// happened to what. Every call that can fail returns it (devices, transports, the USB
// driver, presets, files, the mastering job); nothing keeps a "last error" to be fetched
// afterwards. Calls that produce a value return Result<T> (std::expected).
#pragma once
#include <expected>
#include <string>
#include <utility>

namespace lathe {

enum class Errc : int {
  kOk = 0,
  // Settings, presets and command lines.
  kUsage,               // a command line that does not say what to do (exit status 2)
  kInvalidSetting,      // a parameter malformed or out of its documented range
  kBadPreset,           // a preset file that is not a preset (JSON, schema, size)
  // Files.
  kCannotOpen,          // missing, unreadable, a directory, not a regular file
  kUnsupportedFormat,   // libsndfile cannot parse it
  kUnsupportedChannels, // not mono or stereo
  kUnsupportedRate,     // not one of kSupportedRates
  kNoAudio,             // zero frames
  kBadSamples,          // NaN or infinity in a float file
  kReadFailed,          // decoding failed part way
  kUnknownOutputFormat, // output extension names no container
  kWriteFailed,         // temporary file not created, written, flushed or renamed
  kSameFile,            // an output path names an input (or another output)
  // Devices, links and the USB driver.
  kUnknownBackend,      // not auto, model, sim or usb
  kNotAvailable,        // back end not built in, or no board attached
  kInvalidArgument,     // a call's arguments are impossible (buffer sizes, ...)
  kTimeout,
  kDisconnected,        // the link or the board went away
  kProtocol,            // the other end spoke wrongly, or a version this host lacks
  kBusy,                // in use by another program
  kAccessDenied,        // no permission (the udev rule)
  // Jobs.
  kCancelled,
  kOutOfMemory,
};

// A short stable name for programs and logs: "cannot_open", "timeout", ...
const char* errc_name(Errc code);

// The system's words for an errno value ("No such file or directory").
std::string errno_text(int err);

class [[nodiscard]] Error {
 public:
  Error() = default;  // no error
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  Errc code() const { return code_; }
  // One line for people, naming the thing and the reason: "in.wav: no audio frames".
  const std::string& message() const { return message_; }
  const char* name() const { return errc_name(code_); }

  // True when this is an error (as std::error_code): `if (auto e = f()) return e;`.
  explicit operator bool() const { return code_ != Errc::kOk; }
  bool operator==(Errc code) const { return code_ == code; }

  // The same error with "prefix: " in front of its words.
  Error within(const std::string& prefix) const& { return {code_, prefix + ": " + message_}; }

 private:
  Errc code_ = Errc::kOk;
  std::string message_;
};

template <class T>
using Result = std::expected<T, Error>;

// `return failure(Errc::kNoAudio, path + ": no audio frames");` from a Result<T> function.
inline std::unexpected<Error> failure(Errc code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> failure(Error error) { return std::unexpected<Error>(std::move(error)); }

}  // namespace lathe
