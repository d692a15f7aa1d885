"""The SPARQL 1.1 Protocol endpoint (query operation only): ``/sparql``.

Read-only by design: update requests, Graph Store Protocol writes and SERVICE calls to endpoints the
operator did not allow are refused before anything runs. Everything else goes to the backend, which runs
the query in a killable process and hands back a complete, validated result (bytes or a spool file) that
is then sent with its real status. A query answered before on the same release is answered again from the
backend's result cache (:mod:`kg.server.cache`) without a query process; ``Server-Timing`` says
``cache;desc=hit`` or ``miss``. Without a query, GET answers with the query page (browsers) or the SPARQL 1.1
Service Description (RDF clients).
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from pyoxigraph import NamedNode
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import wrap_file

from kg.server import examples
from kg.server.config import Config
from kg.server.contract import Backend, QueryError, QueryMemoryExceeded, QueryRequest, Reply
from kg.server.negotiation import best_match
from kg.server.query_scan import Scan, refused_services, scan
from kg.server.service_description import service_description
from kg.vocab import PREFIXES

log = logging.getLogger("kg.server.sparql")

bp = Blueprint("sparql", __name__)

# --- formats: canonical media types first (server preference), then aliases clients send -------------------
SOLUTION_FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
SOLUTION_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
GRAPH_FORMATS = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
]
GRAPH_ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/json": "application/ld+json",
    "application/x-json+ld": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "text/plain": "application/n-triples",
}
HTML = ["text/html", "application/xhtml+xml"]
# the page uses nothing but its own server: the browser enforces it
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)

# the ``format`` request parameter (browsers' download links; SPARQLWrapper sends it as well)
FORMAT_NAMES = {
    "solutions": {
        "json": SOLUTION_FORMATS[0],
        "srj": SOLUTION_FORMATS[0],
        "xml": SOLUTION_FORMATS[1],
        "srx": SOLUTION_FORMATS[1],
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "ntriples": "application/n-triples",
        "nt": "application/n-triples",
        "n-triples": "application/n-triples",
        "jsonld": "application/ld+json",
        "json-ld": "application/ld+json",
        "json": "application/ld+json",
        "rdfxml": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "rdf": "application/rdf+xml",
        "nquads": "application/n-quads",
        "nq": "application/n-quads",
        "n-quads": "application/n-quads",
        "trig": "application/trig",
    },
}
FORMAT_NAMES["boolean"] = FORMAT_NAMES["solutions"]
KIND_OF_FORM = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _offered(kind: str) -> tuple[list[str], dict[str, str]]:
    if kind == "graph":
        return GRAPH_FORMATS + list(GRAPH_ALIASES), GRAPH_ALIASES
    return SOLUTION_FORMATS + list(SOLUTION_ALIASES), SOLUTION_ALIASES


def negotiate(kind: str, accept: str | None, format_values: list[str]) -> str | None:
    """The canonical media type for one kind of result: the ``format`` parameter first, then Accept."""
    names = FORMAT_NAMES[kind]
    offered, aliases = _offered(kind)
    for value in format_values:
        value = value.strip().lower()
        if value in names:
            return names[value]
        if value in offered:
            return aliases.get(value, value)
    chosen = best_match(accept, offered)
    return aliases.get(chosen, chosen) if chosen else None


@functools.lru_cache(maxsize=256)
def _negotiate_all(accept: str | None, format_values: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    """The media type for each kind of result. Memoized: clients send few distinct Accept headers, and
    parsing one costs more than the rest of a cached answer."""
    return tuple((kind, negotiate(kind, accept, list(format_values))) for kind in ("solutions", "boolean", "graph"))


@functools.lru_cache(maxsize=512)
def _scan_short(query: str) -> Scan:
    return scan(query)


def _scan(query: str) -> Scan:
    """:func:`scan`, memoized for short queries (the ones that repeat); the result is only read."""
    return _scan_short(query) if len(query) <= 4096 else scan(query)


# --- errors ------------------------------------------------------------------------------------------------


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Errors are plain text: every SPARQL client shows a text body, and the message is the point."""
    g.error = message
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


READ_ONLY = (
    "This SPARQL endpoint is read-only: SPARQL Update (and LOAD, CLEAR, INSERT, DELETE ...) and "
    "Graph Store Protocol writes are not accepted. Download the dumps to work on a copy."
)


# --- reading a protocol request ----------------------------------------------------------------------------


