#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Measurements for scripts/bench_limiters.sh (not a test): test signals, THD+N and
# latency of a limiter's output file. Needs python3-numpy.
#
#   limiter_metrics.py sine OUT.wav FREQ SECONDS PEAK_DBFS   24-bit stereo sine, 20 ms fade-in
#   limiter_metrics.py impulse OUT.wav SECONDS AT_FRAME LEVEL_DBFS
#   limiter_metrics.py thdn FILE FREQ [FROM_S TO_S]          THD+N in dB re the fundamental
#   limiter_metrics.py latency IN.wav OUT.wav                 frames OUT lags IN
#   limiter_metrics.py gr IN.wav OUT.wav GAIN_DB               mean and max gain reduction
#
# THD+N: on the steady part of the output (default 4 s to 10 s), the fundamental is fitted
# by least squares (sine, cosine and DC at the known frequency) and subtracted; the
# residual is band-limited to 20 Hz .. 20 kHz in the frequency domain (the window holds a
# whole number of periods, so the harmonics sit on bins) and its power is compared with
# the fundamental's. Both channels; the worse is printed, with the fitted amplitude.
# Latency: the lag (0 .. 1 s) that maximises the cross-correlation of OUT with IN,
# computed by FFT; on an impulse it is the impulse's displacement.
# Gain reduction: OUT aligned to IN (the latency above), IN times the input gain; in
# blocks of 1 ms the least-squares gain from that to OUT over both channels, -20 log10 of
# it clamped at 0; the mean over blocks whose input is above -50 dBFS RMS, the largest and
# the 99.9th percentile. Works for any limiter whose gain is smooth over a millisecond and
# whose output is the input times a gain (a limiter that also filters, such as LSP's
# oversampling, or one whose level regulation mutes a block, reads high in some blocks:
# hence the percentile).
import sys
import wave

import numpy as np


USAGE = """usage: limiter_metrics.py sine OUT.wav FREQ SECONDS PEAK_DBFS
       limiter_metrics.py impulse OUT.wav SECONDS AT_FRAME LEVEL_DBFS
       limiter_metrics.py thdn FILE FREQ [FROM_S TO_S]
       limiter_metrics.py latency IN.wav OUT.wav
       limiter_metrics.py gr IN.wav OUT.wav GAIN_DB"""


def read(path):
    with wave.open(path, "rb") as w:
        ch, fs, width = w.getnchannels(), w.getframerate(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v >= 1 << 23, v - (1 << 24), v) / float(1 << 23)
    elif width == 2:
        x = np.frombuffer(raw, dtype="<i2") / 32768.0
    else:
        raise SystemExit(f"{path}: {8 * width}-bit PCM not handled (use 16/24-bit; floats through read_any)")
    return x.reshape(-1, ch), fs


def read_any(path):
    # The wave module refuses float WAV (format 3): parse the chunks by hand.
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SystemExit(f"{path}: not a WAV file")
    pos, fmt, payload = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            payload = body
        pos += 8 + size + (size & 1)
    tag, ch, fs = int.from_bytes(fmt[0:2], "little"), int.from_bytes(fmt[2:4], "little"), int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == 0xFFFE:
        tag = int.from_bytes(fmt[24:26], "little")
    if tag == 3 and bits == 32:
        return np.frombuffer(payload, dtype="<f4").astype(np.float64).reshape(-1, ch), fs
    return read(path)


