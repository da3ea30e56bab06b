// SPDX-License-Identifier: MIT
// One stereo frame through an RTL stage with the chain's valid/ready ports (in_valid_i,
// in_ready_o, in_left_i, in_right_i; out_valid_o, out_ready_i, out_left_o, out_right_o):
// offered, taken, and collected under random back-pressure, with the checks every stage
// owes the chain: ready within a bound, output within the latency budget, and an output
// that holds still while it is stalled.
#pragma once
#include <catch2/catch.hpp>

#include <cstdint>

#include "lathe/model/dither.hpp"
#include "lathe/sim/clocked_model.hpp"

namespace lathe::test {

struct StageLimits {
  const char* stage;       // for messages
  int ready_wait;          // cycles in_ready_o may stay low
  uint64_t budget;         // cycles from the input handshake to out_valid_o
  uint64_t give_up;        // cycles after which a missing output fails the case
};

struct StageOutput {
  uint32_t left = 0, right = 0;
  uint64_t latency = 0;  // cycles from the input handshake to out_valid_o
};

template <class Top>
StageOutput push_frame(sim::ClockedModel<Top>& dut, model::Xorshift32& rng, uint32_t in_left,
                       uint32_t in_right, const StageLimits& limits, uint64_t frame) {
  dut->in_valid_i = 1;
  dut->in_left_i = in_left;
  dut->in_right_i = in_right;
  dut.settle();  // in_ready_o may depend on inputs (clear_i)
  for (int i = 0; !dut->in_ready_o; ++i) {
    if (i > limits.ready_wait) FAIL(limits.stage << " never became ready, frame " << frame);
    dut.tick();
  }
  const uint64_t start = dut.cycles();
  dut.tick();  // handshake
  dut->in_valid_i = 0;
  bool seen = false;
  StageOutput out;
  for (;;) {
    const bool ready = (rng.next() & 3) != 0;
    dut->out_ready_i = ready;
    if (dut->out_valid_o) {
      if (!seen) {
        seen = true;
        out.latency = dut.cycles() - start;
        if (out.latency > limits.budget) FAIL(limits.stage << " frame " << frame << " took " << out.latency << " cycles");
        out.left = dut->out_left_o;
        out.right = dut->out_right_o;
      } else if (out.left != dut->out_left_o || out.right != dut->out_right_o) {
        FAIL(limits.stage << " output changed while stalled, frame " << frame);
      }
      if (ready) {
        dut.tick();
        break;
      }
    }
    if (dut.cycles() - start > limits.give_up) FAIL(limits.stage << " produced no output, frame " << frame);
    dut.tick();
  }
  dut->out_ready_i = 0;
  return out;
}

}  // namespace lathe::test
