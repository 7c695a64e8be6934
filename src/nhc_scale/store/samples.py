"""Samples as stored: the one counts-to-kg conversion and the compact block encoding.

A session at 80 S/s is 288,000 samples an hour; a row per sample would cost ~40 bytes each and
a write per sample on an SD card. Instead each flush writes one row per run of samples (a
*block*) whose timestamps and counts are delta-encoded, zigzagged, split into byte planes and
zlib-compressed: the noise in the low bytes costs what it costs, the near-constant high bytes
compress to almost nothing.

Timestamps are kept to the nanosecond, so ``t_s`` recomputed from an export always equals what
the live path computed; the calibration is stored with every block, so a force once shown is
never recomputed differently after a later tare or calibration.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from nhc_scale.store.records import SampleArrays

# Bumped if the blob layout ever changes; old blocks keep their number and stay decodable.
ENCODING_ZLIB_SHUFFLED_DELTAS = 1
ZLIB_LEVEL = 6
# Deltas are stored as int32: a gap of 2.1 s or more between samples starts a new block.
MAX_DELTA = np.iinfo(np.int32).max
# Bounds the work (and memory) of decoding one row; a flush of a long backlog becomes many rows.
MAX_BLOCK_SAMPLES = 8192
# Counts accepted by the store: an HX711 gives 24-bit values; this bound keeps every delta in
# int32, so a block can always be encoded and a flush never fails on the data itself.
COUNTS_LIMIT = 2**30


def counts_to_kg(counts: np.ndarray, zero_counts: float, counts_per_kg: float) -> np.ndarray:
    """THE conversion from raw counts to kg, used live, for storage reads and for exports.

    Rounded to 0.1 g so that float noise in the last bits can never make the live value and the
    exported value differ in print; one function means one result for the same inputs.
    """
    counts_f = np.asarray(counts, dtype=np.float64)
    return np.round((counts_f - zero_counts) / counts_per_kg, 4)


@dataclass(frozen=True)
class EncodedBlock:
    """One stored row's worth of samples (without its session id)."""

    first_t_ns: int
    n: int
    zero_counts: float
    counts_per_kg: float
    t_deltas: bytes
    counts: bytes
    encoding: int = ENCODING_ZLIB_SHUFFLED_DELTAS


def _zigzag(values: np.ndarray) -> np.ndarray:
    """Signed int64 (known to fit int32) to uint32 with small magnitudes as small numbers."""
    v = values.astype(np.int64)
    return ((v << 1) ^ (v >> 63)).astype(np.uint32)


def _unzigzag(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.int64)
    return (v >> 1) ^ -(v & 1)


def _pack(values: np.ndarray) -> bytes:
    """Zigzag, byte-plane shuffle and compress: each byte plane has its own statistics."""
    planes = _zigzag(values).astype("<u4").view(np.uint8).reshape(-1, 4).T
    return zlib.compress(np.ascontiguousarray(planes).tobytes(), ZLIB_LEVEL)


def _unpack(blob: bytes, n: int) -> np.ndarray:
    raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
    if raw.size != 4 * n:
        raise ValueError(f"sample block holds {raw.size // 4} values, expected {n}")
    values = np.ascontiguousarray(raw.reshape(4, n).T).view("<u4").reshape(n)
    return _unzigzag(values)


def _runs(t_ns: np.ndarray) -> Iterator[tuple[int, int]]:
    """Index ranges whose consecutive time deltas fit int32, at most MAX_BLOCK_SAMPLES long."""
    deltas = np.diff(t_ns)
    breaks = np.flatnonzero((deltas > MAX_DELTA) | (deltas < -MAX_DELTA)) + 1
    edges = [0, *breaks.tolist(), len(t_ns)]
    for start, stop in itertools.pairwise(edges):
        for lo in range(start, stop, MAX_BLOCK_SAMPLES):
            yield lo, min(lo + MAX_BLOCK_SAMPLES, stop)


def encode_blocks(
    t_ns: np.ndarray, counts: np.ndarray, zero_counts: float, counts_per_kg: float
) -> list[EncodedBlock]:
    """Encode samples sharing one calibration into as few blocks as the delta range allows."""
    t_ns = np.asarray(t_ns, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    blocks = []
    for lo, hi in _runs(t_ns):
        t_part, c_part = t_ns[lo:hi], counts[lo:hi]
        # The first count is stored as a delta from 0; |counts| < COUNTS_LIMIT keeps it in int32.
        count_deltas = np.diff(c_part, prepend=0)
        blocks.append(
            EncodedBlock(
                first_t_ns=int(t_part[0]),
                n=hi - lo,
                zero_counts=float(zero_counts),
                counts_per_kg=float(counts_per_kg),
                t_deltas=_pack(np.diff(t_part)),
                counts=_pack(count_deltas),
            )
        )
    return blocks


def decode_block(
    first_t_ns: int, n: int, t_deltas: bytes, counts: bytes, encoding: int
) -> tuple[np.ndarray, np.ndarray]:
    """The exact ``t_ns`` (int64) and ``counts`` (int32) that were encoded."""
    if encoding != ENCODING_ZLIB_SHUFFLED_DELTAS:
        raise ValueError(f"unknown sample block encoding {encoding}")
    t = np.empty(n, dtype=np.int64)
    t[0] = first_t_ns
    if n > 1:
        np.cumsum(_unpack(t_deltas, n - 1), out=t[1:])
        t[1:] += first_t_ns
    c = np.cumsum(_unpack(counts, n)).astype(np.int32)
    return t, c


def assemble(
    blocks: Iterable[EncodedBlock],
    pending: Iterable[tuple[np.ndarray, np.ndarray, float, float]],
) -> SampleArrays:
    """Stored blocks plus buffered chunks (t_ns, counts, zero, cpk) as one time-ordered array
    set.

    Each part is converted with its own calibration, so a tare during a session changes only
    the samples taken after it.
    """
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for block in blocks:
        t, c = decode_block(block.first_t_ns, block.n, block.t_deltas, block.counts, block.encoding)
        parts.append((t, c, counts_to_kg(c, block.zero_counts, block.counts_per_kg)))
    for t, c, zero, cpk in pending:
        parts.append((t, c, counts_to_kg(c, zero, cpk)))
    if not parts:
        return SampleArrays(np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.float64))
    t_all = np.concatenate([p[0] for p in parts])
    c_all = np.concatenate([p[1] for p in parts])
    f_all = np.concatenate([p[2] for p in parts])
    if t_all.size > 1 and np.any(np.diff(t_all) < 0):
        order = np.argsort(t_all, kind="stable")
        t_all, c_all, f_all = t_all[order], c_all[order], f_all[order]
    return SampleArrays(t_ns=t_all, counts=c_all, force_kg=f_all)
