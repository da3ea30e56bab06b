// SPDX-License-Identifier: MIT
// I2S master clocks from MCLK: BCLK at MCLK/2, /4 or /8 with 50 % duty, and LRCLK
// toggling every 32 BCLK on a BCLK falling edge, at the left-channel level of the format
// during the first 32 BCLK of each frame.
module lathe_i2s_clockgen (
  input  logic       clk_i,       // MCLK
  input  logic       rst_ni,
  // Low: BCLK and LRCLK parked low; the next frame starts one BCLK after en_i rises.
  input  logic       en_i,
  // 0: I2S (LRCLK low = left), 1: left-justified (LRCLK high = left).
  input  logic       format_i,
  // MCLK/BCLK = 2^div_log2_i: 1, 2 or 3 (2, 4 or 8; 4 for a 256 fs MCLK); 0 acts as 1.
  // format_i and div_log2_i change only while en_i is low.
  input  logic [1:0] div_log2_i,
  output logic       bclk_o,
  output logic       lrclk_o
);
  localparam logic [5:0] LastBclkOfFrame = 6'd63;

  logic [2:0] mclk_count_q, mclk_count_d;  // free-running; bit n-1 is BCLK for MCLK/2^n
  logic       bclk_q, bclk_d;
  logic       lrclk_q, lrclk_d;
  logic [5:0] bclk_count_q, bclk_count_d;  // BCLK period in the frame: 0-31 left, 32-63 right
  logic       bclk_next;
  logic       bclk_falls;

  always_comb begin
    mclk_count_d = '0;
    bclk_d       = 1'b0;
    lrclk_d      = 1'b0;
    bclk_count_d = LastBclkOfFrame;
    bclk_next    = 1'b0;
    bclk_falls   = 1'b0;
    if (en_i) begin
      mclk_count_d = mclk_count_q + 3'd1;
      unique case (div_log2_i)
        2'd2:    bclk_next = mclk_count_d[1];
        2'd3:    bclk_next = mclk_count_d[2];
        default: bclk_next = mclk_count_d[0];
      endcase
      bclk_d       = bclk_next;
      bclk_falls   = bclk_q && !bclk_next;
      bclk_count_d = bclk_count_q + 6'(bclk_falls);
      // LRCLK changes with the falling edge that begins a slot, so that a receiver
      // clocked by BCLK sees it half a BCLK before its rising edge.
      lrclk_d      = bclk_falls ? (bclk_count_d[5] ^ format_i) : lrclk_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mclk_count_q <= '0;
      bclk_q       <= 1'b0;
      lrclk_q      <= 1'b0;
      bclk_count_q <= LastBclkOfFrame;
    end else begin
      mclk_count_q <= mclk_count_d;
      bclk_q       <= bclk_d;
      lrclk_q      <= lrclk_d;
      bclk_count_q <= bclk_count_d;
    end
  end

  assign bclk_o  = bclk_q;
  assign lrclk_o = lrclk_q;
endmodule
