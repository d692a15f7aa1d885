"""A gunicorn worker that reads each request completely before a thread sees it (slow clients starve no one).

gunicorn's threaded worker hands a connection to a thread as soon as its first bytes arrive; the thread
then blocks reading the rest of the head and the body. Forty clients that send a request line and one
header and then wait held every thread of ``kg serve`` (2 workers x 8 threads) and a ``/health`` timed out.

:class:`BufferingWorker` keeps each connection on the worker's event loop (the selector gunicorn already
runs for kept-alive connections) until the head is complete and the body announced by ``Content-Length``
(or a complete chunked body) has arrived, reading without blocking; only then does it give the buffered
bytes to gunicorn's parser and the connection to a thread. A connection whose head is not complete
``header_timeout`` seconds after it was opened (a kept-alive one: after the first byte of its next
request), or whose body is not complete ``body_timeout`` seconds after its head, is answered ``408`` and
closed. Waiting costs a few kilobytes and a file descriptor, not a thread; gunicorn's ``worker_connections``
bounds the number of connections per worker. A request that then waited over a second for a thread is
skipped when its client has closed the connection meanwhile (an overloaded server does not work for
clients that left).

Requests larger than the application accepts (``max_body``) are dispatched at once: the application
refuses them with 413 without reading them. ``Expect: 100-continue`` is answered here, since the body is
read here. TLS and HTTP/2 prior knowledge are left to gunicorn's own path (kg serve uses neither; a
production front end terminates TLS, see the README).
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from gunicorn.http.parser import RequestParser
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

# the largest head we wait for; gunicorn's own limits (request line 8190 bytes, 100 fields of 8190 bytes)
# refuse anything this long with a clear 4xx once it is dispatched
MAX_HEAD = 64 * 1024
RECV = 64 * 1024
# a request that waited this long for a thread is dropped if its client has closed the connection meanwhile
ABANDONED_AFTER = 1.0
TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 58\r\n\r\n"
    b"The request was not received completely within the limit.\n"
)


@dataclass(eq=False)
class _Pending:
    """A connection whose request is being read: the bytes so far and when it must be complete."""

    conn: TConn
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    head_done: bool = False
    continued: bool = False  # "100 Continue" sent: the client waits for it before sending its body
    registered: bool = False  # waiting on the event loop


def head_end(data: bytes | bytearray) -> int:
    """The offset just past the blank line ending the head, or -1 while it has not arrived."""
    end = data.find(b"\r\n\r\n")
    if end >= 0:
        return end + 4
    end = data.find(b"\n\n")  # bare LF line ends: gunicorn refuses them, so do not wait for more
    return end + 2 if end >= 0 else -1


def framing(head: bytes | bytearray) -> tuple[int | None, bool, bool]:
    """(Content-Length or None, chunked?, expects 100-continue?) of a request head; malformed values are
    left to gunicorn's parser."""
    length: int | None = None
    chunked = expect = False
    lines = bytes(head).split(b"\r\n")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = None
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"expect" and value.strip().lower() == b"100-continue":
            expect = not lines[0].endswith(b"HTTP/1.0")  # an HTTP/1.0 expectation is ignored (RFC 9110 10.1.1)
    return length, chunked, expect


def without_expect(data: bytes | bytearray, end: int) -> bytes:
    """The request with its ``Expect: 100-continue`` header removed (it has been answered already)."""
    lines = bytes(data[:end]).split(b"\r\n")
    kept = [line for line in lines if line.partition(b":")[0].strip().lower() != b"expect"]
    return b"\r\n".join(kept) + bytes(data[end:])


