// SPDX-License-Identifier: MIT
// True-peak detector (model::TruePeakDetector plus fx::log2_q16): per channel the last 24 samples, the four BS.1770-4 phases and the Hann-sinc phases (three 4x, or one 2x), the largest magnitude over both channels, and its log2.
//
// Schedule after start_i (which shifts the new frame into the histories), step s = 0..28:
//   s = 0..23  multiply-accumulate on 8 of the limiter's shared multipliers (4 per channel). The history
//              rotates right by one position per step, so position j holds h[(j - s) mod 24] and every
//              multiplier reads one of two fixed positions; after 24 steps the history is back in place.
//              Position 17 gives h[17 - s] (s < 12), position 5 gives h[29 - s] (s >= 12): h[6..17] twice.
//                u = 0   BS.1770-4 phase 0 (s < 12), phase 1 (s >= 12)
//                u = 1   BS.1770-4 phase 2, phase 3
//                u = 2   4x: Hann phase 0, phase 1;  2x: idle (tap 0)
//                u = 3   4x: Hann phase 2 (s < 12, then tap 0); 2x: the 24-tap Hann phase, always at
//                        position 17, which sees h[(17 - s) mod 24], all 24 samples
//              Products arrive one step later and are added at s = 1..24 (exact: the sum is order-free).
//              One accumulator per multiplier: at s = 13 the first phases of u = 0..2 are complete, their
//              magnitudes (>> 13 for BS.1770-4, >> 14 for Hann, each clamped to 32 bits) start the running
//              maximum per channel and the accumulators restart. Idle multipliers add zeros.
//   s = 25     the second phases, u = 3 and |h[12]| into the maximum per channel
//   s = 26     maximum over the channels: peak_o
//   s = 27     log2 (lathe_log2, one cycle)
//   s = 28     valid_o with level_o
`include "lathe_tables.svh"

// The Hann tables' paths, relative to the repository root like the defaults in lathe_tables.svh, for
// builds that do not pass absolute paths.
`ifndef LATHE_TP_HANN4_HEX
`define LATHE_TP_HANN4_HEX "tables/tp_hann4.hex"
`endif
`ifndef LATHE_TP_HANN2_HEX
`define LATHE_TP_HANN2_HEX "tables/tp_hann2.hex"
`endif

module lathe_tp_detector (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,   // zero the histories (model reset()); stops a run. Also after reset.
  input  logic               two_x_i,   // kCtrlTp2x: the 2x Hann phase instead of the three 4x phases
  input  logic               start_i,   // push left_i/right_i and run the schedule
  input  logic signed [31:0] left_i,
  input  logic signed [31:0] right_i,
  output logic               mac_o,     // the multiplier operands below are in use this cycle
  output logic [8*17-1:0]    mul_a_o,   // taps, signed 16 bits extended to 17
  output logic [8*33-1:0]    mul_b_o,   // history samples, signed 32 bits extended to 33
  input  logic [8*50-1:0]    mul_p_i,   // the products of the previous cycle's operands
  output logic               valid_o,   // one cycle: level_o is this frame's level
  output logic        [31:0] peak_o,    // largest magnitude, Q5.27 (model last_peak()), kept until the next frame
  output logic signed [31:0] level_o    // log2 of peak_o, Q8.16
);
  localparam int unsigned Span      = lathe_regs_pkg::TruePeakSpan;  // history length
  localparam int unsigned HalfSpan  = Span / 2;                      // taps per 12-tap phase
  localparam int unsigned NumMul    = 8;
  localparam int unsigned MulPerCh  = 4;
  localparam int unsigned AccBits   = 52;  // up to 24 products of at most 2^46: |sum| < 2^51
  localparam int unsigned BsShift   = 13;  // taps * 8192
  localparam int unsigned HannShift = 14;  // taps * 16384
  localparam logic [4:0] LastMac   = 5'd23;
  localparam logic [4:0] StepMid   = 5'd13;
  localparam logic [4:0] StepMax   = 5'd25;
  localparam logic [4:0] StepPeak  = 5'd26;
  localparam logic [4:0] StepLog   = 5'd27;
  localparam logic [4:0] StepValid = 5'd28;

  // Tap tables, shared with the model (never typed in here).
  logic [15:0] fir_taps [48];    // BS.1770-4, index 12 * phase + k, tap k at h[6 + k]
  logic [15:0] hann4_taps [36];  // Hann 4x, index 12 * phase + k, tap k at h[6 + k]
  logic [15:0] hann2_taps [24];  // Hann 2x, tap k at h[k]
  initial $readmemh(`LATHE_TP_FIR_HEX, fir_taps);
  initial $readmemh(`LATHE_TP_HANN4_HEX, hann4_taps);
  initial $readmemh(`LATHE_TP_HANN2_HEX, hann2_taps);

  // ---------------------------------------------------------------------------------------------
  // Sequencing
  logic       busy_q, busy_d;
  logic [4:0] step_q, step_d;
  logic       mac;
  assign mac = busy_q && (step_q <= LastMac);

  always_comb begin
    busy_d = busy_q;
    step_d = step_q;
    if (clear_i) begin
      busy_d = 1'b0;
      step_d = '0;
    end else if (start_i) begin
      busy_d = 1'b1;
      step_d = '0;
    end else if (busy_q) begin
      step_d = step_q + 5'd1;
      if (step_q == StepValid) busy_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      step_q <= '0;
    end else begin
      busy_q <= busy_d;
      step_q <= step_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Histories, flat: sample j of channel ch at [32 * (Span * ch + j) +: 32], position 0 newest.
  // start_i shifts in the new samples, each MAC step rotates right by one position.
  logic [2*Span*32-1:0] hist_q, hist_d;
  always_comb begin
    hist_d = hist_q;
    if (clear_i) begin
      hist_d = '0;
    end else if (start_i) begin
      hist_d = {hist_q[Span*32 +: (Span-1)*32], right_i, hist_q[0 +: (Span-1)*32], left_i};
    end else if (mac) begin
      hist_d = {hist_q[Span*32 +: (Span-1)*32], hist_q[(2*Span-1)*32 +: 32],
                hist_q[0 +: (Span-1)*32], hist_q[(Span-1)*32 +: 32]};
    end
  end

  // No reset: the limiter clears the histories with clear_i after reset.
  always_ff @(posedge clk_i) begin
    hist_q <= hist_d;
  end

  // ---------------------------------------------------------------------------------------------
  // Operands of step s
  logic [4:0] s;         // the step while multiplying, else 0 (keeps the table indices in range)
  logic       second;    // s >= 12: the second 12-tap phase of u = 0..2, history position 5 (else 17)
  logic [5:0] index12;   // 12 * phase + k of the first (s < 12) or second phase: h[6 + k] at the position
  logic [4:0] index24;   // (17 - s) mod 24: the sample at position 17
  always_comb begin
    s       = mac ? step_q : 5'd0;
    second  = s >= 5'(HalfSpan);
    index12 = second ? 6'd35 - 6'(s) : 6'd11 - 6'(s);
    index24 = (s <= 5'd17) ? 5'd17 - s : 5'd17 + (5'd24 - s);
  end

  // Taps of multipliers u = 0..3 (the same for both channels).
  logic [15:0] tap0, tap1, tap2, tap3;
  always_comb begin
    tap0 = fir_taps[index12];
    tap1 = fir_taps[index12 + 6'd24];
    if (two_x_i) begin
      tap2 = '0;
      tap3 = hann2_taps[index24];
    end else begin
      tap2 = hann4_taps[index12];
      tap3 = second ? 16'h0000 : hann4_taps[index12 + 6'd24];
    end
  end

  // Multiplier 4 * ch + u. u = 0..2 read position 17 or 5, u = 3 always position 17.
  for (genvar ch = 0; ch < 2; ch++) begin : g_operands
    logic [31:0] s17, s5x;
    assign s17 = hist_q[32 * (Span * ch + 17) +: 32];
    assign s5x = second ? hist_q[32 * (Span * ch + 5) +: 32] : s17;
    assign mul_a_o[17 * MulPerCh * ch +: 17 * MulPerCh] = {tap3[15], tap3, tap2[15], tap2, tap1[15], tap1,
                                                           tap0[15], tap0};
    assign mul_b_o[33 * MulPerCh * ch +: 33 * MulPerCh] = {s17[31], s17, s5x[31], s5x, s5x[31], s5x,
                                                           s5x[31], s5x};
  end
  assign mac_o = mac;

  // ---------------------------------------------------------------------------------------------
  // Accumulators, one per multiplier: multiplier m = 4 * ch + u at [AccBits * m +: AccBits]. Products of
  // step s are added at step s + 1. At step 13 the accumulators of u = 0..2 hold their first phase (steps
  // 0..11): its magnitude goes into the running maximum and the accumulator restarts with the product of
  // step 12. u = 3 never restarts: in 4x mode its second half adds zero taps, in 2x mode it sums 24 taps.
  logic [NumMul*AccBits-1:0] acc_q, acc_d;
  logic                      accumulate;  // a product of step 0..23 arrives
  logic                      midway;      // step 13: the first phases are complete
  assign accumulate = busy_q && (step_q >= 5'd1) && (step_q <= 5'd24);
  assign midway     = busy_q && (step_q == StepMid);

  always_comb begin
    acc_d = acc_q;
    if (start_i) begin
      acc_d = '0;
    end else if (accumulate) begin
      for (int m = 0; m < NumMul; m++) begin
        if (midway && (m % MulPerCh != 3)) begin
          acc_d[AccBits * m +: AccBits] = AccBits'(signed'(mul_p_i[50 * m +: 50]));
        end else begin
          acc_d[AccBits * m +: AccBits] = acc_q[AccBits * m +: AccBits] + AccBits'(signed'(mul_p_i[50 * m +: 50]));
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
    mag     = acc[AccBits-1] ? (~acc + 1'b1) : acc;  // |-2^51| = 2^51 fits unsigned
    shifted = mag >> shift;
    clamp_mag = (|shifted[AccBits-1:32]) ? 32'hffff_ffff : shifted[31:0];
  endfunction

  // Running maximum per channel, grp_q[32 * ch +: 32]: at step 13 over the first phases of u = 0..2;
  // at step 25 over that, |h[12]| (the history is back in place) and the second phases of u = 0..3.
  logic        final_max;  // step 25
  logic [63:0] grp_q, grp_d;
  assign final_max = busy_q && (step_q == StepMax);

  for (genvar ch = 0; ch < 2; ch++) begin : g_max
    logic [31:0]          h12;
    logic [31:0]          h12_mag;
    logic [32*MulPerCh-1:0] mags;
    assign h12     = hist_q[32 * (Span * ch + 12) +: 32];
    assign h12_mag = h12[31] ? (~h12 + 32'd1) : h12;  // |INT32_MIN| = 2^31
    for (genvar u = 0; u < MulPerCh; u++) begin : g_mag
      // u = 0, 1: BS.1770-4 (taps * 8192); u = 2, 3: Hann (taps * 16384)
      assign mags[32 * u +: 32] = clamp_mag(acc_q[AccBits * (MulPerCh * ch + u) +: AccBits],
                                            (u < 2) ? BsShift : HannShift);
    end
    always_comb begin
      grp_d[32 * ch +: 32] = grp_q[32 * ch +: 32];
      if (midway) begin
        grp_d[32 * ch +: 32] = '0;
      end else if (final_max && (h12_mag > grp_q[32 * ch +: 32])) begin
        grp_d[32 * ch +: 32] = h12_mag;
      end
      if (midway || final_max) begin
        for (int u = 0; u < MulPerCh; u++) begin
          if ((final_max || u != 3) && (mags[32 * u +: 32] > grp_d[32 * ch +: 32])) begin
            grp_d[32 * ch +: 32] = mags[32 * u +: 32];
          end
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    grp_q <= grp_d;
  end

  logic [31:0] peak_q, peak_d;
  always_comb begin
    peak_d = peak_q;
    if (busy_q && step_q == StepPeak) peak_d = (grp_q[63:32] > grp_q[31:0]) ? grp_q[63:32] : grp_q[31:0];
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
