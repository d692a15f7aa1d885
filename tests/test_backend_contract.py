"""The store contract is complete: the whole site runs over a backend that implements only
:class:`kg.server.contract.Backend`, written here in a few lines over an in-memory pyoxigraph store.

The application is served in-process (``create_app(config, backend=Fake())``) by a real WSGI server on a free
port, and queried over HTTP: the endpoint, content negotiation, pages, the dataset description and the health
check work without a release folder, a query process or anything of the local or remote implementations.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pyoxigraph import QueryBoolean, QuerySolutions, Store
from werkzeug.serving import make_server

from kg.server.app import create_app
from kg.server.config import Config
from kg.server.contract import Backend, QueryError, QueryRequest, Release, Reply
from kg.server.results import SOLUTION_TYPES, Spool, write_boolean, write_solutions, write_triples
from tests.server_fixtures import BASE, free_port, scholarly_quads

ARTICLE = "/id/journal/2476-6879/article/A-10-968-1"


class Fake:
    """Everything the routes may call, and nothing else."""

    def __init__(self) -> None:
        self.store = Store()
        self.store.extend(scholarly_quads())
        self.spool = tempfile.mkdtemp(prefix="kg-fake-")
        self.calls: list[str] = []
        self.down = False

    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply:
        self.calls.append(request.query)
        if self.down:
            from kg.server.contract import Unavailable

            raise Unavailable("the fake store is down")
        started = time.perf_counter()
        try:
            result = self.store.query(request.query, use_default_graph_as_union=not request.has_from)
        except SyntaxError as error:
            raise QueryError(str(error), 400) from None
        sink = Spool(10_000_000, 1_000_000, self.spool, "fake-")
        if isinstance(result, QuerySolutions):
            media = request.media["solutions"]
            assert media is not None
            rows = write_solutions(result, SOLUTION_TYPES[media], sink, 10_000)
        elif isinstance(result, QueryBoolean):
            media = request.media["boolean"]
            assert media is not None
            write_boolean(bool(result), SOLUTION_TYPES[media], sink)
            rows = 1
        else:
            media = request.media["graph"]
            assert media is not None
            rows = write_triples(result, media, sink, 10_000, request.prefixes)
        body, path = sink.finish()
        return Reply(media, body, path, sink.size, rows, time.perf_counter() - started, release="fake-1")

    def release(self) -> Release | None:
        return Release("fake-1", {"base": BASE, "release": "fake-1", "dumps": []})

    def dump_path(self, name: str) -> Path | None:
        return None

    def default_graph_is_union(self) -> bool:
        return True

    def status(self) -> dict[str, Any]:
        return {"status": "unavailable" if self.down else "ok", "release": "fake-1"}

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Fake]]:
    fake = Fake()
    backend: Backend = fake  # the type checker holds the fake to the protocol
    config = Config(out_dir=tmp_path_factory.mktemp("nothing-here"), access_log=False)
    app = create_app(config, backend=backend)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", fake
    server.shutdown()


def test_the_site_runs_over_a_backend_that_implements_only_the_contract(fake_site: tuple[str, Fake]) -> None:
    url, fake = fake_site
    answer = requests.get(
        url + "/sparql",
        params={"query": "SELECT ?t WHERE { ?a <http://schema.org/headline> ?t } ORDER BY ?t"},
        headers={"Accept": "text/csv"},
        timeout=10,
    )
    assert answer.status_code == 200 and "Big data in health care" in answer.text
    assert answer.headers["X-KG-Release"] == "fake-1"
    thing = requests.get(url + ARTICLE, allow_redirects=False, timeout=10)
    assert thing.status_code == 303
    turtle = requests.get(url + "/doc" + ARTICLE[3:], headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.status_code == 200 and f"<{BASE}{ARTICLE}>" in turtle.text
    page = requests.get(url + "/en/doc" + ARTICLE[3:], timeout=10)
    assert page.status_code == 200 and "Big data in health care" in page.text
    description = requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert description.status_code == 200 and "UnionDefaultGraph" in description.text
    assert requests.get(url + "/health", timeout=10).json()["release"] == "fake-1"
    assert requests.get(url + "/sparql", params={"query": "SELECT * {"}, timeout=10).status_code == 400
    assert fake.calls, "every answer came through the contract's query()"


def test_an_unavailable_backend_answers_503_with_retry_after_on_pages_and_queries(
    fake_site: tuple[str, Fake],
) -> None:
    url, fake = fake_site
    fake.down = True
    try:
        for path in ("/sparql?query=ASK%7B%7D", "/en/doc" + ARTICLE[3:] + "?fresh=1", "/doc" + ARTICLE[3:] + ".nt"):
            answer = requests.get(url + path, timeout=10)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.headers["Retry-After"] and "down" in answer.text
        assert requests.get(url + "/health", timeout=10).status_code == 503
    finally:
        fake.down = False
