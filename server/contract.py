"""The store contract: everything the routes and a store implementation agree on, in one module.

The routes talk to a :class:`Backend` only. They send it a :class:`QueryRequest` and receive a :class:`Reply`
or catch a :class:`QueryError` (one of its subclasses); they ask it which :class:`Release` it serves (an id
and the build's facts: no filesystem path, since a remote store has none) and where a dump file is.

Implementations: :class:`kg.server.backend.LocalBackend` (the release ``kg build`` wrote, embedded pyoxigraph
in killable query processes: :mod:`kg.server.query_workers`, :mod:`kg.server.execute`) and
:class:`kg.server.remote.RemoteBackend` (a SPARQL 1.1 store over HTTP, filled by ``kg publish --to``). This
module imports nothing of ``kg.server``, so every implementation and every route imports it and none of them
imports another. ``tests/test_backend_contract.py`` serves the whole site from an in-process fake backend:
what it implements is all an implementation needs.

Each error carries the HTTP status to answer with; those caused by a limit or by the query processes also
carry a short ``reason`` that the access log records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class QueryError(Exception):
    """A query that did not produce a result; ``status`` is the HTTP status to answer with."""

    status = 500
    reason: str | None = None  # the access log's "reason" field: which limit or failure stopped the query

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class BadGateway(QueryError):
    """The store answered something that is not a SPARQL result (an HTML error page, a cut-off body)."""

    status = 502
    reason = "store_error"


class QueryTimeout(QueryError):
    """The query ran past the time limit and its process was killed."""

    status = 504
    reason = "time_limit"


class Unavailable(QueryError):
    """No query process could take the query (all busy, none started, release switching): try again."""

    status = 503
    reason = "unavailable"


class QueryMemoryExceeded(QueryError):
    """The query needed more memory than one query process may use; its process was stopped and replaced.

    503 like :class:`Unavailable`, but sending the same query again does not help, so no ``Retry-After``.
    """

    status = 503
    reason = "memory_limit"


def memory_message(limit: int, elapsed: float | None = None) -> str:
    """The answer to a query stopped by the memory ceiling: what happened and how to narrow the query."""
    after = f" after {elapsed:.1f} s" if elapsed is not None else ""
    allowed = f"this server allows per query ({format_bytes(limit)})" if limit > 0 else "this server has"
    return (
        f"The query needed more memory than {allowed} and was stopped{after}. Narrow it: bind more of its "
        "variables (fewer unbound patterns such as ?s ?p ?o, no cross products of unrelated patterns), add a "
        "LIMIT, and avoid ORDER BY, DISTINCT, GROUP BY and GROUP_CONCAT over large results (they hold every "
        "solution in memory; ORDER BY does so even with a LIMIT). For analyses of the whole dataset, download "
        "the dumps (/dumps/)."
    )


def format_bytes(size: int) -> str:
    """1073741824 -> "1 GiB", 3159359488 -> "3013 MiB": whole GiB, else MiB (binary units, as configured)."""
    if size >= 1 << 30 and size % (1 << 30) == 0:
        return f"{size >> 30} GiB"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.0f} MiB"
    if size >= 1 << 10:
        return f"{size / (1 << 10):.0f} KiB"
    return f"{size} bytes"


@dataclass
class Reply:
    """A successful answer: small results come as ``body``, large ones as a spool file at ``path``."""

    media_type: str | None
    body: bytes | None
    path: str | None
    size: int
    rows: int
    elapsed: float
    value: Any = None  # for non-serialized operations (describe, graphs)
    release: str | None = None  # the release that answered (set by the backend)
    cached: bool = False  # served from the release's result cache, not by a query process


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
    cacheable: bool = True  # False: always run (the backend also never caches volatile or SERVICE queries)


@dataclass(frozen=True)
class Release:
    """One published release as the routes see it: its id and what its ``build.json`` says.

    No path: the local backend knows where its release lies, a remote one reads the facts from the release
    marker and the dumps folder. Everything keyed per release (result caches, statistics, examples, ETags)
    is keyed on ``id``.
    """

    id: str
    build: dict[str, Any] = field(default_factory=dict)
    # the release's files (build.json, dumps/, the OAI records, ...) where this front end can read them: the
    # release folder (local), or the copy kg publish --dumps-to made (remote, store.dumps); None: not here
    folder: Path | None = None

    @property
    def path(self) -> Path:
        """The release's files; 503 (the routes that need them cannot answer) when this server has none."""
        if self.folder is None:
            raise Unavailable(f"the files of release {self.id} are not reachable from this server (store.dumps)")
        return self.folder

    @property
    def dumps(self) -> Path:
        return self.path / "dumps"

    @property
    def base(self) -> str | None:
        return self.build.get("base")

    @property
    def counts(self) -> dict[str, Any]:
        return self.build.get("counts") or {}

    @property
    def default_graph_triples(self) -> int | None:
        """The triples of the SPARQL default graph (the merged graph: the N-Triples dump), not the quads written."""
        count = self.counts.get("default_graph_triples")
        if isinstance(count, int):
            return count
        merged = next((d.get("triples") for d in self.build.get("dumps", []) if d.get("format") == "N-Triples"), None)
        return merged if isinstance(merged, int) else None


class Backend(Protocol):
    """What the routes need from a store (and nothing more: the fake backend test implements exactly this)."""

    def query(self, request: QueryRequest, timeout: float | None = None) -> Reply:
        """Run a query within the limits; ``timeout`` may shorten (never extend) the configured one."""
        ...

    def release(self) -> Release | None:
        """The release served now (None before the first one is known)."""
        ...

    def dump_path(self, name: str) -> Path | None:
        """The local file of the dump ``name`` of the served release, None when there is none."""
        ...

    def default_graph_is_union(self) -> bool:
        """Whether a query without a dataset reads the union of the named graphs (the service description)."""
        ...

    def status(self) -> dict[str, Any]:
        """For /health: ``status`` is "ok" while queries can run; anything else says why not."""
        ...

    def close(self) -> None: ...
