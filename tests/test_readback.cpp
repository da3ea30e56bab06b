// SPDX-License-Identifier: MIT
// Status and meter decoding (lathe/readback.hpp), against words laid out by hand from
// docs/registers.md, so a generator or decoder that moved a field would fail here.
#include <catch2/catch.hpp>

#include "lathe/readback.hpp"

using namespace lathe;

TEST_CASE("the status word decodes into its fields", "[registers]") {
  const reg::Status s = reg::decode_status(0x0000'0605);  // frames in flight 6, configured, commit pending
  CHECK(s.commit_pending);
  CHECK_FALSE(s.clear_pending);
  CHECK(s.configured);
  CHECK_FALSE(s.meters_pending);
  CHECK(s.frames_in_flight == 6);
  CHECK_FALSE(s.idle());

  CHECK(reg::decode_status(0x0000'0004).idle());               // configured only
  CHECK(reg::decode_status(0xffff'0004).idle());               // bits above 15 are not the count
  CHECK_FALSE(reg::decode_status(0x0000'0104).idle());         // one frame in flight
  CHECK_FALSE(reg::decode_status(0x0000'0002).idle());         // a clear pending
  CHECK_FALSE(reg::decode_status(0x0000'0008).idle());         // a meter clear pending
  CHECK(reg::decode_status(0x0000'ff00).frames_in_flight == 255);
}

TEST_CASE("the meter registers decode into model::Meters in address order", "[registers][meters]") {
  const auto addrs = reg::meter_addresses();
  REQUIRE(addrs.size() == 12);
  CHECK(addrs.front() == 0x20);
  CHECK(addrs.back() == 0x2b);
  const std::array<uint32_t, reg::kMeterCount> words = {
      11, 12,                    // input peaks L, R
      21, 22,                    // output peaks L, R
      0x0800'0000,               // true peak
      0xffff'fffe, 0x0001'0000,  // compressor and limiter gain reduction (signed)
      480000,                    // frames
      0x89ab'cdef, 0x0000'0123,  // left energy, low then high word
      0x0000'0001, 0x8000'0000,  // right energy
  };
  const model::Meters m = reg::decode_meters(words);
  CHECK(m.in_peak[0] == 11);
  CHECK(m.in_peak[1] == 12);
  CHECK(m.out_peak[0] == 21);
  CHECK(m.out_peak[1] == 22);
  CHECK(m.true_peak == 0x0800'0000);
  CHECK(m.comp_gr_max == -2);
  CHECK(m.lim_gr_max == 0x1'0000);
  CHECK(m.frames == 480000);
  CHECK(m.out_sum_sq[0] == 0x0000'0123'89ab'cdefull);
  CHECK(m.out_sum_sq[1] == 0x8000'0000'0000'0001ull);
}

// The model core (sim/core_model_dpi.cpp) answers meter reads with encode_meters: the
// words the decoder above reads back into the same values.
TEST_CASE("encode_meters gives the words decode_meters reads back", "[registers][meters]") {
  const std::array<uint32_t, reg::kMeterCount> words = {11, 12, 21, 22, 0x0800'0000, 0xffff'fffe, 0x0001'0000,
                                                        480000, 0x89ab'cdef, 0x0000'0123, 0x0000'0001, 0x8000'0000};
  CHECK(reg::encode_meters(reg::decode_meters(words)) == words);
}
