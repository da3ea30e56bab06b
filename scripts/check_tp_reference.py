#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Cross-checks the tests' reference true-peak meter (tests/true_peak_reference.hpp,
# through build/bin/lathe-tp-reference) against scipy itself: resample_poly(x, 32, 1,
# window=("kaiser", 12)), and the long design (a 4097-tap firwin with the same window,
# passed to resample_poly as the filter). ctest tp_reference_vs_scipy runs it when
# /usr/bin/python3 has scipy (Debian python3-scipy, scripts/setup.sh); about 35 s of CPU.
#
#   scripts/check_tp_reference.py [BUILD_DIR]     (default: build)
#
# The signals are the worst cases written by lathe-tp-survey --write-cases (the
# project's write_audio, 24-bit WAV), read here with the wave module. Prints the
# per-channel peaks of both meters and fails if any differ by more than 0.001 dB or
# the peak is found at another output point (a tie counts as the same point).
import os
import re
import subprocess
import sys
import tempfile
import wave

import numpy as np
from scipy import signal

TOLERANCE_DB = 0.001
CASES = "mix,dense_mix,clipped_drums,nyquist_hats,fs4_45deg,nyquist_bursts,square_p3,sweep_exp,impulse_trains,alternating_flips,random_signs,step_tone"
RATES = "44100,48000,96000"
SECONDS = "1.5"


def read_wav24(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 3, path
        channels, rate = w.getnchannels(), w.getframerate()
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    v = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
    v = np.where(v >= 1 << 23, v - (1 << 24), v)
    return v.reshape(-1, channels).astype(np.float64) / (1 << 23), rate


def scipy_peaks_db(x, window):
    # Per channel: the peak (dB), its frame and phase, and every output index within
    # 1e-9 of it (periodic signals peak at many places: any of them is the same spot).
    out = []
    for ch in range(x.shape[1]):
        y = np.abs(signal.resample_poly(x[:, ch], 32, 1, window=window))
        i = int(np.argmax(y))
        ties = set(np.flatnonzero(y >= y[i] * (1 - 1e-9)).tolist())
        out.append((20 * np.log10(y[i]), i // 32, i % 32, ties))
    return out


def lathe_peaks_db(tool, path, long_design):
    args = [tool] + (["--long"] if long_design else []) + [path]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    m = re.search(r"\(L (\S+), R (\S+)\) at \S+ s \(frame (\d+) \+ (\d+)/32, ch (\d)\)", text)
    return [float(m.group(1)), float(m.group(2))], (int(m.group(3)), int(m.group(4)), int(m.group(5)))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    survey, tool = os.path.join(build, "bin", "lathe-tp-survey"), os.path.join(build, "bin", "lathe-tp-reference")
    long_filter = signal.firwin(2 * 64 * 32 + 1, 1 / 32, window=("kaiser", 12))
    worst, spots_differ = 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        files = subprocess.run([survey, "--write-cases", tmp, "--rates", RATES, "--cases", CASES, "--seconds", SECONDS,
                                "--seed", "7"], check=True, capture_output=True, text=True).stdout.split()
        print(f"{'file':32} {'design':6} {'scipy L':>11} {'lathe L':>11} {'scipy R':>11} {'lathe R':>11} {'max |diff|':>10}  spot")
        for path in files:
            x, _ = read_wav24(path)
            for name, window, long_design in (("scipy", ("kaiser", 12), False), ("long", long_filter, True)):
                ref = scipy_peaks_db(x, window)
                ours, spot = lathe_peaks_db(tool, path, long_design)
                diff = max(abs(ref[ch][0] - ours[ch]) for ch in range(2))
                worst = max(worst, diff)
                ch = spot[2]
                where = "same" if (ref[ch][1], ref[ch][2]) == spot[:2] else (
                    "tie" if 32 * spot[0] + spot[1] in ref[ch][3] else "differs")
                spots_differ += where == "differs"
                print(f"{os.path.basename(path):32} {name:6} {ref[0][0]:+11.6f} {ours[0]:+11.6f} {ref[1][0]:+11.6f} "
                      f"{ours[1]:+11.6f} {diff:10.2e}  {where}")
    print(f"largest difference {worst:.2e} dB (tolerance {TOLERANCE_DB} dB); peaks found elsewhere: {spots_differ}")
    return 0 if worst <= TOLERANCE_DB and spots_differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
