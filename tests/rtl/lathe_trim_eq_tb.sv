// SPDX-License-Identifier: MIT
// Test top: lathe_trim_eq with a model of the register file's coefficient RAM (2 * 5 * Bands
// words, 80 for 8 bands, a write port for the test, two synchronous reads: channel 0 and
// channel 1 of one band), and a check of the coefficient uses: the register file steps each
// word's glide as trim_eq uses it (coef_use_o), so every word must be used exactly once a
// frame; coef_uses_ok_o falls for good at an output handshake after any other count.
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
  output logic [31:0]         out_right_o,
  output logic                coef_uses_ok_o
);
  localparam int unsigned WaddrBits = $clog2(10 * Bands);

  logic [CoefBits-1:0]            coef_q [10 * Bands];
  logic [CoefBits-1:0]            coef0_q, coef1_q;
  logic [$clog2(5 * Bands)-1:0]   coef_addr, use_addr_q;
  logic                           coef_use, ok_q;
  logic [5 * Bands-1:0]           once_q, twice_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      once_q  <= '0;
      twice_q <= '0;
      ok_q    <= 1'b1;
    end else if (clear_i) begin
      once_q  <= '0;
      twice_q <= '0;
    end else if (out_valid_o && out_ready_i) begin
      ok_q    <= ok_q && (&once_q) && !(|twice_q);
      once_q  <= '0;
      twice_q <= '0;
    end else if (coef_use) begin
      once_q[use_addr_q]  <= 1'b1;
      twice_q[use_addr_q] <= twice_q[use_addr_q] | once_q[use_addr_q];
    end
  end
  always_ff @(posedge clk_i) use_addr_q <= coef_addr;
  assign coef_uses_ok_o = ok_q;

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
    .coef_use_o   (coef_use),
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
