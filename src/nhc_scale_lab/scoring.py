"""Scoring detected reps against a recording's truth: rep-detection F1 and minimum accuracy.

Matching is one-to-one by time overlap (the detected and true contacts of the same rep overlap
by seconds; different reps are many seconds apart), so a merged or split rep costs a miss and a
false detection, as it should.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def tolerance_kg(true_kg: float, nominal_sps: int) -> float:
    """The tolerance docs/measurement.md gives: max(0.3 kg, 3 %) at 80 S/s, max(0.75 kg, 6 %)
    at 10 S/s."""
    if nominal_sps >= 40:
        return max(0.3, 0.03 * true_kg)
    return max(0.75, 0.06 * true_kg)


def match(
    detected: Sequence[Mapping[str, Any]], truth: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """Pairs (detected index, truth index), greedy by overlap, each rep used once."""
    pairs = []
    for i, det in enumerate(detected):
        for j, true in enumerate(truth):
            overlap = min(det["end_s"], true["end_s"]) - max(det["start_s"], true["start_s"])
            if overlap > 0:
                pairs.append((overlap, i, j))
    pairs.sort(reverse=True)
    used_d: set[int] = set()
    used_t: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_d and j not in used_t:
            used_d.add(i)
            used_t.add(j)
            out.append((i, j))
    return sorted(out)


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    within: int = 0
    abs_errors: list[float] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        detected: Sequence[Mapping[str, Any]],
        truth: Sequence[Mapping[str, Any]],
        nominal_sps: int,
        label: str = "",
    ) -> None:
        pairs = match(detected, truth)
        self.true_positives += len(pairs)
        self.false_positives += len(detected) - len(pairs)
        self.false_negatives += len(truth) - len(pairs)
        matched_d = {i for i, _ in pairs}
        matched_t = {j for _, j in pairs}
        for i, det in enumerate(detected):
            if i not in matched_d:
                self.failures.append({"session": label, "kind": "false rep", "detected": det})
        for j, true in enumerate(truth):
            if j not in matched_t:
                self.failures.append({"session": label, "kind": "missed rep", "truth": true})
        for i, j in pairs:
            true_kg = float(truth[j]["min_assistance_kg"])
            error = float(detected[i]["min_assistance_kg"]) - true_kg
            self.abs_errors.append(abs(error))
            if abs(error) <= tolerance_kg(true_kg, nominal_sps) + 1e-9:
                self.within += 1
            else:
                self.failures.append(
                    {
                        "session": label,
                        "kind": "minimum off",
                        "error_kg": round(error, 3),
                        "truth": truth[j],
                        "detected": detected[i],
                    }
                )

    @property
    def f1(self) -> float:
        tp2 = 2 * self.true_positives
        denominator = tp2 + self.false_positives + self.false_negatives
        return tp2 / denominator if denominator else 1.0

    @property
    def within_share(self) -> float:
        return self.within / self.true_positives if self.true_positives else 0.0

    @property
    def mae_kg(self) -> float:
        return sum(self.abs_errors) / len(self.abs_errors) if self.abs_errors else 0.0
