"""Search routes: the results page ``/search``, the JSON API ``/api/search``, ``/api/suggest`` and its OpenAPI.

Every request opens the served release's index file (``releases/<id>/search.sqlite``, written by ``kg build``)
read-only: opening an SQLite file costs microseconds, and a request keeps the file it opened even if the
release is pruned meanwhile, so a query during a republish never fails. If the file vanished between
asking for the release and opening it, the request asks again (the new release is then being served).
CORS comes from the application (``kg.server.app``) like every other route.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from kg.search.index import INDEX_FILE, connect
from kg.search.openapi import openapi
from kg.search.query import FacetTable, Filters, Results, facet_table, search, suggest
from kg.search.snippets import highlight
from kg.server.describe import Rebase, rebase
from kg.server.releases import current_target
from kg.server.resources import PAGE_CSP

bp = Blueprint("search", __name__)
PAGE_SIZE = 20
LANGUAGES = ("fa", "en")
T = TypeVar("T")

UI = {
    "fa": {
        "site": "گراف دانش نشریه‌ها",
        "search": "جست‌وجو",
        "placeholder": "عنوان، کلیدواژه، نویسنده، نشریه…",
        "results": "نتیجه",
        "none": "چیزی پیدا نشد.",
        "some": "هیچ مقاله‌ای همهٔ واژه‌ها را ندارد؛ مقاله‌هایی که بخشی از آن‌ها را دارند:",
        "journal": "نشریه",
        "year": "سال",
        "lang": "زبان",
        "type": "نوع مقاله",
        "next": "صفحهٔ بعد",
        "first": "صفحهٔ نخست",
        "other": "English",
        "fa": "فارسی",
        "en": "انگلیسی",
        "clear": "همه",
    },
    "en": {
        "site": "Journals knowledge graph",
        "search": "Search",
        "placeholder": "title, keyword, author, journal…",
        "results": "results",
        "none": "Nothing found.",
        "some": "No article holds every word; these hold some of them:",
        "journal": "Journal",
        "year": "Year",
        "lang": "Language",
        "type": "Article type",
        "next": "Next page",
        "first": "First page",
        "other": "فارسی",
        "fa": "Persian",
        "en": "English",
        "clear": "all",
    },
}


def _with_index(work: Callable[[sqlite3.Connection, Path], T]) -> T:
    """Run ``work`` on the served release's index; 503 when no release (or no index in it) is served."""
    backend = current_app.extensions["kg_backend"]
    for _ in range(3):
        release = backend.release()
        if release is None:
            abort(503, description="no release has been published yet")
        path = Path(release.path) / INDEX_FILE
        if not path.is_file():
            # the served release was just pruned, before the server switched to the new one (it does within
            # its reload interval): read the new release's index now
            current = current_target(current_app.config["KG"].out_dir)
            if current is None or not (current / INDEX_FILE).is_file():
                abort(503, description=f"release {release.id} has no search index; rebuild it with kg build --force")
            path = current / INDEX_FILE
        try:
            conn = connect(path, read_only=True)
        except sqlite3.Error:
            continue  # pruned between the two steps: the next release() is the new one
        try:
            return work(conn, path)
        except sqlite3.OperationalError as error:
            if "fts5" in str(error) or "syntax" in str(error):
                abort(400, description=f"the search query could not be read: {error}")
            continue
        finally:
            conn.close()
    abort(503, description="the search index is being switched to a new release; try again")


@lru_cache(maxsize=4)
def _facets_of(path: str) -> FacetTable:
    """The facet values of a release's index, read once per process (a release's file never changes), with
    the cache of that release's recent queries (``kg.search.query``)."""
    conn = connect(Path(path), read_only=True)
    try:
        return facet_table(conn)
    finally:
        conn.close()


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        abort(400, description=f"parameter {name!r} must be a year (digits), not {value!r}")
    return int(value)


def _filters(rb: Rebase) -> Filters:
    """The request's filters; a journal or type named by its link on this server is taken as its IRI."""
    journal, type_ = request.args.get("journal"), request.args.get("type")
    return Filters(
        journal=rb.minted(journal) if journal else None,
        year_from=_int("from"),
        year_to=_int("to"),
        lang=request.args.get("lang") or None,
        type=rb.minted(type_) if type_ else None,
    )


def _run(q: str, limit: int, rb: Rebase) -> Results:
    cursor = request.args.get("cursor") or None
    filters = _filters(rb)

    def work(conn: sqlite3.Connection, path: Path) -> Results:
        try:
            return search(conn, q, filters, limit=limit, cursor=cursor, table=_facets_of(str(path)))
        except ValueError as error:
            abort(400, description=str(error))

    return _with_index(work)


def _page_url(rb: Rebase, iri: str, lang: str) -> str:
    local = rb.local(iri)
    head = rb.public + "/id/"
    return rb.public + f"/{lang}/doc/" + local[len(head) :] if local.startswith(head) else local


