// SPDX-License-Identifier: MIT
// Stereo-linked true-peak limiter with lookahead (model::TruePeakLimiter, detect() then apply() on each frame): detector, hold, release, ramp, audio delay and gain.
//
// One frame at a time. Cycles after the input handshake (edge 0):
//   1..53   lathe_tp_detector: products on the shared multipliers (50 cycles), maximum, log2 -> level
//   G0      required = min(0, ceiling - drive - level), low 32 bits (the model's int64 -> int32)
//   G1      hold (lathe_lim_hold) -> held; target = held << 16; attack = target < state; diff = target - state;
//           deeper = target <= sustain; sdiff = target - sustain
//   G2      products c_release * diff (multipliers 0..2) and c_sustain_release * sdiff (3..5), the
//           differences in three 16-bit pieces
//   G3      sustain = deeper ? target : timer > 0 ? sustain : sustain + (c * sdiff >> 32); timer = deeper ?
//           sustain_hold : timer > 0 ? timer - 1 : 0; next = state + (c_release * diff >> 32)
//   G4      products c_transient_release * (sustain - state), the new sustain (multipliers 0..2)
//   G5      state = attack ? target : state < sustain ? max(next, state + (c * tdiff >> 32)) : next
//           (Q8.32, 48 bits suffice; the model's apply(): the release uses the new sustain)
//   G6      released = state >> 16; sum += released - ramp[wr - L]; ramp[wr] = released
//   G7      ramp products sum * recip, sum in three 16-bit pieces (multipliers 0..2)
//   G8      gain = (sum * recip) >> 31, low 32 bits
//   G9      exp2(drive + gain) (lathe_exp2, one cycle), the drive the delayed sample came in with
//   G10     output products delayed sample * linear gain, gain in two 16-bit pieces (multipliers 0..3)
//   G11     round half up, >> 27, saturate -> out_valid_o from the next cycle
// out_valid_o rises 65 cycles after the input handshake cycle (66 cycles counting that one); with out_ready_i
// high the next frame can be taken 66 cycles after the previous.
//
// Multipliers: 16 signed 18 x 33-bit (lathe_lim_mul_bank), no others. The detector's products (2 x (310 +
// 48 + 36) below 96 kHz, 2 x (310 + 48 + 24) with kCtrlTp2x; the 32x reconstruction folded by symmetry, see
// lathe_tp_detector.sv) take 50 cycles on all sixteen; the release (3 + 3, then 3), ramp (3) and output (4)
// products reuse them.
//
// Memories (simple dual-port, synchronous read): audio delay (MaxLookahead + ExtraDelay + 1) x 96 (both samples and the drive) (any depth
// >= L + ExtraDelay + 1 behaves like the model's 2048), ramp ring MaxLookahead x 32, hold ring MaxHoldBlocks
// x 32 (lathe_regs_pkg). None is walked at clear_i: a frame counter since the
// clear tells which entries were written since, and the others read as the model's zeros. So clear_i takes
// one cycle.
//
// Lookahead, recip and hold_blocks are latched (clamped as in the model) at clear_i and at reset; drive,
// ceiling, the three release coefficients, the sustain hold and the 2x flag are used live (the model's
// configure() takes them at once). The cycle after reset clears the datapath state as clear_i
// does (in_ready_o low), so the large datapath registers need no asynchronous reset.
module lathe_limiter (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,
  input  logic signed [31:0] drive_i,        // reg::kLimDrive, Q8.16
  input  logic signed [31:0] ceiling_i,      // reg::kLimCeiling, Q8.16
  input  logic        [31:0] lookahead_i,    // reg::kLimLookahead, clamped to 1..MaxLookahead, taken at clear_i
  input  logic        [31:0] recip_i,        // reg::kLimRecip, taken at clear_i
  input  logic        [31:0] hold_blocks_i,  // reg::kLimHoldBlocks, clamped to 1..MaxHoldBlocks, taken at clear_i
  input  logic        [31:0] release_i,      // reg::kLimRelease, Q0.32
  input  logic        [31:0] transient_release_i,  // reg::kLimTransientRelease, Q0.32
  input  logic        [31:0] sustain_release_i,    // reg::kLimSustainRelease, Q0.32
  input  logic        [31:0] sustain_hold_i,       // reg::kLimSustainHold, samples
  input  logic               two_x_i,        // reg::kCtrl & kCtrlTp2x: the detector's 2x Hann phase
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [31:0] in_left_i,
  input  logic signed [31:0] in_right_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [31:0] out_left_o,
  output logic signed [31:0] out_right_o,
  output logic        [31:0] peak_o,         // detector peak of the last frame, Q5.27 (model last_peak())
  output logic signed [31:0] gr_o            // gain reduction, Q8.16 (model gain_reduction() = -gain)
);
  localparam int unsigned NumMul       = 16;
  localparam int unsigned MaxLookahead  = lathe_regs_pkg::MaxLookahead;
  localparam int unsigned ExtraDelay    = lathe_regs_pkg::LimiterExtraDelay;
  localparam int unsigned MaxHoldBlocks = lathe_regs_pkg::MaxHoldBlocks;
  localparam int unsigned DelayDepth    = MaxLookahead + ExtraDelay + 1;
  localparam int unsigned DelayBits     = $clog2(DelayDepth);
  localparam int unsigned RampBits      = $clog2(MaxLookahead);
  localparam int unsigned LookBits      = $clog2(MaxLookahead) + 1;   // 1..MaxLookahead
  localparam int unsigned HoldBits      = $clog2(MaxHoldBlocks) + 1;  // 1..MaxHoldBlocks
  localparam logic [DelayBits-1:0] FillMax = '1;                      // frames counted since clear

  // ---------------------------------------------------------------------------------------------
  // Configuration latched at clear (model pending_* -> lookahead_, recip_, hold_blocks_)
  logic [LookBits-1:0] look_new;  // clamp(lookahead_i, 1, MaxLookahead)
  logic [HoldBits-1:0] hold_new;  // clamp(hold_blocks_i, 1, MaxHoldBlocks)
  always_comb begin
    if (lookahead_i == 32'd0)                      look_new = LookBits'(1);
    else if (lookahead_i > 32'(MaxLookahead))      look_new = LookBits'(MaxLookahead);
    else                                           look_new = lookahead_i[LookBits-1:0];
    if (hold_blocks_i == 32'd0)                    hold_new = HoldBits'(1);
    else if (hold_blocks_i > 32'(MaxHoldBlocks))   hold_new = HoldBits'(MaxHoldBlocks);
    else                                           hold_new = hold_blocks_i[HoldBits-1:0];
  end

  logic [LookBits-1:0]  look_q, look_d;
  logic [31:0]          recip_q, recip_d;
  logic [HoldBits-1:0]  hold_q, hold_d;
  logic [DelayBits-1:0] delay_len;  // L + ExtraDelay
  assign delay_len = DelayBits'(look_q) + DelayBits'(ExtraDelay);

  // ---------------------------------------------------------------------------------------------
  // Frame sequencing
  typedef enum logic [1:0] {
    StIdle,
    StDetect,
    StGain,
    StOut
  } state_e;
  state_e     state_q, state_d;
  logic [3:0] gstep_q, gstep_d;

  logic hs;  // input handshake
  // Datapath clear: clear_i, and once after reset (the model as constructed has everything empty).
  logic init_q;
  logic clear;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) init_q <= 1'b1;
    else         init_q <= 1'b0;
  end
  assign clear = clear_i || init_q;

  assign in_ready_o = (state_q == StIdle) && !clear;
  assign hs         = in_valid_i && in_ready_o;

  localparam logic [3:0] LastGstep = 4'd11;
  logic g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11;
  assign g1  = (state_q == StGain) && (gstep_q == 4'd1);
  assign g2  = (state_q == StGain) && (gstep_q == 4'd2);
  assign g3  = (state_q == StGain) && (gstep_q == 4'd3);
  assign g4  = (state_q == StGain) && (gstep_q == 4'd4);
  assign g5  = (state_q == StGain) && (gstep_q == 4'd5);
  assign g6  = (state_q == StGain) && (gstep_q == 4'd6);
  assign g7  = (state_q == StGain) && (gstep_q == 4'd7);
  assign g8  = (state_q == StGain) && (gstep_q == 4'd8);
  assign g9  = (state_q == StGain) && (gstep_q == 4'd9);
  assign g10 = (state_q == StGain) && (gstep_q == 4'd10);
  assign g11 = (state_q == StGain) && (gstep_q == LastGstep);

  logic det_valid;
  logic g0;
  assign g0 = (state_q == StDetect) && det_valid;

  always_comb begin
    state_d = state_q;
    gstep_d = gstep_q;
    unique case (state_q)
      StIdle: begin
        if (hs) state_d = StDetect;
      end
      StDetect: begin
        if (det_valid) begin
          state_d = StGain;
          gstep_d = 4'd1;
        end
      end
      StGain: begin
        gstep_d = gstep_q + 4'd1;
        if (gstep_q == LastGstep) state_d = StOut;
      end
      StOut: begin
        if (out_ready_i) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
    if (clear_i) begin
      state_d = StIdle;
      gstep_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      gstep_q <= '0;
    end else begin
      state_q <= state_d;
      gstep_q <= gstep_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Shared multipliers
  logic [NumMul*18-1:0] det_a, bank_a;
  logic [NumMul*33-1:0] det_b, bank_b;
  logic [NumMul*51-1:0] bank_p;
  logic                 det_mac;

  lathe_lim_mul_bank #(
    .NumMul (NumMul)
  ) u_mul (
    .clk_i (clk_i),
    .a_i   (bank_a),
    .b_i   (bank_b),
    .p_o   (bank_p)
  );

  logic signed [50:0] prod0, prod1, prod2, prod3, prod4, prod5;
  assign prod0 = signed'(bank_p[0 +: 51]);
  assign prod1 = signed'(bank_p[51 +: 51]);
  assign prod2 = signed'(bank_p[102 +: 51]);
  assign prod3 = signed'(bank_p[153 +: 51]);
  assign prod4 = signed'(bank_p[204 +: 51]);
  assign prod5 = signed'(bank_p[255 +: 51]);
  logic unused_bank_p;
  assign unused_bank_p = ^bank_p[NumMul*51-1:306];  // the detector's only

  // ---------------------------------------------------------------------------------------------
  // Detector
  logic        [31:0] det_peak;
  logic signed [31:0] det_level;
  lathe_tp_detector #(
    .NumMul  (NumMul)
  ) u_detector (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (clear),
    .two_x_i (two_x_i),
    .start_i (hs),
    .left_i  (in_left_i),
    .right_i (in_right_i),
    .mac_o   (det_mac),
    .mul_a_o (det_a),
    .mul_b_o (det_b),
    .mul_p_i (bank_p),
    .valid_o (det_valid),
    .peak_o  (det_peak),
    .level_o (det_level)
  );
  assign peak_o = det_peak;

  // ---------------------------------------------------------------------------------------------
  // Frame counter since clear: which ring and delay entries hold data written since the clear.
  logic [DelayBits-1:0] fill_q, fill_d;
  logic        delay_ok_q, delay_ok_d;  // the delayed sample of this frame was written since clear
  logic        ramp_ok_q, ramp_ok_d;    // the ramp entry leaving this frame was written since clear

  // ---------------------------------------------------------------------------------------------
  // Audio delay line: written at the handshake, read at the same time L + 22 entries behind.
  // The frame's drive goes with it (the model's delay_drive_): the gain at the output was
  // planned with the drive the sample's requirement used, which a glide may since have moved.
  logic [DelayBits-1:0] dl_wr_q, dl_wr_d, dl_rd_q, dl_rd_d;
  logic          [95:0] dl_rdata;
  lathe_lim_ram #(
    .Width (96),
    .Depth (DelayDepth)
  ) u_delay (
    .clk_i   (clk_i),
    .we_i    (hs),
    .waddr_i (dl_wr_q),
    .wdata_i ({drive_i, in_left_i, in_right_i}),
    .re_i    (hs),
    .raddr_i (dl_rd_q),
    .rdata_o (dl_rdata)
  );

  // Ramp ring: the leaving entry (L behind) is read at the handshake, the new one written at G6.
  logic [RampBits-1:0] rp_wr_q, rp_wr_d, rp_rd_q, rp_rd_d;
  logic         [31:0] rp_rdata;
  logic signed  [31:0] released;
  lathe_lim_ram #(
    .Width (32),
    .Depth (MaxLookahead)
  ) u_ramp (
    .clk_i   (clk_i),
    .we_i    (g6),
    .waddr_i (rp_wr_q),
    .wdata_i (released),
    .re_i    (hs),
    .raddr_i (rp_rd_q),
    .rdata_o (rp_rdata)
  );

  function automatic logic [DelayBits-1:0] dl_next(logic [DelayBits-1:0] ptr);
    dl_next = (ptr == DelayBits'(DelayDepth - 1)) ? '0 : ptr + 1'b1;
  endfunction

  always_comb begin
    look_d     = look_q;
    recip_d    = recip_q;
    hold_d     = hold_q;
    fill_d     = fill_q;
    delay_ok_d = delay_ok_q;
    ramp_ok_d  = ramp_ok_q;
    dl_wr_d    = dl_wr_q;
    dl_rd_d    = dl_rd_q;
    rp_wr_d    = rp_wr_q;
    rp_rd_d    = rp_rd_q;
    if (clear_i) begin
      look_d     = look_new;
      recip_d    = recip_i;
      hold_d     = hold_new;
      fill_d     = '0;
      dl_wr_d    = '0;
      dl_rd_d    = DelayBits'(DelayDepth - ExtraDelay) - DelayBits'(look_new);  // -(L + ExtraDelay) mod depth
      rp_wr_d    = '0;
      rp_rd_d    = RampBits'(LookBits'(MaxLookahead) - look_new);              // -L mod MaxLookahead
    end else begin
      if (hs) begin
        fill_d     = (fill_q == FillMax) ? fill_q : fill_q + DelayBits'(1);
        delay_ok_d = fill_q >= delay_len;
        ramp_ok_d  = fill_q >= DelayBits'(look_q);
        dl_wr_d    = dl_next(dl_wr_q);
        dl_rd_d    = dl_next(dl_rd_q);
        rp_rd_d    = rp_rd_q + 1'b1;
      end
      if (g6) rp_wr_d = rp_wr_q + 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // The model as constructed: lookahead 1, recip 2^31, hold_blocks 1, everything empty.
      look_q     <= LookBits'(1);
      recip_q    <= 32'h8000_0000;
      hold_q     <= HoldBits'(1);
      fill_q     <= '0;
      delay_ok_q <= 1'b0;
      ramp_ok_q  <= 1'b0;
      dl_wr_q    <= '0;
      dl_rd_q    <= DelayBits'(DelayDepth - ExtraDelay - 1);
      rp_wr_q    <= '0;
      rp_rd_q    <= RampBits'(MaxLookahead - 1);
    end else begin
      look_q     <= look_d;
      recip_q    <= recip_d;
      hold_q     <= hold_d;
      fill_q     <= fill_d;
      delay_ok_q <= delay_ok_d;
      ramp_ok_q  <= ramp_ok_d;
      dl_wr_q    <= dl_wr_d;
      dl_rd_q    <= dl_rd_d;
      rp_wr_q    <= rp_wr_d;
      rp_rd_q    <= rp_rd_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Hold
  logic signed [31:0] required_q, required_d;
  logic signed [31:0] held;
  lathe_lim_hold u_hold (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear),
    .hold_blocks_i (hold_q),
    .scan_i        (hs),
    .update_i      (g1),
    .required_i    (required_q),
    .held_o        (held)
  );

  // ---------------------------------------------------------------------------------------------
  // Gain path
  logic signed [47:0] rel_q, rel_d;        // release_state_, Q8.32 (within +-2^47)
  logic signed [47:0] sum_q, sum_d;        // ramp_sum_: sum of the last L released values (|sum| <= 2^41)
  logic signed [31:0] gain_q, gain_d;      // gain_, Q8.16
  logic signed [47:0] target_q, target_d;  // held << 16
  logic        [47:0] diff_q, diff_d;      // target - state when not attacking: 0 .. 2^48 - 1
  logic               attack_q, attack_d;
  logic signed [47:0] sus_q, sus_d;        // sustain_, Q8.32 (between 0 and past targets, like the state)
  logic        [31:0] timer_q, timer_d;    // sustain_timer_
  logic        [47:0] sdiff_q, sdiff_d;    // target - sustain when not deeper: 1 .. 2^48 - 1
  logic               deeper_q, deeper_d;  // target <= sustain
  logic signed [47:0] next_q, next_d;      // smooth_step(state, target, release)
  logic signed [31:0] out_left_q, out_left_d, out_right_q, out_right_d;

  // G0: required = min(0, ceiling - drive - level) in 34 bits, then its low 32 bits as the model's cast.
  logic signed [33:0] headroom;
  assign headroom = 34'(ceiling_i) - 34'(drive_i) - 34'(det_level);

  // G1: the held requirement in Q8.32.
  logic signed [47:0] target_new;
  assign target_new = signed'({held, 16'h0000});

  // G3, G5: c * diff = p0 + p1 2^16 + p2 2^32 < 2^80 (unsigned pieces, non-negative products); >> 32
  // floors as smooth_step's int128 shift does.
  function automatic logic [79:0] product_of(logic [47:0] p0, logic [47:0] p1, logic [47:0] p2);
    product_of = 80'(p0) + (80'(p1) << 16) + (80'(p2) << 32);
  endfunction
  logic [79:0]        rel_full, sus_full;  // c * diff of multipliers 0..2 and 3..5
  logic signed [47:0] rel_step, sus_step;  // >> 32
  assign rel_full = product_of(prod0[47:0], prod1[47:0], prod2[47:0]);
  assign sus_full = product_of(prod3[47:0], prod4[47:0], prod5[47:0]);
  assign rel_step = signed'(rel_full[79:32]);
  assign sus_step = signed'(sus_full[79:32]);
  logic unused_prod_bits;  // floored away, as in smooth_step; the top bits of non-negative products
  assign unused_prod_bits = ^{rel_full[31:0], sus_full[31:0], prod0[50:48], prod1[50:48], prod2[50:48],
                              prod4[50:48], prod5[50:48]};

  // G4: the transient release's difference, up to the new sustain.
  logic [47:0] tdiff;
  assign tdiff = sus_q - rel_q;

  // G6
  logic signed [31:0] ramp_old;
  assign released = rel_q[47:16];
  assign ramp_old = ramp_ok_q ? signed'(rp_rdata) : 32'sd0;

  // G8: sum * recip, bits 62..31 (the model's int64 product, >> 31, cast to int32).
  logic [63:0] ramp_prod;
  assign ramp_prod = 64'(prod0) + (64'(prod1) << 16) + (64'(prod2) << 32);
  logic unused_ramp_prod;
  assign unused_ramp_prod = ^{ramp_prod[63], ramp_prod[30:0]};  // >> 31, then the int32 cast

  // G9: exp2(drive + gain), 32-bit wrap as the model's int32 sum; the drive the delayed
  // sample came in with.
  logic signed [31:0] dl_drive;
  logic [31:0] gain_lin;
  logic        exp2_valid;
  lathe_exp2 u_exp2 (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (g9),
    .v_i     (dl_drive + gain_q),
    .valid_o (exp2_valid),
    .gain_o  (gain_lin)
  );
  logic unused_exp2_valid;
  assign unused_exp2_valid = exp2_valid;  // the schedule knows when the gain is ready

  // G11: sample * gain = p_lo + p_hi 2^16; (x + 2^26) >> 27, saturated to 32 bits.
  function automatic logic signed [31:0] round_sat(logic signed [50:0] p_lo, logic signed [50:0] p_hi);
    logic signed [65:0] full;
    logic signed [38:0] rounded;
    full    = 66'(p_lo) + (66'(p_hi) <<< 16) + 66'sd67108864;  // + 2^26
    rounded = 39'(full >>> 27);
    if (rounded > 39'sd2147483647)       round_sat = 32'sh7fff_ffff;
    else if (rounded < -39'sd2147483648) round_sat = 32'sh8000_0000;
    else                                 round_sat = rounded[31:0];
  endfunction

  logic signed [31:0] dl_left, dl_right;
  assign dl_left  = delay_ok_q ? signed'(dl_rdata[63:32]) : 32'sd0;
  assign dl_right = delay_ok_q ? signed'(dl_rdata[31:0]) : 32'sd0;
  assign dl_drive = delay_ok_q ? signed'(dl_rdata[95:64]) : 32'sd0;

  always_comb begin
    required_d  = required_q;
    target_d    = target_q;
    diff_d      = diff_q;
    attack_d    = attack_q;
    sus_d       = sus_q;
    timer_d     = timer_q;
    sdiff_d     = sdiff_q;
    deeper_d    = deeper_q;
    next_d      = next_q;
    rel_d       = rel_q;
    sum_d       = sum_q;
    gain_d      = gain_q;
    out_left_d  = out_left_q;
    out_right_d = out_right_q;
    if (g0) required_d = (headroom < 34'sd0) ? headroom[31:0] : 32'sd0;
    if (g1) begin
      target_d = target_new;
      attack_d = target_new < rel_q;
      diff_d   = target_new - rel_q;
      deeper_d = target_new <= sus_q;
      sdiff_d  = target_new - sus_q;
    end
    if (g3) begin
      if (deeper_q) begin
        sus_d   = target_q;
        timer_d = sustain_hold_i;
      end else if (timer_q != 32'd0) begin
        timer_d = timer_q - 32'd1;
      end else begin
        sus_d = sus_q + sus_step;
      end
      next_d = rel_q + rel_step;
    end
    if (g5) begin
      if (attack_q) begin
        rel_d = target_q;
      end else if (rel_q < sus_q) begin
        rel_d = (rel_q + rel_step > next_q) ? rel_q + rel_step : next_q;
      end else begin
        rel_d = next_q;
      end
    end
    if (g6) sum_d = sum_q + 48'(released) - 48'(ramp_old);
    if (g8) gain_d = ramp_prod[62:31];
    if (g11) begin
      out_left_d  = round_sat(prod0, prod1);
      out_right_d = round_sat(prod2, prod3);
    end
    if (clear) begin
      rel_d   = '0;
      sus_d   = '0;
      timer_d = '0;
      sum_d   = '0;
      gain_d  = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    rel_q       <= rel_d;
    sum_q       <= sum_d;
    gain_q      <= gain_d;
    required_q  <= required_d;
    target_q    <= target_d;
    diff_q      <= diff_d;
    attack_q    <= attack_d;
    sus_q       <= sus_d;
    timer_q     <= timer_d;
    sdiff_q     <= sdiff_d;
    deeper_q    <= deeper_d;
    next_q      <= next_d;
    out_left_q  <= out_left_d;
    out_right_q <= out_right_d;
  end

  // Operands of the shared multipliers: the detector's while it multiplies, else the gain path's.
  always_comb begin
    bank_a = det_a;
    bank_b = det_b;
    if (g2) begin  // release and sustain: {0, diff piece} x {0, c}
      for (int m = 0; m < 3; m++) begin
        bank_a[18 * m +: 18]       = {2'b00, diff_q[16 * m +: 16]};
        bank_b[33 * m +: 33]       = {1'b0, release_i};
        bank_a[18 * (m + 3) +: 18] = {2'b00, sdiff_q[16 * m +: 16]};
        bank_b[33 * (m + 3) +: 33] = {1'b0, sustain_release_i};
      end
    end
    if (g4) begin  // transient release: {0, tdiff piece} x {0, c}
      for (int m = 0; m < 3; m++) begin
        bank_a[18 * m +: 18] = {2'b00, tdiff[16 * m +: 16]};
        bank_b[33 * m +: 33] = {1'b0, transient_release_i};
      end
    end
    if (g7) begin  // ramp: sum pieces (the top one signed) x {0, recip}
      bank_a[0 +: 18]  = {2'b00, sum_q[15:0]};
      bank_a[18 +: 18] = {2'b00, sum_q[31:16]};
      bank_a[36 +: 18] = {{2{sum_q[47]}}, sum_q[47:32]};
      for (int m = 0; m < 3; m++) bank_b[33 * m +: 33] = {1'b0, recip_q};
    end
    if (g10) begin  // output: {0, gain piece} x sample
      bank_a[0 +: 18]  = {2'b00, gain_lin[15:0]};
      bank_a[18 +: 18] = {2'b00, gain_lin[31:16]};
      bank_a[36 +: 18] = {2'b00, gain_lin[15:0]};
      bank_a[54 +: 18] = {2'b00, gain_lin[31:16]};
      bank_b[0 +: 33]  = {dl_left[31], dl_left};
      bank_b[33 +: 33] = {dl_left[31], dl_left};
      bank_b[66 +: 33] = {dl_right[31], dl_right};
      bank_b[99 +: 33] = {dl_right[31], dl_right};
    end
  end

  logic unused_det_mac;
  assign unused_det_mac = det_mac;  // the gain path never multiplies while the detector does

  assign out_valid_o = (state_q == StOut);
  assign out_left_o  = out_left_q;
  assign out_right_o = out_right_q;
  assign gr_o        = -gain_q;
endmodule
