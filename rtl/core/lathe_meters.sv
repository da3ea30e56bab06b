// SPDX-License-Identifier: MIT
// Meters (model::Meters): peaks, gain-reduction maxima, output energy and frame count,
// each updated as its frame passes, cleared together.
module lathe_meters (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,
  // A frame entering the core (24-bit input samples).
  input  logic               in_fire_i,
  input  logic signed [23:0] in_left_i,
  input  logic signed [23:0] in_right_i,
  // The compressor's gain reduction after a frame (Q8.16).
  input  logic               comp_fire_i,
  input  logic signed [31:0] comp_gr_i,
  // The limiter's detector peak (uQ5.27) and gain reduction (Q8.16) after a frame.
  input  logic               lim_fire_i,
  input  logic        [31:0] lim_peak_i,
  input  logic signed [31:0] lim_gr_i,
  // A frame leaving the core, at the output width (16-bit values when out16_i).
  input  logic               out_fire_i,
  input  logic               out16_i,
  input  logic signed [23:0] out_left_i,
  input  logic signed [23:0] out_right_i,
  // Read side: the register's index in the meter group (lathe_regs_pkg::Meter*Index).
  input  logic [lathe_regs_pkg::MeterIndexBits-1:0] read_index_i,
  output logic        [31:0] read_data_o
);
  logic        [31:0] in_peak_q [2];  // Yosys 0.23: element-wise assignments only
  logic        [31:0] out_peak_q [2];
  logic        [31:0] true_peak_q;
  logic signed [31:0] comp_gr_q, lim_gr_q;
  logic        [31:0] frames_q;
  logic        [63:0] sum_sq_q [2];

  // |x| of a 24-bit sample, as an unsigned 32-bit value.
  function automatic logic [31:0] magnitude24(logic signed [23:0] x);
    logic signed [24:0] wide;
    logic signed [24:0] magnitude;
    wide = 25'(x);
    magnitude = wide < 0 ? -wide : wide;
    magnitude24 = {7'd0, magnitude};  // Yosys 0.23 takes no return statement here
  endfunction

  // Output samples in 24-bit units: 16-bit output shifted up by 8.
  logic signed [23:0] out24 [2];
  always_comb begin
    out24[0] = out16_i ? (out_left_i << 8) : out_left_i;
    out24[1] = out16_i ? (out_right_i << 8) : out_right_i;
  end

  // Energy: sum of (y24 >> 4)^2, saturating at 2^64 - 1.
  logic signed [19:0] energy_sample [2];
  logic signed [39:0] energy_wide [2];
  logic        [39:0] square [2];
  logic        [64:0] sum_next [2];
  always_comb begin
    for (int ch = 0; ch < 2; ch++) begin
      energy_sample[ch] = 20'(out24[ch] >>> 4);
      energy_wide[ch] = 40'(energy_sample[ch]);            // sign-extended
      square[ch] = energy_wide[ch] * energy_wide[ch];      // 20 x 20 bits, >= 0
      sum_next[ch] = {1'b0, sum_sq_q[ch]} + 65'(square[ch]);
    end
  end

  logic        [31:0] in_peak_d [2];
  logic        [31:0] out_peak_d [2];
  logic        [31:0] true_peak_d;
  logic signed [31:0] comp_gr_d, lim_gr_d;
  logic        [31:0] frames_d;
  logic        [63:0] sum_sq_d [2];

  always_comb begin
    for (int ch = 0; ch < 2; ch++) begin
      in_peak_d[ch]  = in_peak_q[ch];
      out_peak_d[ch] = out_peak_q[ch];
      sum_sq_d[ch]   = sum_sq_q[ch];
    end
    true_peak_d = true_peak_q;
    comp_gr_d   = comp_gr_q;
    lim_gr_d    = lim_gr_q;
    frames_d    = frames_q;
    if (clear_i) begin
      for (int ch = 0; ch < 2; ch++) begin
        in_peak_d[ch]  = '0;
        out_peak_d[ch] = '0;
        sum_sq_d[ch]   = '0;
      end
      true_peak_d = '0;
      comp_gr_d   = '0;
      lim_gr_d    = '0;
      frames_d    = '0;
    end else begin
      if (in_fire_i) begin
        if (magnitude24(in_left_i) > in_peak_q[0]) in_peak_d[0] = magnitude24(in_left_i);
        if (magnitude24(in_right_i) > in_peak_q[1]) in_peak_d[1] = magnitude24(in_right_i);
      end
      if (comp_fire_i && comp_gr_i > comp_gr_q) comp_gr_d = comp_gr_i;
      if (lim_fire_i) begin
        if (lim_peak_i > true_peak_q) true_peak_d = lim_peak_i;
        if (lim_gr_i > lim_gr_q) lim_gr_d = lim_gr_i;
      end
      if (out_fire_i) begin
        for (int ch = 0; ch < 2; ch++) begin
          if (magnitude24(out24[ch]) > out_peak_q[ch]) out_peak_d[ch] = magnitude24(out24[ch]);
          sum_sq_d[ch] = sum_next[ch][64] ? '1 : sum_next[ch][63:0];  // saturate
        end
        if (frames_q != '1) frames_d = frames_q + 32'd1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int ch = 0; ch < 2; ch++) begin
        in_peak_q[ch]  <= '0;
        out_peak_q[ch] <= '0;
        sum_sq_q[ch]   <= '0;
      end
      true_peak_q <= '0;
      comp_gr_q   <= '0;
      lim_gr_q    <= '0;
      frames_q    <= '0;
    end else begin
      for (int ch = 0; ch < 2; ch++) begin
        in_peak_q[ch]  <= in_peak_d[ch];
        out_peak_q[ch] <= out_peak_d[ch];
        sum_sq_q[ch]   <= sum_sq_d[ch];
      end
      true_peak_q <= true_peak_d;
      comp_gr_q   <= comp_gr_d;
      lim_gr_q    <= lim_gr_d;
      frames_q    <= frames_d;
    end
  end

  // Read mux in register order (regmap/lathe.regs, group meter).
  localparam int unsigned IndexBits = lathe_regs_pkg::MeterIndexBits;
  always_comb begin
    unique case (read_index_i)
      IndexBits'(lathe_regs_pkg::MeterInPeakLIndex):     read_data_o = in_peak_q[0];
      IndexBits'(lathe_regs_pkg::MeterInPeakRIndex):     read_data_o = in_peak_q[1];
      IndexBits'(lathe_regs_pkg::MeterOutPeakLIndex):    read_data_o = out_peak_q[0];
      IndexBits'(lathe_regs_pkg::MeterOutPeakRIndex):    read_data_o = out_peak_q[1];
      IndexBits'(lathe_regs_pkg::MeterTruePeakIndex):    read_data_o = true_peak_q;
      IndexBits'(lathe_regs_pkg::MeterCompGrIndex):      read_data_o = comp_gr_q;
      IndexBits'(lathe_regs_pkg::MeterLimGrIndex):       read_data_o = lim_gr_q;
      IndexBits'(lathe_regs_pkg::MeterFramesIndex):      read_data_o = frames_q;
      IndexBits'(lathe_regs_pkg::MeterOutSumSqLLoIndex): read_data_o = sum_sq_q[0][31:0];
      IndexBits'(lathe_regs_pkg::MeterOutSumSqLHiIndex): read_data_o = sum_sq_q[0][63:32];
      IndexBits'(lathe_regs_pkg::MeterOutSumSqRLoIndex): read_data_o = sum_sq_q[1][31:0];
      IndexBits'(lathe_regs_pkg::MeterOutSumSqRHiIndex): read_data_o = sum_sq_q[1][63:32];
      default:                                           read_data_o = '0;
    endcase
  end
endmodule
