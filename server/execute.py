"""What a query process does with one request: run it against the store and write the result within limits.

Runs in the child processes of :mod:`kg.server.query_workers`; the web side never calls pyoxigraph's query().
The request and its answer follow :mod:`kg.server.contract`; nothing here imports the pool that runs it.
Requests are plain dicts (they cross a pipe): ``op`` is ``query``, ``describe``, ``graphs`` or ``ping``.
"""

from __future__ import annotations

import time
from typing import Any

from pyoxigraph import BlankNode, NamedNode, QueryBoolean, QuerySolutions, Store, Triple

from kg.search.sparql_functions import functions as search_functions
from kg.server.contract import QueryError, Reply
from kg.server.results import SOLUTION_TYPES, ResultTooLarge, Spool, write_boolean, write_solutions, write_triples


def run(store: Store, request: dict[str, Any], spool_dir: str, prefix: str, info: dict[str, Any]) -> Reply:
    """Dispatch one request; raises QueryError with the HTTP status for anything that is not a result."""
    op = request.get("op")
    started = time.perf_counter()
    if op == "query":
        return _query(store, request, spool_dir, prefix, info, started)
    if op == "describe":
        triples = describe(store, request["iri"], request["max_result_rows"], request.get("graph"))
        return Reply(None, None, None, 0, len(triples), time.perf_counter() - started, triples)
    if op == "graphs":
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
        return Reply(None, None, None, 0, len(graphs), time.perf_counter() - started, graphs)
    if op == "ping":
        return Reply(None, None, None, 0, 0, time.perf_counter() - started, info)
    raise QueryError(f"unknown operation {op!r}", 500)


def _dataset(request: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph keyword arguments for the query's RDF dataset (SPARQL 1.1 Protocol section 2.1.4)."""
    default_graphs = request.get("default_graphs")
    named_graphs = request.get("named_graphs")
    if default_graphs or named_graphs:
        # The protocol dataset replaces the service's: graphs not listed are not in it.
        return {
            "default_graph": [NamedNode(iri) for iri in default_graphs or []],
            "named_graphs": [NamedNode(iri) for iri in named_graphs or []],
        }
    if request.get("has_from") or info.get("default_graph_stored"):
        return {}  # FROM / FROM NAMED in the query, or a materialised default graph in the store
    return {"use_default_graph_as_union": True}


def _query(
    store: Store, request: dict[str, Any], spool_dir: str, prefix: str, info: dict[str, Any], started: float
) -> Reply:
    try:
        result = store.query(
            request["query"],
            base_iri=request.get("base_iri"),
            custom_functions=_custom_functions(info),
            **_dataset(request, info),
        )
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}", 400) from None
    except ValueError as error:
        raise QueryError(str(error), 400) from None
    media = request["media"]
    max_rows = request["max_result_rows"]
    sink = Spool(request["max_result_bytes"], request["spool_threshold"], spool_dir, prefix)
    try:
        if isinstance(result, QuerySolutions):
            media_type = _chosen(media, "solutions")
            rows = write_solutions(result, SOLUTION_TYPES[media_type], sink, max_rows)
        elif isinstance(result, QueryBoolean):
            media_type = _chosen(media, "boolean")
            write_boolean(bool(result), SOLUTION_TYPES[media_type], sink)
            rows = 1
        else:
            media_type = _chosen(media, "graph")
            rows = write_triples(result, media_type, sink, max_rows, request.get("prefixes"))
        body, path = sink.finish()
    except ResultTooLarge as error:
        sink.discard()
        raise QueryError(f"{error}; narrow the query or add a LIMIT", 413) from None
    except QueryError:
        sink.discard()
        raise
    except (OSError, RuntimeError, SyntaxError, ValueError, TypeError) as error:
        sink.discard()
        raise QueryError(f"the query failed during evaluation: {error}", 500) from None
    return Reply(media_type, body, path, sink.size, rows, time.perf_counter() - started)


_FUNCTIONS: dict[str, dict[NamedNode, Any]] = {}


def _custom_functions(info: dict[str, Any]) -> dict[NamedNode, Any]:
    """The search functions (kgs:matches, kgs:score), made once per process for its store (kg.search)."""
    path = str(info.get("store_path") or "")
    table = _FUNCTIONS.get(path)
    if table is None:
        table = _FUNCTIONS[path] = search_functions(path or None)
    return table


def _chosen(media: dict[str, str | None], kind: str) -> str:
    media_type = media.get(kind)
    if media_type is None:
        raise QueryError(f"none of the acceptable media types can represent this query's result ({kind})", 406)
    return media_type


def describe(store: Store, iri: str, max_rows: int, graph: str | None = None) -> list[Triple]:
    """The concise bounded description of a resource: its outgoing triples, following blank nodes.

    Triples repeated in several article graphs (the journal's, an issue's) are returned once.
    """
    graph_node = NamedNode(graph) if graph else None
    seen: set[Triple] = set()
    out: list[Triple] = []
    frontier: list[NamedNode | BlankNode] = [NamedNode(iri)]
    visited: set[NamedNode | BlankNode] = set(frontier)
    while frontier:
        node = frontier.pop()
        for quad in store.quads_for_pattern(node, None, None, graph_node):
            triple = quad.triple
            if triple in seen:
                continue
            seen.add(triple)
            out.append(triple)
            if len(out) > max_rows:
                raise QueryError(f"the description has more than the limit of {max_rows} triples", 413)
            if isinstance(quad.object, BlankNode) and quad.object not in visited:
                visited.add(quad.object)
                frontier.append(quad.object)
    return out
