// SPDX-License-Identifier: MIT
// The board-independent top: FT232H synchronous FIFO adapter -> deframer -> packet engine
// <-> lathe_core -> output frame FIFO -> framer -> adapter (docs/protocol.md); in live
// mode the core's frames come from the codec and go back to it instead (lathe_live).
//
// Two clocks: the FT245 adapter runs on the FT232H's CLKOUT (ft_clk_i), which stops when
// the host goes away; everything else (packet layer, core, live path) runs on clk_i, the
// board's own clock, so that a live path keeps processing with its last settings when the
// computer stops, and the host can reattach and read its state. The bytes cross between
// the two in lathe_async_fifo (docs/rtl.md, "Clock-domain crossings").
module lathe_top #(
  parameter int unsigned Credit = 512,          // audio input FIFO frames (kInfo)
  parameter logic [31:0] CoreId = 32'h4C41_5448,
  parameter int unsigned LiveDelay = 2          // live mode: LRCLK slots in to out (kInfo)
) (
  input  logic       clk_i,     // the board's clock: packet layer, core, live path
  input  logic       rst_ni,    // asserted asynchronously, released synchronously to clk_i
  input  logic       ft_clk_i,  // the FT232H's CLKOUT: its FIFO pins below
  // Serial audio to the codec (lathe_live): MCLK in from the board; BCLK and LRCLK in
  // (codec is master) or out (live_clock_master_o: the board drives those pins).
  input  logic       mclk_i,
  input  logic       i2s_bclk_i,
  input  logic       i2s_lrclk_i,
  output logic       i2s_bclk_o,
  output logic       i2s_lrclk_o,
  output logic       live_clock_master_o,
  input  logic       i2s_adc_i,
  output logic       i2s_dac_o,
  // Live mode is on and frames arrive from the codec (live_status.running): for a board's
  // LED, and for a simulation to start its programme when the board is listening.
  output logic       live_o,
  // FT232H synchronous 245 FIFO pins, in the ft_clk_i domain.
  input  logic [7:0] data_i,
  output logic [7:0] data_o,
  output logic       data_oe_o,
  input  logic       rxf_ni,
  input  logic       txe_ni,
  output logic       rd_no,
  output logic       wr_no,
  output logic       oe_no,
  output logic       siwu_no
);
  localparam int unsigned ReplyDepth = 2048;
  localparam int unsigned OutDepth = 256;

  // ---------------------------------------------------------------- FIFO pins (ft_clk_i)
  logic       ft_rst_n, ft_rx_valid, ft_rx_ready, ft_tx_valid, ft_tx_ready;
  logic [7:0] ft_rx_data, ft_tx_data;
  logic       rx_valid, rx_ready, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;
  logic [$clog2(16):0] unused_rx_wdepth, unused_rx_rdepth, unused_tx_wdepth, unused_tx_rdepth;

  // CDC: rst_ni asserts the FT domain's reset at once; its release is synchronised.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_ft_rst_sync (
    .clk_i (ft_clk_i),
    .rst_ni(rst_ni),
    .d_i   (1'b1),
    .q_o   (ft_rst_n)
  );

  lathe_ft245_sync u_ft245 (
    .clk_i     (ft_clk_i),
    .rst_ni    (ft_rst_n),
    .data_i    (data_i),
    .data_o    (data_o),
    .data_oe_o (data_oe_o),
    .rxf_ni    (rxf_ni),
    .txe_ni    (txe_ni),
    .rd_no     (rd_no),
    .wr_no     (wr_no),
    .oe_no     (oe_no),
    .siwu_no   (siwu_no),
    .rx_valid_o(ft_rx_valid),
    .rx_ready_i(ft_rx_ready),
    .rx_data_o (ft_rx_data),
    .tx_valid_i(ft_tx_valid),
    .tx_ready_o(ft_tx_ready),
    .tx_data_i (ft_tx_data)
  );

  // CDC: bytes from the host into the board's clock.
  lathe_async_fifo #(
    .Width(8),
    .Depth(16)
  ) u_rx_cdc (
    .wclk_i  (ft_clk_i),
    .wrst_ni (ft_rst_n),
    .wvalid_i(ft_rx_valid),
    .wready_o(ft_rx_ready),
    .wdata_i (ft_rx_data),
    .wdepth_o(unused_rx_wdepth),
    .rclk_i  (clk_i),
    .rrst_ni (rst_ni),
    .rvalid_o(rx_valid),
    .rready_i(rx_ready),
    .rdata_o (rx_data),
    .rdepth_o(unused_rx_rdepth)
  );

  // CDC: bytes to the host into the FT232H's clock. With that clock stopped the FIFO fills
  // and the framer waits; the packet layer drops what does not fit (link counters), and
  // the core and the live path go on.
  lathe_async_fifo #(
    .Width(8),
    .Depth(16)
  ) u_tx_cdc (
    .wclk_i  (clk_i),
    .wrst_ni (rst_ni),
    .wvalid_i(tx_valid),
    .wready_o(tx_ready),
    .wdata_i (tx_data),
    .wdepth_o(unused_tx_wdepth),
    .rclk_i  (ft_clk_i),
    .rrst_ni (ft_rst_n),
    .rvalid_o(ft_tx_valid),
    .rready_i(ft_tx_ready),
    .rdata_o (ft_tx_data),
    .rdepth_o(unused_tx_rdepth)
  );

  // ---------------------------------------------------------------- receive
  logic       pkt_valid, pkt_done, pkt_mod5, pkt_mod6, bad_header;
  logic [1:0] pkt_status, discard;
  logic [7:0] pkt_type, pkt_seq, buf_rdata;
  logic [9:0] pkt_len, buf_raddr;

  lathe_deframer u_deframer (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .in_valid_i    (rx_valid),
    .in_ready_o    (rx_ready),
    .in_data_i     (rx_data),
    .pkt_valid_o   (pkt_valid),
    .pkt_done_i    (pkt_done),
    .pkt_status_o  (pkt_status),
    .pkt_type_o    (pkt_type),
    .pkt_seq_o     (pkt_seq),
    .pkt_len_o     (pkt_len),
    .pkt_len_mod5_o(pkt_mod5),
    .pkt_len_mod6_o(pkt_mod6),
    .buf_raddr_i   (buf_raddr),
    .buf_rdata_o   (buf_rdata),
    .discard_o     (discard),
    .bad_header_o  (bad_header)
  );

  // ---------------------------------------------------------------- packet engine
  logic        reg_we, reg_ready;
  logic [7:0]  reg_addr;
  logic [31:0] reg_wdata, reg_rdata;
  logic        audio_push_valid, audio_push_ready;
  logic [47:0] audio_push_data;
  logic        reply_push, reply_done;
  logic [7:0]  reply_push_data;
  logic [$clog2(ReplyDepth):0] reply_free;

  lathe_packet_engine #(
    .Credit       (Credit),
    .CoreId       (CoreId),
    .LiveDelay    (LiveDelay),
    .ReplyFreeBits($clog2(ReplyDepth) + 1)
  ) u_engine (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .pkt_valid_i   (pkt_valid),
    .pkt_done_o    (pkt_done),
    .pkt_status_i  (pkt_status),
    .pkt_type_i    (pkt_type),
    .pkt_seq_i     (pkt_seq),
    .pkt_len_i     (pkt_len),
    .pkt_len_mod5_i(pkt_mod5),
    .pkt_len_mod6_i(pkt_mod6),
    .buf_raddr_o   (buf_raddr),
    .buf_rdata_i   (buf_rdata),
    .discard_i     (discard),
    .bad_header_i  (bad_header),
    .reg_we_o      (reg_we),
    .reg_addr_o    (reg_addr),
    .reg_wdata_o   (reg_wdata),
    .reg_rdata_i   (reg_rdata),
    .reg_ready_i   (reg_ready),
    .audio_valid_o (audio_push_valid),
    .audio_ready_i (audio_push_ready),
    .audio_data_o  (audio_push_data),
    .reply_valid_o (reply_push),
    .reply_data_o  (reply_push_data),
    .reply_free_i  (reply_free),
    .reply_done_o  (reply_done)
  );

  // ---------------------------------------------------------------- audio in -> core -> out
  logic        ain_valid, ain_ready;
  logic [47:0] ain_data;
  logic [$clog2(Credit):0] ain_level, unused_ain_free;
  logic        core_out_valid, core_out_ready;
  logic signed [23:0] core_out_left, core_out_right;

  // Credit - 1 in the RAM plus the output register: Credit frames.
  lathe_sync_fifo #(
    .Width(48),
    .Depth(Credit)
  ) u_audio_in (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (audio_push_valid),
    .in_ready_o (audio_push_ready),
    .in_data_i  (audio_push_data),
    .out_valid_o(ain_valid),
    .out_ready_i(ain_ready),
    .out_data_o (ain_data),
    .level_o    (ain_level),
    .free_o     (unused_ain_free)
  );

  // ---------------------------------------------------------------- registers of the top
  // live_ctrl and the live group are answered here; every other address is the core's.
  localparam logic [7:0] AddrLiveCtrl = lathe_regs_pkg::AddrLiveCtrl;
  localparam logic [7:0] AddrLiveFirst = lathe_regs_pkg::AddrLiveFirst, AddrLiveLast = lathe_regs_pkg::AddrLiveLast;
  logic        top_addr, top_sel_q, top_sel_d, live_write, live_restart;
  logic [31:0] live_ctrl_q, live_ctrl_d, top_rdata_q, top_rdata_d, core_rdata;
  logic        core_reg_ready;
  logic        live_running;
  logic [31:0] live_frames, live_rx_errors, live_underruns, live_late, live_overruns, live_stops;

  assign top_addr    = reg_addr == AddrLiveCtrl || (reg_addr >= AddrLiveFirst && reg_addr <= AddrLiveLast);
  assign live_write  = reg_we && reg_addr == AddrLiveCtrl;
  // The audio side starts over when a write changes how it runs; the monitor bit alone
  // does not touch it, so a host that stops (or starts) listening makes no click.
  localparam logic [31:0] MonitorMask = 32'd1 << lathe_regs_pkg::LiveCtrlMonitor;
  assign live_restart = live_write && ((reg_wdata ^ live_ctrl_q) & ~MonitorMask) != '0;
  assign reg_ready   = top_addr ? 1'b1 : core_reg_ready;
  assign reg_rdata   = top_sel_q ? top_rdata_q : core_rdata;
  assign live_ctrl_d = live_write ? reg_wdata : live_ctrl_q;
  assign top_sel_d   = top_addr;

  always_comb begin
    unique case (reg_addr)
      AddrLiveCtrl:                          top_rdata_d = live_ctrl_q;
      lathe_regs_pkg::AddrLiveStatus:        top_rdata_d = {31'd0, live_running};
      lathe_regs_pkg::AddrLiveFrames:        top_rdata_d = live_frames;
      lathe_regs_pkg::AddrLiveRxErrors:      top_rdata_d = live_rx_errors;
      lathe_regs_pkg::AddrLiveUnderruns:     top_rdata_d = live_underruns;
      lathe_regs_pkg::AddrLiveLate:          top_rdata_d = live_late;
      lathe_regs_pkg::AddrLiveOverruns:      top_rdata_d = live_overruns;
      lathe_regs_pkg::AddrLiveClockStops:    top_rdata_d = live_stops;
      default:                               top_rdata_d = '0;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      live_ctrl_q <= '0;
      top_sel_q   <= 1'b0;
      top_rdata_q <= '0;
    end else begin
      live_ctrl_q <= live_ctrl_d;
      top_sel_q   <= top_sel_d;
      top_rdata_q <= top_rdata_d;
    end
  end

  // ---------------------------------------------------------------- live path
  logic               live_en, live_in_valid, live_in_ready, live_back_valid;
  logic [47:0]        live_in_data;
  logic [7:0]         live_in_tag;
  logic [31:0]        unused_live_ctrl;
  logic               core_out16;
  logic [47:0]        live_back_data;
  logic               route_valid, route_live, unused_route_ready;
  logic [7:0]         route_tag;

  assign live_en          = live_ctrl_q[lathe_regs_pkg::LiveCtrlEnable];
  assign unused_live_ctrl = live_ctrl_q;

  lathe_live #(
    .Delay(LiveDelay)
  ) u_live (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .enable_i        (live_en),
    .clock_master_i  (live_ctrl_q[lathe_regs_pkg::LiveCtrlClockMaster]),
    .left_justified_i(live_ctrl_q[lathe_regs_pkg::LiveCtrlLeftJustified]),
    .mclk_div_i      (live_ctrl_q[lathe_regs_pkg::LiveCtrlMclkDivLsb +: 2]),
    .restart_i       (live_restart),
    .in_valid_o      (live_in_valid),
    .in_ready_i      (live_in_ready),
    .in_data_o       (live_in_data),
    .in_tag_o        (live_in_tag),
    .back_valid_i    (live_back_valid),
    .back_data_i     (live_back_data),
    .back_tag_i      (route_tag),
    .running_o       (live_running),
    .frames_o        (live_frames),
    .rx_errors_o     (live_rx_errors),
    .underruns_o     (live_underruns),
    .late_o          (live_late),
    .overruns_o      (live_overruns),
    .clock_stops_o   (live_stops),
    .mclk_i          (mclk_i),
    .bclk_i          (i2s_bclk_i),
    .lrclk_i         (i2s_lrclk_i),
    .bclk_o          (i2s_bclk_o),
    .lrclk_o         (i2s_lrclk_o),
    .adc_i           (i2s_adc_i),
    .dac_o           (i2s_dac_o)
  );
  assign live_clock_master_o = live_en && live_ctrl_q[lathe_regs_pkg::LiveCtrlClockMaster];
  assign live_o              = live_running;
  // A 16-bit output word goes to the DAC at the top of its 24-bit slot, at its level.
  assign live_back_data = core_out16 ? {core_out_right[15:0], 8'd0, core_out_left[15:0], 8'd0}
                                     : {core_out_right, core_out_left};

  // ---------------------------------------------------------------- the core's input and output
  // Live mode: the core's frames come from lathe_live and the host's kAudioIn frames are
  // dropped (taken from their FIFO unread). Each frame that enters the core leaves a note
  // of where it came from (live or file, and the live tag), read when it leaves: the core
  // is in order, one frame out per frame in, so a mode switch with frames in flight sends
  // each where it belongs.
  logic               core_in_valid, core_in_ready, core_in_take, core_out_take;
  logic signed [23:0] core_in_left, core_in_right;
  logic [8:0]         route_data;
  logic [$clog2(8):0] unused_route_level, unused_route_free;
  logic               file_out_valid, file_out_ready, monitor_valid;

  assign core_in_valid = live_en ? live_in_valid : ain_valid;
  assign core_in_left  = live_en ? live_in_data[23:0] : ain_data[23:0];
  assign core_in_right = live_en ? live_in_data[47:24] : ain_data[47:24];
  assign live_in_ready = live_en && core_in_ready;
  assign ain_ready     = live_en ? 1'b1 : core_in_ready;
  assign core_in_take  = core_in_valid && core_in_ready;

  lathe_sync_fifo #(
    .Width(9),
    .Depth(8)  // more than the core's frames in flight (MaxInFlight 6)
  ) u_route (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (core_in_take),
    .in_ready_o (unused_route_ready),
    .in_data_i  ({live_en, live_in_tag}),
    .out_valid_o(route_valid),
    .out_ready_i(core_out_take),
    .out_data_o (route_data),
    .level_o    (unused_route_level),
    .free_o     (unused_route_free)
  );
  assign route_live      = route_valid && route_data[8];
  assign route_tag       = route_data[7:0];
  assign core_out_ready  = route_live ? 1'b1 : file_out_ready;
  assign core_out_take   = core_out_valid && core_out_ready;
  assign live_back_valid = core_out_valid && route_live;
  assign file_out_valid  = core_out_valid && !route_live;
  // The monitor stream: a live frame also goes to the host, in the file path's output FIFO
  // and kAudioOut packets, when there is room; when there is none (no host reading, its
  // clock stopped) it is dropped. The live path never waits for the host.
  assign monitor_valid   = live_back_valid && live_ctrl_q[lathe_regs_pkg::LiveCtrlMonitor];

  lathe_core u_core (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .reg_we_i   (reg_we && !top_addr),
    .reg_addr_i (reg_addr),
    .reg_wdata_i(reg_wdata),
    .reg_rdata_o(core_rdata),
    .reg_ready_o(core_reg_ready),
    .in_valid_i (core_in_valid),
    .in_ready_o (core_in_ready),
    .in_left_i  (core_in_left),
    .in_right_i (core_in_right),
    .out_valid_o(core_out_valid),
    .out_ready_i(core_out_ready),
    .out_left_o (core_out_left),
    .out_right_o(core_out_right),
    .out16_o    (core_out16)
  );

  // File frames inside the core: the framer sends a short packet only when none is coming.
  logic [7:0] in_core_q, in_core_d;
  always_comb begin
    in_core_d = in_core_q + 8'(core_in_take && !live_en) - 8'(core_out_take && !route_live);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) in_core_q <= '0;
    else in_core_q <= in_core_d;
  end

  logic        aout_valid, aout_ready;
  logic [47:0] aout_data;
  logic [$clog2(OutDepth):0] aout_level, unused_aout_free;
  logic [$clog2(OutDepth)+1:0] aout_frames;

  lathe_sync_fifo #(
    .Width(48),
    .Depth(OutDepth)
  ) u_audio_out (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (file_out_valid || monitor_valid),
    .in_ready_o (file_out_ready),
    .in_data_i  ({core_out_right, core_out_left}),
    .out_valid_o(aout_valid),
    .out_ready_i(aout_ready),
    .out_data_o (aout_data),
    .level_o    (aout_level),
    .free_o     (unused_aout_free)
  );
  assign aout_frames = {1'b0, aout_level} + {{($clog2(OutDepth)+1){1'b0}}, aout_valid};

  // ---------------------------------------------------------------- replies and transmit
  logic       reply_valid, reply_ready, unused_reply_in_ready;
  logic [7:0] reply_data;
  logic [$clog2(ReplyDepth):0] unused_reply_level;

  lathe_sync_fifo #(
    .Width(8),
    .Depth(ReplyDepth)
  ) u_reply (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (reply_push),
    .in_ready_o (unused_reply_in_ready),  // room is checked before a packet is written
    .in_data_i  (reply_push_data),
    .out_valid_o(reply_valid),
    .out_ready_i(reply_ready),
    .out_data_o (reply_data),
    .level_o    (unused_reply_level),
    .free_o     (reply_free)
  );

  lathe_framer #(
    .MaxFrames(lathe_proto_pkg::MaxFrames),
    .LevelBits($clog2(OutDepth) + 2)
  ) u_framer (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .reply_valid_i(reply_valid),
    .reply_ready_o(reply_ready),
    .reply_data_i (reply_data),
    .reply_done_i (reply_done),
    .frame_valid_i(aout_valid),
    .frame_ready_o(aout_ready),
    .frame_data_i (aout_data),
    .frames_i     (aout_frames),
    .flush_i      (!ain_valid && ain_level == '0 && in_core_q == 8'd0),
    .tx_valid_o   (tx_valid),
    .tx_ready_i   (tx_ready),
    .tx_data_o    (tx_data)
  );
endmodule
