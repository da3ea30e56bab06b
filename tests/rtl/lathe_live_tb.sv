// SPDX-License-Identifier: MIT
// Test top for lathe_live alone (tests/rtl/test_live_cdc.cpp): the live path with Delay 2
// and, in the core domain, a stand-in for the chain. The stand-in takes each frame from
// in_valid_o/in_data_o/in_tag_o, holds it for HoldCycles core clocks (the real chain's
// time for a frame through the empty core and its crossings, docs/rtl.md "Live mode") and
// returns its data XOR Pattern with the same tag on back_valid_i/back_data_i/back_tag_i;
// up to InFlight frames at once (pipelined: a new frame is taken while older ones are
// still held), in order. The codec pins and the status counters go to the harness.
module lathe_live_tb #(
  parameter int unsigned  Delay      = 2,
  parameter int unsigned  HoldCycles = 229,
  parameter int unsigned  InFlight   = 3,
  parameter logic [47:0]  Pattern    = 48'ha5c3f0_5a5a5a
) (
  // Core domain.
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        enable_i,
  input  logic        clock_master_i,
  input  logic        left_justified_i,
  input  logic [1:0]  mclk_div_i,
  input  logic        restart_i,
  // Status.
  output logic        running_o,
  output logic [31:0] frames_o,
  output logic [31:0] rx_errors_o,
  output logic [31:0] underruns_o,
  output logic [31:0] late_o,
  output logic [31:0] overruns_o,
  output logic [31:0] clock_stops_o,
  // The stand-in chain: frames held now, and the most held at once since reset.
  output logic [1:0]  chain_held_o,
  output logic [1:0]  chain_max_held_o,
  // Codec pins.
  input  logic        mclk_i,
  input  logic        bclk_i,
  input  logic        lrclk_i,
  output logic        bclk_o,
  output logic        lrclk_o,
  input  logic        adc_i,
  output logic        dac_o
);
  localparam int unsigned CountBits = $clog2(HoldCycles + 1);
  localparam logic [CountBits-1:0] HoldLast = CountBits'(HoldCycles - 1);

  logic        in_valid, in_ready, back_valid;
  logic [47:0] in_data, back_data;
  logic [7:0]  in_tag, back_tag;

  lathe_live #(
    .Delay(Delay)
  ) u_live (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .enable_i        (enable_i),
    .clock_master_i  (clock_master_i),
    .left_justified_i(left_justified_i),
    .mclk_div_i      (mclk_div_i),
    .restart_i       (restart_i),
    .in_valid_o      (in_valid),
    .in_ready_i      (in_ready),
    .in_data_o       (in_data),
    .in_tag_o        (in_tag),
    .back_valid_i    (back_valid),
    .back_data_i     (back_data),
    .back_tag_i      (back_tag),
    .running_o       (running_o),
    .frames_o        (frames_o),
    .rx_errors_o     (rx_errors_o),
    .underruns_o     (underruns_o),
    .late_o          (late_o),
    .overruns_o      (overruns_o),
    .clock_stops_o   (clock_stops_o),
    .mclk_i          (mclk_i),
    .bclk_i          (bclk_i),
    .lrclk_i         (lrclk_i),
    .bclk_o          (bclk_o),
    .lrclk_o         (lrclk_o),
    .adc_i           (adc_i),
    .dac_o           (dac_o)
  );

  // ---------------------------------------------------------------- the stand-in chain
  // A ring of InFlight entries in arrival order, each with the clocks left until it goes
  // back: taken at a rising edge, it is on back_valid in the cycle that ends HoldCycles
  // edges later (and written into the way back at that edge).
  logic [47:0]          data_q [InFlight];
  logic [7:0]           tag_q  [InFlight];
  logic [CountBits-1:0] left_q [InFlight];
  logic [1:0]           wr_q, wr_d, rd_q, rd_d, held_q, held_d, max_q, max_d;
  logic                 take, give;

  assign in_ready   = held_q != 2'(InFlight);
  assign take       = in_valid && in_ready;
  assign give       = held_q != '0 && left_q[rd_q] == '0;
  assign back_valid = give;
  assign back_data  = data_q[rd_q] ^ Pattern;
  assign back_tag   = tag_q[rd_q];

  function automatic logic [1:0] next_index(logic [1:0] i);
    next_index = i == 2'(InFlight - 1) ? 2'd0 : i + 2'd1;
  endfunction

  always_comb begin
    wr_d   = take ? next_index(wr_q) : wr_q;
    rd_d   = give ? next_index(rd_q) : rd_q;
    held_d = held_q + 2'(take) - 2'(give);
    max_d  = held_d > max_q ? held_d : max_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q   <= '0;
      rd_q   <= '0;
      held_q <= '0;
      max_q  <= '0;
      for (int unsigned i = 0; i < InFlight; i++) left_q[i] <= '0;
    end else begin
      wr_q   <= wr_d;
      rd_q   <= rd_d;
      held_q <= held_d;
      max_q  <= max_d;
      for (int unsigned i = 0; i < InFlight; i++) begin
        if (take && wr_q == 2'(i)) left_q[i] <= HoldLast;
        else if (left_q[i] != '0) left_q[i] <= left_q[i] - 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (take) begin
      data_q[wr_q] <= in_data;
      tag_q[wr_q]  <= in_tag;
    end
  end

  assign chain_held_o     = held_q;
  assign chain_max_held_o = max_q;
endmodule
