"""The dataset description and the dumps, followed the way a client would: VoID -> dumps -> parse -> count."""

from __future__ import annotations

import gzip
import hashlib
import xml.etree.ElementTree as ET

import extruct
import pytest
import rdflib
import requests
from rdflib.namespace import RDF

from tests.test_linked_data_fixtures import BUILD_BASE, build_info, dump_graph

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SCHEMA = rdflib.Namespace("http://schema.org/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
PARSERS = {
    "application/n-quads": "nquads",
    "application/n-triples": "nt",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
}


@pytest.fixture(scope="module")
def void(ld_server) -> rdflib.Graph:
    response = requests.get(ld_server.url + "/.well-known/void", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")  # Turtle by default
    graph = rdflib.Graph()
    graph.parse(data=response.text, format="turtle")
    return graph


def _dataset(ld_server) -> rdflib.URIRef:
    return rdflib.URIRef(BUILD_BASE + "/id/dataset")  # named by its minted IRI, wherever it is served


def test_void_follows_to_every_dump_and_the_counts_hold(ld_server, void, sample_build):
    dataset = _dataset(ld_server)
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, rdflib.URIRef(ld_server.url + "/sparql")) in void
    dumps = sorted(void.objects(dataset, VOID.dataDump))
    listed = {d["file"]: d for d in build_info(sample_build)["dumps"]}
    assert {str(d).rsplit("/", 1)[-1] for d in dumps} == set(listed) and len(dumps) == 4
    sums = dict(
        line.split("  ")[::-1]
        for line in requests.get(ld_server.url + "/dumps/SHA256SUMS", timeout=10).text.splitlines()
    )
    merged = int(void.value(dataset, VOID.triples))
    for dump in dumps:
        response = requests.get(str(dump), timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/gzip"
        name = str(dump).rsplit("/", 1)[-1]
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == listed[name]["sha256"] == sums[name] == response.headers["ETag"].strip('"')
        said = int(void.value(dump, VOID.triples))
        media = str(void.value(dump, DCTERMS["format"]))
        data = gzip.decompress(response.content).decode("utf-8")
        if media == "application/n-quads":
            parsed = rdflib.Dataset()
            parsed.parse(data=data, format="nquads")
            count = len(list(parsed.quads((None, None, None, None))))
        else:
            parsed = rdflib.Graph()
            parsed.parse(data=data, format=PARSERS[media])
            count = len(parsed)
            assert count == merged  # the merged dumps hold the dataset's triples, each once
        assert count == said, name
        assert int(void.value(dump, DCAT.byteSize)) == len(response.content)


def test_dump_downloads_are_conditional_and_ranged(ld_server):
    url = ld_server.url + "/dumps/kg.nt.gz"
    first = requests.get(url, timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Accept-Ranges"] == "bytes"
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and not again.content
    since = requests.get(url, headers={"If-Modified-Since": modified}, timeout=10)
    assert since.status_code == 304
    ranged = requests.get(url, headers={"Range": "bytes=100-1099"}, timeout=10)
    assert ranged.status_code == 206
    assert ranged.content == first.content[100:1100]
    assert ranged.headers["Content-Range"] == f"bytes 100-1099/{len(first.content)}"
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(first.content) and not head.content
    for bad in ("/dumps/nope.nq.gz", "/dumps/..%2Fsecret.key", "/dumps/.hidden"):
        assert requests.get(ld_server.url + bad, timeout=10).status_code == 404


def test_void_statistics_match_the_kg(ld_server, void, sample_build):
    kg = dump_graph(sample_build)
    dataset = _dataset(ld_server)
    assert int(void.value(dataset, VOID.triples)) == len(kg)
    entities = {s for s in kg.subjects() if str(s).startswith(BUILD_BASE + "/id/")}
    assert int(void.value(dataset, VOID.entities)) == len(entities)
    classes = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert classes[SCHEMA.ScholarlyArticle] == len(set(kg.subjects(RDF.type, SCHEMA.ScholarlyArticle)))
    assert classes[SCHEMA.Person] == len(set(kg.subjects(RDF.type, SCHEMA.Person)))
    properties = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    assert properties[SCHEMA.headline] == len(list(kg.triples((None, SCHEMA.headline, None))))
    assert sum(properties.values()) == len(kg)
    assert rdflib.URIRef("http://schema.org/") in set(void.objects(dataset, VOID.vocabulary))
    assert void.value(dataset, DCTERMS.license) is not None
    assert str(void.value(dataset, VOID.uriSpace)) == BUILD_BASE + "/id/"
    examples = list(void.objects(dataset, VOID.exampleResource))
    assert examples
    for example in examples:  # examples are things this server dereferences
        assert str(example).startswith(BUILD_BASE + "/id/")
        local = ld_server.url + str(example)[len(BUILD_BASE) :]
        assert requests.get(local, allow_redirects=False, timeout=10).status_code == 303


def test_void_is_negotiable_and_the_dataset_iri_resolves(ld_server, void):
    response = requests.get(ld_server.url + "/.well-known/void", headers={"Accept": "application/ld+json"}, timeout=10)
    assert response.headers["Content-Type"].startswith("application/ld+json")
    graph = rdflib.Graph()
    graph.parse(data=response.text, format="json-ld")
    assert len(graph) == len(void)
    assert (
        requests.get(ld_server.url + "/.well-known/void", headers={"Accept": "image/png"}, timeout=10).status_code
        == 406
    )
    redirect = requests.get(ld_server.url + "/id/dataset", allow_redirects=False, timeout=10)
    assert redirect.status_code == 303 and redirect.headers["Location"] == ld_server.url + "/.well-known/void"


def test_dcat_catalog(ld_server, sample_build):
    response = requests.get(ld_server.url + "/catalog", timeout=10)
    graph = rdflib.Graph()
    graph.parse(data=response.text, format="turtle")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    dataset = graph.value(catalog, DCAT.dataset)
    assert dataset == _dataset(ld_server) and (dataset, RDF.type, DCAT.Dataset) in graph
    files = {d["file"]: d for d in build_info(sample_build)["dumps"]}
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(files)
    for distribution in distributions:
        name = str(graph.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert int(graph.value(distribution, DCAT.byteSize)) == files[name]["bytes"]
        assert str(graph.value(distribution, DCAT.mediaType)).endswith("/" + files[name]["media_type"])
        checksum = graph.value(distribution, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == files[name]["sha256"]
    service = graph.value(catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == rdflib.URIRef(ld_server.url + "/sparql")
    assert graph.value(service, DCAT.servesDataset) == dataset


def test_landing_page_with_dataset_jsonld(ld_server, sample_build):
    response = requests.get(ld_server.url + "/", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    data = extruct.extract(response.text, base_url=ld_server.url, syntaxes=["json-ld"], uniform=False)["json-ld"]
    dataset = next(item for item in data if item.get("@type") == "Dataset")
    assert dataset["name"] and dataset["description"]  # Google Dataset Search requires both
    urls = {d["contentUrl"] for d in dataset["distribution"]}
    assert urls == {f"{ld_server.url}/dumps/{d['file']}" for d in build_info(sample_build)["dumps"]}
    for link in ("/sparql", "/dumps/", "/.well-known/void", "/catalog", "/sitemap.xml", "/en/doc/journal/2476-6879"):
        assert f'href="{ld_server.url}{link}"' in response.text, link
    rdf = requests.get(ld_server.url + "/", headers={"Accept": "text/turtle"}, timeout=10)
    assert rdf.headers["Content-Type"].startswith("text/turtle") and "void:sparqlEndpoint" in rdf.text


def test_dumps_listing(ld_server, sample_build):
    listing = requests.get(ld_server.url + "/dumps/", timeout=10)
    assert listing.status_code == 200
    for dump in build_info(sample_build)["dumps"]:
        assert f'href="{ld_server.url}/dumps/{dump["file"]}"' in listing.text and dump["sha256"] in listing.text
    as_json = requests.get(ld_server.url + "/dumps/", headers={"Accept": "application/json"}, timeout=10).json()
    assert {d["file"]: d["sha256"] for d in as_json["dumps"]} == {
        d["file"]: d["sha256"] for d in build_info(sample_build)["dumps"]
    }


def test_sitemap_lists_every_article_page(ld_server, sample_build):
    kg = dump_graph(sample_build)
    articles = {str(a)[len(BUILD_BASE) + 3 :] for a in kg.subjects(RDF.type, SCHEMA.ScholarlyArticle)}
    response = requests.get(ld_server.url + "/sitemap.xml", timeout=10)
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert sorted(locs) == sorted(f"{ld_server.url}/{lang}/doc{path}" for path in articles for lang in ("fa", "en"))
    assert requests.get(locs[0], timeout=10).status_code == 200
    robots = requests.get(ld_server.url + "/robots.txt", timeout=10).text
    assert f"Sitemap: {ld_server.url}/sitemap.xml" in robots


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _count_default_graph(server) -> int:
    response = requests.get(
        server.sparql,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_void_and_the_service_description_count_the_default_graph(ld_server, void, sample_build):
    """Both say as many triples as COUNT(*) finds in the default graph (not the quads the build wrote)."""
    count = _count_default_graph(ld_server)
    assert int(void.value(_dataset(ld_server), VOID.triples)) == count
    description = rdflib.Graph()
    answer = requests.get(ld_server.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    description.parse(data=answer.text, format="turtle")
    said = [int(o) for o in description.objects(None, VOID.triples)]
    assert said == [count]
    assert build_info(sample_build)["counts"]["default_graph_triples"] == count
    assert build_info(sample_build)["counts"]["quads"] != count  # what the service description used to report


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
def test_a_browser_gets_turtle_it_displays(ld_server, path):
    """A browser's Accept (application/xml;q=0.9) must not pick RDF/XML, which browsers download."""
    response = requests.get(ld_server.url + path, headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    rdflib.Graph().parse(data=response.text, format="turtle")
    # an RDF client asking for RDF/XML still gets it
    xml = requests.get(ld_server.url + path, headers={"Accept": "application/rdf+xml"}, timeout=10)
    assert xml.headers["Content-Type"].startswith("application/rdf+xml")
