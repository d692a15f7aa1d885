"""The endpoint through real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore, requests).

Every answer is parsed in its format and checked for content against the fixture data
(tests/server_fixtures.py): four articles in two journals, each in its own named graph.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from pyoxigraph import DefaultGraph, RdfFormat
from pyoxigraph import parse as oxi_parse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper

from kg.iris import Minter
from tests.server_fixtures import ARTICLES, BASE

pytest_plugins = ["tests.server_fixtures"]

SCHEMA = Namespace("http://schema.org/")
SRX = "{http://www.w3.org/2005/sparql-results#}"
MINT = Minter(BASE)
TITLES_EN = sorted(a[5] for a in ARTICLES)
A1 = MINT.article(ARTICLES[0][0], ARTICLES[0][4]).value
G1 = MINT.article_graph(ARTICLES[0][0], ARTICLES[0][4]).value
A2 = MINT.article(ARTICLES[1][0], ARTICLES[1][4]).value
G2 = MINT.article_graph(ARTICLES[1][0], ARTICLES[1][4]).value

TITLES = """PREFIX schema: <http://schema.org/>
SELECT ?article ?title WHERE {
  ?article a schema:ScholarlyArticle ; schema:headline ?title FILTER(LANG(?title) = "en")
} ORDER BY ?title"""
ASK_A1 = f"PREFIX schema: <http://schema.org/> ASK {{ <{A1}> schema:headline ?t }}"
CONSTRUCT_TITLES = """PREFIX schema: <http://schema.org/>
CONSTRUCT { ?article schema:headline ?title } WHERE { ?article a schema:ScholarlyArticle ; schema:headline ?title }"""


def _wrapper(server, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    wrapper.setMethod(method)
    return wrapper


# ---- SPARQLWrapper -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_json(sparql_server, method: str) -> None:
    result = _wrapper(sparql_server, TITLES, JSON, method).query().convert()
    assert result["head"]["vars"] == ["article", "title"]
    bindings = result["results"]["bindings"]
    assert [b["title"]["value"] for b in bindings] == TITLES_EN
    assert all(b["title"]["xml:lang"] == "en" and b["article"]["type"] == "uri" for b in bindings)


def test_sparqlwrapper_xml(sparql_server) -> None:
    document = _wrapper(sparql_server, TITLES, XML).query().convert()  # a minidom document
    titles = [
        b.getElementsByTagName("literal")[0].firstChild.data
        for b in document.getElementsByTagName("binding")
        if b.getAttribute("name") == "title"
    ]
    assert titles == TITLES_EN


def test_sparqlwrapper_csv(sparql_server) -> None:
    data = _wrapper(sparql_server, TITLES, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["article", "title"]
    assert [row[1] for row in rows[1:]] == TITLES_EN
    assert all(row[0].startswith(BASE + "/id/journal/") for row in rows[1:])


def test_sparqlwrapper_tsv(sparql_server) -> None:
    data = _wrapper(sparql_server, TITLES, TSV).query().convert()
    lines = data.decode("utf-8").rstrip("\n").split("\n")
    assert lines[0].split("\t") == ["?article", "?title"]
    cells = [line.split("\t") for line in lines[1:]]
    assert [c[1] for c in cells] == [json.dumps(t) + "@en" for t in TITLES_EN]
    assert all(c[0].startswith("<") and c[0].endswith(">") for c in cells)


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(sparql_server, return_format: str) -> None:
    result = _wrapper(sparql_server, ASK_A1, return_format).query().convert()
    if return_format == JSON:
        assert result["boolean"] is True
    elif return_format == XML:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert result.decode().strip() == "true"


def _check_title_graph(graph: Graph) -> None:
    titles = {(str(s), str(o), o.language) for s, _, o in graph.triples((None, SCHEMA.headline, None))}
    assert len(graph) == 2 * len(ARTICLES)
    assert (A1, ARTICLES[0][5], "en") in titles and (A1, ARTICLES[0][6], "fa") in titles


def test_sparqlwrapper_construct_turtle(sparql_server) -> None:
    data = _wrapper(sparql_server, CONSTRUCT_TITLES, TURTLE).query().convert()
    _check_title_graph(Graph().parse(data=data, format="turtle"))


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_jsonld(sparql_server) -> None:
    graph = _wrapper(sparql_server, CONSTRUCT_TITLES, JSONLD).query().convert()
    _check_title_graph(graph)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_rdfxml(sparql_server) -> None:
    graph = _wrapper(sparql_server, CONSTRUCT_TITLES, XML).query().convert()
    _check_title_graph(graph)


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [
        ("application/n-triples", "nt"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
    ],
)
def test_construct_other_formats(sparql_server, media: str, rdflib_format: str) -> None:
    response = requests.post(
        sparql_server.sparql,
        data=CONSTRUCT_TITLES.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": media},
        timeout=10,
    )
    assert response.headers["Content-Type"].split(";")[0] == media
    if rdflib_format in ("nquads", "trig"):
        # rdflib's quad parsers warn about their own deprecations; pyoxigraph reads these formats cleanly
        fmt = RdfFormat.N_QUADS if rdflib_format == "nquads" else RdfFormat.TRIG
        graph = Graph()
        for quad in oxi_parse(response.content, format=fmt):
            assert quad.graph_name == DefaultGraph()
            graph.add(
                (
                    URIRef(quad.subject.value),
                    URIRef(quad.predicate.value),
                    Literal(quad.object.value, lang=quad.object.language),
                )
            )
    else:
        graph = Graph().parse(data=response.content, format=rdflib_format)
    _check_title_graph(graph)


def test_describe(sparql_server) -> None:
    response = requests.get(
        sparql_server.sparql, params={"query": f"DESCRIBE <{A1}>"}, headers={"Accept": "text/turtle"}, timeout=10
    )
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(A1), SCHEMA.headline, Literal(ARTICLES[0][5], lang="en")) in graph
    assert set(graph.subjects()) == {URIRef(A1)}


def test_persian_text_round_trips(sparql_server) -> None:
    title_fa = ARTICLES[0][6]  # contains a ZERO WIDTH NON-JOINER
    query = f'PREFIX schema: <http://schema.org/> SELECT ?a WHERE {{ ?a schema:headline "{title_fa}"@fa }}'
    result = _wrapper(sparql_server, query, JSON, POST).query().convert()
    assert [b["a"]["value"] for b in result["results"]["bindings"]] == [A1]


# ---- rdflib's SPARQLStore ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(sparql_server, method: str) -> None:
    store = SPARQLStore(query_endpoint=sparql_server.sparql, method=method)
    graph = Graph(store=store)
    rows = list(graph.query(TITLES))
    assert [str(row.title) for row in rows] == TITLES_EN
    headlines = set(graph.objects(URIRef(A1), SCHEMA.headline))
    assert headlines == {Literal(ARTICLES[0][5], lang="en"), Literal(ARTICLES[0][6], lang="fa")}
    ask = graph.query(ASK_A1)
    assert ask.askAnswer is True


def test_rdflib_sparqlstore_json(sparql_server) -> None:
    store = SPARQLStore(query_endpoint=sparql_server.sparql, returnFormat="json")
    rows = list(Graph(store=store).query(TITLES))
    assert [str(row.title) for row in rows] == TITLES_EN


# ---- the dataset: union default graph, GRAPH, protocol and query datasets --------------------------------


def _select(server, query: str, **params: object) -> list[dict[str, str]]:
    response = requests.get(
        server.sparql,
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


ARTICLES_Q = "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> } ORDER BY ?a"
GRAPHS_Q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a a <http://schema.org/ScholarlyArticle> } } ORDER BY ?g"


def test_default_graph_is_the_union_and_graph_reaches_each_article(sparql_server) -> None:
    assert len(_select(sparql_server, ARTICLES_Q)) == len(ARTICLES)
    graphs = [row["g"] for row in _select(sparql_server, GRAPHS_Q)]
    assert len(graphs) == len(ARTICLES) and G1 in graphs and G2 in graphs
    query = f"SELECT ?a WHERE {{ GRAPH <{G1}> {{ ?a a <http://schema.org/ScholarlyArticle> }} }}"
    inside = _select(sparql_server, query)
    assert inside == [{"a": A1}]


def test_protocol_dataset_replaces_the_default(sparql_server) -> None:
    assert _select(sparql_server, ARTICLES_Q, **{"default-graph-uri": G2}) == [{"a": A2}]
    named = _select(sparql_server, GRAPHS_Q, **{"named-graph-uri": G1})
    assert named == [{"g": G1}]
    # only named graphs given: the default graph is empty
    assert _select(sparql_server, ARTICLES_Q, **{"named-graph-uri": G1}) == []


def test_from_in_the_query_is_honoured(sparql_server) -> None:
    query = f"SELECT ?a FROM <{G2}> WHERE {{ ?a a <http://schema.org/ScholarlyArticle> }}"
    assert _select(sparql_server, query) == [{"a": A2}]


# ---- errors and limits -----------------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parser_message(sparql_server) -> None:
    response = requests.get(sparql_server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "1:" in response.text  # the parser's line:column


def test_write_methods_are_405(sparql_server) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(
            method,
            sparql_server.sparql + "?graph=" + G1,
            data=b"<a> <b> <c> .",
            headers={"Content-Type": "text/turtle"},
            timeout=10,
        )
        assert response.status_code == 405
        assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_overlong_query_is_413(sparql_server) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 20_100
    direct = requests.post(
        sparql_server.sparql, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10
    )
    form = requests.post(sparql_server.sparql, data={"query": query}, timeout=10)
    assert direct.status_code == form.status_code == 413
    huge = requests.post(
        sparql_server.sparql, data=b"x" * 200_000, headers={"Content-Type": "application/sparql-query"}, timeout=10
    )
    assert huge.status_code == 413


PAIRS = """SELECT ?a ?b WHERE {{ ?a <http://example.org/test/value> ?x . ?b <http://example.org/test/value> ?y }}
LIMIT {limit}"""


def test_large_results_are_complete_and_row_limit_is_413(sparql_server) -> None:
    # 5000 rows is the configured limit: answered in full (and spooled, since it is above 64 KiB)
    for media in ("application/sparql-results+json", "text/csv"):
        response = requests.get(
            sparql_server.sparql, params={"query": PAIRS.format(limit=5000)}, headers={"Accept": media}, timeout=30
        )
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == len(response.content) > 65536
        if media == "text/csv":
            assert len(list(csv.reader(io.StringIO(response.text)))) == 5001
        else:
            assert len(response.json()["results"]["bindings"]) == 5000
    over = requests.get(sparql_server.sparql, params={"query": PAIRS.format(limit=5001)}, timeout=30)
    assert over.status_code == 413 and "5000" in over.text


def test_byte_limit_is_413(sparql_server) -> None:
    padding = "x" * 1000
    query = (
        f'SELECT ?a (CONCAT(STR(?a), "{padding}") AS ?long) WHERE {{ ?a <http://example.org/test/value> ?x . '
        "?b <http://example.org/test/value> ?y } LIMIT 4000"
    )
    response = requests.post(sparql_server.sparql, data={"query": query}, timeout=30)
    assert response.status_code == 413 and "bytes" in response.text


def test_cors_and_preflight(sparql_server) -> None:
    preflight = requests.options(
        sparql_server.sparql,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    simple = requests.get(
        sparql_server.sparql, params={"query": ASK_A1}, headers={"Origin": "https://x.example"}, timeout=10
    )
    assert simple.headers["Access-Control-Allow-Origin"] == "*"


def test_service_description_reports_limits(sparql_server) -> None:
    response = requests.get(sparql_server.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    graph = Graph().parse(data=response.content, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    kg = Namespace("https://w3id.org/kg/ns#")
    service = URIRef(sparql_server.sparql)
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert graph.value(service, kg.queryTimeLimit).toPython() == 2
    assert graph.value(service, kg.maxResultRows).toPython() == 5000
    assert graph.value(service, kg.maxQueryLength).toPython() == 20000
    formats = {str(o) for o in graph.objects(service, sd.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    assert "http://www.w3.org/ns/formats/N-Quads" in formats
    assert (service, sd.feature, sd.BasicFederatedQuery) not in graph


def test_health_and_access_log(sparql_server) -> None:
    health = requests.get(sparql_server.url + "/health", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["release"] == "r1"
    requests.get(sparql_server.sparql, params={"query": ASK_A1 + " # access-log-probe"}, timeout=10)
    records = []
    for line in sparql_server.log().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "kg.access" and "access-log-probe" in record.get("query", ""):
                records.append(record)
    assert records, "the request is in the access log"
    record = records[-1]
    assert record["status"] == 200 and record["path"] == "/sparql"
    assert record["query_ms"] >= 0 and record["duration_ms"] >= record["query_ms"]
    assert record["rows"] == 1 and record["release"] == "r1"


def test_xml_results_are_well_formed(sparql_server) -> None:
    response = requests.get(
        sparql_server.sparql, params={"query": TITLES}, headers={"Accept": "application/sparql-results+xml"}, timeout=10
    )
    root = ET.fromstring(response.content)
    names = [v.get("name") for v in root.iter(f"{SRX}variable")]
    assert names == ["article", "title"]
    assert len(list(root.iter(f"{SRX}result"))) == len(ARTICLES)
