// SPDX-License-Identifier: MIT
// Live mode's audio path: frames from the codec's ADC (I2S receiver) across to the core
// clock, and the chain's output back across and out to the codec's DAC (I2S transmitter)
// in a fixed LRCLK slot, Delay slots after the slot the frame came in, with counters of
// what went wrong (docs/rtl.md, "Live mode").
//
// Fixed latency. The bit-clock domain numbers the bus frames (slot_q, counted at each
// frame start the receiver sees); a received frame carries the number of the frame it
// came in (its tag) to the core and back. At the transmitter's take for bus frame m + 1
// (the last BCLK of frame m) it wants the frame tagged m + 1 - Delay: a frame back with
// that tag goes out, one with an older tag came too late and is discarded (late), and if
// none is there the slot is silence (underrun). So the round trip is Delay frames plus the
// chain's own latency whatever the core clock does, and a frame that misses its slot is
// dropped rather than shifting every later frame. The chain gets one frame per frame
// start (silence for one the receiver dropped), so its own latency, counted in frames,
// stays in step with the bus across glitches and clock stops. Delay = 2 leaves the core the rest of
// the frame the received frame arrives in: it is decoded one BCLK into frame k + 1 and must
// be back by its last BCLK, about 60 BCLK, so the core clock must be at least 4x BCLK
// (the chain's 229 cycles and the crossings in 60 BCLK = 256 fs: 12.3 MHz at 48 kHz,
// 24.6 MHz at 96 kHz).
//
// Clocks. The serial side runs on BCLK: the codec's (codec is master) or made here from
// MCLK (clock_master_i; a board uses a BUFGMUX for the choice). The controls are
// quasi-static: they change only while the audio side is held in reset, which it is while
// live mode is off and for 255 core clocks after a write that changes live_ctrl (restart_i: longer
// than a frame takes through the chain, so no frame from before comes back after); the
// resets assert asynchronously and are released on each domain's own clock. Crossings:
// the frames both ways through lathe_async_fifo, the events through lathe_pulse_sync
// (`// CDC:`), the reset releases through lathe_sync_2ff.
module lathe_live #(
  parameter int unsigned Delay = 2  // LRCLK slots from a frame's slot in to its slot out
) (
  // Core domain.
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               enable_i,
  input  logic               clock_master_i,
  input  logic               left_justified_i,
  input  logic [1:0]         mclk_div_i,  // MCLK / BCLK = 2, 4, 8 for 0, 1, 2
  input  logic               restart_i,   // live_ctrl was changed: the audio side starts over
  // Received frames to the chain, each with the bus frame it came in.
  output logic               in_valid_o,
  input  logic               in_ready_i,
  output logic [47:0]        in_data_o,   // {right, left}
  output logic [7:0]         in_tag_o,
  // The chain's output of those frames, with their tags: always taken (dropped and
  // counted when the way back is full, so the chain never waits on a stopped codec).
  input  logic               back_valid_i,
  input  logic [47:0]        back_data_i,
  input  logic [7:0]         back_tag_i,
  // Status, core domain (cleared when live mode starts).
  output logic               running_o,
  output logic [31:0]        frames_o,
  output logic [31:0]        rx_errors_o,
  output logic [31:0]        underruns_o,
  output logic [31:0]        late_o,
  output logic [31:0]        overruns_o,
  output logic [31:0]        clock_stops_o,
  // Codec pins.
  input  logic               mclk_i,
  input  logic               bclk_i,   // codec is master
  input  logic               lrclk_i,
  output logic               bclk_o,   // FPGA is master: the board drives the pins
  output logic               lrclk_o,
  input  logic               adc_i,
  output logic               dac_o
);
  localparam int unsigned StopCycles = lathe_regs_pkg::LiveStopCycles;
  localparam logic [7:0] DelayTag = 8'(Delay);

  // ---------------------------------------------------------------- core domain: run/reset
  logic [7:0] hold_q, hold_d;
  logic       run_q, run_d;  // low: the audio side held in reset

  always_comb begin
    hold_d = restart_i ? 8'hff : (hold_q != '0 ? hold_q - 8'd1 : hold_q);
    run_d  = enable_i && !restart_i && hold_q == '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hold_q <= '0;
      run_q  <= 1'b0;
    end else begin
      hold_q <= hold_d;
      run_q  <= run_d;
    end
  end

  // ---------------------------------------------------------------- audio clocks
  logic mrst_n, brst_n, gen_bclk, gen_lrclk, bclk, lrclk;

  // CDC: run_q asserts the MCLK domain's reset at once; its release is synchronised.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_mrst_sync (
    .clk_i (mclk_i),
    .rst_ni(run_q),
    .d_i   (1'b1),
    .q_o   (mrst_n)
  );

  lathe_i2s_clockgen u_clockgen (
    .clk_i     (mclk_i),
    .rst_ni    (mrst_n),
    .en_i      (clock_master_i),  // quasi-static (above)
    .format_i  (left_justified_i),
    .div_log2_i(mclk_div_i + 2'd1),
    .bclk_o    (gen_bclk),
    .lrclk_o   (gen_lrclk)
  );

  assign bclk    = clock_master_i ? gen_bclk : bclk_i;
  assign lrclk   = clock_master_i ? gen_lrclk : lrclk_i;
  assign bclk_o  = gen_bclk;
  assign lrclk_o = gen_lrclk;

  // CDC: run_q asserts the BCLK domain's reset at once; its release is synchronised.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_brst_sync (
    .clk_i (bclk),
    .rst_ni(run_q),
    .d_i   (1'b1),
    .q_o   (brst_n)
  );

  // ---------------------------------------------------------------- BCLK domain: receive
  logic               rx_valid, rx_start, rx_error, unused_rx_locked;
  logic signed [23:0] rx_left, rx_right;
  logic [15:0]        unused_rx_error_count;
  logic [7:0]         slot_q, slot_d;  // the bus frame now
  logic               a_ready, rx_overrun;

  lathe_i2s_rx u_rx (
    .bclk_i            (bclk),
    .rst_ni            (brst_n),
    .lrclk_i           (lrclk),
    .sdata_i           (adc_i),
    .format_i          (left_justified_i),
    .frame_valid_o     (rx_valid),
    .frame_left_o      (rx_left),
    .frame_right_o     (rx_right),
    .frame_start_o     (rx_start),
    .locked_o          (unused_rx_locked),
    .slot_error_o      (rx_error),
    .slot_error_count_o(unused_rx_error_count)
  );

  // One frame to the chain per frame start, so that the chain's count of frames is the
  // bus's and the latency stays the same across a glitch or a stopped clock: the frame
  // that just ended, or silence in place of one the receiver dropped (counted as its slot
  // errors). The receiver marks a frame at the same BCLK as the start of the next, so
  // slot_q is still the frame it came in.
  logic [47:0] a_frame;
  assign a_frame    = rx_valid ? {rx_right, rx_left} : 48'd0;
  assign slot_d     = slot_q + 8'(rx_start);
  assign rx_overrun = rx_start && !a_ready;

  always_ff @(posedge bclk or negedge brst_n) begin
    if (!brst_n) slot_q <= '0;
    else slot_q <= slot_d;
  end

  logic [$clog2(8):0] unused_a_wdepth, unused_a_rdepth, unused_b_wdepth, unused_b_rdepth;
  logic [55:0]        a_rdata;

  // CDC: received frames into the core domain.
  lathe_async_fifo #(
    .Width(56),
    .Depth(8)
  ) u_to_core (
    .wclk_i  (bclk),
    .wrst_ni (brst_n),
    .wvalid_i(rx_start),
    .wready_o(a_ready),
    .wdata_i ({slot_q, a_frame}),
    .wdepth_o(unused_a_wdepth),
    .rclk_i  (clk_i),
    .rrst_ni (rst_ni),
    .rvalid_o(in_valid_o),
    .rready_i(in_ready_i),
    .rdata_o (a_rdata),
    .rdepth_o(unused_a_rdepth)
  );
  assign in_data_o = a_rdata[47:0];
  assign in_tag_o  = a_rdata[55:48];

  // ---------------------------------------------------------------- back to BCLK: transmit
  logic        b_wvalid, b_wready, b_rvalid, b_rready, back_overrun;
  logic [55:0] b_rdata;

  // Frames from before a restart are not wanted (they were tagged in the old count).
  assign b_wvalid     = back_valid_i && run_q;
  assign back_overrun = b_wvalid && !b_wready;

  // CDC: the chain's output into the BCLK domain.
  lathe_async_fifo #(
    .Width(56),
    .Depth(8)
  ) u_to_codec (
    .wclk_i  (clk_i),
    .wrst_ni (rst_ni),
    .wvalid_i(b_wvalid),
    .wready_o(b_wready),
    .wdata_i ({back_tag_i, back_data_i}),
    .wdepth_o(unused_b_wdepth),
    .rclk_i  (bclk),
    .rrst_ni (brst_n),
    .rvalid_o(b_rvalid),
    .rready_i(b_rready),
    .rdata_o (b_rdata),
    .rdepth_o(unused_b_rdepth)
  );

  logic       tx_take, tx_slip, take, on_time, stale, underrun, late, unused_tx_locked;
  logic [7:0] wanted, ahead;
  logic [15:0] unused_tx_underruns, unused_tx_slips;
  logic       sent_q, sent_d;  // a frame has gone out: underruns count from then on

  // A take at a slip is no take. An LRCLK edge at the transmitter's take edge (a clock
  // restart or a glitch at the frame's BCLK 63) says its count was wrong: that edge is the
  // first BCLK of a new frame, and the transmitter drops what it would take there. So the
  // frame due is not dequeued (it would be lost without a count): the frame start moves
  // `wanted` past it one BCLK later, and it is discarded and counted late, as when a stop
  // in the right slot takes the take edge away. Nor does the slip count an underrun: the
  // frame due is counted late when it is there or whenever it comes.
  assign take = tx_take && !tx_slip;

  // At the take for frame slot_q + 1 the frame for it is the one tagged slot_q + 1 - Delay;
  // between takes the same tag is the next one due. Tags compare modulo 256. A frame is
  // back one frame after its own at the earliest, so it can be due up to Delay - 2 takes
  // ahead; one further ahead cannot be (a count from before a restart) and is discarded
  // too, so that nothing blocks the head.
  assign wanted   = slot_q + 8'd1 - DelayTag;
  assign ahead    = b_rdata[55:48] - wanted;   // 0: due now; 128..255: too late
  assign on_time  = b_rvalid && ahead == 8'd0;
  assign stale    = b_rvalid && (ahead[7] || ahead > DelayTag - 8'd2);
  assign b_rready = stale || (take && on_time);
  assign late     = stale;
  assign underrun = take && !on_time && sent_q;
  assign sent_d   = sent_q || (take && on_time);

  always_ff @(posedge bclk or negedge brst_n) begin
    if (!brst_n) sent_q <= 1'b0;
    else sent_q <= sent_d;
  end

  lathe_i2s_tx u_tx (
    .bclk_i          (bclk),
    .rst_ni          (brst_n),
    .lrclk_i         (lrclk),
    .format_i        (left_justified_i),
    .frame_valid_i   (on_time),
    .frame_left_i    (b_rdata[23:0]),
    .frame_right_i   (b_rdata[47:24]),
    .take_o          (tx_take),
    .slip_o          (tx_slip),
    .sdata_o         (dac_o),
    .locked_o        (unused_tx_locked),
    .underrun_count_o(unused_tx_underruns),
    .slip_count_o    (unused_tx_slips)
  );

  // ---------------------------------------------------------------- events into the core domain
  logic ev_rx_error, ev_rx_overrun, ev_underrun, ev_late;

  lathe_pulse_sync u_ev_rx_error (
    .src_clk_i  (bclk),
    .src_rst_ni (brst_n),
    .src_pulse_i(rx_error),
    .dst_clk_i  (clk_i),
    .dst_rst_ni (rst_ni),
    .dst_pulse_o(ev_rx_error)
  );
  lathe_pulse_sync u_ev_rx_overrun (
    .src_clk_i  (bclk),
    .src_rst_ni (brst_n),
    .src_pulse_i(rx_overrun),
    .dst_clk_i  (clk_i),
    .dst_rst_ni (rst_ni),
    .dst_pulse_o(ev_rx_overrun)
  );
  lathe_pulse_sync u_ev_underrun (
    .src_clk_i  (bclk),
    .src_rst_ni (brst_n),
    .src_pulse_i(underrun),
    .dst_clk_i  (clk_i),
    .dst_rst_ni (rst_ni),
    .dst_pulse_o(ev_underrun)
  );
  lathe_pulse_sync u_ev_late (
    .src_clk_i  (bclk),
    .src_rst_ni (brst_n),
    .src_pulse_i(late),
    .dst_clk_i  (clk_i),
    .dst_rst_ni (rst_ni),
    .dst_pulse_o(ev_late)
  );

  // ---------------------------------------------------------------- core domain: counters
  logic [31:0] frames_q, frames_d, rx_errors_q, rx_errors_d, underruns_q, underruns_d;
  logic [31:0] late_q, late_d, overruns_q, overruns_d, stops_q, stops_d;
  logic [$clog2(StopCycles):0] idle_q, idle_d;  // core clocks since the last frame
  logic        running_q, running_d;
  logic        take_in;

  assign take_in = in_valid_o && in_ready_i;

  always_comb begin
    frames_d    = frames_q + 32'(take_in);
    rx_errors_d = rx_errors_q + 32'(ev_rx_error);
    underruns_d = underruns_q + 32'(ev_underrun);
    late_d      = late_q + 32'(ev_late);
    overruns_d  = overruns_q + 32'(ev_rx_overrun) + 32'(back_overrun);
    stops_d     = stops_q;
    idle_d      = idle_q;
    running_d   = running_q;
    if (take_in) begin
      idle_d    = '0;
      running_d = 1'b1;
    end else if (idle_q != ($clog2(StopCycles)+1)'(StopCycles)) begin
      idle_d = idle_q + 1'b1;
    end else if (running_q) begin
      running_d = 1'b0;  // no frame for StopCycles: the audio clock stopped
      stops_d   = stops_q + 32'd1;
    end
    if (!run_q) begin
      frames_d    = '0;
      rx_errors_d = '0;
      underruns_d = '0;
      late_d      = '0;
      overruns_d  = '0;
      stops_d     = '0;
      idle_d      = '0;
      running_d   = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      frames_q    <= '0;
      rx_errors_q <= '0;
      underruns_q <= '0;
      late_q      <= '0;
      overruns_q  <= '0;
      stops_q     <= '0;
      idle_q      <= '0;
      running_q   <= 1'b0;
    end else begin
      frames_q    <= frames_d;
      rx_errors_q <= rx_errors_d;
      underruns_q <= underruns_d;
      late_q      <= late_d;
      overruns_q  <= overruns_d;
      stops_q     <= stops_d;
      idle_q      <= idle_d;
      running_q   <= running_d;
    end
  end

  assign running_o     = running_q;
  assign frames_o      = frames_q;
  assign rx_errors_o   = rx_errors_q;
  assign underruns_o   = underruns_q;
  assign late_o        = late_q;
  assign overruns_o    = overruns_q;
  assign clock_stops_o = stops_q;
endmodule
