// SPDX-License-Identifier: MIT
// Acts on received packets (docs/protocol.md): register writes and reads over the core's
// register bus (the link counters, lathe_regs_pkg's `link` group, answered here), audio frames into the audio input
// FIFO, kHello; writes whole reply and kError packets into the reply FIFO, or drops and
// counts them when it has no room, so it never waits on the host reading.
module lathe_packet_engine #(
  parameter int unsigned Credit = 512,
  parameter logic [31:0] CoreId = 32'h4C41_5448,  // "LATH"
  parameter int unsigned LiveDelay = 3,          // kInfo live_delay: lathe_top's live path
  parameter int unsigned ReplyFreeBits = 12
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // From the deframer.
  input  logic                     pkt_valid_i,
  output logic                     pkt_done_o,
  input  logic [1:0]               pkt_status_i,
  input  logic [7:0]               pkt_type_i,
  input  logic [7:0]               pkt_seq_i,
  input  logic [9:0]               pkt_len_i,
  input  logic                     pkt_len_mod5_i,
  input  logic                     pkt_len_mod6_i,
  output logic [9:0]               buf_raddr_o,
  input  logic [7:0]               buf_rdata_i,
  input  logic [1:0]               discard_i,
  input  logic                     bad_header_i,
  // Core register bus.
  output logic                     reg_we_o,
  output logic [7:0]               reg_addr_o,
  output logic [31:0]              reg_wdata_o,
  input  logic [31:0]              reg_rdata_i,
  input  logic                     reg_ready_i,
  // Audio input FIFO.
  output logic                     audio_valid_o,
  input  logic                     audio_ready_i,
  output logic [47:0]              audio_data_o,  // {right, left}
  // Reply FIFO (whole packets).
  output logic                     reply_valid_o,
  output logic [7:0]               reply_data_o,
  input  logic [ReplyFreeBits-1:0] reply_free_i,
  output logic                     reply_done_o  // last byte of a packet written
);
  // Packet types and error codes (regmap/lathe.protocol).
  localparam logic [7:0] TypeRegWrite = lathe_proto_pkg::TypeRegWrite, TypeRegRead = lathe_proto_pkg::TypeRegRead;
  localparam logic [7:0] TypeAudioIn = lathe_proto_pkg::TypeAudioIn, TypeHello = lathe_proto_pkg::TypeHello;
  localparam logic [7:0] TypeRegWriteAck = lathe_proto_pkg::TypeRegWriteAck;
  localparam logic [7:0] TypeRegReadReply = lathe_proto_pkg::TypeRegReadReply;
  localparam logic [7:0] TypeInfo = lathe_proto_pkg::TypeInfo, TypeError = lathe_proto_pkg::TypeError;
  localparam logic [7:0] ErrorBadPayloadCrc = lathe_proto_pkg::ErrorBadPayloadCrc;
  localparam logic [7:0] ErrorOversize = lathe_proto_pkg::ErrorOversize;
  localparam logic [7:0] ErrorUnknownType = lathe_proto_pkg::ErrorUnknownType;
  localparam logic [7:0] ErrorMalformed = lathe_proto_pkg::ErrorMalformed;
  localparam logic [7:0] ErrorAudioOverrun = lathe_proto_pkg::ErrorAudioOverrun;
  localparam logic [7:0] ErrorReplyDropped = lathe_proto_pkg::ErrorReplyDropped;
  localparam logic [7:0] ErrorNone = 8'h00;  // no code: the packet was good
  // Reply sizes.
  localparam logic [10:0] FrameBytes = 11'(lathe_proto_pkg::HeaderBytes + lathe_proto_pkg::TrailerBytes);
  localparam logic [9:0]  AckBytes = 10'(lathe_proto_pkg::AckBytes), ErrorBytes = 10'(lathe_proto_pkg::ErrorBytes);
  localparam logic [9:0]  InfoBytes = 10'(lathe_proto_pkg::InfoBytes);
  localparam logic [9:0]  MaxRegItems = 10'(lathe_proto_pkg::MaxRegItems);
  localparam logic [8*lathe_proto_pkg::InfoBytes-1:0] InfoPayload =
      lathe_proto_pkg::info_payload(16'(Credit), CoreId, 8'(LiveDelay));  // byte 0 in bits 7:0
  // Link counters: register AddrLinkFirst + index (regmap/lathe.regs, group link).
  localparam logic [7:0] AddrLinkFirst = lathe_regs_pkg::AddrLinkFirst, AddrLinkLast = lathe_regs_pkg::AddrLinkLast;
  localparam int unsigned NumCnt = lathe_regs_pkg::LinkCount;
  localparam int unsigned CntBits = lathe_regs_pkg::LinkIndexBits;
  localparam int unsigned CntDiscard = lathe_regs_pkg::LinkDiscardedBytesIndex;
  localparam int unsigned CntBadHeader = lathe_regs_pkg::LinkBadHeaderCrcIndex;
  localparam int unsigned CntBadPayload = lathe_regs_pkg::LinkBadPayloadCrcIndex;
  localparam int unsigned CntOversize = lathe_regs_pkg::LinkOversizeIndex;
  localparam int unsigned CntUnknown = lathe_regs_pkg::LinkUnknownTypeIndex;
  localparam int unsigned CntMalformed = lathe_regs_pkg::LinkMalformedIndex;
  localparam int unsigned CntAudioDropped = lathe_regs_pkg::LinkAudioDroppedIndex;
  localparam int unsigned CntRepliesDropped = lathe_regs_pkg::LinkRepliesDroppedIndex;

  typedef enum logic [2:0] {KindAck, KindInfo, KindError, KindReadReply} kind_e;
  typedef enum logic [3:0] {
    StIdle, StWrRead, StWrBus, StAudioRead, StAudioPush, StReply, StHeader, StPayload,
    StRdBuf, StRdAddr, StRdWait, StRdEmit, StCrc0, StCrc1, StDone
  } state_e;
  state_e state_q, state_d;
  kind_e  kind_q, kind_d;

  logic [7:0]   wtype_q, wtype_d, wseq_q, wseq_d;
  logic [9:0]   wlen_q, wlen_d;
  logic [7:0]   err_code_q, err_code_d, err_seq_q, err_seq_d;
  logic [2:0]   hidx_q, hidx_d;
  logic [9:0]   bidx_q, bidx_d;  // payload buffer read index
  logic [3:0]   pidx_q, pidx_d;  // byte within an item / small payload
  logic [7:0]   items_q, items_d;
  logic [47:0]  item_q, item_d;  // bytes of the current item, byte 0 in bits 7:0
  logic         overrun_q, overrun_d;
  logic [7:0]   crc8_q, crc8_d, crc8_next;
  logic [15:0]  crc16_q, crc16_d, crc16_next;
  logic [32*NumCnt-1:0] cnt_q, cnt_d;
  logic [2*NumCnt-1:0]  cnt_inc;  // 2 bits per counter
  logic [7:0]   wbyte;
  logic [7:0]   reg_addr_q, reg_addr_d;
  logic [10:0]  need;
  logic [7:0]   cnt_offset;  // a register read's address from AddrLinkFirst
  logic [CntBits-1:0] cnt_index;

  lathe_crc8 u_crc8 (
    .crc_i (crc8_q),
    .data_i(wbyte),
    .crc_o (crc8_next)
  );
  lathe_crc16 u_crc16 (
    .crc_i (crc16_q),
    .data_i(wbyte),
    .crc_o (crc16_next)
  );

  assign cnt_offset = reg_addr_q - AddrLinkFirst;
  assign cnt_index  = cnt_offset[CntBits-1:0];
  logic unused_cnt_offset;  // only read within the group
  assign unused_cnt_offset = ^cnt_offset[7:CntBits];

  // Reply bytes needed: header and trailer plus the payload.
  assign need = FrameBytes + 11'(wlen_q);

  always_comb begin
    state_d       = state_q;
    kind_d        = kind_q;
    wtype_d       = wtype_q;
    wseq_d        = wseq_q;
    wlen_d        = wlen_q;
    err_code_d    = err_code_q;
    err_seq_d     = err_seq_q;
    hidx_d        = hidx_q;
    bidx_d        = bidx_q;
    pidx_d        = pidx_q;
    items_d       = items_q;
    item_d        = item_q;
    overrun_d     = overrun_q;
    crc8_d        = crc8_q;
    crc16_d       = crc16_q;
    reg_addr_d    = reg_addr_q;
    cnt_inc       = '0;
    wbyte         = 8'h00;
    reply_valid_o = 1'b0;
    reply_done_o  = 1'b0;
    pkt_done_o    = 1'b0;
    buf_raddr_o   = bidx_q;
    reg_we_o      = 1'b0;
    reg_wdata_o   = item_q[39:8];
    audio_valid_o = 1'b0;
    audio_data_o  = item_q;
    cnt_inc[2*CntDiscard +: 2] = discard_i;
    cnt_inc[2*CntBadHeader]    = bad_header_i;

    unique case (state_q)
      StIdle: begin
        bidx_d    = '0;
        pidx_d    = '0;
        items_d   = '0;
        overrun_d = 1'b0;
        wseq_d    = pkt_seq_i;
        err_code_d = ErrorNone;
        if (pkt_valid_i) begin
          state_d = StReply;
          kind_d  = KindError;
          if (pkt_status_i == 2'd2) begin
            cnt_inc[2*CntOversize] = 1'b1;
            err_code_d = ErrorOversize;
          end else if (pkt_status_i != 2'd0) begin
            cnt_inc[2*CntBadPayload] = 1'b1;
            err_code_d = ErrorBadPayloadCrc;
          end else if (pkt_type_i == TypeRegWrite) begin
            if (pkt_len_i == '0 || !pkt_len_mod5_i) err_code_d = ErrorMalformed;
            else state_d = StWrRead;
          end else if (pkt_type_i == TypeRegRead) begin
            if (pkt_len_i == '0 || pkt_len_i > MaxRegItems) begin
              err_code_d = ErrorMalformed;
            end else begin
              kind_d  = KindReadReply;
              wtype_d = TypeRegReadReply;
              wlen_d  = pkt_len_i + {pkt_len_i[7:0], 2'b00};  // 5 bytes per address (len <= MaxRegItems)
            end
          end else if (pkt_type_i == TypeAudioIn) begin
            if (pkt_len_i == '0 || !pkt_len_mod6_i) err_code_d = ErrorMalformed;
            else state_d = StAudioRead;
          end else if (pkt_type_i == TypeHello) begin
            if (pkt_len_i != '0) begin
              err_code_d = ErrorMalformed;
            end else begin
              kind_d  = KindInfo;
              wtype_d = TypeInfo;
              wlen_d  = InfoBytes;
            end
          end else begin
            cnt_inc[2*CntUnknown] = 1'b1;
            err_code_d = ErrorUnknownType;
          end
          if (err_code_d == ErrorMalformed) cnt_inc[2*CntMalformed] = 1'b1;
          if (err_code_d != ErrorNone) begin
            wtype_d = TypeError;
            wseq_d  = err_seq_q;
            wlen_d  = ErrorBytes;
          end
        end
      end

      // Register write: fetch 5 bytes, then write over the bus.
      StWrRead: begin
        buf_raddr_o = bidx_q;
        if (pidx_q != 4'd0) item_d = {buf_rdata_i, item_q[47:8]};
        if (pidx_q == 4'd5) begin
          state_d = StWrBus;
        end else begin
          bidx_d = bidx_q + 10'd1;
        end
        pidx_d = pidx_q + 4'd1;
      end
      StWrBus: begin
        // item_q[47:8] holds {value, addr} after five shifts: addr in 15:8, value in 47:16.
        reg_we_o    = 1'b1;
        reg_wdata_o = item_q[47:16];
        if (reg_ready_i) begin
          items_d = items_q + 8'd1;
          pidx_d  = '0;
          if (bidx_q == pkt_len_i) begin
            kind_d  = KindAck;
            wtype_d = TypeRegWriteAck;
            wlen_d  = AckBytes;
            state_d = StReply;
          end else begin
            state_d = StWrRead;
          end
        end
      end

      // Audio: fetch 6 bytes, push the frame or drop it when the FIFO is full.
      StAudioRead: begin
        if (pidx_q != 4'd0) item_d = {buf_rdata_i, item_q[47:8]};
        if (pidx_q == 4'd6) begin
          state_d = StAudioPush;
        end else begin
          bidx_d = bidx_q + 10'd1;
        end
        pidx_d = pidx_q + 4'd1;
      end
      StAudioPush: begin
        audio_valid_o = 1'b1;
        pidx_d = '0;
        if (!audio_ready_i) begin
          cnt_inc[2*CntAudioDropped] = 1'b1;
          overrun_d = 1'b1;
        end
        if (bidx_q == pkt_len_i) begin
          if (overrun_d) begin
            kind_d     = KindError;
            err_code_d = ErrorAudioOverrun;
            wtype_d    = TypeError;
            wseq_d     = err_seq_q;
            wlen_d     = ErrorBytes;
            state_d    = StReply;
          end else begin
            state_d = StDone;
          end
        end else begin
          state_d = StAudioRead;
        end
      end

      // Room for the whole reply? Else drop it (and say so, if there is room for that).
      StReply: begin
        hidx_d  = '0;
        pidx_d  = '0;
        bidx_d  = '0;
        crc8_d  = 8'h00;
        crc16_d = 16'hFFFF;
        if (12'(need) <= 12'(reply_free_i)) begin
          state_d = StHeader;
        end else begin
          cnt_inc[2*CntRepliesDropped] = 1'b1;
          if (kind_q != KindError) begin
            kind_d     = KindError;
            err_code_d = ErrorReplyDropped;
            wtype_d    = TypeError;
            wseq_d     = err_seq_q;
            wlen_d     = ErrorBytes;
          end else begin
            state_d = StDone;
          end
        end
      end
      StHeader: begin
        reply_valid_o = 1'b1;
        unique case (hidx_q)
          3'd0: wbyte = lathe_proto_pkg::Sync0;
          3'd1: wbyte = lathe_proto_pkg::Sync1;
          3'd2: wbyte = wtype_q;
          3'd3: wbyte = wseq_q;
          3'd4: wbyte = wlen_q[7:0];
          3'd5: wbyte = {6'd0, wlen_q[9:8]};
          default: wbyte = crc8_q;
        endcase
        if (hidx_q >= 3'd2 && hidx_q <= 3'd5) crc8_d = crc8_next;
        hidx_d = hidx_q + 3'd1;
        if (hidx_q == 3'd6) begin
          if (kind_q == KindError) err_seq_d = err_seq_q + 8'd1;
          state_d = kind_q == KindReadReply ? StRdBuf : StPayload;
        end
      end
      StPayload: begin
        reply_valid_o = 1'b1;
        unique case (kind_q)
          KindAck:   wbyte = items_q;
          KindInfo:  wbyte = InfoPayload[8*pidx_q +: 8];
          default: begin
            unique case (pidx_q[1:0])
              2'd0:    wbyte = err_code_q;
              2'd1:    wbyte = pkt_type_i;
              2'd2:    wbyte = pkt_seq_i;
              default: wbyte = 8'h00;
            endcase
          end
        endcase
        crc16_d = crc16_next;
        pidx_d  = pidx_q + 4'd1;
        if (10'(pidx_q) + 10'd1 == wlen_q) state_d = StCrc0;
      end

      // Register read reply: per address, buffer -> bus address -> data -> 5 bytes.
      StRdBuf: begin
        buf_raddr_o = bidx_q;
        state_d = StRdAddr;
      end
      StRdAddr: begin
        reg_addr_d = buf_rdata_i;
        state_d    = StRdWait;
      end
      StRdWait: begin
        state_d = StRdEmit;  // reg_addr_q is on the bus; data valid next cycle
        pidx_d  = '0;
      end
      StRdEmit: begin
        reply_valid_o = 1'b1;
        if (pidx_q == 4'd0) begin
          wbyte = reg_addr_q;
          if (reg_addr_q >= AddrLinkFirst && reg_addr_q <= AddrLinkLast) item_d[31:0] = cnt_q[32*cnt_index +: 32];
          else item_d[31:0] = reg_rdata_i;
        end else begin
          wbyte = item_q[8*(pidx_q-4'd1) +: 8];
        end
        crc16_d = crc16_next;
        pidx_d  = pidx_q + 4'd1;
        if (pidx_q == 4'd4) begin
          bidx_d  = bidx_q + 10'd1;
          state_d = bidx_q + 10'd1 == pkt_len_i ? StCrc0 : StRdBuf;
        end
      end

      StCrc0: begin
        reply_valid_o = 1'b1;
        wbyte   = crc16_q[7:0];
        state_d = StCrc1;
      end
      StCrc1: begin
        reply_valid_o = 1'b1;
        reply_done_o  = 1'b1;
        wbyte   = crc16_q[15:8];
        // After an acknowledgement of an audio overrun etc. nothing more: done.
        state_d = StDone;
      end
      StDone: begin
        pkt_done_o = 1'b1;
        state_d    = StIdle;
      end
      default: state_d = StIdle;
    endcase

    // Saturating counters.
    cnt_d = cnt_q;
    for (int i = 0; i < NumCnt; i++) begin
      if (cnt_inc[2*i +: 2] != 2'd0) begin
        if (cnt_q[32*i +: 32] >= 32'hFFFF_FFFE) cnt_d[32*i +: 32] = 32'hFFFF_FFFF;
        else cnt_d[32*i +: 32] = cnt_q[32*i +: 32] + 32'(cnt_inc[2*i +: 2]);
      end
    end
  end

  assign reply_data_o = wbyte;
  assign reg_addr_o   = state_q == StWrBus ? item_q[15:8] : reg_addr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      kind_q     <= KindAck;
      wtype_q    <= '0;
      wseq_q     <= '0;
      wlen_q     <= '0;
      err_code_q <= '0;
      err_seq_q  <= '0;
      hidx_q     <= '0;
      bidx_q     <= '0;
      pidx_q     <= '0;
      items_q    <= '0;
      item_q     <= '0;
      overrun_q  <= 1'b0;
      crc8_q     <= '0;
      crc16_q    <= 16'hFFFF;
      cnt_q      <= '0;
      reg_addr_q <= '0;
    end else begin
      state_q    <= state_d;
      kind_q     <= kind_d;
      wtype_q    <= wtype_d;
      wseq_q     <= wseq_d;
      wlen_q     <= wlen_d;
      err_code_q <= err_code_d;
      err_seq_q  <= err_seq_d;
      hidx_q     <= hidx_d;
      bidx_q     <= bidx_d;
      pidx_q     <= pidx_d;
      items_q    <= items_d;
      item_q     <= item_d;
      overrun_q  <= overrun_d;
      crc8_q     <= crc8_d;
      crc16_q    <= crc16_d;
      cnt_q      <= cnt_d;
      reg_addr_q <= reg_addr_d;
    end
  end
endmodule
