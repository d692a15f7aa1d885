"""The per-release result cache: repeated queries skip the query process, a new release is never answered
from the old one's entries, and what must run every time (volatile functions, large results) does.

Through a real server over HTTP (one web worker, so that a repeated request reaches the same cache), plus
the cache's own bounds as plain unit tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.server.cache import ResponseCache, volatile
from tests.server_fixtures import (
    MARKER,
    RunningServer,
    make_release,
    marker_quads,
    scholarly_quads,
    standard_quads,
    start_server,
)

pytest_plugins = ["tests.server_fixtures"]

JSON = {"Accept": "application/sparql-results+json"}
WHICH = f"SELECT ?release WHERE {{ ?s <{MARKER.value}> ?release }}"
TITLES = 'SELECT ?a ?t WHERE { ?a <http://schema.org/headline> ?t FILTER(LANG(?t) = "en") } ORDER BY ?t'
FILLER = "SELECT ?s ?v WHERE { ?s <http://example.org/test/value> ?v } ORDER BY ?v"  # 400 rows, ~40 KB


def _cache_state(response: requests.Response) -> str:
    """ "hit" or "miss", from ``Server-Timing: query;dur=..., cache;desc=hit``."""
    timing = response.headers["Server-Timing"]
    for part in timing.split(","):
        name, _, params = part.strip().partition(";")
        if name == "cache":
            return params.partition("=")[2]
    raise AssertionError(f"no cache entry in Server-Timing: {timing}")


def _get(server: RunningServer, query: str, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.get(server.sparql, params={"query": query}, headers=headers or JSON, timeout=15)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def cached_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One web worker (one cache) over the standard data; results above 16 KiB are not cached."""
    out = tmp_path_factory.mktemp("kg-cache-out")
    make_release(out, "r1", standard_quads("r1"))
    server = start_server(
        out,
        tmp_path_factory.mktemp("kg-cache-server"),
        {"server": {"workers": 1, "threads": 4}, "sparql": {"cache_bytes": 1_000_000, "cache_entry_bytes": 16384}},
    )
    yield server
    server.stop()


def test_a_repeated_query_is_served_from_the_cache(cached_server: RunningServer) -> None:
    first = _get(cached_server, TITLES)
    second = _get(cached_server, TITLES)
    assert _cache_state(first) == "miss" and _cache_state(second) == "hit"
    assert second.content == first.content
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["X-KG-Release"] == "r1"
    # POST with the same query shares the entry: the key is the query, not how it was sent
    posted = requests.post(cached_server.sparql, data={"query": TITLES}, headers=JSON, timeout=15)
    assert _cache_state(posted) == "hit" and posted.content == first.content

    health = requests.get(cached_server.url + "/health", timeout=10).json()
    assert health["cache"]["hits"] >= 2 and health["cache"]["entries"] >= 1

    records = [json.loads(line) for line in cached_server.log().splitlines() if line.startswith("{")]
    states = [r.get("cache") for r in records if r.get("logger") == "kg.access" and r.get("query") == TITLES]
    assert states[:3] == ["miss", "hit", "hit"]


def test_each_media_type_has_its_own_entry(cached_server: RunningServer) -> None:
    query = TITLES + " # formats"
    as_json = _get(cached_server, query)
    as_csv = _get(cached_server, query, {"Accept": "text/csv"})
    assert _cache_state(as_csv) == "miss"
    assert as_csv.headers["Content-Type"].startswith("text/csv") and as_csv.content != as_json.content
    again = _get(cached_server, query, {"Accept": "text/csv"})
    assert _cache_state(again) == "hit" and again.content == as_csv.content
    by_name = [
        requests.get(cached_server.sparql, params={"query": query, "format": "json"}, timeout=15) for _ in range(2)
    ]
    assert [_cache_state(r) for r in by_name] == ["miss", "hit"]
    assert by_name[1].content == by_name[0].content == as_json.content


def test_volatile_queries_run_every_time(cached_server: RunningServer) -> None:
    query = "SELECT (STRUUID() AS ?id) WHERE {}"
    first, second = _get(cached_server, query), _get(cached_server, query)
    assert _cache_state(first) == _cache_state(second) == "miss"
    assert first.json()["results"]["bindings"] != second.json()["results"]["bindings"]


