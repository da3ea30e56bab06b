// SPDX-License-Identifier: MIT
// log2 of a Q5.27 magnitude as Q8.16: leading-one position plus a mantissa table lookup
// (fx::log2_q16 in the model). One cycle of latency; the table is a synchronous ROM.
`include "lathe_tables.svh"

module lathe_log2 (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               valid_i,
  input  logic        [31:0] mag_i,    // unsigned Q5.27
  output logic               valid_o,
  output logic signed [23:0] log2_o    // Q8.16; zero gives the floor, -32.0
);
  localparam int unsigned TableBits = 10;
  localparam int unsigned SampleFrac = 27;
  localparam logic signed [23:0] LogFloor = -24'sd2097152;  // -32 << 16

  logic [15:0] table_q [2**TableBits];
  initial $readmemh(`LATHE_LOG2_HEX, table_q);

  // Leading one: the highest set bit, found from the top.
  logic [4:0] msb;
  always_comb begin
    msb = '0;
    for (int i = 0; i < 32; i++) begin
      if (mag_i[i]) msb = 5'(i);
    end
  end

  // The 10 bits below the leading one index the table; short values shift left.
  logic [TableBits-1:0] index;
  logic [31:0] aligned;
  always_comb begin
    if (msb >= 5'(TableBits)) aligned = mag_i >> (msb - 5'(TableBits));
    else                      aligned = mag_i << (5'(TableBits) - msb);
    index = aligned[TableBits-1:0];
  end
  logic unused_aligned;
  assign unused_aligned = ^aligned[31:TableBits];

  logic               valid_q;
  logic               zero_q, zero_d;
  logic signed [7:0]  exponent_q, exponent_d;  // msb - 27
  logic        [15:0] mantissa_q;
  always_comb begin
    zero_d     = (mag_i == '0);
    exponent_d = signed'({3'b000, msb}) - 8'(SampleFrac);
  end
  // The valid flag is control (reset); the values are datapath.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= 1'b0;
    else         valid_q <= valid_i;
  end
  always_ff @(posedge clk_i) begin
    zero_q     <= zero_d;
    exponent_q <= exponent_d;
    mantissa_q <= table_q[index];  // the synchronous ROM's read port
  end

  assign valid_o = valid_q;
  assign log2_o  = zero_q ? LogFloor : {exponent_q, mantissa_q};
endmodule
