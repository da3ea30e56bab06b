// SPDX-License-Identifier: MIT
// Owns one Verilated top with a clk_i/rst_ni pair: its context, clock, reset, optional
// FST trace and a cycle budget. Tests and back ends drive the top through this class;
// nobody else calls eval().
#pragma once
#include <verilated.h>
// VM_TRACE: set by verilate() for the target that includes this; a build made for speed
// has no tracing (sim/CMakeLists.txt, LATHE_SIM_TRACE).
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "lathe/sim/sim_options.hpp"

namespace lathe::sim {

class CycleBudgetExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class Top>
class ClockedModel {
 public:
  explicit ClockedModel(const SimOptions& options = {}) : context_(std::make_unique<VerilatedContext>()) {
    context_->randReset(options.rand_reset);
    if (options.seed) {
      const std::string seed_arg = "+verilator+seed+" + std::to_string(options.seed);
      const char* argv[] = {"sim", seed_arg.c_str()};
      // Verilator 5.006 parses the seed with strtoull and then checks errno without
      // clearing it first: a stale ERANGE from libm would abort the run.
      errno = 0;
      context_->commandArgs(2, argv);
    }
    max_cycles_ = options.max_cycles;
    std::string trace = options.trace_path;
    if (const char* env = std::getenv("LATHE_TRACE")) trace = env;
#if VM_TRACE
    if (!trace.empty()) context_->traceEverOn(true);
    top_ = std::make_unique<Top>(context_.get());
    if (!trace.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(trace.c_str());
    }
#else
    if (!trace.empty())
      throw std::runtime_error("cannot write the trace " + trace +
                               ": this simulation is built without tracing (configure with -DLATHE_SIM_TRACE=ON)");
    top_ = std::make_unique<Top>(context_.get());
#endif
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->eval();
  }
  ~ClockedModel() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }
  ClockedModel(const ClockedModel&) = delete;
  ClockedModel& operator=(const ClockedModel&) = delete;

  Top& top() { return *top_; }
  Top* operator->() { return top_.get(); }
  uint64_t cycles() const { return cycles_; }
  // The simulation's time (tick() advances it by one per clock edge; eval_at sets it).
  uint64_t time() const { return context_->time(); }

  // Holds rst_ni low for `cycles` clock cycles.
  void reset(int cycles = 4) {
    top_->rst_ni = 0;
    for (int i = 0; i < cycles; ++i) tick();
    top_->rst_ni = 1;
  }

  // One clock cycle: inputs set by the caller are sampled at the rising edge; outputs
  // read after tick() are the registered values of the new cycle.
  void tick() {
    if (cycles_ >= max_cycles_) throw CycleBudgetExceeded("simulation exceeded " + std::to_string(max_cycles_) + " cycles");
    top_->clk_i = 1;
    top_->eval();
    dump();
    top_->clk_i = 0;
    top_->eval();
    dump();
    ++cycles_;
  }

  // Settles combinational outputs after inputs change, without a clock edge.
  void settle() { top_->eval(); }

  // For an event-driven harness that drives the clocks itself (several clock domains,
  // edges at arbitrary times): evaluates the top at simulated time `time` (not before
  // the previous call's; in the trace's time unit) and dumps the trace there. Counts
  // against the cycle budget like one tick() (unless `count` is false: the other edge of
  // a clock counted once).
  void eval_at(uint64_t time, bool count = true) {
    if (count && cycles_ >= max_cycles_)
      throw CycleBudgetExceeded("simulation exceeded " + std::to_string(max_cycles_) + " evaluations");
    context_->time(time);
    top_->eval();
#if VM_TRACE
    if (trace_) trace_->dump(time);
#endif
    if (count) ++cycles_;
  }

 private:
  void dump() {
    context_->timeInc(1);
#if VM_TRACE
    if (trace_) trace_->dump(context_->time());
#endif
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Top> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  uint64_t cycles_ = 0;
  uint64_t max_cycles_ = UINT64_MAX;
};

}  // namespace lathe::sim
