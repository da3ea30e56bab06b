// SPDX-License-Identifier: MIT
// The core's command sequencer and register reads: the commands (commit, clear, clear
// meters) run in that order when no frame is in flight, the input is held while they wait,
// and reads return the status word, a meter word or the shadow. lathe_core uses it around
// the chain's stages, and the simulation's model core (sim/rtl/lathe_core_model.sv) around
// the bit-exact model, so both follow the same protocol cycle for cycle.
module lathe_core_ctrl #(
  parameter int unsigned MaxInFlight = 6  // frames between input and output (FIFO depth 8)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // A write to the command register (its bits: lathe_regs_pkg::Cmd*).
  input  logic        command_write_i,
  input  logic [31:0] command_i,
  // The register file (lathe_regfile).
  input  logic        regfile_ready_i,
  input  logic        regfile_copied_i,
  input  logic        regfile_busy_i,
  input  logic        configured_i,
  output logic        commit_start_o,  // the copy into the second bank starts
  output logic        commit_swap_o,   // the banks swap (no frame in flight)
  output logic        stage_clear_o,   // the stages clear (no frame in flight)
  output logic        meters_clear_o,
  // Frames: the first stage can take one (stage_ready_i); a frame enters (in_valid_i &&
  // in_ready_o) and leaves the core (out_fire_i).
  input  logic        stage_ready_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic        in_fire_o,
  input  logic        out_fire_i,
  // Reads: data the cycle after the address; meter_data_i is the meter word of the
  // previous cycle's address, shadow_rdata_i the shadow's.
  input  logic [7:0]  reg_addr_i,
  input  logic [31:0] meter_data_i,
  input  logic [31:0] shadow_rdata_i,
  output logic [31:0] reg_rdata_o
);
  localparam logic [7:0] AddrStatus = lathe_regs_pkg::AddrStatus;
  localparam logic [7:0] AddrMeterFirst = lathe_regs_pkg::AddrMeterFirst;
  localparam logic [7:0] AddrMeterLast = lathe_regs_pkg::AddrMeterLast;

  // Pending actions run in order commit, clear, clear meters. A commit's copy starts at
  // once and the frames go on meanwhile (in live mode a frame period can be shorter than
  // the copy); once it is done, audio input waits until no frame is in flight, and the swap
  // takes one cycle. A clear or a meters clear waits for the same, with the input held.
  logic       commit_pending_q, clear_pending_q, meters_pending_q;
  logic       commit_pending_d, clear_pending_d, meters_pending_d;
  logic [3:0] in_flight_q, in_flight_d;
  logic       idle;

  assign idle = (in_flight_q == 4'd0) && !regfile_busy_i;
  always_comb begin
    commit_pending_d = commit_pending_q;
    clear_pending_d  = clear_pending_q;
    meters_pending_d = meters_pending_q;
    commit_start_o = commit_pending_q && regfile_ready_i;
    commit_swap_o  = 1'b0;
    stage_clear_o  = 1'b0;
    meters_clear_o = 1'b0;
    if (idle) begin
      if (commit_pending_q) begin
        if (regfile_copied_i) begin
          commit_swap_o = 1'b1;
          commit_pending_d = 1'b0;
        end
      end else if (clear_pending_q) begin
        stage_clear_o = 1'b1;
        clear_pending_d = 1'b0;
      end else if (meters_pending_q) begin
        meters_clear_o = 1'b1;
        meters_pending_d = 1'b0;
      end
    end
    if (command_write_i) begin
      commit_pending_d = commit_pending_d | command_i[lathe_regs_pkg::CmdCommit];
      clear_pending_d  = clear_pending_d | command_i[lathe_regs_pkg::CmdClear];
      meters_pending_d = meters_pending_d | command_i[lathe_regs_pkg::CmdClearMeters];
    end
    in_flight_d = in_flight_q + 4'(in_fire_o) - 4'(out_fire_i);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      commit_pending_q <= 1'b0;
      clear_pending_q  <= 1'b1;  // stages start from a clear
      meters_pending_q <= 1'b1;
      in_flight_q      <= '0;
    end else begin
      commit_pending_q <= commit_pending_d;
      clear_pending_q  <= clear_pending_d;
      meters_pending_q <= meters_pending_d;
      in_flight_q      <= in_flight_d;
    end
  end

  assign in_ready_o = stage_ready_i && configured_i && !(commit_pending_q && regfile_copied_i) && !clear_pending_q &&
                      !meters_pending_q && !regfile_busy_i && in_flight_q < 4'(MaxInFlight);
  assign in_fire_o = in_valid_i && in_ready_o;

  // Reads answer the cycle after the address: the address and status word of this cycle
  // are registered (the meter word is registered by the caller).
  localparam int unsigned InFlightLsb   = lathe_regs_pkg::StatusFramesInFlightLsb;
  localparam int unsigned InFlightWidth = lathe_regs_pkg::StatusFramesInFlightWidth;
  logic [7:0]  read_addr_q;
  logic [31:0] status_q, status_d;
  always_comb begin
    status_d = '0;
    status_d[lathe_regs_pkg::StatusCommitPending] = commit_pending_q;
    status_d[lathe_regs_pkg::StatusClearPending]  = clear_pending_q;
    status_d[lathe_regs_pkg::StatusConfigured]    = configured_i;
    status_d[lathe_regs_pkg::StatusMetersPending] = meters_pending_q;
    status_d[InFlightLsb +: InFlightWidth]        = InFlightWidth'(in_flight_q);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      read_addr_q <= '0;
      status_q    <= '0;
    end else begin
      read_addr_q <= reg_addr_i;
      status_q    <= status_d;
    end
  end
  always_comb begin
    if (read_addr_q == AddrStatus) reg_rdata_o = status_q;
    else if (read_addr_q >= AddrMeterFirst && read_addr_q <= AddrMeterLast) reg_rdata_o = meter_data_i;
    else reg_rdata_o = shadow_rdata_i;
  end
endmodule
