"""Guessing the admin token: a few mistakes are free, then the address waits longer and longer
(429 with Retry-After), the journal gets a handful of lines however many guesses arrive, the
record stays bounded under any number of addresses, and the right token from another client
keeps working throughout."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from server import Server, running_server

from nhc_scale.web.log_budget import LogBudget
from nhc_scale.web.token_guesses import (
    CAPACITY,
    FORGET_S,
    FREE_FAILURES,
    MAX_LOCKOUT_S,
    TokenGuesses,
    client_key,
)

# ----- the record, on a clock the test holds --------------------------------------------------


def lock_out(guesses: TokenGuesses, key: str, now: float) -> float:
    """Wrong tokens from ``key`` until it is locked out; the lockout's length."""
    for _ in range(FREE_FAILURES + 1):
        failure = guesses.failed(key, now)
    return failure.lockout_s


def test_the_first_mistakes_are_free_then_each_lockout_doubles_up_to_the_cap() -> None:
    guesses = TokenGuesses()
    now = 1000.0
    for number in range(1, FREE_FAILURES + 1):
        assert guesses.failed("10.0.0.9", now) == (number, 0.0, False)
        assert guesses.retry_after("10.0.0.9", now) == 0.0
    lockouts = []
    for _ in range(12):
        failure = guesses.failed("10.0.0.9", now)
        assert guesses.retry_after("10.0.0.9", now) == failure.lockout_s
        lockouts.append(failure.lockout_s)
        now += failure.lockout_s  # waits it out, then guesses again
    assert lockouts[:4] == [1.0, 2.0, 4.0, 8.0]
    assert lockouts[-1] == MAX_LOCKOUT_S and max(lockouts) == MAX_LOCKOUT_S
    assert guesses.retry_after("10.0.0.8", now) == 0.0  # another address is not concerned


def test_the_right_token_clears_an_address_and_quiet_addresses_are_forgotten() -> None:
    guesses = TokenGuesses()
    assert lock_out(guesses, "10.0.0.1", 0.0) == 1.0
    guesses.succeeded("10.0.0.1")
    assert guesses.retry_after("10.0.0.1", 0.0) == 0.0
    assert guesses.failed("10.0.0.1", 0.0).failures == 1  # counting starts again
    lock_out(guesses, "10.0.0.2", 0.0)
    assert guesses.failed("10.0.0.2", 10.0).failures == FREE_FAILURES + 2
    assert guesses.failed("10.0.0.2", 10.0 + FORGET_S + 1).failures == 1


def test_a_million_spoofed_addresses_fill_a_bounded_table_and_share_one_lockout() -> None:
    guesses = TokenGuesses()
    guesses.succeeded("192.168.1.20")  # the phone in use before the flood
    now = 0.0
    refused = 0
    for number in range(1_000_000):
        key = f"fd00::{number:x}"
        now += 1e-4
        if guesses.retry_after(key, now):
            refused += 1
            continue
        guesses.failed(key, now)
    assert len(guesses) <= CAPACITY + 64
    # Past the table, the flood was one client: locked out nearly all the time.
    tried = 1_000_000 - refused
    assert tried < CAPACITY + 200, tried
    # A newcomer is judged with the flood; the phone that had the token is not.
    assert guesses.retry_after("192.168.1.30", now) > 0
    assert guesses.retry_after("192.168.1.20", now) == 0.0
    # Its own mistakes still count: it gets an entry even in a full table.
    assert lock_out(guesses, "192.168.1.20", now) == 1.0
    assert guesses.retry_after("192.168.1.20", now) == 1.0
    # When the flood has been over for a while, everyone is judged alone again.
    later = now + FORGET_S + MAX_LOCKOUT_S + 1
    assert guesses.retry_after("192.168.1.30", later) == 0.0


def test_ipv4_mapped_addresses_are_the_ipv4_address() -> None:
    assert client_key("::ffff:192.168.1.5") == "192.168.1.5"
    assert client_key("2001:DB8::1") == "2001:db8::1"
    assert client_key(None) == "(unknown)"
    assert client_key("testclient") == "testclient"


def test_the_log_budget_allows_a_burst_then_one_line_a_minute_counting_the_rest() -> None:
    budget = LogBudget(burst=3, interval_s=60.0)
    taken = [budget.take(0.0) for _ in range(1000)]
    assert taken[:3] == [0, 0, 0] and set(taken[3:]) == {None}
    assert budget.take(30.0) is None
    assert budget.take(61.0) == 998  # the next line says how many were left out


# ----- against the running server -------------------------------------------------------------


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("guesses"), NHC_EMULATED_FORCE="zero") as server:
        yield server


def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections leave from ``address`` (any of 127.0.0.0/8)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def put_units(client: httpx.Client, server: Server, token: str, **headers: str) -> httpx.Response:
    return client.put(
        server.url + "/api/settings",
        json={"units": "kg"},
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def guess_lines(server: Server) -> list[str]:
    return [line for line in server.log().splitlines() if "admin token" in line and "from" in line]


@pytest.mark.integration
def test_a_burst_of_wrong_tokens_is_locked_out_logged_briefly_and_spares_other_clients(
    quiet: Server,
) -> None:
    logged_before = len(guess_lines(quiet))
    statuses: list[int] = []
    with client_from("127.0.0.1") as guesser, client_from("127.0.0.8") as phone:
        for number in range(1000):
            response = put_units(guesser, quiet, f"guess-{number:06d}")
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) >= 1
                assert "try again in" in response.json()["detail"]
            if number % 100 == 0:  # the right token from another address works meanwhile
                assert put_units(phone, quiet, quiet.admin_token).status_code == 200
        # While locked out, even the right token is refused unread: no answer tells a guess.
        assert put_units(guesser, quiet, quiet.admin_token).status_code == 429
        # A forwarding header does not make another client of it (there is no proxy).
        spoofed = put_units(guesser, quiet, quiet.admin_token, **{"X-Forwarded-For": "10.9.9.9"})
        assert spoofed.status_code == 429
        # Reading needs no token and is never limited.
        assert guesser.get(quiet.url + "/api/settings").status_code == 200
    assert statuses[:FREE_FAILURES] == [401] * FREE_FAILURES
    assert statuses.count(401) <= FREE_FAILURES + 4  # lockouts of 1, 2, 4... s end mid-burst
    assert statuses.count(429) == len(statuses) - statuses.count(401)
    lines = guess_lines(quiet)[logged_before:]
    assert 1 <= len(lines) <= 12, lines
    assert any(re.search(r"127\.0\.0\.1 .*locked out for \d+ s", line) for line in lines)
    assert "Traceback" not in quiet.log()


@pytest.mark.integration
def test_the_429_is_in_the_schema_of_every_route_that_needs_the_token(quiet: Server) -> None:
    schema = httpx.get(quiet.url + "/openapi.json").json()
    guarded = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    ]
    assert len(guarded) >= 10
    for path, method, operation in guarded:
        assert "429" in operation["responses"], (method, path)
        assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
