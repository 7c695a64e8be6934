"""Syncing with a team hub: which hub (the settings, else the pairing made on the page or with
``nhc-scale pair``), the sync worker that talks to it, and what the page and /api/health say.

Without a hub nothing here runs but a cheap look at the pairing file every few seconds (so a
pairing made with the CLI while the pad runs takes effect). With one, the worker
(:mod:`nhc_scale.sync.worker`) runs in its own thread over :class:`PadSyncStore`; it never
takes the pipeline's lock and a request never waits for it: ``state()`` reads what the worker
last recorded and the outbox's two counts. A hub that is down or away costs the pad a growing
outbox and a sentence on the page, nothing more (docs/hub.md, "The pad's side").
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from nhc_scale import __version__
from nhc_scale.appliance.errors import Conflict, Invalid
from nhc_scale.appliance.sync_store import PadSyncStore
from nhc_scale.store import Store, StoreError
from nhc_scale.sync import pairing as pairing_file
from nhc_scale.sync.client import HubError
from nhc_scale.sync.pairing import Pairing, PairingError
from nhc_scale.sync.worker import SyncConfig, SyncWorker

log = logging.getLogger(__name__)

WATCH_INTERVAL_S = 2.0  # how soon a pairing made with the CLI takes effect
STOP_WAIT_S = 2.0  # at shutdown; a request in flight then ends with the process
REFUSED_SHOWN = 5  # the newest refused sessions listed with the hub's sentence


class HubPinned(Conflict):
    """The hub comes from the settings; the page and the CLI do not change it."""


class NotPaired(Conflict):
    """Syncing was asked for, but the pad has no hub."""


class PairingRefused(Invalid):
    """The address or token cannot be paired (the hub or the network said why)."""


def pinned_message(what: str) -> str:
    return (
        f"This pad's hub is set in its settings (NHC_HUB_URL and NHC_HUB_TOKEN, or hub_url and "
        f"hub_token in its config file), which win over a pairing: {what} there."
    )


class HubSync:
    def __init__(
        self,
        store: Store,
        state_dir: Path,
        settings_hub: tuple[str, str] | None,
        *,
        watch_interval_s: float = WATCH_INTERVAL_S,
    ) -> None:
        """``settings_hub``: (hub_url, hub_token) from the settings, which pin the pad to that
        hub; None lets the pairing file decide."""
        self._store = store
        self._state_dir = Path(state_dir)
        self._pinned = None if settings_hub is None else Pairing(*settings_hub)
        self._watch_interval_s = watch_interval_s
        self._lock = threading.Lock()  # one (re)configuration at a time
        self._pairing: Pairing | None = None
        self._worker: SyncWorker | None = None
        self._problem = ""  # why the pairing file could not be used
        self._seen: tuple[int, int, int] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    # ----- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            self._reload()
        if self._pinned is None:
            self._watcher = threading.Thread(
                target=self._watch, name="nhc-hub-pairing", daemon=True
            )
            self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(self._watch_interval_s + 1)
        with self._lock:
            if self._worker is not None:
                self._worker.stop(timeout_s=STOP_WAIT_S)

    # ----- what the appliance and the API call ----------------------------------------------
    def session_finished(self) -> None:
        """A session's end (and its outbox row) is committed: sync soon."""
        worker = self._worker
        if worker is not None:
            worker.notify()

    def sync_now(self) -> dict[str, Any]:
        worker = self._worker
        if worker is None:
            raise NotPaired("This pad is not paired with a team hub: pair it first.")
        worker.sync_now()
        return self.state()

    def pair(self, hub_url: str, pad_token: str) -> dict[str, Any]:
        """Check the address and token with the hub, keep them, and sync with that hub from
        now on (replacing the hub of before). Nothing is kept if the hub refuses."""
        if self._pinned is not None:
            raise HubPinned(pinned_message("change it"))
        queued = self._store.outbox_counts()["queued"]
        try:
            paired = pairing_file.pair(hub_url, pad_token, __version__, queued)
        except (ValueError, HubError) as error:
            raise PairingRefused(f"Not paired: {error}") from None
        with self._lock:
            try:
                pairing_file.save(self._state_dir, paired)
            except PairingError as error:
                raise StoreError(str(error)) from None
            self._seen = pairing_file.file_signature(self._state_dir)
            self._problem = ""
            self._use(paired)
        log.info("hub: paired with %s as %r", paired.hub_url, paired.pad_name)
        return self.state()

    def unpair(self) -> dict[str, Any]:
        if self._pinned is not None:
            raise HubPinned(pinned_message("remove it"))
        with self._lock:
            try:
                pairing_file.remove(self._state_dir)
            except PairingError as error:
                raise StoreError(str(error)) from None
            self._seen = None
            self._problem = ""
            self._use(None)
        log.info("hub: unpaired; sessions wait in the outbox")
        return self.state()

    def state(self) -> dict[str, Any]:
        """For the page and /api/health: the hub, the worker's last word, the outbox."""
        pairing, worker = self._pairing, self._worker
        counts = self._store.outbox_counts()
        sync = None if worker is None else worker.state()
        pad_name = (sync.pad_name if sync is not None else None) or (
            pairing.pad_name if pairing is not None else None
        )
        return {
            "paired": pairing is not None,
            "source": None if pairing is None else self._source,
            "hub_url": None if pairing is None else pairing.hub_url,
            "pad_name": pad_name or None,
            "paired_at_unix": None if pairing is None else pairing.paired_at,
            "status": "unpaired" if sync is None else sync.status,
            "queued": counts["queued"],
            "rejected": counts["rejected"],
            "refused_sessions": [
                {"session_id": session_id, "reason": reason}
                for session_id, reason in self._store.outbox_rejected(REFUSED_SHOWN)
            ]
            if counts["rejected"]
            else [],
            "last_error": self._problem if sync is None else sync.last_error,
            "last_success_unix": None if sync is None else sync.last_success_unix,
            "last_attempt_unix": None if sync is None else sync.last_attempt_unix,
            "next_attempt_unix": None if sync is None else sync.next_attempt_unix,
            "consecutive_failures": 0 if sync is None else sync.consecutive_failures,
            "sent_sessions": 0 if sync is None else sync.sent_sessions,
        }

    def summary(self) -> dict[str, Any]:
        """The part the live stream's status event carries (made in the pipeline's thread
        every 2 s: the outbox's two counts are its one read)."""
        worker = self._worker
        sync = None if worker is None else worker.state()
        return {
            "paired": self._pairing is not None,
            "status": "unpaired" if sync is None else sync.status,
            **self._store.outbox_counts(),
            "last_error": self._problem if sync is None else sync.last_error,
            "last_success_unix": None if sync is None else sync.last_success_unix,
        }

    # ----- inside ---------------------------------------------------------------------------
    @property
    def _source(self) -> str:
        return "settings" if self._pinned is not None else "pairing"

    def _reload(self) -> None:
        """Take the hub from the settings or the pairing file (the caller holds the lock)."""
        if self._pinned is not None:
            self._use(self._pinned)
            return
        self._seen = pairing_file.file_signature(self._state_dir)
        try:
            found = pairing_file.load(self._state_dir)
            self._problem = ""
        except PairingError as error:
            log.warning("hub: %s", error)
            found, self._problem = None, str(error)
        if found != self._pairing:
            self._use(found)

    def _use(self, pairing: Pairing | None) -> None:
        """Replace the worker (the caller holds the lock). The old one is told to stop and not
        waited for: a request it has in flight ends on its own. What the old hub acknowledges
        meanwhile is marked if it is the same hub (paired again), and not if the pad moved to
        another hub, which then gets those sessions too (its worker's store is bound to it)."""
        old, self._worker = self._worker, None
        if old is not None:
            old.stop(timeout_s=0)
        self._pairing = pairing
        if pairing is not None and not self._stopping.is_set():  # none after the pad's stop
            self._follow(pairing.hub_url)
            config = SyncConfig(hub_url=pairing.hub_url, pad_token=pairing.pad_token)
            self._worker = SyncWorker(PadSyncStore(self._store, pairing.hub_url), config)
            self._worker.start()
            log.info("hub: syncing with %s (%s)", pairing.hub_url, self._source)

    def _follow(self, hub_url: str) -> None:
        """A hub other than the one that acknowledged the outbox gets every finished session."""
        try:
            requeued = self._store.outbox_follow_hub(hub_url)
        except StoreError as error:
            # Tried again at the next (re)configuration; syncing what is queued goes on.
            log.warning("hub: cannot note the hub in the database: %s", error)
            return
        if requeued:
            log.info("hub: %s is a new hub: %d finished sessions queued for it", hub_url, requeued)

    def _watch(self) -> None:
        while not self._stopping.wait(self._watch_interval_s):
            if pairing_file.file_signature(self._state_dir) == self._seen:
                continue
            with self._lock:
                if not self._stopping.is_set():
                    self._reload()
