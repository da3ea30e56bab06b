// SPDX-License-Identifier: MIT
// Meters of two back ends, field by field (a mismatch names the field).
#pragma once
#include <catch2/catch.hpp>

#include "lathe/model/chain.hpp"

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
