// SPDX-License-Identifier: MIT
// The USB driver without a board: the FT232H's IN packet format, the FIFO set-up
// sequence, LATHE_USB_ID, device selectors, and what open/list/wait say when no board is
// attached (as on CI machines). The transport itself is tested against the virtual board.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <string>

#include "lathe/usb/ft232h_setup.hpp"
#include "lathe/usb/ftdi.hpp"
#include "lathe/usb/usb_backend.hpp"
#include "lathe/usb/usb_id.hpp"

using namespace lathe;
using namespace lathe::usb;

namespace {

// Sets LATHE_USB_ID (or unsets it, for nullopt) for one scope.
class ScopedUsbId {
 public:
  explicit ScopedUsbId(std::optional<std::string> value) {
    if (const char* old = std::getenv(kUsbIdVariable)) saved_ = old;
    if (value) setenv(kUsbIdVariable, value->c_str(), 1);
    else unsetenv(kUsbIdVariable);
  }
  ~ScopedUsbId() {
    if (saved_) setenv(kUsbIdVariable, saved_->c_str(), 1);
    else unsetenv(kUsbIdVariable);
  }

 private:
  std::optional<std::string> saved_;
};

// An IN transfer as the chip sends it: each packet is the two status bytes, then payload
// taken from `payload` in order.
std::vector<uint8_t> in_transfer(const std::vector<std::size_t>& packet_payloads, uint8_t first = 0) {
  std::vector<uint8_t> transfer;
  uint8_t next = first;
  for (const std::size_t n : packet_payloads) {
    transfer.push_back(ftdi::kModemStatusIdle);
    transfer.push_back(ftdi::kLineStatusIdle);
    for (std::size_t i = 0; i < n; ++i) transfer.push_back(next++);
  }
  return transfer;
}

std::vector<uint8_t> counting(std::size_t n, uint8_t first = 0) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

}  // namespace

TEST_CASE("strip_status_bytes drops the two status bytes of every 512-byte packet", "[driver]") {
  std::vector<uint8_t> out;
  SECTION("four full packets, as one 2048-byte transfer") {
    const auto transfer = in_transfer({510, 510, 510, 510});
    REQUIRE(transfer.size() == 2048);
    REQUIRE(ftdi::strip_status_bytes(transfer, out) == 2040);
    REQUIRE(out == counting(2040));
  }
  SECTION("full packets and a short one at the end") {
    const auto transfer = in_transfer({510, 510, 100});
    REQUIRE(ftdi::strip_status_bytes(transfer, out) == 1120);
    REQUIRE(out == counting(1120));
  }
  SECTION("one short packet") {
    REQUIRE(ftdi::strip_status_bytes(in_transfer({7}), out) == 7);
    REQUIRE(out == counting(7));
  }
  SECTION("status only: an idle chip's packet carries nothing") {
    REQUIRE(ftdi::strip_status_bytes(in_transfer({0}), out) == 0);
    REQUIRE(out.empty());
  }
  SECTION("an empty transfer") {
    REQUIRE(ftdi::strip_status_bytes({}, out) == 0);
    REQUIRE(out.empty());
  }
  SECTION("payload is appended after what is already there") {
    out = {0xAA, 0xBB};
    REQUIRE(ftdi::strip_status_bytes(in_transfer({3}, 10), out) == 3);
    REQUIRE(out == std::vector<uint8_t>{0xAA, 0xBB, 10, 11, 12});
  }
}

TEST_CASE("the set-up puts the FT232H in synchronous 245 FIFO mode, as AN_130 asks", "[driver]") {
  const auto steps = sync_fifo_setup();
  REQUIRE(steps.size() == 7);
  struct Expected {
    uint8_t request;
    uint16_t value;
    uint16_t index;
  };
  const Expected expected[] = {
      {0x00, 0x0000, 0x0001},  // SIO_RESET
      {0x09, 0x0001, 0x0001},  // SIO_SET_LATENCY_TIMER, 1 ms
      {0x02, 0x0000, 0x0101},  // SIO_SET_FLOW_CTRL, RTS/CTS
      {0x0B, 0x00FF, 0x0001},  // SIO_SET_BITMODE reset
      {0x0B, 0x40FF, 0x0001},  // SIO_SET_BITMODE synchronous FIFO
      {0x00, 0x0001, 0x0001},  // purge RX
      {0x00, 0x0002, 0x0001},  // purge TX
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i << ": " << steps[i].what);
    CHECK(steps[i].request == expected[i].request);
    CHECK(steps[i].value == expected[i].value);
    CHECK(steps[i].index == expected[i].index);
  }
}

