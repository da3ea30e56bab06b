// SPDX-License-Identifier: MIT
// Input trim and 2 x Bands-band equalizer (the start of model::Chain::front: edge sample
// << 4, fx::apply_gain by the trim, then model::Equalizer::process), one frame at a time.
//
// Two lathe_biquad_engine slices (one signed CoefBits x 32 multiplier each) run the two
// EQ channels in lock step under one static schedule. Cycle c of a frame (c = 0 is the
// cycle after the input handshake):
//   c = 0            trim products (trim << 4) * (x << 5)
//   c = 2 + 5n + i   band n, product i: b1*x1, b2*x2, a1*y1, a2*y2, b0*x (i = 0..4)
//   c = 5*Bands + 4  out_valid_o (5*Bands + 5 cycles from the input handshake: 45 for
//                    8 bands), then one frame per 5*Bands + 6 cycles at most.
// Products are accumulated one cycle after issue; band n's output is saturated at
// c = 8 + 5n (error feedback written back) and stored as history at c = 9 + 5n, while the
// next band's state products are already being issued.
//
// Coefficients come from a synchronous RAM outside (the register file), read through
// coef_addr_o = band * 5 + k (k: b0 b1 b2 a1 a2; $clog2(5 * Bands) bits, 6 for 8 bands)
// with BOTH channels' words returned one cycle later: coef0_data_i = word
// (0 * Bands + band) * 5 + k, coef1_data_i = word (1 * Bands + band) * 5 + k. (Two
// 36-bit-class words per cycle are needed: 2 * 5 * Bands coefficient reads do not fit in
// the frame through one port.)
//
// clear_i (and reset) zero both engines' state RAMs (2^AddrBits cycles, 32 for 8 bands,
// in_ready_o low), i.e. x1 x2 y1 y2 and the error feedback of every band, as
// model::Biquad::reset does.
module lathe_trim_eq #(
  // Coefficient width: Q(CoefBits-32).32. 37 covers every coefficient that
  // lathe::to_registers makes from legal parameters (|b1| of an 18 dB shelf reaches 15.9).
  parameter int unsigned CoefBits = 37,
  // Biquad sections per channel (model::Equalizer has reg::kEqBands).
  parameter int unsigned Bands    = lathe_regs_pkg::EqBands
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       clear_i,
  // Configuration.
  input  logic        [31:0]         trim_gain_i,   // kTrimGain, Q5.27
  input  logic                       mid_side_i,    // kCtrlMidSide
  output logic [$clog2(5 * Bands)-1:0] coef_addr_o,  // band * 5 + k
  output logic                       coef_use_o,    // this cycle's coefficient words are used (once a frame each)
  input  logic signed [CoefBits-1:0] coef0_data_i,  // channel 0 (left / mid)
  input  logic signed [CoefBits-1:0] coef1_data_i,  // channel 1 (right / side)
  // Samples.
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic signed [23:0]         in_left_i,     // Q0.23
  input  logic signed [23:0]         in_right_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic signed [31:0]         out_left_o,    // Q5.27
  output logic signed [31:0]         out_right_o
);
  localparam int unsigned CoefAddrBits = $clog2(5 * Bands);
  localparam int unsigned CntBits      = $clog2(5 * Bands + 4);         // 0..CntLast
  localparam int unsigned BandBits     = (Bands > 1) ? $clog2(Bands) : 1;
  localparam int unsigned NodeBits     = $clog2(Bands + 1);             // history nodes 0..Bands
  // State RAM (lathe_biquad_engine): error words 0..Bands-1, then history node m slot s at
  // HistBase + 2 * m + s.
  localparam int unsigned HistBase     = Bands + Bands % 2;
  localparam int unsigned AddrBits     = $clog2(3 * Bands + Bands % 2 + 2);

  // Schedule (41 and 43 for 8 bands).
  localparam logic [CntBits-1:0]  CntTrim    = CntBits'(0);              // trim products issued
  localparam logic [CntBits-1:0]  CntFirstBq = CntBits'(2);              // first biquad product
  localparam logic [CntBits-1:0]  CntLastBq  = CntBits'(5 * Bands + 1);  // last biquad product
  localparam logic [CntBits-1:0]  CntLast    = CntBits'(5 * Bands + 3);  // last band saturated,
                                                                         // output next cycle
  localparam logic [BandBits-1:0] BandLast   = BandBits'(Bands - 1);

  // History node m, slot s.
  function automatic logic [AddrBits-1:0] hist_addr(logic [NodeBits-1:0] m, logic s);
    hist_addr = AddrBits'(HistBase) + AddrBits'({m, s});
  endfunction

  typedef enum logic [1:0] {
    StClear,  // zero the state RAMs
    StIdle,   // wait for a frame
    StRun,    // trim and 5 * Bands products per channel
    StOut     // hold the result until taken
  } state_e;

  state_e              state_q, state_d;
  logic [CntBits-1:0]  cnt_q, cnt_d;
  logic [2:0]          step_q, step_d;  // product i of the band being issued
  logic [BandBits-1:0] band_q, band_d;  // band being issued
  logic [2:0]          nxt_step;        // the product issued next cycle
  logic [BandBits-1:0] nxt_band;
  logic [AddrBits-1:0] clr_addr_q, clr_addr_d;
  logic                parity_q, parity_d;  // history slot holding x[f-2], overwritten by x[f]

  logic signed [23:0] in_left_q, in_left_d;
  logic signed [23:0] in_right_q, in_right_d;

  // Issue-stage decode.
  logic       run;
  logic       iss_trim, iss_bq;
  logic [4:0] iss_step;  // one-hot of step_q while a biquad product is issued
  logic       s0_first, s0_second;
  logic [AddrBits-1:0] raddr;
  logic       hy1_load, hy2_load;
  logic [2:0] coef_k;

  // Accumulate / finish / write-back tokens.
  logic       acc_en_q, acc_init_q, acc_round_q, acc_sub_q, acc_last_q, acc_trim_q;
  logic       acc_en_d, acc_init_d, acc_round_d, acc_sub_d, acc_last_d, acc_trim_d;
  logic [BandBits-1:0] acc_band_q, acc_band_d;
  logic       fin_q, fin_d, fin_trim_q, fin_trim_d;
  logic [BandBits-1:0] fin_band_q, fin_band_d;
  logic       wb_q, wb_d, wb_trim_q, wb_trim_d;
  logic [BandBits-1:0] wb_band_q, wb_band_d;
  logic       s0w_q, s0w_d;

  // Engine controls.
  logic       x_load_ext;
  logic       we, wdata_err, wdata_x;
  logic [AddrBits-1:0] waddr;

  logic signed [31:0] x0, x1;          // engine results (left/mid, right/side)
  logic signed [32:0] ms_sum, ms_diff; // mid/side matrix (both directions)
  logic signed [31:0] ext0, ext1;

  // ---------------------------------------------------------------------------------
  // Sequencer.
  always_comb begin
    run      = (state_q == StRun);
    iss_trim = run && (cnt_q == CntTrim);
    iss_bq   = run && (cnt_q >= CntFirstBq) && (cnt_q <= CntLastBq);
    coef_use_o = iss_bq;
    for (int i = 0; i < 5; i++) iss_step[i] = iss_bq && (step_q == 3'(i));
    s0_first  = run && (cnt_q == CntTrim);
    s0_second = run && (cnt_q == CntTrim + CntBits'(1));

    // The product after this one (a band has five).
    nxt_step = step_q;
    nxt_band = band_q;
    if (iss_bq) begin
      if (step_q == 3'd4) begin
        nxt_step = 3'd0;
        // Back to band 0 after the last (keeps coef_addr_o below 5 * Bands for any Bands).
        nxt_band = (band_q == BandLast) ? '0 : band_q + BandBits'(1);
      end else begin
        nxt_step = step_q + 3'd1;
      end
    end

    // Coefficient for next cycle's product: b1 b2 a1 a2 b0 in step order.
    coef_k = (nxt_step == 3'd4) ? 3'd0 : nxt_step + 3'd1;
    coef_addr_o = CoefAddrBits'({nxt_band, 2'b00}) + CoefAddrBits'(nxt_band)
                + CoefAddrBits'(coef_k);

    // State RAM reads (data one cycle later): the cascade input history for band 0's
    // x1 x2, then per band its error word and its output history y1 y2.
    raddr = '0;
    if (s0_first)         raddr = hist_addr('0, ~parity_q);       // node 0, x[f-1]
    else if (s0_second)   raddr = hist_addr('0, parity_q);        // node 0, x[f-2]
    else if (iss_step[0]) raddr = AddrBits'(band_q);              // error word
    else if (iss_step[1]) raddr = hist_addr(NodeBits'(band_q) + NodeBits'(1), ~parity_q);
                                                                  // node band+1, y[f-1]
    else if (iss_step[2]) raddr = hist_addr(NodeBits'(band_q) + NodeBits'(1), parity_q);
                                                                  // node band+1, y[f-2]
    // The y history read for band n is the x history of band n + 1.
    hy1_load = s0_second || iss_step[2];
    hy2_load = (iss_step[0] && (band_q == '0)) || iss_step[3];
  end

  // Frame FSM.
  always_comb begin
    state_d    = state_q;
    cnt_d      = cnt_q;
    step_d     = step_q;
    band_d     = band_q;
    clr_addr_d = clr_addr_q;
    parity_d   = parity_q;
    in_left_d  = in_left_q;
    in_right_d = in_right_q;
    in_ready_o = 1'b0;
    unique case (state_q)
      StClear: begin
        clr_addr_d = clr_addr_q + AddrBits'(1);
        if (clr_addr_q == '1) state_d = StIdle;
      end
      StIdle: begin
        in_ready_o = !clear_i;
        if (in_valid_i) begin
          state_d    = StRun;
          cnt_d      = '0;
          step_d     = '0;
          band_d     = '0;
          in_left_d  = in_left_i;
          in_right_d = in_right_i;
        end
      end
      StRun: begin
        cnt_d  = cnt_q + CntBits'(1);
        step_d = nxt_step;
        band_d = nxt_band;
        if (cnt_q == CntLast) state_d = StOut;
      end
      StOut: begin
        if (out_ready_i) begin
          state_d  = StIdle;
          parity_d = ~parity_q;
        end
      end
      default: state_d = StClear;
    endcase
    if (clear_i) begin
      state_d    = StClear;
      clr_addr_d = '0;
      parity_d   = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StClear;
      cnt_q      <= '0;
      step_q     <= '0;
      band_q     <= '0;
      clr_addr_q <= '0;
      parity_q   <= 1'b0;
    end else begin
      state_q    <= state_d;
      cnt_q      <= cnt_d;
      step_q     <= step_d;
      band_q     <= band_d;
      clr_addr_q <= clr_addr_d;
      parity_q   <= parity_d;
    end
  end

  always_ff @(posedge clk_i) begin
    in_left_q  <= in_left_d;
    in_right_q <= in_right_d;
  end

  // ---------------------------------------------------------------------------------
  // Token pipeline: accumulate (issue + 1), finish (issue + 2), write-back (issue + 3),
  // node-0 history write (trim + 4). clear_i cancels the tokens in flight.
  always_comb begin
    acc_en_d    = (iss_trim || iss_bq) && !clear_i;
    acc_init_d  = iss_trim || iss_step[0];
    acc_round_d = iss_trim;
    acc_sub_d   = iss_step[2] || iss_step[3];
    acc_last_d  = iss_trim || iss_step[4];
    acc_trim_d  = iss_trim;
    acc_band_d  = band_q;
    fin_d       = acc_en_q && acc_last_q && !clear_i;
    fin_trim_d  = acc_trim_q;
    fin_band_d  = acc_band_q;
    wb_d        = fin_q && !clear_i;
    wb_trim_d   = fin_trim_q;
    wb_band_d   = fin_band_q;
    s0w_d       = wb_q && wb_trim_q && !clear_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_en_q    <= 1'b0;
      acc_init_q  <= 1'b0;
      acc_round_q <= 1'b0;
      acc_sub_q   <= 1'b0;
      acc_last_q  <= 1'b0;
      acc_trim_q  <= 1'b0;
      acc_band_q  <= '0;
      fin_q       <= 1'b0;
      fin_trim_q  <= 1'b0;
      fin_band_q  <= '0;
      wb_q        <= 1'b0;
      wb_trim_q   <= 1'b0;
      wb_band_q   <= '0;
      s0w_q       <= 1'b0;
    end else begin
      acc_en_q    <= acc_en_d;
      acc_init_q  <= acc_init_d;
      acc_round_q <= acc_round_d;
      acc_sub_q   <= acc_sub_d;
      acc_last_q  <= acc_last_d;
      acc_trim_q  <= acc_trim_d;
      acc_band_q  <= acc_band_d;
      fin_q       <= fin_d;
      fin_trim_q  <= fin_trim_d;
      fin_band_q  <= fin_band_d;
      wb_q        <= wb_d;
      wb_trim_q   <= wb_trim_d;
      wb_band_q   <= wb_band_d;
      s0w_q       <= s0w_d;
    end
  end

  // Mid/side in: M = (L + R) >> 1, S = (L - R) >> 1, floored.
  always_comb begin
    ms_sum  = 33'(x0) + 33'(x1);
    ms_diff = 33'(x0) - 33'(x1);
    ext0    = ms_sum[32:1];
    ext1    = ms_diff[32:1];
    x_load_ext = wb_q && wb_trim_q && mid_side_i;
  end

  // State RAM writes: clear walk, error word (finish), band output history (write-back),
  // cascade input history (after the mid/side matrix).
  always_comb begin
    we        = 1'b0;
    waddr     = clr_addr_q;
    wdata_err = 1'b0;
    wdata_x   = 1'b0;
    if (state_q == StClear) begin
      we = 1'b1;
    end else if (fin_q && !fin_trim_q) begin
      we        = 1'b1;
      waddr     = AddrBits'(fin_band_q);
      wdata_err = 1'b1;
    end else if (wb_q && !wb_trim_q) begin
      we      = 1'b1;
      waddr   = hist_addr(NodeBits'(wb_band_q) + NodeBits'(1), parity_q);
      wdata_x = 1'b1;
    end else if (s0w_q) begin
      we      = 1'b1;
      waddr   = hist_addr('0, parity_q);
      wdata_x = 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------
  // The two channel engines.
  lathe_biquad_engine #(.CoefBits(CoefBits), .Bands(Bands)) u_engine0 (
    .clk_i        (clk_i),
    .opa_trim_i   (iss_trim),
    .opb_hy1_i    (iss_step[0]),
    .opb_hy2_i    (iss_step[1]),
    .opb_rdata_i  (iss_step[2] || iss_step[3]),
    .opb_x_i      (iss_step[4]),
    .coef_i       (coef0_data_i),
    .trim_gain_i  (trim_gain_i),
    .sample_i     (in_left_q),
    .hy1_load_i   (hy1_load),
    .hy2_load_i   (hy2_load),
    .raddr_i      (raddr),
    .acc_en_i     (acc_en_q),
    .acc_init_i   (acc_init_q),
    .acc_round_i  (acc_round_q),
    .acc_sub_i    (acc_sub_q),
    .x_load_y_i   (fin_q),
    .x_load_ext_i (x_load_ext),
    .x_ext_i      (ext0),
    .x_o          (x0),
    .we_i         (we),
    .waddr_i      (waddr),
    .wdata_err_i  (wdata_err),
    .wdata_x_i    (wdata_x)
  );

  lathe_biquad_engine #(.CoefBits(CoefBits), .Bands(Bands)) u_engine1 (
    .clk_i        (clk_i),
    .opa_trim_i   (iss_trim),
    .opb_hy1_i    (iss_step[0]),
    .opb_hy2_i    (iss_step[1]),
    .opb_rdata_i  (iss_step[2] || iss_step[3]),
    .opb_x_i      (iss_step[4]),
    .coef_i       (coef1_data_i),
    .trim_gain_i  (trim_gain_i),
    .sample_i     (in_right_q),
    .hy1_load_i   (hy1_load),
    .hy2_load_i   (hy2_load),
    .raddr_i      (raddr),
    .acc_en_i     (acc_en_q),
    .acc_init_i   (acc_init_q),
    .acc_round_i  (acc_round_q),
    .acc_sub_i    (acc_sub_q),
    .x_load_y_i   (fin_q),
    .x_load_ext_i (x_load_ext),
    .x_ext_i      (ext1),
    .x_o          (x1),
    .we_i         (we),
    .waddr_i      (waddr),
    .wdata_err_i  (wdata_err),
    .wdata_x_i    (wdata_x)
  );

  // ---------------------------------------------------------------------------------
  // Output: L = sat32(M + S), R = sat32(M - S) in mid/side mode.
  function automatic logic signed [31:0] sat32(logic signed [32:0] v);
    if (v[32] == v[31]) sat32 = v[31:0];
    else                sat32 = v[32] ? 32'sh8000_0000 : 32'sh7fff_ffff;
  endfunction

  always_comb begin
    out_valid_o = (state_q == StOut);
    out_left_o  = mid_side_i ? sat32(ms_sum) : x0;
    out_right_o = mid_side_i ? sat32(ms_diff) : x1;
  end
endmodule
