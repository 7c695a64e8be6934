"""History shows where each rep's number came from, in a real headless Chromium against a real
`nhc-scale serve`: the session trace shades each rep's phases, marks the minimum's 0.3 s and the
transients ignored inside the effort, at the API's times; the rep list says when a hand moved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, IN_CHROMIUM
from recorded_sessions import record_session
from server import running_server
from stored_reps import rep_dict

from nhc_scale.store import Store

pytestmark = IN_CHROMIUM
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
HANDS_MOVED = "hand moved — keep your hands still"
# charts.js COLORS: the minimum's window, the ignored spans, the effort's shade
MIN_WINDOW_RGB = (255, 82, 82)
IGNORED_RGB = {"hand_shift": (234, 128, 252), "glitch": (255, 145, 0), "lost_data": (144, 164, 174)}
EFFORT_RGB = (255, 213, 79)


@dataclass
class Setup:
    url: str
    ids: dict[str, int]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """A pad with no one on it (no new sessions), whose database holds a recorded session with
    hand shifts and lost conversions, and a session stored before reps explained themselves."""
    state = tmp_path_factory.mktemp("explained-page")
    now = time.time()
    with Store.open(state) as store:
        old = store.create_session("before", now - 7200, 0, True)
        t_ns = np.arange(0, 30_000_000_000, 100_000_000, dtype=np.int64)  # 30 s at 10 S/s
        store.append_samples(old, t_ns, np.zeros(t_ns.size, dtype=np.int64), 0.0, 1000.0)
        store.add_rep(old, rep_dict(1, 18.5, 10.0))
        store.end_session(old, now - 7000)
        recorded = record_session(store, 1018, 80, now - 3600, name="hand shifts")
    with running_server(state, NHC_EMULATED_FORCE="zero") as server:
        yield Setup(server.url, {"old": old, "recorded": recorded})


@dataclass
class Phone:
    page: object
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def phone(setup: Setup) -> Iterator[Phone]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # landscape and wide: the trace gets enough pixels for a 0.3 s window to be found
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        phone = Phone(page)
        page.on("pageerror", lambda error: phone.errors.append(str(error)))
        page.on(
            "console",
            lambda message: phone.errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(setup.url)
        page.get_by_test_id("history-tab").click()
        yield phone
        context.close()
        browser.close()


def open_session(page, session_id: int, reps: int) -> list[dict]:
    """Select a session in History; its trace's marks as the page lists them, per rep."""
    page.locator(f'.session-item[data-session-id="{session_id}"]').click()
    marks = page.get_by_test_id("trace-marks").locator(":scope > li")
    sync_api.expect(marks).to_have_count(reps)
    return page.evaluate(
        """() => [...document.querySelectorAll("#trace-marks > li")].map((li) => ({
            number: Number(li.dataset.repNumber),
            marks: [...li.querySelectorAll(".trace-mark")].map((m) => ({
                kind: m.dataset.kind,
                start: Number(m.dataset.startS), end: Number(m.dataset.endS),
                x0: Number(m.dataset.x0), x1: Number(m.dataset.x1),
                y: m.dataset.y === undefined ? null : Number(m.dataset.y),
            })),
        }))"""
    )


def plot_box(page) -> dict[str, float]:
    data = page.get_by_test_id("trace-marks").evaluate("el => ({...el.dataset})")
    return {key: float(data[key]) for key in ("x", "y", "w", "h", "tLo", "tHi")}


def pixels(page, x0: float, x1: float, y0: float, y1: float) -> list[list[int]]:
    """RGBA of the trace canvas's pixels over a box given in CSS pixels."""
    return page.evaluate(
        """([x0, x1, y0, y1]) => {
            const canvas = document.getElementById("session-trace");
            const ratio = canvas.width / canvas.clientWidth;
            const left = Math.floor(x0 * ratio), top = Math.floor(y0 * ratio);
            const w = Math.max(1, Math.ceil(x1 * ratio) - left);
            const h = Math.max(1, Math.ceil(y1 * ratio) - top);
            const data = canvas.getContext("2d").getImageData(left, top, w, h).data;
            const out = [];
            for (let i = 0; i < data.length; i += 4) out.push([...data.slice(i, i + 4)]);
            return out;
        }""",
        [x0, x1, y0, y1],
    )


