"""The page's layout where it broke, on the three phones (390x844, 844x390, 360x640), in a real
headless Chromium against the real server on the demo sensor:

- a message of several lines is drawn over nothing and nothing is drawn over it;
- a lost scale is said within 2 s, in a top bar that keeps its width, with the chart saying
  "no connection" (not "waiting for the sensor");
- a 100-character name without a space wraps or ellipsizes on every tab;
- picking an athlete while nobody's session runs says its reps stay unassigned.

Tests run in file order on one server (the demo athlete does a rep every 10-20 s).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from page_fixtures import (
    IN_CHROMIUM,
    OFF_SCREEN_JS,
    PHONES,
    FlakyLink,
    demo_server,
    launch_chromium,
    new_phone,
    wait_until,
)

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

LONG_NAME = "W" * 100

# The text lines of a message: each must lie on screen, inside the message's own box, and be the
# topmost thing where it is drawn (nothing painted over it, it painted over nothing).
MESSAGE_LINES_JS = """(box) => {
    const range = document.createRange();
    range.selectNodeContents(box);
    const own = box.getBoundingClientRect();
    const lines = [];
    for (const rect of range.getClientRects()) {
        if (rect.width < 2 || rect.height < 2) continue;
        const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
        const hit = document.elementFromPoint(x, y);
        lines.push({
            top: Math.round(rect.top), bottom: rect.bottom, left: rect.left, right: rect.right,
            inside: rect.top >= own.top - 1 && rect.bottom <= own.bottom + 1,
            topmost: Boolean(hit && (box.contains(hit) || hit.contains(box))),
            hit: hit ? `${hit.tagName}#${hit.id}` : null,
        });
    }
    return {lines, width: innerWidth, height: innerHeight};
}"""


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nhc-layout")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[str]:
    with demo_server(state_dir, seed=7) as url:
        yield url


@pytest.fixture(scope="module")
def token(state_dir: Path, server: str) -> str:
    return (state_dir / "admin-token").read_text().strip()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_picking_an_athlete_with_nobodys_session_running_says_its_reps_stay_unassigned(
    browser, server: str, token: str
) -> None:
    for athlete in ({"name": "Anna", "body_mass_kg": 70, "height_m": 1.72},):
        httpx.post(server + "/api/athletes", json=athlete, headers=auth(token)).raise_for_status()
    page = new_phone(browser, f"{server}/#token={token}", PHONES["390x844"])
    try:
        # The demo athlete's first session starts by itself, nobody's; wait for a rep in it.
        reps = page.get_by_test_id("rep-list")
        wait_until(
            lambda: reps.get_attribute("data-listed") == "running" and reps.locator("li").count(),
            60,
            "a rep in the running session",
            poll_s=0.5,
        )
        page.get_by_test_id("athlete-select").select_option(label="Anna")
        message = page.get_by_test_id("message")
        sync_api.expect(message).to_contain_text("New sessions: Anna.")
        sync_api.expect(message).to_contain_text("its reps stay unassigned")
        assert "athlete before" not in message.inner_text()
    finally:
        page.context.close()


@pytest.mark.parametrize("phone", list(PHONES))
def test_a_message_of_several_lines_is_drawn_over_nothing(browser, server: str, phone) -> None:
    page = new_phone(browser, server + "/", PHONES[phone])  # a fresh phone: no token yet
    try:
        page.locator("#sensor-status[data-status=ok]").wait_for()
        page.get_by_test_id("tare-button").click()
        page.get_by_test_id("token-dialog").get_by_role("button", name="Cancel").click()
        message = page.get_by_test_id("message")
        sync_api.expect(message).to_contain_text("Nothing changed: that needs the admin token.")
        page.wait_for_timeout(300)  # the layout settles (the trace redraws)
        found = message.evaluate(MESSAGE_LINES_JS)
        lines = found["lines"]
        assert lines, "no text drawn"
        if phone == "360x640":
            assert len({line["top"] for line in lines}) >= 2, "the message should take lines"
        for line in lines:
            assert line["inside"], f"text outside the message's box on {phone}: {line}"
            assert line["topmost"], f"something drawn over the message on {phone}: {line}"
            assert line["left"] >= 0 and line["right"] <= found["width"], line
            assert line["top"] >= 0 and line["bottom"] <= found["height"], line
    finally:
        page.context.close()


@pytest.mark.parametrize("phone", ["390x844", "360x640"])
def test_a_lost_scale_is_said_within_two_seconds_in_a_top_bar_that_fits(
    browser, server: str, phone
) -> None:
    """The scale stops answering (a Wi-Fi drop: the stream stays open and carries nothing). On
    the page's own clock, 2 s later it says so; the top bar stays one line wide."""
    link = FlakyLink(server)
    context = browser.new_context(viewport=PHONES[phone], device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.clock.install()
    page.goto(link.url + "/")
    banner = page.locator("#connection")
    status = page.get_by_test_id("sensor-status")
    try:
        page.locator("#sensor-status[data-status=ok]").wait_for()
        page.wait_for_timeout(300)  # a few events and frames
        assert banner.is_hidden()
        link.cut()
        # Time stands still for the page from here (nothing arrives any more); 2 s pass.
        page.clock.pause_at((page.evaluate("Date.now()") + 50) / 1000)  # seconds, here
        page.clock.run_for(2000)
        assert banner.is_visible(), "2 s without a word from the scale, and the page looks live"
        assert banner.inner_text().startswith("Lost the scale")
        assert page.get_by_test_id("hero-value").inner_text() == "–"
        assert status.inner_text() == "Offline"
        label = page.get_by_test_id("live-trace").get_attribute("aria-label")
        assert label.endswith("no connection to the scale"), label
        widths = page.evaluate(
            """() => { const bar = document.querySelector('.topbar');
                const status = document.getElementById('sensor-status');
                return {bar: bar.scrollWidth, barBox: bar.clientWidth, page: innerWidth,
                        doc: document.documentElement.scrollWidth,
                        status: status.getBoundingClientRect().width,
                        statusText: status.scrollWidth, lines: status.getClientRects().length,
                        height: status.getBoundingClientRect().height,
                        lineHeight: parseFloat(getComputedStyle(status).lineHeight)}; }"""
        )
        assert widths["bar"] <= widths["barBox"] <= widths["page"], widths
        assert widths["doc"] <= widths["page"], widths
        assert widths["status"] > 0 and widths["statusText"] <= widths["status"] + 1, widths
        assert widths["height"] < 1.6 * widths["lineHeight"], "the status wraps"
        page.clock.resume()
        link.restore()
        wait_until(banner.is_hidden, 30, "the stream back")
        wait_until(lambda: status.inner_text() == "Sensor OK", 10, "the sensor's state again")
    finally:
        context.close()
        link.close()


def test_a_100_character_name_without_spaces_breaks_no_layout(
    browser, server: str, token: str
) -> None:
    created = httpx.post(
        server + "/api/athletes",
        json={"name": LONG_NAME, "body_mass_kg": 80, "height_m": 1.8},
        headers=auth(token),
    )
    created.raise_for_status()
    httpx.put(
        server + "/api/athletes/active",
        json={"athlete_id": created.json()["id"]},
        headers=auth(token),
    ).raise_for_status()
    for phone, viewport in PHONES.items():
        page = new_phone(browser, server + "/", viewport)
        try:
            # Their session, with a rep (strength numbers and the panel carry the name too).
            page.locator("#rep-list li .rep-leg").first.wait_for(timeout=90_000)
            assert page.evaluate(OFF_SCREEN_JS) == [], f"Live on {phone}"
            picker = page.get_by_test_id("athlete-select").bounding_box()
            assert picker["x"] + picker["width"] <= viewport["width"]
            for tab in ("history", "athletes"):
                page.get_by_test_id(f"{tab}-tab").click()
                if tab == "history":
                    page.get_by_test_id("session-list").locator("li").first.wait_for()
                    sync_api.expect(page.locator("#progress-title")).to_contain_text(LONG_NAME)
                    sync_api.expect(page.get_by_test_id("detail-athlete")).to_have_value(
                        str(created.json()["id"]), timeout=10_000
                    )
                else:
                    sync_api.expect(page.get_by_test_id("athlete-list")).to_contain_text(LONG_NAME)
                page.wait_for_timeout(300)
                assert page.evaluate(OFF_SCREEN_JS) == [], f"{tab} on {phone}"
            page.locator("#live-tab").click()
        finally:
            page.context.close()
