"""The pad page's Team hub section (the end of the Athletes tab) in a real headless Chromium,
against a real pad (`nhc-scale serve` on the emulated sensor) and a real hub: a person pairs
the pad with the token from the hub, the admin token asked for once; a wrong token and a
revoked one are said in words; the queue and the last sync are shown. Tests run in file order
on one phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_server import Hub, running_hub
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, IN_CHROMIUM, wait_until
from server import Server, running_server

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("hub")) as running:
        running.add_coach()
        yield running


@pytest.fixture(scope="module")
def pad(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = tmp_path_factory.mktemp("pad")
    with running_server(state, NHC_EMULATED_FORCE="zero", NHC_ADMIN_TOKEN=None) as server:
        yield server


@pytest.fixture(scope="module")
def token(hub: Hub) -> str:
    answer = httpx.post(hub.url + "/api/pads", json={"name": "Page pad"}, headers=hub.login())
    return answer.json()["token"]


@pytest.fixture(scope="module")
def page(pad: Server, hub: Hub) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" else None,
        )
        # The page speaks to its own pad only: the hub is the pad's business.
        page.on("request", lambda r: r.url.startswith(pad.url + "/") or problems.append(r.url))
        page.problems = problems
        page.goto(pad.url + "/")
        page.get_by_test_id("hero-value").wait_for()
        page.get_by_test_id("athletes-tab").click()
        yield page
        browser.close()


def test_an_unpaired_pad_offers_the_form_and_says_sessions_stay(page) -> None:
    section = page.get_by_test_id("hub-section")
    sync_api.expect(page.get_by_test_id("hub-status")).to_have_text(
        "Not paired: sessions stay on this pad until it is."
    )
    sync_api.expect(page.get_by_test_id("hub-form")).to_be_visible()
    sync_api.expect(page.get_by_test_id("hub-unpair")).to_be_hidden()
    # The section closes the Athletes view: nothing of the view comes after it.
    last = "(s) => s.parentElement.id === 'athletes-view' && !s.nextElementSibling"
    assert section.evaluate(last)


def test_a_wrong_token_is_refused_in_words_after_the_admin_token(page, pad: Server, hub) -> None:
    page.get_by_test_id("hub-url").fill(hub.url)
    page.get_by_test_id("hub-token").fill("pad-not-the-right-token")
    page.get_by_test_id("hub-pair").click()
    dialog = page.get_by_test_id("token-dialog")  # the first change asks for the admin token
    sync_api.expect(dialog).to_be_visible()
    page.get_by_test_id("token-input").fill(pad.admin_token)
    page.get_by_test_id("token-save").click()
    message = page.get_by_test_id("hub-message")
    sync_api.expect(message).to_contain_text("Not paired: The hub at")
    sync_api.expect(message).to_contain_text("refused this pad's token")
    sync_api.expect(page.get_by_test_id("hub-status")).to_contain_text("Not paired")
    # What we provoked: the refused pairing, and the change first tried without the token.
    page.problems[:] = [p for p in page.problems if "422" not in p and "401" not in p]


def test_the_right_token_pairs_and_a_finished_session_is_sent(
    page, pad: Server, hub: Hub, token: str
) -> None:
    page.get_by_test_id("hub-token").fill(token)
    page.get_by_test_id("hub-pair").click()
    sync_api.expect(page.get_by_test_id("hub-message")).to_have_text(
        "Paired: the hub knows this pad as “Page pad”."
    )
    sync_api.expect(page.get_by_test_id("hub-pad-name")).to_have_text("Page pad")
    sync_api.expect(page.get_by_test_id("hub-where")).to_have_text(hub.url)
    sync_api.expect(page.get_by_test_id("hub-form")).to_be_hidden()
    started = httpx.post(pad.url + "/api/sessions", json={}, headers=pad.auth).json()
    httpx.post(f"{pad.url}/api/sessions/{started['id']}/stop", headers=pad.auth)
    sync_api.expect(page.get_by_test_id("hub-status")).to_have_text("Up to date.", timeout=20_000)
    sync_api.expect(page.get_by_test_id("hub-queued")).to_have_text("0 sessions")
    sync_api.expect(page.get_by_test_id("hub-last-success")).not_to_have_text("never")
    sessions = httpx.get(hub.url + "/api/sessions", headers=hub.login()).json()["sessions"]
    assert started["uuid"] in {s["uuid"] for s in sessions}
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "pad-team-hub.png"), full_page=True)


def test_an_athlete_created_at_the_hub_appears_on_the_open_page(
    page, pad: Server, hub: Hub
) -> None:
    """The coach adds Eve at the hub; after the pad's next exchange she is on the Athletes tab
    and in the Live screen's picker of a page that was open all along (no reload)."""
    page.evaluate("() => { window.notReloaded = true; }")
    created = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Eve from the hub", "body_mass_kg": 61.0, "height_m": 1.66},
        headers=hub.login(),
    )
    assert created.status_code == 201, created.text
    assert httpx.post(pad.url + "/api/hub/sync", headers=pad.auth).status_code < 300
    sync_api.expect(page.get_by_test_id("athlete-list")).to_contain_text(
        "Eve from the hub", timeout=20_000
    )
    picker = page.get_by_test_id("athlete-select")
    sync_api.expect(picker.locator("option", has_text="Eve from the hub")).to_have_count(1)
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"


