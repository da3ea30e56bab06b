// SPDX-License-Identifier: MIT
// Test top: lathe_trim_eq_tb with Bands = 4 hard-wired (a 4-band build of the stage).
module lathe_trim_eq_b4_tb #(
  parameter int unsigned CoefBits = 37
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                clear_i,
  input  logic [31:0]         trim_gain_i,
  input  logic                mid_side_i,
  input  logic                coef_we_i,
  input  logic [5:0]          coef_waddr_i,   // (ch * 4 + band) * 5 + k
  input  logic [CoefBits-1:0] coef_wdata_i,
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [23:0]         in_left_i,
  input  logic [23:0]         in_right_i,
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output logic [31:0]         out_left_o,
  output logic [31:0]         out_right_o,
  output logic                coef_uses_ok_o
);
  lathe_trim_eq_tb #(.CoefBits(CoefBits), .Bands(4)) u_tb (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .trim_gain_i  (trim_gain_i),
    .mid_side_i   (mid_side_i),
    .coef_we_i    (coef_we_i),
    .coef_waddr_i (coef_waddr_i),
    .coef_wdata_i (coef_wdata_i),
    .in_valid_i   (in_valid_i),
    .in_ready_o   (in_ready_o),
    .in_left_i    (in_left_i),
    .in_right_i   (in_right_i),
    .out_valid_o  (out_valid_o),
    .out_ready_i  (out_ready_i),
    .out_left_o   (out_left_o),
    .out_right_o  (out_right_o),
    .coef_uses_ok_o (coef_uses_ok_o)
  );
endmodule
