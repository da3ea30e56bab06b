// SPDX-License-Identifier: MIT
// I2S / left-justified receiver in the bit-clock domain: samples LRCLK and SDATA on BCLK
// rising edges, checks that every channel slot is 32 BCLK long between LRCLK edges, and
// emits a stereo 24-bit frame only when its left and right slots were both whole.
//
// Framing rule: a slot is proper when it begins at an LRCLK edge that ends a slot of
// exactly 32 BCLK (a proper edge) and itself lasts 32 BCLK. A frame (left slot, then
// right slot) is emitted at the LRCLK edge that ends its right slot when its left slot
// was proper, so the first frame after reset, a glitch or a clock restart is dropped. A
// slot that ends early (LRCLK edge before its 32nd BCLK) or runs long (no edge after it)
// counts one slot error; after a long slot the receiver waits for the next LRCLK edge.
module lathe_i2s_rx (
  input  logic               bclk_i,
  input  logic               rst_ni,
  input  logic               lrclk_i,
  input  logic               sdata_i,
  // 0: I2S (MSB one BCLK after the LRCLK edge, LRCLK low = left), 1: left-justified
  // (MSB at the LRCLK edge, LRCLK high = left). Changes only in reset.
  input  logic               format_i,
  // One BCLK cycle, one BCLK after the LRCLK edge that ends the frame's right slot.
  output logic               frame_valid_o,
  output logic signed [23:0] frame_left_o,
  output logic signed [23:0] frame_right_o,
  // One BCLK cycle after each LRCLK edge into the left-channel level (every frame start
  // the receiver sees, proper or not).
  output logic               frame_start_o,
  // The current slot began at a proper edge.
  output logic               locked_o,
  // One BCLK cycle per slot of the wrong length, and their count (saturating).
  output logic               slot_error_o,
  output logic [15:0]        slot_error_count_o
);
  localparam logic [4:0] LastBclkOfSlot = 5'd31;
  localparam int unsigned SampleBits = 24;

  logic        lrclk_q, lrclk_d;
  logic        primed_q, primed_d;      // lrclk_q holds a sampled LRCLK
  logic        counting_q, counting_d;  // slot_pos_q counts from an LRCLK edge
  logic [4:0]  slot_pos_q, slot_pos_d;  // BCLK of the current slot, 0 at the LRCLK edge
  logic        proper_q, proper_d;      // the current slot began at a proper edge
  logic        left_ok_q, left_ok_d;    // the current right slot follows a proper left slot
  logic        valid_q, valid_d;
  logic        start_q, start_d;
  logic        error_q, error_d;
  logic [15:0] error_count_q, error_count_d;
  logic [SampleBits-1:0] shift_q, shift_d;          // the current slot's bits, MSB first
  logic [SampleBits-1:0] left_hold_q, left_hold_d;  // the frame's left sample
  logic [SampleBits-1:0] left_q, left_d, right_q, right_d;

  logic       lrclk_edge, into_left, slot_whole;
  logic [4:0] first_bit_pos;

  always_comb begin
    lrclk_d       = lrclk_i;
    primed_d      = 1'b1;
    counting_d    = counting_q;
    slot_pos_d    = slot_pos_q;
    proper_d      = proper_q;
    left_ok_d     = left_ok_q;
    valid_d       = 1'b0;
    start_d       = 1'b0;
    error_d       = 1'b0;
    shift_d       = shift_q;
    left_hold_d   = left_hold_q;
    left_d        = left_q;
    right_d       = right_q;

    lrclk_edge    = primed_q && (lrclk_i != lrclk_q);
    // The left-channel level is 0 for I2S and 1 for left-justified: format_i itself.
    into_left     = lrclk_i == format_i;
    slot_whole    = counting_q && (slot_pos_q == LastBclkOfSlot);
    first_bit_pos = format_i ? 5'd0 : 5'd1;

    if (lrclk_edge) begin
      counting_d = 1'b1;
      slot_pos_d = '0;
      start_d    = into_left;
      if (slot_whole) begin
        proper_d = 1'b1;
        if (into_left) begin
          // The right slot just ended whole; it began at a proper edge if the left did.
          valid_d   = left_ok_q;
          right_d   = shift_q;
          left_d    = left_hold_q;
          left_ok_d = 1'b0;
        end else begin
          left_hold_d = shift_q;
          left_ok_d   = proper_q;
        end
      end else begin
        // Early edge; the first edge after reset or after a long slot is no error.
        error_d   = counting_q;
        proper_d  = 1'b0;
        left_ok_d = 1'b0;
      end
    end else if (counting_q) begin
      if (slot_pos_q == LastBclkOfSlot) begin
        // 33rd BCLK without an edge: a long slot; wait for the next edge.
        error_d    = 1'b1;
        counting_d = 1'b0;
        proper_d   = 1'b0;
        left_ok_d  = 1'b0;
      end else begin
        slot_pos_d = slot_pos_q + 5'd1;
      end
    end

    // The sample's bits are slot positions first_bit_pos .. first_bit_pos + 23.
    if (counting_d && (slot_pos_d >= first_bit_pos) && (slot_pos_d < first_bit_pos + 5'(SampleBits))) begin
      shift_d = {shift_q[SampleBits-2:0], sdata_i};
    end

    error_count_d = error_count_q + 16'(error_d && (error_count_q != '1));
  end

  always_ff @(posedge bclk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lrclk_q       <= 1'b0;
      primed_q      <= 1'b0;
      counting_q    <= 1'b0;
      slot_pos_q    <= '0;
      proper_q      <= 1'b0;
      left_ok_q     <= 1'b0;
      valid_q       <= 1'b0;
      start_q       <= 1'b0;
      error_q       <= 1'b0;
      error_count_q <= '0;
    end else begin
      lrclk_q       <= lrclk_d;
      primed_q      <= primed_d;
      counting_q    <= counting_d;
      slot_pos_q    <= slot_pos_d;
      proper_q      <= proper_d;
      left_ok_q     <= left_ok_d;
      valid_q       <= valid_d;
      start_q       <= start_d;
      error_q       <= error_d;
      error_count_q <= error_count_d;
    end
  end

  // Datapath: meaningful only where the control above says so.
  always_ff @(posedge bclk_i) begin
    shift_q     <= shift_d;
    left_hold_q <= left_hold_d;
    left_q      <= left_d;
    right_q     <= right_d;
  end

  assign frame_valid_o      = valid_q;
  assign frame_left_o       = left_q;
  assign frame_right_o      = right_q;
  assign frame_start_o      = start_q;
  assign locked_o           = proper_q;
  assign slot_error_o       = error_q;
  assign slot_error_count_o = error_count_q;
endmodule
