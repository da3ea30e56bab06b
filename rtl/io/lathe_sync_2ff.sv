// SPDX-License-Identifier: MIT
// Two-flop synchroniser: brings d_i, driven from another clock domain (or asynchronously),
// into clk_i's domain two edges later, the first flop's metastability resolved by the second.
//
// Each bit is synchronised on its own: a multi-bit d_i must change one bit at a time (a
// Gray-coded pointer, lathe_async_fifo) or be held stable while the receiver samples it.
// d_i must come straight from a flop of its domain, with no logic in between, so that it
// carries no glitches. ASYNC_REG keeps the two flops together and out of SRL/retiming.
// The only CDC pattern of the RTL is lathe_async_fifo, built on this (docs/rtl.md).
//
// Simulation only (not under SYNTHESIS): with +lathe_cdc_skew on the simulator's command
// line, a bit of d_i that changed in the half clock period before the sampling edge is
// taken at that edge at random either new or old (then new one edge later), as a
// metastable first flop resolves. Sound for a Gray code whose source changes at most once
// per half period of clk_i (source and destination clocks within a factor of about 1.6);
// it is what shows a multi-bit change that is not Gray in a zero-delay simulation.
module lathe_sync_2ff #(
  parameter int unsigned      Width      = 1,
  parameter logic [Width-1:0] ResetValue = '0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);
  (* ASYNC_REG = "TRUE" *) logic [Width-1:0] meta_q;
  (* ASYNC_REG = "TRUE" *) logic [Width-1:0] sync_q;
  logic [Width-1:0] meta_d;

`ifndef SYNTHESIS
  logic             skew_en;
  logic [Width-1:0] d_fall_q, skew_q;
  initial skew_en = $test$plusargs("lathe_cdc_skew") != 0;
  // The value half a period before the sampling edge, and which changed bits come late.
  always_ff @(negedge clk_i) begin
    d_fall_q <= d_i;
    for (int unsigned i = 0; i < Width; i++) skew_q[i] <= 1'($urandom);
  end
  assign meta_d = skew_en ? d_i ^ ((d_i ^ d_fall_q) & skew_q) : d_i;
`else
  assign meta_d = d_i;
`endif

  // CDC: d_i is sampled here asynchronously to its source; meta_q may go metastable.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      meta_q <= ResetValue;
      sync_q <= ResetValue;
    end else begin
      meta_q <= meta_d;
      sync_q <= meta_q;
    end
  end

  assign q_o = sync_q;
endmodule
