// SPDX-License-Identifier: MIT
// lathe::Error: every code has its stable name, and the value says error or not as
// std::error_code does.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "lathe/error.hpp"

using namespace lathe;

TEST_CASE("errc_name gives every code its own stable name", "[error]") {
  // The names are what programs and logs match on: written out here, not derived.
  const std::pair<Errc, const char*> names[] = {
      {Errc::kOk, "ok"},
      {Errc::kUsage, "usage"},
      {Errc::kInvalidSetting, "invalid_setting"},
      {Errc::kBadPreset, "bad_preset"},
      {Errc::kCannotOpen, "cannot_open"},
      {Errc::kUnsupportedFormat, "unsupported_format"},
      {Errc::kUnsupportedChannels, "unsupported_channels"},
      {Errc::kUnsupportedRate, "unsupported_rate"},
      {Errc::kNoAudio, "no_audio"},
      {Errc::kBadSamples, "bad_samples"},
      {Errc::kReadFailed, "read_failed"},
      {Errc::kUnknownOutputFormat, "unknown_output_format"},
      {Errc::kWriteFailed, "write_failed"},
      {Errc::kSameFile, "same_file"},
      {Errc::kUnknownBackend, "unknown_backend"},
      {Errc::kNotAvailable, "not_available"},
      {Errc::kInvalidArgument, "invalid_argument"},
      {Errc::kTimeout, "timeout"},
      {Errc::kDisconnected, "disconnected"},
      {Errc::kProtocol, "protocol"},
      {Errc::kBusy, "busy"},
      {Errc::kAccessDenied, "access_denied"},
      {Errc::kCancelled, "cancelled"},
      {Errc::kOutOfMemory, "out_of_memory"},
  };
  std::set<std::string> seen;
  for (std::size_t i = 0; i < std::size(names); ++i) {
    const auto [code, name] = names[i];
    INFO("code " << static_cast<int>(code));
    CHECK(static_cast<std::size_t>(code) == i);  // the table lists every code, in order
    CHECK(std::string(errc_name(code)) == name);
    CHECK(seen.insert(name).second);
  }
  // Past the last code there is no name: a code added without one shows up above.
  CHECK(std::string(errc_name(static_cast<Errc>(std::size(names)))) == "unknown");
}

TEST_CASE("an Error is true when it is one, compares with its code and keeps its words", "[error]") {
  const Error none;
  CHECK_FALSE(none);
  CHECK(none == Errc::kOk);
  CHECK(none.message().empty());

  const Error e(Errc::kDisconnected, "board FT232H serial LT-0042 was unplugged");
  CHECK(e);
  CHECK(e == Errc::kDisconnected);
  CHECK(e != Errc::kTimeout);
  CHECK(std::string(e.name()) == "disconnected");
  const Error within = e.within("device 'usb'");
  CHECK(within == Errc::kDisconnected);
  CHECK(within.message() == "device 'usb': board FT232H serial LT-0042 was unplugged");

  const Result<int> bad = failure(Errc::kTimeout, "no reply");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == Errc::kTimeout);
  CHECK(bad.error().message() == "no reply");
}
