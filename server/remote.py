"""The remote implementation of the store contract: a SPARQL 1.1 store over HTTP (``kg serve --store URL``).

Any number of these front ends serve one store that ``kg publish --to`` fills; they hold no data, only a
per-release result cache. Each follows the store's release marker (:mod:`kg.publish.marker`, written last by
every publish): a new release id drops the cache and the examples, statistics and ETags keyed on the id. The
release's facts (``build.json``) and its dumps come from ``store.dumps``, a folder the publisher copies them
to; without it, the marker's id, base and time describe the release.

A query without a dataset reads the store's default graph as it is when ``kg publish --to`` wrote the
release's merged graph there (each triple once, as the embedded store: counts agree, and a label that every
article graph repeats is one solution, not one per graph); otherwise (a store loaded from the N-Quads dump,
a publish without the default graph, Virtuoso, whose default graph is the union of all its graphs) the
union of the named graphs, asked for with ``store.union_param``. ``store.default_graph`` chooses; ``auto``
looks at each new release whether the store's default graph holds triples.

The store is watched, not trusted: when it cannot be reached, every query and page answers 503 with
``Retry-After`` at once (no request waits for a dead store), ``/health`` says why, and the watcher's next
successful check (every ``reload.interval`` seconds) brings the front end back by itself.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests

from kg.publish.marker import MARKER_QUERY, marker_from_solutions
from kg.server.backend import cache_key
from kg.server.cache import ResponseCache, volatile
from kg.server.config import Config
from kg.server.contract import QueryError, QueryRequest, Release, Reply, Unavailable
from kg.server.remote_client import SRJ, Limits, StoreDown, fetch, run_query, session

log = logging.getLogger("kg.server.remote")

_SERVICE_WORD = "SERVICE"


@dataclass
class _Active:
    release: Release
    cache: ResponseCache
    union: bool  # a query without a dataset reads the union of the named graphs (not the store's default graph)


PROBE_QUERY = "ASK { ?s ?p ?o }"  # without the union option: does the store's own default graph hold triples?


def store_auth(config: Config) -> tuple[str, str] | None:
    """Credentials for the store from ``KG_STORE_USER``/``KG_STORE_PASSWORD`` or the file ``store.credentials``
    (one line ``user:password``): never from the command line, never logged."""
    user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
    if user and password is not None:
        return user, password
    if config.store_credentials:
        line = Path(config.store_credentials).read_text(encoding="utf-8").strip().splitlines()[0]
        user, _, password = line.partition(":")
        return user, password
    return None


class RemoteBackend:
    """A SPARQL 1.1 Protocol endpoint behind the contract, followed by its release marker."""

    def __init__(self, config: Config, *, watch: bool = True) -> None:
        if not config.store_url:
            raise ValueError("RemoteBackend needs store.url")
        self.config = config
        self.url = config.store_url
        auth = store_auth(config)
        self.http = session(config.store_connections, requests.auth.HTTPDigestAuth(*auth) if auth else None)
        self.spool_dir = tempfile.mkdtemp(prefix="kg-remote-spool-")
        self.limits = Limits(
            max_result_rows=config.max_result_rows,
            max_result_bytes=config.max_result_bytes,
            spool_threshold=config.spool_threshold,
            spool_dir=self.spool_dir,
            connect_timeout=config.store_connect_timeout,
        )
        self._active: _Active | None = None
        self._down: str | None = None  # why the store cannot be used now (None: it answered the last check)
        self._checked = threading.Event()
        self._stop = threading.Event()
        self._prefixes: tuple[dict[str, str] | None, Hashable] = (None, None)
        self.loaded_at: float | None = None
        self.last_error: str | None = None
        if watch:
            threading.Thread(target=self._watch, name="kg-store-watcher", daemon=True).start()

    # the release marker ----------------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the watcher must survive anything; the error is in the log and /health
                log.exception("store check failed")
            self._stop.wait(self.config.reload_interval)

    def check(self) -> bool:
        """Read the release marker; True when a new release is served from now on (its cache starts empty)."""
        timeout = min(self.config.query_timeout, max(self.config.store_connect_timeout * 2, 2.0))
        try:
            body, media_type, status = fetch(self.http, self.url, {"query": MARKER_QUERY}, SRJ, timeout, self.limits)
            if status != 200 or "json" not in media_type:
                raise StoreDown(f"the store answered {status} {media_type} to the release marker query")
            marker = marker_from_solutions(json.loads(body))
        except (QueryError, ValueError) as error:
            if self._down is None:
                log.error("store %s unusable: %s", self.url, error)
            self._down = str(error)
            self._checked.set()
            return False
        if self._down is not None:
            log.info("store %s answers again", self.url)
        self._down = None
        self._checked.set()
        if marker is None:
            self.last_error = "the store holds no release marker yet (kg publish DIR --to URL writes it)"
            return False
        active = self._active
        if active is not None and active.release.id == marker.release:
            return False
        build = self._build_info(marker.release) or {
            "release": marker.release,
            "base": marker.base,
            "ended": marker.published,
        }
        try:
            union = self._reads_union()
        except StoreDown as error:
            self._down = str(error)
            return False
        cache = ResponseCache(self.config.cache_bytes, self.config.cache_entry_bytes)
        folder = self._release_folder(marker.release)
        release = Release(marker.release, build, folder if folder and folder.is_dir() else None)
        self._active = _Active(release, cache, union)
        self.loaded_at = time.time()
        self.last_error = None
        log.info(
            "serving release %s from the store %s (default graph: %s)",
            marker.release,
            self.url,
            "the union of the named graphs" if union else "the store's",
        )
        return True

    def _reads_union(self) -> bool:
        """Whether queries without a dataset ask for the union of the named graphs (``store.default_graph``).

        ``auto``: the store's own default graph when it holds triples (kg publish wrote the merged graph),
        but never Virtuoso's, which is the union of all its graphs whatever was written.
        """
        mode = self.config.store_default_graph
        if mode != "auto":
            return mode == "union"
        timeout = min(self.config.query_timeout, max(self.config.store_connect_timeout * 2, 2.0))
        try:
            answer = self.http.post(
                self.url,
                data={"query": f"{self.config.store_query_prologue} {PROBE_QUERY}".strip()},
                headers={"Accept": SRJ},
                timeout=(self.config.store_connect_timeout, timeout),
            )
        except requests.RequestException as error:
            raise StoreDown(f"the store did not answer whether its default graph holds triples: {error}") from error
        if answer.headers.get("Server", "").lower().startswith("virtuoso"):
            return True
        try:
            held = answer.json()["boolean"] if answer.status_code == 200 else None
        except (ValueError, KeyError, TypeError):
            held = None
        if not isinstance(held, bool):  # a store that cannot say: the union, as before the merged graph
            log.warning(
                "store %s: no answer to %s (%s): the union default graph", self.url, PROBE_QUERY, answer.status_code
            )
            return True
        return not held

    def _release_folder(self, release_id: str) -> Path | None:
        dumps = self.config.store_dumps
        if dumps is None or not release_id or "/" in release_id or release_id.startswith("."):
            return None
        return Path(dumps) / release_id

    def _build_info(self, release_id: str) -> dict[str, Any] | None:
        folder = self._release_folder(release_id)
        if folder is None:
            return None
        try:
            build = json.loads((folder / "build.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return build if isinstance(build, dict) else None

    def _prefixes_key(self, prefixes: dict[str, str] | None) -> Hashable:
        last, key = self._prefixes
        if prefixes is not last:
            key = tuple(sorted(prefixes.items())) if prefixes else None
            self._prefixes = (prefixes, key)
        return key

    # the contract -----------------------------------------------------------------------------------------
    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply:
        if not self._checked.is_set():
            self._checked.wait(self.config.queue_timeout)
        if self._down is not None:
            raise Unavailable(f"the SPARQL store is unavailable: {self._down}")
        active = self._active
        key = None
        if (
            active is not None
            and request.cacheable
            and active.cache.enabled
            and not volatile(request.query)
            and _SERVICE_WORD not in request.query.upper()
        ):
            key = cache_key(request, self._prefixes_key(request.prefixes))
            hit = active.cache.get(key)
            if isinstance(hit, Reply):
                return replace(hit, elapsed=0.0, cached=True)
        limit = self.config.query_timeout if timeout is None else min(timeout, self.config.query_timeout)
        try:
            reply = run_query(
                self.http,
                self.url,
                request,
                limit,
                self.limits,
                f"{os.getpid()}-",
                self.config.store_union_param if active is None or active.union else "",
                self.config.store_query_prologue,
            )
        except StoreDown as error:
            self._down = str(error)  # until the watcher reaches the store again
            raise
        if active is not None:
            reply.release = active.release.id
            if key is not None and reply.body is not None:
                active.cache.put(key, reply, len(reply.body) + len(request.query))
        return reply

    def release(self) -> Release | None:
        active = self._active
        return active.release if active else None

    def dump_path(self, name: str) -> Path | None:
        release = self.release()
        folder = self._release_folder(release.id) if release else None
        if folder is None or not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = folder / "dumps" / name
        return path if path.is_file() else None

    def default_graph_is_union(self) -> bool:
        """False when the store's own default graph holds the merged graph (``store.default_graph``)."""
        active = self._active
        return active.union if active is not None else self.config.store_default_graph != "store"

    def status(self) -> dict[str, Any]:
        active = self._active
        ok = self._down is None and active is not None
        status: dict[str, Any] = {"status": "ok" if ok else "unavailable", "store": self.url}
        if active is not None:
            status.update(release=active.release.id, since=self.loaded_at, cache=active.cache.stats())
            status["default_graph"] = "union" if active.union else "store"
        if self._down is not None:
            status["reason"] = f"the SPARQL store is unavailable: {self._down}"
        elif self.last_error:
            status["reason"] = self.last_error
        return status

    def close(self) -> None:
        self._stop.set()
        self.http.close()
        shutil.rmtree(self.spool_dir, ignore_errors=True)
