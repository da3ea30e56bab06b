// SPDX-License-Identifier: MIT
#include "lathe/error.hpp"

#include <system_error>

namespace lathe {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kUsage: return "usage";
    case Errc::kInvalidSetting: return "invalid_setting";
    case Errc::kBadPreset: return "bad_preset";
    case Errc::kCannotOpen: return "cannot_open";
    case Errc::kUnsupportedFormat: return "unsupported_format";
    case Errc::kUnsupportedChannels: return "unsupported_channels";
    case Errc::kUnsupportedRate: return "unsupported_rate";
    case Errc::kNoAudio: return "no_audio";
    case Errc::kBadSamples: return "bad_samples";
    case Errc::kReadFailed: return "read_failed";
    case Errc::kUnknownOutputFormat: return "unknown_output_format";
    case Errc::kWriteFailed: return "write_failed";
    case Errc::kSameFile: return "same_file";
    case Errc::kUnknownBackend: return "unknown_backend";
    case Errc::kNotAvailable: return "not_available";
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kTimeout: return "timeout";
    case Errc::kDisconnected: return "disconnected";
    case Errc::kProtocol: return "protocol";
    case Errc::kBusy: return "busy";
    case Errc::kAccessDenied: return "access_denied";
    case Errc::kCancelled: return "cancelled";
    case Errc::kOutOfMemory: return "out_of_memory";
  }
  return "unknown";
}

}  // namespace lathe
