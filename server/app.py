"""The Flask application factory: ``create_app(config)``.

Routes live in blueprints, one module per concern; :data:`BLUEPRINTS` lists them, so adding the linked-data
routes is one line. Cross-cutting behaviour lives here: CORS (any origin, with preflight), the health
endpoint, plain-text errors, and the access log.
"""

from __future__ import annotations

import atexit
import importlib

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from kg.resources import server_folder
from kg.server.backend import LocalBackend
from kg.server.config import Config
from kg.server.contract import Backend, QueryError, QueryMemoryExceeded
from kg.server.logs import init_access_log

# "module:attribute" of every blueprint, in registration order.
BLUEPRINTS: list[str] = [
    "kg.server.sparql:bp",
    "kg.server.resources:bp",
    "kg.server.dataset:bp",
    "kg.server.search:bp",
    "kg.server.oai:bp",
    "kg.server.changes:bp",
    "kg.server.quality:bp",
    "kg.server.ratelimit:bp",
    "kg.server.overload:bp",
]

CORS_METHODS = "GET, HEAD, POST, OPTIONS"
CORS_EXPOSE = "Content-Length, Content-Type, Server-Timing, X-KG-Release, Vary"


def _blueprint(spec: str) -> Blueprint:
    module, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module), attribute)


def create_app(config: Config, backend: Backend | None = None) -> Flask:
    """A configured application over ``backend`` (default: the release published in ``config.out_dir``)."""
    server_folder()  # missing templates or static files are a start-up error naming them, not a 500 later
    app = Flask(__name__)
    app.config["KG"] = config
    # a form-encoded query may be three times its length; anything longer is refused with 413 unread
    app.config["MAX_CONTENT_LENGTH"] = config.max_query_length * 3 + 64 * 1024
    app.config["JSON_SORT_KEYS"] = False
    if backend is None:
        backend = _remote_backend(config) if config.store_url else LocalBackend(config)
    app.extensions["kg_backend"] = backend
    atexit.register(backend.close)

    for spec in BLUEPRINTS:
        app.register_blueprint(_blueprint(spec))

    app.add_url_rule("/health", "health", health)
    app.after_request(_cors)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, _query_error)
    init_access_log(app, config.access_log)
    return app


def health() -> tuple[Response, int]:
    """200 with the served release while queries can run, 503 otherwise (for load balancers and tests)."""
    status = current_app.extensions["kg_backend"].status()
    return jsonify(status), 200 if status.get("status") == "ok" else 503


def _cors(response: Response) -> Response:
    """Browser clients (YASGUI, Comunica in a page) may query from any origin; preflights are answered."""
    config: Config = current_app.config["KG"]
    response.headers["Access-Control-Allow-Origin"] = config.cors_origin
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _http_error(error: HTTPException) -> Response:
    """Plain-text errors; a write method on a read-only resource says why, not just 405."""
    response = error.get_response()
    message = error.description or error.name
    if isinstance(error, MethodNotAllowed) and request.method in ("PUT", "DELETE", "PATCH", "POST"):
        message = (
            f"{request.method} is not allowed here: this service is read-only (no SPARQL Update, no "
            "Graph Store Protocol writes). Queries use GET or POST on /sparql."
        )
    if error.code == 413:
        config: Config = current_app.config["KG"]
        message = f"The request is too large: queries are limited to {config.max_query_length} bytes."
    g.error = message
    out = Response(f"{message}\n", status=error.code or 500, mimetype="text/plain")
    for name in ("Allow", "Retry-After"):
        if name in response.headers:
            out.headers[name] = response.headers[name]
    return out


def _remote_backend(config: Config) -> Backend:
    """``kg serve --store URL``: the same routes over a SPARQL 1.1 store (imported only when configured)."""
    from kg.server.remote import RemoteBackend

    return RemoteBackend(config)


def _query_error(error: QueryError) -> Response:
    """A page whose queries failed answers the query's status (503 with Retry-After while the store is
    down or busy, 504 past the time limit), never a 500 or a half-made page."""
    g.error = str(error)
    g.reason = error.reason
    out = Response(f"{error}\n", status=error.status, mimetype="text/plain")
    if error.status == 503 and not isinstance(error, QueryMemoryExceeded):
        out.headers["Retry-After"] = "2"
    return out
