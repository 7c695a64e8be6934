"""Rep analysis: from a force trace to every rep's minimum assistance, live or offline.

Imports nothing heavy at package import: ``from nhc_scale.analysis import RepDetector`` pulls in
numpy and scipy, which the CLI only wants when it actually analyses something.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nhc_scale.analysis.config import DetectorConfig
    from nhc_scale.analysis.detector import RepDetector, analyze
    from nhc_scale.analysis.rep import Analysis, Rep, summarize

__all__ = ["Analysis", "DetectorConfig", "Rep", "RepDetector", "analyze", "summarize"]

_HOMES = {
    "Analysis": "rep",
    "Rep": "rep",
    "summarize": "rep",
    "DetectorConfig": "config",
    "RepDetector": "detector",
    "analyze": "detector",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
