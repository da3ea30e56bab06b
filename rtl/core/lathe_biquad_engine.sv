// SPDX-License-Identifier: MIT
// One channel of the trim + Bands-band DF1 biquad cascade: a single signed CoefBits x 32
// multiplier, a 72-bit accumulator and the filter state in a 2^AddrBits x 32-bit RAM
// (32 words for 8 bands); every step is commanded by lathe_trim_eq's sequencer
// (model::Biquad::process).
//
// Pipeline, one product per cycle:
//   issue:      prod_q <= opa * opb (opa = coefficient, or trim << 4 for the trim product;
//               opb = sample << 5, hy1_q, hy2_q, RAM read data or x_q); RAM read address
//   accumulate: acc_q <= init + prod_q | acc_q + prod_q | acc_q - prod_q, where init is the
//               error feedback word of the band (RAM read data) or 2^31 (trim rounding)
//   finish:     y = sat32(acc_q >>> 32), the error feedback word is acc_q[31:0]
//
// State RAM map (32-bit words): 0..Bands-1 error feedback of band n; HistBase + 2*m + slot
// (HistBase = Bands rounded up to even): history node m (m = 0: the cascade input,
// m = n + 1: the output of band n, which is also the input history of band n + 1), two
// slots used as a ring by frame parity. HistBase + 2 * (Bands + 1) = 3 * Bands + Bands % 2
// + 2 words are used (26 of 32 for 8 bands); the address is $clog2 of that wide.
module lathe_biquad_engine #(
  parameter int unsigned CoefBits = 37,  // signed Q(CoefBits-32).32 coefficients
  parameter int unsigned Bands    = lathe_regs_pkg::EqBands  // biquad sections in the cascade
) (
  input  logic                       clk_i,
  // Issue stage.
  input  logic                       opa_trim_i,    // multiplicand = trim << 4, else coef_i
  input  logic                       opb_hy1_i,     // multiplier = hy1_q
  input  logic                       opb_hy2_i,     // multiplier = hy2_q
  input  logic                       opb_rdata_i,   // multiplier = RAM read data
  input  logic                       opb_x_i,       // multiplier = x_q
                                                    // (none of them: sample_i << 5)
  input  logic signed [CoefBits-1:0] coef_i,        // coefficient, Q(CoefBits-32).32
  input  logic        [31:0]         trim_gain_i,   // Q5.27
  input  logic signed [23:0]         sample_i,      // edge sample, Q0.23
  input  logic                       hy1_load_i,    // hy1_q <= RAM read data
  input  logic                       hy2_load_i,    // hy2_q <= RAM read data
  // RAM read address (data next cycle); $clog2(3 * Bands + Bands % 2 + 2) bits, see the map.
  input  logic [$clog2(3 * Bands + Bands % 2 + 2)-1:0] raddr_i,
  // Accumulate stage.
  input  logic                       acc_en_i,
  input  logic                       acc_init_i,    // start a new sum
  input  logic                       acc_round_i,   // the new sum starts at 2^31, not RAM data
  input  logic                       acc_sub_i,     // subtract the product (feedback terms)
  // Finish and write-back.
  input  logic                       x_load_y_i,    // x_q <= sat32(acc_q >>> 32)
  input  logic                       x_load_ext_i,  // x_q <= x_ext_i (mid/side matrix)
  input  logic signed [31:0]         x_ext_i,
  output logic signed [31:0]         x_o,
  input  logic                       we_i,
  input  logic [$clog2(3 * Bands + Bands % 2 + 2)-1:0] waddr_i,
  input  logic                       wdata_err_i,   // write acc_q[31:0]
  input  logic                       wdata_x_i      // write x_q (neither: write zero)
);
  localparam int unsigned ProdBits = CoefBits + 32;
  localparam int unsigned AccBits = 72;
  localparam int unsigned AddrBits = $clog2(3 * Bands + Bands % 2 + 2);  // as the ports
  localparam int unsigned Words = 2 ** AddrBits;  // lathe_trim_eq's clear walk zeroes all

  logic        [31:0]         mem_q [Words];
  logic        [31:0]         rdata_q;
  logic        [31:0]         wdata;
  logic signed [CoefBits-1:0] opa;
  logic signed [31:0]         opb;
  logic signed [ProdBits-1:0] prod;
  logic signed [ProdBits-1:0] prod_q;
  logic signed [31:0]         hy1_q, hy1_d;
  logic signed [31:0]         hy2_q, hy2_d;
  logic signed [AccBits-1:0]  acc_q, acc_d;
  logic signed [AccBits-1:0]  prod_ext;
  logic signed [AccBits-1:0]  acc_init;
  logic signed [AccBits-33:0] y_full;
  logic signed [31:0]         y_sat;
  logic                       y_over, y_under;
  logic signed [31:0]         x_q, x_d;

  // ---------------------------------------------------------------------------------
  // State RAM: synchronous read, one write port (block or distributed RAM).
  always_comb begin
    wdata = '0;
    if (wdata_err_i) wdata = acc_q[31:0];
    else if (wdata_x_i) wdata = x_q;
  end

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata;
    rdata_q <= mem_q[raddr_i];
  end

  // ---------------------------------------------------------------------------------
  // Issue: the multiplier. The trim product is (trim << 4) * (x << 5) = (trim * (x << 4))
  // << 5, so the model's (p + 2^26) >> 27 becomes (p' + 2^31) >> 32, the same rounding
  // and saturation path as a biquad output.
  always_comb begin
    opa = opa_trim_i ? CoefBits'(signed'({trim_gain_i, 4'b0000})) : coef_i;
    opb = {{3{sample_i[23]}}, sample_i, 5'b00000};
    if (opb_hy1_i)        opb = hy1_q;
    else if (opb_hy2_i)   opb = hy2_q;
    else if (opb_rdata_i) opb = rdata_q;
    else if (opb_x_i)     opb = x_q;
    prod = ProdBits'(opa) * ProdBits'(opb);
    hy1_d = hy1_load_i ? rdata_q : hy1_q;
    hy2_d = hy2_load_i ? rdata_q : hy2_q;
  end

  // ---------------------------------------------------------------------------------
  // Accumulate. |sum| < 5 * 2^(CoefBits+30) + 2^32 <= 2^70 for CoefBits <= 37: no overflow.
  always_comb begin
    prod_ext = AccBits'(prod_q);
    acc_init = acc_round_i ? AccBits'(33'sh0_8000_0000) : AccBits'({1'b0, rdata_q});
    acc_d = acc_q;
    if (acc_en_i) begin
      if (acc_init_i)     acc_d = acc_init + prod_ext;
      else if (acc_sub_i) acc_d = acc_q - prod_ext;
      else                acc_d = acc_q + prod_ext;
    end
  end

  // ---------------------------------------------------------------------------------
  // Finish: floor (drop the 32 fraction bits, kept as the error feedback word), saturate.
  always_comb begin
    y_full  = acc_q[AccBits-1:32];
    y_over  = !y_full[AccBits-33] && (y_full[AccBits-34:31] != '0);
    y_under = y_full[AccBits-33] && (y_full[AccBits-34:31] != '1);
    if (y_over)       y_sat = 32'sh7fff_ffff;
    else if (y_under) y_sat = 32'sh8000_0000;
    else              y_sat = y_full[31:0];
    x_d = x_q;
    if (x_load_y_i)        x_d = y_sat;
    else if (x_load_ext_i) x_d = x_ext_i;
  end

  // Datapath registers: no reset (every frame rewrites them before use).
  always_ff @(posedge clk_i) begin
    prod_q <= prod;
    acc_q  <= acc_d;
    hy1_q  <= hy1_d;
    hy2_q  <= hy2_d;
    x_q    <= x_d;
  end

  assign x_o = x_q;
endmodule
