"""``410 Gone`` for what ``kg withdraw`` took back: the served release's ``dumps/withdrawn.json``.

A withdrawn article is not "not found": it was published, and links and citations to it exist. Its IRI,
its documents and its pages answer ``410 Gone`` with when and why it was withdrawn
(``kg.publish.tombstones``). The list is read once per release, only when a request would otherwise be
answered 404, so published things cost nothing more.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from flask import Response, abort, request

from kg.publish.tombstones import WITHDRAWN, read_withdrawn
from kg.server.describe import Rebase, backend
from kg.server.negotiation import best_match

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
    """Answer ``410 Gone`` when ``iri`` (as minted) was withdrawn: JSON (the IRI, date and reason), or a
    short HTML page for a browser (which asks for ``text/html`` before ``*/*``)."""
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
    if best_match(request.headers.get("Accept"), ["application/json", "text/html"]) == "text/html":
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>410 Gone</title></head><body>'
            f"<h1>Gone</h1><p>{escape(body['detail'])}</p></body></html>"
        )
        response = Response(page, 410, content_type="text/html; charset=utf-8")
    else:
        response = Response(json.dumps(body, ensure_ascii=False, indent=1), 410, content_type="application/json")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{rb.public}/dumps/{WITHDRAWN}>; rel="describedby"'
    abort(response)
