"""Draw the phone page's PNG icons (192 and 512 px) with the standard library only.

The PNGs are committed; run this again only when the design changes:
``python scripts/make_icons.py``. No Pillow: an icon of three shapes does not justify a
dependency, and a PNG is a zlib stream with three chunks. The shapes are those of
``src/nhc_scale/web/static/icon.svg`` (viewBox 0-100), so the two stay alike.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "src/nhc_scale/web/static"
SIZES = (192, 512)

BACKGROUND = (0x00, 0x00, 0x00)
ZERO_LINE = (0x4A, 0x55, 0x5F)
TRACE = (0x4F, 0xC3, 0xF7)
MINIMUM = (0xFF, 0xD5, 0x4F)

# One rep in icon units (0-100, y down): landing and hold, the effort's fall, the minimum,
# the push-off. Everything stays inside the central 80 % that maskable icons keep.
ZERO_Y = 78.0
TRACE_POINTS = ((18.0, 32.0), (34.0, 34.0), (52.0, 66.0), (64.0, 66.0), (82.0, 30.0))
TRACE_WIDTH = 7.0
ZERO_WIDTH = 3.0
MIN_CENTRE = (58.0, 66.0)
MIN_RADIUS = 7.5


def segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def coverage(distance_px: float, half_width_px: float) -> float:
    """Antialiasing from the distance to the shape's edge: one sample per pixel is enough."""
    return max(0.0, min(1.0, half_width_px + 0.5 - distance_px))


def blend(under: tuple[float, ...], over: tuple[int, ...], alpha: float) -> tuple[float, ...]:
    return tuple(u + (o - u) * alpha for u, o in zip(under, over, strict=True))


def pixel(x: float, y: float, scale: float) -> tuple[int, int, int]:
    colour: tuple[float, ...] = BACKGROUND
    zero = segment_distance(x, y, (18.0, ZERO_Y), (82.0, ZERO_Y)) * scale
    colour = blend(colour, ZERO_LINE, coverage(zero, ZERO_WIDTH * scale / 2))
    trace = min(segment_distance(x, y, a, b) for a, b in itertools.pairwise(TRACE_POINTS))
    colour = blend(colour, TRACE, coverage(trace * scale, TRACE_WIDTH * scale / 2))
    dot = math.hypot(x - MIN_CENTRE[0], y - MIN_CENTRE[1]) * scale
    colour = blend(colour, MINIMUM, coverage(dot, MIN_RADIUS * scale))
    return tuple(round(c) for c in colour)  # type: ignore[return-value]


def render(size: int) -> list[bytes]:
    scale = size / 100.0
    rows = []
    for row in range(size):
        y = (row + 0.5) / scale
        line = bytearray()
        for column in range(size):
            line.extend(pixel((column + 0.5) / scale, y, scale))
        rows.append(bytes(line))
    return rows


def chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(rows: list[bytes]) -> bytes:
    """8-bit RGB, no interlace; each row prefixed with filter type 0 (none)."""
    height = len(rows)
    width = len(rows[0]) // 3
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    for size in SIZES:
        path = STATIC / f"icon-{size}.png"
        path.write_bytes(png(render(size)))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
