// SPDX-License-Identifier: MIT
// True-peak detector (model::TruePeakDetector::push plus fx::log2_q16): per channel the last 24 samples h[0..23]
// (h[0] newest), |h[12]|, the 31 phases of the 32x reconstruction (20 taps on h[2..21], >> 16), the four
// BS.1770-4 phases (12 taps on h[6..17], >> 13) and the Hann-sinc phases (three 4x on h[6..17], or the 2x one on
// h[0..23], >> 14); the largest magnitude over both channels, clamped to 32 bits, and its log2.
//
// Folding. The reconstruction kernel is symmetric (phase 32 - p is phase p reversed), so with
// s_i = h[2 + i] + h[21 - i] and d_i = h[2 + i] - h[21 - i] (i = 0..9, 33 bits), A = sum a_i s_i and
// B = sum b_i d_i (a_i = t_i + t_19-i, b_i = t_i - t_19-i, tables/tp_ref32_fold.hex, 18 bits) give
// acc_p = (A + B) / 2 and acc_32-p = (A - B) / 2, so |acc_p| >> 16 = |A + B| >> 17 and |acc_32-p| >> 16 =
// |A - B| >> 17 exactly (A +- B is even). Phase 16 is its own mirror: b = 0, |A| >> 17. This is the model's
// push_block arrangement. It halves the reconstruction's products (1240 -> 620 per frame): unfolded, the
// 1408 products would need 24 or more multipliers to stay near the old cycle count; folded, 788 products fit
// 50 cycles on 16 multipliers (8 per channel), with two 33-bit adders per channel for s_i and d_i. Every
// sum is an exact integer (|A|, |B| < 2^53 in 56-bit accumulators), so the order of the products is free.
//
// Schedule after start_i (which shifts the new frame into the histories; they stay still while the
// products run), step s = 0..53, with k10 = s mod 10, seg = s / 10, k12 = s mod 12, ph = s / 12. Per channel,
// multiplier u:
//   u = 0..2   s = 0..49: A of pair p = 3 seg + u + 1 (pairs 1..15), a[p][k10] x s_k10
//   u = 3..5   s = 0..49: B of the same pair as u - 3, b[p][k10] x d_k10
//   u = 6      s = 0..47: BS.1770-4 phase ph, tap k12 x h[6 + k12]
//   u = 7      4x: s = 0..35 Hann 4x phase ph, tap k12 x h[6 + k12]; 2x: s = 0..23 the 24-tap Hann phase,
//              tap s x h[s], then zero taps to s = 35; both: s = 36..45 the reconstruction's phase 16,
//              a[16][k10] x s_k10 (k10 runs through all ten values); then zero taps
// Products arrive one step later and are added at s = 1..50. A sum whose last product was made at step e
// is complete in its accumulator at e + 2: then its magnitude enters the running maximum of its channel and
// the accumulator restarts with the product arriving then.
//   pairs (u = 0..5)   complete at 11, 21, 31, 41, 51: |A + B| >> 17 and |A - B| >> 17 of three pairs
//   u = 6              complete at 13, 25, 37, 49 (>> 13)
//   u = 7              complete at 13 (4x only), 25, 37 (>> 14; in 2x the 24-tap phase at 25, zero at 37),
//                      phase 16 at 47 (>> 17)
//   s = 51     also |h[12]|, and the maximum over both channels into peak_o
//   s = 52     log2 (lathe_log2, one cycle)
//   s = 53     valid_o with level_o
`include "lathe_tables.svh"

// The tables' paths, relative to the repository root like the defaults in lathe_tables.svh, for builds that
// do not pass absolute paths.
`ifndef LATHE_TP_HANN4_HEX
`define LATHE_TP_HANN4_HEX "tables/tp_hann4.hex"
`endif
`ifndef LATHE_TP_HANN2_HEX
`define LATHE_TP_HANN2_HEX "tables/tp_hann2.hex"
`endif
`ifndef LATHE_TP_REF32_FOLD_HEX
`define LATHE_TP_REF32_FOLD_HEX "tables/tp_ref32_fold.hex"
`endif

