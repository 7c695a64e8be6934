"""The pad's HTTP client for the hub: the standard library's urllib, so a pad needs nothing new.

Each call has a bounded timeout and turns every failure into a :class:`HubError` whose message
is one sentence a person can act on (it is shown on the pad's page and in /api/health). The
error's kind tells the worker what to do next: wait and retry, split the batch, or stop sending a
session the hub will never take.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from enum import Enum
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from nhc_scale.sync.protocol import (
    HEARTBEAT_PATH,
    INFO_PATH,
    PROTOCOL_VERSION,
    PUSH_PATH,
    ROSTER_PATH,
    AthleteProfile,
    HeartbeatRequest,
    HeartbeatResponse,
    HubInfo,
    PushRequest,
    PushResponse,
    RosterRequest,
    RosterResponse,
    SessionPayload,
)

M = TypeVar("M", bound=BaseModel)
DEFAULT_TIMEOUT_S = 15.0


class Failure(Enum):
    UNREACHABLE = "unreachable"  # no answer: down, away, slow, a proxy in between; retry later
    REFUSED = "refused"  # 401/403: the token is wrong or revoked; retry later, slowly
    INVALID = "invalid"  # 413/422: the hub will never take this body as it is
    INCOMPATIBLE = "incompatible"  # another 4xx: not a hub, or another protocol; retry later
    HUB_FAILED = "hub_failed"  # 5xx, 429 or an answer we cannot read; retry later


class HubError(Exception):
    def __init__(
        self, message: str, failure: Failure, status: int | None = None, cause: str = ""
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.status = status
        self.cause = cause  # UNREACHABLE: what the network said ("Connection refused", ...)


def _detail(body: bytes) -> str:
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return ""
    return detail if isinstance(detail, str) else ""


class HubClient:
    """Speaks the sync protocol to one hub with one pad token."""

    def __init__(self, hub_url: str, pad_token: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        parts = urlsplit(hub_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the hub address {hub_url!r} is not an http:// or https:// URL")
        self.hub_url = hub_url.rstrip("/")
        self._token = pad_token
        self.timeout_s = timeout_s

    def hello(self) -> HubInfo:
        """What the hub at this address speaks (no token needed)."""
        request = urllib.request.Request(
            self.hub_url + INFO_PATH, method="GET", headers={"Accept": "application/json"}
        )
        return self._parse(self._send(request), HubInfo)

    def push(self, sessions: list[SessionPayload]) -> PushResponse:
        body = PushRequest(protocol=PROTOCOL_VERSION, sessions=sessions)
        return self._post(PUSH_PATH, body, PushResponse)

    def exchange_roster(self, athletes: list[AthleteProfile]) -> RosterResponse:
        body = RosterRequest(protocol=PROTOCOL_VERSION, athletes=athletes)
        return self._post(ROSTER_PATH, body, RosterResponse)

    def heartbeat(
        self, pad_version: str, queued: int, rejected: int, last_error: str
    ) -> HeartbeatResponse:
        body = HeartbeatRequest(
            protocol=PROTOCOL_VERSION,
            pad_version=pad_version[:40],
            queued_sessions=queued,
            rejected_sessions=rejected,
            last_error=last_error[:500],
        )
        return self._post(HEARTBEAT_PATH, body, HeartbeatResponse)

    def _post(self, path: str, body: BaseModel, answer: type[M]) -> M:
        data = body.model_dump_json().encode()
        request = urllib.request.Request(
            self.hub_url + path,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
            },
        )
        return self._parse(self._send(request), answer)

    def _parse(self, raw: bytes, answer: type[M]) -> M:
        try:
            return answer.model_validate_json(raw)
        except ValidationError:
            raise HubError(
                f"The hub at {self.hub_url} answered something that is not sync protocol "
                f"{PROTOCOL_VERSION}: is that address an nhc-scale hub?",
                Failure.HUB_FAILED,
            ) from None

    def _send(self, request: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            raise self._http_error(error.code, error.read()) from None
        except TimeoutError:
            raise self._timed_out() from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise self._timed_out() from None
            raise HubError(
                f"Cannot reach the hub at {self.hub_url} ({reason}); the sessions wait on the "
                "pad and are sent when it is back.",
                Failure.UNREACHABLE,
                cause=str(reason),
            ) from None

    def _timed_out(self) -> HubError:
        return HubError(
            f"The hub at {self.hub_url} did not answer within {self.timeout_s:g} s; the "
            "sessions wait on the pad and are sent when it answers.",
            Failure.UNREACHABLE,
            cause=f"no answer within {self.timeout_s:g} s",
        )

    def _http_error(self, status: int, body: bytes) -> HubError:
        detail = _detail(body).rstrip(".")
        said = f": {detail}." if detail else "."
        if status in (401, 403):
            return HubError(
                f"The hub at {self.hub_url} refused this pad's token{said} Pair the pad again "
                "with a new token from the hub's Pads page.",
                Failure.REFUSED,
                status,
            )
        if status in (413, 422):
            return HubError(
                f"The hub at {self.hub_url} refused the request (HTTP {status}){said}",
                Failure.INVALID,
                status,
            )
        if 400 <= status < 500 and status not in (408, 429):
            # A protocol this hub does not speak, or an address that is not a hub: nothing a
            # session did, so no session is refused for it; a person must fix the set-up.
            return HubError(
                f"The hub at {self.hub_url} cannot take this pad's requests (HTTP {status})"
                f"{said} Check the hub address and that hub and pad are up to date.",
                Failure.INCOMPATIBLE,
                status,
            )
        return HubError(
            f"The hub at {self.hub_url} failed (HTTP {status}){said} Trying again later.",
            Failure.HUB_FAILED if status != 408 else Failure.UNREACHABLE,
            status,
        )


def check_pairing(hub_url: str, pad_token: str, pad_version: str, queued: int = 0) -> str:
    """For the pad's page or CLI when a person enters a hub address and token: the pad's name at
    the hub if both are right, else a HubError whose sentence says what is wrong."""
    client = HubClient(hub_url, pad_token, timeout_s=10.0)
    try:
        info = client.hello()
    except HubError as error:
        if error.failure is not Failure.UNREACHABLE:
            raise
        raise HubError(
            f"Cannot reach a hub at {client.hub_url} ({error.cause}): check the address (the "
            "hub's Pads page shows it) and that the hub runs and this pad's network reaches it.",
            error.failure,
            cause=error.cause,
        ) from None
    if PROTOCOL_VERSION not in info.protocols:
        raise HubError(
            f"The hub at {client.hub_url} speaks sync protocol {info.protocols}, this pad "
            f"{PROTOCOL_VERSION}: update the older of the two.",
            Failure.INCOMPATIBLE,
        )
    return client.heartbeat(pad_version, queued, 0, "").pad_name
