"""What the appliance refuses, by kind: the web layer maps each kind to one HTTP status, once
(web/app.py), and sends the message as it is. Messages are sentences a person can act on."""

from __future__ import annotations


class Conflict(Exception):
    """The request does not fit the state of things (409)."""


class SessionConflict(Conflict):
    """A session is (not) running where the request needs the opposite."""


class AthleteHasSessions(Conflict):
    """An athlete with sessions is deleted without saying what becomes of them."""


class RelaxedRefused(Conflict):
    """No steady relaxed level in the newest readings."""


class Invalid(ValueError):
    """A request that is well-formed but refused by the domain (422)."""


class SensorUnavailable(Exception):
    """No recent readings to act on (503)."""
