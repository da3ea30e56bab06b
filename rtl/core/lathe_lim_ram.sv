// SPDX-License-Identifier: MIT
// Simple dual-port RAM for the limiter's rings: one write port, one synchronous read port with enable (block RAM).
module lathe_lim_ram #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 2  // every instance sets its own (lathe_limiter, lathe_lim_hold)
) (
  input  logic                     clk_i,
  input  logic                     we_i,
  input  logic [$clog2(Depth)-1:0] waddr_i,
  input  logic [Width-1:0]         wdata_i,
  input  logic                     re_i,
  input  logic [$clog2(Depth)-1:0] raddr_i,
  output logic [Width-1:0]         rdata_o   // mem[raddr_i] of the last cycle with re_i, held otherwise
);
  // No reset and no clear: the limiter never reads an entry that was not written since its last clear.
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;
  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_q <= mem_q[raddr_i];
  end
  assign rdata_o = rdata_q;
endmodule
