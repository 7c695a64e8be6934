"""Sessions recorded the way the appliance records them, for tests that fill a database before the
server starts: samples stored as counts, reps found by the detector fed exactly what the export
holds (appliance/recorder.py's path, without the sensor)."""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis import RepDetector
from nhc_scale.appliance import timebase
from nhc_scale.sim.recording import generate_recording
from nhc_scale.store import Store

COUNTS_PER_KG = 1000.0  # 1 g a count: the export's 0.1 g decimals carry every count
BLOCK = 8  # samples per block, as the sampler delivers them at 80 S/s


def record_session(
    store: Store, seed: int, rate: int, started_at: float, name: str | None = None
) -> int:
    """A synthetic session (``seed`` at ``rate`` S/s) stored with its reps; its id."""
    recording = generate_recording(seed, nominal_sps=rate)
    session_id = store.create_session(name, started_at, 0, True)
    t_ns = np.round(recording.t_s * 1e9).astype(np.int64)
    counts = np.round(recording.force_kg * COUNTS_PER_KG).astype(np.int64)
    detector = RepDetector()
    number = 0
    for start in range(0, t_ns.size, BLOCK):
        block_t, block_counts = t_ns[start : start + BLOCK], counts[start : start + BLOCK]
        store.append_samples(session_id, block_t, block_counts, 0.0, COUNTS_PER_KG)
        t_s = timebase.session_seconds(block_t, 0)
        kg = timebase.force_kg(block_counts, 0.0, COUNTS_PER_KG)
        for rep in detector.feed(t_s, kg):
            number += 1
            store.add_rep(session_id, {"number": number, **rep.to_dict()})
    for rep in detector.flush():
        number += 1
        store.add_rep(session_id, {"number": number, **rep.to_dict()})
    store.end_session(session_id, started_at + float(recording.t_s[-1]))
    return session_id