@dataclass
class Operation:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]


def _charset_ok() -> bool:
    charset = request.mimetype_params.get("charset")
    return charset is None or charset.lower().replace("_", "-") in ("utf-8", "utf8")


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"The request has {len(values)} '{name}' parameters; send exactly one.")
    return values[0] if values else None


def read_operation() -> Operation:
    """The query and the protocol dataset of a GET or POST, per SPARQL 1.1 Protocol section 2.1."""
    args = request.args
    default_graphs = args.getlist("default-graph-uri")
    named_graphs = args.getlist("named-graph-uri")
    if request.method == "GET" or request.method == "HEAD":
        if "update" in args or "using-graph-uri" in args or "using-named-graph-uri" in args:
            raise ProtocolError(403, READ_ONLY)
        query = _single(args.getlist("query"), "query")
        return Operation(query, default_graphs, named_graphs)
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        if not _charset_ok():
            raise ProtocolError(415, "Form bodies must be UTF-8 encoded.")
        form = request.form
        if "update" in form or "update" in args:
            raise ProtocolError(403, READ_ONLY)
        query = _single(args.getlist("query") + form.getlist("query"), "query")
        if query is None:
            raise ProtocolError(400, "The form has no 'query' parameter.")
        return Operation(
            query, default_graphs + form.getlist("default-graph-uri"), named_graphs + form.getlist("named-graph-uri")
        )
    if mimetype == "application/sparql-query":
        if not _charset_ok():
            raise ProtocolError(415, "The query must be sent as UTF-8 (charset=utf-8).")
        if "query" in args:
            raise ProtocolError(400, "The query is both in the body and in the 'query' parameter; send one.")
        body = request.get_data(cache=False)
        try:
            return Operation(body.decode("utf-8"), default_graphs, named_graphs)
        except UnicodeDecodeError:
            raise ProtocolError(400, "The query is not valid UTF-8.") from None
    if mimetype == "application/sparql-update":
        raise ProtocolError(403, READ_ONLY)
    if not mimetype:
        raise ProtocolError(
            415, "A POST needs a Content-Type: application/sparql-query or application/x-www-form-urlencoded."
        )
    raise ProtocolError(
        415,
        f"Unsupported Content-Type {mimetype!r}: use application/sparql-query or application/x-www-form-urlencoded.",
    )


def _check_graphs(iris: list[str]) -> None:
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"Not an absolute IRI in default-graph-uri/named-graph-uri: {iri!r}") from None


# --- the route ---------------------------------------------------------------------------------------------


def _config() -> Config:
    return current_app.config["KG"]


def _backend() -> Backend:
    return current_app.extensions["kg_backend"]


def endpoint_url() -> str:
    """The endpoint's public URL: configured, or as this request reached us."""
    public = _config().public_url
    if public:
        return public.rstrip("/") + "/sparql"
    return _endpoint_url(request.scheme, request.host)


@functools.lru_cache(maxsize=64)
def _endpoint_url(scheme: str, host: str) -> str:
    """``request.host_url`` + "/sparql", memoized: werkzeug re-quotes the URL on every call."""
    return get_current_url(scheme, host).rstrip("/") + "/sparql"


@bp.route("/sparql/", methods=["GET", "POST"], endpoint="sparql_slash")  # the W3C tests' path
@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    config = _config()
    try:
        operation = read_operation()
    except ProtocolError as error:
        return error_response(error.status, str(error), error.headers)
    accept = request.headers.get("Accept")
    params = [request.args]
    if request.mimetype == "application/x-www-form-urlencoded":
        params.append(request.form)
    format_values = [v for p in params for v in p.getlist("format") + p.getlist("output")]
    if operation.query is None:
        return _no_query(accept, format_values)

    query = operation.query
    g.query = query
    if len(query.encode("utf-8")) > config.max_query_length:
        return error_response(413, f"The query is longer than the limit of {config.max_query_length} bytes.")
    found = _scan(query)
    if found.update_keyword is not None:
        return error_response(403, READ_ONLY)
    refused = refused_services(found, config.allow_service)
    if refused:
        return error_response(
            403,
            "SERVICE (federated query) is not allowed to "
            + ", ".join(refused)
            + ". The operator can allow endpoints with sparql.allow_service.",
        )
    try:
        _check_graphs(operation.default_graphs + operation.named_graphs)
    except ProtocolError as error:
        return error_response(error.status, str(error))

    kind = KIND_OF_FORM.get(found.form or "")
    if not format_values and _wants_html(accept, kind):
        return _page(query)
    media = dict(_negotiate_all(accept, tuple(format_values)))
    if kind is not None and media[kind] is None:
        offered, _ = _offered(kind)
        return error_response(
            406,
            "None of the media types in Accept fits a "
            + (found.form or "")
            + " result. Available: "
            + ", ".join(offered[: 6 if kind == "graph" else 4]),
            {"Vary": "Accept"},
        )
    return _answer(query, found, operation, media)


