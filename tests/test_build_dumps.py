"""Dumps, vocabulary coverage, determinism and re-import, checked by parsing and querying."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld
from pyoxigraph import Quad, RdfFormat, Store, parse

from kg.build import BuildOptions, build
from kg.publish.dumps import verify_checksums
from tests.conftest import CORPUS, ROOT, SEED, TEST_SECRET, VOCAB

RUNS_GRAPH = "https://kg.example.org/graph/runs"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def options(**overrides) -> BuildOptions:
    settings = {"secret": TEST_SECRET.encode(), "processes": 1, "validate": False, "progress": False}
    settings.update(overrides)
    return BuildOptions(**settings)


def dump_quads(out: Path, name: str = "kg.nq.gz") -> list[Quad]:
    return list(parse(gzip.decompress((out / "dumps" / name).read_bytes()), format=RdfFormat.N_QUADS))


def article_triples(out: Path) -> set[tuple[str, str, str, str]]:
    """Every quad outside the runs graph (whose times change from run to run), as strings."""
    return {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in dump_quads(out)
        if str(q.graph_name) != f"<{RUNS_GRAPH}>"
    }


def offline_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader: only the cached schema.org context, nothing from the web."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        document = json.loads((VOCAB / "schemaorg-context.jsonld").read_text(encoding="utf-8"))
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}
    raise jsonld.JsonLdError(f"offline: refusing to load {url}", "loading document failed")


def test_dumps_describe_the_same_triples(sample_build: Path) -> None:
    nquads = {(str(q.subject), str(q.predicate), str(q.object)) for q in dump_quads(sample_build)}
    ntriples = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in parse(gzip.decompress((sample_build / "dumps" / "kg.nt.gz").read_bytes()), format=RdfFormat.N_TRIPLES)
    }
    turtle = rdflib.Graph().parse(
        data=gzip.decompress((sample_build / "dumps" / "kg.ttl.gz").read_bytes()), format="turtle"
    )
    turtle_set = {(t[0].n3(), t[1].n3(), t[2].n3()) for t in turtle}
    document = json.loads(gzip.decompress((sample_build / "dumps" / "kg.jsonld.gz").read_bytes()))
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    dataset = jsonld.to_rdf(expanded, {"format": "application/n-quads", "documentLoader": offline_loader})
    jsonld_set = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in parse(dataset.encode("utf-8"), format=RdfFormat.N_QUADS)
    }
    assert len(nquads) > 1000
    assert ntriples == nquads
    assert jsonld_set == nquads
    assert len(turtle_set) == len(nquads) == len(turtle)
    # rdflib and oxigraph spell literals alike for this data; compare the sets exactly
    assert {(t[0].n3(), t[1].n3()) for t in turtle} == {(s, p) for s, p, _ in nquads}


def test_dump_counts_and_checksums(sample_build: Path) -> None:
    assert verify_checksums(sample_build / "dumps")
    facts = json.loads((sample_build / "current" / "build.json").read_text(encoding="utf-8"))
    by_file = {dump["file"]: dump for dump in facts["dumps"]}
    assert set(by_file) == {"kg.nq.gz", "kg.nt.gz", "kg.ttl.gz", "kg.jsonld.gz"}
    assert by_file["kg.nq.gz"]["triples"] == len(dump_quads(sample_build))
    graphs = {str(q.graph_name) for q in dump_quads(sample_build)}
    assert len(graphs) == 19 + 1  # one per article, plus the runs graph


def vocabulary_terms() -> set[str]:
    graph = rdflib.Graph()
    for path in sorted(VOCAB.glob("*.ttl")):
        graph.parse(path, format="turtle")
    for path in sorted(VOCAB.glob("*.rdf")):
        graph.parse(path, format="xml")
    graph.parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    defined = {str(s) for s in graph.subjects(rdflib.RDF.type, None)}
    defined |= {term.replace("https://schema.org/", "http://schema.org/") for term in defined}
    # SKOS labels have no saved file (vocab README note 4); W3C built-ins
    defined |= {
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#altLabel",
        RDF_TYPE,
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2002/07/owl#sameAs",  # an alias of a thing (kg.identity)
    }
    return defined


def test_every_class_and_property_is_defined(sample_build: Path) -> None:
    defined = vocabulary_terms()
    used_properties = {q.predicate.value for q in dump_quads(sample_build)}
    used_classes = {q.object.value for q in dump_quads(sample_build) if q.predicate.value == RDF_TYPE}
    datatypes = {
        q.object.datatype.value
        for q in dump_quads(sample_build)
        if hasattr(q.object, "datatype")
        and q.object.datatype is not None
        and not q.object.datatype.value.startswith(
            ("http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
        )
    }
    assert used_properties - defined == set()
    assert used_classes - defined == set()
    assert datatypes - defined == set()
    assert len(used_properties) > 60 and len(used_classes) > 20


def test_rebuild_is_deterministic_and_order_free(tmp_path: Path) -> None:
    first = tmp_path / "first"
    build([SEED, CORPUS], first, options())
    first_dump = (first / "dumps" / "kg.nq.gz").read_bytes()
    first_triples = article_triples(first)
    build([SEED, CORPUS], first, options(force=True))  # again, over the same folder, reading every file
    assert article_triples(first) == first_triples
    second_dump = (first / "dumps" / "kg.nq.gz").read_bytes()
    # only the runs graph (times of each run) may differ
    strip = [line for line in gzip.decompress(second_dump).splitlines() if RUNS_GRAPH.encode() not in line]
    assert strip == [line for line in gzip.decompress(first_dump).splitlines() if RUNS_GRAPH.encode() not in line]
    reverse = tmp_path / "reverse"
    files = sorted(CORPUS.glob("*.xml"), reverse=True) + [SEED]
    build(files, reverse, options(processes=2))
    assert article_triples(reverse) == first_triples


def test_newer_export_replaces_exactly_its_article(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEED, CORPUS], out, options())
    before = article_triples(out)
    newer = tmp_path / "newer" / "a968-corrected.xml"
    newer.parent.mkdir()
    text = SEED.read_text(encoding="utf-8").replace("<end_page>373</end_page>", "<end_page>374</end_page>")
    newer.write_text(text, encoding="utf-8")
    build([newer], out, options())
    after = article_triples(out)
    graph = "<https://kg.example.org/graph/journal/2476-6879/article/A-10-968-1>"
    assert {q for q in before if q[3] != graph} == {q for q in after if q[3] != graph}
    pages = {q[2] for q in after if q[3] == graph and q[1] == "<http://schema.org/pageEnd>"}
    assert pages == {'"374"'}
    store = Store.read_only(str(out / "current" / "store"))
    sources = [
        row["name"].value
        for row in store.query(
            f"SELECT ?name WHERE {{ GRAPH {graph} {{ {graph} <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . "
            "?s <http://purl.org/dc/terms/identifier> ?name } }"
        )
    ]
    assert sources == ["a968-corrected.xml"]


@pytest.mark.parametrize("processes", [1, 2])
def test_served_release_is_swapped_atomically(tmp_path: Path, processes: int) -> None:
    out = tmp_path / "out"
    first = build([SEED], out, options(processes=processes)).release_dir
    assert (out / "current").resolve() == first.resolve()
    second = build([SEED, CORPUS], out, options(processes=processes)).release_dir
    assert (out / "current").resolve() == second.resolve() and first != second
    assert (first / "store").is_dir()  # the previous release stays readable for a running server
    old = Store.read_only(str(first / "store"))
    new = Store.read_only(str(out / "current" / "store"))
    assert len(list(old.named_graphs())) == 1 + 1 and len(list(new.named_graphs())) == 19 + 1
