// SPDX-License-Identifier: MIT
// A gliding scalar parameter: the value a stage uses, stepped towards the committed
// target once after each frame the stage finishes (step_i: its output handshake), so it
// is constant within a frame; snap_i (the core's clear, or no configuration yet) sets it
// to the target at once, as a stage's reset does in the model (model/glide.hpp).
module lathe_glide #(
  parameter int unsigned Width  = 32,
  parameter bit          Signed = 1'b1
) (
  input  logic             clk_i,
  input  logic             snap_i,
  input  logic             step_i,
  input  logic [Width-1:0] target_i,
  output logic [Width-1:0] value_o
);
  logic [Width-1:0] value_q, next;
  lathe_glide_step #(.Width(Width), .Signed(Signed)) u_step (
    .value_i (value_q),
    .target_i(target_i),
    .next_o  (next)
  );
  // Datapath configuration, no reset: snap_i holds it at the target until the first
  // commit, and the core takes no audio before that.
  always_ff @(posedge clk_i) begin
    if (snap_i) value_q <= target_i;
    else if (step_i) value_q <= next;
  end
  assign value_o = value_q;
endmodule
