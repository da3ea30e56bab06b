// SPDX-License-Identifier: MIT
// A small FIFO of stereo 24-bit frames (registers): first word visible while not empty.
module lathe_frame_fifo #(
  parameter int unsigned Depth = 8
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               push_i,
  input  logic signed [23:0] left_i,
  input  logic signed [23:0] right_i,
  input  logic               pop_i,
  output logic signed [23:0] left_o,
  output logic signed [23:0] right_o,
  output logic               full_o,
  output logic               empty_o
);
  localparam int unsigned PtrBits = $clog2(Depth);
  logic signed [23:0] left_q [Depth];
  logic signed [23:0] right_q [Depth];
  logic [PtrBits-1:0] wr_q, wr_d, rd_q, rd_d;
  logic [PtrBits:0]   count_q, count_d;
  logic               push, pop;  // taken: a push when not full, a pop when not empty

  always_comb begin
    push    = push_i && !full_o;
    pop     = pop_i && !empty_o;
    wr_d    = push ? wr_q + 1'b1 : wr_q;
    rd_d    = pop ? rd_q + 1'b1 : rd_q;
    count_d = count_q + (PtrBits+1)'(push) - (PtrBits+1)'(pop);
  end

  always_ff @(posedge clk_i) begin
    if (push) begin
      left_q[wr_q]  <= left_i;
      right_q[wr_q] <= right_i;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q    <= '0;
      rd_q    <= '0;
      count_q <= '0;
    end else begin
      wr_q    <= wr_d;
      rd_q    <= rd_d;
      count_q <= count_d;
    end
  end
  assign left_o  = left_q[rd_q];
  assign right_o = right_q[rd_q];
  assign full_o  = count_q == (PtrBits+1)'(Depth);
  assign empty_o = count_q == '0;
endmodule
