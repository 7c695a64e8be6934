"""The real ``nhc-scale serve`` on loopback and a headless Chromium, for the phone-page tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from server import running_server

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium as it is, never a downloaded one (`playwright install` is not used): no
# sandbox (containers lack the namespaces), no GPU, and no calls home that could fail the
# "nothing leaves 127.0.0.1" check or slow the start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Skips a test where Debian's Chromium is missing.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)",
)
#: The marks of a module whose tests drive the page in Chromium (`pytestmark = IN_CHROMIUM`).
IN_CHROMIUM = [pytest.mark.browser, pytest.mark.integration, NEEDS_CHROMIUM]


@contextmanager
def demo_server(state_dir: Path, seed: int) -> Iterator[str]:
    """Yield the base URL of a server fed by the demo athlete; stop it with SIGTERM after.

    The admin token is the one the server generates into the state dir, as on a real device:
    the page tests type it into the page's prompt.
    """
    with running_server(
        state_dir, NHC_EMULATED_FORCE="demo", NHC_EMULATED_SEED=str(seed), NHC_ADMIN_TOKEN=None
    ) as server:
        yield server.url


def generated_admin_auth(state_dir: Path) -> dict[str, str]:
    """The Authorization header for the admin token a demo server generated into its state dir."""
    token = (state_dir / "admin-token").read_text().strip()
    return {"Authorization": f"Bearer {token}"}


def add_active_athlete(url: str, auth: dict[str, str], profile: dict) -> dict:
    """Create an athlete through the API and make them the active one; the athlete's JSON."""
    created = httpx.post(url + "/api/athletes", json=profile, headers=auth)
    assert created.status_code == 201, created.text
    athlete = created.json()
    picked = httpx.put(
        url + "/api/athletes/active", json={"athlete_id": athlete["id"]}, headers=auth
    )
    assert picked.status_code == 200, picked.text
    return athlete


class FlakyLink:
    """A TCP relay between the browser and the server whose "Wi-Fi" the test can cut.

    ``cut()`` stops relaying without closing anything, which is what a phone sees after a Wi-Fi
    drop: connections that look open and carry nothing, new ones that hang. ``restore()`` relays
    again and resets the connections of before, as a rejoined network does. The browser's own
    offline switch cannot stand in for this: it leaves an open loopback stream flowing.
    """

    def __init__(self, server_url: str) -> None:
        self._target = ("127.0.0.1", int(server_url.rsplit(":", 1)[1]))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._relaying = threading.Event()
        self._relaying.set()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self._relaying.clear()

    def restore(self) -> None:
        with self._lock:
            stale, self._sockets = self._sockets, []
        for sock in stale:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._relaying.set()

    def close(self) -> None:
        self._listener.close()
        self.restore()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self._relaying.wait()  # a cut link holds the bytes; they never arrive late
                if source.fileno() == -1:
                    return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


# ---- phones ------------------------------------------------------------------------------------
#: The three phones every page test that is about layout runs on.
PHONES = {
    "390x844": {"width": 390, "height": 844},
    "844x390": {"width": 844, "height": 390},
    "360x640": {"width": 360, "height": 640},
}


def launch_chromium(playwright):  # -> playwright Browser
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def new_phone(browser, url: str, viewport: dict[str, int], errors: list[str] | None = None):
    """A fresh phone (its own storage) on ``url``; page errors and console errors go to
    ``errors`` when given."""
    context = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
    page.goto(url)
    return page


def wait_until(condition, timeout_s: float, what: str, poll_s: float = 0.1):
    """Poll ``condition`` until it returns something true (returned), or fail saying ``what``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


#: Elements drawn (partly) outside the screen's width, by a selector-ish description.
OFF_SCREEN_JS = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
        if (el.closest('.visually-hidden')) continue;  // clipped to 1 px: for screen readers
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (box.right > width + 1 || box.left < -1) {
            out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${box.right}`);
        }
    }
    return out;
}"""
