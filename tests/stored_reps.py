"""Reps as the store keeps them, for tests that fill a database before the server starts."""

from __future__ import annotations


def rep_dict(number: int, minimum: float, start_s: float) -> dict:
    """An assisted rep with the detector's keys, its minimum 4 s after it starts."""
    return {
        "number": number,
        "start_s": start_s,
        "end_s": start_s + 6.0,
        "min_assistance_kg": minimum,
        "min_at_s": start_s + 4.0,
        "unassisted": False,
        "landing_peak_kg": 55.0,
        "hold_kg": 38.0,
        "push_off_peak_kg": 45.0,
        "effort_s": 2.0,
    }
