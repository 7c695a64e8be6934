"""The pad's sync worker: sends the outbox to the hub and brings the roster back, in its own
thread, so the sampler, the detector and the page never wait for the network.

One cycle: a heartbeat (the queue length and the pad's version), the roster exchange (the pad's
athletes go up, the hub's come down and win), then the outbox in batches (at most
``batch_sessions`` sessions and about ``batch_bytes`` each) until it is empty. Each batch is
marked only with what the hub acknowledged, so a hub that dies mid-batch costs a resend, never a
session. A failed cycle waits an exponentially growing, jittered delay before the next try (pads
that lost the same hub do not all come back in the same second); a good one waits
``interval_s`` or until :meth:`SyncWorker.notify` says a session finished.

A batch the hub refuses as invalid (422) is split in halves until the one session to blame is
found; that session is marked rejected with the hub's sentence, and the others go on.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from nhc_scale import __version__
from nhc_scale.sync.client import Failure, HubClient, HubError
from nhc_scale.sync.outbox import SyncStore
from nhc_scale.sync.protocol import MAX_BATCH_SESSIONS, SessionPayload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncConfig:
    """What a pad needs to sync; without ``hub_url`` and ``pad_token`` it does not sync at all."""

    hub_url: str
    pad_token: str
    pad_version: str = __version__
    interval_s: float = 30.0  # between cycles while all is well
    timeout_s: float = 15.0  # per request: bounds how long a stalled hub holds the thread
    batch_sessions: int = 25
    batch_bytes: int = 4 * 1024 * 1024  # the hub takes up to 16 MB; samples are the bulk
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_sessions <= MAX_BATCH_SESSIONS:
            raise ValueError(f"batch_sessions must be 1-{MAX_BATCH_SESSIONS}")
        if self.timeout_s <= 0 or self.interval_s <= 0 or self.backoff_base_s <= 0:
            raise ValueError("timeouts, interval and backoff must be positive")


@dataclass(frozen=True)
class SyncState:
    """What the pad's /api/health and page show about syncing."""

    hub_url: str
    status: str  # "starting", "syncing", "ok", "error", "stopped"
    queued: int | None  # sessions waiting for the hub (None until the outbox was first read)
    rejected: int | None  # sessions the hub refused, kept on the pad
    last_success_unix: float | None
    last_attempt_unix: float | None
    last_error: str  # one sentence; "" after a good cycle
    consecutive_failures: int
    next_attempt_unix: float | None
    sent_sessions: int  # acknowledged since the worker started
    pad_name: str | None = None  # the hub's name for this pad, from its last heartbeat answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def backoff_delay(failures: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` failed cycles in a row: doubling from ``base_s`` up to
    ``cap_s``, then "equal jitter": half of it fixed, half drawn at random, so a fleet of pads
    spreads out and none of them ever retries at once."""
    if failures <= 0:
        return 0.0
    ceiling = min(cap_s, base_s * 2.0 ** min(failures - 1, 32))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def take_by_size(sessions: list[SessionPayload], max_bytes: int) -> list[SessionPayload]:
    """The longest prefix whose request stays within ``max_bytes``; at least one session (one
    bigger than the budget goes alone)."""
    batch: list[SessionPayload] = []
    total = 64
    for session in sessions:
        size = len(session.model_dump_json())
        if batch and total + size > max_bytes:
            break
        batch.append(session)
        total += size
    return batch


class _Stopped(Exception):
    pass


class SyncWorker:
    def __init__(
        self,
        store: SyncStore,
        config: SyncConfig,
        *,
        client: HubClient | None = None,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.config = config
        self._client = client or HubClient(config.hub_url, config.pad_token, config.timeout_s)
        self._rng = rng or random.Random()
        self._now = wall_clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = SyncState(
            hub_url=self._client.hub_url,
            status="starting",
            queued=None,
            rejected=None,
            last_success_unix=None,
            last_attempt_unix=None,
            last_error="",
            consecutive_failures=0,
            next_attempt_unix=None,
            sent_sessions=0,
        )

    # -- what the pad calls ---------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="nhc-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop after the request in flight, waiting at most ``timeout_s`` (default: the request
        timeout and a little): a hub that hangs cannot hold the pad's shutdown longer."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.config.timeout_s + 1 if timeout_s is None else timeout_s)
        self._update(status="stopped", next_attempt_unix=None)

    def notify(self) -> None:
        """A session finished: sync soon. While the hub is failing this only waits for the
        backoff already scheduled (a new session does not mean the hub is back)."""
        if self.state().consecutive_failures == 0:
            self._wake.set()

    def sync_now(self) -> None:
        """A person asked: start a cycle now, even while waiting out a failure's backoff."""
        self._wake.set()

    def state(self) -> SyncState:
        with self._lock:
            return self._state

    def sync_once(self) -> bool:
        """One cycle in the caller's thread; True if it reached the hub and emptied the
        outbox. The thread started by :meth:`start` runs the same cycles."""
        try:
            self._cycle()
        except _Stopped:
            return False
        except HubError as error:
            self._failed(str(error))
            return False
        except Exception as error:  # the pad's own store failed: say so, keep the thread alive
            if self._stop.is_set():
                return False  # the pad is shutting down and closed its store under us
            log.exception("sync: the outbox could not be read or marked")
            self._failed(f"The pad's outbox could not be read or marked ({error}).")
            return False
        self._update(
            status="ok",
            last_success_unix=self._now(),
            last_error="",
            consecutive_failures=0,
        )
        return True

    # -- the cycle ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            # Cleared before the cycle, not after the wait: a session that finishes while a
            # cycle runs wakes the next one at once instead of being left for the interval.
            self._wake.clear()
            ok = self.sync_once()
            if self._stop.is_set():
                break
            failures = self.state().consecutive_failures
            delay = (
                self.config.interval_s
                if ok
                else backoff_delay(
                    failures, self.config.backoff_base_s, self.config.backoff_max_s, self._rng
                )
            )
            self._update(next_attempt_unix=self._now() + delay)
            self._wake.wait(delay)

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)

    def _failed(self, message: str) -> None:
        state = self.state()
        if state.consecutive_failures == 0 or message != state.last_error:
            log.warning("sync: %s", message)
        self._update(
            status="error", last_error=message, consecutive_failures=state.consecutive_failures + 1
        )

    def _counts(self) -> tuple[int, int]:
        queued, rejected = self._store.queued_count(), self._store.rejected_count()
        self._update(queued=queued, rejected=rejected)
        return queued, rejected

    def _cycle(self) -> None:
        self._update(status="syncing", last_attempt_unix=self._now())
        queued, rejected = self._counts()
        last_error = self.state().last_error
        answer = self._client.heartbeat(self.config.pad_version, queued, rejected, last_error)
        self._update(pad_name=answer.pad_name)
        roster = self._client.exchange_roster(self._store.roster())
        self._store.apply_roster(roster.athletes)
        sent = 0
        while True:
            if self._stop.is_set():
                raise _Stopped
            pending = self._store.pending_sessions(self.config.batch_sessions)
            if not pending:
                break
            before = self.state().queued
            sent += self._push(take_by_size(pending, self.config.batch_bytes))
            after, _ = self._counts()
            if before is not None and after >= before:
                # Nothing acknowledged and nothing refused: pushing again would loop forever.
                raise HubError(
                    f"The hub at {self._client.hub_url} acknowledged none of the sessions sent; "
                    "trying again later.",
                    Failure.HUB_FAILED,
                )
        if sent or last_error:
            # The hub's Pads page shows the new queue, and no longer the error of before.
            queued, rejected = self._counts()
            self._client.heartbeat(self.config.pad_version, queued, rejected, "")

    def _push(self, batch: list[SessionPayload]) -> int:
        """Push ``batch``; returns how many the hub acknowledged. A batch refused as invalid is
        halved until the session to blame is found and marked rejected."""
        try:
            answer = self._client.push(batch)
        except HubError as error:
            if error.failure is not Failure.INVALID:
                raise
            if len(batch) > 1:
                half = len(batch) // 2
                return self._push(batch[:half]) + self._push(batch[half:])
            session = batch[0]
            if error.status == 413 and session.samples is not None:
                # Too big for this hub: the reps and summary matter most; the trace stays on
                # the pad (its samples export still has it).
                log.warning("sync: session %s sent without samples (too large)", session.uuid)
                return self._push([session.model_copy(update={"samples": None})])
            log.warning("sync: the hub refused session %s: %s", session.uuid, error)
            self._store.mark_rejected(session.uuid, str(error))
            return 0
        self._store.mark_acknowledged(answer.acknowledged)
        self._update(sent_sessions=self.state().sent_sessions + len(answer.acknowledged))
        return len(answer.acknowledged)
