"""The store behind the server, behind one small interface.

Routes talk to a :class:`Backend` only: run a SPARQL query into a serialized result, describe a resource,
list the named graphs, find a dump file, tell which release is served. :class:`LocalBackend` serves the
release that ``kg build`` published (pyoxigraph on disk, queries in killable processes, new releases picked
up without a failed request); a later remote backend (a SPARQL 1.1 store over HTTP) implements the same
methods.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pyoxigraph import Triple

from server.config import Config
from server.query_workers import Reply, Unavailable, WorkerPool
from server.releases import Release, current_target, load_release

log = logging.getLogger("kg.server.backend")


@dataclass(frozen=True)
class QueryRequest:
    """One SPARQL query as the protocol layer understood it.

    ``media`` maps each kind of result ("solutions", "boolean", "graph") to the negotiated media type, or
    None when the client accepts no format for that kind (406).
    """

    query: str
    media: dict[str, str | None]
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    has_from: bool = False
    base_iri: str | None = None
    prefixes: dict[str, str] | None = None


class Backend(Protocol):
    """What the routes need from a store."""

    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply: ...

    def describe(self, iri: str, graph: str | None = None) -> list[Triple]: ...

    def graphs(self) -> list[str]: ...

    def dump_path(self, name: str) -> Path | None: ...

    def release(self) -> Release | None: ...

    def status(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class _Retired(Exception):
    pass


class LocalBackend:
    """The published release on local disk, followed as ``DIR/current`` moves."""

    def __init__(self, config: Config, *, watch: bool = True) -> None:
        self.config = config
        self._active: tuple[Release, WorkerPool] | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._swap = threading.Lock()
        self._failed: dict[Path, float] = {}
        self.last_error: str | None = None
        self.loaded_at: float | None = None
        self._thread: threading.Thread | None = None
        if watch:
            self._thread = threading.Thread(target=self._watch, name="kg-release-watcher", daemon=True)
            self._thread.start()

    # releases ---------------------------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the watcher must survive anything; the error is in the log and /health
                log.exception("release check failed")
            self._stop.wait(self.config.reload_interval)

    def check(self) -> bool:
        """Switch to the release ``current`` points at, if it changed and opens; True when switched.

        A release that fails to open is remembered and retried only after a minute, so a broken build is
        logged once instead of on every check, and the served data stays as it was.
        """
        target = current_target(self.config.out_dir)
        active = self._active
        if target is None or (active is not None and active[0].path == target):
            return False
        failed_at = self._failed.get(target)
        if failed_at is not None and time.monotonic() - failed_at < 60:
            return False
        with self._swap:
            try:
                release = load_release(target)
                pool = WorkerPool(
                    release.store,
                    self.config.query_processes,
                    spool_threshold=self.config.spool_threshold,
                    max_result_bytes=self.config.max_result_bytes,
                    max_result_rows=self.config.max_result_rows,
                )
                pool.start()
            except Exception as error:  # a broken release must never take the served one down
                self._failed[target] = time.monotonic()
                self.last_error = f"release {target.name} not served: {error}"
                log.error("%s", self.last_error)
                return False
            old, self._active = self._active, (release, pool)
            self.loaded_at = time.time()
            self.last_error = None
            self._ready.set()
        log.info("serving release %s from %s", release.id, release.path)
        if old is not None:
            old[1].close()
        return True

    def _pool(self) -> tuple[Release, WorkerPool]:
        active = self._active
        if active is None:
            if not self._ready.wait(self.config.queue_timeout) or self._active is None:
                raise Unavailable(self.last_error or "no release has been published yet")
            active = self._active
        return active

    def _run(self, request: dict[str, Any], timeout: float) -> Reply:
        for _ in range(3):  # a pool retired by a release switch sends us to the new one
            _, pool = self._pool()
            try:
                return pool.run(request, timeout, self.config.queue_timeout, retired=_Retired)
            except _Retired:
                continue
        raise Unavailable("the store is being switched to a new release; try again")

    # the interface ----------------------------------------------------------------------------------------
    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply:
        """Run a query; ``timeout`` may shorten (never extend) the configured limit."""
        limit = self.config.query_timeout if timeout is None else min(timeout, self.config.query_timeout)
        return self._run(
            {
                "op": "query",
                "query": request.query,
                "media": request.media,
                "default_graphs": request.default_graphs,
                "named_graphs": request.named_graphs,
                "has_from": request.has_from,
                "base_iri": request.base_iri,
                "prefixes": request.prefixes,
            },
            limit,
        )

    def describe(self, iri: str, graph: str | None = None) -> list[Triple]:
        return self._run({"op": "describe", "iri": iri, "graph": graph}, self.config.query_timeout).value

    def graphs(self) -> list[str]:
        return self._run({"op": "graphs"}, self.config.query_timeout).value

    def dump_path(self, name: str) -> Path | None:
        release = self.release()
        if release is None or not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = release.dumps / name
        return path if path.is_file() else None

    def release(self) -> Release | None:
        active = self._active
        return active[0] if active else None

    def default_graph_is_union(self) -> bool:
        active = self._active
        return not (active and active[1].info.get("default_graph_stored"))

    def status(self) -> dict[str, Any]:
        active = self._active
        status: dict[str, Any] = {"status": "ok" if active else "unavailable"}
        if active:
            release, pool = active
            status.update(release=release.id, since=self.loaded_at, query_processes=pool.size, idle=pool.idle)
        if self.last_error:
            status["last_error"] = self.last_error
        return status

    def close(self) -> None:
        self._stop.set()
        active, self._active = self._active, None
        if active:
            active[1].terminate()
