// SPDX-License-Identifier: MIT
// Board-to-host packet sender: whole reply packets from the reply FIFO, and kAudioOut
// packets of up to MaxFrames frames from the output frame FIFO (sent early, with what is
// there, when no more frames are coming), with the board's own sequence numbers.
module lathe_framer #(
  parameter int unsigned MaxFrames = lathe_proto_pkg::MaxFrames,
  parameter int unsigned LevelBits = 9
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // Reply FIFO head; reply_done_i marks one more whole packet in it.
  input  logic                 reply_valid_i,
  output logic                 reply_ready_o,
  input  logic [7:0]           reply_data_i,
  input  logic                 reply_done_i,
  // Output frames: {right, left}; frames_i counts those available.
  input  logic                 frame_valid_i,
  output logic                 frame_ready_o,
  input  logic [47:0]          frame_data_i,
  input  logic [LevelBits-1:0] frames_i,
  input  logic                 flush_i,  // no frame is on its way: send a short packet
  // Bytes out.
  output logic                 tx_valid_o,
  input  logic                 tx_ready_i,
  output logic [7:0]           tx_data_o
);
  localparam logic [10:0] FrameBytes = 11'(lathe_proto_pkg::HeaderBytes + lathe_proto_pkg::TrailerBytes);

  typedef enum logic [2:0] {StIdle, StReply, StHeader, StPayload, StCrc0, StCrc1} state_e;
  state_e state_q, state_d;

  logic [7:0]  pending_q, pending_d;  // whole reply packets in the reply FIFO
  logic [10:0] ridx_q, ridx_d;       // byte index within a reply packet (up to header + max payload + trailer)
  logic [10:0] rlen_q, rlen_d;       // total reply bytes - 1
  logic [7:0]  seq_q, seq_d;
  logic [7:0]  nframes_q, nframes_d;
  logic [9:0]  plen;
  logic [2:0]  hidx_q, hidx_d;
  logic [2:0]  bidx_q, bidx_d;
  logic [7:0]  fcnt_q, fcnt_d;
  logic [7:0]  crc8_q, crc8_d, crc8_next;
  logic [15:0] crc16_q, crc16_d, crc16_next;
  logic [7:0]  byte_out;
  logic        fire;
  logic        reply_taken;

  lathe_crc8 u_crc8 (
    .crc_i (crc8_q),
    .data_i(byte_out),
    .crc_o (crc8_next)
  );
  lathe_crc16 u_crc16 (
    .crc_i (crc16_q),
    .data_i(byte_out),
    .crc_o (crc16_next)
  );

  assign plen = {1'b0, nframes_q, 1'b0} + {nframes_q, 2'b00};  // 6 bytes per frame, no multiplier
  assign fire = tx_valid_o && tx_ready_i;

  always_comb begin
    state_d       = state_q;
    ridx_d        = ridx_q;
    rlen_d        = rlen_q;
    seq_d         = seq_q;
    nframes_d     = nframes_q;
    hidx_d        = hidx_q;
    bidx_d        = bidx_q;
    fcnt_d        = fcnt_q;
    crc8_d        = crc8_q;
    crc16_d       = crc16_q;
    tx_valid_o    = 1'b0;
    byte_out      = 8'h00;
    reply_ready_o = 1'b0;
    frame_ready_o = 1'b0;
    reply_taken   = 1'b0;

    unique case (state_q)
      StIdle: begin
        ridx_d  = '0;
        hidx_d  = '0;
        bidx_d  = '0;
        fcnt_d  = '0;
        crc8_d  = 8'h00;
        crc16_d = 16'hFFFF;
        if (pending_q != 8'd0) begin
          state_d     = StReply;
          reply_taken = 1'b1;
        end else if (frames_i >= LevelBits'(MaxFrames)) begin
          nframes_d = 8'(MaxFrames);
          state_d   = StHeader;
        end else if (frames_i != '0 && flush_i) begin
          nframes_d = 8'(frames_i);
          state_d   = StHeader;
        end
      end
      StReply: begin
        tx_valid_o    = reply_valid_i;
        byte_out      = reply_data_i;
        reply_ready_o = tx_ready_i;
        if (fire) begin
          ridx_d = ridx_q + 11'd1;
          if (ridx_q == 11'd4) rlen_d = {3'b000, reply_data_i} + FrameBytes - 11'd1;  // header + trailer + N - 1, low part
          if (ridx_q == 11'd5) rlen_d = rlen_q + {1'b0, reply_data_i[1:0], 8'h00};
          if (ridx_q >= 11'd6 && ridx_q == rlen_q) state_d = StIdle;
        end
      end
      StHeader: begin
        tx_valid_o = 1'b1;
        unique case (hidx_q)
          3'd0: byte_out = lathe_proto_pkg::Sync0;
          3'd1: byte_out = lathe_proto_pkg::Sync1;
          3'd2: byte_out = lathe_proto_pkg::TypeAudioOut;
          3'd3: byte_out = seq_q;
          3'd4: byte_out = plen[7:0];
          3'd5: byte_out = {6'd0, plen[9:8]};
          default: byte_out = crc8_q;
        endcase
        if (fire) begin
          if (hidx_q >= 3'd2 && hidx_q <= 3'd5) crc8_d = crc8_next;
          hidx_d = hidx_q + 3'd1;
          if (hidx_q == 3'd6) state_d = StPayload;
        end
      end
      StPayload: begin
        tx_valid_o = frame_valid_i;
        byte_out   = frame_data_i[8*bidx_q +: 8];
        if (fire) begin
          crc16_d = crc16_next;
          bidx_d  = bidx_q == 3'd5 ? 3'd0 : bidx_q + 3'd1;
          if (bidx_q == 3'd5) begin
            frame_ready_o = 1'b1;
            fcnt_d = fcnt_q + 8'd1;
            if (fcnt_q + 8'd1 == nframes_q) state_d = StCrc0;
          end
        end
      end
      StCrc0: begin
        tx_valid_o = 1'b1;
        byte_out   = crc16_q[7:0];
        if (fire) state_d = StCrc1;
      end
      StCrc1: begin
        tx_valid_o = 1'b1;
        byte_out   = crc16_q[15:8];
        if (fire) begin
          seq_d   = seq_q + 8'd1;
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
    pending_d = pending_q + 8'(reply_done_i) - 8'(reply_taken);
  end

  assign tx_data_o = byte_out;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q   <= StIdle;
      pending_q <= '0;
      ridx_q    <= '0;
      rlen_q    <= '0;
      seq_q     <= '0;
      nframes_q <= '0;
      hidx_q    <= '0;
      bidx_q    <= '0;
      fcnt_q    <= '0;
      crc8_q    <= '0;
      crc16_q   <= 16'hFFFF;
    end else begin
      state_q   <= state_d;
      pending_q <= pending_d;
      ridx_q    <= ridx_d;
      rlen_q    <= rlen_d;
      seq_q     <= seq_d;
      nframes_q <= nframes_d;
      hidx_q    <= hidx_d;
      bidx_q    <= bidx_d;
      fcnt_q    <= fcnt_d;
      crc8_q    <= crc8_d;
      crc16_q   <= crc16_d;
    end
  end
endmodule