def test_an_athlete_removed_on_the_pad_stays_at_the_hub_and_does_not_come_back(
    page, pad: Server, hub: Hub
) -> None:
    """Deleting on a paired pad removes the athlete from this pad only: the page says so before
    and after, the next exchanges do not bring Eve back, and the hub keeps her."""
    card = page.locator(".athlete-card", has_text="Eve from the hub")
    card.get_by_role("button", name="Delete").click()
    sync_api.expect(page.locator("#confirm-text")).to_have_text(
        "Remove Eve from the hub from this pad? The team hub keeps them, and they do not come "
        "back here."
    )
    page.get_by_test_id("confirm-yes").click()
    sync_api.expect(page.get_by_test_id("message")).to_contain_text(
        "Eve from the hub removed from this pad; the team hub keeps them."
    )
    sync_api.expect(card).to_have_count(0)
    for _ in range(2):  # two whole exchanges after the removal
        before = httpx.get(pad.url + "/api/hub").json()["last_success_unix"]
        assert httpx.post(pad.url + "/api/hub/sync", headers=pad.auth).status_code < 300
        wait_until(
            lambda before=before: (
                httpx.get(pad.url + "/api/hub").json()["last_success_unix"] != before
            ),
            20,
            "an exchange with the hub",
        )
    names = [a["name"] for a in httpx.get(pad.url + "/api/athletes").json()["athletes"]]
    assert "Eve from the hub" not in names
    sync_api.expect(card).to_have_count(0)
    at_hub = httpx.get(hub.url + "/api/athletes", headers=hub.login()).json()["athletes"]
    assert "Eve from the hub" in [a["name"] for a in at_hub]


def test_pair_again_opens_the_form_with_the_address_and_cancel_closes_it(page, hub) -> None:
    page.get_by_test_id("hub-change").click()
    sync_api.expect(page.get_by_test_id("hub-form")).to_be_visible()
    sync_api.expect(page.get_by_test_id("hub-url")).to_have_value(hub.url)
    sync_api.expect(page.get_by_test_id("hub-token")).to_have_value("")
    page.get_by_test_id("hub-cancel").click()
    sync_api.expect(page.get_by_test_id("hub-form")).to_be_hidden()
    sync_api.expect(page.get_by_test_id("hub-change")).to_be_visible()


def test_a_revoked_token_is_said_in_words_and_sessions_wait(page, pad: Server, hub: Hub) -> None:
    coach = hub.login()
    pads = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
    (mine,) = [p for p in pads if p["name"] == "Page pad"]
    assert httpx.post(f"{hub.url}/api/pads/{mine['id']}/revoke", headers=coach).is_success
    started = httpx.post(pad.url + "/api/sessions", json={}, headers=pad.auth).json()
    httpx.post(f"{pad.url}/api/sessions/{started['id']}/stop", headers=pad.auth)
    page.get_by_test_id("hub-sync-now").click()
    error = page.get_by_test_id("hub-error")
    sync_api.expect(error).to_contain_text("refused this pad's token", timeout=20_000)
    sync_api.expect(error).to_contain_text("Pair the pad again")
    sync_api.expect(page.get_by_test_id("hub-status")).to_contain_text("Not reaching the hub")
    sync_api.expect(page.get_by_test_id("hub-queued")).to_have_text("1 session")
    assert page.problems == []


def test_unpairing_asks_first_and_offers_the_form_again(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("hub-unpair").click()
    sync_api.expect(page.get_by_test_id("hub-message")).to_have_text(
        "Unpaired: sessions stay on this pad."
    )
    sync_api.expect(page.get_by_test_id("hub-form")).to_be_visible()
    sync_api.expect(page.get_by_test_id("hub-error")).to_be_hidden()
    sync_api.expect(page.get_by_test_id("hub-queued")).to_have_text("1 session")
    assert page.problems == []
