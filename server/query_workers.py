"""Killable query processes: pyoxigraph's query() cannot be cancelled, a process can.

Each web worker owns a small :class:`WorkerPool` of query processes, each with the release's store opened
read-only once (the store is opened per process, as pyoxigraph is meant to be used). A request borrows an
idle process, sends it the query over a socket pair, and waits at most the time limit; when the limit
passes, the process is killed (SIGKILL: the only thing that stops a running pyoxigraph query), its spool
files are removed and a fresh process replaces it in the background, so the next request finds a warm one.

The child side (:func:`child_main`) is started as ``python -m kg.server.query_workers FD STORE SPOOL MEMORY``
rather than through multiprocessing, so that it does not depend on how the parent was started (gunicorn,
the kg CLI, pytest) and never inherits the web worker's threads or sockets.

Each process runs under a memory ceiling (``sparql.max_query_memory``, see :mod:`kg.server.memory`), set by the
kernel before the store is opened. A query that needs more makes its process abort (Rust and C++ abort when
an allocation fails: SIGABRT) or raise MemoryError (Python); either way the request is answered 503 with a
message saying so (:class:`~kg.server.contract.QueryMemoryExceeded`) and the process is replaced, exactly like a
killed one. Since the ceilings keep the server within the machine's memory, nothing is pushed out to swap
and the timer that kills a slow query is not delayed by memory pressure.

The pool implements the query side of :mod:`kg.server.contract` and imports its types from there; the child's
work is :func:`kg.server.execute.run`, which imports nothing from this module.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.server.contract import QueryError, QueryMemoryExceeded, QueryTimeout, Reply, Unavailable, memory_message
from kg.server.memory import apply_ceiling

# How a query process tells the pool that it ran out of memory when it could not send a message saying so.
EXIT_MEMORY = 75

log = logging.getLogger("kg.server.workers")


# ---- parent side -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    pid: int = field(init=False)

    def __post_init__(self) -> None:
        self.pid = self.process.pid


class WorkerPool:
    """Query processes over one store; ``run`` is thread-safe and bounded in time."""

    def __init__(
        self,
        store_path: Path,
        size: int,
        *,
        spool_threshold: int,
        max_result_bytes: int,
        max_result_rows: int,
        start_timeout: float = 60.0,
        use_union: bool | None = None,
        max_memory: int = 0,
    ) -> None:
        self.store_path = Path(store_path)
        self.size = size
        self.max_memory = max_memory  # bytes of private memory per process (kg.server.memory); 0: no ceiling
        self.settings = {
            "spool_threshold": spool_threshold,
            "max_result_bytes": max_result_bytes,
            "max_result_rows": max_result_rows,
        }
        self.start_timeout = start_timeout
        self.spool_dir = tempfile.mkdtemp(prefix="kg-spool-")
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.info: dict[str, Any] = {}

    # lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start every process and wait until each has opened the store; raises QueryError when one cannot."""
        starting: list[_Worker] = []
        try:
            for _ in range(self.size):
                starting.append(self._spawn())
            for worker in starting:
                self._await_ready(worker)
        except BaseException:
            for worker in starting:
                self._kill(worker)
            shutil.rmtree(self.spool_dir, ignore_errors=True)
            raise
        for worker in starting:
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.server.query_workers",
                str(child_sock.fileno()),
                str(self.store_path),
                self.spool_dir,
                str(self.max_memory),
            ],
            pass_fds=[child_sock.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child_sock.close()
        worker = _Worker(process, Connection(parent_sock.detach()))
        with self._lock:
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self.start_timeout):
            raise QueryError(f"query process did not start within {self.start_timeout} s", 503)
        try:
            message = worker.conn.recv()
        except (EOFError, OSError) as error:
            if self._out_of_memory(worker):
                raise QueryError(
                    f"query process ran out of memory while opening {self.store_path}: sparql.max_query_memory "
                    f"({self.max_memory} bytes) is too small for this store",
                    503,
                ) from error
            raise QueryError(f"query process exited while opening {self.store_path}", 503) from error
        if message[0] != "ready":
            raise QueryError(f"cannot open the store {self.store_path}: {message[1]}", 503)
        self.info = message[1]

    def _replace(self) -> None:
        """Start a replacement process in the background (after a kill), so no request waits for it."""

        def start_one() -> None:
            if self._closed:
                return
            worker = self._spawn()
            try:
                self._await_ready(worker)
            except QueryError as error:
                log.error("replacement query process failed: %s", error)
                self._kill(worker)
                return
            self._release(worker)

        threading.Thread(target=start_one, name="kg-query-respawn", daemon=True).start()

    def _out_of_memory(self, worker: _Worker) -> bool:
        """Whether a process whose connection broke died of its memory ceiling (it is reaped to know).

        Under a ceiling, an allocation that fails aborts the process from Rust (pyoxigraph) or C++ (RocksDB):
        SIGABRT. Nothing else in a query process aborts (a Rust panic is raised as an exception), so an abort
        is read as the ceiling. A MemoryError the process could not report ends it with EXIT_MEMORY.
        """
        try:
            code = worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return False
        return code == EXIT_MEMORY or (self.max_memory > 0 and code == -signal.SIGABRT)

    def _memory_exceeded(self, worker: _Worker, elapsed: float) -> QueryMemoryExceeded:
        """Replace a process that hit its memory ceiling; the error to answer its query with."""
        self._kill(worker)
        self._replace()
        log.warning(
            "query process %s hit its memory ceiling of %d bytes after %.1f s (exit status %s); replaced",
            worker.pid,
            self.max_memory,
            elapsed,
            worker.process.returncode,
        )
        return QueryMemoryExceeded(memory_message(self.max_memory, elapsed))

    def _kill(self, worker: _Worker) -> None:
        try:
            worker.process.kill()
        except OSError:
            pass
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("query process %s did not exit after SIGKILL", worker.pid)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)
            last = self._closed and not self._all
        # spool files of a killed process carry its pid in their name
        for leftover in Path(self.spool_dir).glob(f"{worker.pid}-*"):
            leftover.unlink(missing_ok=True)
        if last:  # a retired pool's last process: its spool folder goes too, unless a result still waits in it
            try:
                os.rmdir(self.spool_dir)
            except OSError:
                pass

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            self._kill(worker)
        else:
            self._idle.put(worker)

    def close(self) -> None:
        """Retire the pool: idle processes end now, busy ones when their query returns."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker is not None:
                self._kill(worker)
        self._idle.put(None)  # wakes any request waiting for a process of this pool

    def terminate(self) -> None:
        """End every process now (worker shutdown)."""
        self.close()
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._kill(worker)
        shutil.rmtree(self.spool_dir, ignore_errors=True)

    @property
    def idle(self) -> int:
        return 0 if self._closed else self._idle.qsize()

    # requests -------------------------------------------------------------------------------------------
    def run(
        self, request: dict[str, Any], timeout: float, queue_timeout: float, retired: type[Exception] = Unavailable
    ) -> Reply:
        """Run one operation in a query process; raises QueryError (with its HTTP status) on failure.

        Raises ``retired`` when the pool was closed (a new release replaced it) before a process was free.
        """
        if self._closed:
            raise retired("pool retired")
        try:
            worker = self._idle.get(timeout=queue_timeout)
        except queue.Empty:
            raise Unavailable(f"all {self.size} query processes are busy; try again shortly", 503) from None
        if worker is None:  # the closing sentinel: pass it on to the next waiter
            self._idle.put(None)
            raise retired("pool retired")
        started = time.monotonic()
        request = {**request, **self.settings, "deadline": time.time() + timeout}
        try:
            worker.conn.send(request)
            if not worker.conn.poll(timeout):
                elapsed = time.monotonic() - started
                self._kill(worker)
                self._replace()
                raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s ({elapsed:.1f} s)")
            message = worker.conn.recv()
        except (EOFError, OSError) as error:
            elapsed = time.monotonic() - started
            if self._out_of_memory(worker):
                raise self._memory_exceeded(worker, elapsed) from None
            code = worker.process.returncode
            self._kill(worker)
            self._replace()
            raise Unavailable(
                f"the query process ended unexpectedly ({error or 'connection closed'}, exit status {code})"
            ) from None
        if message[0] == "memory":  # a MemoryError the process reported before exiting
            raise self._memory_exceeded(worker, time.monotonic() - started)
        self._release(worker)
        if message[0] == "error":
            raise QueryError(message[2], message[1])
        return message[1]


# ---- child side --------------------------------------------------------------------------------------------


def _watchdog(state: dict[str, float]) -> None:
    """Exit when the parent is gone, or when a query overruns its deadline (the parent should have killed us)."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)
        deadline = state.get("deadline", 0.0)
        if deadline and time.time() > deadline + 5.0:
            os._exit(3)