def _wants_html(accept: str | None, kind: str | None) -> bool:
    if not accept or "html" not in accept:
        return False
    offered = _offered(kind)[0] if kind else SOLUTION_FORMATS + GRAPH_FORMATS
    return best_match(accept, offered + HTML) in HTML


def _answer(query: str, found: Scan, operation: Operation, media: dict[str, str | None]) -> Response:
    backend = _backend()
    query_request = QueryRequest(
        query=query,
        media=media,
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
        has_from=found.has_from,
        base_iri=endpoint_url(),  # the service-defined base IRI (Protocol 2.1.5): the endpoint itself
        prefixes=PREFIXES,
        cacheable=not found.services,
    )
    try:
        reply = backend.query(query_request)
    except QueryError as error:
        g.reason = error.reason  # the access log says which limit stopped it
        headers = {"Vary": "Accept"}
        if error.status == 503 and not isinstance(error, QueryMemoryExceeded):  # the same query needs less memory
            headers["Retry-After"] = "2"
        return error_response(error.status, str(error), headers)
    g.query_time = reply.elapsed
    g.rows = reply.rows
    g.cache = "hit" if reply.cached else "miss"
    response = _reply_response(reply)
    response.headers["Vary"] = "Accept"
    # "cache;desc=hit": answered from the release's result cache without running the query
    response.headers["Server-Timing"] = f"query;dur={reply.elapsed * 1000:.1f}, cache;desc=" + (
        "hit" if reply.cached else "miss"
    )
    if reply.release is not None:
        response.headers["X-KG-Release"] = reply.release
    return response


def _content_type(media_type: str) -> str:
    if (
        media_type.startswith("text/")
        or media_type.endswith(("+json", "+xml"))
        or media_type in ("application/n-triples", "application/n-quads", "application/trig")
    ):
        return media_type + "; charset=utf-8"
    return media_type


def _reply_response(reply: Reply) -> Response:
    """A complete result, sent as bytes or streamed from its spool file (unlinked once open)."""
    assert reply.media_type is not None
    if reply.path is None:
        return Response(reply.body, status=200, content_type=_content_type(reply.media_type))
    handle = open(reply.path, "rb")  # closed by the WSGI server after streaming
    os.unlink(reply.path)
    response = Response(
        wrap_file(request.environ, handle, buffer_size=256 * 1024),
        status=200,
        content_type=_content_type(reply.media_type),
        direct_passthrough=True,
    )
    response.content_length = reply.size
    return response


def _no_query(accept: str | None, format_values: list[str]) -> Response:
    """GET /sparql without a query: the query page for people, the service description for machines."""
    if request.method == "POST":
        return error_response(400, "The request has no query.")
    if not format_values and accept and "html" in accept:
        if best_match(accept, GRAPH_FORMATS + HTML) in HTML:
            return _page("")
    media_type = negotiate("graph", accept, format_values)
    if media_type is None:
        return error_response(
            406, "The service description is available as " + ", ".join(GRAPH_FORMATS), {"Vary": "Accept"}
        )
    body = service_description(endpoint_url(), _config(), _backend(), media_type)
    response = Response(body, content_type=_content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def _page(query: str) -> Response:
    config = _config()
    backend = _backend()
    release = backend.release()
    found = examples.for_release(backend)
    context: dict[str, Any] = {
        "query": query,
        "examples": found,
        "examples_data": [asdict(example) for example in found],
        "release": release,
        "config": config,
        "formats": {"solutions": SOLUTION_FORMATS, "graph": GRAPH_FORMATS},
        # result links to minted IRIs open this server's pages (sparql.js), wherever it is reached
        "public_base": (config.public_url or request.host_url).rstrip("/"),
        "prefixes": PREFIXES,  # the editor's prefix completion (sparql.js), instead of prefix.cc
    }
    response = Response(render_template("sparql.html", **context), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response
