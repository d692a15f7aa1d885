"""What the web side and the query side agree on: the answer type and the error family.

The routes and the backend receive a :class:`Reply` or catch a :class:`QueryError`; the query pool
(:mod:`kg.server.query_workers`, the local implementation) and the code that runs inside a query process
(:mod:`kg.server.execute`) produce them. Every one of those modules imports these types from here, and this
module imports nothing of ``kg.server``, so none of them has to import another to share them (the pool used
to define them, and ``execute`` imported the pool back).

Each error carries the HTTP status to answer with; those caused by a limit or by the query processes also
carry a short ``reason`` that the access log records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class QueryError(Exception):
    """A query that did not produce a result; ``status`` is the HTTP status to answer with."""

    status = 500
    reason: str | None = None  # the access log's "reason" field: which limit or failure stopped the query

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


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
