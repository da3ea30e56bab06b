// SPDX-License-Identifier: MIT
// I2S / left-justified transmitter in the bit-clock domain: follows LRCLK (sampled on
// BCLK rising edges) with a frame counter, takes one stereo 24-bit frame per frame
// period and shifts it out MSB first on SDATA, which changes on BCLK falling edges.
//
// Take rule: take_o is high in the BCLK cycle that ends with the rising edge of the
// frame's last BCLK (position 63, one BCLK before the next left slot begins); at that
// edge the transmitter takes frame_* if frame_valid_i (take_o is the stream's ready),
// else it counts an underrun, and the next frame period sends that frame (or zeros).
// The bit for each BCLK is chosen at the rising edge before it and put on SDATA at the
// falling edge between (a left-justified MSB goes out with the LRCLK edge, from the
// counter's prediction). An LRCLK edge where the counter expects none, or none where it
// expects one, is a slip: counted, the rest of the frame is zeros, and the counter
// follows the LRCLK edges again from the next one. slip_o marks a slip in the same cycle
// as take_o marks a take (the cycle that ends with its rising edge), so the frames'
// source can tell a take at a slip, whose frame is dropped at once: the LRCLK edge says
// the counter was wrong and that edge begins a new frame.
module lathe_i2s_tx (
  input  logic               bclk_i,
  input  logic               rst_ni,
  input  logic               lrclk_i,
  // 0: I2S (MSB one BCLK after the LRCLK edge, LRCLK low = left), 1: left-justified
  // (MSB at the LRCLK edge, LRCLK high = left). Changes only in reset.
  input  logic               format_i,
  input  logic               frame_valid_i,
  input  logic signed [23:0] frame_left_i,
  input  logic signed [23:0] frame_right_i,
  output logic               take_o,
  output logic               slip_o,   // from lrclk_i at the coming edge, as take_o
  output logic               sdata_o,
  // The frame counter follows LRCLK.
  output logic               locked_o,
  output logic [15:0]        underrun_count_o,  // saturating
  output logic [15:0]        slip_count_o       // saturating
);
  localparam logic [4:0] LastBclkOfSlot = 5'd31;
  localparam logic [5:0] TakeAfterPos = 6'd62;  // take_o during the BCLK cycle after it
  localparam int unsigned SampleBits = 24;

  logic        lrclk_q, lrclk_d;
  logic        primed_q, primed_d;      // lrclk_q holds a sampled LRCLK
  logic        counting_q, counting_d;  // frame_pos_q follows the LRCLK edges
  logic [5:0]  frame_pos_q, frame_pos_d;  // BCLK of the frame: 0-31 left, 32-63 right
  logic        loaded_q, loaded_d;      // left_q/right_q hold the frame being sent
  logic [SampleBits-1:0] left_q, left_d, right_q, right_d;
  logic        bit_q, bit_d;            // the bit for the next BCLK
  logic        sdata_q, sdata_d;        // bit_q retimed to the falling edge
  logic [15:0] underrun_count_q, underrun_count_d;
  logic [15:0] slip_count_q, slip_count_d;

  logic                  lrclk_edge, into_left, slot_ends, take, slip;
  logic [5:0]            next_pos;
  logic [4:0]            first_bit_pos, bit_index;
  logic [SampleBits-1:0] next_sample;

  assign take = counting_q && (frame_pos_q == TakeAfterPos);

  always_comb begin
    lrclk_d       = lrclk_i;
    primed_d      = 1'b1;
    counting_d    = counting_q;
    frame_pos_d   = frame_pos_q;
    loaded_d      = loaded_q;
    left_d        = left_q;
    right_d       = right_q;
    slip          = 1'b0;
    bit_d         = 1'b0;
    next_pos      = '0;
    bit_index     = '0;
    next_sample   = '0;

    lrclk_edge    = primed_q && (lrclk_i != lrclk_q);
    // The left-channel level is 0 for I2S and 1 for left-justified: format_i itself.
    into_left     = lrclk_i == format_i;
    slot_ends     = counting_q && (frame_pos_q[4:0] == LastBclkOfSlot);
    first_bit_pos = format_i ? 5'd0 : 5'd1;

    if (lrclk_edge) begin
      slip        = counting_q && !slot_ends;
      counting_d  = 1'b1;
      frame_pos_d = into_left ? 6'd0 : 6'd32;
    end else if (counting_q) begin
      if (slot_ends) begin
        slip       = 1'b1;
        counting_d = 1'b0;
      end else begin
        frame_pos_d = frame_pos_q + 6'd1;
      end
    end

    if (take) begin
      loaded_d = frame_valid_i;
      left_d   = frame_left_i;
      right_d  = frame_right_i;
    end
    if (slip) loaded_d = 1'b0;

    // The bit for the next BCLK (frame position frame_pos_d + 1); a sample's bits are
    // slot positions first_bit_pos .. first_bit_pos + 23.
    next_pos    = frame_pos_d + 6'd1;
    next_sample = next_pos[5] ? right_d : left_d;
    bit_index   = 5'(SampleBits - 1) + first_bit_pos - next_pos[4:0];
    if (counting_d && loaded_d && (next_pos[4:0] >= first_bit_pos) &&
        (next_pos[4:0] < first_bit_pos + 5'(SampleBits))) begin
      bit_d = next_sample[bit_index];
    end

    underrun_count_d = underrun_count_q + 16'(take && !frame_valid_i && (underrun_count_q != '1));
    slip_count_d     = slip_count_q + 16'(slip && (slip_count_q != '1));
  end

  assign sdata_d = bit_q;

  always_ff @(posedge bclk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lrclk_q          <= 1'b0;
      primed_q         <= 1'b0;
      counting_q       <= 1'b0;
      frame_pos_q      <= '0;
      loaded_q         <= 1'b0;
      bit_q            <= 1'b0;
      underrun_count_q <= '0;
      slip_count_q     <= '0;
    end else begin
      lrclk_q          <= lrclk_d;
      primed_q         <= primed_d;
      counting_q       <= counting_d;
      frame_pos_q      <= frame_pos_d;
      loaded_q         <= loaded_d;
      bit_q            <= bit_d;
      underrun_count_q <= underrun_count_d;
      slip_count_q     <= slip_count_d;
    end
  end

  // Datapath: sent only while loaded_q.
  always_ff @(posedge bclk_i) begin
    left_q  <= left_d;
    right_q <= right_d;
  end

  // The codec samples SDATA on the rising edge, half a BCLK after this one.
  always_ff @(negedge bclk_i or negedge rst_ni) begin
    if (!rst_ni) sdata_q <= 1'b0;
    else         sdata_q <= sdata_d;
  end

  assign take_o           = take;
  assign slip_o           = slip;
  assign sdata_o          = sdata_q;
  assign locked_o         = counting_q;
  assign underrun_count_o = underrun_count_q;
  assign slip_count_o     = slip_count_q;
endmodule
