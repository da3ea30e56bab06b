lathe_proto_pkg.sv
lathe_crc8.sv
lathe_crc16.sv
lathe_sync_fifo.sv
lathe_deframer.sv
lathe_packet_engine.sv
lathe_framer.sv
lathe_ft245_sync.sv
