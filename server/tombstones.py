"""``410 Gone`` for what ``kg withdraw`` took back: the served release's ``dumps/withdrawn.json``.

A withdrawn article is not "not found": it was published, and links and citations to it exist. Its IRI,
its documents and its pages answer ``410 Gone`` with when and why it was withdrawn
(``kg.publish.tombstones``). The list is read once per release, only when a request would otherwise be
answered 404, so published things cost nothing more.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort

from kg.publish.tombstones import WITHDRAWN, read_withdrawn
from kg.server.describe import Rebase, backend

_cache: dict[str, dict[str, dict[str, Any]]] = {}  # release id -> article IRI -> tombstone


def tombstones() -> dict[str, dict[str, Any]]:
    """Article IRI -> tombstone, of the release served now."""
    release = backend().release()
    if release is None:
        return {}
    if release.id not in _cache:
        _cache.clear()  # one release at a time
        _cache[release.id] = read_withdrawn(backend().dump_path(WITHDRAWN))
    return _cache[release.id]


def abort_if_gone(rb: Rebase, iri: str) -> None:
    """Answer ``410 Gone`` (JSON: the IRI, date and reason) when ``iri`` (as minted) was withdrawn."""
    entry = tombstones().get(iri)
    if entry is None:
        return
    body = {
        "status": 410,
        "title": "Gone",
        "detail": f"{rb.local(iri)} was withdrawn on {entry.get('withdrawn', '')}: {entry.get('reason', '')}",
        "iri": iri,
        "withdrawn": entry.get("withdrawn", ""),
        "reason": entry.get("reason", ""),
    }
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), 410, content_type="application/json")
    response.headers["Link"] = f'<{rb.public}/dumps/{WITHDRAWN}>; rel="describedby"'
    abort(response)
