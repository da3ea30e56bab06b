// SPDX-License-Identifier: MIT
// One step of a parameter glide (model/glide.hpp, glide_step): the value moves by
// (target - value) >>> ParamGlideShift, floored, or to the target once it is within
// 2^ParamGlideShift of it. Combinational; lathe_glide holds a scalar's value, the register
// file steps the EQ coefficients with it as trim_eq uses them.
module lathe_glide_step #(
  parameter int unsigned Width  = 32,
  parameter bit          Signed = 1'b1  // the parameter's own signedness (registers.hpp)
) (
  input  logic [Width-1:0] value_i,
  input  logic [Width-1:0] target_i,
  output logic [Width-1:0] next_o
);
  localparam int unsigned Shift = lathe_regs_pkg::ParamGlideShift;
  localparam logic signed [Width+1:0] Snap = (Width+2)'(1) <<< Shift;
  logic signed [Width+1:0] value, target, diff, moved;
  always_comb begin
    value  = signed'({{2{Signed & value_i[Width-1]}}, value_i});
    target = signed'({{2{Signed & target_i[Width-1]}}, target_i});
    diff   = target - value;
    moved  = value + (diff >>> Shift);  // between value and target: fits Width bits
    next_o = (diff > -Snap && diff < Snap) ? target_i : moved[Width-1:0];
  end

  logic unused;
  assign unused = ^moved[Width+1:Width];
endmodule
