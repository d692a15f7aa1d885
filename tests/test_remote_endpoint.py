"""The endpoint tests, run again against ``kg serve --store`` over real engines (Oxigraph server, Virtuoso).

The test functions are the ones that run against the embedded store (imported from their modules, not
copied): here the fixture ``sparql_server`` they ask for is a front end over a store started by the test,
holding the same data (the standard test quads, graph by graph through the Graph Store Protocol, and a
release marker). The engine is a parameter; all are marked slow. Tests left out say why beside the imports.
``oxigraph`` and ``virtuoso`` hold the named graphs only, so the front end asks for their union (as a store
loaded from the N-Quads dump); ``oxigraph-merged`` also holds their merge in its default graph, as ``kg
publish`` writes it, and the front end queries that graph as it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from pyoxigraph import RdfFormat, serialize

from kg.iris import Minter
from kg.mappers.provenance import run_quads
from tests import test_sparql_clients
from tests.remote_stores import VIRTUOSO, Engine, oxigraph_engine, virtuoso_engine
from tests.server_fixtures import BASE, RunningServer, standard_quads, start_server

# ruff: noqa: F401  (the imported tests are collected here, over this module's fixtures)
from tests.test_sparql_clients import (
    test_byte_limit_is_413,
    test_construct_other_formats,
    test_cors_and_preflight,
    test_default_graph_is_the_union_and_graph_reaches_each_article,
    test_describe,
    test_from_in_the_query_is_honoured,
    test_large_results_are_complete_and_row_limit_is_413,
    test_overlong_query_is_413,
    test_persian_text_round_trips,
    test_protocol_dataset_replaces_the_default,
    test_rdflib_sparqlstore,
    test_rdflib_sparqlstore_json,
    test_sparqlwrapper_ask,
    test_sparqlwrapper_construct_jsonld,
    test_sparqlwrapper_construct_rdfxml,
    test_sparqlwrapper_construct_turtle,
    test_sparqlwrapper_csv,
    test_sparqlwrapper_json,
    test_sparqlwrapper_tsv,
    test_sparqlwrapper_xml,
    test_syntax_error_is_400_with_the_parser_message,
    test_write_methods_are_405,
    test_xml_results_are_well_formed,
)
from tests.test_sparql_negotiation import (
    test_406_when_nothing_fits,
    test_format_parameter_overrides_accept,
    test_real_client_accept_headers,
)
from tests.test_sparql_safety import (
    RUNAWAY,
    SIMPLE,
    TIME_LIMIT,
    listener,
    test_update_load_and_service_are_refused_without_network,
)
from tests.test_w3c_protocol import test_protocol, test_service_description_manifest

pytest_plugins = ["tests.server_fixtures"]

ENGINES = [
    pytest.param("oxigraph", marks=pytest.mark.slow),
    pytest.param(
        "virtuoso",
        marks=[pytest.mark.slow, pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-opensource not installed")],
    ),
]


# for the endpoint tests only: the linked-data tests publish with kg publish, which writes the merged graph
ENDPOINT_ENGINES = [*ENGINES, pytest.param("oxigraph-merged", marks=pytest.mark.slow)]


def start_engine(name: str, folder: Path) -> Engine:
    engine = oxigraph_engine(folder) if name.startswith("oxigraph") else virtuoso_engine(folder)
    return engine.start()


def put_graph(engine: Engine, graph: str, ntriples: bytes) -> None:
    """One graph into the store through its Graph Store endpoint (what kg publish does, without the bookkeeping);
    ``graph`` "": the default graph."""
    auth = requests.auth.HTTPDigestAuth(*engine.credentials) if engine.credentials else None
    answer = requests.put(
        engine.gsp_url,
        params={"graph": graph} if graph else {"default": ""},
        data=ntriples,
        headers={"Content-Type": "application/n-triples"},
        auth=auth,
        timeout=60,
    )
    assert answer.status_code < 300, answer.text


def load_quads(engine: Engine, quads: list, release_id: str, base: str = BASE, merged: bool = False) -> None:
    """The quads graph by graph (with ``merged``, their merge into the default graph too, each triple once),
    then a run record for ``release_id`` (the release marker) last."""
    graphs: dict[str, list] = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    for graph, triples in graphs.items():
        put_graph(engine, graph, serialize(triples, format=RdfFormat.N_TRIPLES) or b"")
    if merged:
        put_graph(engine, "", serialize(set(q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b"")
    minter = Minter(base)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    run = [q.triple for q in run_quads(minter, release_id, now, now, [], [])]
    put_graph(engine, minter.runs_graph().value, serialize(run, format=RdfFormat.N_TRIPLES) or b"")


def store_settings(engine: Engine, dumps: Path | None = None) -> dict[str, dict[str, object]]:
    store: dict[str, object] = {"url": engine.query_url, "connect_timeout": 1.0, "query_prologue": engine.prologue}
    if dumps is not None:
        store["dumps"] = str(dumps)
    return {"store": store}


@pytest.fixture(scope="module", params=ENDPOINT_ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    running = start_engine(request.param, tmp_path_factory.mktemp(f"store-{request.param}"))
    running.name = request.param
    load_quads(running, standard_quads("r1"), "r1", merged=request.param == "oxigraph-merged")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def sparql_server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The front end the imported tests query: ``kg serve --store`` over the engine."""
    empty = tmp_path_factory.mktemp("no-release")  # a front end needs no build folder
    server = start_server(empty, tmp_path_factory.mktemp("front-end"), store_settings(engine))
    yield server
    server.stop()


