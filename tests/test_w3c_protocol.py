"""The W3C SPARQL 1.1 Protocol tests, run from their manifest against the real server.

Every ``mf:ProtocolTest`` of ``tests/w3c/sparql11-protocol/manifest.ttl`` is one test. Query tests must
give the manifest's status, format and boolean. The service is read-only, so every test that sends an
update (``update_*``) must be refused with a 4xx instead of its 2xx, and the checks that follow an update
must show that nothing changed; the ``bad_*`` tests must get their 4xx either way. The data files are in
the fixture release under the graph names the manifest gives.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.query import Result

pytest_plugins = ["tests.server_fixtures"]

MANIFEST = Path(__file__).parent / "w3c" / "sparql11-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
SRX = "{http://www.w3.org/2005/sparql-results#}"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
TABULAR_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: set[str]  # "2xx", "4xx", ...
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        body = (self.body or b"").decode("utf-8", "replace") if content_type != "text/plain" else ""
        return (
            content_type.startswith("application/sparql-update")
            or "update=" in self.path
            or "using-" in self.path
            or body.startswith("update=")
        )


@dataclass
class ProtocolTest:
    name: str
    label: str
    requests: list[HttpRequest] = field(default_factory=list)


def _load() -> list[ProtocolTest]:
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)))
        action = graph.value(entry, MF.action)
        for node in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(node, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
            body = None
            body_node = graph.value(node, HT.body)
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
            response = graph.value(node, HT.resp)
            statuses = {str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus)}
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            test.requests.append(
                HttpRequest(
                    method=str(graph.value(node, HT.methodName)),
                    path=str(graph.value(node, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    expected_status=statuses,
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,
                )
            )
        tests.append(test)
    return tests


TESTS = _load()


def test_the_manifest_is_read_completely() -> None:
    assert len(TESTS) == 34
    assert sum(1 for t in TESTS if any(r.is_update for r in t.requests)) == 13
    assert all(t.requests and all(r.expected_status for r in t.requests) for t in TESTS)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _boolean(response: requests.Response) -> bool:
    media = response.headers["Content-Type"].split(";")[0].strip()
    if media == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    if media == "application/sparql-results+xml":
        element = ET.fromstring(response.content).find(f"{SRX}boolean")
        assert element is not None
        return element.text.strip() == "true"
    raise AssertionError(f"a boolean result came as {media}")


def _check_format(response: requests.Response, expected: str) -> None:
    media = response.headers["Content-Type"].split(";")[0].strip()
    if expected == "boolean":
        assert isinstance(_boolean(response), bool)
    elif expected == "tabular":
        assert media in TABULAR_TYPES, media
        result = Result.parse(io.BytesIO(response.content), format=TABULAR_TYPES[media])
        assert result.type == "SELECT"
        assert [str(v) for v in result.vars] == ["value"]
        assert [int(row[0]) for row in result] == [1]
    elif expected == "RDF":
        assert media in RDF_TYPES, media
        Graph().parse(data=response.content, format=RDF_TYPES[media])  # parses, whatever it holds
    else:
        raise AssertionError(f"unknown expected format {expected}")


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(test: ProtocolTest, sparql_server) -> None:
    updating = False
    for index, req in enumerate(test.requests):
        url = sparql_server.url + req.path  # the manifest's /sparql/ is served as is
        response = requests.request(
            req.method, url, data=req.body, headers=req.headers, timeout=30, allow_redirects=False
        )
        status = _status_class(response.status_code)
        if req.is_update:
            # a read-only service: the update is refused, whatever the manifest expected of a full service
            assert status == "4xx", (test.name, index, response.status_code, response.text)
            assert response.text.strip(), "a refusal says why"
            updating = True
            continue
        assert status in req.expected_status, (test.name, index, response.status_code, response.text)
        if status != "2xx":
            assert response.text.strip(), "an error says why"
            continue
        if req.expected_format:
            _check_format(response, req.expected_format)
        if req.expected_boolean is not None:
            if updating:
                # the check after a refused update: the data did not change
                assert _boolean(response) is False
            else:
                assert _boolean(response) is req.expected_boolean


def test_update_tests_expect_success_from_a_full_service() -> None:
    """Guard for the rule above: the manifest expects 2xx for updates, we deliberately give 4xx."""
    update_tests = [t for t in TESTS if t.name.startswith("update_")]
    assert update_tests and all("2xx" in t.requests[0].expected_status for t in update_tests)


def test_service_description_manifest(sparql_server) -> None:
    """The three approved service-description tests: RDF on GET, an sd:endpoint triple, the SD schema."""
    response = requests.get(sparql_server.sparql, timeout=10)
    assert response.status_code == 200
    media = response.headers["Content-Type"].split(";")[0]
    graph = Graph().parse(data=response.content, format=RDF_TYPES[media])
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef(sparql_server.sparql)
    assert (None, sd.endpoint, endpoint) in graph
    service = graph.value(predicate=sd.endpoint, object=endpoint)
    assert (service, RDF.type, sd.Service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    dataset = graph.value(service, sd.defaultDataset)
    assert (dataset, RDF.type, sd.Dataset) in graph
    assert graph.value(dataset, sd.defaultGraph) is not None
