"""A session's samples for the trip to the hub: small, exact to 1 µs and 0.1 g, and safe to read.

Time (µs from the session's start) and force (decigrams, the pad's own rounding of counts to kg)
are integers; each is sent as int32 deltas, byte-shuffled (the high bytes of small deltas are
nearly constant and compress to almost nothing) and zlib-compressed, then base64 for JSON. A
20-minute session at 80 S/s is about 96,000 samples and a few hundred KB.

Decoding checks the declared count before and after decompressing, so a forged payload cannot
make the hub inflate more than the count it declared.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

import numpy as np

ENCODING = "delta-i32-zlib/1"
ZLIB_LEVEL = 6
US_PER_S = 1_000_000
DG_PER_KG = 10_000
_INT32 = np.iinfo(np.int32)


class SamplesError(ValueError):
    """The payload is not samples this module made; the message says what is wrong."""


def _pack(values: np.ndarray, what: str) -> str:
    deltas = np.diff(values, prepend=np.int64(0))
    if deltas.size and (deltas.min() < _INT32.min or deltas.max() > _INT32.max):
        raise SamplesError(f"{what} jumps too far between two samples to encode")
    planes = deltas.astype("<i4").view(np.uint8).reshape(-1, 4).T
    packed = zlib.compress(np.ascontiguousarray(planes).tobytes(), ZLIB_LEVEL)
    return base64.b64encode(packed).decode()


def _base64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SamplesError(f"{what} is not base64") from None


def _unpack(blob: bytes, n: int, what: str) -> np.ndarray:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(blob, 4 * n + 1)
    except zlib.error:
        raise SamplesError(f"{what} is not zlib data") from None
    if len(raw) != 4 * n or inflater.unconsumed_tail:
        raise SamplesError(f"{what} does not hold the {n} samples declared")
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(4, n)
    deltas = np.ascontiguousarray(planes.T).view("<i4").reshape(n)
    return np.cumsum(deltas.astype(np.int64))


def encode_samples(t_s: np.ndarray, force_kg: np.ndarray) -> dict[str, Any]:
    """The ``samples`` of a :class:`~nhc_scale.sync.protocol.SessionPayload` (a plain dict)."""
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(force_kg, dtype=np.float64)
    if t.shape != f.shape or t.ndim != 1:
        raise SamplesError("time and force must be 1-D arrays of the same length")
    if not (np.isfinite(t).all() and np.isfinite(f).all()):
        raise SamplesError("samples must be finite numbers")
    t_us = np.round(t * US_PER_S).astype(np.int64)
    force_dg = np.round(f * DG_PER_KG).astype(np.int64)
    return {
        "encoding": ENCODING,
        "n": int(t.size),
        "t_us": _pack(t_us, "time"),
        "force_dg": _pack(force_dg, "force"),
    }


def decode_samples(payload: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(t_s, force_kg)`` from what :func:`encode_samples` made (a dict or the pydantic model);
    raises :class:`SamplesError` for anything else."""
    fields = payload if isinstance(payload, dict) else payload.model_dump()
    return decode_blobs(
        fields.get("encoding"),
        fields.get("n"),
        _base64(fields.get("t_us", ""), "time"),
        _base64(fields.get("force_dg", ""), "force"),
    )


def decode_blobs(
    encoding: Any, n: Any, t_blob: bytes, force_blob: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """The same from the two compressed blobs as stored (base64 already undone)."""
    if encoding != ENCODING:
        raise SamplesError(f"unknown samples encoding {encoding!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise SamplesError("the sample count must be a whole number")
    t_us = _unpack(t_blob, n, "time")
    force_dg = _unpack(force_blob, n, "force")
    return t_us / US_PER_S, force_dg / DG_PER_KG