def chunked_complete(body: bytes | bytearray) -> bool | None:
    """True when ``body`` holds a whole chunked body (last chunk and trailers), False when more is due,
    None when it is malformed (dispatch it: gunicorn's parser answers 400)."""
    position = 0
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            return False if len(body) - position < 1024 else None
        size_text = bytes(body[position:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return None
        position = line_end + 2
        if size == 0:
            # trailers (usually none) end with an empty line
            while True:
                line_end = body.find(b"\r\n", position)
                if line_end < 0:
                    return False
                if line_end == position:
                    return True
                position = line_end + 2
        position += size + 2
        if position > len(body):
            return False


def _peer_closed(sock: socket.socket) -> bool:
    """True when the client closed its side (the peek sees end of stream) or reset the connection."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


class BufferingWorker(ThreadWorker):
    """gunicorn's threaded worker with requests read on the event loop, under header and body timeouts.

    Settings come from the application object (``self.app.kg_config``, :class:`kg.server.config.Config`):
    ``header_timeout``, ``body_timeout`` and ``max_body`` (the largest body the application reads).
    """

    def init_process(self) -> None:
        config = self.app.kg_config  # type: ignore[attr-defined]  # kg.server.serve._Gunicorn sets it
        self.header_timeout = float(config.header_timeout)
        self.body_timeout = float(config.body_timeout)
        self.max_body = int(config.max_query_length) * 3 + 64 * 1024  # as create_app's MAX_CONTENT_LENGTH
        self.reading: dict[TConn, _Pending] = {}
        self.queued_at: dict[TConn, float] = {}  # written by the event loop, popped by the thread that handles it
        self.buffering = not self.cfg.is_ssl
        super().init_process()

    # ---- entry points: a new connection, a kept-alive one that became readable -------------------------

    def accept(self, listener: Any) -> None:
        if not self.buffering:
            super().accept(listener)
        else:
            try:
                client_sock, client_addr = listener.accept()
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                    raise
                return
            self.nr_conns += 1
            conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
            if negotiation.prior_knowledge_allowed(self.cfg, conn.client):
                client_sock.setblocking(True)
                self.enqueue_req(conn)  # HTTP/2 prior knowledge: gunicorn's own path
            else:
                self._start_reading(conn)
        # the worker already running wins every accept() of a burst; yielding lets a woken sibling take the next
        os.sched_yield()

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        if not self.buffering or conn.is_http2:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)

    def handle(self, conn: TConn) -> Any:
        """gunicorn's handling, unless the client has gone while its request waited for a thread.

        Under overload, requests wait in the thread pool's queue; a client that gave up (closed its
        connection) would still cost a whole page or query. A request that waited more than
        ``ABANDONED_AFTER`` seconds is checked with one non-blocking peek (end of stream: gone). Shorter waits
        are not checked, so a client that half-closes after sending (HTTP/1.0 style) is answered normally
        unless the server is overloaded."""
        queued_at = self.queued_at.pop(conn, None)
        if queued_at is not None and time.monotonic() - queued_at > ABANDONED_AFTER and _peer_closed(conn.sock):
            return False
        return super().handle(conn)

    # ---- reading ---------------------------------------------------------------------------------------

    def _start_reading(self, conn: TConn) -> None:
        """Read what is there already (a kept-alive connection is readable, and a request usually arrives in
        one segment: then it goes to a thread at once, without another turn of the event loop); wait on the
        event loop for the rest."""
        pending = _Pending(conn, time.monotonic() + self.header_timeout)
        self.reading[conn] = pending
        if not self._read(pending):
            pending.registered = True
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, pending))

    def _on_readable(self, pending: _Pending, client: Any) -> None:
        self._read(pending)

    def _read(self, pending: _Pending) -> bool:
        """Read what has arrived; True when the connection has left the reading stage (dispatched or dropped)."""
        try:
            chunk = pending.conn.sock.recv(RECV)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            chunk = b""
        if not chunk:  # the client went away before finishing its request
            self._drop(pending)
            return True
        pending.data += chunk
        if self._complete(pending):
            self._dispatch(pending)
            return True
        return False

    def _complete(self, pending: _Pending) -> bool:
        """Whether the request is all here (or cannot become valid by waiting: gunicorn then refuses it)."""
        end = head_end(pending.data)
        if end < 0:
            return len(pending.data) > MAX_HEAD
        if not pending.head_done:
            pending.head_done = True
            pending.deadline = time.monotonic() + self.body_timeout
        length, chunked, expect = framing(pending.data[:end])
        if chunked:
            done = chunked_complete(pending.data[end:])
            complete = done is None or done or len(pending.data) - end > self.max_body
        elif length is None or length > self.max_body:
            return True
        else:
            complete = len(pending.data) - end >= length
        if not complete and expect and not pending.continued:
            # the client waits for this before it sends the body; the head then loses its Expect header, so
            # that gunicorn does not send a second one
            pending.continued = True
            try:
                pending.conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                return True
        return complete

    def _dispatch(self, pending: _Pending) -> None:
        """Hand the buffered request to gunicorn's parser and the connection to a thread."""
        conn = pending.conn
        del self.reading[conn]
        if pending.registered:
            self.poller.unregister(conn.sock)
        conn.sock.setblocking(True)
        if conn.parser is None:
            conn.parser = RequestParser(self.cfg, conn.sock, conn.client)  # HTTP/1.x, as gunicorn makes it
        parser = cast(RequestParser, conn.parser)  # never HTTP/2 here: on_client_socket_readable leaves it to gunicorn
        data = bytes(pending.data)
        parser.unreader.unread(without_expect(data, head_end(data)) if pending.continued else data)
        conn.data_ready = True
        self.queued_at[conn] = time.monotonic()
        self.enqueue_req(conn)

    def _drop(self, pending: _Pending, answer: bytes = b"") -> None:
        conn = pending.conn
        self.reading.pop(conn, None)
        if pending.registered:
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass
        if answer:
            try:
                conn.sock.send(answer)  # non-blocking, best effort: a slow client may not read it
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """gunicorn's sweep (run at least once a second), plus the requests past their deadline.

        A stopping worker (graceful restart) still finishes reading requests already arriving, on kept-alive
        connections above all: it answers them (with ``Connection: close``) instead of resetting them; the
        timeouts and gunicorn's graceful timeout bound the wait."""
        super().murder_pending()
        now = time.monotonic()
        for pending in [p for p in self.reading.values() if p.deadline <= now]:
            self._drop(pending, TIMEOUT_ANSWER)
