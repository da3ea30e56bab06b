// SPDX-License-Identifier: MIT
// A synchronous valid/ready FIFO: block-RAM storage (one write port, registered read) plus
// an output register, so the head is visible while out_valid_o (capacity Depth + 1).
module lathe_sync_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 512
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     in_valid_i,
  output logic                     in_ready_o,
  input  logic [Width-1:0]         in_data_i,
  output logic                     out_valid_o,
  input  logic                     out_ready_i,
  output logic [Width-1:0]         out_data_o,
  // Entries held in the RAM (the output register not included) and entries free in it.
  output logic [$clog2(Depth):0]   level_o,
  output logic [$clog2(Depth):0]   free_o
);
  localparam int unsigned AddrBits = $clog2(Depth);
  logic [Width-1:0]    mem [Depth];
  logic [AddrBits:0]   wptr_q, wptr_d, rptr_q, rptr_d;
  logic                out_valid_q, out_valid_d;
  logic [Width-1:0]    out_data_q;
  logic                push, load;

  assign level_o    = wptr_q - rptr_q;
  assign free_o     = (AddrBits+1)'(Depth) - level_o;
  assign in_ready_o = level_o != (AddrBits+1)'(Depth);
  assign push       = in_valid_i && in_ready_o;
  assign load       = (level_o != '0) && (!out_valid_q || out_ready_i);

  always_comb begin
    wptr_d      = wptr_q + (AddrBits+1)'(push);
    rptr_d      = rptr_q + (AddrBits+1)'(load);
    out_valid_d = load || (out_valid_q && !out_ready_i);
  end

  always_ff @(posedge clk_i) begin
    if (push) mem[wptr_q[AddrBits-1:0]] <= in_data_i;
    if (load) out_data_q <= mem[rptr_q[AddrBits-1:0]];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q      <= '0;
      rptr_q      <= '0;
      out_valid_q <= 1'b0;
    end else begin
      wptr_q      <= wptr_d;
      rptr_q      <= rptr_d;
      out_valid_q <= out_valid_d;
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_data_q;
endmodule
