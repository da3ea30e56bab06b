// SPDX-License-Identifier: MIT
// Synthesis harness, not a product top: the compressor stage with every input loaded from
// a shift register on one pin and every output folded into one pin, so that
// place-and-route on a small package (iCE40 UP5K, 39 I/Os) keeps all of its logic and
// reports its Fmax (scripts/synth_report.sh).
module lathe_compressor_pins (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic serial_i,
  output logic serial_o
);
  localparam int unsigned ConfigBits = 7 * 32 + 1;
  localparam int unsigned InBits = ConfigBits + 2 * 32 + 3;  // config, samples, valid, ready, clear

  logic [InBits-1:0] shift_q;
  always_ff @(posedge clk_i) shift_q <= {shift_q[InBits-2:0], serial_i};

  logic               in_ready, out_valid;
  logic signed [31:0] out_left, out_right, gr;
  lathe_compressor u_compressor (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (shift_q[InBits-1]),
    .threshold_i (shift_q[31:0]),
    .knee_half_i (shift_q[63:32]),
    .knee_coef_i (shift_q[95:64]),
    .slope_i     (shift_q[127:96]),
    .attack_i    (shift_q[159:128]),
    .release_i   (shift_q[191:160]),
    .makeup_i    (shift_q[223:192]),
    .link_i      (shift_q[224]),
    .in_valid_i  (shift_q[InBits-2]),
    .in_ready_o  (in_ready),
    .in_left_i   (shift_q[256:225]),
    .in_right_i  (shift_q[288:257]),
    .out_valid_o (out_valid),
    .out_ready_i (shift_q[InBits-3]),
    .out_left_o  (out_left),
    .out_right_o (out_right),
    .gr_o        (gr)
  );

  always_ff @(posedge clk_i) serial_o <= ^{in_ready, out_valid, out_left, out_right, gr};
endmodule
