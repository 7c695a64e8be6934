"""Turning raw (timestamp, kg) samples into a clean, evenly spaced stream, block by block.

Every stage here is streaming and chunk-invariant: its output for a sample depends only on the
samples themselves and on state carried from earlier blocks, never on where a block boundary
fell. That is what lets the live detector (blocks of 1-10 samples) and ``nhc-scale analyze``
(one block) produce the same reps.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.config import DetectorConfig

_EMPTY = np.empty(0)
_NO_FLAGS = np.zeros(0, dtype=bool)

#: Where each sample of the clean stream comes from (``GapFiller``'s ``origin``): the chip, a line
#: bridging a glitch, or a line re-creating lost conversions.
MEASURED = 0
GLITCH = 1
LOST = 2


class Sanitizer:
    """Drops samples a clock or a parser could have garbled: non-finite values and timestamps
    that do not move forward (a stored export can hold a duplicate after a reconnect)."""

    def __init__(self) -> None:
        self._last_t = -np.inf

    def push(self, t: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, dtype=np.float64).reshape(-1)
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        if t.shape != x.shape:
            raise ValueError(f"t_s and force_kg differ in length: {t.size} != {x.size}")
        finite = np.isfinite(t) & np.isfinite(x)
        t, x = t[finite], x[finite]
        if t.size == 0:
            return t, x
        before = np.maximum.accumulate(np.concatenate(([self._last_t], t)))[:-1]
        keep = t > before
        t, x = t[keep], x[keep]
        if t.size:
            self._last_t = float(t[-1])
        return t, x


class RateProbe:
    """Holds the first samples back until the sample period is known.

    The period is the median of the first intervals: a few lost conversions (longer intervals)
    cannot move it, and it is the chip's real rate, not the nominal 10 or 80 S/s.
    """

    def __init__(self, n_intervals: int) -> None:
        self._n = n_intervals
        self._t: list[np.ndarray] = []
        self._x: list[np.ndarray] = []
        self.period_s: float | None = None

    def push(
        self, t: np.ndarray, x: np.ndarray, final: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.period_s is not None:
            return t, x
        self._t.append(t)
        self._x.append(x)
        tt = np.concatenate(self._t)
        xx = np.concatenate(self._x)
        if tt.size < self._n + 1 and not (final and tt.size >= 2):
            return _EMPTY, _EMPTY
        intervals = np.diff(tt[: self._n + 1])
        self.period_s = float(np.median(intervals))
        self._t, self._x = [], []
        return tt, xx


class Despiker:
    """Bridges short departures that come back: isolated spikes and junk after a chip reset.

    A run of at most ``k`` samples that departs from the last good sample by more than the
    threshold, followed by a sample back within the threshold of it, is a glitch: it is replaced
    by the straight line between the two good samples and flagged as not measured, like a lost
    conversion the gap filler re-creates (the contact stage takes neither for hands on the pad,
    and a short push-off bridged as a chip's junk is, like one lost in a hole, not taken for an
    unassisted end nobody saw). A step that stays (a landing, a release) is never touched,
    because nothing comes back, and neither is a rise whose force, once back, keeps falling
    (a short push-off and its release). Runs after lost conversions may be longer: that is where
    a restarted HX711 delivers its unsettled conversions.

    Output lags input by ``lookahead`` samples (62.5 ms at 80 S/s).

    ``level`` is where the stream starts (the median of its first samples): the very first
    sample is judged against it, so that a wild first conversion is bridged like any other
    instead of being taken as the good sample everything after it is compared with.
    """

    def __init__(self, period_s: float, cfg: DetectorConfig, level: float | None = None) -> None:
        self.threshold = max(cfg.spike_min_kg, cfg.spike_slope_kg_s * period_s)
        self.k_run = max(2, int(np.floor(cfg.glitch_max_s / period_s + 0.5)))
        self.k_gap = max(self.k_run, cfg.glitch_max_after_gap)
        self.gap_s = cfg.gap_factor * period_s
        self.drift_kg_s = cfg.glitch_drift_kg_s
        self.lookahead = self.k_gap + 1  # the run, its good sample back, and one to confirm it
        self._t = _EMPTY
        self._x = _EMPTY
        self._prev_t: float | None = None
        self._prev_x = 0.0
        self._level = level
        self._period_s = period_s
        self._bridged = np.zeros(0, dtype=bool)  # which buffered samples are bridged glitches
        self._done = 0  # buffer indices below this were already examined
        self.bridged = 0  # samples replaced so far (a diagnostic)

    @property
    def pending(self) -> int:
        return int(self._x.size)

    def push(
        self, t: np.ndarray, x: np.ndarray, final: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (t, x, bridged) for the samples whose look-ahead is complete."""
        bt = np.concatenate((self._t, t))
        bx = np.concatenate((self._x, x))
        bridged = np.concatenate((self._bridged, np.zeros(x.size, dtype=bool)))
        head_t: np.ndarray = _EMPTY
        head_x: np.ndarray = _EMPTY
        if self._prev_t is None and self._level is not None:
            if bx.size == 0:
                return _EMPTY, _EMPTY, _NO_FLAGS
            self._prev_t, self._prev_x = float(bt[0]) - self._period_s, self._level
        elif self._prev_t is None:
            if bx.size == 0:
                return _EMPTY, _EMPTY, _NO_FLAGS
            self._prev_t, self._prev_x = float(bt[0]), float(bx[0])
            head_t, head_x = bt[:1], bx[:1]
            bt, bx, bridged = bt[1:], bx[1:], bridged[1:]
        n = bx.size
        limit = n - 1 if final else n - 1 - self.lookahead  # last index with full lookahead
        if limit >= self._done:
            self._examine(bt, bx, bridged, limit, self._prev_t)
        emit = max(limit + 1, 0)
        self._t, self._x, self._bridged = bt[emit:], bx[emit:], bridged[emit:]
        self._done = max(0, self._done - emit)
        if emit:
            self._prev_t, self._prev_x = float(bt[emit - 1]), float(bx[emit - 1])
        if head_t.size:
            return (
                np.concatenate((head_t, bt[:emit])),
                np.concatenate((head_x, bx[:emit])),
                np.concatenate(([False], bridged[:emit])),
            )
        return bt[:emit], bx[:emit], bridged[:emit]

    def _examine(
        self, bt: np.ndarray, bx: np.ndarray, bridged: np.ndarray, limit: int, first_prev_t: float
    ) -> None:
        threshold = self.threshold
        jumps = np.abs(np.diff(bx[: limit + 1], prepend=self._prev_x)) > threshold
        candidates = np.flatnonzero(jumps[self._done :]) + self._done
        done = self._done
        n = bx.size
        for i in candidates.tolist():
            if i < done:
                continue
            prev_t = float(bt[i - 1]) if i else first_prev_t
            prev_x = float(bx[i - 1]) if i else self._prev_x
            if abs(float(bx[i]) - prev_x) <= threshold:
                continue
            k = self.k_gap if float(bt[i]) - prev_t > self.gap_s else self.k_run
            stop = min(i + k, n - 1)
            for j in range(i + 1, stop + 1):
                if float(bt[j - 1]) - float(bt[i]) > (k - 1) * self.gap_s:
                    break  # with lost conversions inside, the run lasts too long for a glitch
                back = float(bx[j])
                span = float(bt[j]) - prev_t
                moved = abs(back - prev_x)
                if moved > threshold + self.drift_kg_s * span:
                    continue
                if float(bx[i]) > prev_x and not self._stays(bt, bx, j):
                    continue  # a short push-off and the release after it, not a glitch
                line = prev_x + (bt[i:j] - prev_t) / span * (back - prev_x)
                if np.min(np.abs(bx[i:j] - line)) <= threshold + moved:
                    continue  # not clearly a departure: leave it alone
                bx[i:j] = line
                bridged[i:j] = True
                self.bridged += j - i
                done = j
                break
        self._done = max(done, limit + 1)

    def _stays(self, bt: np.ndarray, bx: np.ndarray, j: int) -> bool:
        """Whether the force stays where the good sample ``bx[j]`` after a rise came back to:
        the next sample is within the threshold plus the allowed drift of it (or there is no
        next sample). At 10 S/s a push-off can be two conversions high with the release right
        after it, its first sample back near the force before the push: what follows keeps
        falling, where after a glitch it stays."""
        if j + 1 >= bx.size:
            return True
        allowed = self.threshold + self.drift_kg_s * (float(bt[j + 1]) - float(bt[j]))
        return abs(float(bx[j + 1]) - float(bx[j])) <= allowed


