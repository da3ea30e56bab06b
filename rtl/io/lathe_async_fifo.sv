// SPDX-License-Identifier: MIT
// Dual-clock valid/ready FIFO: words written on wclk_i come out on rclk_i in order, the two
// clocks unrelated (the live path's I2S bit clock and the core clock).
//
// The one clock-domain crossing pattern of the RTL (docs/rtl.md, "Clock-domain crossings"):
// Cummings, "Simulation and Synthesis Techniques for Asynchronous FIFO Design" (SNUG 2002),
// with the style 2 pointers (a binary and a Gray register per side, both loaded from the
// next binary value), as OpenTitan's prim_fifo_async.
//
// Pointers. Each side counts in binary with one bit more than the address (Depth+1 fill
// levels: full and empty differ in the top bit) and keeps the Gray code of the count in a
// register. Only the Gray registers cross, each through a lathe_sync_2ff: between two
// consecutive counts exactly one Gray bit changes, so a synchroniser that samples it in the
// middle of a change resolves to the old count or the new one, never to a third value (a
// binary count changes several bits at once, 0111 -> 1000, and a sample in the middle could
// read as anything). The register feeds the synchroniser directly, so no logic glitch
// crosses. Each side turns the other's synchronised pointer back to binary and subtracts:
// the pointer it sees is 2-3 of its own clocks old, so wdepth_o is pessimistic (at least
// the true fill: wready_o may be low while a word is already read) and rdepth_o at most
// the true fill (a word appears 2-3 rclk_i edges after its write).
//
// Memory. A flop array or LUTRAM, written on wclk_i at the write pointer and read
// combinationally at the read pointer (rdata_o = mem[rptr]), no read register: the FIFO is
// small (Depth 8 of a 48-bit stereo frame in the live path), so distributed RAM with an
// asynchronous read fits it, and a registered read (block RAM) would need an output stage
// and a cycle more to keep valid/ready. The read crosses domains without a synchroniser,
// which is safe because an entry is read only after the write pointer that covers it has
// come through the synchroniser, two rclk_i edges after the entry was written, and the
// writer does not write it again until the read pointer has passed it (full). For timing,
// the paths from mem to the read side and from each Gray register into its synchroniser
// are data paths (set_max_delay -datapath_only) of at most the shorter clock period: a
// pointer's bits must arrive within one step of each other for the Gray rule to hold.
//
// Streams. wready_o = not full, rvalid_o = not empty. rdata_o stays stable while rvalid_o
// && !rready_i: the read pointer only moves on a pop and the entry under it is not written.
//
// Resets. Each side's reset input is active low, asserted asynchronously and released
// synchronously to its clock. Either reset empties the FIFO on both sides: the two inputs
// are ANDed and the result resets both sides' pointers and synchronisers at once (async
// assertion needs no clock, so this holds with the other clock stopped); each side leaves
// reset two of its own clock edges after both inputs are high (a lathe_sync_2ff as reset
// synchroniser). So neither side ever sees the other's pointer jump to zero (a multi-bit
// change no synchroniser can carry): words not yet read when either reset asserts are
// dropped, wready_o is low while the write side is in reset, and neither side sees a word
// from before the reset afterwards. A side whose clock is stopped when a reset comes stays
// in reset until its clock runs again; the other side works on (a writer fills the FIFO, a
// reader finds it empty). A clock may stop and restart without any reset: the FIFO then
// just pauses.
module lathe_async_fifo #(
  parameter int unsigned Width = 48,  // data bits
  parameter int unsigned Depth = 8    // words, a power of two >= 4
) (
  // Write side, in the wclk_i domain.
  input  logic                   wclk_i,
  input  logic                   wrst_ni,
  input  logic                   wvalid_i,
  output logic                   wready_o,
  input  logic [Width-1:0]       wdata_i,
  output logic [$clog2(Depth):0] wdepth_o,  // fill level seen from the write side (>= true)
  // Read side, in the rclk_i domain.
  input  logic                   rclk_i,
  input  logic                   rrst_ni,
  output logic                   rvalid_o,
  input  logic                   rready_i,
  output logic [Width-1:0]       rdata_o,
  output logic [$clog2(Depth):0] rdepth_o   // fill level seen from the read side (<= true)
);
  localparam int unsigned AddrBits = $clog2(Depth);
  localparam int unsigned PtrBits  = AddrBits + 1;

  if (Depth < 4 || (Depth & (Depth - 1)) != 0) begin : g_bad_depth
    $error("lathe_async_fifo: Depth must be a power of two, at least 4");
  end

  function automatic logic [PtrBits-1:0] bin_to_gray(logic [PtrBits-1:0] bin);
    bin_to_gray = bin ^ (bin >> 1);
  endfunction

  function automatic logic [PtrBits-1:0] gray_to_bin(logic [PtrBits-1:0] gray);
    for (int unsigned i = 0; i < PtrBits; i++) gray_to_bin[i] = ^(gray >> i);  // xor of bits i and up
  endfunction

  // ---------------------------------------------------------------------------------------
  // Resets: either input resets both sides; each side is released on its own clock.
  logic rst_both_n;  // low while either reset input is low
  logic wrst_n, rrst_n;
  assign rst_both_n = wrst_ni && rrst_ni;

  // CDC: rst_both_n (rrst_ni from the read side) asserts the write side's reset at once; its
  // release is synchronised to wclk_i.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_wrst_sync (
    .clk_i (wclk_i),
    .rst_ni(rst_both_n),
    .d_i   (1'b1),
    .q_o   (wrst_n)
  );

  // CDC: rst_both_n (wrst_ni from the write side) asserts the read side's reset at once; its
  // release is synchronised to rclk_i.
  lathe_sync_2ff #(
    .Width     (1),
    .ResetValue(1'b0)
  ) u_rrst_sync (
    .clk_i (rclk_i),
    .rst_ni(rst_both_n),
    .d_i   (1'b1),
    .q_o   (rrst_n)
  );

  logic [Width-1:0] mem [Depth];
  // Write side (wclk_i).
  logic [PtrBits-1:0] wptr_q, wptr_d, wptr_gray_q, wptr_gray_d;
  logic [PtrBits-1:0] rptr_gray_wclk;  // the read pointer, 2-3 wclk_i edges old
  logic [PtrBits-1:0] rptr_wclk;
  logic               push;
  // Read side (rclk_i).
  logic [PtrBits-1:0] rptr_q, rptr_d, rptr_gray_q, rptr_gray_d;
  logic [PtrBits-1:0] wptr_gray_rclk;  // the write pointer, 2-3 rclk_i edges old
  logic [PtrBits-1:0] wptr_rclk;
  logic               pop;

  // ---------------------------------------------------------------------------------------
  // Write side.
  // CDC: the read side's Gray pointer into the write domain.
  lathe_sync_2ff #(
    .Width     (PtrBits),
    .ResetValue('0)
  ) u_rptr_sync (
    .clk_i (wclk_i),
    .rst_ni(wrst_n),
    .d_i   (rptr_gray_q),
    .q_o   (rptr_gray_wclk)
  );

  assign rptr_wclk = gray_to_bin(rptr_gray_wclk);
  assign wdepth_o  = wptr_q - rptr_wclk;
  assign wready_o  = wrst_n && (wdepth_o != PtrBits'(Depth));
  assign push      = wvalid_i && wready_o;

  always_comb begin
    wptr_d      = wptr_q + PtrBits'(push);
    wptr_gray_d = bin_to_gray(wptr_d);
  end

  always_ff @(posedge wclk_i) begin
    if (push) mem[wptr_q[AddrBits-1:0]] <= wdata_i;
  end

  always_ff @(posedge wclk_i or negedge wrst_n) begin
    if (!wrst_n) begin
      wptr_q      <= '0;
      wptr_gray_q <= '0;
    end else begin
      wptr_q      <= wptr_d;
      wptr_gray_q <= wptr_gray_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Read side.
  // CDC: the write side's Gray pointer into the read domain.
  lathe_sync_2ff #(
    .Width     (PtrBits),
    .ResetValue('0)
  ) u_wptr_sync (
    .clk_i (rclk_i),
    .rst_ni(rrst_n),
    .d_i   (wptr_gray_q),
    .q_o   (wptr_gray_rclk)
  );

  assign wptr_rclk = gray_to_bin(wptr_gray_rclk);
  assign rdepth_o  = wptr_rclk - rptr_q;
  // Zero in reset without a gate: both pointers and the synchroniser reset together.
  assign rvalid_o  = rdepth_o != '0;
  assign pop       = rvalid_o && rready_i;
  // CDC: mem is written on wclk_i; the entry at rptr_q was written before wptr_gray_rclk
  // counted it, so it is stable here (see the header).
  assign rdata_o   = mem[rptr_q[AddrBits-1:0]];

  always_comb begin
    rptr_d      = rptr_q + PtrBits'(pop);
    rptr_gray_d = bin_to_gray(rptr_d);
  end

  always_ff @(posedge rclk_i or negedge rrst_n) begin
    if (!rrst_n) begin
      rptr_q      <= '0;
      rptr_gray_q <= '0;
    end else begin
      rptr_q      <= rptr_d;
      rptr_gray_q <= rptr_gray_d;
    end
  end
endmodule
