"""Query errors escaping a page or document route are answered with their own status, not 500.

The SPARQL endpoint catches :class:`~kg.server.contract.QueryError` itself; the pages, documents and graphs
run their queries through the same pool, and under load the pool refuses with
:class:`~kg.server.contract.Unavailable` ("all query processes are busy", 503). Uncaught, that became a 500
with a traceback in the log (the load test found it: pages at concurrency 100). This handler answers every
escaping query error with its status and message, and a ``Retry-After`` for the 503s that a retry can cure.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from kg.server.contract import QueryError, QueryMemoryExceeded

RETRY_AFTER = "2"  # seconds, as the SPARQL endpoint says

bp = Blueprint("overload", __name__)


@bp.app_errorhandler(QueryError)
def query_error(error: QueryError) -> Response:
    g.reason = error.reason  # the access log says which limit stopped it
    g.error = str(error)
    response = Response(f"{error}\n", status=error.status, mimetype="text/plain")
    if error.status == 503 and not isinstance(error, QueryMemoryExceeded):  # the same request would need less memory
        response.headers["Retry-After"] = RETRY_AFTER
    return response
