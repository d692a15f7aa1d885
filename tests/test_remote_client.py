"""A store that misbehaves never reaches a client as a 200: the remote client against a real HTTP server
that answers the way stores do when things go wrong (Virtuoso's 200 HTML error pages, hangs, cut bodies).

Each answer is produced by a small HTTP server in this module; the query goes through
:func:`kg.server.remote_client.run_query` (what ``kg serve --store`` runs), and through a front end for the
statuses a client sees.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus

import pytest
import requests

from kg.server.contract import BadGateway, QueryError, QueryRequest, QueryTimeout
from kg.server.remote_client import Limits, StoreDown, run_query, session
from tests.server_fixtures import free_port, start_server

SRJ = "application/sparql-results+json"
GOOD = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'
ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "good": (200, SRJ, GOOD),
    "marker": (
        200,
        SRJ,
        b'{"head":{"vars":["run","time"]},"results":{"bindings":[{"run":{"type":"uri","value":'
        b'"https://kg.example.org/id/run/r1"},"time":{"type":"literal","value":"2026-01-01T00:00:00Z"}}]}}',
    ),
    "html": (200, "text/html", b"<html><body><h1>Internal error</h1>Something broke</body></html>"),
    "virtuoso-syntax": (
        200,
        "text/html",
        b"<html>Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at 'WHERE'</html>",
    ),
    "virtuoso-timeout": (500, "text/plain", b"Virtuoso S1T00 Error SR171: Transaction timed out"),
    "refused": (400, "text/plain", b"Parse error: unexpected end of query"),
    "broken-json": (200, SRJ, b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":'),
    "unavailable": (503, "text/plain", b"store restarting"),
}


class Misbehaving(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.path.strip("/")
        if mode == "route":  # the release marker answers; queries naming <urn:MODE> get that answer
            text = unquote_plus(form.decode("utf-8"))
            mode = "marker" if "prov#Activity" in text else "hang" if "urn:hang" in text else "html"
        if mode == "hang":
            time.sleep(8)
            return
        if mode == "trickle":  # a byte every 0.3 s: each read is quick, the whole answer is not
            self.send_response(200)
            self.send_header("Content-Type", SRJ)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            for byte in GOOD:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
            return
        if mode == "cut":  # promises more than it sends, then closes
            self.send_response(200)
            self.send_header("Content-Type", SRJ)
            self.send_header("Content-Length", str(len(GOOD) + 100))
            self.end_headers()
            self.wfile.write(GOOD[:20])
            self.wfile.flush()
            self.close_connection = True
            return
        status, media_type, body = ANSWERS[mode]
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def store() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def ask(url: str, timeout: float = 1.5) -> object:
    limits = Limits(1000, 1_000_000, 100_000, tempfile.gettempdir(), connect_timeout=0.5)
    request = QueryRequest(
        query="SELECT ?x WHERE { ?x ?p ?o }", media={"solutions": SRJ, "boolean": SRJ, "graph": None}
    )
    return run_query(session(2), url, request, timeout, limits, "test-")


@pytest.mark.parametrize(
    ("mode", "error", "status"),
    [
        ("html", BadGateway, 502),
        ("virtuoso-syntax", QueryError, 400),
        ("virtuoso-timeout", QueryTimeout, 504),
        ("refused", QueryError, 400),
        ("broken-json", BadGateway, 502),
        ("unavailable", StoreDown, 503),
        ("cut", BadGateway, 502),
    ],
)
def test_odd_answers_become_errors_with_their_status(store: str, mode: str, error: type, status: int) -> None:
    with pytest.raises(error) as raised:
        ask(f"{store}/{mode}")
    assert raised.value.status == status


@pytest.mark.parametrize("mode", ["hang", "trickle"])
def test_a_store_that_hangs_or_trickles_is_cut_off_at_the_time_limit(store: str, mode: str) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        ask(f"{store}/{mode}", timeout=1.5)
    assert time.monotonic() - started < 1.5 + 0.7


def test_a_store_that_is_not_there_is_unavailable_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(StoreDown):
        ask(f"http://127.0.0.1:{free_port()}/sparql")
    assert time.monotonic() - started < 1.0


def test_a_good_answer_is_rewritten_in_the_negotiated_format(store: str) -> None:
    reply = ask(f"{store}/good")
    assert reply.body == GOOD.replace(b'"results"', b'"results"')  # kg's own JSON writer, same bytes here
    assert reply.rows == 1


def test_the_front_end_answers_504_for_a_hanging_store_and_502_for_an_html_page(
    store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = {"store": {"url": store + "/route", "connect_timeout": 0.5}, "sparql": {"timeout": 1.5}}
    server = start_server(tmp_path_factory.mktemp("nothing"), tmp_path_factory.mktemp("front"), settings)
    try:
        for query, status in (("ASK { <urn:hang> ?p ?o }", 504), ("ASK { <urn:html> ?p ?o }", 502)):
            started = time.monotonic()
            answer = requests.get(server.sparql, params={"query": query}, timeout=30)
            assert answer.status_code == status, answer.text
            assert time.monotonic() - started < 1.5 + 1.0
        assert requests.get(server.url + "/health", timeout=5).status_code == 200  # the store itself is up
    finally:
        server.stop()
