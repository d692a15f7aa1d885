"""One SPARQL 1.1 Protocol query against a remote store, answered within kg's limits or as a QueryError.

The store is asked for formats kg can parse (SPARQL JSON results, N-Triples), whatever the client
negotiated; the result is parsed with pyoxigraph and written again by :mod:`kg.server.results` in the
negotiated format, under the same row and byte limits as a local query. So a client sees the same bytes
from ``kg serve --store`` as from the embedded store, and a store's odd answer never reaches it as a 200:

* no connection, a refused or reset one, 503 from the store: :class:`~kg.server.contract.Unavailable` (503,
  with ``Retry-After``), and :class:`StoreDown` tells the backend to stop sending until the store is back;
* the time limit passed (connect, a read, or the whole answer, which is read against one deadline, so a
  store that trickles bytes is cut off too): :class:`~kg.server.contract.QueryTimeout` (504);
* the store refused the query (400, or Virtuoso's 200 text/HTML error pages naming a SPARQL error): 400
  with the store's message; a store-side time limit: 504;
* anything else that is not a result of the asked type (an HTML page, a body that does not parse):
  :class:`~kg.server.contract.BadGateway` (502).

Queries are POSTed form-encoded (``application/x-www-form-urlencoded``), never as a direct POST body: Virtuoso
hangs on some direct-POST queries. One ``requests.Session`` per backend keeps a bounded pool of connections.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, parse, parse_query_results
from requests.adapters import HTTPAdapter

from kg.server.contract import BadGateway, QueryError, QueryRequest, QueryTimeout, Reply, Unavailable
from kg.server.query_scan import scan
from kg.server.results import SOLUTION_TYPES, ResultTooLarge, Spool, write_boolean, write_solutions, write_triples

SRJ = "application/sparql-results+json"
NT = "application/n-triples"
# an IRI reference without a scheme (a false match only costs a BASE declaration)
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\\\x00-\x20]*>")
_KIND_OF_FORM = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
# Virtuoso answers some errors with 200 and a text or HTML page; these name a query the store refused
_REFUSED = re.compile(r"\b(SP\d{3}|SR\d{3}|SPARQL compiler|syntax error|37000|22023)\b", re.IGNORECASE)
_STORE_TIMEOUT = re.compile(r"\b(S1T00|SR171|timed? ?out|timeout|Estimated execution time)\b", re.IGNORECASE)
# a store's answer may be larger than the result kg writes from it (JSON results carry a type per term)
_WIRE_FACTOR = 4
# the useful part of a urllib3 connection error's long text
_REASON = re.compile(r"\[Errno -?\d+\] [^'\")]+|Connection refused|Connection reset[^'\")]*|Remote end closed[^'\")]*")
_CHUNK = 256 * 1024


class StoreDown(Unavailable):
    """The store cannot be reached (or says it is unavailable): the backend marks it down until it answers."""

    reason = "store_down"


@dataclass(frozen=True)
class Limits:
    """The limits a local query runs under, applied to a remote one's result (see kg.server.config)."""

    max_result_rows: int
    max_result_bytes: int
    spool_threshold: int
    spool_dir: str
    connect_timeout: float


def session(connections: int, auth: Any = None) -> requests.Session:
    """A session with one pool of at most ``connections`` kept-alive connections per store, no retries."""
    http = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(1, connections), max_retries=0, pool_block=False)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.auth = auth
    return http


