"""Screenshots of the phone page at the moments that matter, on three phone sizes.

Usage: .venv/bin/python scripts/page-screenshots.py URL OUT_DIR [TOKEN]

Against a running `nhc-scale serve` on the demo sensor (the synthetic athlete does a rep every
10-20 s): Live between reps, during an effort and just after a rep, then History and Athletes,
each at 390x844 and 844x390 and 360x640, in Debian's Chromium. With TOKEN it first adds two
athletes (one with a 100-character name, as a stress test) and picks the first. The live stream
(read here too) says when each phase happens; every phone gets its picture at that moment.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

SIZES = {"390x844": (390, 844), "844x390": (844, 390), "360x640": (360, 640)}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Phases:
    """The detector's state and the reps, from the live stream, in a thread of its own."""

    def __init__(self, url: str) -> None:
        self.state = "idle"
        self.state_since = time.monotonic()
        self.reps = 0
        self.rep_at = 0.0
        threading.Thread(target=self._read, args=(url,), daemon=True).start()

    def _read(self, url: str) -> None:
        name = ""
        with httpx.stream("GET", url + "/api/live", timeout=None) as response:
            for line in response.iter_lines():
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:") and name == "sample":
                    state = json.loads(line[5:])["state"]
                    if state != self.state:
                        self.state, self.state_since = state, time.monotonic()
                elif line.startswith("data:") and name == "rep":
                    self.reps += 1
                    self.rep_at = time.monotonic()

    def wait(self, condition, timeout_s: float = 420.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the demo athlete did not get there in time")
            time.sleep(0.05)


def add_athletes(url: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    names = {a["name"] for a in httpx.get(url + "/api/athletes").json()["athletes"]}
    for name, mass, height in (("Anna", 70, 1.72), ("W" * 100, 80, 1.80)):
        if name not in names:
            httpx.post(
                url + "/api/athletes",
                json={"name": name, "body_mass_kg": mass, "height_m": height},
                headers=auth,
            ).raise_for_status()
    anna = next(
        a for a in httpx.get(url + "/api/athletes").json()["athletes"] if a["name"] == "Anna"
    )
    httpx.put(url + "/api/athletes/active", json={"athlete_id": anna["id"]}, headers=auth)


def main() -> None:
    url, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    if len(sys.argv) > 3:
        add_athletes(url, sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    phases = Phases(url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        pages = {}
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=2, is_mobile=True
            )
            page = context.new_page()
            page.goto(url + "/")
            pages[size] = page

        def shoot(moment: str, full_page: bool = False) -> None:
            for size, page in pages.items():
                page.screenshot(path=str(out / f"{moment}-{size}.png"), full_page=full_page)

        phases.wait(lambda: phases.reps >= 1)  # a rep in the list first
        phases.wait(lambda: phases.state == "idle" and time.monotonic() - phases.state_since > 2)
        shoot("live-between-reps")
        phases.wait(
            lambda: phases.state == "effort" and time.monotonic() - phases.state_since > 0.7
        )
        shoot("live-effort")
        seen = phases.reps
        phases.wait(lambda: phases.reps > seen)
        time.sleep(0.6)
        shoot("live-after-rep")
        for tab in ("history", "athletes"):
            for page in pages.values():
                page.locator(f"#{tab}-tab").click()
            time.sleep(2.0)
            shoot(tab)
            shoot(f"{tab}-full", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
