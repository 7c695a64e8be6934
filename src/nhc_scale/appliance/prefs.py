"""The scale's preferences: one model with its defaults and bounds, kept in the store.

``auto_stop_min`` is the scale's own. ``units`` and ``sound`` are only the defaults a phone starts
from: each phone keeps its own units, sound and voice (the page's prefs.js, in the browser), so a
visitor mutes their phone without the admin token and lb on one phone does not switch another
(docs/api.md, "Control").

Stored values are checked on load like any input: a value this version does not accept (an
older or damaged row) falls back to its default, with a line in the log, never a crash.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nhc_scale.store import Store

log = logging.getLogger(__name__)


class Prefs(BaseModel):
    model_config = ConfigDict(extra="ignore")  # keys of another version are not ours to keep

    units: Literal["kg", "N", "lb"] = "kg"
    body_mass_kg: float | None = Field(None, ge=20, le=300, allow_inf_nan=False)
    sound: bool = True
    vibrate: bool = True
    auto_stop_min: float = Field(10.0, ge=1, le=120, allow_inf_nan=False)


#: The one preference that ``null`` clears; for the others a null means "leave it".
CLEARABLE = frozenset({"body_mass_kg"})


class Preferences:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.current = _checked(store.get_prefs())

    def update(self, changes: dict[str, Any]) -> Prefs:
        """Saved first, then used: a refused write (a full disk) changes nothing."""
        changes = {k: v for k, v in changes.items() if v is not None or k in CLEARABLE}
        with self._lock:
            merged = Prefs.model_validate({**self.current.model_dump(), **changes})
            self._store.set_prefs(merged.model_dump())
            self.current = merged
            return merged


def _checked(stored: dict[str, Any]) -> Prefs:
    values: dict[str, Any] = {}
    for key, value in stored.items():
        if key not in Prefs.model_fields:
            continue
        try:
            Prefs.model_validate({key: value})
        except ValidationError:
            log.warning("stored preference %s=%r is not valid: using the default", key, value)
            continue
        values[key] = value
    return Prefs.model_validate(values)
