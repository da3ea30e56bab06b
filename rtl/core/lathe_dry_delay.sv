// SPDX-License-Identifier: MIT
// Bypass's dry input: each input frame, delayed by the chain's latency (lookahead +
// ChainExtraDelay frames, counted since the clear), so that bypass lines up with the
// processed output and keeps the latency (model::Chain's dry ring, docs/rtl.md).
//
// Frames are counted, not timed: frame k out of the guard gets input frame k - latency,
// zeros for k < latency (the model's ring is cleared at reset). The block RAM's read is
// registered, so the next frame's dry is fetched after each pop; fresh_o is low for the
// two cycles that takes, and the core holds the guard's output until it is high (the
// guard's next frame normally comes a frame period later, so this costs no cycle).
module lathe_dry_delay (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,      // with no frame in flight: latch the lookahead, restart the count
  input  logic        [31:0] lookahead_i,  // reg::kLimLookahead, clamped to 1..MaxLookahead as the limiter does
  input  logic               push_i,       // a frame enters the core
  input  logic signed [23:0] left_i,
  input  logic signed [23:0] right_i,
  input  logic               pop_i,        // a frame leaves the guard
  output logic               fresh_o,      // left_o/right_o are the dry of the frame at the guard's output
  output logic signed [23:0] left_o,
  output logic signed [23:0] right_o
);
  localparam int unsigned MaxLookahead = lathe_regs_pkg::MaxLookahead;
  localparam int unsigned MaxDelay = MaxLookahead + lathe_regs_pkg::ChainExtraDelay;
  localparam int unsigned Depth = 2048;
  localparam int unsigned AddrBits = $clog2(Depth);

  if (MaxDelay >= Depth) begin : g_too_short
    $error("lathe_dry_delay: Depth must exceed the longest latency");
  end

  logic [AddrBits-1:0] wr_q, wr_d, rd_q, rd_d;        // frames in and out since the clear, modulo Depth
  logic [AddrBits:0]   out_count_q, out_count_d;    // frames out since the clear, saturating at Depth
  logic [AddrBits:0]   delay_q, delay_d;            // the latency latched at the clear
  logic [AddrBits-1:0] fetched_q, fetched_d;        // the frame count the RAM's read data is for
  logic                fetched_valid_q, fetched_valid_d;
  logic                zero_q, zero_d;              // that frame is before the first dry frame
  logic [AddrBits:0]   look_new;
  logic [47:0]         rdata;

  always_comb begin
    if (lookahead_i == 32'd0)                 look_new = (AddrBits+1)'(1);
    else if (lookahead_i > 32'(MaxLookahead)) look_new = (AddrBits+1)'(MaxLookahead);
    else                                      look_new = lookahead_i[AddrBits:0];

    wr_d            = wr_q + AddrBits'(push_i);
    rd_d            = rd_q + AddrBits'(pop_i);
    out_count_d     = out_count_q + (AddrBits+1)'(pop_i && out_count_q != (AddrBits+1)'(Depth));
    delay_d         = delay_q;
    // The RAM reads at rd_q every cycle: its data next cycle is for rd_q.
    fetched_d       = rd_q;
    fetched_valid_d = !pop_i;
    zero_d          = out_count_q < delay_q;
    if (clear_i) begin
      wr_d            = '0;
      rd_d            = '0;
      out_count_d     = '0;
      delay_d         = look_new + (AddrBits+1)'(lathe_regs_pkg::ChainExtraDelay);
      fetched_valid_d = 1'b0;
    end
  end

  lathe_lim_ram #(
    .Width(48),
    .Depth(Depth)
  ) u_ram (
    .clk_i  (clk_i),
    .we_i   (push_i),
    .waddr_i(wr_q),
    .wdata_i({right_i, left_i}),
    .re_i   (1'b1),
    .raddr_i(rd_q - delay_q[AddrBits-1:0]),
    .rdata_o(rdata)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q            <= '0;
      rd_q            <= '0;
      out_count_q     <= '0;
      delay_q         <= (AddrBits+1)'(1 + lathe_regs_pkg::ChainExtraDelay);
      fetched_q       <= '0;
      fetched_valid_q <= 1'b0;
      zero_q          <= 1'b1;
    end else begin
      wr_q            <= wr_d;
      rd_q            <= rd_d;
      out_count_q     <= out_count_d;
      delay_q         <= delay_d;
      fetched_q       <= fetched_d;
      fetched_valid_q <= fetched_valid_d;
      zero_q          <= zero_d;
    end
  end

  assign fresh_o = fetched_valid_q && fetched_q == rd_q;
  assign left_o  = zero_q ? 24'sd0 : rdata[23:0];
  assign right_o = zero_q ? 24'sd0 : rdata[47:24];
endmodule
