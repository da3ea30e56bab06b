// SPDX-License-Identifier: MIT
// Test top: lathe_trim_eq with a model of the register file's coefficient RAM (2 * 5 * Bands
// words, 80 for 8 bands, a write port for the test, two synchronous reads: channel 0 and
// channel 1 of one band).
module lathe_trim_eq_tb #(
  parameter int unsigned CoefBits = 37,
  parameter int unsigned Bands    = 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                clear_i,
  input  logic [31:0]         trim_gain_i,
  input  logic                mid_side_i,
  input  logic                coef_we_i,
  input  logic [$clog2(10 * Bands)-1:0] coef_waddr_i,  // (ch * Bands + band) * 5 + k
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
  localparam int unsigned WaddrBits = $clog2(10 * Bands);

  logic [CoefBits-1:0]            coef_q [10 * Bands];
  logic [CoefBits-1:0]            coef0_q, coef1_q;
  logic [$clog2(5 * Bands)-1:0]   coef_addr;

  always_ff @(posedge clk_i) begin
    if (coef_we_i) coef_q[coef_waddr_i] <= coef_wdata_i;
    coef0_q <= coef_q[WaddrBits'(coef_addr)];
    coef1_q <= coef_q[WaddrBits'(coef_addr) + WaddrBits'(5 * Bands)];
  end

  lathe_trim_eq #(.CoefBits(CoefBits), .Bands(Bands)) u_dut (
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
