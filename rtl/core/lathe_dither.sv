// SPDX-License-Identifier: MIT
// TPDF dither and word-length reduction of a Q5.27 stereo frame to 16 or 24 bits
// (model::Dither): one xorshift32 step per channel (left first) when enabled, round half
// up, saturate. Output is the integer at the output width, sign-extended to 32 bits.
//
// One frame at a time: the result is registered one cycle after the input handshake and
// held until taken. No multipliers.
module lathe_dither (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,      // reseed the generator from seed_i (0 acts as 1)
  // Configuration.
  input  logic               dither_en_i,  // kCtrlDither
  input  logic               out16_i,      // kCtrlOut16: 16-bit output, else 24-bit
  input  logic        [31:0] seed_i,       // kDitherSeed
  // Samples.
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [31:0] in_left_i,    // Q5.27
  input  logic signed [31:0] in_right_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [31:0] out_left_o,   // 16- or 24-bit integer, sign-extended
  output logic signed [31:0] out_right_o
);
  logic [31:0]        rng_q, rng_d;
  logic [31:0]        r_left, r_right;
  logic               valid_q, valid_d;
  logic signed [31:0] left_q, left_d;
  logic signed [31:0] right_q, right_d;
  logic               accept;

  // One xorshift32 step (13, 17, 5).
  function automatic logic [31:0] xorshift32(logic [31:0] s);
    logic [31:0] t;
    t = s ^ (s << 13);
    t = t ^ (t >> 17);
    t = t ^ (t << 5);
    xorshift32 = t;
  endfunction

  // x + TPDF noise, rounded half up at the output LSB, saturated to the output width.
  // drop = 27 - (bits - 1) = 12 (16-bit) or 4 (24-bit); noise = (r & mask) - ((r >> 16) & mask)
  // (r_lo = r[11:0], r_hi = r[27:16]) with mask = 2^drop - 1, so |noise| < 2^12
  // and the 34-bit sum cannot overflow.
  function automatic logic signed [31:0] requantise(logic signed [31:0] x, logic [11:0] r_lo,
                                                    logic [11:0] r_hi, logic en, logic out16);
    logic        [11:0] mask;
    logic        [11:0] u_lo, u_hi;
    logic signed [13:0] noise;
    logic signed [33:0] v;
    logic signed [33:0] q;
    logic signed [33:0] top;  // 2^(bits-1) - 1
    mask  = out16 ? 12'hfff : 12'h00f;
    u_lo  = r_lo & mask;
    u_hi  = r_hi & mask;
    noise = en ? (14'(u_lo) - 14'(u_hi)) : 14'sd0;
    v     = 34'(x) + 34'(noise);
    if (out16) begin
      q   = (v + 34'sd2048) >>> 12;
      top = 34'sd32767;
    end else begin
      q   = (v + 34'sd8) >>> 4;
      top = 34'sd8388607;
    end
    if (q > top)            requantise = top[31:0];
    else if (q < -top - 1)  requantise = 32'(-top - 34'sd1);
    else                    requantise = q[31:0];
  endfunction

  always_comb begin
    r_left  = xorshift32(rng_q);
    r_right = xorshift32(r_left);
    in_ready_o = !valid_q && !clear_i;
    accept     = in_valid_i && in_ready_o;

    rng_d   = rng_q;
    valid_d = valid_q;
    left_d  = left_q;
    right_d = right_q;
    if (valid_q && out_ready_i) valid_d = 1'b0;
    if (accept) begin
      valid_d = 1'b1;
      left_d  = requantise(in_left_i, r_left[11:0], r_left[27:16], dither_en_i, out16_i);
      right_d = requantise(in_right_i, r_right[11:0], r_right[27:16], dither_en_i, out16_i);
      if (dither_en_i) rng_d = r_right;
    end
    if (clear_i) rng_d = (seed_i == '0) ? 32'd1 : seed_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rng_q   <= 32'd1;
      valid_q <= 1'b0;
    end else begin
      rng_q   <= rng_d;
      valid_q <= valid_d;
    end
  end

  // Datapath registers: no reset.
  always_ff @(posedge clk_i) begin
    left_q  <= left_d;
    right_q <= right_d;
  end

  assign out_valid_o = valid_q;
  assign out_left_o  = left_q;
  assign out_right_o = right_q;
endmodule
