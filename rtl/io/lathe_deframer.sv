// SPDX-License-Identifier: MIT
// Packet receiver of docs/protocol.md: hunts the sync word, checks the header CRC, rejects
// oversize lengths at once, stores the payload and checks its CRC, then hands the packet
// (or its failure) to the packet engine and waits until the engine is done with it.
// After a bad header CRC it replays the six bytes after the false Sync0 through the hunt,
// exactly as lathe::protocol::Decoder does, so both count the same discarded bytes.
module lathe_deframer #(
  parameter int unsigned MaxPayload = lathe_proto_pkg::MaxPayload
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Bytes in.
  input  logic       in_valid_i,
  output logic       in_ready_o,
  input  logic [7:0] in_data_i,
  // The packet (or failure) waiting for the engine; held until pkt_done_i.
  output logic       pkt_valid_o,
  input  logic       pkt_done_i,
  output logic [1:0] pkt_status_o,  // 0 good, 1 bad payload CRC, 2 length over MaxPayload
  output logic [7:0] pkt_type_o,
  output logic [7:0] pkt_seq_o,
  output logic [9:0] pkt_len_o,
  output logic       pkt_len_mod5_o,  // payload length is a multiple of 5
  output logic       pkt_len_mod6_o,  // ... of 6
  // Payload buffer read port: data the cycle after the address.
  input  logic [9:0] buf_raddr_i,
  output logic [7:0] buf_rdata_o,
  // Events for the link counters.
  output logic [1:0] discard_o,  // bytes discarded while hunting this cycle
  output logic       bad_header_o
);
  localparam logic [7:0] Sync0 = lathe_proto_pkg::Sync0, Sync1 = lathe_proto_pkg::Sync1;

  typedef enum logic [2:0] {StHunt0, StHunt1, StHeader, StPayload, StCrc0, StCrc1, StPacket} state_e;
  state_e state_q, state_d;

  // Replay queue: bytes after a false sync word, consumed before new input.
  logic [47:0] replay_q, replay_d;
  logic [2:0]  replay_cnt_q, replay_cnt_d;
  logic [31:0] header_q, header_d;  // type, seq, len lo, len hi (byte 0 = type)
  logic [2:0]  hidx_q, hidx_d;
  logic [7:0]  crc8_q, crc8_d, crc8_next;
  logic [15:0] crc16_q, crc16_d, crc16_next;
  logic [9:0]  pidx_q, pidx_d;
  logic [2:0]  mod5_q, mod5_d, mod6_q, mod6_d;
  logic [7:0]  crc_lo_q, crc_lo_d;
  logic [1:0]  status_q, status_d;

  logic        src_valid, take, from_replay;
  logic [7:0]  src;
  logic [15:0] hdr_len;
  logic        buf_we;

  assign from_replay = replay_cnt_q != 3'd0;
  assign src_valid   = from_replay || in_valid_i;
  assign src         = from_replay ? replay_q[7:0] : in_data_i;
  assign take        = src_valid && state_q != StPacket;
  assign in_ready_o  = !from_replay && state_q != StPacket;
  assign hdr_len     = header_q[31:16];

  lathe_crc8 u_crc8 (
    .crc_i (crc8_q),
    .data_i(src),
    .crc_o (crc8_next)
  );
  lathe_crc16 u_crc16 (
    .crc_i (crc16_q),
    .data_i(src),
    .crc_o (crc16_next)
  );

  always_comb begin
    state_d      = state_q;
    replay_d     = replay_q;
    replay_cnt_d = replay_cnt_q;
    header_d     = header_q;
    hidx_d       = hidx_q;
    crc8_d       = crc8_q;
    crc16_d      = crc16_q;
    pidx_d       = pidx_q;
    mod5_d       = mod5_q;
    mod6_d       = mod6_q;
    crc_lo_d     = crc_lo_q;
    status_d     = status_q;
    discard_o    = 2'd0;
    bad_header_o = 1'b0;
    buf_we       = 1'b0;
    if (take && from_replay) begin
      replay_d     = {8'h00, replay_q[47:8]};
      replay_cnt_d = replay_cnt_q - 3'd1;
    end
    unique case (state_q)
      StHunt0: begin
        if (take) begin
          if (src == Sync0) state_d = StHunt1;
          else discard_o = 2'd1;
        end
      end
      StHunt1: begin
        if (take) begin
          if (src == Sync1) begin
            state_d = StHeader;
            hidx_d  = 3'd0;
            crc8_d  = 8'h00;
          end else if (src == Sync0) begin
            discard_o = 2'd1;  // the earlier Sync0
          end else begin
            discard_o = 2'd2;  // the earlier Sync0 and this byte
            state_d   = StHunt0;
          end
        end
      end
      StHeader: begin
        if (take) begin
          hidx_d = hidx_q + 3'd1;
          if (hidx_q != 3'd4) begin
            header_d = {src, header_q[31:8]};
            crc8_d   = crc8_next;
          end else if (src != crc8_q) begin
            // Bad header: drop the Sync0, hunt again from the Sync1 on.
            bad_header_o = 1'b1;
            discard_o    = 2'd1;
            replay_d     = {src, header_q, Sync1};
            replay_cnt_d = 3'd6;
            state_d      = StHunt0;
          end else if (hdr_len > 16'(MaxPayload)) begin
            status_d = 2'd2;
            state_d  = StPacket;
          end else begin
            pidx_d  = '0;
            mod5_d  = '0;
            mod6_d  = '0;
            crc16_d = 16'hFFFF;
            state_d = hdr_len == 16'd0 ? StCrc0 : StPayload;
          end
        end
      end
      StPayload: begin
        if (take) begin
          buf_we  = 1'b1;
          crc16_d = crc16_next;
          pidx_d  = pidx_q + 10'd1;
          mod5_d  = mod5_q == 3'd4 ? 3'd0 : mod5_q + 3'd1;
          mod6_d  = mod6_q == 3'd5 ? 3'd0 : mod6_q + 3'd1;
          if (pidx_q + 10'd1 == hdr_len[9:0]) state_d = StCrc0;
        end
      end
      StCrc0: begin
        if (take) begin
          crc_lo_d = src;
          state_d  = StCrc1;
        end
      end
      StCrc1: begin
        if (take) begin
          status_d = {src, crc_lo_q} == crc16_q ? 2'd0 : 2'd1;
          state_d  = StPacket;
        end
      end
      StPacket: begin
        if (pkt_done_i) state_d = StHunt0;
      end
      default: state_d = StHunt0;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StHunt0;
      replay_q     <= '0;
      replay_cnt_q <= '0;
      header_q     <= '0;
      hidx_q       <= '0;
      crc8_q       <= '0;
      crc16_q      <= 16'hFFFF;
      pidx_q       <= '0;
      mod5_q       <= '0;
      mod6_q       <= '0;
      crc_lo_q     <= '0;
      status_q     <= '0;
    end else begin
      state_q      <= state_d;
      replay_q     <= replay_d;
      replay_cnt_q <= replay_cnt_d;
      header_q     <= header_d;
      hidx_q       <= hidx_d;
      crc8_q       <= crc8_d;
      crc16_q      <= crc16_d;
      pidx_q       <= pidx_d;
      mod5_q       <= mod5_d;
      mod6_q       <= mod6_d;
      crc_lo_q     <= crc_lo_d;
      status_q     <= status_d;
    end
  end

  // Payload buffer (block RAM): MaxPayload bytes, rounded up to the address space.
  localparam int unsigned BufDepth = 1 << $clog2(MaxPayload);
  logic [7:0] buf_mem [BufDepth];
  logic [7:0] buf_rdata_q;
  always_ff @(posedge clk_i) begin
    if (buf_we) buf_mem[pidx_q] <= src;
    buf_rdata_q <= buf_mem[buf_raddr_i];
  end
  assign buf_rdata_o = buf_rdata_q;

  assign pkt_valid_o    = state_q == StPacket;
  assign pkt_status_o   = status_q;
  assign pkt_type_o     = header_q[7:0];
  assign pkt_seq_o      = header_q[15:8];
  assign pkt_len_o      = hdr_len[9:0];
  assign pkt_len_mod5_o = mod5_q == 3'd0;
  assign pkt_len_mod6_o = mod6_q == 3'd0;
endmodule
