"""The phone page in a real headless Chromium against the real server on the demo sensor.

One server and one browser for the module (starting them is most of the cost); the live tests
share one phone page and run in file order: the rep test leaves a session with reps behind,
which the history test then finds. The demo athlete does a rep every 10-20 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, IN_CHROMIUM, FlakyLink, demo_server

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
PORTRAIT = {"width": 390, "height": 844}
LANDSCAPE = {"width": 844, "height": 390}
NUMBER_WITH_KG = re.compile(r"-?\d+(\.\d+)?\s*kg")


def number(text: str) -> float | None:
    """The shown value, or None for the placeholder shown while there is none."""
    return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


@dataclass
class Problems:
    """What must not happen on the page: console errors, uncaught exceptions, failed requests,
    requests that leave the appliance."""

    base: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def _failed(self, request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def _request(self, request) -> None:
        if not request.url.startswith((self.base + "/", "data:", "blob:")):
            self.foreign.append(request.url)

    def expect_console(self, fragment: str) -> None:
        """A console error the test provoked on purpose (Chromium logs every 4xx answer)."""
        self.console = [text for text in self.console if fragment not in text]

    def assert_none(self) -> None:
        assert self.errors == [], "uncaught errors in the page"
        assert self.console == [], "console errors"
        assert self.failed == [], "failed requests"
        assert self.foreign == [], "requests to anything but the appliance"


@dataclass
class Phone:
    page: object
    problems: Problems

    def text(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text().strip()


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("nhc-state")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[str]:
    with demo_server(state_dir, seed=11) as base:
        yield base


def admin_token(state_dir: Path) -> str:
    """What the person would copy from `nhc-scale doctor`: the token the server generated."""
    return (state_dir / "admin-token").read_text().strip()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_phone(browser, server: str, viewport: dict[str, int]) -> Phone:
    context = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems = Problems(server)
    problems.watch(page)
    page.goto(server + "/")
    return Phone(page, problems)


@pytest.fixture(scope="module")
def phone(browser, server) -> Iterator[Phone]:
    phone = open_phone(browser, server, PORTRAIT)
    yield phone
    phone.page.context.close()


def wait_for(condition, timeout_s: float, what: str, poll_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def canvas_ink(page, testid: str, *, trace_only: bool = False) -> int:
    """Pixels the chart code painted (zero for a canvas never drawn on); with ``trace_only``,
    only those in the force line's light blue, so axes and labels alone do not count."""
    return page.get_by_test_id(testid).evaluate(
        """(canvas, traceOnly) => {
            if (!canvas.width || !canvas.height) return 0;
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 0; i < data.length; i += 4) {
                const blue = data[i + 2] > 200 && data[i] < 130;
                if (data[i + 3] > 0 && (!traceOnly || blue)) painted++;
            }
            return painted;
        }""",
        trace_only,
    )


def test_live_force_moves_and_sensor_state_is_shown(phone: Phone) -> None:
    seen: set[float] = set()

    def two_values() -> bool:
        value = number(phone.text("hero-value"))
        if value is not None:
            seen.add(value)
        return len(seen) >= 2

    wait_for(two_values, 25, f"two different live force values (saw {seen})")
    status = phone.page.get_by_test_id("sensor-status")
    assert status.get_attribute("data-status") == "ok"
    assert "OK" in status.inner_text()
    banner = phone.page.get_by_test_id("demo-banner")
    assert banner.is_visible()
    assert "DEMO SENSOR" in banner.inner_text()


def test_a_rep_appears_with_its_minimum(phone: Phone) -> None:
    reps = phone.page.get_by_test_id("rep-list").locator("li")
    wait_for(
        lambda: any(NUMBER_WITH_KG.search(text) for text in reps.all_inner_texts()),
        45,
        "a rep with its minimum in kg in the rep list",
        poll_s=0.5,
    )
    newest = reps.first.locator(".rep-min").inner_text()
    assert re.fullmatch(r"\d+\.\d kg", newest)
    count = phone.text("rep-count")
    assert re.match(r"Set \d+ · rep \d+", count), count
    best = re.search(r"best (\d+\.\d) kg", count)
    assert best and float(best.group(1)) <= float(newest.split()[0])


def test_tare_asks_for_the_token_once_and_answers(phone: Phone, state_dir: Path) -> None:
    def idle() -> bool:
        force = number(phone.text("hero-value"))
        phase = phone.page.get_by_test_id("hero").get_attribute("data-phase")
        return phase == "force" and force is not None and abs(force) < 0.5

    # Between reps the pad is empty: the demo force is ~0 and no effort is running.
    wait_for(idle, 30, "an idle pad", poll_s=0.2)
    page = phone.page
    page.get_by_test_id("tare-button").click()
    dialog = page.get_by_test_id("token-dialog")
    message = page.get_by_test_id("message")
    wait_for(
        lambda: dialog.is_visible() or message.inner_text().strip(), 5, "a token prompt or answer"
    )
    if dialog.is_visible():  # a fresh phone does not know the admin token yet
        assert "admin token" in dialog.inner_text()
        assert "nhc-scale doctor" in dialog.inner_text() and "log" in dialog.inner_text()
        page.get_by_test_id("token-input").fill(admin_token(state_dir))
        page.get_by_test_id("token-save").click()
        phone.problems.expect_console("status of 401")
    wait_for(
        lambda: "Tared" in message.inner_text() or message.get_attribute("data-kind") == "error",
        5,
        "the tare's answer",
    )
    assert not dialog.is_visible()
    if message.get_attribute("data-kind") == "error":
        # A legitimate refusal (the athlete landed on the pad just then), in words for people.
        assert "Take everything off the pad" in message.inner_text()
        phone.problems.expect_console("status of 409")
    else:
        assert "Tared" in message.inner_text()
    phone.problems.assert_none()