def run_query(
    http: requests.Session,
    url: str,
    request: QueryRequest,
    timeout: float,
    limits: Limits,
    prefix: str,
    union_param: str = "",
    prologue: str = "",
) -> Reply:
    """POST ``request`` to the store at ``url``; the result in the negotiated format within the limits."""
    started = time.monotonic()
    kind = _KIND_OF_FORM.get(scan(request.query).form or "")
    if kind is not None and request.media.get(kind) is None:
        raise QueryError(f"none of the acceptable media types can represent this query's result ({kind})", 406)
    query = request.query
    if request.base_iri and _RELATIVE_IRI.search(query):  # the service-defined base IRI (a BASE in the query
        query = f"BASE <{request.base_iri}> {query}"  # comes later and wins); same line: same line numbers
    own_dataset = bool(request.default_graphs or request.named_graphs or request.has_from)
    if prologue and not own_dataset:  # the store's pragmas first (Virtuoso's DEFINEs precede BASE and PREFIX)
        query = f"{prologue} {query}"
    form: dict[str, Any] = {"query": query}
    if request.default_graphs:
        form["default-graph-uri"] = request.default_graphs
    if request.named_graphs:
        form["named-graph-uri"] = request.named_graphs
    if union_param and not own_dataset:
        form[union_param] = ""  # the default graph is the union of the named graphs, as in the embedded store
    accept = NT if kind == "graph" else SRJ if kind else f"{SRJ}, {NT};q=0.9"
    body, content_type, status = fetch(http, url, form, accept, timeout, limits, started)
    if status != 200:
        raise _refusal(status, body, timeout)
    return _rewrite(body, content_type, request, limits, prefix, started)


def fetch(
    http: requests.Session,
    url: str,
    form: dict[str, Any],
    accept: str,
    timeout: float,
    limits: Limits,
    started: float | None = None,
) -> tuple[bytes, str, int]:
    """The store's answer (body, media type, status), read whole within ``timeout`` seconds in all.

    A read blocks until its chunk is full, so the deadline is kept by a timer that closes the answer under a
    store that trickles: the blocked read then fails, and the expiry says it was the time limit.
    """
    started = time.monotonic() if started is None else started
    cap = limits.max_result_bytes * _WIRE_FACTOR + 1024 * 1024
    expired = threading.Event()
    timer: threading.Timer | None = None
    try:
        with http.post(
            url,
            data=form,
            headers={"Accept": accept},
            timeout=(min(limits.connect_timeout, timeout), timeout),
            stream=True,
        ) as answer:

            def expire() -> None:
                expired.set()
                try:  # wakes the read blocked on the socket (closing the answer alone does not)
                    answer.raw.connection.sock.shutdown(socket.SHUT_RDWR)
                except (AttributeError, OSError):
                    pass
                answer.close()

            timer = threading.Timer(max(0.0, started + timeout - time.monotonic()), expire)
            timer.daemon = True
            timer.start()
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in answer.iter_content(_CHUNK):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > cap and answer.status_code == 200:
                        raise QueryError(
                            f"the result is larger than the limit of {limits.max_result_bytes} bytes; narrow the "
                            "query or add a LIMIT",
                            413,
                        )
            except (requests.RequestException, OSError, AttributeError, ValueError) as error:
                if expired.is_set():
                    raise _timeout(timeout, started) from error
                raise
            if expired.is_set():
                raise _timeout(timeout, started)
            media_type = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
            return b"".join(chunks), media_type, answer.status_code
    except requests.exceptions.ConnectTimeout as error:
        raise StoreDown(f"the store did not accept a connection within {limits.connect_timeout:g} s") from error
    except requests.exceptions.ConnectionError as error:
        if _is_read_timeout(error):
            raise _timeout(timeout, started) from error
        raise StoreDown(f"the store cannot be reached ({_short(error)})") from error
    except requests.exceptions.Timeout as error:
        raise _timeout(timeout, started) from error
    except requests.exceptions.ChunkedEncodingError as error:
        raise BadGateway(f"the store's answer was cut off ({_short(error)})") from error
    finally:
        if timer is not None:
            timer.cancel()


def _is_read_timeout(error: Exception) -> bool:
    return "Read timed out" in str(error)


def _timeout(limit: float, started: float) -> QueryTimeout:
    elapsed = time.monotonic() - started
    return QueryTimeout(f"the query was stopped after the time limit of {limit:g} s ({elapsed:.1f} s)")