module lathe_tp_detector #(
  parameter int unsigned NumMul = 16  // the limiter's bank; this schedule needs 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,   // zero the histories (model reset()); stops a run. Also after reset.
  input  logic               two_x_i,   // kCtrlTp2x: the 2x Hann phase instead of the three 4x phases
  input  logic               start_i,   // push left_i/right_i and run the schedule
  input  logic signed [31:0] left_i,
  input  logic signed [31:0] right_i,
  output logic               mac_o,     // the multiplier operands below are in use this cycle
  output logic [NumMul*18-1:0] mul_a_o, // taps, signed 18 bits
  output logic [NumMul*33-1:0] mul_b_o, // samples or their folded sums and differences, signed 33 bits
  input  logic [NumMul*51-1:0] mul_p_i, // the products of the previous cycle's operands
  output logic               valid_o,   // one cycle: level_o is this frame's level
  output logic        [31:0] peak_o,    // largest magnitude, Q5.27 (model last_peak()), kept until the next frame
  output logic signed [31:0] level_o    // log2 of peak_o, Q8.16
);
  localparam int unsigned Span      = lathe_regs_pkg::TruePeakSpan;  // history length
  localparam int unsigned MulPerCh  = 8;
  localparam int unsigned AccBits   = 56;  // |A|, |B| < 10 * 2^17 * 2^32 < 2^53; A +- B < 2^54
  localparam int unsigned BsShift   = 13;  // taps * 8192
  localparam int unsigned HannShift = 14;  // taps * 16384
  localparam int unsigned RecShift  = 17;  // taps * 65536, and A +- B is twice the phase sum
  localparam logic [5:0] LastMac   = 6'd49;
  localparam logic [5:0] StepMax   = 6'd51;
  localparam logic [5:0] StepLog   = 6'd52;
  localparam logic [5:0] StepValid = 6'd53;

  // The bank's width is the limiter's; this schedule uses exactly 16 multipliers.
  if (NumMul != 2 * MulPerCh) begin : g_bad_num_mul
    $error("lathe_tp_detector: NumMul must be 16");
  end

  // Tap tables, shared with the model (never typed in here).
  logic [15:0] fir_taps [48];    // BS.1770-4, index 12 * phase + k, tap k at h[6 + k]
  logic [15:0] hann4_taps [36];  // Hann 4x, index 12 * phase + k, tap k at h[6 + k]
  logic [15:0] hann2_taps [24];  // Hann 2x, tap k at h[k]
  logic [17:0] fold_taps [320];  // a: 10 * (p - 1) + i (p = 1..16); b: 160 + 10 * (p - 1) + i
  initial $readmemh(`LATHE_TP_FIR_HEX, fir_taps);
  initial $readmemh(`LATHE_TP_HANN4_HEX, hann4_taps);
  initial $readmemh(`LATHE_TP_HANN2_HEX, hann2_taps);
  initial $readmemh(`LATHE_TP_REF32_FOLD_HEX, fold_taps);

  // ---------------------------------------------------------------------------------------------
  // Sequencing: the step and its residues (counters, no dividers).
  logic       busy_q, busy_d;
  logic [5:0] step_q, step_d;
  logic [3:0] k10_q, k10_d;  // step mod 10
  logic [2:0] seg_q, seg_d;  // step / 10
  logic [3:0] k12_q, k12_d;  // step mod 12
  logic [2:0] ph_q, ph_d;    // step / 12
  logic       mac;
  assign mac = busy_q && (step_q <= LastMac);

  always_comb begin
    busy_d = busy_q;
    step_d = step_q;
    k10_d  = k10_q;
    seg_d  = seg_q;
    k12_d  = k12_q;
    ph_d   = ph_q;
    if (clear_i || start_i) begin
      busy_d = start_i && !clear_i;
      step_d = '0;
      k10_d  = '0;
      seg_d  = '0;
      k12_d  = '0;
      ph_d   = '0;
    end else if (busy_q) begin
      step_d = step_q + 6'd1;
      if (step_q == StepValid) busy_d = 1'b0;
      if (k10_q == 4'd9) begin
        k10_d = '0;
        seg_d = seg_q + 3'd1;
      end else begin
        k10_d = k10_q + 4'd1;
      end
      if (k12_q == 4'd11) begin
        k12_d = '0;
        ph_d  = ph_q + 3'd1;
      end else begin
        k12_d = k12_q + 4'd1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      step_q <= '0;
      k10_q  <= '0;
      seg_q  <= '0;
      k12_q  <= '0;
      ph_q   <= '0;
    end else begin
      busy_q <= busy_d;
      step_q <= step_d;
      k10_q  <= k10_d;
      seg_q  <= seg_d;
      k12_q  <= k12_d;
      ph_q   <= ph_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Histories, flat: h[j] of channel ch at [32 * (Span * ch + j) +: 32]. start_i shifts in the new samples.
  logic [2*Span*32-1:0] hist_q, hist_d;
  always_comb begin
    hist_d = hist_q;
    if (clear_i) begin
      hist_d = '0;
    end else if (start_i) begin
      hist_d = {hist_q[Span*32 +: (Span-1)*32], right_i, hist_q[0 +: (Span-1)*32], left_i};
    end
  end

  // No reset: the limiter clears the histories with clear_i after reset.
  always_ff @(posedge clk_i) begin
    hist_q <= hist_d;
  end

  // ---------------------------------------------------------------------------------------------
  // Taps of step s (the same for both channels). Outside the products the indices stay in range and the
  // operands are don't-cares: nothing adds their products.
  logic [17:0] tap_a [3];  // a of the pairs of u = 0..2
  logic [17:0] tap_b [3];  // b of the same pairs, u = 3..5
  logic [17:0] tap6, tap7;
  logic [8:0]  pair_index;  // 30 seg + k10: a of pair 3 seg + 1, tap k10
  logic [5:0]  index12;     // 12 ph + k12
  logic        rec16;       // u = 7 on the reconstruction's phase 16 (s = 36..45)
  always_comb begin
    pair_index = (seg_q <= 3'd4) ? 9'(30 * 32'(seg_q)) + 9'(k10_q) : 9'(k10_q);
    index12    = (ph_q <= 3'd3) ? 6'(12 * 32'(ph_q)) + 6'(k12_q) : 6'(k12_q);
    rec16      = (step_q >= 6'd36) && (step_q <= 6'd45);
    for (int v = 0; v < 3; v++) begin
      tap_a[v] = fold_taps[pair_index + 9'(10 * v)];
      tap_b[v] = fold_taps[pair_index + 9'(160 + 10 * v)];
    end
    tap6 = (step_q <= 6'd47) ? {{2{fir_taps[index12][15]}}, fir_taps[index12]} : 18'd0;
    if (rec16) begin
      tap7 = fold_taps[9'd150 + 9'(k10_q)];  // a of phase 16
    end else if (two_x_i) begin
      tap7 = (step_q <= 6'd23) ? {{2{hann2_taps[step_q[4:0]][15]}}, hann2_taps[step_q[4:0]]} : 18'd0;
    end else begin
      tap7 = (step_q <= 6'd35) ? {{2{hann4_taps[index12][15]}}, hann4_taps[index12]} : 18'd0;
    end
  end

  // Samples: s_k10 and d_k10, h[6 + k12] and h[s].
  for (genvar ch = 0; ch < 2; ch++) begin : g_operands
    logic signed [31:0] newer, older, mid, any;
    logic signed [32:0] sum, dif, b7;
    always_comb begin
      newer = signed'(hist_q[32 * (Span * ch + 2) + 32 * 32'(k10_q) +: 32]);    // h[2 + k10]
      older = signed'(hist_q[32 * (Span * ch + 21) - 32 * 32'(k10_q) +: 32]);   // h[21 - k10]
      mid   = signed'(hist_q[32 * (Span * ch + 6) + 32 * 32'(k12_q) +: 32]);    // h[6 + k12]
      any   = signed'(hist_q[32 * (Span * ch) + 32 * ((step_q <= 6'd23) ? 32'(step_q) : 32'd0) +: 32]);  // h[s]
      sum   = 33'(newer) + 33'(older);
      dif   = 33'(newer) - 33'(older);
      b7    = rec16 ? sum : (two_x_i ? 33'(any) : 33'(mid));
    end
    for (genvar v = 0; v < 3; v++) begin : g_pairs
      assign mul_a_o[18 * (MulPerCh * ch + v) +: 18]     = tap_a[v];
      assign mul_b_o[33 * (MulPerCh * ch + v) +: 33]     = sum;
      assign mul_a_o[18 * (MulPerCh * ch + v + 3) +: 18] = tap_b[v];
      assign mul_b_o[33 * (MulPerCh * ch + v + 3) +: 33] = dif;
    end
    assign mul_a_o[18 * (MulPerCh * ch + 6) +: 18] = tap6;
    assign mul_b_o[33 * (MulPerCh * ch + 6) +: 33] = 33'(mid);
    assign mul_a_o[18 * (MulPerCh * ch + 7) +: 18] = tap7;
    assign mul_b_o[33 * (MulPerCh * ch + 7) +: 33] = b7;
  end
  assign mac_o = mac;

  // ---------------------------------------------------------------------------------------------
  // Accumulators, one per multiplier: m = 8 * ch + u at [AccBits * m +: AccBits].
  logic [NumMul*AccBits-1:0] acc_q, acc_d;
  logic accumulate;  // a product of step 0..49 arrives
  logic done_pair;   // s = 11, 21, 31, 41, 51: three pairs complete
  logic done6;       // s = 13, 25, 37, 49
  logic done7;       // s = 13 (4x), 25, 37: a Hann phase complete
  logic done16;      // s = 47: phase 16 complete
  always_comb begin
    accumulate = busy_q && (step_q >= 6'd1) && (step_q <= 6'd50);
    done_pair  = busy_q && (step_q == 6'd11 || step_q == 6'd21 || step_q == 6'd31 || step_q == 6'd41 ||
                            step_q == 6'd51);
    done6      = busy_q && (step_q == 6'd13 || step_q == 6'd25 || step_q == 6'd37 || step_q == 6'd49);
    done7      = busy_q && ((step_q == 6'd13 && !two_x_i) || step_q == 6'd25 || step_q == 6'd37);
    done16     = busy_q && (step_q == 6'd47);
  end

  always_comb begin
    acc_d = acc_q;
    if (start_i) begin
      acc_d = '0;
    end else if (accumulate) begin
      for (int m = 0; m < NumMul; m++) begin
        if ((m % MulPerCh < 6) ? done_pair : ((m % MulPerCh == 6) ? done6 : done7)) begin
          acc_d[AccBits * m +: AccBits] = AccBits'(signed'(mul_p_i[51 * m +: 51]));  // restart
        end else begin
          acc_d[AccBits * m +: AccBits] = acc_q[AccBits * m +: AccBits] + AccBits'(signed'(mul_p_i[51 * m +: 51]));
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    acc_q <= acc_d;
  end

  // ---------------------------------------------------------------------------------------------
  // Peak: the largest of |h[12]| and every |phase sum| >> shift, clamped to 32 bits.
  function automatic logic [31:0] clamp_mag(logic [AccBits-1:0] acc, int unsigned shift);
    logic [AccBits-1:0] mag;
    logic [AccBits-1:0] shifted;
    mag     = acc[AccBits-1] ? (~acc + 1'b1) : acc;  // |acc| < 2^55 fits unsigned
    shifted = mag >> shift;
    clamp_mag = (|shifted[AccBits-1:32]) ? 32'hffff_ffff : shifted[31:0];
  endfunction

  function automatic logic [31:0] max32(logic [31:0] x, logic [31:0] y);
    max32 = (x > y) ? x : y;
  endfunction

  // Running maximum per channel, grp_q[32 * ch +: 32], from zero at start_i.
  logic [63:0] grp_q, grp_d;
  for (genvar ch = 0; ch < 2; ch++) begin : g_max
    logic [31:0] h12, h12_mag, m;
    logic [AccBits-1:0] a [3];
    logic [AccBits-1:0] b [3];
    assign h12     = hist_q[32 * (Span * ch + 12) +: 32];
    assign h12_mag = h12[31] ? (~h12 + 32'd1) : h12;  // |INT32_MIN| = 2^31
    for (genvar v = 0; v < 3; v++) begin : g_ab
      assign a[v] = acc_q[AccBits * (MulPerCh * ch + v) +: AccBits];
      assign b[v] = acc_q[AccBits * (MulPerCh * ch + v + 3) +: AccBits];
    end
    always_comb begin
      m = grp_q[32 * ch +: 32];
      if (done_pair) begin
        for (int v = 0; v < 3; v++) begin
          m = max32(m, clamp_mag(a[v] + b[v], RecShift));
          m = max32(m, clamp_mag(a[v] - b[v], RecShift));
        end
      end
      if (done6) m = max32(m, clamp_mag(acc_q[AccBits * (MulPerCh * ch + 6) +: AccBits], BsShift));
      if (done7 || done16)
        m = max32(m, clamp_mag(acc_q[AccBits * (MulPerCh * ch + 7) +: AccBits], done16 ? RecShift : HannShift));
      if (busy_q && step_q == StepMax) m = max32(m, h12_mag);
      grp_d[32 * ch +: 32] = start_i ? 32'd0 : m;
    end
  end

  always_ff @(posedge clk_i) begin
    grp_q <= grp_d;
  end

  logic [31:0] peak_q, peak_d;
  always_comb begin
    peak_d = peak_q;
    if (busy_q && step_q == StepMax) peak_d = max32(grp_d[63:32], grp_d[31:0]);
  end

  // The model's last_peak() is not cleared by reset(): only rst_ni clears it.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) peak_q <= '0;
    else         peak_q <= peak_d;
  end
  assign peak_o = peak_q;

  // ---------------------------------------------------------------------------------------------
  // log2
  logic               log_valid;
  logic signed [23:0] log_q16;
  lathe_log2 u_log2 (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (busy_q && step_q == StepLog),
    .mag_i   (peak_q),
    .valid_o (log_valid),
    .log2_o  (log_q16)
  );
  assign valid_o = log_valid && busy_q && (step_q == StepValid);
  assign level_o = 32'(log_q16);
endmodule
