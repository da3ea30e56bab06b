// SPDX-License-Identifier: MIT
// Limiter hold (the sliding minimum of model::TruePeakLimiter::apply): the running minimum of the current block of HoldBlock samples and of the last hold_blocks complete blocks, kept in a ring of MaxHoldBlocks block minima (lathe_regs_pkg).
//
// The model recomputes ring_min from the last hold_blocks ring entries at every block boundary. Here the
// hold_blocks - 1 older of those entries are folded into partial_q while the block runs (two ring reads per
// frame, offsets 2p + 1 and 2p + 2 behind the write position for block position p: 2 HoldBlock >= MaxHoldBlocks - 1,
// which regmap/lathe.regs checks), so the
// boundary only takes the minimum of partial_q and the block just finished. The minimum is order-free, so
// this equals the model's loop. Entries not written since the last clear read as the model's zeros: they are
// skipped (partial_q starts at 0), which needs no walk over the ring at clear.
module lathe_lim_hold (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,        // model reset(): empty block, ring and minima (also after reset)
  input  logic [$clog2(lathe_regs_pkg::MaxHoldBlocks):0] hold_blocks_i,  // 1..MaxHoldBlocks, stable between clears
  input  logic               scan_i,         // a frame starts: fold two ring entries (3 cycles, before update_i)
  input  logic               update_i,       // take required_i into the hold
  input  logic signed [31:0] required_i,
  output logic signed [31:0] held_o          // with update_i: min(block minimum incl. required_i, ring_min)
);
  localparam int unsigned RingBits   = $clog2(lathe_regs_pkg::MaxHoldBlocks);  // block minima in the ring
  localparam int unsigned PosBits    = $clog2(lathe_regs_pkg::HoldBlock);      // sample within a block
  localparam int unsigned OffsetBits = RingBits + 1;                           // ring offsets 0..MaxHoldBlocks
  localparam logic [PosBits-1:0] LastInBlock = PosBits'(lathe_regs_pkg::HoldBlock - 1);

  logic signed [31:0]    block_min_q, block_min_d;
  logic signed [31:0]    ring_min_q, ring_min_d;
  logic signed [31:0]    partial_q, partial_d;
  logic [PosBits-1:0]    block_pos_q, block_pos_d;
  logic [RingBits-1:0]   ring_wr_q, ring_wr_d;
  logic [RingBits-1:0]   blocks_q, blocks_d;  // complete blocks since clear, saturating at all ones
  logic [1:0]            scan_q, scan_d;      // scan_q[0]: first read's data arrives; scan_q[1]: second's
  logic [OffsetBits-1:0] offset_q, offset_d;  // ring offset of the entry arriving now

  logic signed [31:0] bmin_new;  // the block minimum including required_i

  // Ring of block minima
  logic                ring_we;
  logic                ring_re;
  logic [RingBits-1:0] ring_raddr;
  logic         [31:0] ring_rdata;
  lathe_lim_ram #(
    .Width (32),
    .Depth (lathe_regs_pkg::MaxHoldBlocks)
  ) u_ring (
    .clk_i   (clk_i),
    .we_i    (ring_we),
    .waddr_i (ring_wr_q),
    .wdata_i (bmin_new),
    .re_i    (ring_re),
    .raddr_i (ring_raddr),
    .rdata_o (ring_rdata)
  );

  logic                  boundary;
  logic [OffsetBits-1:0] first_offset;
  logic                  entry_in;  // the arriving entry is one of the hold_blocks - 1 older ones, written since clear
  always_comb begin
    bmin_new     = (required_i < block_min_q) ? required_i : block_min_q;
    held_o       = (ring_min_q < bmin_new) ? ring_min_q : bmin_new;
    boundary     = update_i && (block_pos_q == LastInBlock);
    first_offset = OffsetBits'({block_pos_q, 1'b1});  // 2p + 1
    entry_in     = (offset_q < hold_blocks_i) && (offset_q <= {1'b0, blocks_q});
  end

  always_comb begin
    block_min_d = block_min_q;
    ring_min_d  = ring_min_q;
    partial_d   = partial_q;
    block_pos_d = block_pos_q;
    ring_wr_d   = ring_wr_q;
    blocks_d    = blocks_q;
    scan_d      = {scan_q[0], scan_i};
    offset_d    = offset_q;
    ring_we     = 1'b0;
    ring_re     = 1'b0;
    ring_raddr  = ring_wr_q - RingBits'(first_offset);

    // Scan: read offset 2p + 1 on scan_i, 2p + 2 on the next cycle; fold each the cycle after its read.
    if (scan_i) begin
      ring_re    = 1'b1;
      ring_raddr = ring_wr_q - RingBits'(first_offset);
      offset_d   = first_offset;
    end else if (scan_q[0]) begin
      ring_re    = 1'b1;
      ring_raddr = ring_wr_q - RingBits'(offset_q + 1'b1);
      offset_d   = offset_q + 1'b1;
    end
    if ((scan_q[0] || scan_q[1]) && entry_in && (signed'(ring_rdata) < partial_q)) begin
      partial_d = signed'(ring_rdata);
    end

    if (update_i) begin
      if (boundary) begin
        ring_we     = 1'b1;                 // ring[ring_wr] = bmin_new
        block_min_d = '0;
        ring_wr_d   = ring_wr_q + 1'b1;
        block_pos_d = '0;
        ring_min_d  = (bmin_new < partial_q) ? bmin_new : partial_q;
        partial_d   = '0;
        blocks_d    = (blocks_q == '1) ? blocks_q : blocks_q + 1'b1;
      end else begin
        block_min_d = bmin_new;
        block_pos_d = block_pos_q + 1'b1;
      end
    end

    if (clear_i) begin
      block_min_d = '0;
      ring_min_d  = '0;
      partial_d   = '0;
      block_pos_d = '0;
      ring_wr_d   = '0;
      blocks_d    = '0;
      scan_d      = '0;
      ring_we     = 1'b0;
      ring_re     = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      block_pos_q <= '0;
      ring_wr_q   <= '0;
      blocks_q    <= '0;
      scan_q      <= '0;
    end else begin
      block_pos_q <= block_pos_d;
      ring_wr_q   <= ring_wr_d;
      blocks_q    <= blocks_d;
      scan_q      <= scan_d;
    end
  end

  // Datapath: no reset, the limiter pulses clear_i after reset.
  always_ff @(posedge clk_i) begin
    block_min_q <= block_min_d;
    ring_min_q  <= ring_min_d;
    partial_q   <= partial_d;
    offset_q    <= offset_d;
  end
endmodule