def test_units_switch_converts_the_numbers(phone: Phone) -> None:
    first = phone.page.get_by_test_id("rep-list").locator("li .rep-min").last
    kg = float(first.inner_text().split()[0])
    phone.page.locator("[data-unit=lb]").click()
    wait_for(lambda: " lb" in phone.page.get_by_test_id("rep-list").inner_text(), 5, "lb in reps")
    assert float(first.inner_text().split()[0]) == pytest.approx(kg * 2.20462, abs=0.2)
    phone.page.locator("[data-unit=kg]").click()
    wait_for(lambda: " kg" in phone.page.get_by_test_id("rep-list").inner_text(), 5, "kg again")


def test_history_shows_the_session_trace_and_progress(phone: Phone) -> None:
    page = phone.page
    page.get_by_test_id("history-tab").click()
    sessions = page.get_by_test_id("session-list").locator("li")
    wait_for(lambda: sessions.count() >= 1, 10, "a session in the list")
    assert re.search(r"\d+ reps?\b", sessions.first.inner_text())
    wait_for(
        lambda: canvas_ink(page, "session-trace", trace_only=True) > 2000,
        10,
        "the session's force line drawn",
    )
    wait_for(lambda: canvas_ink(page, "progress-chart") > 500, 10, "the progress chart drawn")
    samples = page.locator("#samples-link")
    assert samples.get_attribute("download")
    assert re.fullmatch(r"/api/sessions/\d+/samples\.csv", samples.get_attribute("href"))
    page.get_by_role("tab", name="Live").click()
    phone.problems.assert_none()


def assert_phone_layout(phone: Phone) -> None:
    """Fits the screen without sideways scrolling, the big number is the largest text, and every
    visible button is at least 44 px square (a finger, not a stylus)."""
    page = phone.page
    viewport = page.viewport_size
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    force_box = page.get_by_test_id("hero-value").bounding_box()
    assert force_box["y"] + force_box["height"] <= viewport["height"]
    largest_other = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('body *')]
            .filter(el => el.dataset.testid !== 'hero-value' && el.offsetParent)
            .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    force_size = page.get_by_test_id("hero-value").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert force_size > 2 * largest_other
    for button in page.locator("button:visible, a.button:visible").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, button.inner_text()


def test_portrait_screenshot(phone: Phone) -> None:
    OUTPUT.mkdir(exist_ok=True)
    wait_for(lambda: phone.page.get_by_test_id("hero-value").is_visible(), 5, "the live view")
    assert_phone_layout(phone)
    phone.page.screenshot(path=str(OUTPUT / "phone-390x844.png"))


def test_landscape_screenshot(browser, server: str) -> None:
    phone = open_phone(browser, server, LANDSCAPE)
    try:
        wait_for(lambda: phone.page.get_by_test_id("rep-list").locator("li").count(), 10, "reps")
        wait_for(
            lambda: canvas_ink(phone.page, "live-trace", trace_only=True) > 4000,
            20,
            "several seconds of live trace",
            poll_s=0.5,
        )
        assert_phone_layout(phone)
        OUTPUT.mkdir(exist_ok=True)
        phone.page.screenshot(path=str(OUTPUT / "phone-844x390.png"))
        phone.problems.assert_none()
    finally:
        phone.page.context.close()


def test_reconnects_by_itself_after_a_wifi_drop(browser, server: str) -> None:
    link = FlakyLink(server)
    phone = open_phone(browser, link.url, PORTRAIT)
    connection = phone.page.locator("#connection")
    try:
        wait_for(lambda: number(phone.text("hero-value")) is not None, 10, "the live force")
        assert not connection.is_visible()
        link.cut()
        wait_for(connection.is_visible, 10, "the reconnecting notice")
        assert connection.inner_text().startswith("Lost the scale: reconnecting…")
        assert phone.text("hero-value") == "–", "a lost scale's numbers must not look live"
        link.restore()
        wait_for(lambda: not connection.is_visible(), 20, "the live stream to come back")
        wait_for(lambda: number(phone.text("hero-value")) is not None, 30, "the force again")
        # Failed requests are the point here; errors in the page's own code are not.
        assert phone.problems.errors == []
    finally:
        phone.page.context.close()
        link.close()


def test_no_errors_and_nothing_leaves_the_appliance(phone: Phone) -> None:
    phone.problems.assert_none()
