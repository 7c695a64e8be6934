"""Accessibility of the phone page, checked by axe-core (the npm package, injected into the page by
Playwright) on the Live, History and Athletes tabs at the three phone sizes, in a real headless
Chromium against the real server on the demo sensor: no serious or critical violation, and none
of the ones found before (the rep list that scrolls without the keyboard, no first-level
heading, the demo banner outside every landmark), whatever their impact.

axe-core comes from .ci/axe (package.json and its lock file), which scripts/test.sh installs with
`npm ci`; where npm cannot reach its registry, from the copy of axe.min.js that the
axe-playwright-python wheel (a test dependency from PyPI) carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from page_fixtures import (
    IN_CHROMIUM,
    PHONES,
    add_active_athlete,
    demo_server,
    generated_admin_auth,
    launch_chromium,
    new_phone,
)


def axe_script() -> Path | None:
    """axe.min.js: npm's copy (.ci/axe, the version its lock file pins) first, else the wheel's."""
    npm = Path(__file__).resolve().parent.parent / ".ci/axe/node_modules/axe-core/axe.min.js"
    if npm.exists():
        return npm
    try:
        import axe_playwright_python
    except ImportError:
        return None
    wheel = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return wheel if wheel.exists() else None


AXE_JS = axe_script()

pytestmark = [
    *IN_CHROMIUM,
    pytest.mark.skipif(
        AXE_JS is None,
        reason="needs axe-core: (cd .ci/axe && npm ci), or pip install axe-playwright-python",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

FOUND_BEFORE = {"scrollable-region-focusable", "page-has-heading-one", "region"}
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nhc-axe")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[str]:
    with demo_server(state_dir, seed=2) as url:
        anna = {"name": "Anna", "body_mass_kg": 70, "height_m": 1.72}
        add_active_athlete(url, generated_admin_auth(state_dir), anna)
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(RUN_AXE)


def check(page, where: str) -> None:
    found = violations(page)
    bad = [v for v in found if v["impact"] in ("serious", "critical") or v["id"] in FOUND_BEFORE]
    assert bad == [], f"{where}: {bad}"


@pytest.mark.parametrize("phone", list(PHONES))
def test_no_serious_violations_on_any_tab(browser, server: str, phone: str) -> None:
    page = new_phone(browser, server + "/", PHONES[phone])
    try:
        # With reps in the list (a list that scrolls must be reachable by the keyboard).
        page.locator("#rep-list li").first.wait_for(timeout=60_000)
        check(page, f"Live on {phone}")
        page.get_by_test_id("history-tab").click()
        page.get_by_test_id("session-list").locator("li").first.wait_for()
        page.locator("#session-detail:not([hidden])").wait_for()
        check(page, f"History on {phone}")
        page.get_by_test_id("athletes-tab").click()
        sync_api.expect(page.get_by_test_id("athlete-list")).to_contain_text("Anna")
        page.get_by_test_id("athlete-add").click()
        page.get_by_test_id("athlete-save").click()  # an empty form: its error is shown
        page.get_by_test_id("athlete-form-error").wait_for()
        check(page, f"Athletes with the form on {phone}")
        page.locator("#live-tab").click()
        page.get_by_test_id("tare-button").click()  # no token on this phone: the dialog
        page.get_by_test_id("token-dialog").wait_for()
        check(page, f"the token dialog on {phone}")
    finally:
        page.context.close()
