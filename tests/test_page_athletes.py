"""Athletes on the phone page, in a real headless Chromium against the real server on the demo
sensor: add one, pick one, strength on their reps, and their progress with a trend.

The database holds an athlete with eight weekly sessions before the server starts (a trend
needs weeks; the demo athlete gives minutes). Tests run in file order on one phone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from page_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IN_CHROMIUM,
    add_active_athlete,
    demo_server,
    generated_admin_auth,
)
from stored_reps import rep_dict

from nhc_scale.store import Store

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
DAY_S = 86400.0
TREND_RGB = (79, 195, 247)  # charts.js COLORS.trend


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Anna, not active, with eight weekly sessions whose best minimum falls ~2 kg a week."""
    state = tmp_path_factory.mktemp("nhc-athletes-page")
    now = time.time()
    with Store.open(state) as store:
        anna = store.create_athlete(
            {"name": "Anna", "body_mass_kg": 70.0, "height_m": 1.72}, created_at=now - 70 * DAY_S
        )
        store.set_active_athlete(anna.id)
        for week in range(8):
            started = now - 2 * DAY_S - (7 - week) * 7 * DAY_S
            session_id = store.create_session(None, started, 0, True)
            for number in range(3):
                best = 30.0 - 2.0 * week + (0.8, 0.0, -0.6)[week % 3]  # a little scatter
                store.add_rep(session_id, rep_dict(number + 1, best + number, 10.0 * number))
            store.end_session(session_id, started + 300)
        store.set_active_athlete(None)
    return state


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[str]:
    with demo_server(state_dir, seed=3) as base:  # seed 3: assisted reps from the first
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Phone:
    page: object
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def phone(browser, server: str, state_dir: Path) -> Iterator[Phone]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    phone = Phone(page)
    page.on("pageerror", lambda error: phone.errors.append(str(error)))
    page.on(
        "console",
        lambda message: phone.errors.append(message.text) if message.type == "error" else None,
    )
    token = (state_dir / "admin-token").read_text().strip()
    page.goto(f"{server}/#token={token}")  # as a link beside the token would: no prompt
    page.get_by_test_id("hero-value").wait_for()
    yield phone
    context.close()


def test_an_athlete_is_added_on_the_athletes_tab(phone: Phone) -> None:
    page = phone.page
    page.get_by_test_id("athletes-tab").click()
    page.get_by_test_id("athlete-add").click()
    form = page.get_by_test_id("athlete-form")
    form.locator("input[name=name]").fill("Cleo")
    form.locator("input[name=body_mass_kg]").fill("64")
    form.locator("input[name=height_m]").fill("1.68")
    page.get_by_test_id("athlete-save").click()
    cards = page.get_by_test_id("athlete-list")
    sync_api.expect(cards).to_contain_text("Cleo")
    sync_api.expect(cards).to_contain_text("Anna")
    sync_api.expect(form).to_be_hidden()


def test_picking_an_athlete_gives_their_reps_strength_numbers(phone: Phone) -> None:
    page = phone.page
    page.locator("#live-tab").click()
    picker = page.get_by_test_id("athlete-select")
    sync_api.expect(picker.locator("option")).to_have_count(3)  # no athlete, Anna, Cleo
    picker.select_option(label="Anna")
    sync_api.expect(page.get_by_test_id("message")).to_contain_text("New sessions: Anna")
    # The demo athlete does a rep every 10-20 s; the first one in Anna's running session has
    # numbers (before it, the list shows her last session's, which have them too).
    sync_api.expect(page.get_by_test_id("rep-list")).to_have_attribute(
        "data-listed", "running", timeout=90_000
    )
    page.locator("#rep-list li .rep-leg").first.wait_for(timeout=90_000)
    panel = page.get_by_test_id("strength-panel")
    sync_api.expect(panel).to_be_visible()
    last = page.get_by_test_id("strength-last")
    sync_api.expect(last).to_contain_text("N·m")
    sync_api.expect(last).to_contain_text("N/kg")
    torque = float(last.locator(".strength-value").first.inner_text().split()[0])
    assert 20 < torque < 600
    sync_api.expect(page.get_by_test_id("strength-best")).to_contain_text("N·m")
    thresholds = page.get_by_test_id("strength-thresholds")
    sync_api.expect(thresholds).to_contain_text("256 · 279 · 337")
    sync_api.expect(thresholds).to_contain_text("eccentric")
    sync_api.expect(page.get_by_test_id("rep-list")).to_contain_text("/leg")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "athletes-live.png"))
    assert (
        page.get_by_test_id("hero-value").bounding_box()["height"]
        > panel.bounding_box()["height"] / 3
    ), "the live force stays the biggest thing"


def _trend_pixels(page) -> int:
    """Pixels of the progress chart in the trend line's colour."""
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


def test_the_progress_chart_shows_the_trend_and_the_forecast(phone: Phone) -> None:
    page = phone.page
    page.get_by_test_id("history-tab").click()
    sync_api.expect(page.locator("#progress-title")).to_have_text("Progress · Anna")
    forecast = page.get_by_test_id("forecast")
    sync_api.expect(forecast).to_contain_text("Zero around")
    sync_api.expect(forecast).to_contain_text("between")
    sync_api.expect(forecast).to_contain_text("kg/week")
    page.wait_for_function(
        "() => document.getElementById('progress-chart').width > 0", timeout=5000
    )
    assert _trend_pixels(page) > 100, "no trend line on the progress chart"
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "athletes-progress.png"), full_page=True)


def test_a_sessions_detail_shows_its_athlete_variation_and_strength(phone: Phone) -> None:
    page = phone.page
    # The newest session is the live one, Anna's: it is selected when the tab opens.
    sync_api.expect(page.get_by_test_id("detail-athlete")).to_have_value(
        page.get_by_test_id("athlete-select").input_value()
    )
    sync_api.expect(page.get_by_test_id("detail-variation")).to_have_value("assisted")
    strength = page.get_by_test_id("detail-strength")
    sync_api.expect(strength).to_contain_text("Strength (Anna")
    sync_api.expect(strength).to_contain_text("eccentric")


def test_an_athlete_added_and_picked_on_another_phone_appears_without_a_reload(
    phone: Phone, server: str, state_dir: Path
) -> None:
    """A coach adds Dana on their own phone (or at the team hub) and makes her active: the
    athlete's phone, left open on the Live screen, shows her picked, with no reload."""
    page = phone.page
    page.locator("#live-tab").click()
    page.evaluate("() => { window.notReloaded = true; }")
    profile = {"name": "Dana", "body_mass_kg": 58.0, "height_m": 1.64}
    dana = add_active_athlete(server, generated_admin_auth(state_dir), profile)
    picker = page.get_by_test_id("athlete-select")
    sync_api.expect(picker.locator("option", has_text="Dana")).to_have_count(1, timeout=15_000)
    sync_api.expect(picker).to_have_value(str(dana["id"]), timeout=15_000)
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"


def test_no_errors_on_the_page(phone: Phone) -> None:
    assert phone.errors == []
