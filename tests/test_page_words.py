"""What the page says to people, in a real headless Chromium against the real server: tare
refusals in plain words in the phone's units (and a tare anyway that says what it zeroed), the
relaxed reading's countdown, the athlete form's sentences next to its Save button and its
feedback on screen, the token dialog (a wrong token is not saved), History's counts and its
delete that asks first (and says why it cannot), the tabs' arrow keys, "Sensor OK" on one line.

The pad reads a steady 4 kg: tared empty on a first start, then loaded (an arm left on it). The
database holds Bo with one session of one rep, and an empty session, before the server starts.
Tests run in file order.
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
TOKEN_KEY = "nhc-scale.admin-token"

# Every text the message box showed, in order.
RECORD_MESSAGES = """
window.__messages = [];
document.addEventListener('DOMContentLoaded', () => {
    const text = document.getElementById('toast-text');
    new MutationObserver(() => window.__messages.push(text.textContent))
        .observe(text, {childList: true, characterData: true, subtree: true});
});
window.__spoken = [];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    speak(utterance) { if (utterance.text) window.__spoken.push(utterance.text); },
    cancel() {}, getVoices() { return []; },
}});
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = tmp_path_factory.mktemp("nhc-words")
    now = time.time()
    with Store.open(state) as store:
        bo = store.create_athlete(
            {"name": "Bo", "body_mass_kg": 70.0, "height_m": 1.72}, created_at=now - 9 * DAY_S
        )
        store.set_active_athlete(bo.id)
        one = store.create_session("One rep", now - 2 * DAY_S, 0, True)
        store.add_rep(one, rep_dict(1, 18.0, 5.0))
        store.end_session(one, now - 2 * DAY_S + 120)
        store.set_active_athlete(None)
        empty = store.create_session("Nothing", now - DAY_S, 0, True)
        store.end_session(empty, now - DAY_S + 20)
    with running_server(state, NHC_EMULATED_FORCE="zero"):
        deadline = time.monotonic() + 10
        while not (state / "calibration.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    with running_server(state, NHC_EMULATED_FORCE="4") as loaded:
        yield loaded


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def phone_with_token(browser, server: Server, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True)
    context.add_init_script(RECORD_MESSAGES)
    page = context.new_page()
    page.goto(f"{server.url}/#token={server.admin_token}")
    page.locator("#sensor-status[data-status=ok]").wait_for()
    return page


def on_screen(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def test_the_relaxed_reading_counts_down_before_it_reads(browser, server: Server) -> None:
    page = phone_with_token(browser, server, PHONES["360x640"])
    try:
        page.get_by_test_id("athletes-tab").click()
        card = page.locator('.athlete-card[data-athlete-id="1"]')  # Bo
        card.get_by_test_id("relaxed-button").click()
        message = page.get_by_test_id("message")
        sync_api.expect(message).to_contain_text("Relaxed load 4.0 kg", timeout=15_000)
        assert on_screen(page, message)
        shown = page.evaluate("window.__messages")
        countdown = [
            "Lie still, hands on the pad: 3",
            "Lie still, hands on the pad: 2",
            "Lie still, hands on the pad: 1",
            "Reading: 2 s. Keep still, hamstrings relaxed.",
            "Reading: 1 s. Keep still, hamstrings relaxed.",
        ]
        assert [text for text in shown if text in countdown] == countdown
        assert shown.index(countdown[-1]) < next(
            i for i, text in enumerate(shown) if text.startswith("Relaxed load")
        )
        assert page.evaluate("window.__spoken") == ["3", "2", "1", "still"]
    finally:
        page.context.close()


def test_a_tare_with_a_load_on_the_pad_is_refused_in_plain_words_in_the_phones_units(
    browser, server: Server
) -> None:
    page = phone_with_token(browser, server, PHONES["390x844"])
    try:
        page.locator("[data-unit=lb]").click()
        page.get_by_test_id("tare-button").click()
        text, details = page.get_by_test_id("message-text"), page.get_by_test_id("message-details")
        sync_api.expect(text).to_have_text(
            "Take everything off the pad and keep it still, then tare."
        )
        sync_api.expect(details).to_contain_text("The pad reads 8.8 lb: something is on it.")
        assert "empty pad now reads zero" not in page.get_by_test_id("message").inner_text()
        size = lambda locator: locator.evaluate(  # noqa: E731
            "el => parseFloat(getComputedStyle(el).fontSize)"
        )
        assert size(details) < size(text), "the details are the smaller line"
        page.get_by_test_id("message-action").click()  # "It is empty: tare anyway"
        sync_api.expect(text).to_have_text("Tared: the pad read 8.8 lb and now reads zero.")
        health = httpx.get(server.url + "/api/health").json()
        assert health["calibration"]["tared"]
        wait_until(
            lambda: abs(float(page.get_by_test_id("hero-value").inner_text())) < 0.5,
            5,
            "the pad reading zero",
        )
    finally:
        page.context.close()


def test_the_athlete_form_answers_in_sentences_next_to_save_on_a_small_phone(
    browser, server: Server
) -> None:
    page = phone_with_token(browser, server, PHONES["360x640"])
    before = len(httpx.get(server.url + "/api/athletes").json()["athletes"])
    try:
        page.get_by_test_id("athletes-tab").click()
        page.get_by_test_id("athlete-add").click()
        form = page.get_by_test_id("athlete-form")
        error = page.get_by_test_id("athlete-form-error")
        form.locator("input[name=name]").fill("   ")
        form.locator("input[name=body_mass_kg]").fill("64")
        form.locator("input[name=height_m]").fill("175")
        page.get_by_test_id("athlete-save").click()
        sync_api.expect(error).to_have_text("Type a name: at least one letter or digit.")
        assert on_screen(page, error)
        form.locator("input[name=name]").fill("Cleo")
        page.get_by_test_id("athlete-save").click()
        sync_api.expect(error).to_have_text("Height in metres: 1.75?")
        assert on_screen(page, error)
        assert form.locator("input[name=height_m]").get_attribute("aria-invalid") == "true"
        assert len(httpx.get(server.url + "/api/athletes").json()["athletes"]) == before
        form.locator("input[name=height_m]").fill("1.75")
        page.get_by_test_id("athlete-save").click()
        message = page.get_by_test_id("message")
        sync_api.expect(message).to_contain_text("Cleo added: pick them on the Live tab to train.")
        assert on_screen(page, message), "the result lands where the person can see it"
        cards = page.get_by_test_id("athlete-list")
        sync_api.expect(cards).to_contain_text("Cleo")
        bo = page.locator('.athlete-card[data-athlete-id="1"]').inner_text()  # Bo
        assert "1 session" in bo and "1 sessions" not in bo
    finally:
        page.context.close()


def test_the_token_dialog_says_where_to_find_it_and_a_wrong_one_is_not_saved(
    browser, server: Server
) -> None:
    page = new_phone(browser, server.url + "/", PHONES["390x844"])  # no token on this phone
    try:
        page.get_by_test_id("athletes-tab").click()
        page.get_by_test_id("athlete-add").click()
        form = page.get_by_test_id("athlete-form")
        form.locator("input[name=name]").fill("Dee")
        form.locator("input[name=body_mass_kg]").fill("60")
        form.locator("input[name=height_m]").fill("1.65")
        page.get_by_test_id("athlete-save").click()
        dialog = page.get_by_test_id("token-dialog")
        sync_api.expect(dialog).to_be_visible()
        words = dialog.inner_text()
        assert "log" in words and "nhc-scale doctor" in words
        page.get_by_test_id("token-input").fill("not-the-token")
        page.get_by_test_id("token-save").click()
        sync_api.expect(page.get_by_test_id("token-reason")).to_contain_text(
            "That is not the scale's admin token"
        )
        assert page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')") is None
        page.get_by_test_id("token-input").fill(server.admin_token)
        page.get_by_test_id("token-save").click()
        sync_api.expect(page.get_by_test_id("message")).to_contain_text("Dee added")
        assert page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')") == server.admin_token
    finally:
        page.context.close()


def test_history_counts_in_words_and_delete_asks_first_or_says_why_not(
    browser, server: Server
) -> None:
    page = phone_with_token(browser, server, PHONES["390x844"])
    try:
        page.get_by_test_id("history-tab").click()
        items = page.get_by_test_id("session-list").locator("li")
        one = items.filter(has_text="One rep")
        sync_api.expect(one).to_contain_text("1 rep · best 18.0 kg")
        assert "1 reps" not in one.inner_text()
        one.click()
        summary = page.locator("#detail-summary")
        sync_api.expect(summary).to_contain_text("1 rep · 1 set · best 18.0 kg")
        items.filter(has_text="Nothing").click()
        sync_api.expect(summary).to_contain_text("under a minute · no reps")
        assert "0 min" not in summary.inner_text() and "0 reps" not in summary.inner_text()
        delete = page.get_by_test_id("delete-button")
        delete.click()
        confirm = page.get_by_test_id("confirm-dialog")
        sync_api.expect(confirm).to_be_visible()
        sync_api.expect(confirm).to_contain_text('Delete "Nothing"')
        page.get_by_test_id("confirm-cancel").click()
        sync_api.expect(items.filter(has_text="Nothing")).to_have_count(1)
        delete.click()
        page.get_by_test_id("confirm-yes").click()
        sync_api.expect(items.filter(has_text="Nothing")).to_have_count(0)
        # A running session cannot be deleted, and the greyed button says why.
        started = httpx.post(server.url + "/api/sessions", json={}, headers=server.auth)
        assert started.status_code == 201, started.text
        page.get_by_test_id("live-tab").click()
        page.get_by_test_id("history-tab").click()
        items.filter(has_text="running").click()
        sync_api.expect(delete).to_be_disabled()
        sync_api.expect(page.get_by_test_id("delete-why")).to_have_text(
            "It is being recorded: stop the session to delete it."
        )
        httpx.post(
            f"{server.url}/api/sessions/{started.json()['id']}/stop", headers=server.auth
        ).raise_for_status()
    finally:
        page.context.close()


def test_the_tabs_answer_the_arrow_keys(browser, server: Server) -> None:
    page = new_phone(browser, server.url + "/", PHONES["390x844"])
    try:
        live = page.get_by_test_id("live-tab")
        live.focus()
        page.keyboard.press("ArrowRight")
        sync_api.expect(page.get_by_test_id("history-tab")).to_have_attribute(
            "aria-selected", "true"
        )
        sync_api.expect(page.get_by_test_id("history-tab")).to_be_focused()
        sync_api.expect(page.locator("#history-view")).to_be_visible()
        page.keyboard.press("End")
        sync_api.expect(page.locator("#athletes-view")).to_be_visible()
        page.keyboard.press("ArrowRight")  # wraps to the first
        sync_api.expect(page.locator("#live-view")).to_be_visible()
        page.keyboard.press("ArrowLeft")
        sync_api.expect(page.get_by_test_id("athletes-tab")).to_be_focused()
        page.keyboard.press("Home")
        sync_api.expect(live).to_have_attribute("aria-selected", "true")
        assert live.get_attribute("tabindex") == "0"
        assert page.get_by_test_id("history-tab").get_attribute("tabindex") == "-1"
    finally:
        page.context.close()


@pytest.mark.parametrize("phone", ["360x640", "390x844"])
def test_sensor_ok_fits_on_one_line(browser, server: Server, phone: str) -> None:
    page = new_phone(browser, server.url + "/", PHONES[phone])
    try:
        status = page.locator("#sensor-status[data-status=ok]")
        status.wait_for()
        assert status.inner_text() == "Sensor OK"
        fits = status.evaluate(
            """el => ({one: el.getBoundingClientRect().height
                        < 1.6 * parseFloat(getComputedStyle(el).lineHeight),
                       whole: el.scrollWidth <= el.clientWidth})"""
        )
        assert fits == {"one": True, "whole": True}
    finally:
        page.context.close()
