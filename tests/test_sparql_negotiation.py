"""Content negotiation: the HTTP rules in server/negotiation.py, then the Accept headers real clients send.

The clients' headers are taken from the clients themselves where they expose them (SPARQLWrapper,
rdflib), and copied from what they send on the wire otherwise (Comunica, rapper, curl, browsers).
"""

from __future__ import annotations

import pytest
import requests
from rdflib.plugins.stores.sparqlconnector import SPARQLConnector
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

from kg.server.negotiation import best_match, parse_accept

pytest_plugins = ["tests.server_fixtures"]

COMUNICA_RDF = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
    "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
    "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,text/shaclc-ext;q=0.05"
)
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"
RAPPER = "application/rdf+xml"

SELECT = "SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Document> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t ; a <http://xmlns.com/foaf/0.1/Document> }"


# ---- the rules ---------------------------------------------------------------------------------------------


def test_most_specific_range_wins_over_a_higher_wildcard() -> None:
    assert best_match("text/*;q=1, text/csv;q=0", ["text/csv", "text/turtle"]) == "text/turtle"
    assert best_match("*/*;q=0.1, text/turtle;q=0.9", ["application/ld+json", "text/turtle"]) == "text/turtle"


def test_q_zero_excludes_and_nothing_acceptable_is_none() -> None:
    assert best_match("text/turtle;q=0", ["text/turtle"]) is None
    assert best_match("image/png", ["text/turtle", "application/ld+json"]) is None
    assert best_match("*/*;q=0", ["text/turtle"]) is None


def test_higher_quality_wins_and_server_order_breaks_ties() -> None:
    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    assert best_match("text/csv;q=0.5, application/sparql-results+xml", offered) == offered[1]
    assert best_match("*/*", offered) == offered[0]
    assert best_match(None, offered) == offered[0]
    assert best_match("", offered) == offered[0]
    # equal q: an exact match beats a wildcard match, whatever the server's order
    assert best_match("text/html, */*", ["text/turtle", "text/html"]) == "text/html"


def test_parameters_case_and_malformed_elements() -> None:
    assert best_match("Text/Turtle; charset=UTF-8; q=0.8", ["text/turtle"]) == "text/turtle"
    assert (
        best_match("garbage, text/turtle;q=abc, application/ld+json;q=0.4", ["text/turtle", "application/ld+json"])
        == "application/ld+json"
    )
    ranges = parse_accept("text/turtle;q=0.5;level=1, */*;q=0.1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "turtle", 0.5), ("*", "*", 0.1)]


# ---- real clients against the server ------------------------------------------------------------------------


def _sparqlwrapper_accept(query: str, return_format: str) -> str:
    wrapper = SPARQLWrapper("http://example.org/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    return wrapper._getAcceptHeader()  # what SPARQLWrapper puts on the wire


def _rdflib_accept(return_format: str) -> str:
    return SPARQLConnector(query_endpoint="http://example.org/sparql", returnFormat=return_format).response_mime_types()


CASES = [
    # (client, query, Accept, expected media type)
    ("SPARQLWrapper JSON", SELECT, _sparqlwrapper_accept(SELECT, JSON), "application/sparql-results+json"),
    ("SPARQLWrapper XML", SELECT, _sparqlwrapper_accept(SELECT, XML), "application/sparql-results+xml"),
    ("SPARQLWrapper CSV", SELECT, _sparqlwrapper_accept(SELECT, CSV), "text/csv"),
    ("SPARQLWrapper TSV", SELECT, _sparqlwrapper_accept(SELECT, TSV), "text/tab-separated-values"),
    ("SPARQLWrapper Turtle", CONSTRUCT, _sparqlwrapper_accept(CONSTRUCT, TURTLE), "text/turtle"),
    ("SPARQLWrapper JSON-LD", CONSTRUCT, _sparqlwrapper_accept(CONSTRUCT, JSONLD), "application/ld+json"),
    ("SPARQLWrapper RDF/XML", CONSTRUCT, _sparqlwrapper_accept(CONSTRUCT, XML), "application/rdf+xml"),
    ("rdflib xml", SELECT, _rdflib_accept("xml"), "application/sparql-results+xml"),
    ("rdflib json", SELECT, _rdflib_accept("json"), "application/sparql-results+json"),
    ("rdflib csv", SELECT, _rdflib_accept("csv"), "text/csv"),
    ("Comunica RDF", CONSTRUCT, COMUNICA_RDF, "application/n-quads"),
    ("Comunica bindings", SELECT, "application/sparql-results+json", "application/sparql-results+json"),
    ("rapper", CONSTRUCT, RAPPER, "application/rdf+xml"),
    ("curl select", SELECT, CURL, "application/sparql-results+json"),
    ("curl construct", CONSTRUCT, CURL, "text/turtle"),
    ("no Accept", SELECT, None, "application/sparql-results+json"),
    ("Chrome select", SELECT, CHROME, "text/html"),
    ("Firefox construct", CONSTRUCT, FIREFOX, "text/html"),
]


@pytest.mark.parametrize(("client", "query", "accept", "expected"), CASES, ids=[c[0] for c in CASES])
def test_real_client_accept_headers(client: str, query: str, accept: str | None, expected: str, sparql_server) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    session = requests.Session()
    if accept is None:
        session.headers.pop("Accept", None)
    response = session.get(sparql_server.sparql, params={"query": query}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]


def test_406_when_nothing_fits(sparql_server) -> None:
    for query, accept in [
        (SELECT, "image/png"),
        (CONSTRUCT, "text/csv"),
        (SELECT, "text/turtle"),
        (SELECT, "application/sparql-results+json;q=0, text/csv;q=0"),
    ]:
        response = requests.get(sparql_server.sparql, params={"query": query}, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 406, (query, accept, response.status_code)
        assert "Accept" in response.headers["Vary"]
        assert response.text.strip()


def test_format_parameter_overrides_accept(sparql_server) -> None:
    response = requests.get(
        sparql_server.sparql, params={"query": SELECT, "format": "csv"}, headers={"Accept": CHROME}, timeout=10
    )
    assert response.headers["Content-Type"].split(";")[0] == "text/csv"
    lines = response.text.splitlines()
    assert lines[0] == "s" and len(lines) == 4
    response = requests.get(sparql_server.sparql, params={"query": CONSTRUCT, "format": "nquads"}, timeout=10)
    assert response.headers["Content-Type"].split(";")[0] == "application/n-quads"


def test_service_description_negotiation(sparql_server) -> None:
    """Without a query: RDF for machines (Comunica gets N-Quads, rapper RDF/XML), the page for browsers."""
    expected = {
        CURL: "text/turtle",
        COMUNICA_RDF: "application/n-quads",
        RAPPER: "application/rdf+xml",
        "application/ld+json": "application/ld+json",
        CHROME: "text/html",
        FIREFOX: "text/html",
    }
    for accept, media in expected.items():
        response = requests.get(sparql_server.sparql, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media, accept
        assert "Accept" in response.headers["Vary"]
    assert requests.get(sparql_server.sparql, headers={"Accept": "text/csv"}, timeout=10).status_code == 406
