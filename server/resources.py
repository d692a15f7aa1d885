"""Dereferenceable IRIs: things under ``/id/`` answer 303, their documents under ``/doc/`` negotiate.

Cool URIs for the Semantic Web: a thing (an article, a person) is not a document, so ``/id/{path}`` answers
``303 See Other`` to ``/doc/{path}``, which picks a representation by Accept (q-values honoured, via
:func:`kg.server.negotiation.best_match`): HTML first, so browsers, crawlers and validators sending ``*/*`` see
the page, and Turtle, JSON-LD, N-Triples, N-Quads and RDF/XML for RDF clients. Each representation also has
its own URL (``/doc/{path}.ttl`` ...), and each HTML language its own (``/fa/doc/{path}``, ``/en/doc/{path}``).
Named graphs (``/graph/{path}``) are documents themselves and answer with their content.

The RDF of a document is the thing's concise bounded description (:func:`kg.server.describe.concise_description`)
plus ``foaf:primaryTopic`` from the document to the thing. Identifiers stay as minted (``build.json`` "base"),
whatever address the server is reached at; the links (``Location``, ``Link``, ``Content-Location``, ``href``)
go to where the server is reached (:class:`kg.server.describe.Rebase`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, serialize
from werkzeug.wrappers import Response as BaseResponse

from kg.publish.article_jsonld import article_jsonld
from kg.publish.article_view import article_context_query, article_view
from kg.server.describe import Rebase, backend, concise_description, construct, exists, iri_ref, rebase, select
from kg.server.negotiation import best_match
from kg.server.page_common import LANGUAGES, Links, Text, page_context
from kg.server.pages import render_thing, rows_for_triples
from kg.server.tombstones import abort_if_gone
from kg.vocab import FOAF, OWL, PREFIXES, SCHEMA

bp = Blueprint("resources", __name__)

# media type -> (extension, pyoxigraph format); the order is the server's preference (HTML first)
FORMATS: dict[str, tuple[str, RdfFormat | None]] = {
    "text/html": ("html", None),
    "text/turtle": ("ttl", RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", RdfFormat.JSON_LD),
    "application/n-triples": ("nt", RdfFormat.N_TRIPLES),
    "application/n-quads": ("nq", RdfFormat.N_QUADS),
    "application/rdf+xml": ("rdf", RdfFormat.RDF_XML),
}
GRAPH_FORMATS = {**FORMATS, "application/trig": ("trig", RdfFormat.TRIG)}
ALIASES = {
    "application/xhtml+xml": "text/html",
    "application/x-turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
EXTENSIONS = {ext: media for media, (ext, _) in GRAPH_FORMATS.items()}
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'; "
    # the header's search box: its suggestions script (static/search.js) and its requests to /api/suggest
    "script-src 'self'; connect-src 'self'"
)


def _content_type(media_type: str) -> str:
    if (
        media_type.startswith("text/")
        or media_type.endswith(("+json", "+xml"))
        or media_type in ("application/n-triples", "application/n-quads")
    ):
        return media_type + "; charset=utf-8"
    return media_type


def negotiate(offered: dict[str, Any]) -> str | None:
    """The canonical media type the client prefers among ``offered`` (aliases count as their canonical type)."""
    candidates = list(offered) + [alias for alias, media in ALIASES.items() if media in offered]
    chosen = best_match(request.headers.get("Accept"), candidates)
    return ALIASES.get(chosen, chosen) if chosen else None


def split_extension(path: str) -> tuple[str, str | None]:
    """``a/b.ttl`` -> (``a/b``, ``text/turtle``); a path without a known extension is returned as is."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in EXTENSIONS:
        return stem, EXTENSIONS[ext]
    return path, None


def _thing(rb: Rebase, path: str) -> str:
    return f"{rb.build}/id/{path}"


def _resolve(path: str) -> tuple[str, str, str | None]:
    """(path, thing IRI, media type of an explicit extension) for a request path; 404 when no such thing.

    The router hands over the path percent-decoded; minted IRIs keep every byte but ``A-Za-z0-9-._~`` encoded
    (:func:`kg.iris.segment`), so encoding it again gives the stored form (a Persian code, a space).
    """
    path = quote(path, safe="/-._~")
    rb = rebase()
    if exists(_thing(rb, path)):
        return path, _thing(rb, path), None
    stem, media = split_extension(path)
    if media is not None and exists(_thing(rb, stem)):
        return stem, _thing(rb, stem), media
    _redirect_alias(rb, stem if media is not None else path)
    abort_if_gone(rb, _thing(rb, stem if media is not None else path))  # withdrawn: 410 (kg withdraw)
    abort(404, description=f"Nothing is published as {rb.public}/id/{path}.")


