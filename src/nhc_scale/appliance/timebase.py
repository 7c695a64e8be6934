"""The one conversion from sampler readings to a session's (t_s, force_kg).

Live and offline must agree: the detector live is fed exactly the numbers the ``samples.csv``
export prints, so ``nhc-scale analyze`` on the export finds the same reps to the gram. Both
come from here: values are rounded to the export's decimals by formatting and parsing back,
which is what reading the CSV does.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.store import counts_to_kg

T_DECIMALS = 6  # 1 µs
KG_DECIMALS = 4  # 0.1 g: far below the sensor's noise


def session_seconds(t_ns: np.ndarray, start_ns: int) -> np.ndarray:
    seconds = (np.asarray(t_ns, dtype=np.int64) - start_ns) / 1e9
    return _as_printed(seconds, T_DECIMALS)


def force_kg(counts: np.ndarray, zero_counts: float, counts_per_kg: float) -> np.ndarray:
    """The store's conversion (the export uses it too), as the CSV prints it."""
    return _as_printed(counts_to_kg(counts, zero_counts, counts_per_kg), KG_DECIMALS)


def _as_printed(values: np.ndarray, decimals: int) -> np.ndarray:
    text = np.char.mod(f"%.{decimals}f", values)
    return text.astype(np.float64)


def csv_lines(t_s: np.ndarray, kg: np.ndarray, counts: np.ndarray) -> list[str]:
    """``t_s,force_kg,counts`` rows, formatted as ``_as_printed`` assumed."""
    t_text = np.char.mod(f"%.{T_DECIMALS}f", t_s)
    kg_text = np.char.mod(f"%.{KG_DECIMALS}f", kg)
    return [f"{t},{k},{c}\n" for t, k, c in zip(t_text, kg_text, counts.tolist(), strict=True)]
