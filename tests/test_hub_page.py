"""The hub's page in a real headless Chromium against the real hub process: log in, the team
table shows the athletes that two pads pushed, an athlete's progress and a session's trace are
drawn, the pads and their sync state are listed, a pad is paired from the page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import hub_payloads as payloads
import pytest
from hub_server import COACH, COACH_PASSWORD, Hub, running_hub
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, IN_CHROMIUM

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
PUSH = "/api/sync/v1/sessions"


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[Hub]:
    """A hub that two pads have pushed to: two athletes from the gym pad, one from home."""
    with running_hub(tmp_path_factory.mktemp("hub-page")) as running:
        running.add_coach()
        coach = running.login()
        gym, home = running.pair(coach, "Gym pad"), running.pair(coach, "Home pad")
        ann, bo, cy = (payloads.athlete(n, seed=s) for n, s in (("Ann", 1), ("Bo", 2), ("Cy", 3)))
        for pad, athlete, seed in ((gym, ann, 11), (gym, bo, 12), (home, cy, 13)):
            history = payloads.weekly_history(athlete, weeks=10, seed=seed)
            history[-1] = payloads.session(
                seed * 100, athlete, history[-1]["started_at"], 9.5, with_samples=True
            )
            answer = httpx.post(
                running.url + PUSH, json=payloads.push_body(history), headers=pad, timeout=30
            )
            assert answer.status_code == 200, answer.text
        yield running


@pytest.fixture(scope="module")
def page(hub: Hub) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"{r.url}: {r.failure}"))
        page.on(
            "request",
            lambda r: r.url.startswith((hub.url + "/", "data:", "blob:")) or problems.append(r.url),
        )
        page.problems = problems
        page.goto(hub.url + "/")
        yield page
        browser.close()


def canvas_ink(page, testid: str) -> int:
    return page.get_by_test_id(testid).evaluate(
        """(canvas) => {
            if (!canvas.width || !canvas.height) return 0;
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
            return painted;
        }"""
    )


def test_a_coach_logs_in_and_sees_both_pads_athletes(page) -> None:
    page.get_by_test_id("login-form").wait_for()
    page.get_by_test_id("username").fill(COACH)
    page.get_by_test_id("password").fill("not the password")
    page.get_by_test_id("login-button").click()
    sync_api.expect(page.get_by_test_id("message")).to_have_text("Wrong username or password.")
    page.problems[:] = [p for p in page.problems if "401" not in p]  # the refusal we provoked
    page.get_by_test_id("password").fill(COACH_PASSWORD)
    page.get_by_test_id("login-button").click()
    rows = page.get_by_test_id("team-row")
    sync_api.expect(rows).to_have_count(3)
    names = [row.get_by_test_id("athlete-link").inner_text() for row in rows.all()]
    assert names == ["Ann", "Bo", "Cy"]
    last = [row.get_by_test_id("last-session").inner_text() for row in rows.all()]
    assert [text.rsplit("· ", 1)[1] for text in last] == ["Gym pad", "Gym pad", "Home pad"]
    for row in rows.all():
        assert re.fullmatch(r"\d+\.\d kg", row.get_by_test_id("best-min").inner_text())
        force = row.get_by_test_id("force").inner_text()
        assert re.fullmatch(r"\d+ N \(\d+–\d+\)( · under (256|279|337)\*)?", force)
    assert "eccentric" in page.get_by_test_id("caveat").inner_text()
    assert page.get_by_test_id("who").inner_text() == COACH
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "hub-team.png"), full_page=True)
    assert page.problems == []


def test_the_team_exports_download_with_the_login_cookie(page) -> None:
    with page.expect_download() as csv_download:
        page.get_by_test_id("export-csv").click()
    text = Path(csv_download.value.path()).read_text()
    header, *rows = text.splitlines()
    assert header.startswith("athlete,athlete_uuid,pad,session_uuid")
    assert len(rows) == 3 * 10 * 6
    with page.expect_download() as json_download:
        page.get_by_test_id("export-json").click()
    document = json.loads(Path(json_download.value.path()).read_text())
    assert len(document["sessions"]) == 30
    assert page.problems == []


def test_an_athlete_shows_progress_across_pads_and_a_sessions_trace(page) -> None:
    page.get_by_test_id("athlete-link").filter(has_text="Cy").click()
    sync_api.expect(page.get_by_test_id("athlete-name")).to_have_text("Cy")
    sync_api.expect(page.get_by_test_id("session-row")).to_have_count(10)
    assert "from 1 pad" in page.get_by_test_id("athlete-summary").inner_text()
    assert canvas_ink(page, "progress-chart") > 1000
    page.get_by_test_id("session-row").first.get_by_role("button").click()
    sync_api.expect(page.get_by_test_id("rep-list").locator("li")).to_have_count(6)
    page.wait_for_function("() => document.querySelector('[data-testid=session-trace]').width > 0")
    assert canvas_ink(page, "session-trace") > 1000
    assert page.get_by_test_id("trace-note").inner_text() == ""
    page.screenshot(path=str(OUTPUT / "hub-athlete.png"), full_page=True)
    assert page.problems == []


def test_the_pads_tab_lists_sync_state_and_pairs_a_new_pad(page) -> None:
    page.get_by_test_id("pads-tab").click()
    rows = page.get_by_test_id("pad-row")
    sync_api.expect(rows).to_have_count(2)
    sessions = {
        row.get_by_test_id("pad-name").inner_text(): row.get_by_test_id("pad-sessions").inner_text()
        for row in rows.all()
    }
    assert sessions == {"Gym pad": "20", "Home pad": "10"}
    page.get_by_test_id("pair-name").fill("Physio pad")
    page.get_by_test_id("pair-button").click()
    token = page.get_by_test_id("pair-token")
    sync_api.expect(token).to_have_text(re.compile(r"^pad-(\w{4}-){5}\w{4}$"))
    sync_api.expect(rows).to_have_count(3)
    assert page.problems == []
