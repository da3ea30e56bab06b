// SPDX-License-Identifier: MIT
// An event from one clock domain into another: a one-cycle pulse in the source flips a
// toggle flop, the toggle crosses through a lathe_sync_2ff, and each change of it is a
// one-cycle pulse in the destination.
//
// One bit changes per event, so the crossing is the Gray rule of lathe_async_fifo with a
// one-bit count. Each toggle must be seen: the destination clock must sample every level,
// so pulses come at most one per source cycle and the destination clock is at least 1.5x
// the source's (the live path: core clock >= 3x BCLK, docs/rtl.md). A source reset while
// the toggle is high shows as one event; the live path's counters are cleared then anyway.
module lathe_pulse_sync (
  input  logic src_clk_i,
  input  logic src_rst_ni,
  input  logic src_pulse_i,
  input  logic dst_clk_i,
  input  logic dst_rst_ni,
  output logic dst_pulse_o
);
  logic toggle_q, toggle_d, seen_q, seen_d, toggle_dst;

  assign toggle_d = toggle_q ^ src_pulse_i;

  always_ff @(posedge src_clk_i or negedge src_rst_ni) begin
    if (!src_rst_ni) toggle_q <= 1'b0;
    else toggle_q <= toggle_d;
  end

  // CDC: the source's toggle into the destination domain.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_sync (
    .clk_i (dst_clk_i),
    .rst_ni(dst_rst_ni),
    .d_i   (toggle_q),
    .q_o   (toggle_dst)
  );

  assign seen_d      = toggle_dst;
  assign dst_pulse_o = toggle_dst ^ seen_q;

  always_ff @(posedge dst_clk_i or negedge dst_rst_ni) begin
    if (!dst_rst_ni) seen_q <= 1'b0;
    else seen_q <= seen_d;
  end
endmodule