def _short(error: Exception) -> str:
    text = str(error)
    match = re.search(
        r"\[Errno -?\d+\] [^'\")]+|Connection refused|Connection reset[^'\")]*|Remote end closed[^'\")]*", text
    )
    return match.group(0) if match else text[:200]


def _message(body: bytes) -> str:
    """The store's error message as one short plain text (HTML tags dropped)."""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:1000]


def _refusal(status: int, body: bytes, limit: float) -> QueryError:
    """The error for a non-200 answer of the store."""
    message = _message(body)
    if status in (400, 414, 415, 422):
        if _STORE_TIMEOUT.search(message):  # Virtuoso's estimated-time refusal is a time limit, not bad syntax
            return QueryTimeout(f"the store stopped the query at its time limit: {message}")
        return QueryError(f"the store refused the query: {message}", 400)
    if status in (408, 504) or _STORE_TIMEOUT.search(message):
        return QueryTimeout(f"the store stopped the query at its time limit: {message}")
    if status == 503:
        return StoreDown(f"the store is unavailable: {message}")
    if status == 500 and _REFUSED.search(message):  # Virtuoso's refusals of a query it will not run (limits)
        return QueryError(f"the store refused the query: {message}", 400)
    if status in (401, 403):
        return BadGateway(f"the store refused access ({status}): check the store credentials of kg serve")
    return BadGateway(f"the store answered {status}: {message}")


def _not_a_result(body: bytes, media_type: str, expected: str) -> QueryError:
    """A 200 answer that is not the result asked for: Virtuoso's error pages, or a broken body."""
    message = _message(body)
    if _STORE_TIMEOUT.search(message):
        return QueryTimeout(f"the store stopped the query at its time limit: {message}")
    if _REFUSED.search(message):
        return QueryError(f"the store refused the query: {message}", 400)
    return BadGateway(f"the store answered {media_type or 'no media type'} instead of {expected}: {message[:300]}")


def _rewrite(body: bytes, media_type: str, request: QueryRequest, limits: Limits, prefix: str, started: float) -> Reply:
    """Parse the store's result and write it in the negotiated format, under kg's limits."""
    sink = Spool(limits.max_result_bytes, limits.spool_threshold, limits.spool_dir, prefix)
    try:
        if media_type in (SRJ, "application/json"):
            try:
                result = parse_query_results(body, format=QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as error:
                raise _not_a_result(body, media_type, SRJ) from error
            if isinstance(result, QueryBoolean):
                chosen = _chosen(request.media, "boolean")
                write_boolean(bool(result), SOLUTION_TYPES[chosen], sink)
                rows = 1
            else:
                assert isinstance(result, QuerySolutions)
                chosen = _chosen(request.media, "solutions")
                rows = write_solutions(result, SOLUTION_TYPES[chosen], sink, limits.max_result_rows)
        elif media_type in (NT, "text/plain"):
            chosen = _chosen(request.media, "graph")
            try:
                triples = list(parse(body, format=RdfFormat.N_TRIPLES))
            except (SyntaxError, ValueError) as error:
                raise _not_a_result(body, media_type, NT) from error
            rows = write_triples(triples, chosen, sink, limits.max_result_rows, request.prefixes)
        else:
            raise _not_a_result(body, media_type, f"{SRJ} or {NT}")
        data, path = sink.finish()
    except ResultTooLarge as error:
        sink.discard()
        raise QueryError(f"{error}; narrow the query or add a LIMIT", 413) from None
    except SyntaxError as error:  # results are parsed as they are written: a broken body shows here
        sink.discard()
        raise BadGateway(f"the store's answer is not a valid result: {error}") from None
    except BaseException:
        sink.discard()
        raise
    return Reply(chosen, data, path, sink.size, rows, time.monotonic() - started)


def _chosen(media: dict[str, str | None], kind: str) -> str:
    chosen = media.get(kind)
    if chosen is None:
        raise QueryError(f"none of the acceptable media types can represent this query's result ({kind})", 406)
    return chosen
