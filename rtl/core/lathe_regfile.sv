// SPDX-License-Identifier: MIT
// Triple-buffered configuration: the host writes a shadow RAM; a commit copies it into a
// second bank of registers and coefficient targets while the frames go on with the active
// bank (the copy takes AddrLast + 2 cycles, longer than a frame has at the lowest live-mode
// clocks), then swaps the banks in one cycle when the core has no frame in flight (swap_i).
// The EQ coefficients glide (model/glide.hpp): the commit writes their targets, and the
// words trim_eq reads are the values in use, each stepped towards its target as trim_eq
// uses it (coef_use_i; it uses every word once a frame); a clear sets them to the targets.
module lathe_regfile #(
  parameter int unsigned CoefBits = 37,
  // Coefficient words per channel (regmap/lathe.regs: bands x coefficients per biquad).
  parameter int unsigned ChCoefs  = lathe_regs_pkg::EqBands * lathe_regs_pkg::EqCoefs
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // Host side: writes go to the shadow; a read returns the shadow word one cycle later.
  input  logic                       we_i,
  input  logic        [7:0]          addr_i,
  input  logic        [31:0]         wdata_i,
  output logic        [31:0]         shadow_rdata_o,
  output logic                       ready_o,        // writes are held off from commit to swap
  // Commit: the copy starts at commit_i; copied_o then holds until the core swaps the banks
  // (swap_i, with no frame in flight). busy_o: the coefficients in use are being set
  // (a clear, or the first swap), and no frame may enter.
  input  logic                       commit_i,
  output logic                       copied_o,
  input  logic                       swap_i,
  output logic                       busy_o,
  output logic                       configured_o,   // a swap has completed since reset
  // Clear: the coefficients in use take their targets (ChCoefs + 1 cycles, busy_o high).
  input  logic                       clear_i,
  // Active configuration (registers.hpp names).
  output logic        [31:0]         ctrl_o,
  output logic        [31:0]         trim_gain_o,
  output logic        [31:0]         comp_threshold_o,
  output logic        [31:0]         comp_knee_half_o,
  output logic        [31:0]         comp_knee_coef_o,
  output logic        [31:0]         comp_slope_o,
  output logic        [31:0]         comp_attack_o,
  output logic        [31:0]         comp_release_o,
  output logic        [31:0]         comp_makeup_o,
  output logic        [31:0]         lim_drive_o,
  output logic        [31:0]         lim_ceiling_o,
  output logic        [31:0]         lim_lookahead_o,
  output logic        [31:0]         lim_recip_o,
  output logic        [31:0]         lim_hold_blocks_o,
  output logic        [31:0]         lim_release_o,
  output logic        [31:0]         lim_transient_release_o,
  output logic        [31:0]         lim_sustain_release_o,
  output logic        [31:0]         lim_sustain_hold_o,
  output logic        [31:0]         lim_guard_ceiling_o,
  output logic        [31:0]         dither_seed_o,
  // EQ coefficients in use: word band * 5 + k of each channel, one cycle after the address;
  // coef_use_i in that cycle: the words were used, step them (trim_eq's product issue).
  input  logic [$clog2(ChCoefs)-1:0] coef_addr_i,
  input  logic                       coef_use_i,
  output logic signed [CoefBits-1:0] coef0_o,
  output logic signed [CoefBits-1:0] coef1_o
);
  // Addresses (regmap/lathe.regs, through the generated package).
  // The last scalar: the largest of the scalars' addresses that follow dither_seed (0x18): lim_sustain_hold
  // (0x19), lim_guard_ceiling (0x1a).
  function automatic logic [7:0] max_addr(logic [7:0] a, logic [7:0] b);
    max_addr = (a > b) ? a : b;
  endfunction
  localparam logic [7:0] AddrLastScalar = max_addr(max_addr(lathe_regs_pkg::AddrDitherSeed,
                                                            lathe_regs_pkg::AddrLimSustainHold),
                                                   lathe_regs_pkg::AddrLimGuardCeiling);
  // scalar_q below holds addresses 0x00 .. 0x1f.
  if (AddrLastScalar > 8'h1f) begin : g_bad_last_scalar
    $error("lathe_regfile: scalar addresses must stay below 0x20");
  end
  localparam logic [7:0] AddrEqBase = lathe_regs_pkg::AddrEqBase, AddrLast = lathe_regs_pkg::AddrEqBaseLast;

  // Shadow: one write port (host), one read port (host reads, or the commit copy).
  logic [31:0] shadow_q [256];
  logic [7:0]  read_addr;
  logic [31:0] read_data_q;
  always_ff @(posedge clk_i) begin
    if (we_i && ready_o) shadow_q[addr_i] <= wdata_i;
    read_data_q <= shadow_q[read_addr];
  end
  assign shadow_rdata_o = read_data_q;

  // Copy FSM: issue reads of addresses 0..AddrLast, consume each one cycle later, then wait
  // for the swap.
  typedef enum logic [1:0] {StIdle, StCopy, StLast, StCopied} state_e;
  state_e      state_q, state_d;
  logic [7:0]  copy_addr_q, copy_addr_d;  // address being read this cycle
  logic [7:0]  data_addr_q;               // address whose data arrives this cycle
  logic        data_valid_q;
  logic        configured_q, configured_d;
  logic        bank_q, bank_d;            // the bank in use; the copy fills the other

  always_comb begin
    state_d = state_q;
    copy_addr_d = copy_addr_q;
    configured_d = configured_q;
    bank_d = bank_q;
    unique case (state_q)
      StIdle: begin
        if (commit_i) begin
          state_d = StCopy;
          copy_addr_d = 8'h00;
        end
      end
      StCopy: begin
        if (copy_addr_q == AddrLast) state_d = StLast;
        else copy_addr_d = copy_addr_q + 8'd1;
      end
      StLast: begin  // the last word's data arrives now
        state_d = StCopied;
      end
      StCopied: begin
        if (swap_i) begin
          state_d = StIdle;
          bank_d = ~bank_q;
          configured_d = 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end
  assign read_addr = (state_q == StCopy) ? copy_addr_q : addr_i;
  assign ready_o = (state_q == StIdle);
  assign copied_o = (state_q == StCopied);
  assign configured_o = configured_q;
  logic swap;
  assign swap = (state_q == StCopied) && swap_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      copy_addr_q  <= '0;
      data_addr_q  <= '0;
      data_valid_q <= 1'b0;
      configured_q <= 1'b0;
      bank_q       <= 1'b0;
    end else begin
      state_q      <= state_d;
      copy_addr_q  <= copy_addr_d;
      data_addr_q  <= copy_addr_q;
      data_valid_q <= (state_q == StCopy);
      configured_q <= configured_d;
      bank_q       <= bank_d;
    end
  end

  // Scalars: the next bank loaded as their words arrive, the active one all at once at the
  // swap. Datapath configuration, no reset needed: the core accepts no audio before the
  // first swap.
  logic [31:0] scalar_next_q [32];  // addresses 0x00 .. 0x1f; those up to AddrLastScalar are loaded
  logic [31:0] scalar_q [32];
  always_ff @(posedge clk_i) begin
    if (data_valid_q && data_addr_q <= AddrLastScalar) scalar_next_q[data_addr_q[4:0]] <= read_data_q;
    for (int i = 0; i < 32; i++)
      if (swap) scalar_q[i] <= scalar_next_q[i];
  end
  assign ctrl_o            = scalar_q[5'(lathe_regs_pkg::AddrCtrl)];
  assign trim_gain_o       = scalar_q[5'(lathe_regs_pkg::AddrTrimGain)];
  assign comp_threshold_o  = scalar_q[5'(lathe_regs_pkg::AddrCompThreshold)];
  assign comp_knee_half_o  = scalar_q[5'(lathe_regs_pkg::AddrCompKneeHalf)];
  assign comp_knee_coef_o  = scalar_q[5'(lathe_regs_pkg::AddrCompKneeCoef)];
  assign comp_slope_o      = scalar_q[5'(lathe_regs_pkg::AddrCompSlope)];
  assign comp_attack_o     = scalar_q[5'(lathe_regs_pkg::AddrCompAttack)];
  assign comp_release_o    = scalar_q[5'(lathe_regs_pkg::AddrCompRelease)];
  assign comp_makeup_o     = scalar_q[5'(lathe_regs_pkg::AddrCompMakeup)];
  assign lim_drive_o       = scalar_q[5'(lathe_regs_pkg::AddrLimDrive)];
  assign lim_ceiling_o     = scalar_q[5'(lathe_regs_pkg::AddrLimCeiling)];
  assign lim_lookahead_o   = scalar_q[5'(lathe_regs_pkg::AddrLimLookahead)];
  assign lim_recip_o       = scalar_q[5'(lathe_regs_pkg::AddrLimRecip)];
  assign lim_hold_blocks_o = scalar_q[5'(lathe_regs_pkg::AddrLimHoldBlocks)];
  assign lim_release_o     = scalar_q[5'(lathe_regs_pkg::AddrLimRelease)];
  assign lim_transient_release_o = scalar_q[5'(lathe_regs_pkg::AddrLimTransientRelease)];
  assign lim_sustain_release_o   = scalar_q[5'(lathe_regs_pkg::AddrLimSustainRelease)];
  assign lim_sustain_hold_o      = scalar_q[5'(lathe_regs_pkg::AddrLimSustainHold)];
  assign lim_guard_ceiling_o     = scalar_q[5'(lathe_regs_pkg::AddrLimGuardCeiling)];
  assign dither_seed_o     = scalar_q[5'(lathe_regs_pkg::AddrDitherSeed)];

  // Coefficients: word pairs (low, high) at AddrEqBase + 2 * index, index = ch * ChCoefs +
  // band * 5 + k; the low word waits for its high word, then both go into channel ch's RAM.
  localparam int unsigned IndexBits = $clog2(2 * ChCoefs);
  localparam int unsigned AddrBits  = $clog2(ChCoefs);
  localparam logic [IndexBits-1:0] Ch1First = IndexBits'(ChCoefs);  // channel 1's first index
  logic [31:0] coef_low_q;
  logic [IndexBits-1:0] coef_index;
  logic        coef_write;
  always_comb begin
    coef_index = IndexBits'((data_addr_q - AddrEqBase) >> 1);
    coef_write = data_valid_q && data_addr_q >= AddrEqBase && data_addr_q <= AddrLast && data_addr_q[0];
  end
  // Targets (two banks: the copy writes the one not in use) and values in use (read by
  // trim_eq), per channel.
  logic signed [CoefBits-1:0] target_ram0_q [2 ** (AddrBits + 1)];
  logic signed [CoefBits-1:0] target_ram1_q [2 ** (AddrBits + 1)];
  logic signed [CoefBits-1:0] coef_ram0_q [ChCoefs];
  logic signed [CoefBits-1:0] coef_ram1_q [ChCoefs];
  logic signed [CoefBits-1:0] coef_word;
  assign coef_word = {read_data_q[CoefBits-33:0], coef_low_q};
  // The clear's walk: read target word snap_addr_q, write it as the value in use a cycle later.
  logic                snap_run_q, snap_write_q;
  logic [AddrBits-1:0] snap_addr_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      snap_run_q   <= 1'b0;
      snap_write_q <= 1'b0;
      snap_addr_q  <= '0;
    end else begin
      snap_write_q <= snap_run_q;
      // A clear, or the first swap: the first configuration is taken at once (as the
      // model's first configure()).
      if (clear_i || (swap && !configured_q)) begin
        snap_run_q  <= 1'b1;
        snap_addr_q <= '0;
      end else if (snap_run_q) begin
        if (snap_addr_q == AddrBits'(ChCoefs - 1)) snap_run_q <= 1'b0;
        else snap_addr_q <= snap_addr_q + AddrBits'(1);
      end
    end
  end
  // One read address for both RAMs of a channel; the data, and the address it came from,
  // a cycle later.
  logic [AddrBits-1:0] coef_raddr, coef_used_addr_q;
  logic signed [CoefBits-1:0] target0_q, target1_q, glided0, glided1;
  assign busy_o = snap_run_q || snap_write_q;
  assign coef_raddr = snap_run_q ? snap_addr_q : coef_addr_i;
  lathe_glide_step #(.Width(CoefBits), .Signed(1'b1)) u_glide0 (
    .value_i (coef0_o),
    .target_i(target0_q),
    .next_o  (glided0)
  );
  lathe_glide_step #(.Width(CoefBits), .Signed(1'b1)) u_glide1 (
    .value_i (coef1_o),
    .target_i(target1_q),
    .next_o  (glided1)
  );
  // Writes of the values in use, both channels at the word just read: the clear's walk
  // (the target), a use's glide step. They never coincide: the walk runs with no frame in
  // flight.
  logic                       cur_we;
  logic signed [CoefBits-1:0] cur_wdata0, cur_wdata1;
  assign cur_we     = snap_write_q || coef_use_i;
  assign cur_wdata0 = snap_write_q ? target0_q : glided0;
  assign cur_wdata1 = snap_write_q ? target1_q : glided1;
  always_ff @(posedge clk_i) begin
    if (data_valid_q && data_addr_q >= AddrEqBase && !data_addr_q[0]) coef_low_q <= read_data_q;
    if (coef_write && coef_index < Ch1First) target_ram0_q[{~bank_q, AddrBits'(coef_index)}] <= coef_word;
    if (coef_write && coef_index >= Ch1First) target_ram1_q[{~bank_q, AddrBits'(coef_index - Ch1First)}] <= coef_word;
    if (cur_we) coef_ram0_q[coef_used_addr_q] <= cur_wdata0;
    if (cur_we) coef_ram1_q[coef_used_addr_q] <= cur_wdata1;
    coef0_o   <= coef_ram0_q[coef_raddr];
    coef1_o   <= coef_ram1_q[coef_raddr];
    target0_q <= target_ram0_q[{bank_q, coef_raddr}];
    target1_q <= target_ram1_q[{bank_q, coef_raddr}];
    coef_used_addr_q <= coef_raddr;
  end

  // The high word's upper bits only repeat the sign.
  logic unused_high;
  assign unused_high = ^read_data_q[31:CoefBits-32];
endmodule