def test_health_names_the_store_and_the_release(sparql_server: RunningServer, engine: Engine) -> None:
    health = requests.get(sparql_server.url + "/health", timeout=5).json()
    assert health["status"] == "ok" and health["release"] == "r1" and health["store"] == engine.query_url
    assert health["default_graph"] == ("store" if engine.name == "oxigraph-merged" else "union")


def test_service_description_reports_limits(sparql_server: RunningServer, engine: Engine) -> None:
    """The embedded test's (its store holds no default graph: the union), and over a store's own default graph
    no ``sd:UnionDefaultGraph``."""
    if engine.name != "oxigraph-merged":
        test_sparql_clients.test_service_description_reports_limits(sparql_server)
        return
    answer = requests.get(sparql_server.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    graph = rdflib.Graph().parse(data=answer.content, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(sparql_server.sparql)
    assert (service, sd.feature, sd.UnionDefaultGraph) not in graph
    assert (service, sd.resultFormat, None) in graph


def test_a_query_without_a_dataset_reads_each_triple_once(sparql_server: RunningServer, engine: Engine) -> None:
    """A triple two article graphs share is one solution over the merged default graph, and one per graph over
    the union: the reason kg publish writes the merged graph."""
    quads = standard_quads("r1")
    shared = {q.triple for q in quads if sum(1 for o in quads if o.triple == q.triple) > 1}
    count = requests.get(
        sparql_server.sparql,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    ).json()["results"]["bindings"][0]["n"]["value"]
    distinct = len({q.triple for q in quads})
    if engine.name == "oxigraph-merged":
        assert int(count) == distinct
    elif engine.name == "oxigraph":
        assert shared and int(count) >= len(set(quads)) > distinct  # (and the run record load_quads adds)


def test_a_runaway_query_answers_504_at_the_time_limit_and_others_are_answered(sparql_server: RunningServer) -> None:
    """The store keeps computing (or estimates it would take too long): the front end answers at its limit."""
    started = time.monotonic()
    answer = requests.get(sparql_server.sparql, params={"query": RUNAWAY}, timeout=30)
    took = time.monotonic() - started
    assert answer.status_code == 504, answer.text
    assert "time limit" in answer.text
    assert took < TIME_LIMIT + 2.0
    simple = requests.get(
        sparql_server.sparql,
        params={"query": SIMPLE},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert simple.status_code == 200 and simple.json()["boolean"] is True
