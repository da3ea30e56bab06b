// SPDX-License-Identifier: MIT
// Test top: lathe_log2 and lathe_exp2 side by side, so one Verilated model tests both.
module lathe_log2_exp2_tb (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               valid_i,
  input  logic        [31:0] mag_i,
  input  logic signed [31:0] v_i,
  output logic               log2_valid_o,
  output logic signed [23:0] log2_o,
  output logic               exp2_valid_o,
  output logic        [31:0] gain_o
);
  lathe_log2 u_log2 (.clk_i(clk_i), .rst_ni(rst_ni), .valid_i(valid_i), .mag_i(mag_i), .valid_o(log2_valid_o),
                     .log2_o(log2_o));
  lathe_exp2 u_exp2 (.clk_i(clk_i), .rst_ni(rst_ni), .valid_i(valid_i), .v_i(v_i), .valid_o(exp2_valid_o),
                     .gain_o(gain_o));
endmodule