def _label(labels: dict[str, str] | None, lang: str) -> str:
    if not labels:
        return ""
    return labels.get(lang) or labels.get("en") or labels.get("") or next(iter(labels.values()))


def _hit_json(results: Results, rb: Rebase, lang: str) -> list[dict[str, Any]]:
    wanted = set(results.query.tokens)
    out = []
    for hit in results.hits:
        doc = hit.doc
        snippets: dict[str, Any] = {}
        for field, window in (("title", None), ("abstract", 28)):
            for text_lang, text in doc.get(field, {}).items():
                snippet, marked = highlight(text, wanted, window)
                if field == "title" or marked:
                    snippets.setdefault(field, {})[text_lang or "und"] = snippet
        out.append(
            {
                "iri": hit.iri,  # the identifier, as SPARQL and the dumps have it; "page" is the link
                "page": _page_url(rb, hit.iri, lang),
                "label": doc.get("title", {}),
                "snippets": snippets,
                "keywords": doc.get("keywords", []),
                "people": doc.get("people", []),
                "score": hit.score,
                "journal": {"iri": hit.journal, "label": results.labels.get(hit.journal, {})} if hit.journal else None,
                "year": hit.year,
                "lang": hit.lang,
                "type": {"iri": hit.type, "label": results.labels.get(hit.type, {})} if hit.type else None,
                "date": doc.get("date"),
            }
        )
    return out


def _facets_json(results: Results, lang: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, values in results.facets.items():
        rows = []
        for value, count in values:
            row: dict[str, Any] = {"value": value, "count": count}
            if name in ("journal", "type"):
                row["label"] = _label(results.labels.get(value), lang)
                row["iri"] = value
            elif name == "lang":
                row["label"] = UI[lang].get(value, value)
            else:
                row["label"] = str(value)
            rows.append(row)
        out[name] = rows
    return out


def _limit() -> int:
    raw = request.args.get("limit", str(PAGE_SIZE))
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        abort(400, description="parameter 'limit' must be a number from 1 to 100")
    return int(raw)


@bp.route("/api/search")
def api_search() -> Response:
    """Ranked articles for ``q`` as JSON: IRIs, labels, highlighted snippets, scores, facets, a next cursor."""
    q = request.args.get("q", "").strip()
    if not q:
        abort(400, description="parameter 'q' (the search text) is required")
    lang = _choice("lang_ui", "en")
    rb = rebase()
    results = _run(q, _limit(), rb)
    following = None
    if results.next_cursor:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        following = f"{rb.public}/api/search?{urlencode({**args, 'cursor': results.next_cursor})}"
    return jsonify(
        {
            "query": q,
            "tokens": results.query.groups,
            "total": results.total,
            "matchedAllTerms": results.matched_all,
            "results": _hit_json(results, rb, lang),
            "facets": _facets_json(results, lang),
            "cursor": results.next_cursor,
            "next": following,
        }
    )


@bp.route("/api/suggest")
def api_suggest() -> Response:
    """Autocomplete: people, keywords and journals whose labels hold words starting with ``q``."""
    q = request.args.get("q", "").strip()
    rb = rebase()
    if not q:
        return jsonify({"query": q, "suggestions": []})
    found = _with_index(lambda conn, _: suggest(conn, q))
    for row in found:
        if row["iri"]:
            row["page"] = _page_url(rb, row["iri"], row["lang"] or "fa")
    return jsonify({"query": q, "suggestions": found})


@bp.route("/api/openapi.json")
def api_openapi() -> Response:
    """The OpenAPI 3.1 description of the search API."""
    return jsonify(openapi(rebase().public))


@bp.route("/search")
def search_page() -> Response:
    """The results page: hits with highlighted snippets, facets and paging, in Persian (RTL) or English."""
    lang = _choice("hl", _accepted())
    q = request.args.get("q", "").strip()
    rb = rebase()
    results = _run(q, PAGE_SIZE, rb) if q else None
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "hl")}

    def url(**changes: str | None) -> str:
        merged = {**args, "hl": lang, **changes}
        return rb.public + "/search?" + urlencode({k: v for k, v in merged.items() if v})

    html = render_template(
        "search.html",
        lang=lang,
        dir="rtl" if lang == "fa" else "ltr",
        ui=UI[lang],
        q=q,
        results=results,
        hits=_hit_json(results, rb, lang) if results else [],
        facets=_facets_json(results, lang) if results else {},
        chosen=args,
        url=url,
        public=rb.public,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Vary"] = "Accept-Language"
    return response


def _choice(name: str, default: str) -> str:
    """A page language from parameter ``name`` (fa or en), else ``default``."""
    value = request.args.get(name, "")
    return value if value in LANGUAGES else default


def _accepted() -> str:
    return request.accept_languages.best_match(LANGUAGES) or "fa"
