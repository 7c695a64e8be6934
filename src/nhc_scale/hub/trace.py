"""A session's trace for charts: the stored samples, min/max-decimated."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import sqlalchemy as sa

from nhc_scale.hub.tables import session_samples
from nhc_scale.hub.views import session_reps
from nhc_scale.sync.samples import decode_blobs


def min_max_decimate(t: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, ...]:
    """At most ``max_points`` points keeping each bucket's lowest and highest value (as the
    pad's trace: a short dip, a minimum, survives the thinning)."""
    if len(t) <= max_points:
        return t, y
    edges = np.linspace(0, len(t), max_points // 2 + 1).astype(int)
    index: list[int] = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        segment = y[lo:hi]
        pair = sorted((lo + int(np.argmin(segment)), lo + int(np.argmax(segment))))
        index.extend(dict.fromkeys(pair))
    chosen = np.asarray(index)
    return t[chosen], y[chosen]


def session_trace(conn: sa.Connection, row: Any, max_points: int) -> dict[str, Any]:
    stored = conn.execute(
        sa.select(session_samples).where(session_samples.c.session_id == row.id)
    ).first()
    t_s = np.zeros(0)
    kg = np.zeros(0)
    if stored is not None:
        t_s, kg = decode_blobs(stored.encoding, stored.n, stored.t_us, stored.force_dg)
    t_out, kg_out = min_max_decimate(t_s, kg, max_points)
    return {
        "t_s": [round(float(v), 6) for v in t_out],
        "force_kg": [round(float(v), 4) for v in kg_out],
        "reps": session_reps(conn, row.id),
        "samples": int(t_s.size),
    }
