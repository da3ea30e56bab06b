// SPDX-License-Identifier: MIT
// Test top: lathe_trim_eq with a model of the register file's coefficient RAM (80 words,
// a write port for the test, two synchronous reads: channel 0 and channel 1 of one band).
module lathe_trim_eq_tb #(
  parameter int unsigned CoefBits = 37
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                clear_i,
  input  logic [31:0]         trim_gain_i,
  input  logic                mid_side_i,
  input  logic                coef_we_i,
  input  logic [6:0]          coef_waddr_i,   // (ch * 8 + band) * 5 + k
  input  logic [CoefBits-1:0] coef_wdata_i,
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [23:0]         in_left_i,
  input  logic [23:0]         in_right_i,
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output logic [31:0]         out_left_o,
  output logic [31:0]         out_right_o
);
  logic [CoefBits-1:0] coef_q [80];
  logic [CoefBits-1:0] coef0_q, coef1_q;
  logic [5:0]          coef_addr;

  always_ff @(posedge clk_i) begin
    if (coef_we_i) coef_q[coef_waddr_i] <= coef_wdata_i;
    coef0_q <= coef_q[7'(coef_addr)];
    coef1_q <= coef_q[7'(coef_addr) + 7'd40];
  end

  lathe_trim_eq #(.CoefBits(CoefBits)) u_dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .trim_gain_i  (trim_gain_i),
    .mid_side_i   (mid_side_i),
    .coef_addr_o  (coef_addr),
    .coef0_data_i (coef0_q),
    .coef1_data_i (coef1_q),
    .in_valid_i   (in_valid_i),
    .in_ready_o   (in_ready_o),
    .in_left_i    (in_left_i),
    .in_right_i   (in_right_i),
    .out_valid_o  (out_valid_o),
    .out_ready_i  (out_ready_i),
    .out_left_o   (out_left_o),
    .out_right_o  (out_right_o)
  );
endmodule
