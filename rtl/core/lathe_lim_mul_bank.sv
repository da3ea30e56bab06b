// SPDX-License-Identifier: MIT
// The limiter's multiplier bank: NumMul registered signed 18 x 33-bit multipliers, shared in time by the detector's FIR phases and the release, ramp and output-gain products.
module lathe_lim_mul_bank #(
  parameter int unsigned NumMul = 16
) (
  input  logic                   clk_i,
  input  logic [NumMul*18-1:0]   a_i,  // multiplier m: signed 18-bit operand at [18*m +: 18]
  input  logic [NumMul*33-1:0]   b_i,  // multiplier m: signed 33-bit operand at [33*m +: 33]
  output logic [NumMul*51-1:0]   p_o   // multiplier m: signed 51-bit product, one cycle later
);
  for (genvar m = 0; m < NumMul; m++) begin : g_mul
    logic signed [17:0] a;
    logic signed [32:0] b;
    logic signed [50:0] p_d, p_q;
    assign a   = a_i[18*m +: 18];
    assign b   = b_i[33*m +: 33];
    // |a * b| <= 2^17 * 2^32 = 2^49: exact in 51 signed bits.
    assign p_d = 51'(a) * 51'(b);
    always_ff @(posedge clk_i) begin
      p_q <= p_d;
    end
    assign p_o[51*m +: 51] = p_q;
  end
endmodule
