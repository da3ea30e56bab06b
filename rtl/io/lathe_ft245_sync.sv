// SPDX-License-Identifier: MIT
// FT232H synchronous 245 FIFO adapter (60 MHz CLKOUT as clk_i): a byte moves host->FPGA on
// each rising edge with RD# (and OE#) low while RXF# is low, FPGA->host on each rising edge
// with WR# low while TXE# is low. The adapter decides every edge from the same registered
// RD#/WR# the chip sees, so no byte is lost or duplicated whatever RXF#/TXE# do.
module lathe_ft245_sync #(
  parameter int unsigned Burst = 64  // bytes per direction before giving the other a turn
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // FT232H pins (the bidirectional data bus split; the board's top adds the tristate).
  input  logic [7:0] data_i,
  output logic [7:0] data_o,
  output logic       data_oe_o,
  input  logic       rxf_ni,
  input  logic       txe_ni,
  output logic       rd_no,
  output logic       wr_no,
  output logic       oe_no,
  output logic       siwu_no,
  // Bytes from the host.
  output logic       rx_valid_o,
  input  logic       rx_ready_i,
  output logic [7:0] rx_data_o,
  // Bytes to the host.
  input  logic       tx_valid_i,
  output logic       tx_ready_o,
  input  logic [7:0] tx_data_i
);
  localparam int unsigned RxDepth = 4;

  typedef enum logic [1:0] {StIdle, StRead, StWrite} state_e;
  state_e state_q, state_d;

  // Receive skid FIFO: room for every byte that can still arrive after RD# goes high.
  logic [7:0] rxbuf_q [RxDepth];
  logic [1:0] rx_wp_q, rx_wp_d, rx_rp_q, rx_rp_d;
  logic [2:0] rx_cnt_q, rx_cnt_d;
  logic       rx_push, rx_pop;

  logic       rd_n_q, rd_n_d, oe_n_q, oe_n_d, wr_n_q, wr_n_d, data_oe_q, data_oe_d;
  logic [7:0] tx_q, tx_d;
  logic       tx_have_q, tx_have_d;
  logic       last_write_q, last_write_d;  // the last turn was a write: reads go first now
  logic [6:0] burst_q, burst_d;
  logic       tx_xfer, tx_wants, rx_wants, burst_done;

  assign rx_push    = !rd_n_q && !oe_n_q && !rxf_ni;
  assign rx_pop     = rx_valid_o && rx_ready_i;
  assign rx_valid_o = rx_cnt_q != 3'd0;
  assign rx_data_o  = rxbuf_q[rx_rp_q];
  assign tx_xfer    = !wr_n_q && !txe_ni;
  assign tx_wants   = (tx_have_q || tx_valid_i) && !txe_ni;
  assign rx_wants   = !rxf_ni;
  assign burst_done = burst_q >= 7'(Burst);

  always_comb begin
    state_d      = state_q;
    rx_wp_d      = rx_wp_q + 2'(rx_push);
    rx_rp_d      = rx_rp_q + 2'(rx_pop);
    rx_cnt_d     = rx_cnt_q + 3'(rx_push) - 3'(rx_pop);
    rd_n_d       = 1'b1;
    oe_n_d       = 1'b1;
    wr_n_d       = 1'b1;
    data_oe_d    = 1'b0;
    tx_d         = tx_q;
    tx_have_d    = tx_have_q && !tx_xfer;
    last_write_d = last_write_q;
    burst_d      = burst_q;
    tx_ready_o   = 1'b0;

    unique case (state_q)
      StIdle: begin
        burst_d = '0;
        // Reads need room for the bytes a RD# pulse may bring in.
        if (rx_wants && rx_cnt_d <= 3'(RxDepth - 2) && (!tx_wants || last_write_q)) begin
          state_d      = StRead;
          oe_n_d       = 1'b0;  // OE# one cycle ahead of RD#
          last_write_d = 1'b0;
        end else if (tx_wants) begin
          state_d      = StWrite;
          data_oe_d    = 1'b1;
          last_write_d = 1'b1;
          if (!tx_have_q) begin
            tx_ready_o = 1'b1;
            tx_d       = tx_data_i;
            tx_have_d  = 1'b1;
          end
          wr_n_d = 1'b0;
        end
      end
      StRead: begin
        if (rx_push && !burst_done) burst_d = burst_q + 7'd1;
        // Stay while bytes come and there is room; leave for a write after a burst.
        if (rxf_ni || rx_cnt_d > 3'(RxDepth - 1) || (tx_wants && burst_done)) begin
          state_d = StIdle;
        end else begin
          oe_n_d = 1'b0;
          rd_n_d = !(rx_cnt_d <= 3'(RxDepth - 1) && !oe_n_q);
        end
      end
      StWrite: begin
        if (tx_xfer && !burst_done) burst_d = burst_q + 7'd1;
        if (!tx_have_d && tx_valid_i) begin
          tx_ready_o = 1'b1;
          tx_d       = tx_data_i;
          tx_have_d  = 1'b1;
        end
        if (!tx_have_d || txe_ni || (rx_wants && burst_done)) begin
          state_d = StIdle;  // a byte not yet taken stays in tx_q for the next turn
        end else begin
          data_oe_d = 1'b1;
          wr_n_d    = 1'b0;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (rx_push) rxbuf_q[rx_wp_q] <= data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      rx_wp_q      <= '0;
      rx_rp_q      <= '0;
      rx_cnt_q     <= '0;
      rd_n_q       <= 1'b1;
      oe_n_q       <= 1'b1;
      wr_n_q       <= 1'b1;
      data_oe_q    <= 1'b0;
      tx_q         <= '0;
      tx_have_q    <= 1'b0;
      last_write_q <= 1'b0;
      burst_q      <= '0;
    end else begin
      state_q      <= state_d;
      rx_wp_q      <= rx_wp_d;
      rx_rp_q      <= rx_rp_d;
      rx_cnt_q     <= rx_cnt_d;
      rd_n_q       <= rd_n_d;
      oe_n_q       <= oe_n_d;
      wr_n_q       <= wr_n_d;
      data_oe_q    <= data_oe_d;
      tx_q         <= tx_d;
      tx_have_q    <= tx_have_d;
      last_write_q <= last_write_d;
      burst_q      <= burst_d;
    end
  end

  assign rd_no     = rd_n_q;
  assign oe_no     = oe_n_q;
  assign wr_no     = wr_n_q;
  assign data_oe_o = data_oe_q;
  assign data_o    = tx_q;
  assign siwu_no   = 1'b1;
endmodule