class GapFiller:
    """Re-creates lost conversions by linear interpolation so the filters see an even stream.

    Holes longer than ``max_fill_s`` are not filled: they are reported as breaks (the detector
    ends a contact there) so that an unplugged sensor never becomes minutes of invented data.
    """

    def __init__(self, period_s: float, cfg: DetectorConfig) -> None:
        self.period_s = period_s
        self.gap_s = cfg.gap_factor * period_s
        self.max_fill_s = cfg.max_fill_s
        self._prev: tuple[float, float] | None = None
        self.filled = 0  # conversions re-created so far (a diagnostic)

    def push(
        self, t: np.ndarray, x: np.ndarray, bridged: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (t, x, origin, breaks): ``origin`` is ``LOST`` where a conversion was
        re-created here, ``GLITCH`` where the despiker ``bridged`` one, else ``MEASURED``;
        ``breaks`` are output indices preceded by an unfilled hole."""
        if t.size == 0:
            return t, x, np.zeros(0, dtype=np.int8), np.empty(0, dtype=np.intp)
        if self._prev is None:
            pt, px = float(t[0]), float(x[0])
            prev_t = np.concatenate(([pt - self.period_s], t[:-1]))
            prev_x = np.concatenate(([px], x[:-1]))
        else:
            prev_t = np.concatenate(([self._prev[0]], t[:-1]))
            prev_x = np.concatenate(([self._prev[1]], x[:-1]))
        self._prev = (float(t[-1]), float(x[-1]))
        dt = t - prev_t
        long_hole = dt > self.max_fill_s
        missing = np.where(
            (dt > self.gap_s) & ~long_hole, np.rint(dt / self.period_s) - 1, 0
        ).astype(np.intp)
        missing = np.maximum(missing, 0)
        total_missing = int(missing.sum())
        read = np.where(bridged, GLITCH, MEASURED).astype(np.int8)
        if total_missing == 0:
            return t, x, read, np.flatnonzero(long_hole)
        self.filled += total_missing
        size = missing + 1
        ends = np.cumsum(size)
        starts = ends - size
        owner = np.repeat(np.arange(t.size), size)
        step = np.arange(ends[-1]) - starts[owner] + 1
        frac = step / size[owner]
        out_t = prev_t[owner] + frac * (t - prev_t)[owner]
        out_x = prev_x[owner] + frac * (x - prev_x)[owner]
        originals = ends - 1
        out_t[originals] = t
        out_x[originals] = x
        origin = np.full(out_t.size, LOST, dtype=np.int8)
        origin[originals] = read
        return out_t, out_x, origin, originals[long_hole]
