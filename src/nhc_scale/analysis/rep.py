"""What the detector reports: one :class:`Rep` per Nordic rep, and a session summary.

These are plain values with no numpy inside, so the web service can store them, send them over
SSE and compare a live rep with the same rep found again in the export without conversions.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

KG_DECIMALS = 3  # grams: far below the sensor's noise, enough to compare live with offline
S_DECIMALS = 3  # milliseconds: below the 12.5 ms sample period at 80 S/s


IGNORED_KINDS = ("hand_shift", "glitch", "lost_data")


@dataclass(frozen=True)
class Ignored:
    """A transient inside the effort that was taken out before the minimum was sought
    (docs/measurement.md): a hand shifting on the pad, a glitch bridged by a line, or lost
    conversions re-created by one."""

    kind: str  # one of IGNORED_KINDS
    start_s: float
    end_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start_s": round(self.start_s, S_DECIMALS),
            "end_s": round(self.end_s, S_DECIMALS),
        }


@dataclass(frozen=True)
class Rep:
    """One rep. Times are in the recording's own clock (the ``t_s`` of its samples).

    The fields after ``effort_s`` say where the number came from. Reps stored before the
    detector reported them have None there (:meth:`from_dict`)."""

    start_s: float  # hands touch the pad
    end_s: float  # hands leave it
    min_assistance_kg: float  # lowest force sustained (~0.3 s) before the push-off; 0 if unassisted
    min_at_s: float  # when that minimum was held (the lift-off for an unassisted rep)
    unassisted: bool  # the force fell to zero and no push-off followed
    landing_peak_kg: float  # impact when the hands caught the body
    hold_kg: float  # level held before the effort began
    # highest force of the push-off; None if unassisted, or if the end of the rep fell into a
    # hole in the data (lost conversions): then the minimum is the lowest force seen
    push_off_peak_kg: float | None
    effort_s: float  # from the start of the fall off the hold to the minimum
    effort_start_s: float | None = None  # the fall off the hold begins
    min_window_s: tuple[float, float] | None = None  # the 0.3 s the minimum was sustained over
    push_off_start_s: float | None = None  # the push-off begins; None when none was seen
    ignored: tuple[Ignored, ...] | None = None  # transients inside the effort, taken out
    hands_moved: bool | None = None  # a hand shift overlapped the minimum's window or was near

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.__dataclass_fields__:
            value = getattr(self, key)
            if isinstance(value, bool) or value is None:
                out[key] = value
            elif key == "ignored":
                out[key] = [span.to_dict() for span in value]
            elif key == "min_window_s":
                out[key] = [round(float(v), S_DECIMALS) for v in value]
            elif key.endswith("_kg"):
                out[key] = round(float(value), KG_DECIMALS)
            else:
                out[key] = round(float(value), S_DECIMALS)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rep:
        """A rep from its :meth:`to_dict` (as stored), extra keys ignored; the explanation's
        fields None when the rep was stored before the detector reported them."""
        values: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        window = values["min_window_s"]
        if window is not None:
            values["min_window_s"] = (float(window[0]), float(window[1]))
        if values["ignored"] is not None:
            values["ignored"] = tuple(
                Ignored(str(span["kind"]), float(span["start_s"]), float(span["end_s"]))
                for span in values["ignored"]
            )
        return cls(**values)


def _group_sets(reps: list[Rep], set_gap_s: float) -> list[list[Rep]]:
    sets: list[list[Rep]] = []
    for rep in reps:
        if sets and rep.start_s - sets[-1][-1].end_s <= set_gap_s:
            sets[-1].append(rep)
        else:
            sets.append([rep])
    return sets


def _minima(reps: list[Rep]) -> dict[str, float | None]:
    values = [rep.min_assistance_kg for rep in reps]
    if not values:
        return {"best_min_kg": None, "median_min_kg": None}
    return {
        "best_min_kg": round(min(values), KG_DECIMALS),
        "median_min_kg": round(float(statistics.median(values)), KG_DECIMALS),
    }


def summarize(reps: list[Rep] | tuple[Rep, ...], set_gap_s: float = 45.0) -> dict[str, Any]:
    """Rep count, best (lowest) and median minimum, and the reps grouped into sets.

    A set is a run of reps none of which starts more than ``set_gap_s`` after the previous one
    ended: the rest between sets is minutes, the pause between reps seconds.
    """
    ordered = sorted(reps, key=lambda rep: rep.start_s)
    sets = []
    for number, group in enumerate(_group_sets(ordered, set_gap_s), start=1):
        sets.append(
            {
                "set": number,
                "reps": len(group),
                "start_s": round(group[0].start_s, S_DECIMALS),
                "end_s": round(group[-1].end_s, S_DECIMALS),
                "unassisted": sum(rep.unassisted for rep in group),
                **_minima(group),
            }
        )
    return {
        "rep_count": len(ordered),
        "unassisted_count": sum(rep.unassisted for rep in ordered),
        **_minima(ordered),
        "set_count": len(sets),
        "sets": sets,
    }


@dataclass(frozen=True)
class Analysis:
    """The reps of a whole recording and its summary, as ``nhc-scale analyze --json`` prints."""

    reps: tuple[Rep, ...]
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"reps": [rep.to_dict() for rep in self.reps], "summary": self.summary}
