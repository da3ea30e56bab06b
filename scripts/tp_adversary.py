#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Construct a signal that drives the true-peak limiter's output over its ceiling.

An analysis tool, not a test (it finds overs: issue 12 is open; docs/fixed-point.md,
"Why the output's reconstruction stays under the ceiling"). For each lookahead L and
spike depth D:

1. Measure the limiter's real gain profile around a deep reduction: a DC probe at half
   the pattern's scale (it needs no reduction itself) followed by a spike D dB louder,
   mastered with `lathe master` (neutral preset, no loudness target, no dither, release
   0.05 ms, drive so that the pattern sits at the limiter's aim).
2. Solve a linear programme for the samples before the spike (|x| <= 1 in pattern
   units): every 32x phase of the judge (scipy's resample_poly(x, 32, 1, kaiser 12),
   the reference of issue 12) and every BS.1770-4 / libebur128 Hann phase the detector
   also evaluates stays at or below the pattern scale, so the pattern changes no
   requirement and the gain stays the measured one; maximise the judge's value of
   gain x pattern at the points around where the gain starts to ramp down.
3. Master that signal for real and judge the output with the same reconstruction.

The prediction of step 2 matches the realised output to about 0.001 dB: the over comes
from the gain's modulation of the reconstruction, which the detector (on the ungained
signal) cannot see. Needs /usr/bin/python3 with numpy and scipy (python3-scipy).

Usage: scripts/tp_adversary.py [--lookaheads 22,44,88] [--depths 16,24] [--rate 44100]
                               [--ceiling -1] [--lathe build/bin/lathe]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.io.wavfile as wavfile
import scipy.signal as signal
from scipy.optimize import linprog

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The judge: scipy's 32x polyphase design, as tests/true_peak_reference.hpp has it.
PROTO = signal.firwin(641, 1 / 32, window=("kaiser", 12)) * 32


def hex_taps(name):
    words = [int(l, 16) for l in open(os.path.join(REPO, "tables", name)) if l.strip() and not l.startswith("//")]
    return np.array([w - 65536 if w >= 32768 else w for w in words], float)


# The detector's 4x phases (below 96 kHz), centred like its 32x phases.
BS1770 = hex_taps("tp_fir.hex").reshape(4, 12) / 8192
HANN4 = hex_taps("tp_hann4.hex").reshape(3, 12) / 16384


def judge_rows(q):
    """The judge's 32 points from sample q to q+1, as {sample index: tap}."""
    return [{q + k: PROTO[320 + p - 32 * k] for k in range(-12, 13) if 0 <= 320 + p - 32 * k < 641} for p in range(32)]


def detector_4x_rows(n):
    rows = [{n - 6 - k: BS1770[p][k] for k in range(12)} for p in range(4)]
    return rows + [{n - 6 - k: HANN4[p][k] for k in range(12)} for p in range(3)]


def judge_dbtp(y):
    return 20 * math.log10(np.max(np.abs(signal.resample_poly(y, 32, 1, window=("kaiser", 12)))))


def aim_dbtp(ceiling, lookahead):
    # ceiling_margin_db() of host/src/params.cpp; used only to place the pattern.
    return ceiling - (0.01 + 0.6 / lookahead)


class Lathe:
    def __init__(self, exe, workdir):
        self.exe, self.dir = exe, workdir
        self.preset = os.path.join(workdir, "neutral.json")
        with open(self.preset, "w") as f:
            json.dump({}, f)

    def master(self, x, fs, lookahead, drive_db, ceiling, tag):
        src, dst = os.path.join(self.dir, tag + "_in.wav"), os.path.join(self.dir, tag + "_out.wav")
        wavfile.write(src, fs, np.stack([x, x], 1).astype(np.float32))
        subprocess.run([self.exe, "master", "-q", "--preset", self.preset, "--target-lufs", "off",
                        "--ceiling-dbtp", str(ceiling),
                        "--set", "limiter.lookahead_ms=%.6f" % (1000.0 * lookahead / fs),
                        "--set", "limiter.drive_db=%.4f" % drive_db,
                        "--set", "limiter.release_ms=0.05", "--set", "dither.enabled=false", src, dst],
                       check=True)
        _, y = wavfile.read(dst)
        return y[:, 0].astype(np.float64) / 2**31


