"""The pad's own store as the sync worker sees it (:class:`nhc_scale.sync.outbox.SyncStore`):
the outbox of finished sessions made into the protocol's payloads, and the roster both ways.

Called from the sync worker's thread only. Every call goes through the Store's public methods,
each one short transaction under the Store's own lock, the lock the page's reads and writes take
too; none takes the pipeline's lock, so the sampler and the detector never wait for the sync, and
a store call never waits for the network. The slow parts (decoding a session's sample blocks,
compressing them for the wire) run outside every lock, as the page's exports do.

The conflict rule applied to the roster is docs/hub.md's: the hub wins for every profile field,
the newest relaxed reading wins wherever it was taken, athletes created at the hub appear here
with the hub's uuid, and sessions are append-only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np
from pydantic import ValidationError

from nhc_scale.appliance.recorder import session_summary
from nhc_scale.store import AthleteRecord, SessionRecord, Store
from nhc_scale.sync.protocol import INT32_MAX, AthleteProfile, RosterAthlete, SessionPayload
from nhc_scale.sync.samples import SamplesError, encode_samples

log = logging.getLogger(__name__)

#: Profile fields the hub owns: its value replaces the pad's at every exchange.
HUB_FIELDS = ("name", "body_mass_kg", "height_m", "knee_to_hands_m", "knee_to_ankle_m")


class Unsendable(ValueError):
    """A session this pad cannot describe in the protocol; the message says why."""


def athlete_profile(record: AthleteRecord) -> AthleteProfile | None:
    """The athlete as the protocol carries them, or None if the profile does not fit it.

    The pad and the protocol check profiles with the same ranges; the one field the pad takes
    more widely is a relaxed reading (it keeps what the pad measured, even under 1 kg): such a
    profile goes without its reading rather than not at all.
    """
    fields: dict[str, Any] = {
        "uuid": record.uuid,
        **{name: getattr(record, name) for name in HUB_FIELDS},
        "relaxed_kg": record.relaxed_kg,
        "relaxed_at": record.relaxed_at,
        "created_at": max(0.0, record.created_at),
    }
    try:
        return AthleteProfile.model_validate(fields)
    except ValidationError:
        pass
    try:
        return AthleteProfile.model_validate({**fields, "relaxed_kg": None, "relaxed_at": None})
    except ValidationError as error:
        log.warning("sync: athlete %s cannot go to the hub: %s", record.uuid, error)
        return None


def session_samples(store: Store, record: SessionRecord) -> dict[str, Any] | None:
    """The session's samples for the wire: seconds from its start, kg as each block's own
    calibration gave them (what its samples.csv export holds). None if it has none, or if they
    cannot be encoded (a hole longer than the codec's int32 deltas): the reps still go."""
    arrays = store.samples(record.id)  # decoded outside the store's lock
    if not len(arrays):
        return None
    t_s = (arrays.t_ns - np.int64(record.start_ns)) / 1e9
    try:
        return encode_samples(t_s, arrays.force_kg)
    except SamplesError as error:
        log.warning("sync: session %s goes without its samples: %s", record.uuid, error)
        return None


class PadSyncStore:
    """:class:`~nhc_scale.sync.outbox.SyncStore` over the pad's :class:`Store`."""

    def __init__(self, store: Store, hub_url: str | None = None) -> None:
        """``hub_url``: the hub whose answers this is for; they are kept only while the pad's
        outbox answers to it (None: whatever the hub)."""
        self._store = store
        self._hub_url = hub_url
        # The encoded samples of the sessions the last call returned. The worker asks again
        # after each batch and a batch is cut by size, so most sessions are asked for more
        # than once; a finished session's samples never change, and reading them back is
        # most of a payload's cost (docs/hub.md, "The pad's side").
        self._samples: dict[str, dict[str, Any] | None] = {}

    # -- the outbox -----------------------------------------------------------------------

    def pending_sessions(self, limit: int) -> list[SessionPayload]:
        while True:
            payloads: list[SessionPayload] = []
            set_aside = 0
            for record in self._store.outbox(limit):
                try:
                    payloads.append(self.payload(record))
                except Unsendable as error:
                    # Kept on the pad, with the reason where the page shows refused sessions;
                    # the rest of the outbox goes on.
                    log.warning("sync: session %s stays on the pad: %s", record.uuid, error)
                    self._store.mark_sync_rejected(record.uuid, str(error))
                    set_aside += 1
            if payloads or not set_aside:
                kept = {str(payload.uuid) for payload in payloads}
                self._samples = {k: v for k, v in self._samples.items() if k in kept}
                return payloads

    def payload(self, record: SessionRecord) -> SessionPayload:
        reps = self._store.reps(record.id)
        athlete = None
        if record.athlete_id is not None:
            found = self._store.get_athlete(record.athlete_id)
            athlete = None if found is None else athlete_profile(found)
            if found is not None and athlete is None:
                raise Unsendable(
                    f"the profile of {found.name} does not fit the sync protocol; correct it "
                    "on the Athletes tab"
                )
        assert record.ended_at is not None  # the outbox holds finished sessions only
        try:
            summary = session_summary(reps)
        except (KeyError, TypeError, ValueError) as error:
            raise Unsendable(f"its reps cannot be summarised ({error!r})") from None
        fields = {
            "uuid": record.uuid,
            "athlete": athlete,
            "pad_session_id": record.id if record.id <= INT32_MAX else None,
            "name": record.name,
            "notes": record.notes,
            "started_at": max(0.0, record.started_at),
            # A clock corrected backwards mid-session must not make it end before it began.
            "ended_at": max(record.ended_at, record.started_at, 0.0),
            "clock_synced": record.clock_synced,
            "variation": record.variation,
            "reps": reps,
            "summary": summary,
            "samples": self._encoded_samples(record),
        }
        try:
            return SessionPayload.model_validate(fields)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3]
            )
            raise Unsendable(f"the session does not fit the sync protocol ({problems})") from None

    def _encoded_samples(self, record: SessionRecord) -> dict[str, Any] | None:
        if record.uuid not in self._samples:
            self._samples[record.uuid] = session_samples(self._store, record)
        return self._samples[record.uuid]

    def queued_count(self) -> int:
        return self._store.outbox_counts()["queued"]

    def rejected_count(self) -> int:
        return self._store.outbox_counts()["rejected"]

    def mark_acknowledged(self, session_uuids: Sequence[UUID]) -> None:
        self._store.mark_synced([str(value) for value in session_uuids], self._hub_url)

    def mark_rejected(self, session_uuid: UUID, reason: str) -> None:
        self._store.mark_sync_rejected(str(session_uuid), reason, self._hub_url)

    # -- the roster -----------------------------------------------------------------------

    def roster(self) -> list[AthleteProfile]:
        profiles = (athlete_profile(record) for record in self._store.list_athletes())
        return [profile for profile in profiles if profile is not None]

    def apply_roster(self, athletes: Sequence[RosterAthlete]) -> None:
        """Writes only what differs, so an exchange that changes nothing writes nothing (the
        SD card wears with every commit)."""
        local = {record.uuid: record for record in self._store.list_athletes()}
        removed = self._store.removed_athlete_uuids()
        for hub in athletes:
            mine = local.get(str(hub.uuid))
            if mine is None:
                # A coach's archived athlete is not brought to a new pad, nor one deleted here.
                if not hub.archived and str(hub.uuid) not in removed:
                    self._create(hub)
                continue
            self._merge(mine, hub)

    def _create(self, hub: RosterAthlete) -> None:
        fields = {name: getattr(hub, name) for name in HUB_FIELDS}
        fields.update(relaxed_kg=hub.relaxed_kg, relaxed_at=hub.relaxed_at)
        self._store.create_athlete(fields, hub.created_at, athlete_uuid=str(hub.uuid))

    def _merge(self, mine: AthleteRecord, hub: RosterAthlete) -> None:
        changes = {
            name: getattr(hub, name)
            for name in HUB_FIELDS
            if getattr(mine, name) != getattr(hub, name)
        }
        hub_newer = hub.relaxed_at is not None and (mine.relaxed_at or 0.0) < hub.relaxed_at
        if not hub_newer and mine.relaxed_kg is not None and mine.relaxed_kg >= hub.body_mass_kg:
            # The pad's reading is the newer, but no reading can be the hub's body mass or more:
            # the hub's profile is taken whole.
            changes.update(relaxed_kg=hub.relaxed_kg, relaxed_at=hub.relaxed_at)
        if changes:
            self._store.update_athlete(mine.id, changes)
        if hub_newer:
            assert hub.relaxed_kg is not None and hub.relaxed_at is not None
            # Compared again in the write itself: a reading taken here meanwhile is kept.
            self._store.update_relaxed_if_newer(mine.id, hub.relaxed_kg, hub.relaxed_at)
