"""What the sync worker needs from the pad's store: the outbox of finished sessions and the
roster. The pad's SQLite store implements it (its outbox row is written in the same transaction
as the session it names); tests use a small SQLite outbox of their own.

Every method is called from the sync worker's thread only, one call at a time, and may take as
long as a database call takes; none is called from a request handler or the sampler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from nhc_scale.sync.protocol import AthleteProfile, RosterAthlete, SessionPayload


class SyncStore(Protocol):
    def pending_sessions(self, limit: int) -> list[SessionPayload]:
        """Up to ``limit`` finished sessions that the hub has not acknowledged and that it did
        not refuse, oldest first. Called again after each batch: returning the same sessions
        until they are marked is what makes a lost answer harmless."""
        ...

    def queued_count(self) -> int:
        """How many sessions wait for the hub (what ``pending_sessions`` would return in all)."""
        ...

    def mark_acknowledged(self, session_uuids: Sequence[UUID]) -> None:
        """The hub has these sessions stored: take them out of the outbox. Uuids the outbox does
        not hold (already marked) are ignored."""
        ...

    def mark_rejected(self, session_uuid: UUID, reason: str) -> None:
        """The hub refused this session as invalid (a sentence says why): keep the session, stop
        sending it, and let a person see the reason. Nothing is ever deleted for this."""
        ...

    def rejected_count(self) -> int:
        """How many sessions the hub refused (``mark_rejected``)."""
        ...

    def roster(self) -> list[AthleteProfile]:
        """Every athlete on the pad, each with its uuid (the pad makes one, uuid4, for an athlete
        created on the pad). The hub creates the ones it does not know."""
        ...

    def apply_roster(self, athletes: Sequence[RosterAthlete]) -> None:
        """The hub's roster, which wins: create the athletes the pad lacks, overwrite the profile
        fields of the ones it has (matched by uuid). Athletes the hub does not list are left as
        they are (they go up with the next exchange)."""
        ...
