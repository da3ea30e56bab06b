// SPDX-License-Identifier: MIT
// True-peak guard (model::TruePeakGuard::process): the last stage on the limiter's output. Per frame the
// requirement r of the interval that starts at h[10] (both channels' last 20 samples h[0..19], h[0] newest),
// the hold (minimum of the last 20 requirements), the envelope (minimum over the last 65 held values h_k of
// h_k + 2^17 |k - 32|, and unity), and the output: the frame of 51 frames ago times that gain, toward zero.
// Every value is the model's integer; the maths is in host/include/lathe/model/true_peak_guard.hpp.
//
// Lanes. One lane per phase p = 1..31, shared by the channels (31 lanes, one 17 x 32-bit multiplier each,
// taps from tables/tp_ref32.hex, index 20 p + i, tap i at h[i]). Pass 1 makes c_i = tap_i h_i for i = 0..19
// and sums S = sum c_i and A = sum |c_i|; pass 2 makes the same products again for i = 0..18 (the cuts need
// sgn S and |S| first) and accumulates q += sgn(S) c_i, n += dist(q, [0, |S|]). The left channel's two
// passes run first, then the right channel's, in the same accumulators. Phase 0 is |h[10]| << 16 in S* and A*.
//
// Maxima, serial: a running maximum per quantity takes 8 of a channel's 32 entries (phase 0, lanes 1..31) a
// step, 4 steps a channel, each while the values it reads stand still: S* and A* during the channel's pass 2
// (S and A are final then), N* and M* = max(19 |S| + n) once n is final (the left's during the right's pass
// 1, |S| of the left latched per lane as S starts over; the right's after its pass 2). The maximum over the
// same 64 values is the same number. 19 |S| is formed on the 8 selected entries only, as shifts and adds.
//
// Schedule after the input handshake (which shifts the new frame into the histories and reads the delayed
// frame from the audio RAM), step s = 0..97:
//   s = 0..19    left pass 1 operands i = s (products registered, accumulated one step later: s = 1..20)
//   s = 20..38   left pass 2 operands i = s - 20 (accumulated at s = 21..39)
//   s = 21..24   S*, A* over the left's entries
//   s = 39       the left's |S| latched per lane; S and A start over for the right channel
//   s = 39..58   right pass 1 operands i = s - 39 (accumulated at s = 40..59)
//   s = 40..43   N*, M* over the left's entries (n final, |S| from the latch)
//   s = 59       q and n start over for the right channel
//   s = 59..77   right pass 2 operands i = s - 59 (accumulated at s = 60..78)
//   s = 60..63   S*, A* over the right's entries
//   s = 79..82   N*, M* over the right's entries
//   s = 83       the dividers load: X = ((C/beta - N*) << 23) / (S* << 6) if N* < C/beta and M* <= C/beta,
//                Y = (C << 23) / A* (C = ceiling << 16); a quotient of 2^23 or more saturates to unity
//   s = 84..95   12 restoring steps of two quotient bits each, bits 23..0 (bit 23 is 0 unless saturated)
//   s = 96       r = max(X, Y) (each at most unity); held = min(r, the 19 newer requirements); gain =
//                min(unity, held + 2^22, the 64 newer held values + 2^17 |k - 32|); both rings shift
//   s = 97       output = sgn(y) ((|y| gain) >> 23) -> out_valid_o from the next cycle
// out_valid_o rises 99 cycles after the input handshake cycle; with out_ready_i high the next frame can be
// taken 100 cycles after the previous (the core's budget is 128 at 192 kHz).
//
// Multipliers: 31 signed 17 x 32-bit (the lanes) and 2 unsigned 32 x 24-bit (the output gain).
// Memories: the audio delay, 64 x 64 (simple dual-port, synchronous read: lathe_lim_ram); the requirement
// (20 x 24) and held (65 x 24) rings are shift registers, set to unity at clear_i. The audio RAM is not
// walked at clear_i: a frame counter since the clear tells whether the delayed entry was written since, and
// otherwise it reads as the model's zero. clear_i takes one cycle; the cycle after reset clears as clear_i
// does (in_ready_o low).
`include "lathe_tables.svh"


module lathe_tp_guard (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,     // model reset()
  input  logic        [31:0] ceiling_i,   // reg::kLimGuardCeiling, uQ5.27, used live (model configure())
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic signed [31:0] in_left_i,   // Q5.27
  input  logic signed [31:0] in_right_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic signed [31:0] out_left_o,
  output logic signed [31:0] out_right_o
);
  localparam int unsigned Taps      = lathe_regs_pkg::GuardSupport;     // 20
  localparam int unsigned Phases    = 32;
  localparam int unsigned Centre    = 10;
  localparam int unsigned SlopeSh   = lathe_regs_pkg::GuardSlopeShift;  // 6
  localparam int unsigned Reach     = lathe_regs_pkg::GuardReach;       // 32
  localparam int unsigned Delay     = lathe_regs_pkg::GuardDelay;       // 51
  localparam int unsigned GainFrac  = 23;
  localparam int unsigned Envelope  = 2 * Reach + 1;                    // 65
  localparam int unsigned RingDepth = 64;                               // > Delay, as the model's ring
  localparam int unsigned RingBits  = $clog2(RingDepth);
  localparam int unsigned GW        = GainFrac + 1;                     // gains 0 .. 2^23
  localparam int unsigned EW        = GW + 1;                           // gain + distance term < 2^24 + 2^22
  localparam logic [GW-1:0] Unity   = GW'(1) << GainFrac;
  localparam logic [GW-1:0] Step    = Unity >> SlopeSh;                 // beta, Q1.23
  localparam int unsigned Groups    = 4;                                // of 8 entries: a channel's 32
  localparam int unsigned SW        = 56;                               // |S|, A < 20 * 2^47 < 2^52
  localparam int unsigned NW        = 60;                               // n < 19 * 2^52, M < 2^58
  localparam int unsigned DW        = 84;                               // numerators < 2^77, divisor << 23 < 2^81
  localparam int unsigned DivSteps  = GW / 2;                           // two quotient bits a step: bits 23..0
  // Steps (see the header): each pass starts where the previous one's operands end; each window of maxima
  // starts once the values it reads are final (one step after the last accumulation) and lasts Groups.
  localparam logic [6:0] P1L        = 7'd0;                             // left pass 1
  localparam logic [6:0] P2L        = P1L + 7'(Taps);                   // left pass 2 (20)
  localparam logic [6:0] P1R        = P2L + 7'(Taps - 1);               // right pass 1 (39)
  localparam logic [6:0] P2R        = P1R + 7'(Taps);                   // right pass 2 (59)
  localparam logic [6:0] IssueEnd   = P2R + 7'(Taps - 1);               // 78
  localparam logic [6:0] SaL        = P2L + 7'd1;                       // S*, A* of the left (21..24)
  localparam logic [6:0] NmL        = P1R + 7'd1;                       // N*, M* of the left (40..43)
  localparam logic [6:0] SaR        = P2R + 7'd1;                       // S*, A* of the right (60..63)
  localparam logic [6:0] NmR        = IssueEnd + 7'd1;                  // N*, M* of the right (79..82)
  localparam logic [6:0] StepLoad   = NmR + 7'(Groups);                 // 83
  localparam logic [6:0] StepGain   = StepLoad + 7'(DivSteps) + 7'd1;   // 96
  localparam logic [6:0] LastStep   = StepGain + 7'd1;                  // 97

  // Taps, shared with the model (never typed in here); phase 0 is zeros and unused.
  logic [16:0] ref_taps [Phases * Taps];
  initial $readmemh(`LATHE_TP_REF32_HEX, ref_taps);

  // ---------------------------------------------------------------------------------------------
  // Sequencing
  typedef enum logic [1:0] {
    StIdle,
    StRun,
    StOut
  } state_e;
  state_e     state_q, state_d;
  logic [6:0] step_q, step_d;

  logic init_q, clear, hs;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) init_q <= 1'b1;
    else         init_q <= 1'b0;
  end
  assign clear      = clear_i || init_q;
  assign in_ready_o = (state_q == StIdle) && !clear;
  assign hs         = in_valid_i && in_ready_o;

  always_comb begin
    state_d = state_q;
    step_d  = step_q;
    unique case (state_q)
      StIdle: begin
        if (hs) begin
          state_d = StRun;
          step_d  = '0;
        end
      end
      StRun: begin
        step_d = step_q + 7'd1;
        if (step_q == LastStep) state_d = StOut;
      end
      StOut: begin
        if (out_ready_i) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
    if (clear) begin
      state_d = StIdle;
      step_d  = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      step_q  <= '0;
    end else begin
      state_q <= state_d;
      step_q  <= step_d;
    end
  end

  // Issue: which pass and channel this step's products belong to, and their tap index. Windows of maxima:
  // which group of 8 entries, and of which channel.
  logic run, issue1, issue2, issue_r, at_load, at_div, at_gain, at_out;
  logic at_sa, at_nm, sa_r, nm_l, end_left, start_cut_r;
  logic [4:0] idx;  // the tap index of this step's products
  logic [1:0] g_sa, g_nm;
  assign run = (state_q == StRun);
  always_comb begin
    issue1  = 1'b0;
    issue2  = 1'b0;
    issue_r = 1'b0;
    idx     = '0;
    if (step_q < P2L) begin
      issue1 = run;
      idx    = 5'(step_q - P1L);
    end else if (step_q < P1R) begin
      issue2 = run;
      idx    = 5'(step_q - P2L);
    end else if (step_q < P2R) begin
      issue1  = run;
      issue_r = 1'b1;
      idx     = 5'(step_q - P1R);
    end else if (step_q < IssueEnd) begin
      issue2  = run;
      issue_r = 1'b1;
      idx     = 5'(step_q - P2R);
    end
  end
  always_comb begin
    at_sa = 1'b0;
    at_nm = 1'b0;
    sa_r  = 1'b0;
    nm_l  = 1'b0;
    g_sa  = '0;
    g_nm  = '0;
    if (step_q >= SaL && step_q < SaL + 7'(Groups)) begin
      at_sa = run;
      g_sa  = 2'(step_q - SaL);
    end else if (step_q >= SaR && step_q < SaR + 7'(Groups)) begin
      at_sa = run;
      sa_r  = 1'b1;
      g_sa  = 2'(step_q - SaR);
    end
    if (step_q >= NmL && step_q < NmL + 7'(Groups)) begin
      at_nm = run;
      nm_l  = 1'b1;
      g_nm  = 2'(step_q - NmL);
    end else if (step_q >= NmR && step_q < NmR + 7'(Groups)) begin
      at_nm = run;
      g_nm  = 2'(step_q - NmR);
    end
  end
  // The left's pass 2 has read S for the last time (its last product is accumulated now): latch |S|, and
  // S and A start over. The left's N* and M* are taken: q and n start over.
  assign end_left    = run && (step_q == P1R);
  assign start_cut_r = run && (step_q == P2R);
  assign at_load     = run && (step_q == StepLoad);
  assign at_div      = run && (step_q > StepLoad) && (step_q < StepGain);
  assign at_gain     = run && (step_q == StepGain);
  assign at_out      = run && (step_q == LastStep);

  // Products of the previous step belong to pass 1 or pass 2.
  logic acc1_q, acc2_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc1_q <= 1'b0;
      acc2_q <= 1'b0;
    end else begin
      acc1_q <= issue1 && !clear;
      acc2_q <= issue2 && !clear;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Histories: h[j] of channel ch at hist_q[Taps * ch + j]; the handshake shifts in the frame.
  // Unpacked (an array of words, not one 1280-bit vector): a Verilated model then moves words.
  logic signed [31:0] hist_q [2*Taps];
  for (genvar j = 0; j < 2 * Taps; j++) begin : g_hist
    always_ff @(posedge clk_i) begin
      if (clear) hist_q[j] <= '0;
      else if (hs) hist_q[j] <= (j == 0) ? signed'(in_left_i) : (j == Taps) ? signed'(in_right_i) : hist_q[j-1];
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Audio delay: written at the handshake, read at the same time Delay entries behind.
  logic [RingBits-1:0] wr_q, wr_d;
  logic [5:0]          fill_q, fill_d;   // frames since clear, up to Delay
  logic                delay_ok_q, delay_ok_d;
  logic [63:0]         dl_rdata;
  lathe_lim_ram #(
    .Width (64),
    .Depth (RingDepth)
  ) u_delay (
    .clk_i   (clk_i),
    .we_i    (hs),
    .waddr_i (wr_q),
    .wdata_i ({in_left_i, in_right_i}),
    .re_i    (hs),
    .raddr_i (wr_q - RingBits'(Delay)),
    .rdata_o (dl_rdata)
  );
  always_comb begin
    wr_d       = wr_q;
    fill_d     = fill_q;
    delay_ok_d = delay_ok_q;
    if (clear) begin
      wr_d   = '0;
      fill_d = '0;
    end else if (hs) begin
      wr_d       = wr_q + 1'b1;
      fill_d     = (fill_q == 6'(Delay)) ? fill_q : fill_q + 6'd1;
      delay_ok_d = fill_q == 6'(Delay);
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q       <= '0;
      fill_q     <= '0;
      delay_ok_q <= 1'b0;
    end else begin
      wr_q       <= wr_d;
      fill_q     <= fill_d;
      delay_ok_q <= delay_ok_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Lanes. Entry e = p of a channel's 32 entries (p = 0: phase 0): |S|, A, n of the channel in the lanes.
  // Unpacked for the same reason as the histories.
  logic signed [31:0] h_now, h_centre;
  logic        [31:0] centre_mag;
  assign h_now      = hist_q[(issue_r ? 6'(Taps) : 6'd0) + 6'(idx)];
  assign h_centre   = hist_q[sa_r ? 6'(Taps + Centre) : 6'(Centre)];
  assign centre_mag = h_centre[31] ? 32'(-h_centre) : h_centre;  // |INT32_MIN| = 2^31

  logic [NW-1:0] e_s [Phases], e_a [Phases];  // S*, A* entries of the channel in the window (sa_r)
  logic [SW-1:0] e_mag [Phases], e_sl [Phases];  // |S| now and the left's latched |S|: 0 for phase 0
  logic [NW-1:0] e_n [Phases];                // (the model's M* and N* leave phase 0 out)
  assign e_s[0]   = NW'({centre_mag, 16'h0000});
  assign e_a[0]   = NW'({centre_mag, 16'h0000});
  assign e_mag[0] = '0;
  assign e_sl[0]  = '0;
  assign e_n[0]   = '0;

  // Lane arithmetic as functions, called inside the accumulators' enabled branches (not continuous
  // assignments): a simulation then forms them only on the steps that accumulate.
  function automatic logic [48:0] prod_abs(input logic signed [48:0] c);  // |c| <= 2^47
    prod_abs = c[48] ? 49'(-c) : c;
  endfunction
  function automatic logic signed [SW-1:0] cut_q(input logic signed [SW-1:0] q, input logic signed [SW-1:0] s,
                                                 input logic signed [48:0] c);  // q + sgn(S) c
    cut_q = q + (s[SW-1] ? -(SW'(c)) : SW'(c));
  endfunction
  function automatic logic [NW-1:0] cut_dist(input logic signed [SW-1:0] q, input logic [SW-1:0] m);
    logic [SW-1:0] below, above;
    below = unsigned'(-q);     // q < 0: its distance to 0
    above = unsigned'(q) - m;  // q > |S|: its distance to |S|
    if (q[SW-1])               cut_dist = NW'(below);
    else if (unsigned'(q) > m) cut_dist = NW'(above);
    else                       cut_dist = '0;
  endfunction

  for (genvar p = 1; p < Phases; p++) begin : g_lane
    logic signed [16:0] tap;
    logic signed [48:0] prod_q;
    logic signed [SW-1:0] s_q, q_q;
    logic        [SW-1:0] a_q, mag, sl_q;
    logic        [NW-1:0] n_q;
    assign tap = signed'(ref_taps[10'(Taps * p) + 10'(idx)]);
    // Only on the cycles that issue a product (its only readers are acc1_q / acc2_q, the
    // cycle after): a simulation then multiplies on those cycles only, not on every
    // cycle of the frame period the core idles through.
    always_ff @(posedge clk_i) begin
      if (issue1 || issue2) prod_q <= 49'(tap) * 49'(h_now);
    end
    assign mag = s_q[SW-1] ? SW'(-s_q) : s_q;
    // Each pass's accumulators start over before its first product: at the handshake for the left,
    // and, for the right, on the step whose accumulation does not touch them (the left's last pass-2
    // product, which still reads S; the right's last pass-1 product, which leaves q and n alone).
    always_ff @(posedge clk_i) begin
      if (hs || end_left) begin
        s_q <= '0;
        a_q <= '0;
      end else if (acc1_q) begin
        s_q <= s_q + SW'(prod_q);
        a_q <= a_q + SW'(prod_abs(prod_q));
      end
      if (hs || start_cut_r) begin
        q_q <= '0;
        n_q <= '0;
      end else if (acc2_q) begin
        q_q <= cut_q(q_q, s_q, prod_q);
        n_q <= n_q + cut_dist(cut_q(q_q, s_q, prod_q), mag);
      end
      if (end_left) sl_q <= mag;  // the left's |S|, for its M* (S starts over for the right)
    end
    assign e_s[p]   = NW'(mag);
    assign e_a[p]   = NW'(a_q);
    assign e_mag[p] = mag;
    assign e_sl[p]  = sl_q;
    assign e_n[p]   = n_q;  // M = 19 |S| + n: formed on the selected entries
  end

  // ---------------------------------------------------------------------------------------------
  // Maxima: per window step, group g (entries 8 g .. 8 g + 7) of each quantity through one tree of 8 into
  // its running maximum, which the handshake zeroes (every entry is >= 0). Every entry in NW bits (|S| and A
  // zero-extended).
  function automatic logic [NW-1:0] max2(input logic [NW-1:0] a, input logic [NW-1:0] b);
    max2 = (a > b) ? a : b;
  endfunction
  function automatic logic [NW-1:0] max8v(input logic [NW-1:0] v0, input logic [NW-1:0] v1, input logic [NW-1:0] v2,
                                          input logic [NW-1:0] v3, input logic [NW-1:0] v4, input logic [NW-1:0] v5,
                                          input logic [NW-1:0] v6, input logic [NW-1:0] v7);
    max8v = max2(max2(max2(v0, v1), max2(v2, v3)), max2(max2(v4, v5), max2(v6, v7)));
  endfunction
  function automatic logic [NW-1:0] times19(input logic [SW-1:0] v);  // shifts and adds: no multiplier
    times19 = (NW'(v) << 4) + (NW'(v) << 1) + NW'(v);
  endfunction
  // M of an entry: 19 |S| + n, |S| the left's latched one during the left's window (nm_l).
  function automatic logic [NW-1:0] m_of(input logic l, input logic [SW-1:0] sl, input logic [SW-1:0] mg,
                                         input logic [NW-1:0] n);
    m_of = times19(l ? sl : mg) + n;
  endfunction
  // The group's entries are read by index ({g, k} = 8 g + k) inside the enabled branches, not through
  // continuous selection muxes: a simulation then selects and compares only in the windows.
  logic [NW-1:0] s_max_q, a_max_q, n_max_q, m_max_q;
  always_ff @(posedge clk_i) begin
    if (hs) begin
      s_max_q <= '0;
      a_max_q <= '0;
      n_max_q <= '0;
      m_max_q <= '0;
    end else begin
      if (at_sa) begin
        s_max_q <= max2(s_max_q, max8v(e_s[{g_sa, 3'd0}], e_s[{g_sa, 3'd1}], e_s[{g_sa, 3'd2}], e_s[{g_sa, 3'd3}],
                                       e_s[{g_sa, 3'd4}], e_s[{g_sa, 3'd5}], e_s[{g_sa, 3'd6}], e_s[{g_sa, 3'd7}]));
        a_max_q <= max2(a_max_q, max8v(e_a[{g_sa, 3'd0}], e_a[{g_sa, 3'd1}], e_a[{g_sa, 3'd2}], e_a[{g_sa, 3'd3}],
                                       e_a[{g_sa, 3'd4}], e_a[{g_sa, 3'd5}], e_a[{g_sa, 3'd6}], e_a[{g_sa, 3'd7}]));
      end
      if (at_nm) begin
        n_max_q <= max2(n_max_q, max8v(e_n[{g_nm, 3'd0}], e_n[{g_nm, 3'd1}], e_n[{g_nm, 3'd2}], e_n[{g_nm, 3'd3}],
                                       e_n[{g_nm, 3'd4}], e_n[{g_nm, 3'd5}], e_n[{g_nm, 3'd6}], e_n[{g_nm, 3'd7}]));
        m_max_q <= max2(m_max_q, max8v(
            m_of(nm_l, e_sl[{g_nm, 3'd0}], e_mag[{g_nm, 3'd0}], e_n[{g_nm, 3'd0}]),
            m_of(nm_l, e_sl[{g_nm, 3'd1}], e_mag[{g_nm, 3'd1}], e_n[{g_nm, 3'd1}]),
            m_of(nm_l, e_sl[{g_nm, 3'd2}], e_mag[{g_nm, 3'd2}], e_n[{g_nm, 3'd2}]),
            m_of(nm_l, e_sl[{g_nm, 3'd3}], e_mag[{g_nm, 3'd3}], e_n[{g_nm, 3'd3}]),
            m_of(nm_l, e_sl[{g_nm, 3'd4}], e_mag[{g_nm, 3'd4}], e_n[{g_nm, 3'd4}]),
            m_of(nm_l, e_sl[{g_nm, 3'd5}], e_mag[{g_nm, 3'd5}], e_n[{g_nm, 3'd5}]),
            m_of(nm_l, e_sl[{g_nm, 3'd6}], e_mag[{g_nm, 3'd6}], e_n[{g_nm, 3'd6}]),
            m_of(nm_l, e_sl[{g_nm, 3'd7}], e_mag[{g_nm, 3'd7}], e_n[{g_nm, 3'd7}])));
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Dividers: floor(num / den) saturated at 2^23 (unity). Load: sat = num >= den << 23, rem = num,
  // dsh = den << 23; then per step two restoring steps: bit = rem >= dsh, rem -= bit ? dsh : 0, dsh >>= 1.
  // The first bit (23) is rem >= den << 23, the saturation itself: 0 whenever the quotient is used, so the
  // 24 bits are the 23 of a divider that starts at den << 22. The 84-bit operands and steps are functions
  // called in the load and step branches, not continuous assignments: a simulation then forms them only
  // at StepLoad and on the 12 steps, not word by word on every clock.
  function automatic logic [DW-1:0] cs_of(input logic [31:0] c);  // C / beta = ceiling << 22
    cs_of = DW'(c) << (16 + SlopeSh);
  endfunction
  function automatic logic x_ok_of(input logic [31:0] c, input logic [NW-1:0] n, input logic [NW-1:0] m);
    x_ok_of = (DW'(n) < cs_of(c)) && (DW'(m) <= cs_of(c));  // N* < C / beta and M* <= C / beta
  endfunction
  function automatic logic [DW-1:0] x_num_of(input logic [31:0] c, input logic [NW-1:0] n);
    x_num_of = (cs_of(c) - DW'(n)) << GainFrac;
  endfunction
  function automatic logic [DW-1:0] x_den_of(input logic [NW-1:0] s);
    x_den_of = DW'(s) << SlopeSh;
  endfunction
  function automatic logic [DW-1:0] y_num_of(input logic [31:0] c);
    y_num_of = DW'(c) << (16 + GainFrac);
  endfunction
  // Two restoring steps: the remainder after them, and the two quotient bits.
  function automatic logic [DW-1:0] div_rem(input logic [DW-1:0] rem, input logic [DW-1:0] dsh);
    logic [DW-1:0] rem1;
    rem1    = (rem >= dsh) ? rem - dsh : rem;
    div_rem = (rem1 >= (dsh >> 1)) ? rem1 - (dsh >> 1) : rem1;
  endfunction
  function automatic logic [1:0] div_bits(input logic [DW-1:0] rem, input logic [DW-1:0] dsh);
    logic [DW-1:0] rem1;
    rem1     = (rem >= dsh) ? rem - dsh : rem;
    div_bits = {rem >= dsh, rem1 >= (dsh >> 1)};
  endfunction

  logic [DW-1:0] x_rem_q, x_dsh_q, y_rem_q, y_dsh_q;
  logic [GW-1:0] x_quo_q, y_quo_q;
  logic          x_sat_q, y_sat_q, x_ok_q;
  always_ff @(posedge clk_i) begin
    if (at_load) begin
      x_ok_q  <= x_ok_of(ceiling_i, n_max_q, m_max_q);
      x_sat_q <= x_num_of(ceiling_i, n_max_q) >= (x_den_of(s_max_q) << GainFrac);
      y_sat_q <= y_num_of(ceiling_i) >= (DW'(a_max_q) << GainFrac);
      x_rem_q <= x_num_of(ceiling_i, n_max_q);
      y_rem_q <= y_num_of(ceiling_i);
      x_dsh_q <= x_den_of(s_max_q) << GainFrac;
      y_dsh_q <= DW'(a_max_q) << GainFrac;
      x_quo_q <= '0;
      y_quo_q <= '0;
    end else if (at_div) begin
      x_quo_q <= {x_quo_q[GW-3:0], div_bits(x_rem_q, x_dsh_q)};
      y_quo_q <= {y_quo_q[GW-3:0], div_bits(y_rem_q, y_dsh_q)};
      x_rem_q <= div_rem(x_rem_q, x_dsh_q);
      y_rem_q <= div_rem(y_rem_q, y_dsh_q);
      x_dsh_q <= x_dsh_q >> 2;
      y_dsh_q <= y_dsh_q >> 2;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Requirement, hold, envelope. Rings as shift registers, entry 0 the oldest: req_q[k] (20), held_q[k] (65).
  // Unpacked and shifted element-wise, as the histories (not 480- and 1560-bit vectors copied every cycle):
  // a Verilated model then moves 85 words, and only at StepGain.
  logic [GW-1:0] req_q [Taps];
  logic [GW-1:0] held_q [Envelope];
  logic [GW-1:0] x_val, y_val, r_new, h_new;
  logic [EW-1:0] g_new;
  assign x_val = !x_ok_q ? '0 : (x_sat_q ? Unity : GW'(x_quo_q));
  assign y_val = y_sat_q ? Unity : GW'(y_quo_q);
  assign r_new = (x_val > y_val) ? x_val : y_val;

  for (genvar k = 0; k < Taps; k++) begin : g_req
    if (k == Taps - 1) begin : g_newest
      always_ff @(posedge clk_i) begin
        if (clear)        req_q[k] <= Unity;
        else if (at_gain) req_q[k] <= r_new;
      end
    end else begin : g_shift
      always_ff @(posedge clk_i) begin
        if (clear)        req_q[k] <= Unity;
        else if (at_gain) req_q[k] <= req_q[k+1];
      end
    end
  end
  for (genvar k = 0; k < Envelope; k++) begin : g_held
    if (k == Envelope - 1) begin : g_newest
      always_ff @(posedge clk_i) begin
        if (clear)        held_q[k] <= Unity;
        else if (at_gain) held_q[k] <= h_new;
      end
    end else begin : g_shift
      always_ff @(posedge clk_i) begin
        if (clear)        held_q[k] <= Unity;
        else if (at_gain) held_q[k] <= held_q[k+1];
      end
    end
  end

  // The minimum of the 19 requirements that stay (entries 1..19) and unity, and of the 64 held values that
  // stay (entries 1..64, which become k = 0..63) plus their distance terms beta |k - Reach|: trees of 8,
  // the envelope's in two register stages. The rings move only at StepGain (or at clear_i, which ends the
  // run), so they stand still from the step after the previous frame's StepGain: the stages are enabled
  // only on the two steps before StepGain (env_part_q at StepGain - 2, req_old_q and env_old_q at
  // StepGain - 1), and hold at StepGain the values an every-cycle register would, while a simulation does
  // not evaluate the trees every clock.
  function automatic logic [EW-1:0] min2(input logic [EW-1:0] a, input logic [EW-1:0] b);
    min2 = (a < b) ? a : b;
  endfunction
  function automatic logic [EW-1:0] min8(input logic [EW-1:0] v0, input logic [EW-1:0] v1, input logic [EW-1:0] v2,
                                         input logic [EW-1:0] v3, input logic [EW-1:0] v4, input logic [EW-1:0] v5,
                                         input logic [EW-1:0] v6, input logic [EW-1:0] v7);
    min8 = min2(min2(min2(v0, v1), min2(v2, v3)), min2(min2(v4, v5), min2(v6, v7)));
  endfunction
  // Held entry k + 1 (k = 0..63 once the ring shifts) plus its distance term.
  function automatic logic [EW-1:0] env_term(input logic [GW-1:0] h, input int unsigned k);
    env_term = EW'(h) + EW'(Step) * EW'((k < Reach) ? Reach - k : k - Reach);
  endfunction
  logic at_env_part, at_env_old;
  assign at_env_part = run && (step_q == StepGain - 7'd2);
  assign at_env_old  = run && (step_q == StepGain - 7'd1);

  logic [EW-1:0] env_part_q [8];
  logic [EW-1:0] env_old_q;
  logic [GW-1:0] req_old_q;
  for (genvar g = 0; g < 8; g++) begin : g_env_part
    always_ff @(posedge clk_i) begin
      if (at_env_part) begin
        env_part_q[g] <= min8(env_term(held_q[8*g+1], 8*g+0), env_term(held_q[8*g+2], 8*g+1),
                              env_term(held_q[8*g+3], 8*g+2), env_term(held_q[8*g+4], 8*g+3),
                              env_term(held_q[8*g+5], 8*g+4), env_term(held_q[8*g+6], 8*g+5),
                              env_term(held_q[8*g+7], 8*g+6), env_term(held_q[8*g+8], 8*g+7));
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (at_env_old) begin
      req_old_q <= GW'(min2(min2(min8(EW'(req_q[1]),  EW'(req_q[2]),  EW'(req_q[3]),  EW'(req_q[4]),
                                      EW'(req_q[5]),  EW'(req_q[6]),  EW'(req_q[7]),  EW'(req_q[8])),
                                 min8(EW'(req_q[9]),  EW'(req_q[10]), EW'(req_q[11]), EW'(req_q[12]),
                                      EW'(req_q[13]), EW'(req_q[14]), EW'(req_q[15]), EW'(req_q[16]))),
                            min2(min2(EW'(req_q[17]), EW'(req_q[18])), min2(EW'(req_q[19]), EW'(Unity)))));  // <= unity
      env_old_q <= min8(env_part_q[0], env_part_q[1], env_part_q[2], env_part_q[3],
                        env_part_q[4], env_part_q[5], env_part_q[6], env_part_q[7]);
    end
  end

  logic [EW-1:0] newest;
  always_comb begin
    h_new  = (r_new < req_old_q) ? r_new : req_old_q;
    newest = EW'(h_new) + EW'(Step) * EW'(Reach);
    g_new  = (newest < env_old_q) ? newest : env_old_q;  // env_old_q <= unity
  end

  // ---------------------------------------------------------------------------------------------
  // Output: sgn(y) ((|y| gain) >> 23) of the delayed frame.
  logic [GW-1:0] gain_q;
  always_ff @(posedge clk_i) begin
    if (at_gain) gain_q <= g_new[GW-1:0];
  end

  function automatic logic signed [31:0] apply_gain(logic signed [31:0] v, logic [GW-1:0] g);
    logic [31:0] m, z;
    m = v[31] ? 32'(-v) : v;  // |INT32_MIN| = 2^31
    z = 32'((55'(m) * 55'(g)) >> GainFrac);  // <= 2^31
    apply_gain = v[31] ? -z : z;
  endfunction

  logic signed [31:0] dl_left, dl_right, out_left_q, out_right_q;
  assign dl_left  = delay_ok_q ? signed'(dl_rdata[63:32]) : 32'sd0;
  assign dl_right = delay_ok_q ? signed'(dl_rdata[31:0]) : 32'sd0;
  always_ff @(posedge clk_i) begin
    if (at_out) begin
      out_left_q  <= apply_gain(dl_left, gain_q);
      out_right_q <= apply_gain(dl_right, gain_q);
    end
  end

  logic unused;
  assign unused = g_new[EW-1];  // <= unity

  assign out_valid_o = (state_q == StOut);
  assign out_left_o  = out_left_q;
  assign out_right_o = out_right_q;
endmodule
