// SPDX-License-Identifier: MIT
// The C++ half of the simulation's model core (sim/rtl/lathe_core_model.sv): the bit-exact
// model::Chain behind lathe_core's register protocol. The SystemVerilog half runs the real
// register file and command sequencer and calls these at the cycle the RTL core would act.
#include <cstdint>
#include <deque>

#include "Vlathe_top_model__Dpi.h"
#include "lathe/model/chain.hpp"
#include "lathe/readback.hpp"
#include "lathe/registers.hpp"

namespace {

struct CoreModel {
  lathe::reg::RegisterImage shadow;     // what the host wrote
  lathe::reg::RegisterImage committed;  // the bank a commit copied, active at its swap
  lathe::model::Chain chain;
  // The meters as the RTL's read them: the input peaks as a frame enters (the chain's own),
  // the rest as it leaves. In flight: the chain's meters after each frame, oldest first.
  std::deque<lathe::model::Meters> in_flight;
  lathe::model::Meters out;
};

CoreModel& of(void* handle) { return *static_cast<CoreModel*>(handle); }

}  // namespace

void* lathe_core_model_new() { return new CoreModel; }

void lathe_core_model_delete(void* model) { delete static_cast<CoreModel*>(model); }

// Reset: as at power-up (the register file's banks and the stages start from nothing).
void lathe_core_model_restart(void* model) { of(model) = CoreModel{}; }

void lathe_core_model_write(void* model, unsigned int addr, unsigned int data) {
  if (addr < lathe::reg::kRegCount) of(model).shadow.words[addr] = data;
}

void lathe_core_model_commit(void* model) { of(model).committed = of(model).shadow; }

// The swap: the committed bank becomes active between two frames (none is in flight); the
// model glides to it as lathe_core does (the first configuration is taken at once).
void lathe_core_model_swap(void* model) { of(model).chain.configure(of(model).committed); }

// A clear: the stages start again and every glide ends at its target; the meters stay.
void lathe_core_model_clear(void* model) {
  of(model).chain.reset_front();
  of(model).chain.reset_back();
}

// Only with no frame in flight (lathe_core_ctrl), like the clear.
void lathe_core_model_clear_meters(void* model) {
  of(model).chain.clear_meters();
  of(model).in_flight.clear();
  of(model).out = {};
}

void lathe_core_model_frame(void* model, int in_left, int in_right, int* out_left, int* out_right) {
  const int32_t in[2] = {in_left, in_right};
  int32_t out[2];
  of(model).chain.process(in, out, 1);
  of(model).in_flight.push_back(of(model).chain.meters());
  *out_left = out[0];
  *out_right = out[1];
}

void lathe_core_model_frame_out(void* model) {
  CoreModel& m = of(model);
  if (m.in_flight.empty()) return;
  m.out = m.in_flight.front();
  m.in_flight.pop_front();
}

unsigned int lathe_core_model_meter(void* model, unsigned int index) {
  if (index >= static_cast<unsigned>(lathe::reg::kMeterCount)) return 0;
  lathe::model::Meters shown = of(model).out;
  shown.in_peak[0] = of(model).chain.meters().in_peak[0];
  shown.in_peak[1] = of(model).chain.meters().in_peak[1];
  return lathe::reg::encode_meters(shown)[index];
}
