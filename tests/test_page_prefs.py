"""Each phone's own preferences, in a real headless Chromium against the real server: units and
sound are kept on the phone, need no token, and do not change another phone or the scale.

Also the progress chart of one workout split into sessions minutes apart: one training day, no
trend line beside the words "not enough data", and no "3 sessions this week".
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from page_fixtures import IN_CHROMIUM, PHONES, launch_chromium, new_phone, wait_until
from server import Server, running_server
from stored_reps import rep_dict

from nhc_scale.store import Store

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

DAY_S = 86400.0
TREND_RGB = (79, 195, 247)  # charts.js COLORS.trend


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Eve, active, whose workout yesterday was split into three sessions ten minutes apart (a
    stop and start, a restart), the best minimum of each a few kg apart."""
    state = tmp_path_factory.mktemp("nhc-prefs")
    yesterday = time.time() - DAY_S
    with Store.open(state) as store:
        eve = store.create_athlete(
            {"name": "Eve", "body_mass_kg": 62.0, "height_m": 1.66}, created_at=yesterday - DAY_S
        )
        store.set_active_athlete(eve.id)
        for part, best in enumerate((31.0, 26.0, 29.0)):
            started = yesterday + 300 * part
            session_id = store.create_session(None, started, 0, True)
            store.add_rep(session_id, rep_dict(1, best, 5.0))
            store.end_session(session_id, started + 200)
    with running_server(state, NHC_EMULATED_FORCE="zero") as quiet:
        yield quiet


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_units_and_sound_are_each_phones_own_and_need_no_token(browser, server: Server) -> None:
    one = new_phone(browser, server.url + "/", PHONES["390x844"])
    other = new_phone(browser, server.url + "/", PHONES["390x844"])
    sent = []  # changes sent to the scale's settings
    for page in (one, other):
        page.on("request", lambda r: sent.append(r.url) if r.method == "PUT" else None)
    try:
        one.locator("[data-unit=lb]").click()
        sound = one.get_by_test_id("sound-button")
        assert sound.inner_text() == "Sound on"
        sound.click()
        sync_api.expect(sound).to_have_text("Sound off")
        sync_api.expect(one.locator("[data-unit=lb]")).to_have_attribute("aria-pressed", "true")
        assert one.get_by_test_id("token-dialog").is_hidden(), "a visitor may mute their phone"
        assert sent == [], "the phone's choice was sent to the scale"
        voice = one.get_by_test_id("voice-button")
        sync_api.expect(voice).to_have_text("Voice off")
        assert voice.is_disabled()
        # Muted does not look like a chosen unit: not the selected unit's white button.
        look = lambda el: el.evaluate(  # noqa: E731
            """el => { const s = getComputedStyle(el);
                return [s.backgroundColor, s.borderTopStyle, s.color]; }"""
        )
        assert look(sound) != look(one.locator("[data-unit=lb]"))
        assert look(sound)[1] == "dashed"
        # The other phone keeps its own: kg and sound.
        other.reload()
        other.locator("#sensor-status[data-status=ok]").wait_for()
        sync_api.expect(other.locator("[data-unit=kg]")).to_have_attribute("aria-pressed", "true")
        sync_api.expect(other.get_by_test_id("sound-button")).to_have_text("Sound on")
        # The scale's default for new phones is untouched; this phone remembers its choice.
        assert httpx.get(server.url + "/api/settings").json()["units"] == "kg"
        one.reload()
        sync_api.expect(one.locator("[data-unit=lb]")).to_have_attribute("aria-pressed", "true")
        sync_api.expect(one.get_by_test_id("sound-button")).to_have_text("Sound off")
    finally:
        one.context.close()
        other.context.close()


def test_a_phone_that_chose_nothing_starts_from_the_scales_defaults(
    browser, server: Server
) -> None:
    changed = httpx.put(server.url + "/api/settings", json={"units": "N"}, headers=server.auth)
    assert changed.status_code == 200
    try:
        page = new_phone(browser, server.url + "/", PHONES["390x844"])
        try:
            sync_api.expect(page.locator("[data-unit=N]")).to_have_attribute("aria-pressed", "true")
            page.locator("[data-unit=kg]").click()
            page.reload()
            sync_api.expect(page.locator("[data-unit=kg]")).to_have_attribute(
                "aria-pressed", "true"
            )
        finally:
            page.context.close()
    finally:
        httpx.put(server.url + "/api/settings", json={"units": "kg"}, headers=server.auth)


def _trend_pixels(page) -> int:
    return page.evaluate(
        """([r, g, b]) => {
            const canvas = document.getElementById("progress-chart");
            const ctx = canvas.getContext("2d");
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let count = 0;
            for (let i = 0; i < data.length; i += 4) {
              if (Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12
                  && Math.abs(data[i + 2] - b) < 12 && data[i + 3] > 200) count++;
            }
            return count;
        }""",
        list(TREND_RGB),
    )


def test_a_workout_split_into_sessions_is_one_training_day_without_a_trend(
    browser, server: Server
) -> None:
    page = new_phone(browser, server.url + "/", PHONES["390x844"])
    try:
        page.get_by_test_id("history-tab").click()
        sync_api.expect(page.locator("#progress-title")).to_have_text("Progress · Eve")
        forecast = page.get_by_test_id("forecast")
        sync_api.expect(forecast).to_contain_text("not enough data")
        sync_api.expect(forecast).to_contain_text("1 training day with reps")
        assert "kg/week" not in forecast.inner_text()
        page.wait_for_function("() => document.getElementById('progress-chart').width > 0")
        page.wait_for_timeout(300)
        assert _trend_pixels(page) == 0, "a trend line beside 'not enough data'"
        notes = page.get_by_test_id("training-notes")
        assert "sessions in the last 7 days" not in notes.inner_text()
        assert "training days in the last 7 days" not in notes.inner_text()
        progress = httpx.get(server.url + "/api/athletes/1/progress").json()
        assert [point["best_min_kg"] for point in progress["points"]] == [26.0]
    finally:
        page.context.close()


def test_history_opened_before_the_athletes_arrive_follows_them_when_they_do(
    browser, server: Server
) -> None:
    """The athletes load with the live stream's first status event, which may come after the
    person has opened History: the tab then shows the active athlete's progress as they arrive."""
    context = browser.new_context(viewport=PHONES["390x844"], device_scale_factor=2, is_mobile=True)
    held = []  # the page's requests for the athletes, answered once History is on screen
    context.route("**/api/athletes", lambda route: held.append(route))
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.get_by_test_id("history-tab").click()
        sync_api.expect(page.locator("#session-list li")).to_have_count(3)
        sync_api.expect(page.locator("#progress-title")).to_have_text("Progress")
        wait_until(lambda: held, 10.0, "the page to ask for the athletes")
        for route in held:
            route.continue_()
        sync_api.expect(page.locator("#progress-title")).to_have_text("Progress · Eve")
        sync_api.expect(page.get_by_test_id("forecast")).to_contain_text("1 training day with reps")
    finally:
        context.close()
