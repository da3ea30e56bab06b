// SPDX-License-Identifier: MIT
// The mastering chain: register file, trim + EQ, compressor, true-peak limiter, true-peak
// guard, dither and meters, on valid/ready streams of stereo frames. A commit's copy runs while the frames go
// on; its swap, and clears, wait until no frame is in flight, so every frame sees one consistent
// configuration (docs/rtl.md). The gains, the compressor's
// curve, the ceilings and the EQ glide from one commit's values to the next (model/glide.hpp): each stage
// steps its parameters after each frame it finishes, as the model's stages do.
module lathe_core (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Register bus: a write is taken when we_i && reg_ready_o; read data (any address) is
  // valid on reg_rdata_o the cycle after reg_addr_i.
  input  logic               reg_we_i,
  input  logic        [7:0]  reg_addr_i,
  input  logic        [31:0] reg_wdata_i,
  output logic        [31:0] reg_rdata_o,
  output logic               reg_ready_o,
  // Stereo frames in: 24-bit samples.
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [23:0] in_left_i,
  input  logic signed [23:0] in_right_i,
  // Stereo frames out: 16- or 24-bit samples, sign-extended to 24 bits.
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [23:0] out_left_o,
  output logic signed [23:0] out_right_o,
  // The active configuration's output word is 16 bits: out_*_o hold 16-bit values.
  output logic               out16_o
);
  localparam int unsigned CoefBits = 37;
  localparam int unsigned CoefAddrBits = $clog2(lathe_regs_pkg::EqBands * lathe_regs_pkg::EqCoefs);
  localparam logic [7:0] AddrCommand = lathe_regs_pkg::AddrCommand;
  localparam logic [7:0] AddrMeterFirst = lathe_regs_pkg::AddrMeterFirst;
  localparam int unsigned MeterIndexBits = lathe_regs_pkg::MeterIndexBits;
  localparam int unsigned MaxInFlight = 6;  // frames between input and output (FIFO depth 8)
  // ctrl bits
  localparam int unsigned CtrlMidSide = lathe_regs_pkg::CtrlMidSide, CtrlCompLink = lathe_regs_pkg::CtrlCompLink;
  localparam int unsigned CtrlDither = lathe_regs_pkg::CtrlDither, CtrlOut16 = lathe_regs_pkg::CtrlOut16;
  localparam int unsigned CtrlBypass = lathe_regs_pkg::CtrlBypass, CtrlTp2x = lathe_regs_pkg::CtrlTp2x;

  // ---------------------------------------------------------------- configuration
  logic        commit_start, commit_swap, regfile_copied, regfile_busy, regfile_ready, configured;
  logic [31:0] shadow_rdata;
  logic [31:0] ctrl, trim_target, threshold_target, knee_half_target, knee_coef_target, slope_target;
  logic [31:0] makeup_target, drive_target, ceiling_target, guard_ceiling_target;
  logic [31:0] trim_gain, comp_threshold, comp_knee_half, comp_knee_coef, comp_slope;
  logic [31:0] comp_attack, comp_release, comp_makeup, lim_drive, lim_ceiling, lim_lookahead;
  logic [31:0] lim_recip, lim_hold_blocks, lim_release, dither_seed;
  logic [31:0] lim_transient_release, lim_sustain_release, lim_sustain_hold, lim_guard_ceiling;
  logic [CoefAddrBits-1:0] coef_addr;
  logic signed [CoefBits-1:0] coef0, coef1;
  logic        coef_use;
  logic        command_write;
  assign command_write = reg_we_i && reg_ready_o && reg_addr_i == AddrCommand;

  lathe_regfile #(.CoefBits(CoefBits)) u_regfile (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .we_i             (reg_we_i && reg_addr_i != AddrCommand),
    .addr_i           (reg_addr_i),
    .wdata_i          (reg_wdata_i),
    .shadow_rdata_o   (shadow_rdata),
    .ready_o          (regfile_ready),
    .commit_i         (commit_start),
    .copied_o         (regfile_copied),
    .swap_i           (commit_swap),
    .busy_o           (regfile_busy),
    .configured_o     (configured),
    .clear_i          (stage_clear),
    .ctrl_o           (ctrl),
    .trim_gain_o      (trim_target),
    .comp_threshold_o (threshold_target),
    .comp_knee_half_o (knee_half_target),
    .comp_knee_coef_o (knee_coef_target),
    .comp_slope_o     (slope_target),
    .comp_attack_o    (comp_attack),
    .comp_release_o   (comp_release),
    .comp_makeup_o    (makeup_target),
    .lim_drive_o      (drive_target),
    .lim_ceiling_o    (ceiling_target),
    .lim_lookahead_o  (lim_lookahead),
    .lim_recip_o      (lim_recip),
    .lim_hold_blocks_o(lim_hold_blocks),
    .lim_release_o    (lim_release),
    .lim_transient_release_o (lim_transient_release),
    .lim_sustain_release_o   (lim_sustain_release),
    .lim_sustain_hold_o      (lim_sustain_hold),
    .lim_guard_ceiling_o     (guard_ceiling_target),
    .dither_seed_o    (dither_seed),
    .coef_addr_i      (coef_addr),
    .coef_use_i       (coef_use),
    .coef0_o          (coef0),
    .coef1_o          (coef1)
  );
  assign reg_ready_o = regfile_ready;

  // ---------------------------------------------------------------- glides
  // The scalars that glide, each stepped at its stage's output handshake (every stage takes
  // one frame at a time, so a value is constant from a frame's input to its output) and set
  // to the target by a clear and until the first commit. The EQ coefficients glide in the
  // register file, as trim_eq uses them.
  logic glide_snap, eq_step, comp_step, lim_step, guard_step;
  assign glide_snap = stage_clear || !configured;
  lathe_glide #(.Signed(1'b1)) u_glide_trim (.clk_i(clk_i), .snap_i(glide_snap), .step_i(eq_step),
    .target_i(trim_target), .value_o(trim_gain));
  lathe_glide #(.Signed(1'b1)) u_glide_threshold (.clk_i(clk_i), .snap_i(glide_snap), .step_i(comp_step),
    .target_i(threshold_target), .value_o(comp_threshold));
  lathe_glide #(.Signed(1'b1)) u_glide_knee_half (.clk_i(clk_i), .snap_i(glide_snap), .step_i(comp_step),
    .target_i(knee_half_target), .value_o(comp_knee_half));
  lathe_glide #(.Signed(1'b0)) u_glide_knee_coef (.clk_i(clk_i), .snap_i(glide_snap), .step_i(comp_step),
    .target_i(knee_coef_target), .value_o(comp_knee_coef));
  lathe_glide #(.Signed(1'b0)) u_glide_slope (.clk_i(clk_i), .snap_i(glide_snap), .step_i(comp_step),
    .target_i(slope_target), .value_o(comp_slope));
  lathe_glide #(.Signed(1'b1)) u_glide_makeup (.clk_i(clk_i), .snap_i(glide_snap), .step_i(comp_step),
    .target_i(makeup_target), .value_o(comp_makeup));
  lathe_glide #(.Signed(1'b1)) u_glide_drive (.clk_i(clk_i), .snap_i(glide_snap), .step_i(lim_step),
    .target_i(drive_target), .value_o(lim_drive));
  lathe_glide #(.Signed(1'b1)) u_glide_ceiling (.clk_i(clk_i), .snap_i(glide_snap), .step_i(lim_step),
    .target_i(ceiling_target), .value_o(lim_ceiling));
  lathe_glide #(.Signed(1'b0)) u_glide_guard_ceiling (.clk_i(clk_i), .snap_i(glide_snap), .step_i(guard_step),
    .target_i(guard_ceiling_target), .value_o(lim_guard_ceiling));

  // ---------------------------------------------------------------- commands and reads
  logic stage_clear, meters_clear, in_fire, out_fire, eq_in_ready;
  logic [31:0] meter_data, meter_data_q;
  lathe_core_ctrl #(.MaxInFlight(MaxInFlight)) u_ctrl (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .command_write_i (command_write),
    .command_i       (reg_wdata_i),
    .regfile_ready_i (regfile_ready),
    .regfile_copied_i(regfile_copied),
    .regfile_busy_i  (regfile_busy),
    .configured_i    (configured),
    .commit_start_o  (commit_start),
    .commit_swap_o   (commit_swap),
    .stage_clear_o   (stage_clear),
    .meters_clear_o  (meters_clear),
    .stage_ready_i   (eq_in_ready),
    .in_valid_i      (in_valid_i),
    .in_ready_o      (in_ready_o),
    .in_fire_o       (in_fire),
    .out_fire_i      (out_fire),
    .reg_addr_i      (reg_addr_i),
    .meter_data_i    (meter_data_q),
    .shadow_rdata_i  (shadow_rdata),
    .reg_rdata_o     (reg_rdata_o)
  );

  // ---------------------------------------------------------------- stages
  logic eq_valid, eq_ready, comp_valid, comp_ready, lim_valid, lim_ready;
  logic dith_valid, guard_valid, guard_ready;
  logic signed [31:0] eq_left, eq_right, comp_left, comp_right, lim_left, lim_right, guard_left, guard_right;
  logic signed [31:0] dith_in_left, dith_in_right, dith_left, dith_right;
  logic signed [31:0] comp_gr, lim_gr;
  logic        [31:0] lim_peak;
  logic               dry_fresh, dith_in_valid, dith_in_ready;
  logic signed [23:0] dry_left, dry_right;

  lathe_trim_eq #(.CoefBits(CoefBits)) u_trim_eq (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (stage_clear),
    .trim_gain_i (trim_gain),
    .mid_side_i  (ctrl[CtrlMidSide]),
    .coef_addr_o (coef_addr),
    .coef_use_o  (coef_use),
    .coef0_data_i(coef0),
    .coef1_data_i(coef1),
    .in_valid_i  (in_valid_i && in_ready_o),
    .in_ready_o  (eq_in_ready),
    .in_left_i   (in_left_i),
    .in_right_i  (in_right_i),
    .out_valid_o (eq_valid),
    .out_ready_i (eq_ready),
    .out_left_o  (eq_left),
    .out_right_o (eq_right)
  );

  lathe_compressor u_compressor (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (stage_clear),
    .threshold_i (comp_threshold),
    .knee_half_i (comp_knee_half),
    .knee_coef_i (comp_knee_coef),
    .slope_i     (comp_slope),
    .attack_i    (comp_attack),
    .release_i   (comp_release),
    .makeup_i    (comp_makeup),
    .link_i      (ctrl[CtrlCompLink]),
    .in_valid_i  (eq_valid),
    .in_ready_o  (eq_ready),
    .in_left_i   (eq_left),
    .in_right_i  (eq_right),
    .out_valid_o (comp_valid),
    .out_ready_i (comp_ready),
    .out_left_o  (comp_left),
    .out_right_o (comp_right),
    .gr_o        (comp_gr)
  );

  lathe_limiter u_limiter (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (stage_clear),
    .two_x_i      (ctrl[CtrlTp2x]),
    .drive_i      (lim_drive),
    .ceiling_i    (lim_ceiling),
    .lookahead_i  (lim_lookahead),
    .recip_i      (lim_recip),
    .hold_blocks_i(lim_hold_blocks),
    .release_i    (lim_release),
    .transient_release_i (lim_transient_release),
    .sustain_release_i   (lim_sustain_release),
    .sustain_hold_i      (lim_sustain_hold),
    .in_valid_i   (comp_valid),
    .in_ready_o   (comp_ready),
    .in_left_i    (comp_left),
    .in_right_i   (comp_right),
    .out_valid_o  (lim_valid),
    .out_ready_i  (lim_ready),
    .out_left_o   (lim_left),
    .out_right_o  (lim_right),
    .peak_o       (lim_peak),
    .gr_o         (lim_gr)
  );

  // True-peak guard on the limiter's output: one frame out per frame in (its 51 frames of
  // delay are inside it), so the dry delay below still pairs frames by count.
  lathe_tp_guard u_guard (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (stage_clear),
    .ceiling_i   (lim_guard_ceiling),
    .in_valid_i  (lim_valid),
    .in_ready_o  (lim_ready),
    .in_left_i   (lim_left),
    .in_right_i  (lim_right),
    .out_valid_o (guard_valid),
    .out_ready_i (guard_ready),
    .out_left_o  (guard_left),
    .out_right_o (guard_right)
  );

  // Bypass (A/B): the input, delayed by the chain's latency, replaces the guard's output
  // before the dither, as in the model; the chain keeps running so switching back is
  // seamless, and both line up, so bypass keeps the latency.
  lathe_dry_delay u_dry (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (stage_clear),
    .lookahead_i(lim_lookahead),
    .push_i     (in_fire),
    .left_i     (in_left_i),
    .right_i    (in_right_i),
    .pop_i      (guard_valid && guard_ready),
    .fresh_o    (dry_fresh),
    .left_o     (dry_left),
    .right_o    (dry_right)
  );
  assign eq_step    = eq_valid && eq_ready;
  assign comp_step  = comp_valid && comp_ready;
  assign lim_step   = lim_valid && lim_ready;
  assign guard_step = guard_valid && guard_ready;
  assign dith_in_valid = guard_valid && dry_fresh;
  assign guard_ready   = dith_in_ready && dry_fresh;
  // The switch fades (model::Chain::finish): the frame's weight is the smoothstep
  // W(k) = 3 k^2 N - 2 k^3 of N^3 = 2^(3 FadeShift) and the output wet + ((dry - wet) W)
  // >>> 3 FadeShift, then k (fade_q) steps once towards N (bypass) or 0. So a switch moves
  // a sample by at most 1.5 |dry - wet| / N a frame on top of the signals' own motion,
  // with no kink, and the output is the wet or the dry signal exactly at either end. A
  // clear starts in the mode set. The weight is registered from k (frames are far more
  // than a cycle apart).
  localparam int unsigned FadeShift = lathe_regs_pkg::BypassFadeShift;
  localparam int unsigned WBits = 3 * FadeShift + 1;  // W is 0 .. 2^(3 FadeShift)
  localparam logic [FadeShift:0] FadeFull = (FadeShift+1)'(1) << FadeShift;
  logic        [FadeShift:0]    fade_q, fade_k;
  logic        [2*FadeShift+1:0] fade_k2;
  logic        [3*FadeShift+2:0] fade_k3;
  logic        [WBits-1:0]      fade_w_q, fade_w_d;
  logic signed [32:0]           fade_dl, fade_dr;
  logic signed [WBits+33:0]     fade_pl, fade_pr;

  always_comb begin
    fade_k = fade_q;
    if (ctrl[CtrlBypass]) begin
      if (fade_q != FadeFull) fade_k = fade_q + 1'b1;
    end else if (fade_q != '0) begin
      fade_k = fade_q - 1'b1;
    end
    fade_k2  = (2*FadeShift+2)'(fade_q) * (2*FadeShift+2)'(fade_q);
    fade_k3  = (3*FadeShift+3)'(fade_k2) * (3*FadeShift+3)'(fade_q);
    fade_w_d = WBits'((3*FadeShift+3)'(3) * ((3*FadeShift+3)'(fade_k2) << FadeShift) - ((3*FadeShift+3)'(fade_k3) << 1));
    fade_dl  = (33'(dry_left) <<< 4) - 33'(guard_left);
    fade_dr  = (33'(dry_right) <<< 4) - 33'(guard_right);
    fade_pl  = fade_dl * $signed({1'b0, fade_w_q});
    fade_pr  = fade_dr * $signed({1'b0, fade_w_q});
    // Between wet and dry: the sum fits the 32 bits of either.
    dith_in_left  = guard_left + 32'(fade_pl >>> (3 * FadeShift));
    dith_in_right = guard_right + 32'(fade_pr >>> (3 * FadeShift));
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fade_q   <= '0;
      fade_w_q <= '0;
    end else begin
      fade_w_q <= fade_w_d;
      if (stage_clear) fade_q <= ctrl[CtrlBypass] ? FadeFull : '0;
      else if (dith_in_valid && dith_in_ready) fade_q <= fade_k;
    end
  end

  lathe_dither u_dither (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (stage_clear),
    .dither_en_i (ctrl[CtrlDither]),
    .out16_i     (ctrl[CtrlOut16]),
    .seed_i      (dither_seed),
    .in_valid_i  (dith_in_valid),
    .in_ready_o  (dith_in_ready),
    .in_left_i   (dith_in_left),
    .in_right_i  (dith_in_right),
    .out_valid_o (dith_valid),
    .out_ready_i (out_ready_i),
    .out_left_o  (dith_left),
    .out_right_o (dith_right)
  );
  assign out_valid_o = dith_valid;
  assign out16_o     = ctrl[CtrlOut16];
  assign out_left_o  = dith_left[23:0];
  assign out_right_o = dith_right[23:0];
  assign out_fire    = dith_valid && out_ready_i;

  // ---------------------------------------------------------------- meters and reads
  lathe_meters u_meters (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (meters_clear),
    .in_fire_i    (in_fire),
    .in_left_i    (in_left_i),
    .in_right_i   (in_right_i),
    .comp_fire_i  (comp_valid && comp_ready),
    .comp_gr_i    (comp_gr),
    .lim_fire_i   (lim_valid && lim_ready),
    .lim_peak_i   (lim_peak),
    .lim_gr_i     (lim_gr),
    .out_fire_i   (out_fire),
    .out16_i      (ctrl[CtrlOut16]),
    .out_left_i   (dith_left[23:0]),
    .out_right_i  (dith_right[23:0]),
    .read_index_i (MeterIndexBits'(reg_addr_i - AddrMeterFirst)),
    .read_data_o  (meter_data)
  );

  // Reads answer the cycle after the address (lathe_core_ctrl): the meter word is registered.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) meter_data_q <= '0;
    else meter_data_q <= meter_data;
  end

  logic unused;
  assign unused = ^{ctrl[31:6], dith_left[31:24], dith_right[31:24]};
endmodule
