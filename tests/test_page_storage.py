"""The page tells the athlete when the scale cannot save (a full disk), in a real Chromium against
the real server: the API and live stream said so before, the page did not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from disk import fill
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, IN_CHROMIUM
from server import running_server

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


def test_a_full_disk_is_a_red_banner_and_it_goes_when_there_is_room(
    tmp_path: Path, small_disk: Path
) -> None:
    env = {"NHC_STATE_DIR": str(small_disk), "NHC_EMULATED_FORCE": "20"}
    with (
        running_server(tmp_path / "logs", **env) as server,
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(server.url + "/")
        banner = page.get_by_test_id("store-banner")
        page.wait_for_function("document.getElementById('hero-value').textContent !== '–'")
        assert banner.is_hidden()
        filler = fill(small_disk)
        full_at = time.monotonic()
        banner.wait_for(state="visible", timeout=15_000)
        shown_after = time.monotonic() - full_at
        text = banner.inner_text()
        assert text.startswith("The scale's storage is full:"), text
        assert "samples wait in memory and are lost if it restarts" in text
        assert banner.get_attribute("role") == "alert"
        filler.unlink()
        banner.wait_for(state="hidden", timeout=15_000)
        browser.close()
    print(f"full disk: banner shown {shown_after:.2f} s after the disk filled")