def has_colour(found: list[list[int]], rgb: tuple[int, int, int], opaque: bool = True) -> bool:
    return any(
        all(abs(p[i] - rgb[i]) <= 12 for i in range(3)) and (p[3] > 200 or not opaque)
        for p in found
    )


def test_the_trace_marks_sit_at_the_apis_times(phone: Phone, setup: Setup) -> None:
    page = phone.page
    reps = httpx.get(f"{setup.url}/api/sessions/{setup.ids['recorded']}").json()["reps"]
    drawn = open_session(page, setup.ids["recorded"], len(reps))
    box = plot_box(page)
    scale = box["w"] / (box["tHi"] - box["tLo"])
    for rep, shown in zip(reps, drawn, strict=True):
        assert shown["number"] == rep["number"]
        expected = [
            ("hold", rep["start_s"], rep["effort_start_s"]),
            ("effort", rep["effort_start_s"], rep["push_off_start_s"] or rep["end_s"]),
        ]
        if rep["push_off_start_s"] is not None:
            expected.append(("push_off", rep["push_off_start_s"], rep["end_s"]))
        expected.append(("min_window", *rep["min_window_s"]))
        expected += [(s["kind"], s["start_s"], s["end_s"]) for s in rep["ignored"]]
        assert [(m["kind"], m["start"], m["end"]) for m in shown["marks"]] == expected
        for mark in shown["marks"]:  # drawn where the times fall on the time axis
            assert mark["x0"] == pytest.approx(box["x"] + (mark["start"] - box["tLo"]) * scale)
            assert mark["x1"] == pytest.approx(box["x"] + (mark["end"] - box["tLo"]) * scale)
            assert box["x"] <= mark["x0"] <= mark["x1"] <= box["x"] + box["w"]


def test_the_minimum_window_ignored_spans_and_effort_are_on_the_canvas(
    phone: Phone, setup: Setup
) -> None:
    page = phone.page
    reps = httpx.get(f"{setup.url}/api/sessions/{setup.ids['recorded']}").json()["reps"]
    drawn = open_session(page, setup.ids["recorded"], len(reps))
    box = plot_box(page)
    bottom = box["y"] + box["h"]
    ignored_seen = 0
    for shown in drawn:
        by_kind = {m["kind"]: m for m in shown["marks"]}
        window = by_kind["min_window"]
        centre = (window["x0"] + window["x1"]) / 2
        around = pixels(page, centre - 1, centre + 2, window["y"], window["y"] + 2)
        assert has_colour(around, MIN_WINDOW_RGB), shown["number"]
        effort = by_kind["effort"]
        middle = (effort["x0"] + effort["x1"]) / 2
        shade = pixels(page, middle, middle + 1, box["y"] + 1, box["y"] + 6)
        assert has_colour(shade, EFFORT_RGB, opaque=False), shown["number"]
        for mark in shown["marks"]:
            if mark["kind"] in IGNORED_RGB:
                strip = pixels(page, mark["x0"] - 1, mark["x1"] + 2, bottom - 5, bottom - 1)
                assert any(has_colour(strip, rgb) for rgb in IGNORED_RGB.values()), mark
                ignored_seen += 1
    assert ignored_seen >= 5


def test_the_rep_list_says_when_a_hand_moved(phone: Phone, setup: Setup) -> None:
    page = phone.page
    reps = httpx.get(f"{setup.url}/api/sessions/{setup.ids['recorded']}").json()["reps"]
    open_session(page, setup.ids["recorded"], len(reps))
    moved = {rep["number"] for rep in reps if rep["hands_moved"]}
    assert len(moved) >= 2
    items = page.locator("#detail-reps > li")
    sync_api.expect(items).to_have_count(len(reps))
    for rep in reps:
        item = page.locator(f'#detail-reps > li[data-rep-number="{rep["number"]}"]')
        note = item.get_by_test_id("hands-moved")
        if rep["number"] in moved:
            sync_api.expect(note).to_have_text(HANDS_MOVED)
            sync_api.expect(note).to_be_visible()
        else:
            sync_api.expect(note).to_have_count(0)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "history-rep-explanations.png"))


def test_a_rep_stored_before_the_explanation_is_shaded_whole(phone: Phone, setup: Setup) -> None:
    page = phone.page
    (shown,) = open_session(page, setup.ids["old"], 1)
    assert [mark["kind"] for mark in shown["marks"]] == ["rep"]
    assert page.get_by_test_id("hands-moved").count() == 0
    assert phone.errors == []
