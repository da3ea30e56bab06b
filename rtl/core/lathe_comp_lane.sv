// SPDX-License-Identifier: MIT
// One compressor channel (model: Compressor::gain_computer, Detector::update, apply_gain):
// soft-knee gain computer, decoupled peak detector and gain multiply on ONE 33x33 multiplier.
//
// Sequence of one frame (one state per cycle, multiplier passes marked *):
//   StIdle       start_i: level -> over, knee/below region, u = over + knee_half
//   StGcMul    * knee: u * u                         linear: slope * over
//   StKneeLo   * knee_coef * sq[31:0]                (sq = u*u as int64, wrapped)
//   StKneeHi   * knee_coef * signed sq[63:32]
//   StPeakPrep   reduction r; x = r << 16; d = x - peak
//   StPeakLo   * release * d[31:0]
//   StPeakHi   * release * signed d[48:32]
//   StSmoothPrep peak = max(x, peak + step); d = peak - smooth
//   StSmoothLo * attack * d[31:0]
//   StSmoothHi * attack * signed d[48:32]
//   StGainPrep   smooth += step; g = makeup - (smooth >> 16)
//   StExp        g_valid_o: the top runs exp2 (1 cycle)
//   StWaitGain * gain_valid_i: sample * gain           (also from StIdle: linked right lane)
//   StRound      out = sat32((product + 2^26) >> 27), out_valid_o
// smooth_step(s, t, c) = s + floor(c * (t - s) / 2^32) is split at bit 32 of the 49-bit
// difference d = dh * 2^32 + dl: floor(c * d / 2^32) = c * dh + ((c * dl) >> 32), exactly.
// The Q8.32 states stay within the range of the targets x = int32 << 16, so 48 bits hold
// them for every register value.
module lathe_comp_lane (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,       // zero the detector (Compressor::reset)
  input  logic signed [31:0] threshold_i,   // Q8.16
  input  logic signed [31:0] knee_half_i,   // Q8.16
  input  logic        [31:0] knee_coef_i,   // unsigned Q8.24
  input  logic        [31:0] slope_i,       // unsigned Q1.16
  input  logic        [31:0] attack_i,      // unsigned Q0.32
  input  logic        [31:0] release_i,     // unsigned Q0.32
  input  logic signed [31:0] makeup_i,      // Q8.16
  input  logic               start_i,       // level_i valid: run gain computer and detector
  input  logic signed [23:0] level_i,       // Q8.16 log2 level
  output logic               g_valid_o,     // g_o valid (one cycle)
  output logic signed [31:0] g_o,           // makeup - detector level, Q8.16
  input  logic               gain_valid_i,  // gain_i valid: apply it to sample_i
  input  logic        [31:0] gain_i,        // Q5.27 linear gain, 0 .. 2^31 - 1
  input  logic signed [31:0] sample_i,      // Q5.27, stable while the frame is in the lane
  output logic               out_valid_o,   // out_o valid (one cycle)
  output logic signed [31:0] out_o,         // Q5.27
  output logic signed [31:0] level_o        // detector level, Q8.16 (smooth >> 16)
);
  typedef enum logic [3:0] {
    StIdle,
    StGcMul,
    StKneeLo,
    StKneeHi,
    StPeakPrep,
    StPeakLo,
    StPeakHi,
    StSmoothPrep,
    StSmoothLo,
    StSmoothHi,
    StGainPrep,
    StExp,
    StWaitGain,
    StRound
  } state_e;

  localparam logic signed [63:0] RoundHalf = 64'sd1 <<< 26;  // half an LSB of Q5.27 x Q5.27 >> 27

  state_e state_q, state_d;

  // Detector state (Q8.32 in 48 bits), reset and cleared.
  logic signed [47:0] peak_q, peak_d;
  logic signed [47:0] smooth_q, smooth_d;

  // Datapath registers (no reset: written before being read in every frame).
  logic               knee_q, knee_d;       // level in the soft knee
  logic               below_q, below_d;     // level below the knee: no reduction
  logic        [31:0] gc_q, gc_d;           // u (knee) or over (linear), unsigned
  logic        [63:0] prod_q, prod_d;       // multiplier output, low 64 bits of the product
  logic        [47:0] hold_q, hold_d;       // first gain-computer product, bits [63:16]
  logic        [31:0] acc_q, acc_d;         // high half of a low-part product
  logic signed [47:0] x_q, x_d;             // detector target, reduction << 16
  logic signed [48:0] d_q, d_d;             // smooth_step difference
  logic signed [31:0] g_q, g_d;

  // The multiplier: 33x33 signed operands, 64-bit result (every use fits 64 bits).
  logic signed [32:0] mul_a, mul_b;
  assign prod_d = 64'(mul_a) * 64'(mul_b);

  // Gain computer region, from the level (model: gain_computer).
  logic signed [32:0] over;       // level - threshold
  logic signed [32:0] knee_half;  // sign-extended knee_half
  logic signed [33:0] u;          // over + knee_half: 0 .. 2^32 - 2 inside the knee
  always_comb begin
    knee_half = 33'(knee_half_i);
    over      = 33'(level_i) - 33'(threshold_i);
    u         = 34'(over) + 34'(knee_half);
  end

  // Reduction from the gain computer products (StPeakPrep).
  // knee: bits [71:40] of knee_coef * sq = ((coef * sq_hi) + (coef * sq_lo) >> 32) >> 8.
  logic        [39:0] knee_sum;
  logic signed [31:0] reduction;
  logic signed [47:0] x_new;
  always_comb begin
    knee_sum = prod_q[39:0] + {8'b0, acc_q};
    if (below_q)     reduction = '0;
    else if (knee_q) reduction = knee_sum[39:8];
    else             reduction = hold_q[31:0];  // (slope * over) >> 16, low 32 bits
    x_new = {reduction, 16'b0};
  end

  // smooth_step sums: state + c * dh + ((c * dl) >> 32), from prod_q (c * dh) and acc_q.
  // The new state lies between the old state and the target, so these sums are exact in
  // 48 bits (modulo 2^48; the 49-bit product's top bit cancels).
  logic        [47:0] step;
  logic signed [47:0] peak_next;
  logic signed [47:0] smooth_next;
  logic signed [47:0] peak_new;
  always_comb begin
    step        = prod_q[47:0] + {16'b0, acc_q};
    peak_next   = peak_q + signed'(step);
    smooth_next = smooth_q + signed'(step);
    peak_new    = (x_q > peak_next) ? x_q : peak_next;
  end

  // Apply-gain rounding and saturation (fx::apply_gain).
  logic signed [63:0] rounded;
  always_comb begin
    rounded = (signed'(prod_q) + RoundHalf) >>> 27;
    if (rounded > 64'sd2147483647)       out_o = 32'sh7fff_ffff;
    else if (rounded < -64'sd2147483648) out_o = 32'sh8000_0000;
    else                                 out_o = rounded[31:0];
  end

  always_comb begin
    state_d  = state_q;
    peak_d   = peak_q;
    smooth_d = smooth_q;
    knee_d   = knee_q;
    below_d  = below_q;
    gc_d     = gc_q;
    hold_d   = hold_q;
    acc_d    = acc_q;
    x_d      = x_q;
    d_d      = d_q;
    g_d      = g_q;
    mul_a    = '0;
    mul_b    = '0;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          below_d = over < -knee_half;
          knee_d  = !(over < -knee_half) && (over <= knee_half);
          gc_d    = (over <= knee_half) ? u[31:0] : over[31:0];
          state_d = StGcMul;
        end else if (gain_valid_i) begin
          mul_a   = 33'(sample_i);
          mul_b   = {1'b0, gain_i};
          state_d = StRound;
        end
      end
      StGcMul: begin
        mul_a   = knee_q ? {1'b0, gc_q} : {1'b0, slope_i};
        mul_b   = {1'b0, gc_q};
        state_d = StKneeLo;
      end
      StKneeLo: begin
        hold_d  = prod_q[63:16];
        mul_a   = {1'b0, knee_coef_i};
        mul_b   = {1'b0, prod_q[31:0]};
        state_d = StKneeHi;
      end
      StKneeHi: begin
        acc_d   = prod_q[63:32];
        mul_a   = {1'b0, knee_coef_i};
        mul_b   = 33'(signed'(hold_q[47:16]));
        state_d = StPeakPrep;
      end
      StPeakPrep: begin
        x_d     = x_new;
        d_d     = 49'(x_new) - 49'(peak_q);
        state_d = StPeakLo;
      end
      StPeakLo: begin
        mul_a   = {1'b0, release_i};
        mul_b   = {1'b0, d_q[31:0]};
        state_d = StPeakHi;
      end
      StPeakHi: begin
        acc_d   = prod_q[63:32];
        mul_a   = {1'b0, release_i};
        mul_b   = 33'(signed'(d_q[48:32]));
        state_d = StSmoothPrep;
      end
      StSmoothPrep: begin
        peak_d  = peak_new;
        d_d     = 49'(peak_new) - 49'(smooth_q);
        state_d = StSmoothLo;
      end
      StSmoothLo: begin
        mul_a   = {1'b0, attack_i};
        mul_b   = {1'b0, d_q[31:0]};
        state_d = StSmoothHi;
      end
      StSmoothHi: begin
        acc_d   = prod_q[63:32];
        mul_a   = {1'b0, attack_i};
        mul_b   = 33'(signed'(d_q[48:32]));
        state_d = StGainPrep;
      end
      StGainPrep: begin
        smooth_d = smooth_next;
        g_d      = makeup_i - signed'(smooth_next[47:16]);
        state_d  = StExp;
      end
      StExp: begin
        state_d = StWaitGain;
      end
      StWaitGain: begin
        if (gain_valid_i) begin
          mul_a   = 33'(sample_i);
          mul_b   = {1'b0, gain_i};
          state_d = StRound;
        end
      end
      StRound: begin
        state_d = StIdle;
      end
      default: begin
        state_d = StIdle;
      end
    endcase
    if (clear_i) begin
      peak_d   = '0;
      smooth_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      peak_q   <= '0;
      smooth_q <= '0;
    end else begin
      state_q  <= state_d;
      peak_q   <= peak_d;
      smooth_q <= smooth_d;
    end
  end

  always_ff @(posedge clk_i) begin
    knee_q  <= knee_d;
    below_q <= below_d;
    gc_q    <= gc_d;
    prod_q  <= prod_d;
    hold_q  <= hold_d;
    acc_q   <= acc_d;
    x_q     <= x_d;
    d_q     <= d_d;
    g_q     <= g_d;
  end

  assign g_valid_o   = (state_q == StExp);
  assign g_o         = g_q;
  assign out_valid_o = (state_q == StRound);
  assign level_o     = smooth_q[47:16];

  // Bits the model drops: the knee product's bits below 2^40; u's top bits (outside the knee).
  logic unused_bits;
  assign unused_bits = ^{u[33:32], knee_sum[7:0]};
endmodule
