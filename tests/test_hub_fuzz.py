"""A fuzzer (schemathesis) against the running hub's own OpenAPI schema on both engines: as a
coach on the team's API, and as a pad on the sync protocol. Every answer must be in the schema
and none a server error (a NUL character, a number too big for a column or a date no one can
print must be a 422, never a 500 from the database)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_databases import ENGINES, database_url
from hub_server import Hub, running_hub

pytestmark = pytest.mark.integration
ST = Path(sys.executable).with_name("st")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


@pytest.fixture(scope="module", params=ENGINES)
def hub(request, tmp_path_factory) -> Iterator[Hub]:
    state = tmp_path_factory.mktemp(f"hub-fuzz-{request.param}")
    with running_hub(state, database_url(request.param, state)) as running:
        running.add_coach()
        # Both headers now: the fuzzer's wrong passwords for "coach" throttle later logins.
        running.coach_header = running.login()
        running.pad_header = running.pair(running.coach_header, "Fuzzed pad")
        yield running


def fuzz(hub: Hub, tmp_path: Path, header: dict[str, str], *selection: str) -> None:
    ((name, value),) = header.items()
    done = subprocess.run(
        [
            str(ST), "run", hub.url + "/openapi.json", "--checks", CHECKS, *selection,
            "--header", f"{name}: {value}", "--phases", "examples,coverage,fuzzing",
            "--max-examples", "15", "--seed", "7", "--request-timeout", "20",
            "--generation-database", "none", "--no-color",
        ],
        capture_output=True, text=True, timeout=420, cwd=tmp_path,
    )  # fmt: skip
    print("\n".join(done.stdout.splitlines()[-20:]))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed (the test extra)")
def test_the_team_api_answers_every_fuzzed_request_within_its_schema(
    hub: Hub, tmp_path: Path
) -> None:
    # Logging out would end the fuzzer's own login half-way.
    fuzz(hub, tmp_path, hub.coach_header, "--exclude-path-regex", "^/api/(sync/v1/|logout)")


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed (the test extra)")
def test_the_sync_protocol_answers_every_fuzzed_request_within_its_schema(
    hub: Hub, tmp_path: Path
) -> None:
    fuzz(hub, tmp_path, hub.pad_header, "--include-path-regex", "^/api/sync/")
