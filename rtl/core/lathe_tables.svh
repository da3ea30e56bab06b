// SPDX-License-Identifier: MIT
// Paths of the generated tables (tables/*.hex, made by host/tools/gen_tables.cpp and
// compiled into the reference model too). Relative to the repository root by default;
// the build passes absolute paths.
`ifndef LATHE_TABLES_SVH
`define LATHE_TABLES_SVH
`ifndef LATHE_LOG2_HEX
`define LATHE_LOG2_HEX "tables/log2_frac.hex"
`endif
`ifndef LATHE_EXP2_HEX
`define LATHE_EXP2_HEX "tables/exp2_frac.hex"
`endif
`ifndef LATHE_TP_FIR_HEX
`define LATHE_TP_FIR_HEX "tables/tp_fir.hex"
`endif
`ifndef LATHE_TP_HANN4_HEX
`define LATHE_TP_HANN4_HEX "tables/tp_hann4.hex"
`endif
`ifndef LATHE_TP_HANN2_HEX
`define LATHE_TP_HANN2_HEX "tables/tp_hann2.hex"
`endif
`ifndef LATHE_TP_REF32_HEX
`define LATHE_TP_REF32_HEX "tables/tp_ref32.hex"
`endif
`ifndef LATHE_TP_REF32_FOLD_HEX
`define LATHE_TP_REF32_FOLD_HEX "tables/tp_ref32_fold.hex"
`endif
`endif