def write24(path, x, fs):
    v = np.clip(np.round(x * 8388607.0), -8388608, 8388607).astype(np.int32)
    b = np.stack([(v & 0xFF), (v >> 8) & 0xFF, (v >> 16) & 0xFF], axis=-1).astype(np.uint8)
    with wave.open(path, "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(3)
        w.setframerate(fs)
        w.writeframes(b.tobytes())


def sine(path, freq, seconds, peak_dbfs, fs=48000):
    n = np.arange(int(seconds * fs))
    x = 10 ** (peak_dbfs / 20) * np.sin(2 * np.pi * freq * n / fs)
    fade = int(0.02 * fs)
    x[:fade] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    write24(path, np.stack([x, x], axis=1), fs)


def impulse(path, seconds, at, level_dbfs, fs=48000):
    x = np.zeros((int(seconds * fs), 2))
    x[at, :] = 10 ** (level_dbfs / 20)
    write24(path, x, fs)


def thdn(path, freq, t0=4.0, t1=10.0):
    x, fs = read_any(path)
    # A whole number of periods of the fundamental inside [t0, t1).
    a, n = int(t0 * fs), int(t1 * fs) - int(t0 * fs)
    periods = int(n * freq / fs)
    n = int(round(periods * fs / freq))
    t = np.arange(a, a + n) / fs
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t), np.ones(n)], axis=1)
    worst = None
    for ch in range(x.shape[1]):
        seg = x[a:a + n, ch]
        coef, *_ = np.linalg.lstsq(basis, seg, rcond=None)
        resid = seg - basis @ coef
        spec = np.fft.rfft(resid)
        f = np.fft.rfftfreq(n, 1 / fs)
        band = (f >= 20) & (f <= 20000)
        p_resid = 2 * np.sum(np.abs(spec[band]) ** 2) / n ** 2
        p_fund = (coef[0] ** 2 + coef[1] ** 2) / 2
        amp = np.hypot(coef[0], coef[1])
        r = (10 * np.log10(p_resid / p_fund), 20 * np.log10(amp))
        worst = r if worst is None or r[0] > worst[0] else worst
    print(f"THD+N {worst[0]:.2f} dB ({100 * 10 ** (worst[0] / 20):.4f} %), fundamental {worst[1]:.2f} dBFS peak")


def latency(in_path, out_path):
    x, fs = read_any(in_path)
    y, _ = read_any(out_path)
    a, b = x[:, 0], y[:, 0]
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
    lag = int(np.argmax(xc[:fs]))
    print(f"latency {lag} frames ({1000 * lag / fs:.3f} ms at {fs} Hz)")


def lag_of(a, b, fs):
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
    return int(np.argmax(xc[:fs]))


def gain_reduction(in_path, out_path, gain_db):
    x, fs = read_any(in_path)
    y, _ = read_any(out_path)
    lag = lag_of(x[:, 0], y[:, 0], fs)
    n = min(len(x), len(y) - lag)
    x = x[:n] * 10 ** (gain_db / 20)
    y = y[lag:lag + n]
    block = fs // 1000
    m = n // block
    xb = x[:m * block].reshape(m, block * x.shape[1]) if x.shape[1] == 1 else x[:m * block].reshape(m, -1)
    yb = y[:m * block].reshape(m, -1)
    power = np.sum(xb * xb, axis=1)
    active = power / xb.shape[1] > (10 ** (-50 / 20) * 10 ** (gain_db / 20)) ** 2
    g = np.sum(xb * yb, axis=1)[active] / power[active]
    gr = np.maximum(0.0, -20 * np.log10(np.maximum(g, 1e-9)))
    print(f"GR mean {gr.mean():.2f} dB, max {gr.max():.2f} dB, 99.9th percentile {np.percentile(gr, 99.9):.2f} dB "
          f"(latency {lag} frames, {active.sum()} blocks of 1 ms)")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "sine" and len(argv) == 6:
        sine(argv[2], float(argv[3]), float(argv[4]), float(argv[5]))
    elif cmd == "impulse" and len(argv) == 6:
        impulse(argv[2], float(argv[3]), int(argv[4]), float(argv[5]))
    elif cmd == "thdn" and len(argv) in (4, 6):
        thdn(argv[2], float(argv[3]), *(float(v) for v in argv[4:6]))
    elif cmd == "latency" and len(argv) == 4:
        latency(argv[2], argv[3])
    elif cmd == "gr" and len(argv) == 5:
        gain_reduction(argv[2], argv[3], float(argv[4]))
    else:
        print(USAGE, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