def _redirect_alias(rb: Rebase, path: str) -> None:
    """Answer ``301`` when ``/id/{path}`` is an alias of a thing (kg.identity: the build states
    ``<canonical> owl:sameAs <alias>``): the same URL with the canonical path, so old links keep working.
    Only asked for IRIs that describe nothing themselves, so the common case costs no extra query."""
    alias = _thing(rb, path)
    rows = select(f"SELECT ?c WHERE {{ ?c {iri_ref(OWL.sameAs.value)} {iri_ref(alias)} }} ORDER BY ?c LIMIT 1")
    prefix = f"{rb.build}/id/"
    if not rows or not rows[0]["c"].value.startswith(prefix):
        return
    canonical = rows[0]["c"].value[len(prefix) :]
    target = request.path.replace(f"/{path}", f"/{canonical}", 1)
    query = request.query_string.decode("latin-1")
    abort(redirect(rb.public + target + (f"?{query}" if query else ""), 301))


def page_language() -> str:
    """The HTML language for a page without one in its URL: Accept-Language, else Persian (the journals')."""
    return request.accept_languages.best_match(LANGUAGES) or "fa"


def _urls(rb: Rebase, path: str, lang: str | None = None) -> dict[str, Any]:
    doc = f"{rb.public}/doc/{path}"
    urls: dict[str, Any] = {
        "thing": f"{rb.build}/id/{path}",  # the identifier, as minted (shown on the page)
        "doc": doc,
        "formats": {media: f"{doc}.{ext}" for media, (ext, _) in FORMATS.items()},
        "languages": {lang_: f"{rb.public}/{lang_}/doc/{path}" for lang_ in LANGUAGES},
        "home": rb.public + "/",
        "sparql": rb.public + "/sparql",
        "dumps": rb.public + "/dumps/",
        "css": rb.public + "/static/site.css",
    }
    urls["self"] = urls["languages"][lang] if lang else doc
    return urls


def _link_header(urls: dict[str, Any], html_languages: bool = True) -> str:
    parts = [f'<{url}>; rel="alternate"; type="{media}"' for media, url in urls["formats"].items()]
    if html_languages:
        parts += [
            f'<{url}>; rel="alternate"; type="text/html"; hreflang="{lang}"' for lang, url in urls["languages"].items()
        ]
    return ", ".join(parts)


# ---- things -----------------------------------------------------------------------------------------------


@bp.route("/id/<path:path>")
def thing(path: str) -> BaseResponse:
    """303 See Other from a thing to the document about it (the dataset: to its VoID description)."""
    rb = rebase()
    if path == "dataset":
        return redirect(f"{rb.public}/.well-known/void", 303)
    path, _, media = _resolve(path)
    target = f"{rb.public}/doc/{path}" + (f".{FORMATS[media][0]}" if media else "")
    response = redirect(target, 303)
    response.headers["Link"] = f'<{rb.public}/doc/{path}>; rel="describedby"'
    return response


# ---- documents --------------------------------------------------------------------------------------------


@bp.route("/doc/<path:path>")
def document(path: str) -> Response:
    """The document about ``/id/{path}``, negotiated, or in the format its extension names."""
    path, iri, media = _resolve(path)
    if media == "application/ld+json" and request.args.get("profile") in ("schema", "https://schema.org"):
        return schema_jsonld(path)
    negotiated = media is None
    if media is None:
        media = negotiate(FORMATS)
        if media is None:
            abort(406, description="This document is available as " + ", ".join(FORMATS) + ".")
    rb = rebase()
    if media == "text/html":
        lang = request.args.get("lang", "")
        if lang not in LANGUAGES:
            lang = page_language()
        response = _html(iri, path, lang, rb)
        response.headers["Content-Location"] = f"{rb.public}/{lang}/doc/{path}"
    else:
        response = _rdf(iri, path, media, rb)
        response.headers["Content-Location"] = f"{rb.public}/doc/{path}.{FORMATS[media][0]}"
    if negotiated:
        response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Link"] = _link_header(_urls(rb, path))
    return cacheable(response, media, response.headers.get("Content-Language", ""), rb.public)


@bp.route("/<any(fa, en):lang>/doc/<path:path>")
def page(lang: str, path: str) -> Response:
    """The HTML page of a thing in one language (the canonical URL of that page)."""
    path, iri, media = _resolve(path)
    if media not in (None, "text/html"):
        abort(404)
    rb = rebase()
    response = _html(iri, path, lang, rb)
    response.headers["Link"] = _link_header(_urls(rb, path))
    return cacheable(response, "text/html", lang, rb.public)


def cacheable(response: Response, *key: str) -> Response:
    """A validator per release and representation, so crawlers revalidate with 304 until the next build."""
    release = backend().release()
    if release is not None:
        tag = hashlib.sha256("\x00".join((release.id, request.path, *key)).encode("utf-8")).hexdigest()[:32]
        response.set_etag(tag)
        response.headers["Cache-Control"] = "public, max-age=300"
        response.make_conditional(request)
    return response


