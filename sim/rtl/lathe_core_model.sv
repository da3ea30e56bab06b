// SPDX-License-Identifier: MIT
// The simulation's model core: a lathe_core with the same ports and the same register
// protocol, cycle for cycle (the real lathe_regfile and lathe_core_ctrl), whose frames go
// through the bit-exact C++ model (sim/core_model_dpi.cpp) instead of the Verilated stages.
// It exists for speed: the Verilated stages cost about 2.6 us a clock, and live mode runs
// 260 clocks a frame (docs/benchmarks.md). Simulation only; never synthesised.
//
// A frame's output is the model's for that frame, LatencyCycles after its input handshake
// (the RTL core's figure through the empty core, docs/rtl.md), and a frame enters at most
// every IntervalCycles (the RTL's slowest stage), so the live path's timing is the board's.
// The meters are the model's: the input peaks as a frame enters, the rest as it leaves (the
// RTL's gain-reduction maxima change between the two, as the frame passes its stage).
/* verilator lint_off DECLFILENAME */  // it stands in for lathe_core
module lathe_core #(
  parameter int unsigned LatencyCycles  = 229,
  parameter int unsigned IntervalCycles = 100
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               reg_we_i,
  input  logic        [7:0]  reg_addr_i,
  input  logic        [31:0] reg_wdata_i,
  output logic        [31:0] reg_rdata_o,
  output logic               reg_ready_o,
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [23:0] in_left_i,
  input  logic signed [23:0] in_right_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [23:0] out_left_o,
  output logic signed [23:0] out_right_o,
  output logic               out16_o
);
  import "DPI-C" function chandle lathe_core_model_new();
  import "DPI-C" function void lathe_core_model_delete(input chandle model);
  import "DPI-C" function void lathe_core_model_restart(input chandle model);
  import "DPI-C" function void lathe_core_model_write(input chandle model, input int unsigned addr,
                                                      input int unsigned data);
  import "DPI-C" function void lathe_core_model_commit(input chandle model);
  import "DPI-C" function void lathe_core_model_swap(input chandle model);
  import "DPI-C" function void lathe_core_model_clear(input chandle model);
  import "DPI-C" function void lathe_core_model_clear_meters(input chandle model);
  import "DPI-C" function void lathe_core_model_frame(input chandle model, input int in_left, input int in_right,
                                                      output int out_left, output int out_right);
  import "DPI-C" function void lathe_core_model_frame_out(input chandle model);
  import "DPI-C" function int unsigned lathe_core_model_meter(input chandle model, input int unsigned index);

  localparam logic [7:0] AddrCommand = lathe_regs_pkg::AddrCommand;
  localparam logic [7:0] AddrMeterFirst = lathe_regs_pkg::AddrMeterFirst;
  localparam int unsigned MaxInFlight = 6;
  localparam int unsigned CoefAddrBits = $clog2(lathe_regs_pkg::EqBands * lathe_regs_pkg::EqCoefs);

  chandle model;
  initial model = lathe_core_model_new();
  final lathe_core_model_delete(model);

  // ---------------------------------------------------------------- configuration
  logic        commit_start, commit_swap, regfile_copied, regfile_busy, configured;
  logic [31:0] shadow_rdata, ctrl;
  logic        command_write, shadow_write;
  assign command_write = reg_we_i && reg_ready_o && reg_addr_i == AddrCommand;
  assign shadow_write  = reg_we_i && reg_ready_o && reg_addr_i != AddrCommand;

  /* verilator lint_off PINCONNECTEMPTY */
  lathe_regfile u_regfile (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .we_i             (reg_we_i && reg_addr_i != AddrCommand),
    .addr_i           (reg_addr_i),
    .wdata_i          (reg_wdata_i),
    .shadow_rdata_o   (shadow_rdata),
    .ready_o          (reg_ready_o),
    .commit_i         (commit_start),
    .copied_o         (regfile_copied),
    .swap_i           (commit_swap),
    .busy_o           (regfile_busy),
    .configured_o     (configured),
    .clear_i          (stage_clear),
    .ctrl_o           (ctrl),
    // The model keeps its own copy of the configuration (the writes below).
    .trim_gain_o      (),
    .comp_threshold_o (),
    .comp_knee_half_o (),
    .comp_knee_coef_o (),
    .comp_slope_o     (),
    .comp_attack_o    (),
    .comp_release_o   (),
    .comp_makeup_o    (),
    .lim_drive_o      (),
    .lim_ceiling_o    (),
    .lim_lookahead_o  (),
    .lim_recip_o      (),
    .lim_hold_blocks_o(),
    .lim_release_o    (),
    .lim_transient_release_o (),
    .lim_sustain_release_o   (),
    .lim_sustain_hold_o      (),
    .lim_guard_ceiling_o     (),
    .dither_seed_o    (),
    .coef_addr_i      (CoefAddrBits'(0)),
    .coef_use_i       (1'b0),
    .coef0_o          (),
    .coef1_o          ()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---------------------------------------------------------------- commands and reads
  logic stage_clear, meters_clear, in_fire, out_fire, stage_ready;
  logic [31:0] meter_data_q;
  lathe_core_ctrl #(.MaxInFlight(MaxInFlight)) u_ctrl (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .command_write_i (command_write),
    .command_i       (reg_wdata_i),
    .regfile_ready_i (reg_ready_o),
    .regfile_copied_i(regfile_copied),
    .regfile_busy_i  (regfile_busy),
    .configured_i    (configured),
    .commit_start_o  (commit_start),
    .commit_swap_o   (commit_swap),
    .stage_clear_o   (stage_clear),
    .meters_clear_o  (meters_clear),
    .stage_ready_i   (stage_ready),
    .in_valid_i      (in_valid_i),
    .in_ready_o      (in_ready_o),
    .in_fire_o       (in_fire),
    .out_fire_i      (out_fire),
    .reg_addr_i      (reg_addr_i),
    .meter_data_i    (meter_data_q),
    .shadow_rdata_i  (shadow_rdata),
    .reg_rdata_o     (reg_rdata_o)
  );

  // ---------------------------------------------------------------- the model
  // Frames in flight with the cycle each may leave; at most MaxInFlight, so 8 entries.
  logic [63:0] cycle_q;
  logic [31:0] gap_q;
  logic [23:0] q_left [8];
  logic [23:0] q_right [8];
  logic [63:0] q_due [8];
  logic [2:0]  q_head, q_tail;
  logic [3:0]  q_count;
  int          out_left, out_right;

  logic [7:0] meter_index;
  assign meter_index = reg_addr_i - AddrMeterFirst;
  assign stage_ready = gap_q == '0;
  assign out_valid_o = q_count != '0 && cycle_q >= q_due[q_head];
  assign out_fire    = out_valid_o && out_ready_i;
  assign out_left_o  = q_left[q_head];
  assign out_right_o = q_right[q_head];
  assign out16_o     = ctrl[lathe_regs_pkg::CtrlOut16];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lathe_core_model_restart(model);
      cycle_q      <= '0;
      gap_q        <= '0;
      q_head       <= '0;
      q_tail       <= '0;
      q_count      <= '0;
      meter_data_q <= '0;
    end else begin
      // The meter word of this cycle's address, before this cycle's frames change them.
      meter_data_q <= lathe_core_model_meter(model, 32'(meter_index));
      cycle_q <= cycle_q + 64'd1;
      // In the order the RTL core sees them: a write, a commit's start, a swap or clear.
      if (shadow_write) lathe_core_model_write(model, 32'(reg_addr_i), reg_wdata_i);
      if (commit_start) lathe_core_model_commit(model);
      if (commit_swap) lathe_core_model_swap(model);
      if (stage_clear) lathe_core_model_clear(model);
      if (meters_clear) lathe_core_model_clear_meters(model);
      if (in_fire) begin
        lathe_core_model_frame(model, 32'(in_left_i), 32'(in_right_i), out_left, out_right);
        q_left[q_tail]  <= out_left[23:0];
        q_right[q_tail] <= out_right[23:0];
        q_due[q_tail]   <= cycle_q + 64'(LatencyCycles);
        q_tail          <= q_tail + 3'd1;
        gap_q           <= IntervalCycles - 1;
      end else if (gap_q != '0) begin
        gap_q <= gap_q - 32'd1;
      end
      if (out_fire) begin
        lathe_core_model_frame_out(model);
        q_head <= q_head + 3'd1;
      end
      q_count <= q_count + 4'(in_fire) - 4'(out_fire);
    end
  end

  logic unused;
  assign unused = ^{ctrl[31:lathe_regs_pkg::CtrlOut16+1], ctrl[lathe_regs_pkg::CtrlOut16-1:0], out_left[31:24],
                    out_right[31:24]};
endmodule
