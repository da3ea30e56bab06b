// SPDX-License-Identifier: MIT
// The limiter's multiplier bank: NumMul registered signed 17 x 33-bit multipliers, shared in time by the detector's FIR phases and the release, ramp and output-gain products.
module lathe_lim_mul_bank #(
  parameter int unsigned NumMul = 10
) (
  input  logic                   clk_i,
  input  logic [NumMul*17-1:0]   a_i,  // multiplier m: signed 17-bit operand at [17*m +: 17]
  input  logic [NumMul*33-1:0]   b_i,  // multiplier m: signed 33-bit operand at [33*m +: 33]
  output logic [NumMul*50-1:0]   p_o   // multiplier m: signed 50-bit product, one cycle later
);
  for (genvar m = 0; m < NumMul; m++) begin : g_mul
    logic signed [16:0] a;
    logic signed [32:0] b;
    logic signed [49:0] p_d, p_q;
    assign a   = a_i[17*m +: 17];
    assign b   = b_i[33*m +: 33];
    // |a * b| <= 2^16 * 2^32 = 2^48: exact in 50 signed bits.
    assign p_d = 50'(a) * 50'(b);
    always_ff @(posedge clk_i) begin
      p_q <= p_d;
    end
    assign p_o[50*m +: 50] = p_q;
  end
endmodule
