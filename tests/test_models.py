"""One model per entity: the API's shapes follow the records they are built from, so a new
field is added in the record (and, if it is shown, the model), nowhere else."""

from __future__ import annotations

import dataclasses

from nhc_scale.analysis.rep import Rep as DetectedRep
from nhc_scale.appliance.prefs import Prefs
from nhc_scale.appliance.views import Athlete, Gap, Rep, Session
from nhc_scale.store import AthleteRecord, GapRecord, SessionRecord
from nhc_scale.web.models import PrefsPatch

HIDDEN_SESSION_COLUMNS = {"start_ns"}  # the monotonic clock means nothing outside the Pi


def fields(record: type) -> set[str]:
    return {field.name for field in dataclasses.fields(record)}


def test_a_stored_rep_is_its_number_and_the_detectors_fields() -> None:
    assert set(Rep.model_fields) == {"number"} | fields(DetectedRep)


def test_a_session_shows_every_column_but_the_monotonic_start() -> None:
    shown = set(Session.model_fields)
    assert fields(SessionRecord) - HIDDEN_SESSION_COLUMNS <= shown


def test_an_athlete_shows_every_column() -> None:
    assert fields(AthleteRecord) <= set(Athlete.model_fields)


def test_a_gap_shows_its_record_and_its_session_times() -> None:
    assert fields(GapRecord) <= set(Gap.model_fields)


def test_the_preferences_patch_is_the_preferences_made_optional() -> None:
    assert set(PrefsPatch.model_fields) == set(Prefs.model_fields)
    assert all(not field.is_required() for field in PrefsPatch.model_fields.values())
    assert PrefsPatch.model_json_schema()["properties"]["auto_stop_min"]["anyOf"][0] == {
        "maximum": 120.0,
        "minimum": 1.0,
        "type": "number",
    }