def test_large_results_and_errors_are_not_cached(cached_server: RunningServer) -> None:
    first, second = _get(cached_server, FILLER), _get(cached_server, FILLER)
    assert len(first.content) > 16384
    assert _cache_state(first) == _cache_state(second) == "miss"
    assert second.content == first.content
    for _ in range(2):
        bad = requests.get(cached_server.sparql, params={"query": "SELECT ?x WHERE { ?x"}, timeout=15)
        assert bad.status_code == 400


def test_the_time_limit_still_applies(cached_server: RunningServer) -> None:
    runaway = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/test/value> ?x . "
        "?b <http://example.org/test/value> ?y . ?c <http://example.org/test/value> ?z . "
        "?d <http://example.org/test/value> ?w }"
    )
    for _ in range(2):  # a timeout is not an answer to remember
        started = time.monotonic()
        response = requests.get(cached_server.sparql, params={"query": runaway}, headers=JSON, timeout=30)
        assert response.status_code == 504
        assert time.monotonic() - started < 10


def test_a_new_release_is_not_answered_from_the_old_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    make_release(out, "r1", scholarly_quads() + marker_quads("r1"))
    server = start_server(out, tmp_path / "work", {"server": {"workers": 1, "threads": 4}, "reload": {"interval": 0.2}})
    try:
        first, cached = _get(server, WHICH), _get(server, WHICH)
        assert (_cache_state(first), _cache_state(cached)) == ("miss", "hit")
        assert cached.json()["results"]["bindings"][0]["release"]["value"] == "r1"

        make_release(out, "r2", scholarly_quads() + marker_quads("r2"))
        deadline = time.monotonic() + 15
        answers: list[tuple[str, str, str]] = []
        while time.monotonic() < deadline:
            response = _get(server, WHICH)
            value = response.json()["results"]["bindings"][0]["release"]["value"]
            answers.append((value, response.headers["X-KG-Release"], _cache_state(response)))
            if value == "r2":
                break
            time.sleep(0.05)
        assert answers[-1][0] == "r2", "the new release was never served"
        # the first answer from r2 was computed on r2 (a miss), and labelled with the release that answered
        assert answers[-1] == ("r2", "r2", "miss")
        assert all(value == release for value, release, _ in answers)
        again = _get(server, WHICH)
        assert _cache_state(again) == "hit" and again.json()["results"]["bindings"][0]["release"]["value"] == "r2"
    finally:
        server.stop()


def test_the_cache_can_be_turned_off(sparql_release: Path, tmp_path: Path) -> None:
    server = start_server(sparql_release, tmp_path, {"server": {"workers": 1}, "sparql": {"cache_bytes": 0}})
    try:
        assert [_cache_state(_get(server, TITLES)) for _ in range(2)] == ["miss", "miss"]
    finally:
        server.stop()


# ---- the cache itself --------------------------------------------------------------------------------------


def test_cache_is_bounded_in_bytes_least_recently_used_first_out() -> None:
    cache = ResponseCache(max_bytes=3000, max_entry=2000)
    assert cache.put("a", b"A", 500) and cache.put("b", b"B", 500) and cache.put("c", b"C", 500)
    assert cache.get("a") == b"A"  # "a" is now the most recently used
    assert cache.put("d", b"D", 500)  # 4 x (500 + overhead) > 3000: the least recently used ("b") goes
    assert cache.get("b") is None
    assert [cache.get(key) for key in ("a", "c", "d")] == [b"A", b"C", b"D"]
    assert cache.bytes <= 3000
    assert not cache.put("big", b"X", 2500)  # larger than one entry may be
    assert cache.get("big") is None
    assert cache.put("a", b"A2", 100) and cache.get("a") == b"A2"  # replacing an entry re-counts its size
    stats = cache.stats()
    assert stats["entries"] == len(cache) == 3 and stats["bytes"] == cache.bytes
    assert stats["hits"] >= 5 and stats["misses"] == 2


def test_disabled_cache_stores_nothing() -> None:
    cache = ResponseCache(max_bytes=0, max_entry=1000)
    assert not cache.enabled
    assert not cache.put("a", b"A", 1)
    assert cache.get("a") is None


def test_volatile_functions_are_recognised() -> None:
    assert volatile("SELECT (RAND() AS ?r) {}")
    assert volatile("select (now () as ?t) {}")
    assert volatile("SELECT (STRUUID() AS ?id) {}") and volatile("SELECT (UUID() AS ?id) {}")
    assert volatile("CONSTRUCT { ?s <p> [] } WHERE { BIND(BNODE() AS ?s) }")
    assert not volatile("SELECT ?operand WHERE { ?x <http://example.org/random> ?operand }")
    assert not volatile(TITLES)
