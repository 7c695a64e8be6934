"""Where a rep's number came from, for the athlete to see (docs/measurement.md, "What a rep
says about its number"): the push-off's start, the transients taken out inside the effort, and
whether a hand moved near the minimum.

Every span is the stretch a line stood in for the force: from the last sample left as read
before it to the first one after it.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.preprocess import GLITCH, LOST
from nhc_scale.analysis.rep import Ignored

#: At most this many spans per rep, the earliest first: a few are usual; dozens mean the sensor
#: is failing, and the rep's data (sent to a team hub) stays small whatever happens.
MAX_IGNORED = 50
_KIND_OF_ORIGIN = {GLITCH: "glitch", LOST: "lost_data"}


def push_off_start(
    force: np.ndarray, k: int, peak_at: int, minimum: float, peak: float, cfg: DetectorConfig
) -> int:
    """Where the push-off from the minimum at ``k`` to its peak at ``peak_at`` begins: the last
    sample in between whose force stood within ``phase_edge_frac`` of the rise above the
    minimum (the effort's start, mirrored)."""
    edge = minimum + cfg.phase_edge_frac * (peak - minimum)
    low = np.flatnonzero(force[k : peak_at + 1] <= edge)
    return k + int(low[-1]) if low.size else k


def _span(t: np.ndarray, first: int, last: int) -> tuple[float, float]:
    """Times of the samples just outside ``[first, last]`` (the ends, at the array's edges)."""
    return float(t[max(first - 1, 0)]), float(t[min(last + 1, t.size - 1)])


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``[first, last]`` of each run of True in ``flags``."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(
        zip(
            np.flatnonzero(edges == 1).tolist(),
            (np.flatnonzero(edges == -1) - 1).tolist(),
            strict=True,
        )
    )


def ignored_spans(
    t: np.ndarray,
    origin: np.ndarray,
    cuts: tuple[tuple[int, int], ...],
    effort: tuple[float, float],
) -> tuple[Ignored, ...]:
    """The hand shifts cut out (``cuts``: ``[first, stop)``), the glitches bridged and the lost
    conversions re-created (``origin``) that overlap the ``effort`` (start, end in seconds), in
    time order."""
    spans = [Ignored("hand_shift", *_span(t, i0, i1 - 1)) for i0, i1 in cuts]
    for code, kind in _KIND_OF_ORIGIN.items():
        spans += [Ignored(kind, *_span(t, a, b)) for a, b in _runs(origin == code)]
    inside = [s for s in spans if s.end_s > effort[0] and s.start_s < effort[1]]
    return tuple(sorted(inside, key=lambda s: (s.start_s, s.kind))[:MAX_IGNORED])


def hands_moved(
    t: np.ndarray,
    cuts: tuple[tuple[int, int], ...],
    window: tuple[float, float],
    cfg: DetectorConfig,
) -> bool:
    """Whether a hand shift overlapped the minimum's ``window`` or lay within
    ``hands_moved_near_s`` of it."""
    lo, hi = window[0] - cfg.hands_moved_near_s, window[1] + cfg.hands_moved_near_s
    spans = (_span(t, i0, i1 - 1) for i0, i1 in cuts)
    return any(start <= hi and end >= lo for start, end in spans)
