// SPDX-License-Identifier: MIT
// Test top: I2S clock generator, receiver and transmitter in a loop (ADC in, DAC out)
// through a one-frame register in the bit-clock domain, with the bit clocks from the
// generator (FPGA is master) or from the codec's pins (codec is master).
module lathe_i2s_loop_tb (
  input  logic               clk_i,  // MCLK
  input  logic               rst_ni,
  input  logic               codec_master_i,
  input  logic               format_i,
  input  logic [1:0]         div_log2_i,
  input  logic               clockgen_en_i,
  input  logic               codec_bclk_i,
  input  logic               codec_lrclk_i,
  input  logic               adc_sdata_i,
  // The bus as the codec sees it: the selected BCLK and LRCLK, and the DAC's data.
  output logic               bus_bclk_o,
  output logic               bus_lrclk_o,
  output logic               dac_sdata_o,
  // The receiver's frame stream, for the harness to check every frame it emits.
  output logic               rx_valid_o,
  output logic signed [23:0] rx_left_o,
  output logic signed [23:0] rx_right_o,
  output logic               rx_locked_o,
  output logic               tx_take_o,
  output logic               tx_locked_o,
  output logic [15:0]        rx_slot_errors_o,
  output logic [15:0]        tx_underruns_o,
  output logic [15:0]        tx_slips_o,
  output logic [31:0]        rx_frames_o,
  output logic [31:0]        rx_frame_starts_o
);
  logic               gen_bclk, gen_lrclk, bclk, lrclk;
  logic               rx_valid, rx_slot_error, rx_frame_start, tx_take;
  logic               unused_tx_slip;  // the harness follows the slips by tx_slips_o
  logic signed [23:0] rx_left, rx_right;
  logic               held_q, held_d;
  logic signed [23:0] held_left_q, held_left_d, held_right_q, held_right_d;
  logic [31:0]        rx_frames_q, rx_frames_d;
  logic [31:0]        rx_starts_q, rx_starts_d;

  lathe_i2s_clockgen u_clockgen (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .en_i      (clockgen_en_i),
    .format_i  (format_i),
    .div_log2_i(div_log2_i),
    .bclk_o    (gen_bclk),
    .lrclk_o   (gen_lrclk)
  );

  // A board would use a clock multiplexer (BUFGMUX) here.
  assign bclk  = codec_master_i ? codec_bclk_i : gen_bclk;
  assign lrclk = codec_master_i ? codec_lrclk_i : gen_lrclk;

  lathe_i2s_rx u_rx (
    .bclk_i            (bclk),
    .rst_ni            (rst_ni),
    .lrclk_i           (lrclk),
    .sdata_i           (adc_sdata_i),
    .format_i          (format_i),
    .frame_valid_o     (rx_valid),
    .frame_left_o      (rx_left),
    .frame_right_o     (rx_right),
    .frame_start_o     (rx_frame_start),
    .locked_o          (rx_locked_o),
    .slot_error_o      (rx_slot_error),
    .slot_error_count_o(rx_slot_errors_o)
  );

  // One frame between receiver and transmitter; a framing error drops it (it is stale
  // by a clock stop or a glitch).
  always_comb begin
    held_d       = held_q;
    held_left_d  = held_left_q;
    held_right_d = held_right_q;
    rx_frames_d  = rx_frames_q + 32'(rx_valid);
    rx_starts_d  = rx_starts_q + 32'(rx_frame_start);
    if (rx_slot_error) begin
      held_d = 1'b0;
    end else if (rx_valid) begin
      held_d       = 1'b1;
      held_left_d  = rx_left;
      held_right_d = rx_right;
    end else if (tx_take) begin
      held_d = 1'b0;
    end
  end

  always_ff @(posedge bclk or negedge rst_ni) begin
    if (!rst_ni) begin
      held_q      <= 1'b0;
      rx_frames_q <= '0;
      rx_starts_q <= '0;
    end else begin
      held_q      <= held_d;
      rx_frames_q <= rx_frames_d;
      rx_starts_q <= rx_starts_d;
    end
  end

  always_ff @(posedge bclk) begin
    held_left_q  <= held_left_d;
    held_right_q <= held_right_d;
  end

  lathe_i2s_tx u_tx (
    .bclk_i          (bclk),
    .rst_ni          (rst_ni),
    .lrclk_i         (lrclk),
    .format_i        (format_i),
    .frame_valid_i   (held_q),
    .frame_left_i    (held_left_q),
    .frame_right_i   (held_right_q),
    .take_o          (tx_take),
    .slip_o          (unused_tx_slip),
    .sdata_o         (dac_sdata_o),
    .locked_o        (tx_locked_o),
    .underrun_count_o(tx_underruns_o),
    .slip_count_o    (tx_slips_o)
  );

  assign tx_take_o   = tx_take;
  assign rx_valid_o  = rx_valid;
  assign rx_left_o   = rx_left;
  assign rx_right_o  = rx_right;
  assign bus_bclk_o  = bclk;
  assign bus_lrclk_o = lrclk;
  assign rx_frames_o       = rx_frames_q;
  assign rx_frame_starts_o = rx_starts_q;
endmodule
