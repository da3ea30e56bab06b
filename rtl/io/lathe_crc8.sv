// SPDX-License-Identifier: MIT
// CRC-8 (poly 0x07, MSB first, as host/src/protocol.cpp) advanced by one byte, combinational.
module lathe_crc8 (
  input  logic [7:0] crc_i,
  input  logic [7:0] data_i,
  output logic [7:0] crc_o
);
  always_comb begin
    crc_o = crc_i ^ data_i;
    for (int i = 0; i < 8; i++) begin
      crc_o = {crc_o[6:0], 1'b0} ^ (crc_o[7] ? 8'h07 : 8'h00);
    end
  end
endmodule
