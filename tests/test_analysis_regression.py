"""The detector finds the same reps, with the same numbers, as when its expected reps were
written (tests/detector_regression.py says which recordings and how to rewrite them)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from detector_regression import EXPECTED, TOLERANCE, found_reps, recordings

RECORDINGS = dict(recordings())
EXPECTED_REPS: dict[str, list[dict[str, Any]]] = json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_every_recording_has_its_expected_reps() -> None:
    assert list(EXPECTED_REPS) == list(RECORDINGS)
    assert sum(len(reps) for reps in EXPECTED_REPS.values()) >= 150


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_the_same_reps_are_found_with_the_same_numbers(name: str) -> None:
    expected = EXPECTED_REPS[name]
    found = found_reps(RECORDINGS[name])
    assert len(found) == len(expected), [rep["start_s"] for rep in found]
    for number, (want, got) in enumerate(zip(expected, found, strict=True), start=1):
        for key, value in want.items():
            where = f"rep {number} {key}"
            if isinstance(value, bool) or value is None:
                assert got[key] == value, where
            else:
                assert got[key] == pytest.approx(value, abs=TOLERANCE), where
