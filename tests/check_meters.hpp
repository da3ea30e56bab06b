// SPDX-License-Identifier: MIT
// Meters of two back ends, field by field (a mismatch names the field), and reading them.
#pragma once
#include <catch2/catch.hpp>

#include "lathe/device.hpp"
#include "lathe/model/chain.hpp"

// A device's meters; a failed read fails the test with the device's words.
inline lathe::model::Meters required_meters(lathe::Device& device, bool clear) {
  const auto meters = device.read_meters(clear);
  if (!meters) FAIL("read_meters: " << meters.error().name() << ": " << meters.error().message());
  return meters.value_or(lathe::model::Meters{});
}

inline void check_meters_equal(const lathe::model::Meters& a, const lathe::model::Meters& b) {
  CHECK(a.in_peak[0] == b.in_peak[0]);
  CHECK(a.in_peak[1] == b.in_peak[1]);
  CHECK(a.out_peak[0] == b.out_peak[0]);
  CHECK(a.out_peak[1] == b.out_peak[1]);
  CHECK(a.true_peak == b.true_peak);
  CHECK(a.comp_gr_max == b.comp_gr_max);
  CHECK(a.lim_gr_max == b.lim_gr_max);
  CHECK(a.frames == b.frames);
  CHECK(a.out_sum_sq[0] == b.out_sum_sq[0]);
  CHECK(a.out_sum_sq[1] == b.out_sum_sq[1]);
}
