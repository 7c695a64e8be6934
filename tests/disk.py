"""Filling a disk (the small_disk fixture in conftest.py mounts one for a test)."""

from __future__ import annotations

from pathlib import Path


def fill(path: Path) -> Path:
    """Fill the disk with one file; removing it frees the space again."""
    filler = path / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler
