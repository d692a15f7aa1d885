"""Safe by default: a runaway query is really stopped, others keep being answered, nothing writes, and
nothing reaches another address unless the operator allowed it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef

from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { ?s ?p ?o } }"
TIME_LIMIT = 2.0  # the fixture server's sparql.timeout


def _ask(server: RunningServer, query: str) -> tuple[int, bool | None, float]:
    started = time.monotonic()
    response = requests.get(
        server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    elapsed = time.monotonic() - started
    value = response.json()["boolean"] if response.status_code == 200 else None
    return response.status_code, value, elapsed


def _query_processes(out_dir: Path) -> list[int]:
    """PIDs of the query processes serving releases under out_dir (from /proc, no extra tools)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kg.server.query_workers" in cmdline and any(str(out_dir).encode() in part for part in cmdline):
            pids.append(int(entry.name))
    return pids


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_runaway_query_is_stopped_while_others_are_answered(sparql_server) -> None:
    deadline = time.monotonic() + 10  # the pool at full strength first: the runaway runs in one of these
    while time.monotonic() < deadline and len(_query_processes(sparql_server.out_dir)) != 4:
        time.sleep(0.1)
    ready = set(_query_processes(sparql_server.out_dir))
    assert len(ready) == 4  # 2 web workers x 2 query processes
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        runaway = pool.submit(requests.get, sparql_server.sparql, params={"query": RUNAWAY}, timeout=30)
        time.sleep(0.3)
        answers = []
        while not runaway.done():
            answers.append(_ask(sparql_server, SIMPLE))
        response = runaway.result()
        took = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert "time limit" in response.text
    assert took < TIME_LIMIT + 2.0
    assert len(answers) >= 3, "the second client was answered while the runaway ran"
    assert all(status == 200 and value is True for status, value, _ in answers)
    assert max(elapsed for _, _, elapsed in answers) < 1.0

    # really stopped: once the pool is back to full strength, no query process is burning CPU
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_query_processes(sparql_server.out_dir)) != 4:
        time.sleep(0.1)
    pids = _query_processes(sparql_server.out_dir)
    assert len(pids) == 4 and len(ready - set(pids)) == 1  # the one that ran the runaway killed and replaced
    # the others ran nothing since: none of them burns CPU (the replacement's own start-up, which takes CPU
    # on a loaded machine, is not the runaway's and is not counted)
    survivors = ready & set(pids)
    before = {pid: _cpu_ticks(pid) for pid in survivors}
    time.sleep(1.0)
    busy = [pid for pid in survivors if _cpu_ticks(pid) - before[pid] > 20]  # > 0.2 s of CPU in 1 s
    assert not busy, f"query processes still computing: {busy}"


# ---- nothing reaches the network ------------------------------------------------------------------------------


