// SPDX-License-Identifier: MIT
// 2^v for v in Q8.16, as a Q5.27 linear gain: the fraction's top 10 bits index the
// mantissa table, the integer part shifts (fx::exp2_gain_q27 in the model). Gains of
// 16 or more saturate. One cycle of latency; the table is a synchronous ROM.
`include "lathe_tables.svh"

module lathe_exp2 (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               valid_i,
  input  logic signed [31:0] v_i,      // Q8.16 in 32 bits
  output logic               valid_o,
  output logic        [31:0] gain_o    // Q5.27, 0 .. 2^31 - 1
);
  localparam int unsigned TableBits = 10;
  localparam int signed GainShift = 27 - 23;  // Q1.23 mantissa to Q5.27

  logic [23:0] table_q [2**TableBits];
  initial $readmemh(`LATHE_EXP2_HEX, table_q);

  logic               valid_q;
  logic        [23:0] mantissa_q;
  logic signed [16:0] shift_q, shift_d;  // integer part + 4
  assign shift_d = 17'(signed'(v_i[31:16])) + 17'(GainShift);
  // The valid flag is control (reset); the values are datapath.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= 1'b0;
    else         valid_q <= valid_i;
  end
  always_ff @(posedge clk_i) begin
    mantissa_q <= table_q[v_i[15:6]];  // the synchronous ROM's read port
    shift_q    <= shift_d;
  end

  always_comb begin
    if (shift_q >= 17'sd8) begin
      gain_o = 32'h7fff_ffff;
    end else if (shift_q >= 17'sd0) begin
      gain_o = {8'b0, mantissa_q} << shift_q[2:0];
    end else if (shift_q <= -17'sd24) begin
      gain_o = '0;
    end else begin
      gain_o = {8'b0, mantissa_q} >> 5'(-shift_q);
    end
  end
  assign valid_o = valid_q;

  // The fraction below the table's resolution is dropped, as in the model.
  logic unused_fraction;
  assign unused_fraction = ^v_i[5:0];
endmodule
