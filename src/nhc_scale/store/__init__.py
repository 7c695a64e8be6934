"""SQLite storage of sessions, samples, reps and preferences and athletes for the appliance.

Depends on the standard library and numpy only (never the web framework or the pins), so the
CLI and tests can open a database without the server.
"""

from nhc_scale.store.errors import StoreError, UnknownAthleteError, UnknownSessionError
from nhc_scale.store.records import AthleteRecord, GapRecord, SampleArrays, SessionRecord
from nhc_scale.store.samples import counts_to_kg
from nhc_scale.store.schema import APPLICATION_ID, DB_FILE_NAME, MAX_ROW_ID, SCHEMA_VERSION
from nhc_scale.store.store import UNSET, Store

__all__ = [
    "APPLICATION_ID",
    "DB_FILE_NAME",
    "MAX_ROW_ID",
    "SCHEMA_VERSION",
    "UNSET",
    "AthleteRecord",
    "GapRecord",
    "SampleArrays",
    "SessionRecord",
    "Store",
    "StoreError",
    "UnknownAthleteError",
    "UnknownSessionError",
    "counts_to_kg",
]
