// SPDX-License-Identifier: MIT
// CRC-16/CCITT (poly 0x1021, MSB first, as host/src/protocol.cpp) advanced by one byte, combinational.
module lathe_crc16 (
  input  logic [15:0] crc_i,
  input  logic [7:0]  data_i,
  output logic [15:0] crc_o
);
  always_comb begin
    crc_o = crc_i ^ {data_i, 8'h00};
    for (int i = 0; i < 8; i++) begin
      crc_o = {crc_o[14:0], 1'b0} ^ (crc_o[15] ? 16'h1021 : 16'h0000);
    end
  end
endmodule
