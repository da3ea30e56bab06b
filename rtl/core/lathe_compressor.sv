// SPDX-License-Identifier: MIT
// Feed-forward log-domain stereo compressor (model: lathe::model::Compressor), one frame at a time.
//
// Two lanes (lathe_comp_lane, one 33x33 multiplier each) share one lathe_log2 and one
// lathe_exp2. Linked: lane 0 runs the gain computer and detector on log2(max(|L|, |R|)),
// its gain goes to both lanes. Unlinked: lane 0 (left, detector 0) and lane 1 (right,
// detector 1) run independently, lane 1 one cycle behind lane 0 so the log2 and exp2 units
// serve both. Latency from the input handshake cycle to out_valid_o: 16 cycles linked,
// 17 unlinked. gr_o is Compressor::gain_reduction() over the detector levels published
// at the end of each frame (and zeroed by clear_i).
module lathe_compressor (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,      // zero both detectors (Compressor::reset)
  input  logic signed [31:0] threshold_i,  // kCompThreshold, Q8.16
  input  logic signed [31:0] knee_half_i,  // kCompKneeHalf, Q8.16
  input  logic        [31:0] knee_coef_i,  // kCompKneeCoef, unsigned Q8.24
  input  logic        [31:0] slope_i,      // kCompSlope, unsigned Q1.16
  input  logic        [31:0] attack_i,     // kCompAttack, unsigned Q0.32
  input  logic        [31:0] release_i,    // kCompRelease, unsigned Q0.32
  input  logic signed [31:0] makeup_i,     // kCompMakeup, Q8.16
  input  logic               link_i,       // kCtrlCompLink
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [31:0] in_left_i,    // Q5.27
  input  logic signed [31:0] in_right_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [31:0] out_left_o,   // Q5.27
  output logic signed [31:0] out_right_o,
  output logic signed [31:0] gr_o          // gain reduction meter, Q8.16 log2 units
);
  typedef enum logic [2:0] {
    StIdle,   // ready for a frame
    StLogL,   // log2 of |L| (linked: of max(|L|, |R|))
    StLogR,   // log2 of |R| (unlinked)
    StRun,    // lanes busy
    StOut     // output frame valid
  } state_e;

  state_e state_q, state_d;
  logic   start0_q, start0_d;   // lane 0 level valid (log2 result of StLogL)
  logic   start1_q, start1_d;   // lane 1 level valid (log2 result of StLogR)
  logic   gain0_q, gain0_d;     // exp2 result belongs to lane 0
  logic   gain1_q, gain1_d;     // exp2 result belongs to lane 1
  logic   done0_q, done0_d;     // lane 0 output taken into out_left_q
  logic   done1_q, done1_d;
  logic signed [31:0] lvl0_q, lvl0_d;  // published detector levels
  logic signed [31:0] lvl1_q, lvl1_d;

  logic signed [31:0] in_left_q, in_left_d;
  logic signed [31:0] in_right_q, in_right_d;
  logic signed [31:0] out_left_q, out_left_d;
  logic signed [31:0] out_right_q, out_right_d;

  // Lane signals.
  logic               lane0_g_valid, lane1_g_valid;
  logic signed [31:0] lane0_g, lane1_g;
  logic               lane0_out_valid, lane1_out_valid;
  logic signed [31:0] lane0_out, lane1_out;
  logic signed [31:0] lane0_level, lane1_level;

  // Magnitudes (fx::magnitude: |INT32_MIN| = 2^31 fits the unsigned word).
  logic [31:0] mag_left, mag_right, log2_mag;
  logic        log2_valid;
  always_comb begin
    mag_left  = in_left_q[31] ? 32'(-in_left_q) : 32'(in_left_q);
    mag_right = in_right_q[31] ? 32'(-in_right_q) : 32'(in_right_q);
    if (state_q == StLogL) begin
      log2_mag = (link_i && (mag_right > mag_left)) ? mag_right : mag_left;
    end else begin
      log2_mag = mag_right;
    end
    log2_valid = (state_q == StLogL) || ((state_q == StLogR) && !link_i);
  end

  logic               log2_valid_out;
  logic signed [23:0] log2_level;
  lathe_log2 u_log2 (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(log2_valid),
    .mag_i  (log2_mag),
    .valid_o(log2_valid_out),
    .log2_o (log2_level)
  );

  logic               exp2_valid_out;
  logic        [31:0] exp2_gain;
  lathe_exp2 u_exp2 (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(lane0_g_valid || lane1_g_valid),
    .v_i    (lane0_g_valid ? lane0_g : lane1_g),
    .valid_o(exp2_valid_out),
    .gain_o (exp2_gain)
  );

  lathe_comp_lane u_lane0 (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .threshold_i (threshold_i),
    .knee_half_i (knee_half_i),
    .knee_coef_i (knee_coef_i),
    .slope_i     (slope_i),
    .attack_i    (attack_i),
    .release_i   (release_i),
    .makeup_i    (makeup_i),
    .start_i     (start0_q),
    .level_i     (log2_level),
    .g_valid_o   (lane0_g_valid),
    .g_o         (lane0_g),
    .gain_valid_i(gain0_q),
    .gain_i      (exp2_gain),
    .sample_i    (in_left_q),
    .out_valid_o (lane0_out_valid),
    .out_o       (lane0_out),
    .level_o     (lane0_level)
  );

  lathe_comp_lane u_lane1 (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .threshold_i (threshold_i),
    .knee_half_i (knee_half_i),
    .knee_coef_i (knee_coef_i),
    .slope_i     (slope_i),
    .attack_i    (attack_i),
    .release_i   (release_i),
    .makeup_i    (makeup_i),
    .start_i     (start1_q),
    .level_i     (log2_level),
    .g_valid_o   (lane1_g_valid),
    .g_o         (lane1_g),
    .gain_valid_i(gain1_q),
    .gain_i      (exp2_gain),
    .sample_i    (in_right_q),
    .out_valid_o (lane1_out_valid),
    .out_o       (lane1_out),
    .level_o     (lane1_level)
  );

  always_comb begin
    state_d     = state_q;
    in_left_d   = in_left_q;
    in_right_d  = in_right_q;
    done0_d     = done0_q || lane0_out_valid;
    done1_d     = done1_q || lane1_out_valid;
    out_left_d  = lane0_out_valid ? lane0_out : out_left_q;
    out_right_d = lane1_out_valid ? lane1_out : out_right_q;
    lvl0_d      = lvl0_q;
    lvl1_d      = lvl1_q;
    start0_d    = (state_q == StLogL);
    start1_d    = (state_q == StLogR) && !link_i;
    gain0_d     = lane0_g_valid;
    gain1_d     = lane1_g_valid || (link_i && lane0_g_valid);
    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          in_left_d  = in_left_i;
          in_right_d = in_right_i;
          done0_d    = 1'b0;
          done1_d    = 1'b0;
          state_d    = StLogL;
        end
      end
      StLogL: begin
        state_d = StLogR;
      end
      StLogR: begin
        state_d = StRun;
      end
      StRun: begin
        if (done0_d && done1_d) begin
          lvl0_d  = lane0_level;
          lvl1_d  = lane1_level;
          state_d = StOut;
        end
      end
      StOut: begin
        if (out_ready_i) state_d = StIdle;
      end
      default: begin
        state_d = StIdle;
      end
    endcase
    if (clear_i) begin
      lvl0_d = '0;
      lvl1_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      start0_q <= 1'b0;
      start1_q <= 1'b0;
      gain0_q  <= 1'b0;
      gain1_q  <= 1'b0;
      done0_q  <= 1'b0;
      done1_q  <= 1'b0;
      lvl0_q   <= '0;
      lvl1_q   <= '0;
    end else begin
      state_q  <= state_d;
      start0_q <= start0_d;
      start1_q <= start1_d;
      gain0_q  <= gain0_d;
      gain1_q  <= gain1_d;
      done0_q  <= done0_d;
      done1_q  <= done1_d;
      lvl0_q   <= lvl0_d;
      lvl1_q   <= lvl1_d;
    end
  end

  always_ff @(posedge clk_i) begin
    in_left_q   <= in_left_d;
    in_right_q  <= in_right_d;
    out_left_q  <= out_left_d;
    out_right_q <= out_right_d;
  end

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_left_o  = out_left_q;
  assign out_right_o = out_right_q;
  assign gr_o        = (link_i || (lvl0_q > lvl1_q)) ? lvl0_q : lvl1_q;

  // The units' valid outputs are not needed: the schedule is fixed (start0_q .. gain1_q).
  logic unused_valid;
  assign unused_valid = log2_valid_out ^ exp2_valid_out;
endmodule
