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
// Simulation only, in the CDC test's build (LATHE_CDC_SKEW defined: tests/rtl/cdc.cmake; the
// back ends' fast builds and synthesis do not have it): with +lathe_cdc_skew on the
// simulator's command line, a bit of d_i that changed in the half period before a sampling edge of the running
// clock is taken at that edge at random new or old (and new one edge later), as a
// metastable first flop resolves. That is sound for a Gray code whose source changes at
// most once per half period of clk_i (the two clocks within about 1.6x of each other), and
// it is what makes a multi-bit change that is not Gray fail in a zero-delay simulation.
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

`ifdef LATHE_CDC_SKEW
  logic             skew_en;
  logic [Width-1:0] d_fall_q, skew_q;
  realtime          fall_at_q, period_q;
  initial skew_en = $test$plusargs("lathe_cdc_skew") != 0;
  // The value half a period before the sampling edge, when that was, and which changed
  // bits come late.
  always_ff @(negedge clk_i) begin
    d_fall_q  <= d_i;
    period_q  <= $realtime - fall_at_q;
    fall_at_q <= $realtime;
    for (int unsigned i = 0; i < Width; i++) skew_q[i] <= 1'($urandom);
  end
  // What the first flop takes at a rising edge. Only half a period after a falling edge of
  // a running clock: after a stop, the changes since the falling edge are not all recent.
  function automatic logic [Width-1:0] sample(logic [Width-1:0] d);
    if (skew_en && $realtime - fall_at_q < 0.75 * period_q) sample = d ^ ((d ^ d_fall_q) & skew_q);
    else sample = d;
  endfunction
`else
  function automatic logic [Width-1:0] sample(logic [Width-1:0] d);
    sample = d;
  endfunction
`endif

  // CDC: d_i is sampled here asynchronously to its source; meta_q may go metastable.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      meta_q <= ResetValue;
      sync_q <= ResetValue;
    end else begin
      meta_q <= sample(d_i);
      sync_q <= meta_q;
    end
  end

  assign q_o = sync_q;
endmodule
