"""Bad input at every edge: a fuzzer against the running server's own OpenAPI schema, requests
without the admin token, oversized and ill-typed bodies, paths that try to leave the static
folder, spreadsheet formulas in exports, and `nhc-scale analyze` on files that are not
recordings. Every refusal is a status code and a sentence, never a traceback."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server import Server, running_server

from nhc_scale.admin_token import ensure_token, read_token
from nhc_scale.config import Settings

pytestmark = pytest.mark.integration

ST = Path(sys.executable).with_name("st")
NHC_SCALE = Path(sys.executable).with_name("nhc-scale")


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("quiet"), NHC_EMULATED_FORCE="zero") as server:
        yield server


# ----- the fuzzer -------------------------------------------------------------------------------


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed (the test extra)")
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    quiet: Server, tmp_path: Path
) -> None:
    """/api/live is left out: an endless event stream has no end for a fuzzer to check."""
    report = tmp_path / "report.xml"
    done = subprocess.run(
        [
            str(ST),
            "run",
            quiet.url + "/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance",
            "--exclude-path",
            "/api/live",
            "--header",
            f"Authorization: Bearer {quiet.admin_token}",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "25",
            "--seed",
            "7",
            "--request-timeout",
            "10",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    summary = "\n".join(done.stdout.splitlines()[-25:])
    print(summary)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Traceback" not in quiet.log(), quiet.log()[-3000:]


# ----- the admin token --------------------------------------------------------------------------

CHANGES = [
    ("POST", "/api/tare", None),
    ("POST", "/api/calibration", {"mass_kg": 20}),
    ("PUT", "/api/settings", {"units": "lb"}),
    ("POST", "/api/sessions", {}),
    ("POST", "/api/sessions/1/stop", None),
    ("PATCH", "/api/sessions/1", {"name": "mine now"}),
    ("DELETE", "/api/sessions/1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dGVzdDp0ZXN0", ""])
def test_changes_without_the_admin_token_are_401_with_a_message(
    quiet: Server, method: str, path: str, body: dict | None, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.request(method, quiet.url + path, json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert "admin token" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_nothing_changed_for_a_request_without_the_token(quiet: Server) -> None:
    before = httpx.get(quiet.url + "/api/settings").json()
    assert httpx.put(quiet.url + "/api/settings", json={"units": "N"}).status_code == 401
    assert httpx.get(quiet.url + "/api/settings").json() == before


@pytest.mark.parametrize(
    "path",
    ["/", "/api/health", "/api/sessions", "/api/settings", "/api/progress", "/openapi.json"],
)
def test_reads_are_open_on_the_network(quiet: Server, path: str) -> None:
    assert httpx.get(quiet.url + path).status_code == 200


def test_every_route_that_changes_state_requires_the_token() -> None:
    """A new route cannot forget the guard: every non-GET API route carries it."""
    from fastapi.routing import APIRoute

    from nhc_scale.web.app import create_app
    from nhc_scale.web.security import require_admin

    # The page sends the phone's clock on load, before any token is known; it only corrects
    # timestamps while the scale has no network time (see docs/api.md).
    open_changes = {"/api/clock"}
    app = create_app(Settings(pins="emulated", state_dir=Path("/nonexistent")))
    unguarded = [
        (sorted(route.methods), route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.methods - {"GET", "HEAD"}
        and route.path not in open_changes
        and not any(d.call is require_admin for d in route.dependant.dependencies)
    ]
    assert unguarded == []


def test_a_generated_token_is_private_stable_and_enforced(tmp_path: Path) -> None:
    settings = Settings(pins="emulated", state_dir=tmp_path)
    assert read_token(settings)[0] is None
    token, origin, generated = ensure_token(settings)
    path = tmp_path / "admin-token"
    assert generated and origin == str(path) and len(token) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_token(settings) == (token, str(path), False)
    assert (
        ensure_token(Settings(pins="emulated", state_dir=tmp_path, admin_token="x" * 12))[0]
        == "x" * 12
    )
    with running_server(tmp_path / "served", NHC_EMULATED_FORCE="zero", NHC_ADMIN_TOKEN=None) as s:
        generated_token = (s.state_dir / "admin-token").read_text().strip()
        assert generated_token in s.log()  # the server log shows it, as doctor does
        denied = httpx.put(s.url + "/api/settings", json={"units": "lb"})
        allowed = httpx.put(
            s.url + "/api/settings",
            json={"units": "lb"},
            headers={"Authorization": f"Bearer {generated_token}"},
        )
    assert denied.status_code == 401 and allowed.status_code == 200


def test_a_too_short_configured_token_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    env.update(NHC_PINS="emulated", NHC_STATE_DIR=str(tmp_path), NHC_ADMIN_TOKEN="abc")
    done = subprocess.run(
        [str(NHC_SCALE), "serve", "--port", "1"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "admin_token" in done.stderr
    assert "Traceback" not in done.stderr


# ----- bodies, types, ids, paths ----------------------------------------------------------------


def test_a_body_over_64_kb_is_refused_with_413(quiet: Server) -> None:
    url = quiet.url + "/api/sessions/1"
    response = httpx.patch(url, content=b'{"notes": "' + b"x" * 70_000 + b'"}', headers=quiet.auth)
    assert response.status_code == 413
    assert "64 KB" in response.json()["detail"]


def test_a_chunked_body_over_64_kb_is_refused_with_413(quiet: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"notes": "'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}'

    response = httpx.put(
        quiet.url + "/api/settings",
        content=chunks(),
        headers={**quiet.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_a_false_content_length_is_refused(quiet: Server) -> None:
    host, port = quiet.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"PUT /api/settings HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n"
            b"Content-Type: application/json\r\n\r\n{}"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/settings", {"body_mass_kg": "heavy"}),
        ("PUT", "/api/settings", {"sound": "loud"}),
        ("PUT", "/api/settings", b'{"auto_stop_min": 1e309}'),
        ("PUT", "/api/settings", b'{"body_mass_kg": NaN}'),
        ("PUT", "/api/settings", [1, 2, 3]),
        ("POST", "/api/calibration", {}),
        ("POST", "/api/calibration", {"mass_kg": None}),
        ("PATCH", "/api/sessions/1", {"notes": 5}),
        ("GET", "/api/sessions/abc", None),
        ("GET", "/api/sessions/1/trace?max_points=many", None),
        ("GET", "/api/sessions/1/trace?max_points=5", None),
    ],
)
def test_wrong_types_get_422_with_a_readable_message(
    quiet: Server, method: str, path: str, body: object
) -> None:
    if isinstance(body, bytes):  # what a JSON encoder would refuse to write
        headers = {**quiet.auth, "Content-Type": "application/json"}
        response = httpx.request(method, quiet.url + path, content=body, headers=headers)
    else:
        response = httpx.request(method, quiet.url + path, json=body, headers=quiet.auth)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("invalid request:") and len(detail) < 500


def test_malformed_json_gets_422(quiet: Server) -> None:
    response = httpx.put(
        quiet.url + "/api/settings",
        content=b'{"units": ',
        headers={**quiet.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid request:")


@pytest.mark.parametrize(
    "path",
    [
        "/api/sessions/2147483648000",
        "/api/sessions/9223372036854775807",
        "/api/sessions/424242/trace",
    ],
)
def test_unknown_ids_are_404(quiet: Server, path: str) -> None:
    response = httpx.get(quiet.url + path)
    assert response.status_code == 404
    assert "no session" in response.json()["detail"]


BEYOND_64_BITS = [2**63, 2**64, 10**30, -(2**63) - 1, 0, -1]


@pytest.mark.parametrize("value", BEYOND_64_BITS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/sessions/{}", None),
        ("GET", "/api/sessions/{}/reps.csv", None),
        ("GET", "/api/sessions/{}/samples.csv", None),
        ("GET", "/api/sessions/{}/trace", None),
        ("PATCH", "/api/sessions/{}", {"name": "x"}),
        ("POST", "/api/sessions/{}/stop", None),
        ("DELETE", "/api/sessions/{}", None),
        ("GET", "/api/athletes/{}", None),
        ("GET", "/api/athletes/{}/progress", None),
        ("GET", "/api/athletes/{}/export.csv", None),
        ("PATCH", "/api/athletes/{}", {"name": "x"}),
        ("DELETE", "/api/athletes/{}", None),
        ("POST", "/api/athletes/{}/relaxed", None),
        ("PATCH", "/api/sessions/1", {"athlete_id": "{}"}),
        ("PUT", "/api/athletes/active", {"athlete_id": "{}"}),
    ],
)
def test_ids_no_row_can_have_are_422_never_a_server_error(
    quiet: Server, method: str, path: str, body: dict | None, value: int
) -> None:
    """SQLite holds signed 64-bit ids: beyond them (and below 1) is a 422 naming the field,
    where it was a 500 with a traceback from deep in the driver."""
    if body is not None:
        body = {key: value if item == "{}" else item for key, item in body.items()}
    response = httpx.request(method, quiet.url + path.format(value), json=body, headers=quiet.auth)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("invalid request:") and "id" in detail
    assert "Traceback" not in quiet.log()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/%2e%2e/%2e%2e/config.py",
        "/static/..%2fapp.py",
        "/static/....//app.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/%5c..%5capp.py",
        "/static/icon.svg%00.html",
    ],
)
def test_nothing_is_served_from_outside_the_static_folder(quiet: Server, path: str) -> None:
    """Sent byte for byte (no client-side normalisation of the dots)."""
    host, port = quiet.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404), answer[:200]
    assert b"import" not in answer and b"root:" not in answer


def test_no_cors_headers_by_default(quiet: Server) -> None:
    origin = {"Origin": "http://evil.example"}
    response = httpx.get(quiet.url + "/api/health", headers=origin)
    assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(
        quiet.url + "/api/tare",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


# ----- spreadsheet injection --------------------------------------------------------------------


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    from nhc_scale.web.csv_export import csv_text, spreadsheet_safe

    for dangerous in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        cell = spreadsheet_safe(dangerous)
        assert cell[0] not in "=+-@\t\r", cell
        assert csv_text([[dangerous]]).lstrip('"')[0] not in "=+-@\t\r", dangerous
    assert csv_text([['say "hi", then']]) == '"say ""hi"", then"\n'
    assert spreadsheet_safe(-1.25) == "-1.25"  # numbers stay numbers
    assert spreadsheet_safe(True) == "true" and spreadsheet_safe(None) == ""


def test_the_exports_of_a_session_with_a_formula_for_a_name_hold_no_formula(
    quiet: Server,
) -> None:
    created = httpx.post(
        quiet.url + "/api/sessions", json={"name": '=HYPERLINK("http://x")'}, headers=quiet.auth
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    httpx.patch(f"{quiet.url}/api/sessions/{sid}", json={"notes": "@SUM(1)"}, headers=quiet.auth)
    httpx.post(f"{quiet.url}/api/sessions/{sid}/stop", headers=quiet.auth)
    for export in ("samples.csv", "reps.csv"):
        text = httpx.get(f"{quiet.url}/api/sessions/{sid}/{export}").text
        for line in text.splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (export, cell)
                assert not cell.startswith("-") or _is_number(cell), (export, cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ----- `nhc-scale analyze` on files that are not recordings -------------------------------------


def _analyze(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NHC_SCALE), "analyze", str(path)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "truncated.csv",
            "t_s,force_kg\n" + "".join(f"{i / 80},1.0\n" for i in range(50)) + "0.6",
            "truncated",
        ),
        ("header-only.csv", "t_s,force_kg\n", "too short"),
        ("comments.csv", "# nothing but a comment\n\n", "empty"),
        ("latin1.csv", b"t_s,force_kg\n0,1\n" + b"# caf\xe9\n", "not UTF-8"),
        ("binary.csv", bytes(range(256)) * 8, "not UTF-8"),
        ("nul.csv", b"t_s,force_kg\n0,\x001\n", "line 2"),
        ("nan.csv", "t_s,force_kg\n" + "".join(f"{i / 80},nan\n" for i in range(50)), "line 2"),
        ("inf.csv", "t_s,force_kg\n" + "".join(f"{i / 80},1e999\n" for i in range(50)), "line 2"),
        (
            "backwards.csv",
            "t_s,force_kg\n" + "".join(f"{-i / 80},1\n" for i in range(50)),
            "line 3",
        ),
        ("json.csv", json.dumps({"reps": []}), "lacks"),
        ("wrong-columns.csv", "time,kg\n0,1\n", "lacks t_s and force_kg"),
    ],
)
def test_analyze_refuses_bad_files_with_one_clear_line(
    tmp_path: Path, name: str, content: str | bytes, words: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    done = _analyze(path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert words in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # fail fast, never the OOM killer


def test_analyze_refuses_an_endless_input_such_as_a_device(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(NHC_SCALE), "analyze", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-500:]


def test_analyze_on_a_missing_file_a_directory_and_a_bad_path(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.csv", tmp_path, tmp_path / "missing.csv" / "x"):
        done = _analyze(path)
        assert done.returncode == 2, (path, done.stderr)
        assert "Traceback" not in done.stderr and done.stderr.strip(), done.stderr


def test_analyze_refuses_a_huge_file_without_reading_it_whole(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 2 GiB on paper, nothing on disk
        handle.write(b"t_s,force_kg\n0,1\n")
        handle.truncate(2 << 30)
    done = _analyze(huge)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "too large" in done.stderr or "GiB" in done.stderr or "MB" in done.stderr, done.stderr


def test_analyze_on_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = _analyze(empty)
    assert done.returncode == 2 and "empty" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Bob\r=1+2", "control character"),
        ("Bob\n=1+2", "control character"),
        ("Bob\x00", "control character"),
        ("Bob\tSmith", "control character"),
        ("\u202eboB", "text-direction"),
        ("Al\u2066ice", "text-direction"),
        ("\u200b\u200b", "empty"),
        ("   ", "empty"),
    ],
)
def test_names_with_control_characters_are_refused_with_a_sentence(
    quiet: Server, name: str, why: str
) -> None:
    """A CR or LF in a name splits its CSV row in a spreadsheet (smuggling a formula into the
    next); bidi overrides show another name than the stored one."""
    athlete = {"name": name, "body_mass_kg": 80, "height_m": 1.8}
    created = httpx.post(quiet.url + "/api/athletes", json=athlete, headers=quiet.auth)
    assert created.status_code == 422, created.text
    assert why in created.json()["detail"]
    session = httpx.post(quiet.url + "/api/sessions", json={"name": name}, headers=quiet.auth)
    if why == "empty":  # a blank session name is no name
        assert session.status_code == 201 and session.json()["name"] is None
        stop = f"{quiet.url}/api/sessions/{session.json()['id']}/stop"
        assert httpx.post(stop, headers=quiet.auth).status_code == 200
    else:
        assert session.status_code == 422 and why in session.json()["detail"]


def test_notes_keep_their_line_breaks_but_not_other_controls(quiet: Server) -> None:
    session = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    url = f"{quiet.url}/api/sessions/{session['id']}"
    httpx.post(url + "/stop", headers=quiet.auth)
    kept = httpx.patch(url, json={"notes": "felt strong\n\tleft hand moved"}, headers=quiet.auth)
    assert kept.status_code == 200 and kept.json()["notes"] == "felt strong\n\tleft hand moved"
    refused = httpx.patch(url, json={"notes": "a\x00b"}, headers=quiet.auth)
    assert refused.status_code == 422 and "control character" in refused.json()["detail"]
