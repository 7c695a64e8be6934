"""What was handed to the store but not yet committed, kept until a flush succeeds.

Writes are batched so the SD card sees at most one commit a second; when a commit fails (the
disk is full) nothing here is dropped, so recording resumes where it stopped once there is room.
Samples are bounded (the oldest go first, and a gap records the hole); reps are not, because at
one rep every few seconds they cannot grow large and each one is a result the user saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# One hour at 80 S/s: ~3.5 MB of memory, far more than any outage we expect to ride out.
MAX_BUFFERED_SAMPLES = 288_000
OVERFLOW_REASON = "store_overflow"  # samples dropped while the database could not be written


@dataclass(frozen=True)
class SampleChunk:
    """Samples from one append call; the arrays are private copies and never mutated."""

    session_id: int
    t_ns: np.ndarray  # int64
    counts: np.ndarray  # int32
    zero_counts: float
    counts_per_kg: float


@dataclass(frozen=True)
class PendingRep:
    session_id: int
    number: int | None
    min_assistance_kg: float
    data: str  # JSON, serialised when added so later changes to the caller's dict do not leak in


@dataclass
class PendingGap:
    session_id: int
    start_ns: int
    end_ns: int
    reason: str


@dataclass
class WriteBuffer:
    """Not thread-safe by itself: the Store guards it with its lock."""

    max_samples: int = MAX_BUFFERED_SAMPLES
    chunks: list[SampleChunk] = field(default_factory=list)
    reps: list[PendingRep] = field(default_factory=list)
    gaps: list[PendingGap] = field(default_factory=list)
    ends: dict[int, float] = field(default_factory=dict)
    n_samples: int = 0
    dropped_samples: int = 0

    def __bool__(self) -> bool:
        return bool(self.chunks or self.reps or self.gaps or self.ends)

    def add_samples(self, chunk: SampleChunk) -> None:
        self.chunks.append(chunk)
        self.n_samples += chunk.t_ns.size
        while self.n_samples > self.max_samples and len(self.chunks) > 1:
            self._drop_oldest_chunk()

    def _drop_oldest_chunk(self) -> None:
        old = self.chunks.pop(0)
        self.n_samples -= old.t_ns.size
        self.dropped_samples += old.t_ns.size
        start, end = int(old.t_ns[0]), int(old.t_ns[-1])
        for gap in reversed(self.gaps):
            if gap.session_id == old.session_id and gap.reason == OVERFLOW_REASON:
                gap.start_ns, gap.end_ns = min(gap.start_ns, start), max(gap.end_ns, end)
                return
        self.gaps.append(PendingGap(old.session_id, start, end, OVERFLOW_REASON))

    def drop_session(self, session_id: int) -> None:
        """Forget everything of a deleted session, so a flush never writes to a missing row."""
        kept = [c for c in self.chunks if c.session_id != session_id]
        self.n_samples = sum(c.t_ns.size for c in kept)
        self.chunks = kept
        self.reps = [r for r in self.reps if r.session_id != session_id]
        self.gaps = [g for g in self.gaps if g.session_id != session_id]
        self.ends.pop(session_id, None)

    def clear(self) -> None:
        """After a successful commit: everything here is now in the database."""
        self.chunks, self.reps, self.gaps, self.ends = [], [], [], {}
        self.n_samples = 0

    def runs(self) -> list[tuple[int, np.ndarray, np.ndarray, float, float]]:
        """Buffered samples merged into runs of one session and one calibration, in order."""
        groups: list[list[SampleChunk]] = []
        for chunk in self.chunks:
            if groups and _same(groups[-1][-1], chunk):
                groups[-1].append(chunk)
            else:
                groups.append([chunk])
        return [
            (
                group[0].session_id,
                np.concatenate([c.t_ns for c in group]),
                np.concatenate([c.counts for c in group]),
                group[0].zero_counts,
                group[0].counts_per_kg,
            )
            for group in groups
        ]


def _same(a: SampleChunk, b: SampleChunk) -> bool:
    return (a.session_id, a.zero_counts, a.counts_per_kg) == (
        b.session_id,
        b.zero_counts,
        b.counts_per_kg,
    )
