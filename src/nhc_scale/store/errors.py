"""The store's exceptions: messages are sentences a person can act on (they reach the API)."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used or written; the message says why and what to do."""


class UnknownSessionError(StoreError, LookupError):
    """No session has this id (never existed or was deleted): the API answers 404."""

    def __init__(self, session_id: int) -> None:
        super().__init__(f"There is no session {session_id}.")
        self.session_id = session_id


class UnknownAthleteError(StoreError, LookupError):
    """No athlete has this id: the API answers 404."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"There is no athlete {athlete_id}.")
        self.athlete_id = athlete_id