class Listener:
    """A TCP port that records every connection; the proof that no request reached it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(65536))
            except OSError:
                self.connections.append(b"")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def test_update_load_and_service_are_refused_without_network(sparql_server, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/"
    marker = "<http://example.org/test/inserted> <http://example.org/test/p> <http://example.org/test/o>"
    refused = [
        # SPARQL Update, all three ways of sending it, and as a "query"
        (
            "POST",
            {"data": f"INSERT DATA {{ {marker} }}".encode(), "headers": {"Content-Type": "application/sparql-update"}},
        ),
        ("POST", {"data": {"update": f"INSERT DATA {{ {marker} }}"}}),
        ("GET", {"params": {"update": f"INSERT DATA {{ {marker} }}"}}),
        ("GET", {"params": {"query": f"INSERT DATA {{ {marker} }}"}}),
        # LOAD from the listener
        ("POST", {"data": {"update": f"LOAD <{target}data.ttl>"}}),
        (
            "POST",
            {
                "data": f"LOAD <{target}data.ttl> INTO GRAPH <http://example.org/g>".encode(),
                "headers": {"Content-Type": "application/sparql-update"},
            },
        ),
        ("GET", {"params": {"query": f"LOAD <{target}data.ttl>"}}),
        # SERVICE in every spelling the scanner must see through
        ("GET", {"params": {"query": f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"}}),
        ("POST", {"data": {"query": f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}"}}),
        (
            "POST",
            {
                "data": f"PREFIX t: <{target}> SELECT * {{ SERVICE t: {{ ?s ?p ?o }} }}".encode(),
                "headers": {"Content-Type": "application/sparql-query"},
            },
        ),
        ("GET", {"params": {"query": f"SELECT * {{ SERVICE#comment\n<{target}> {{ ?s ?p ?o }} }}"}}),
        ("GET", {"params": {"query": f"BASE <{target}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"}}),
        ("GET", {"params": {"query": f"SELECT * {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"}}),
        ("GET", {"params": {"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}> {{ ?s ?p ?o }} }}"}}),
    ]
    for method, kwargs in refused:
        response = requests.request(method, sparql_server.sparql, timeout=10, **kwargs)
        assert response.status_code == 403, (kwargs, response.status_code, response.text)
        assert response.text.strip()
    # Graph Store Protocol writes
    for method in ("PUT", "POST", "DELETE"):
        response = requests.request(
            method,
            sparql_server.url + "/sparql?graph=http://example.org/g",
            data=marker.encode() + b" .",
            headers={"Content-Type": "text/turtle"},
            timeout=10,
        )
        assert 400 <= response.status_code < 500
    # "service" as data, not as a keyword, is fine
    status, value, _ = _ask(sparql_server, f'ASK {{ FILTER("SERVICE <{target}>" != "") }} # SERVICE <{target}>')
    assert (status, value) == (200, True)

    time.sleep(0.5)
    assert listener.connections == [], "a refused request reached the network"
    status, value, _ = _ask(sparql_server, f"ASK {{ {marker} }}")
    assert (status, value) == (200, False), "nothing was written"


# ---- an allowed endpoint is reachable ---------------------------------------------------------------------------


class _FakeEndpoint(BaseHTTPRequestHandler):
    """Answers any SPARQL request with one binding: the proof that an allowed SERVICE call happened."""

    calls: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        self.calls.append(self.rfile.read(length).decode("utf-8", "replace"))
        body = json.dumps(
            {
                "head": {"vars": ["x"]},
                "results": {"bindings": [{"x": {"type": "literal", "value": "from the allowed endpoint"}}]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def test_allowed_service_endpoint(sparql_release: Path, tmp_path: Path, listener: Listener) -> None:
    endpoint = ThreadingHTTPServer(("127.0.0.1", 0), _FakeEndpoint)
    thread = threading.Thread(target=endpoint.serve_forever, daemon=True)
    thread.start()
    allowed = f"http://127.0.0.1:{endpoint.server_address[1]}/sparql"
    server = start_server(
        sparql_release, tmp_path, {"server": {"workers": 1}, "sparql": {"allow_service": [allowed], "timeout": 10.0}}
    )
    try:
        response = requests.get(
            server.sparql,
            params={"query": f"SELECT ?x {{ SERVICE <{allowed}> {{ ?x ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert [b["x"]["value"] for b in response.json()["results"]["bindings"]] == ["from the allowed endpoint"]
        assert _FakeEndpoint.calls, "the allowed endpoint was called"
        other = f"http://127.0.0.1:{listener.port}/sparql"
        response = requests.get(
            server.sparql, params={"query": f"SELECT * {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"}, timeout=10
        )
        assert response.status_code == 403
        description = Graph().parse(data=requests.get(server.sparql, timeout=10).content, format="turtle")
        sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
        assert (URIRef(server.sparql), sd.feature, sd.BasicFederatedQuery) in description
        assert (
            URIRef(server.sparql),
            URIRef("https://w3id.org/kg/ns#allowedServiceEndpoint"),
            URIRef(allowed),
        ) in description
    finally:
        server.stop()
        endpoint.shutdown()
    assert listener.connections == []


def test_query_processes_end_with_the_server(sparql_release: Path, tmp_path: Path) -> None:
    server = start_server(sparql_release, tmp_path, {"server": {"workers": 1}})
    workers = [pid for pid in _query_processes(sparql_release) if os.getsid(pid) == os.getsid(server.process.pid)]
    assert len(workers) == 2
    server.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
