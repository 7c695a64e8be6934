"""``nhc-scale analyze --plot``: the trace with each rep's phases shaded, its minimum's 0.3 s
window drawn, the transients taken out inside its effort marked along the bottom.

The recording streams through the detector and is never whole in memory, so the plot keeps a
decimated trace: the lowest and highest force of each stretch of samples, at most
``MAX_BUCKETS`` stretches (twice as long each time they would be more). That is a few hundred
kB for any file, and at the plot's width (at most 40 inches at 110 dpi: 4,400 pixels) nothing
is lost: a dip shorter than a stretch still shows as the stretch's low end.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nhc_scale.cli import CommandError

if TYPE_CHECKING:
    from nhc_scale.analysis.rep import Analysis

MAX_BUCKETS = 8192
MAX_LABELS = 200  # reps numbered on the plot; beyond, the labels would cover each other
PHASE_COLORS = {
    "landing and hold": "0.5",
    "effort": "tab:orange",
    "push-off and release": "tab:blue",
}
IGNORED_COLORS = {"hand_shift": "tab:purple", "glitch": "tab:olive", "lost_data": "tab:gray"}


class TraceEnvelope:
    """Lowest and highest force per stretch of ``size`` samples, fed block by block."""

    def __init__(self, max_buckets: int = MAX_BUCKETS) -> None:
        self.max_buckets = max_buckets
        self.size = 1
        self.t = np.empty(0)  # each stretch's first time
        self.low = np.empty(0)
        self.high = np.empty(0)
        self._pending_t = np.empty(0)
        self._pending_kg = np.empty(0)

    def add(self, t_s: np.ndarray, force_kg: np.ndarray) -> None:
        t = np.concatenate((self._pending_t, t_s))
        kg = np.concatenate((self._pending_kg, force_kg))
        whole = t.size // self.size * self.size
        self._append(
            t[: whole : self.size],
            kg[:whole].reshape(-1, self.size).min(axis=1),
            kg[:whole].reshape(-1, self.size).max(axis=1),
        )
        self._pending_t, self._pending_kg = t[whole:], kg[whole:]
        while self.t.size > self.max_buckets:
            self._halve()

    def trace(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, low, high) including the samples of a last, partial stretch."""
        if not self._pending_t.size:
            return self.t, self.low, self.high
        return (
            np.append(self.t, self._pending_t[0]),
            np.append(self.low, self._pending_kg.min()),
            np.append(self.high, self._pending_kg.max()),
        )

    def _append(self, t: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        self.t = np.concatenate((self.t, t))
        self.low = np.concatenate((self.low, low))
        self.high = np.concatenate((self.high, high))

    def _halve(self) -> None:
        """Merge neighbouring stretches; an odd last one goes back to pending as its range."""
        pairs = self.t.size // 2 * 2
        odd_t, odd_low, odd_high = self.t[pairs:], self.low[pairs:], self.high[pairs:]
        self.t = self.t[:pairs:2]
        self.low = np.minimum(self.low[:pairs:2], self.low[1:pairs:2])
        self.high = np.maximum(self.high[:pairs:2], self.high[1:pairs:2])
        self.size *= 2
        if odd_t.size:  # a half-full stretch: its two extremes stand for its samples
            self._pending_t = np.concatenate((odd_t, odd_t, self._pending_t))
            self._pending_kg = np.concatenate((odd_low, odd_high, self._pending_kg))


def _phase_spans(result: Analysis) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """(name, colour, [(start, length)]) of each phase over every rep: landing and hold up to
    the effort's start, the effort up to the push-off's start (to the end if none), then the
    push-off and release. A rep without the explanation (none yet) is shaded whole as a rep."""
    spans: dict[str, list[tuple[float, float]]] = {name: [] for name in PHASE_COLORS}
    for rep in result.reps:
        effort = rep.effort_start_s if rep.effort_start_s is not None else rep.start_s
        push = rep.push_off_start_s if rep.push_off_start_s is not None else rep.end_s
        spans["landing and hold"].append((rep.start_s, effort - rep.start_s))
        spans["effort"].append((effort, push - effort))
        if push < rep.end_s:
            spans["push-off and release"].append((push, rep.end_s - push))
    return [(name, PHASE_COLORS[name], spans[name]) for name in PHASE_COLORS]


def plot(result: Analysis, trace: TraceEnvelope, out: Path) -> None:
    """The trace, each rep's phases shaded, its minimum's window and the transients ignored
    inside its effort marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nhc_scale.cli.analyze import kg_text

    t, low, high = trace.trace()
    span = float(t[-1] - t[0]) if t.size else 0.0
    figure, axes = plt.subplots(figsize=(max(8.0, min(40.0, span / 15)), 4.5))
    if trace.size == 1:
        axes.plot(t, low, lw=0.6, color="0.25", label="force")
    else:  # each stretch drawn from its lowest to its highest force
        axes.plot(np.repeat(t, 2), np.column_stack((low, high)).ravel(), lw=0.6, color="0.25")
    # One collection per kind instead of an artist per rep: a day-long file has thousands.
    band = axes.get_xaxis_transform()  # x in seconds, y from 0 (bottom) to 1 (top)
    for name, color, spans in _phase_spans(result):
        if spans:
            axes.broken_barh(
                spans, (0.0, 1.0), transform=band, color=color, alpha=0.15, lw=0, label=name
            )
    windows = [(rep.min_window_s, rep.min_assistance_kg) for rep in result.reps if rep.min_window_s]
    if windows:
        axes.hlines(
            [kg for _, kg in windows],
            [w[0] for w, _ in windows],
            [w[1] for w, _ in windows],
            color="tab:red",
            lw=3,
            label="minimum's 0.3 s",
        )
    for kind, color in IGNORED_COLORS.items():
        spans = [
            (span.start_s, span.end_s - span.start_s)
            for rep in result.reps
            for span in rep.ignored or ()
            if span.kind == kind
        ]
        if spans:
            axes.broken_barh(
                spans,
                (0.0, 0.06),
                transform=band,
                color=color,
                lw=0,
                label=f"ignored: {kind.replace('_', ' ')}",
            )
    if result.reps:
        minima = np.array([(rep.min_at_s, rep.min_assistance_kg) for rep in result.reps])
        axes.plot(minima[:, 0], minima[:, 1], "v", color="tab:red", ms=7, ls="none")
    if len(result.reps) <= MAX_LABELS:  # more would overlap even on the widest figure
        for number, rep in enumerate(result.reps, start=1):
            label = "0 (u)" if rep.unassisted else f"{rep.min_assistance_kg:.1f}"
            label += " hands moved" if rep.hands_moved else ""
            axes.annotate(
                f"{number}: {label}",
                (rep.min_at_s, rep.min_assistance_kg),
                textcoords="offset points",
                xytext=(0, -14),
                ha="center",
                fontsize=7,
                color="tab:red",
            )
    axes.set_xlabel("t (s)")
    axes.set_ylabel("force (kg)")
    best = result.summary.get("best_min_kg")
    axes.set_title(f"{len(result.reps)} reps, best minimum {kg_text(best)} kg (triangles)")
    if result.reps:
        axes.legend(loc="upper right", fontsize=7, ncols=2)
    figure.tight_layout()
    try:
        figure.savefig(out, dpi=110)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}", code=2) from None
    finally:
        plt.close(figure)
