"""What the web side and the query side agree on: the answer type and the error family.

The routes and the backend receive a :class:`Reply` or catch a :class:`QueryError`; the query pool
(:mod:`server.query_workers`, the local implementation) and the code that runs inside a query process
(:mod:`server.execute`) produce them. Every one of those modules imports these types from here, and this
module imports nothing of ``kg.server``, so none of them has to import another to share them (the pool used
to define them, and ``execute`` imported the pool back).

Each error carries the HTTP status to answer with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class QueryError(Exception):
    """A query that did not produce a result; ``status`` is the HTTP status to answer with."""

    status = 500

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class QueryTimeout(QueryError):
    """The query ran past the time limit and its process was killed."""

    status = 504


class Unavailable(QueryError):
    """No query process could take the query (all busy, none started, release switching): try again."""

    status = 503


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
