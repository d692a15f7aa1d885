"""Per-client rate limiting (issue 18): a client over its rate gets 429 with Retry-After; the others are served.

Real servers (gunicorn, 2 worker processes). Clients are told apart by their source address: Linux routes
all of 127.0.0.0/8 to loopback, so a client bound to 127.0.0.2 and one bound to 127.0.0.3 are two clients.
Each request opens a new connection, so they land on both workers: the quota holding exactly across them
shows that the workers share one table. The limiter's arithmetic (GCRA) is checked in-process as well.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.server.ratelimit import Table, client_address
from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

QUOTA = 5
QUERY = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"


@pytest.fixture(scope="module")
def limited_server(sparql_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        sparql_release,
        tmp_path_factory.mktemp("kg-rate"),
        {"rate_limit": {"requests": QUOTA, "window": 60, "exempt_loopback": False}},
    )
    yield server
    server.stop()


def get(url: str, source: str, path: str = QUERY) -> http.client.HTTPResponse:
    """GET ``path`` over a fresh connection from the source address ``source``."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def remaining(response: http.client.HTTPResponse) -> int:
    match = re.fullmatch(r'"default";r=(\d+);t=(\d+)', response.getheader("RateLimit") or "")
    assert match, f"no RateLimit header: {response.getheaders()}"
    return int(match.group(1))


def test_a_client_over_its_rate_gets_429_while_another_is_served(limited_server: RunningServer) -> None:
    answers = [get(limited_server.url, "127.0.0.2") for _ in range(QUOTA + 3)]
    statuses = [a.status for a in answers]
    assert statuses == [200] * QUOTA + [429] * 3, statuses
    assert [remaining(a) for a in answers[:QUOTA]] == list(range(QUOTA - 1, -1, -1))
    for refused in answers[QUOTA:]:
        assert 1 <= int(refused.getheader("Retry-After") or "0") <= 60
        assert remaining(refused) == 0
        assert refused.getheader("RateLimit-Policy") == f'"default";q={QUOTA};w=60'
    other = get(limited_server.url, "127.0.0.3")
    assert other.status == 200 and remaining(other) == QUOTA - 1
    # the health check is never limited, whoever asks
    assert get(limited_server.url, "127.0.0.2", "/health").status == 200


def test_loopback_is_exempt_by_default(sparql_release: Path, tmp_path: Path) -> None:
    server = start_server(sparql_release, tmp_path, {"rate_limit": {"requests": 1, "window": 60}})
    try:
        answers = [get(server.url, "127.0.0.1") for _ in range(4)]
        assert [a.status for a in answers] == [200] * 4
        assert all(a.getheader("RateLimit") is None for a in answers)
    finally:
        server.stop()


def test_gcra_refills_one_request_per_interval() -> None:
    table = Table(slots=64)
    decisions = [table.decide("a", 3, 30.0, now=100.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[3].retry_after == pytest.approx(10.0)  # one request every 30/3 s
    assert not table.decide("a", 3, 30.0, now=109.0).allowed
    assert table.decide("a", 3, 30.0, now=110.0).allowed
    assert table.decide("b", 3, 30.0, now=110.0).remaining == 2  # another client, its own quota


def test_a_full_table_takes_over_the_slot_that_frees_soonest() -> None:
    table = Table(slots=4)  # fewer slots than clients: nobody is refused for want of a slot
    for index in range(20):
        assert table.decide(f"client-{index}", 2, 10.0, now=float(index)).allowed


def test_the_client_behind_a_trusted_proxy_is_the_forwarded_one() -> None:
    assert client_address("10.0.0.1", "203.0.113.9, 10.0.0.1", ("10.0.0.1",)) == "203.0.113.9"
    assert client_address("198.51.100.7", "203.0.113.9", ("10.0.0.1",)) == "198.51.100.7"  # untrusted peer
    assert client_address("10.0.0.1", None, ("10.0.0.1",)) == "10.0.0.1"


def test_the_settings_are_read_and_checked(tmp_path: Path) -> None:
    from kg.server.config import ConfigError, load_config
    from tests.server_fixtures import write_config

    config_file = write_config(
        tmp_path / "kg.toml",
        {
            "rate_limit": {"requests": 600, "window": 30, "exempt_loopback": False, "trusted_proxies": ["10.0.0.1"]},
            "server": {"header_timeout": 5, "body_timeout": 12.5},
        },
    )
    config = load_config(tmp_path, config_file)
    assert (config.rate_limit, config.rate_window, config.rate_exempt_loopback) == (600, 30.0, False)
    assert config.trusted_proxies == ("10.0.0.1",)
    assert (config.header_timeout, config.body_timeout) == (5.0, 12.5)
    assert load_config(tmp_path, config_file, rate_limit=0).rate_limit == 0  # the flag wins
    with pytest.raises(ConfigError, match="rate_limit.requests"):
        load_config(tmp_path, rate_limit=-1)
    with pytest.raises(ConfigError, match="server.header_timeout"):
        load_config(tmp_path, header_timeout=0)
    with pytest.raises(ConfigError, match="unknown setting rate_limit.burst"):
        load_config(tmp_path, write_config(tmp_path / "bad.toml", {"rate_limit": {"burst": 5}}))


def _two_requests(table: Table) -> None:
    for _ in range(2):
        table.decide("a", 3, 30.0, now=100.0)


def test_forked_processes_count_in_one_table() -> None:
    """What kg serve relies on: the table made before gunicorn forks is the workers' one table."""
    import multiprocessing

    table = Table(slots=64)
    child = multiprocessing.get_context("fork").Process(target=_two_requests, args=(table,))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    third = table.decide("a", 3, 30.0, now=100.0)
    assert third.allowed and third.remaining == 0  # the child's two requests counted here
    assert not table.decide("a", 3, 30.0, now=100.0).allowed


def test_a_lock_left_held_fails_open() -> None:
    """A worker killed inside the critical section must not stop the service: requests are let through."""
    table = Table(slots=64)
    table.lock.acquire()
    decision = table.decide("a", 1, 60.0, now=100.0)
    assert decision.allowed