def attack(lathe, lookahead, depth_db, fs, ceiling, gap, span=160):
    scale = 10 ** (-depth_db / 20) * 0.99
    aim = aim_dbtp(ceiling, lookahead)
    drive = aim - 20 * math.log10(scale) - 0.003
    n, spike = int(0.12 * fs), int(0.08 * fs)
    lo, hi = spike - span, spike - gap  # the pattern's samples
    probe = np.zeros(n)
    probe[lo:hi + 1] = 0.5 * scale
    probe[spike] = scale * 10 ** (depth_db / 20)
    yp = lathe.master(probe, fs, lookahead, drive, ceiling, "probe")
    gain = np.ones(n)
    gain[lo:hi + 1] = yp[lo:hi + 1] / (0.5 * scale * 10 ** (drive / 20))

    index = {i: j for j, i in enumerate(range(lo, hi + 1))}
    rows = []
    for q in range(lo - 13, hi + 14):
        for r in judge_rows(q) + detector_4x_rows(q):
            row = np.zeros(len(index))
            for i, v in r.items():
                if i in index:
                    row[index[i]] += v
            if row.any():
                rows.append(row)
    a = np.array(rows)
    a_ub, b_ub = np.vstack([a, -a]), np.ones(2 * len(a))

    dips = [i for i in range(lo, hi + 1) if gain[i] < gain[lo] * (1 - 1e-5)]
    kink = dips[0] if dips else hi  # where the gain starts to ramp down
    best = (0.0, None, None)
    for q in range(max(lo + 12, kink - 4), min(hi - 12, kink + 4) + 1):
        for p, r in enumerate(judge_rows(q)):
            objective = np.zeros(len(index))
            for i, v in r.items():
                objective[index[i]] += v * gain[i]
            res = linprog(-objective, A_ub=a_ub, b_ub=b_ub, bounds=[(-1, 1)] * len(index), method="highs")
            if res.status == 0 and -res.fun > best[0]:
                best = (-res.fun, res.x, (q - kink, p))
    value, pattern, where = best
    if pattern is None:
        return {"lookahead": lookahead, "depth_db": depth_db, "rate": fs,
                "skipped": "the ramp starts within %d samples of the spike: try a smaller --gap" % gap}
    x = np.zeros(n)
    x[lo:hi + 1] = scale * pattern
    x[spike] = scale * 10 ** (depth_db / 20)
    out = judge_dbtp(lathe.master(x, fs, lookahead, drive, ceiling, "attack"))
    return {"lookahead": lookahead, "depth_db": depth_db, "rate": fs, "ceiling_dbtp": ceiling,
            "gain_min_db": round(20 * math.log10(gain[lo:hi + 1].min()), 3),
            "predicted_dbtp": round(20 * math.log10(value) + aim, 4), "at": {"offset": where[0], "phase": where[1]},
            "output_dbtp": round(out, 4), "over_ceiling_db": round(out - ceiling, 4),
            "over_aim_db": round(out - aim, 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lookaheads", default="22,44,88", help="lookaheads in samples, comma-separated")
    ap.add_argument("--depths", default="16,24", help="spike depths in dB, comma-separated")
    ap.add_argument("--rate", type=int, default=44100)
    ap.add_argument("--ceiling", type=float, default=-1.0)
    ap.add_argument("--gap", type=int, default=22,
                    help="samples kept free between the pattern and the spike, so the pattern does not touch the "
                         "spike's own detector phases (the output is judged as mastered either way)")
    ap.add_argument("--lathe", default=os.path.join(REPO, "build", "bin", "lathe"))
    args = ap.parse_args()
    if not os.access(args.lathe, os.X_OK):
        sys.exit("tp_adversary.py: error: %s is not an executable lathe (build it: scripts/build.sh lathe-cli)" % args.lathe)
    with tempfile.TemporaryDirectory(prefix="tp_adversary") as workdir:
        lathe = Lathe(args.lathe, workdir)
        for lookahead in (int(v) for v in args.lookaheads.split(",")):
            for depth in (float(v) for v in args.depths.split(",")):
                print(json.dumps(attack(lathe, lookahead, depth, args.rate, args.ceiling, args.gap)), flush=True)


if __name__ == "__main__":
    main()
