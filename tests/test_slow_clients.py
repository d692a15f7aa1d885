"""Slow clients do not starve the others (issue 18): the server buffers each request before a thread sees it.

A real ``kg serve`` (gunicorn, the buffering worker of :mod:`kg.server.serve`) with short header and body
timeouts. 200 connections send a request line and one header and then wait (a "slowloris"); a normal
request is still answered within 1 s, and the server closes the slow connections once the header timeout
passes (408, then end of stream). The same for bodies that never finish, and a request whose head arrives
in pieces within the timeout is served normally (the buffering must not break honest slow networks).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

SLOW = 200
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def guarded_server(sparql_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        sparql_release,
        tmp_path_factory.mktemp("kg-slow"),
        {"server": {"header_timeout": HEADER_TIMEOUT, "body_timeout": BODY_TIMEOUT}},
    )
    yield server
    server.stop()


def open_slow(url: str, count: int, payload: bytes) -> list[socket.socket]:
    """``count`` connections that each send ``payload`` and then nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(payload)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """True when the server ends the stream (after an optional 408) within ``wait`` seconds."""
    sock.settimeout(wait)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return received == b"" or received.startswith(b"HTTP/1.1 408")


def timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    return response.status_code, time.monotonic() - started


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def test_slow_headers_do_not_starve_others_and_are_closed(guarded_server: RunningServer) -> None:
    slow = open_slow(guarded_server.url, SLOW, b"GET /health HTTP/1.1\r\nHost: slow.example\r\n")
    try:
        time.sleep(0.3)  # every slow connection has been accepted and read
        for _ in range(3):
            status, seconds = timed_get(guarded_server.sparql)
            assert status == 200
            assert seconds < 1.0, f"a normal request took {seconds:.2f} s with {SLOW} slow clients open"
        assert requests.get(guarded_server.url + "/health", timeout=5).status_code == 200
        time.sleep(HEADER_TIMEOUT + 1.5)  # the sweep runs at least once a second
        still_open = [sock for sock in slow if not closed_by_server(sock, 0.05)]
        assert not still_open, f"{len(still_open)} of {SLOW} slow connections are still open after the timeout"
    finally:
        close_all(slow)


def test_slow_bodies_are_closed_after_the_body_timeout(guarded_server: RunningServer) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: slow.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 1000\r\n\r\nquery=ASK"
    )
    slow = open_slow(guarded_server.url, SLOW, head)
    try:
        time.sleep(0.3)
        status, seconds = timed_get(guarded_server.sparql)
        assert status == 200 and seconds < 1.0
        time.sleep(BODY_TIMEOUT + 1.5)
        assert all(closed_by_server(sock, 0.05) for sock in slow)
    finally:
        close_all(slow)


def read_until(sock: socket.socket, marker: bytes, timeout: float = 5.0) -> bytes:
    """What the server sent on ``sock`` up to and including ``marker`` (fails if it closes before)."""
    sock.settimeout(timeout)
    answer = b""
    while marker not in answer:
        chunk = sock.recv(4096)
        assert chunk, f"the connection ended early: {answer!r}"
        answer += chunk
    return answer


def test_a_request_arriving_in_pieces_within_the_timeout_is_served(guarded_server: RunningServer) -> None:
    body = b"query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    parts = [
        b"POST /sparql HTTP/1.1\r\nHost: ",
        b"kg.example\r\nAccept: application/sparql-results+json\r\n",
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n",
        body[:10],
        body[10:],
    ]
    (sock,) = open_slow(guarded_server.url, 1, parts[0])
    try:
        for part in parts[1:]:
            time.sleep(0.2)
            sock.sendall(part)
        answer = read_until(sock, b'"boolean"')
        assert answer.startswith(b"HTTP/1.1 200") and b'"boolean":true' in answer.replace(b" ", b"")
    finally:
        sock.close()


def test_chunked_and_keep_alive_requests_still_work(guarded_server: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"query=ASK%20%7B%20"
        yield b"%3Fs%20%3Fp%20%3Fo%20%7D"

    with requests.Session() as session:
        for _ in range(3):  # one kept-alive connection, re-buffered for each request
            response = session.post(
                guarded_server.sparql,
                data=chunks(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
                timeout=10,
            )
            assert response.status_code == 200 and response.json()["boolean"] is True


def test_a_client_expecting_100_continue_gets_it_once_before_sending_its_body(guarded_server: RunningServer) -> None:
    body = b"query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: kg.example\r\nAccept: application/sparql-results+json\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    (sock,) = open_slow(guarded_server.url, 1, head)
    try:
        sock.settimeout(1.0)  # curl waits 1 s for it; some clients wait longer
        assert sock.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = read_until(sock, b'"boolean"')
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    finally:
        sock.close()
