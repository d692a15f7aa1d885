"""The local implementation of the store contract (:mod:`kg.server.contract`): the release on this disk.

:class:`LocalBackend` serves the release that ``kg build`` published in ``DIR/current`` (pyoxigraph on disk,
queries in killable processes, new releases picked up without a failed request). It is one implementation of
:class:`~kg.server.contract.Backend` among others (:class:`kg.server.remote.RemoteBackend` serves a SPARQL
1.1 store over HTTP); the per-release result cache key (:func:`cache_key`) is shared by both.

Requests to the query processes are plain dicts built in one place (:meth:`LocalBackend.query`): a new
option of the query call (a custom function's setting, say) is one more key there and one more argument in
:func:`kg.server.execute.run`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pyoxigraph import Triple

from kg.publish.layout import ReleaseLayout
from kg.server.cache import ResponseCache, volatile
from kg.server.config import Config
from kg.server.contract import QueryRequest, Release, Reply, Unavailable
from kg.server.query_workers import WorkerPool
from kg.server.releases import current_target, load_release

log = logging.getLogger("kg.server.backend")


class _Retired(Exception):
    pass


# Federated queries read another endpoint's data, which is not tied to our release: never cached. The raw
# text is searched (a match in a string literal only costs a cache miss).
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass
class _Active:
    """The served release with its query processes and its result cache (all three switch together)."""

    release: Release
    path: Path  # the release folder (resolved: a later swap of ``current`` does not move it)
    pool: WorkerPool
    cache: ResponseCache


def cache_key(request: QueryRequest, prefixes_key: Hashable) -> Hashable:
    """Everything a result depends on besides the release: the text, the dataset, the formats, the base."""
    media = request.media
    # leading and trailing white space never changes a query's meaning
    return (
        request.query.strip(),
        tuple(request.default_graphs),
        tuple(request.named_graphs),
        request.has_from,
        request.base_iri,
        media.get("solutions"),
        media.get("boolean"),
        media.get("graph"),
        prefixes_key,
    )


class LocalBackend:
    """The published release on local disk, followed as ``DIR/current`` moves."""

    def __init__(self, config: Config, *, watch: bool = True) -> None:
        self.config = config
        self._active: _Active | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._swap = threading.Lock()
        self._failed: dict[Path, float] = {}
        self._prefixes: tuple[dict[str, str] | None, Hashable] = (None, None)
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
        logged once instead of on every check, and the served data stays as it was. The new release comes
        with an empty result cache: nothing computed on the old data is served after the switch.
        """
        target = current_target(self.config.out_dir)
        active = self._active
        if target is None or (active is not None and active.path == target):
            return False
        failed_at = self._failed.get(target)
        if failed_at is not None and time.monotonic() - failed_at < 60:
            return False
        with self._swap:
            try:
                release = load_release(target)
                pool = WorkerPool(
                    ReleaseLayout(target).store,
                    self.config.query_processes,
                    spool_threshold=self.config.spool_threshold,
                    max_result_bytes=self.config.max_result_bytes,
                    max_result_rows=self.config.max_result_rows,
                    max_memory=self.config.query_memory,
                )
                pool.start()
            except Exception as error:  # a broken release must never take the served one down
                self._failed[target] = time.monotonic()
                self.last_error = f"release {target.name} not served: {error}"
                log.error("%s", self.last_error)
                return False
            cache = ResponseCache(self.config.cache_bytes, self.config.cache_entry_bytes)
            old, self._active = self._active, _Active(release, target, pool, cache)
            self.loaded_at = time.time()
            self.last_error = None
            self._ready.set()
        log.info("serving release %s from %s", release.id, target)
        if old is not None:
            old.pool.close()
        return True

    def _current(self) -> _Active:
        active = self._active
        if active is None:
            if not self._ready.wait(self.config.queue_timeout) or self._active is None:
                raise Unavailable(self.last_error or "no release has been published yet")
            active = self._active
        return active

    def _run(self, request: dict[str, Any], timeout: float) -> tuple[Reply, _Active]:
        """Run in the current release's processes; also returns that release (the one that answered)."""
        for _ in range(3):  # a pool retired by a release switch sends us to the new one
            active = self._current()
            try:
                return active.pool.run(request, timeout, self.config.queue_timeout, retired=_Retired), active
            except _Retired:
                continue
        raise Unavailable("the store is being switched to a new release; try again")

    def _prefixes_key(self, prefixes: dict[str, str] | None) -> Hashable:
        """A hashable form of the prefix map, remembered for the (constant) map the routes pass."""
        last, key = self._prefixes
        if prefixes is not last:
            key = tuple(sorted(prefixes.items())) if prefixes else None
            self._prefixes = (prefixes, key)
        return key

    # the interface ----------------------------------------------------------------------------------------
    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply:
        """Run a query; ``timeout`` may shorten (never extend) the configured limit.

        A result already computed on the served release comes from its cache (``reply.cached``); a new
        small result is added to the cache of the release that computed it.
        """
        active = self._current()
        key = None
        if (
            request.cacheable
            and active.cache.enabled
            and not volatile(request.query)
            and _SERVICE.search(request.query) is None
        ):
            key = cache_key(request, self._prefixes_key(request.prefixes))
            hit = active.cache.get(key)
            if isinstance(hit, Reply):
                return replace(hit, elapsed=0.0, cached=True)
        limit = self.config.query_timeout if timeout is None else min(timeout, self.config.query_timeout)
        reply, active = self._run(
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
        reply.release = active.release.id
        if key is not None and reply.body is not None:
            active.cache.put(key, reply, len(reply.body) + len(request.query))
        return reply

    def describe(self, iri: str, graph: str | None = None) -> list[Triple]:
        return self._run({"op": "describe", "iri": iri, "graph": graph}, self.config.query_timeout)[0].value

    def graphs(self) -> list[str]:
        return self._run({"op": "graphs"}, self.config.query_timeout)[0].value

    def dump_path(self, name: str) -> Path | None:
        active = self._active
        if active is None or not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = ReleaseLayout(active.path).dumps / name
        return path if path.is_file() else None

    def release(self) -> Release | None:
        active = self._active
        return active.release if active else None

    def default_graph_is_union(self) -> bool:
        active = self._active
        return not (active and active.pool.info.get("default_graph_stored"))

    def status(self) -> dict[str, Any]:
        active = self._active
        status: dict[str, Any] = {"status": "ok" if active else "unavailable"}
        if active:
            status.update(
                release=active.release.id,
                since=self.loaded_at,
                query_processes=active.pool.size,
                max_query_memory=active.pool.max_memory,
                idle=active.pool.idle,
                cache=active.cache.stats(),
            )
        if self.last_error:
            status["last_error"] = self.last_error
        return status

    def close(self) -> None:
        self._stop.set()
        active, self._active = self._active, None
        if active:
            active.pool.terminate()