TEST_CASE("LATHE_USB_ID is VVVV:PPPP in hex, anything else is refused", "[driver]") {
  REQUIRE(parse_usb_id("0403:6014") == UsbId{0x0403, 0x6014});
  REQUIRE(parse_usb_id("ABCD:ef01") == UsbId{0xABCD, 0xEF01});
  REQUIRE(parse_usb_id("0000:ffff") == UsbId{0x0000, 0xFFFF});
  for (const char* bad : {"", "0403", "0403:", ":6014", "403:6014", "0403:60144", "0403-6014", "0x403:6014",
                          "g403:6014", "0403:6014 ", " 0403:6014", "0403:6014:1", "0403::6014"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_usb_id(bad));
  }
  REQUIRE(format_usb_id({0x0403, 0x6014}) == "0403:6014");
  REQUIRE(format_usb_id({0xABCD, 0x00EF}) == "abcd:00ef");

  SECTION("unset: the FT232H") {
    ScopedUsbId env(std::nullopt);
    const auto id = usb_id_from_environment();
    REQUIRE(id);
    REQUIRE(*id == UsbId{ftdi::kVendorId, ftdi::kProductId});
  }
  SECTION("set: that id") {
    ScopedUsbId env("1209:beef");
    const auto id = usb_id_from_environment();
    REQUIRE(id);
    REQUIRE(*id == UsbId{0x1209, 0xBEEF});
  }
  SECTION("malformed: an error that quotes the value and the variable") {
    ScopedUsbId env("ftdi");
    const auto id = usb_id_from_environment();
    REQUIRE_FALSE(id);
    REQUIRE(id.error() == Errc::kInvalidArgument);
    REQUIRE_THAT(id.error().message(), Catch::Contains("LATHE_USB_ID='ftdi'") && Catch::Contains("VVVV:PPPP"));
    const auto opened = open_usb_board("");
    REQUIRE_FALSE(opened);
    REQUIRE(opened.error() == Errc::kInvalidArgument);
    REQUIRE_THAT(opened.error().message(), Catch::StartsWith("device 'usb': LATHE_USB_ID='ftdi'"));
    // Every way in says the same.
    REQUIRE(list_boards().error().message() == id.error().message());
    REQUIRE(wait_for_board("", std::chrono::milliseconds(0)).message() == id.error().message());
  }
}

TEST_CASE("a device kind names a back end and, after a colon, a board's serial", "[driver]") {
  CHECK(parse_device_spec("usb").backend == "usb");
  CHECK(parse_device_spec("usb").selector.empty());
  CHECK(parse_device_spec("usb:ABC").backend == "usb");
  CHECK(parse_device_spec("usb:ABC").selector == "ABC");
  CHECK(parse_device_spec("usb:LT:7").selector == "LT:7");  // the first colon splits
  CHECK(parse_device_spec("model").backend == "model");
  const auto empty = open_device("usb:");
  REQUIRE_FALSE(empty);
  REQUIRE(empty.error() == Errc::kInvalidArgument);
  REQUIRE(empty.error().message() == "device 'usb:' names nothing after the colon (usb:SERIAL)");
  const auto unknown = open_device("model:x");
  REQUIRE_FALSE(unknown);
  REQUIRE(unknown.error() == Errc::kUnknownBackend);
  REQUIRE(unknown.error().message() == "unknown device 'model:x' (use auto, model, sim, usb or usb:SERIAL)");
  // What info() reports is named by the word a kind uses.
  CHECK(std::string(backend_name(Backend::kModel)) == "model");
  CHECK(std::string(backend_name(Backend::kSim)) == "sim");
  CHECK(std::string(backend_name(Backend::kUsb)) == "usb");
}

// CI machines have no USB devices at all; these need only that no board is attached.
TEST_CASE("with no board attached, opening says which USB id it looked for", "[driver]") {
  ScopedUsbId env(std::nullopt);
  const auto opened = open_usb_board("");
  REQUIRE_FALSE(opened);
  REQUIRE(opened.error() == Errc::kNotAvailable);
  REQUIRE(opened.error().message() == "device 'usb': no board attached (looking for 0403:6014)");

  SECTION("through open_device, usb and usb:SERIAL reach the driver; auto falls back to the model") {
    register_usb_backend();
    const auto usb = open_device("usb");
    REQUIRE_FALSE(usb);
    REQUIRE(usb.error() == Errc::kNotAvailable);
    REQUIRE_THAT(usb.error().message(), Catch::Contains("0403:6014"));
    const auto by_serial = open_device("usb:LT-0042");
    REQUIRE_FALSE(by_serial);
    REQUIRE(by_serial.error() == Errc::kNotAvailable);
    REQUIRE_THAT(by_serial.error().message(), Catch::Contains("no board with serial LT-0042"));
    const auto automatic = open_device("auto");
    REQUIRE(automatic);
    REQUIRE(automatic->device->info().backend == Backend::kModel);
    REQUIRE_THAT(automatic->message, Catch::Contains("auto -> model") && Catch::Contains("0403:6014"));
  }
  SECTION("LATHE_USB_ID changes what is looked for") {
    ScopedUsbId other("1209:beef");
    const auto again = open_usb_board("");
    REQUIRE_FALSE(again);
    REQUIRE(again.error() == Errc::kNotAvailable);
    REQUIRE_THAT(again.error().message(), Catch::Contains("1209:beef"));
  }
  SECTION("the listing is empty, not an error") {
    const auto list = list_boards();
    REQUIRE(list);
    REQUIRE(list->boards.empty());
    REQUIRE(list->id == UsbId{0x0403, 0x6014});
  }
  SECTION("waiting for a board that never comes ends at its deadline") {
    // The call takes its deadline from the steady clock, so it cannot end much before it
    // however loaded the machine is (the 50 ms spare covers its rounding to whole ms);
    // the upper bound only catches a hang.
    const auto t0 = std::chrono::steady_clock::now();
    const Error e = wait_for_board("", std::chrono::milliseconds(300));
    const auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE(e == Errc::kNotAvailable);
    REQUIRE(e.message() == "no board attached within 0.3 s (looking for 0403:6014)");
    REQUIRE(waited >= std::chrono::milliseconds(250));
    REQUIRE(waited < std::chrono::seconds(60));
  }
}
