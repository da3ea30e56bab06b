// SPDX-License-Identifier: MIT
// The board-independent top: FT232H synchronous FIFO adapter -> deframer -> packet engine
// <-> lathe_core -> output frame FIFO -> framer -> adapter (docs/protocol.md).
//
// One clock: everything runs on the FT232H's 60 MHz CLKOUT; the core needs 46 cycles per
// frame, far below 60 MHz / 192 kHz. A board with a separate DSP clock would put a
// dual-clock FIFO on each side of lathe_core here (audio in, audio out) and a
// synchronised handshake on the register bus.
module lathe_top #(
  parameter int unsigned Credit = 512,          // audio input FIFO frames (kInfo)
  parameter logic [31:0] CoreId = 32'h4C41_5448
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // FT232H synchronous 245 FIFO pins.
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

  // ---------------------------------------------------------------- FIFO pins
  logic       rx_valid, rx_ready, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;

  lathe_ft245_sync u_ft245 (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .data_i    (data_i),
    .data_o    (data_o),
    .data_oe_o (data_oe_o),
    .rxf_ni    (rxf_ni),
    .txe_ni    (txe_ni),
    .rd_no     (rd_no),
    .wr_no     (wr_no),
    .oe_no     (oe_no),
    .siwu_no   (siwu_no),
    .rx_valid_o(rx_valid),
    .rx_ready_i(rx_ready),
    .rx_data_o (rx_data),
    .tx_valid_i(tx_valid),
    .tx_ready_o(tx_ready),
    .tx_data_i (tx_data)
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

  lathe_core u_core (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .reg_we_i   (reg_we),
    .reg_addr_i (reg_addr),
    .reg_wdata_i(reg_wdata),
    .reg_rdata_o(reg_rdata),
    .reg_ready_o(reg_ready),
    .in_valid_i (ain_valid),
    .in_ready_o (ain_ready),
    .in_left_i  (ain_data[23:0]),
    .in_right_i (ain_data[47:24]),
    .out_valid_o(core_out_valid),
    .out_ready_i(core_out_ready),
    .out_left_o (core_out_left),
    .out_right_o(core_out_right)
  );

  // Frames inside the core: the framer sends a short packet only when none is coming.
  logic [7:0] in_core_q, in_core_d;
  always_comb begin
    in_core_d = in_core_q + 8'(ain_valid && ain_ready) - 8'(core_out_valid && core_out_ready);
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
    .in_valid_i (core_out_valid),
    .in_ready_o (core_out_ready),
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