def child_main(fd: int, store_path: str, spool_dir: str, max_memory: int = 0) -> None:
    """The query process: set its memory ceiling, open the store, then answer requests until the connection
    closes (or until a MemoryError, reported as such: the pool then replaces the process)."""
    apply_ceiling(max_memory)  # before anything large is allocated, so that the store's memory counts too
    from pyoxigraph import DefaultGraph, Store

    from kg.server import execute

    conn = Connection(fd)
    try:
        store = Store.read_only(store_path)
        # A store whose default graph holds triples was given a materialised merge by the build: serve that.
        # Otherwise the default graph is the union of the named graphs.
        info: dict[str, Any] = {
            "default_graph_stored": next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None)
            is not None
        }
        store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)
        info["store_path"] = store_path  # where kgs:score finds the release's search index (kg.server.execute)
    except Exception as error:  # reported to the parent, which refuses the release
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", info))
    state: dict[str, float] = {}
    threading.Thread(target=_watchdog, args=(state,), daemon=True).start()
    prefix = f"{os.getpid()}-"
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        state["deadline"] = request.get("deadline", 0.0)
        try:
            reply = execute.run(store, request, spool_dir, prefix, info)
            message: tuple[Any, ...] = ("ok", reply)
        except QueryError as error:
            message = ("error", error.status, str(error))
        except MemoryError:  # Python hit the ceiling (Rust and C++ abort instead): the pool replaces us
            message = ("memory",)
        except Exception as error:  # any failure must reach the client as a status
            logging.getLogger("kg.server.query").exception("query failed")
            message = ("error", 500, f"{type(error).__name__}: {error}")
        state["deadline"] = 0.0
        try:
            conn.send(message)
        except MemoryError:
            os._exit(EXIT_MEMORY)
        except (EOFError, OSError):
            return
        if message[0] == "memory":
            return


if __name__ == "__main__":
    # Run through the importable module so that pickled classes and exceptions are the parent's classes.
    from kg.server.query_workers import child_main as _main

    _main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