def _html(iri: str, path: str, lang: str, rb: Rebase) -> Response:
    body = render_thing(iri, lang, rb, _urls(rb, path, lang))
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Content-Language"] = lang
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def _document_triples(iri: str, path: str, rb: Rebase) -> list[Triple]:
    doc = NamedNode(f"{rb.build}/doc/{path}")
    return concise_description(iri) + [Triple(doc, FOAF.primaryTopic, NamedNode(iri))]


def serialize_triples(
    triples: list[Triple],
    media: str,
    formats: dict[str, tuple[str, RdfFormat | None]],
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Triples in one of ``formats`` (quad formats get them in the default graph)."""
    rdf_format = formats[media][1]
    assert rdf_format is not None
    # grouped by subject (blank nodes last), so Turtle writes each subject once
    data: list[Any] = sorted(triples, key=lambda t: (isinstance(t.subject, BlankNode), t.subject.value))
    if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        data = [Quad(t.subject, t.predicate, t.object) for t in triples]
    usable = (prefixes or PREFIXES) if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
    return _serialize(data, rdf_format, usable)


def _serialize(statements: list[Any], rdf_format: RdfFormat, prefixes: dict[str, str] | None) -> bytes:
    """pyoxigraph's serialize() to bytes (with no output file given, it returns them rather than None)."""
    body = serialize(statements, format=rdf_format, prefixes=prefixes)
    if body is None:
        raise TypeError("pyoxigraph's serialize() gave no bytes")
    return body


def _rdf(iri: str, path: str, media: str, rb: Rebase) -> Response:
    body = serialize_triples(_document_triples(iri, path, rb), media, FORMATS)
    return Response(body, content_type=_content_type(media))


# ---- schema.org JSON-LD of an article ---------------------------------------------------------------------


@bp.route("/jsonld/<path:path>")
def schema_jsonld(path: str) -> Response:
    """The article's schema.org JSON-LD on its own (what its page embeds), for journal sites to copy."""
    path, iri, _ = _resolve(split_extension(path)[0] if path.endswith(".jsonld") else path)
    rb = rebase()
    triples = construct(article_context_query(iri))
    if not any(t.predicate.value.endswith("type") and t.object == SCHEMA.ScholarlyArticle for t in triples):
        abort(404, description="schema.org JSON-LD is made for articles only.")
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        lang = page_language()
    links = Links(rb, lang)
    data = article_jsonld(
        article_view(triples, iri),
        lang,
        page=f"{rb.public}/{lang}/doc/{path}",
        document=links.page,
    )
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8"
    )
    response.headers["Link"] = f'<{rb.public}/{lang}/doc/{path}>; rel="alternate"; type="text/html"'
    return response


# ---- named graphs -----------------------------------------------------------------------------------------


@bp.route("/graph/<path:path>")
def graph(path: str) -> Response:
    """A named graph is an information resource: its IRI answers with its content (negotiated)."""
    rb = rebase()
    path = quote(path, safe="/-._~")
    name = f"{rb.build}/graph/{path}"
    stem, media = split_extension(path)
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(name)} {{ ?s ?p ?o }} }}"
    triples = construct(query)
    if not triples and media is not None:
        path, name = stem, f"{rb.build}/graph/{stem}"
        triples = construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(name)} {{ ?s ?p ?o }} }}")
    else:
        media = None
    if not triples:
        abort_if_gone(rb, f"{rb.build}/id/{path}")  # an article graph withdrawn: 410 (kg withdraw)
        abort(404, description=f"No graph is published as {rb.public}/graph/{path}.")
    negotiated = media is None
    if media is None:
        media = negotiate(GRAPH_FORMATS)
        if media is None:
            abort(406, description="This graph is available as " + ", ".join(GRAPH_FORMATS) + ".")
    public_name = NamedNode(name)  # the graph's name as minted
    body: str | bytes
    if media == "text/html":
        lang = page_language()
        urls = _urls(rb, path, lang)
        urls["formats"] = {m: f"{rb.public}/graph/{path}.{ext}" for m, (ext, _) in GRAPH_FORMATS.items()}
        body = render_template(
            "generic.html",
            page=page_context("graph", Text(public_name.value), lang, urls),
            rows=rows_for_triples(triples, lang, Links(rb, lang)),
        )
        response = Response(body, content_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = PAGE_CSP
    else:
        rdf_format = GRAPH_FORMATS[media][1]
        if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            data: Any = [Quad(t.subject, t.predicate, t.object, public_name) for t in triples]
            prefixes = PREFIXES if rdf_format == RdfFormat.TRIG else None
            body = _serialize(data, rdf_format, prefixes)
        else:
            body = serialize_triples(triples, media, GRAPH_FORMATS)
        response = Response(body, content_type=_content_type(media))
    if negotiated:
        response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'<{rb.public}/graph/{path}.{ext}>; rel="alternate"; type="{m}"' for m, (ext, _) in GRAPH_FORMATS.items()
    )
    return response
