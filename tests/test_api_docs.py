"""The API documentation comes from the appliance itself: no response of the app loads a
script, a style sheet or a font from another origin (the page keeps the admin token in the
origin's localStorage, and the scale often has no internet), and ``/docs`` works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM
from server import Server, running_server

STATIC = Path(__file__).resolve().parents[1] / "src" / "nhc_scale" / "web" / "static"
# What a browser fetches and runs or applies: scripts, style sheets, fonts, frames, icons.
LOADING_ATTRIBUTES = {
    "script": "src",
    "link": "href",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "object": "data",
    "img": "src",
    "base": "href",
}
JS_IMPORTS = re.compile(
    r"""\bimport\s*(?:\(\s*|[\w*{}\s,$]*\bfrom\s*)?["'`]([^"'`]+)["'`]"""
    r"""|\bimportScripts\s*\(\s*["'`]([^"'`]+)"""
    r"""|\bnew\s+(?:Shared)?Worker\s*\(\s*["'`]([^"'`]+)"""
    r"""|@import\s+(?:url\()?\s*["']?([^"')\s;]+)"""
    r"""|\burl\(\s*["']?((?:https?:)?//[^"')\s]+)"""
)


class Loads(HTMLParser):
    """Every URL an HTML document makes the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LOADING_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:  # inline code and styles: their imports count too
            self.urls.extend(script_loads(data))


def script_loads(text: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in JS_IMPORTS.finditer(text)]


def foreign(base: str, urls: list[str]) -> list[str]:
    origin = urlsplit(base).netloc
    return [
        url
        for url in urls
        if not url.startswith(("data:", "blob:")) and urlsplit(urljoin(base, url)).netloc != origin
    ]


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("docs"), NHC_EMULATED_FORCE="zero") as server:
        yield server


def every_get_path(server: Server) -> list[str]:
    """The page, the docs, every static file and every GET route without path parameters."""
    schema = httpx.get(server.url + "/openapi.json").json()
    api = [path for path, item in schema["paths"].items() if "get" in item and "{" not in path]
    static = ["/static/" + path.name for path in sorted(STATIC.iterdir()) if path.is_file()]
    return ["/", "/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json", *api, *static]


@pytest.mark.integration
def test_no_response_of_the_app_loads_anything_from_another_origin(quiet: Server) -> None:
    checked = 0
    for path in every_get_path(quiet):
        if path == "/api/live":
            continue  # an endless event stream of JSON: no markup, no code
        response = httpx.get(quiet.url + path, timeout=20)
        kind = response.headers.get("content-type", "")
        if "html" in kind:
            parser = Loads()
            parser.feed(response.text)
            urls = parser.urls
        elif "javascript" in kind or "css" in kind:
            urls = script_loads(response.text)
        else:
            continue
        checked += 1
        assert foreign(quiet.url + path, urls) == [], path
    assert checked >= 5  # the page, its code and the docs were among them


@pytest.mark.integration
def test_the_docs_page_is_served_by_the_scale_with_a_policy_that_forbids_other_origins(
    quiet: Server,
) -> None:
    response = httpx.get(quiet.url + "/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    # The old CDN pages are gone, not moved.
    assert httpx.get(quiet.url + "/redoc").status_code == 404


@pytest.mark.browser
@pytest.mark.integration
@NEEDS_CHROMIUM
def test_the_docs_page_lists_every_route_with_the_network_limited_to_the_scale(
    quiet: Server,
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    schema = httpx.get(quiet.url + "/openapi.json").json()
    elsewhere: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

            def only_the_scale(route) -> None:
                if route.request.url.startswith(quiet.url + "/"):
                    route.continue_()
                else:  # as offline: nothing else answers
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", only_the_scale)
            page.goto(quiet.url + "/docs")
            page.wait_for_selector("[data-testid=operation]")
            shown = {
                (item.get_attribute("data-method"), item.get_attribute("data-path"))
                for item in page.query_selector_all("[data-testid=operation]")
            }
            title = page.text_content("h1") or ""
            session = page.query_selector("[data-path='/api/sessions'][data-method='post']")
            assert session is not None
            session_text = session.inner_text()
        finally:
            browser.close()
    expected = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    }
    assert shown == expected
    assert "nhc-scale" in title
    assert "admin token" in session_text  # which routes need the token is said
    assert "201" in session_text  # and what they answer
    assert elsewhere == [] and errors == []
