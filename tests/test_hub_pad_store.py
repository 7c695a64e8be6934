"""The pad's own store as the sync worker's SyncStore: payloads made from what the pad stored
(reps, summary, athlete, samples in kg after each block's calibration), the conflict rule on
the roster, and the worker sending a real pad database to the real hub."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from hub_server import Hub, running_hub
from stored_reps import rep_dict

from nhc_scale.appliance.sync_store import PadSyncStore
from nhc_scale.store import Store, counts_to_kg
from nhc_scale.sync.outbox import SyncStore
from nhc_scale.sync.protocol import RosterAthlete
from nhc_scale.sync.samples import decode_samples
from nhc_scale.sync.worker import SyncConfig, SyncWorker

PERIOD_NS = 12_500_000  # 80 S/s
START_NS = 7_000_000_000
NOW = 1_750_000_000.0
ANN = {"name": "Ann", "body_mass_kg": 70.0, "height_m": 1.75}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "pad")
    yield opened
    opened.close()


def record_session(
    store: Store, minima: list[float], *, seconds: float = 30.0, athlete_id: int | None = None
) -> int:
    """A finished session: samples in two blocks with two calibrations (a tare between them),
    and a rep per minimum."""
    if athlete_id is not None:
        store.set_active_athlete(athlete_id)
    session_id = store.create_session(None, NOW, START_NS, True)
    n = int(seconds * 80)
    t = START_NS + np.arange(n, dtype=np.int64) * PERIOD_NS
    counts = (84_000 + 10_000 * 20 * np.abs(np.sin(np.arange(n) / 90))).astype(np.int32)
    half = n // 2
    store.append_samples(session_id, t[:half], counts[:half], 84_000.0, 10_000.0)
    store.flush()
    store.append_samples(session_id, t[half:], counts[half:], 85_000.0, 10_050.0)
    for number, minimum in enumerate(minima, start=1):
        store.add_rep(session_id, rep_dict(number, minimum, start_s=5.0 * number))
    store.end_session(session_id, NOW + seconds)
    return session_id


def test_the_pad_store_is_a_sync_store(store: Store) -> None:
    sync_store: SyncStore = PadSyncStore(store)  # the Protocol, checked by mypy too
    assert sync_store.queued_count() == 0 and sync_store.rejected_count() == 0


def test_a_finished_session_becomes_the_payload_of_what_the_pad_stored(store: Store) -> None:
    ann = store.create_athlete(ANN, NOW - 100)
    session_id = record_session(store, [12.5, 10.25, 11.0], athlete_id=ann.id)
    running = store.create_session("still going", NOW + 60, START_NS * 3, True)
    sync_store = PadSyncStore(store)
    assert sync_store.queued_count() == 1  # the running one is not queued
    (payload,) = sync_store.pending_sessions(25)
    record = store.get_session(session_id)
    assert record is not None
    assert str(payload.uuid) == record.uuid and payload.pad_session_id == session_id
    assert payload.started_at == NOW and payload.ended_at == NOW + 30.0
    assert payload.athlete is not None and str(payload.athlete.uuid) == ann.uuid
    assert payload.athlete.name == "Ann" and payload.athlete.body_mass_kg == 70.0
    assert [rep.min_assistance_kg for rep in payload.reps] == [12.5, 10.25, 11.0]
    assert payload.reps[0].model_dump() == rep_dict(1, 12.5, start_s=5.0)  # every key, as stored
    assert payload.summary["rep_count"] == 3 and payload.summary["best_min_kg"] == 10.25
    assert payload.samples is not None
    t_s, force = decode_samples(payload.samples)
    stored = store.samples(session_id)
    assert np.allclose(t_s, (stored.t_ns - START_NS) / 1e9, atol=1e-6)
    assert np.abs(force - stored.force_kg).max() < 1e-9  # to the decigram, exactly
    # Each half in kg with its own calibration, as the samples.csv export holds it.
    half = len(stored) // 2
    raw = stored.counts
    assert np.array_equal(force[:half], counts_to_kg(raw[:half], 84_000.0, 10_000.0))
    assert np.array_equal(force[half:], counts_to_kg(raw[half:], 85_000.0, 10_050.0))
    assert running != session_id


def test_acknowledged_sessions_leave_the_outbox_and_refused_ones_stay_aside(
    store: Store,
) -> None:
    ids = [record_session(store, [10.0 + i], seconds=5.0) for i in range(4)]
    sync_store = PadSyncStore(store)
    pending = sync_store.pending_sessions(3)
    assert [p.pad_session_id for p in pending] == ids[:3]  # oldest first, up to the limit
    sync_store.mark_acknowledged([pending[0].uuid, uuid.uuid4()])  # an unknown uuid: ignored
    sync_store.mark_rejected(pending[1].uuid, "The hub refused it.")
    assert sync_store.queued_count() == 2 and sync_store.rejected_count() == 1
    assert [p.pad_session_id for p in sync_store.pending_sessions(25)] == [ids[2], ids[3]]
    assert store.get_session(ids[0]) is not None  # acknowledged is not deleted


def test_a_pad_paired_with_another_hub_queues_every_finished_session_for_it(
    store: Store,
) -> None:
    ids = [record_session(store, [m], seconds=5.0) for m in (10.0, 11.0, 12.0)]
    running = store.create_session(None, NOW + 60, START_NS * 3, True)
    sync_store = PadSyncStore(store)
    assert store.outbox_follow_hub("http://coach-laptop:8800") == 0  # the first hub named
    pending = sync_store.pending_sessions(25)
    sync_store.mark_acknowledged([pending[0].uuid, pending[1].uuid])
    sync_store.mark_rejected(pending[2].uuid, "The hub refused it.")
    assert sync_store.queued_count() == 0 and sync_store.rejected_count() == 1
    assert store.outbox_follow_hub("http://coach-laptop:8800") == 0  # the same hub again

    assert store.outbox_follow_hub("http://club-server:8800") == 3
    assert sync_store.queued_count() == 3 and sync_store.rejected_count() == 0
    assert sorted(p.pad_session_id for p in sync_store.pending_sessions(25)) == ids
    assert running not in [p.pad_session_id for p in sync_store.pending_sessions(25)]
    assert store.outbox_follow_hub("http://club-server:8800") == 0
    # An answer from the hub just left, still in flight, takes nothing away from the new one.
    late = PadSyncStore(store, "http://coach-laptop:8800")
    late.mark_acknowledged([p.uuid for p in sync_store.pending_sessions(25)])
    late.mark_rejected(sync_store.pending_sessions(25)[0].uuid, "The old hub refused it.")
    assert sync_store.queued_count() == 3 and sync_store.rejected_count() == 0
    club = PadSyncStore(store, "http://club-server:8800")
    club.mark_acknowledged([p.uuid for p in sync_store.pending_sessions(25)])
    assert sync_store.queued_count() == 0
    assert store.outbox_follow_hub("http://coach-laptop:8800") == 3  # and back again


def test_a_session_the_pad_cannot_describe_is_set_aside_and_the_rest_goes(
    store: Store,
) -> None:
    broken = store.create_session("x" * 150, NOW, START_NS, True)  # longer than the protocol's
    store.end_session(broken, NOW + 1)
    good = record_session(store, [9.0], seconds=5.0)
    sync_store = PadSyncStore(store)
    assert [p.pad_session_id for p in sync_store.pending_sessions(1)] == [good]
    assert sync_store.rejected_count() == 1 and sync_store.queued_count() == 1


def test_an_athletes_small_relaxed_reading_stays_on_the_pad_but_the_athlete_goes(
    store: Store,
) -> None:
    store.create_athlete({**ANN, "relaxed_kg": 0.5, "relaxed_at": NOW}, NOW)
    (profile,) = PadSyncStore(store).roster()
    assert profile.name == "Ann" and profile.relaxed_kg is None


def roster_athlete(**fields) -> RosterAthlete:
    values = {
        "uuid": str(uuid.uuid4()),
        **ANN,
        "created_at": NOW - 1000,
        "updated_at": NOW,
        "archived": False,
    }
    values.update(fields)
    return RosterAthlete.model_validate(values)


def test_the_hub_wins_for_the_profile_and_the_newest_relaxed_reading_wins(store: Store) -> None:
    ann = store.create_athlete({**ANN, "relaxed_kg": 30.0, "relaxed_at": NOW}, NOW - 50)
    bo = store.create_athlete(
        {"name": "Bo", "body_mass_kg": 80.0, "height_m": 1.8, "relaxed_kg": 35.0,
         "relaxed_at": NOW}, NOW - 50,
    )  # fmt: skip
    new_at_hub = roster_athlete(name="Cy", body_mass_kg=66.0, relaxed_kg=28.0, relaxed_at=NOW - 9)
    archived = roster_athlete(name="Dee", archived=True)
    PadSyncStore(store).apply_roster(
        [
            # The hub renamed Ann and has an older relaxed reading: the name comes, the pad's
            # newer reading stays.
            roster_athlete(uuid=ann.uuid, name="Ann B.", body_mass_kg=71.5, knee_to_hands_m=0.6,
                           relaxed_kg=25.0, relaxed_at=NOW - 3600),
            # Bo's newer reading was taken on another pad: it comes.
            roster_athlete(uuid=bo.uuid, name="Bo", body_mass_kg=80.0, height_m=1.8,
                           relaxed_kg=33.0, relaxed_at=NOW + 60),
            new_at_hub,
            archived,
        ]
    )  # fmt: skip
    after = {a.uuid: a for a in store.list_athletes()}
    assert after[ann.uuid].name == "Ann B." and after[ann.uuid].body_mass_kg == 71.5
    assert after[ann.uuid].knee_to_hands_m == 0.6
    assert (after[ann.uuid].relaxed_kg, after[ann.uuid].relaxed_at) == (30.0, NOW)
    assert (after[bo.uuid].relaxed_kg, after[bo.uuid].relaxed_at) == (33.0, NOW + 60)
    cy = after[str(new_at_hub.uuid)]  # created here with the hub's uuid
    assert (cy.name, cy.body_mass_kg, cy.relaxed_kg) == ("Cy", 66.0, 28.0)
    assert str(archived.uuid) not in after
    assert len(after) == 3


def test_an_athlete_deleted_on_the_pad_is_not_brought_back_by_the_hubs_roster(
    store: Store,
) -> None:
    eve, cy = roster_athlete(name="Eve"), roster_athlete(name="Cy")
    sync_store = PadSyncStore(store)
    sync_store.apply_roster([eve])
    (here,) = store.list_athletes()
    assert here.uuid == str(eve.uuid)
    store.delete_athlete(here.id)
    sync_store.apply_roster([eve, cy])  # the hub still lists Eve, and now Cy
    assert [a.name for a in store.list_athletes()] == ["Cy"]
    assert [p.name for p in sync_store.roster()] == ["Cy"]  # nor is she sent back to the hub
    assert store.removed_athlete_uuids() == {str(eve.uuid)}


def test_an_exchange_that_changes_nothing_writes_nothing(store: Store) -> None:
    ann = store.create_athlete(ANN, NOW)
    sync_store = PadSyncStore(store)
    (profile,) = sync_store.roster()
    same = RosterAthlete.model_validate(
        {**profile.model_dump(), "updated_at": NOW, "archived": False}
    )
    size_before = store.status()["size_bytes"]
    wal = store.path.with_name(store.path.name + "-wal")
    mtime = wal.stat().st_mtime_ns
    revision = store.roster_revision
    sync_store.apply_roster([same])
    assert wal.stat().st_mtime_ns == mtime and store.status()["size_bytes"] == size_before
    assert store.get_athlete(ann.id) == ann
    assert store.roster_revision == revision  # the phones have nothing to reload
    sync_store.apply_roster([same, roster_athlete(name="Cy")])
    assert store.roster_revision != revision  # an athlete from the hub: the phones reload


def test_a_reading_taken_on_the_pad_meanwhile_is_not_overwritten(store: Store) -> None:
    ann = store.create_athlete(ANN, NOW)
    assert store.update_relaxed_if_newer(ann.id, 30.0, NOW)
    assert not store.update_relaxed_if_newer(ann.id, 29.0, NOW - 1)  # older: kept as it was
    assert not store.update_relaxed_if_newer(ann.id, 29.0, NOW)  # as new: kept
    assert store.require_athlete(ann.id).relaxed_kg == 30.0


# -- the worker with the pad's own store, against the real hub -----------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(tmp_path / "hub") as running:
        running.add_coach()
        yield running


@pytest.mark.integration
def test_the_worker_sends_the_pads_database_and_brings_the_hubs_athletes(
    hub: Hub, store: Store
) -> None:
    coach = hub.login()
    created = httpx.post(hub.url + "/api/pads", json={"name": "Pad A"}, headers=coach)
    token = created.json()["token"]
    from_hub = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Eve", "body_mass_kg": 61.0, "height_m": 1.68},
        headers=coach,
    ).json()
    ann = store.create_athlete(ANN, NOW)
    ids = [record_session(store, [15.0 - i, 14.0 - i], athlete_id=ann.id) for i in range(7)]
    config = SyncConfig(hub_url=hub.url, pad_token=token, timeout_s=10.0, batch_sessions=3)
    worker = SyncWorker(PadSyncStore(store), config)
    assert worker.sync_once(), worker.state().last_error
    assert worker.state().queued == 0 and worker.state().sent_sessions == 7
    sessions = httpx.get(hub.url + "/api/sessions?limit=100", headers=coach).json()["sessions"]
    by_uuid = {s["uuid"]: s for s in sessions}
    for session_id in ids:
        record = store.get_session(session_id)
        assert record is not None and record.uuid in by_uuid
    detail = httpx.get(f"{hub.url}/api/sessions/{store.get_session(ids[0]).uuid}", headers=coach)
    assert [r["min_assistance_kg"] for r in detail.json()["reps"]] == [15.0, 14.0]
    trace = httpx.get(
        f"{hub.url}/api/sessions/{store.get_session(ids[0]).uuid}/trace", headers=coach
    ).json()
    assert len(trace["t_s"]) > 100
    team = httpx.get(hub.url + "/api/team", headers=coach).json()["athletes"]
    assert {row["athlete"]["uuid"]: row["session_count"] for row in team} == {
        ann.uuid: 7,
        from_hub["uuid"]: 0,
    }
    eve = store.athlete_by_uuid(from_hub["uuid"])
    assert eve is not None and eve.name == "Eve"
    # Sent once: a second cycle finds nothing to send.
    assert worker.sync_once() and worker.state().sent_sessions == 7
    again = httpx.get(hub.url + "/api/sessions?limit=100", headers=coach).json()["sessions"]
    assert len(again) == len(sessions) == 7
