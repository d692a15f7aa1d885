"""Issue 14, part 3: the same article from two formats is one article, its facts merged with provenance.

The seed (a journal export) and the hand-written PubMed rendering of its article
(``tests/fixtures/pubmed/mshsj-a968-pubmed.xml``) are built together and served. Over HTTP: one article,
journal, issue and set of authors; the history dates and the PMID from the PubMed file, the bilingual titles
and abstracts from the journal export, each triple in a named graph that names its source file; the report
lists where the two disagree; ``kg validate --store`` finds nothing. ``kg withdraw`` of the PubMed file
takes only its facts away (the article graph is unchanged, the OAI-PMH datestamp moves); withdrawing the
journal export too leaves a tombstone (410 Gone). Without a server: the order the two files come in, in one
build or two, gives the same graph, either file built alone again keeps the other's facts, and withdrawing
the journal export brings the PubMed copy back whole.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from kg.build import BuildOptions, build
from kg.cli import main
from kg.publish.layout import Layout
from tests.conftest import ROOT, SEED, TEST_SECRET
from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

BASE = "https://kg.example.org"
PUBMED = ROOT / "tests" / "fixtures" / "pubmed" / "mshsj-a968-pubmed.xml"
GRAPH = f"{BASE}/graph/journal/2476-6879/article/A-10-968-1"
ARTICLE = GRAPH.replace("/graph/", "/id/", 1)
PATH = ARTICLE.split("/id/", 1)[1]
PREFIXES = """PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX datacite: <http://purl.org/spar/datacite/> PREFIX kg: <https://w3id.org/kg/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> """
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    seed, pubmed = folder / "seed.xml", folder / "pubmed.xml"
    shutil.copy(SEED, seed)
    shutil.copy(PUBMED, pubmed)
    return seed, pubmed


def _build(files: list[Path], out: Path) -> int:
    options = BuildOptions(base=BASE, secret=TEST_SECRET.encode(), processes=1, progress=False)
    return build(files, out, options).exit_code


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path, Path, Path]]:
    """(server, DIR, seed, pubmed) after building the seed and its PubMed rendering together."""
    seed, pubmed = _inputs(tmp_path_factory.mktemp("merge-inputs"))
    out = tmp_path_factory.mktemp("merge-out")
    assert _build([seed, pubmed], out) == 0
    server = start_server(out, tmp_path_factory.mktemp("merge-server"), {"server": {"workers": 1}})
    yield server, out, seed, pubmed
    server.stop()


def _rows(server: RunningServer, query: str) -> list[dict[str, str]]:
    answer = requests.get(
        server.sparql,
        params={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _sources(server: RunningServer, pattern: str) -> list[tuple[str, str]]:
    """(value, the name of the source file of the graph stating it) for ``pattern`` binding ?v."""
    query = f"""SELECT ?v ?name WHERE {{ GRAPH ?g {{ {pattern} ?g prov:wasDerivedFrom ?src .
                ?src dcterms:identifier ?name }} }} ORDER BY ?v"""
    return [(row["v"], row["name"]) for row in _rows(server, query)]


def _report(out: Path) -> dict:
    return json.loads(Layout(out).current_release().report.read_text(encoding="utf-8"))


def _oai_header(server: RunningServer) -> etree._Element:
    answer = requests.get(
        server.url + "/oai",
        params={"verb": "GetRecord", "identifier": ARTICLE, "metadataPrefix": "oai_dc"},
        timeout=10,
    )
    header = etree.fromstring(answer.content).find(f".//{OAI}header")
    assert header is not None, answer.text
    return header


def _graph_quads(server: RunningServer, graph: str) -> set[tuple[str, str, str]]:
    rows = _rows(server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {(row["s"], row["p"], row["o"]) for row in rows}


def _supplement(out: Path) -> str:
    (merge,) = _report(out)["merged"]["merges"]
    return merge["supplement"]


def test_one_article_with_the_facts_of_both(served: tuple[RunningServer, Path, Path, Path]) -> None:
    server, out, _, _ = served
    count = "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {} }}"
    for pattern in (
        "?x a schema:ScholarlyArticle",
        "?x a schema:Periodical",
        "?x a schema:PublicationIssue",
        "?x a schema:Person",
        f"<{ARTICLE}> schema:author ?x",
    ):
        assert _rows(server, count.format(pattern)) == [{"n": "1"}], pattern
    # the history dates and the PMID from the PubMed file, in its supplement graph
    assert _sources(server, f"<{ARTICLE}> fabio:hasDateReceived|dcterms:dateAccepted|kg:dateRevised ?v .") == [
        ("2025-10-12", "pubmed.xml"),
        ("2025-12-20", "pubmed.xml"),
        ("2026-01-05", "pubmed.xml"),
    ]
    assert _sources(server, f"<{ARTICLE}> datacite:hasIdentifier/schema:value ?v . FILTER(?v = '41234567')") == [
        ("41234567", "pubmed.xml")
    ]
    # the bilingual titles and abstracts from the journal export, one per language
    titles = _sources(server, f"<{ARTICLE}> schema:headline ?v .")
    assert len(titles) == 2 and {name for _, name in titles} == {"seed.xml"}
    abstracts = _sources(server, f"<{ARTICLE}> schema:abstract|dcterms:abstract ?v .")
    assert len({value for value, _ in abstracts}) == 2 and {name for _, name in abstracts} == {"seed.xml"}
    # every triple of every article graph is in a graph that names its source file
    graphs = _rows(
        server,
        """SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?name) AS ?file) WHERE { GRAPH ?g { ?s ?p ?o }
           OPTIONAL { GRAPH ?g { ?g prov:wasDerivedFrom/dcterms:identifier ?name } } }
           GROUP BY ?g ORDER BY ?g""",
    )
    supplement = _supplement(out)
    assert [(row["g"], row.get("file")) for row in graphs] == [
        (GRAPH, "seed.xml"),
        (supplement, "pubmed.xml"),
        (f"{BASE}/graph/runs", None),
    ]
    # the article's document has the facts of both; the supplement graph is a document of its own, and in the dumps
    document = requests.get(server.url + f"/doc/{PATH}", headers={"Accept": "application/n-triples"}, timeout=10)
    assert document.status_code == 200 and "2025-10-12" in document.text and "41234567" in document.text
    answer = requests.get(server.url + supplement.removeprefix(BASE), headers={"Accept": "text/turtle"}, timeout=10)
    assert answer.status_code == 200 and "2025-10-12" in answer.text
    with gzip.open(Layout(out).current_release().dumps / "kg.nq.gz", "rt", encoding="utf-8") as handle:
        assert any(line.rstrip().endswith(f"<{supplement}> .") and "hasDateReceived" in line for line in handle)


def test_the_report_names_the_disagreements(served: tuple[RunningServer, Path, Path, Path]) -> None:
    _, out, _, _ = served
    merged = _report(out)["merged"]
    (merge,) = merged["merges"]
    assert Path(merge["file"]).name == "pubmed.xml" and Path(merge["primary"]).name == "seed.xml"
    assert merge["article"] == ARTICLE and merge["format"] == "PubMed ArticleSet"
    fields = {(d["subject"], d["field"], d.get("lang", "")) for d in merge["disagreements"]}
    assert (ARTICLE, "http://schema.org/abstract", "en") in fields
    assert (f"{ARTICLE}/author/1", "http://purl.org/spar/pro/isHeldBy", "") in fields  # an ORCID-keyed person
    assert merged["disagreements"] == len(merge["disagreements"])
    assert main(["validate", "--store", str(out)]) == 0


def test_withdrawing_the_pubmed_file_takes_only_its_facts(served: tuple[RunningServer, Path, Path, Path]) -> None:
    server, out, _, pubmed = served
    supplement = _supplement(out)
    article_graph = _graph_quads(server, GRAPH)
    datestamp = _oai_header(server).findtext(f"{OAI}datestamp")
    time.sleep(1.1)  # datestamps have seconds: the withdrawal's must differ
    assert main(["withdraw", str(out), str(pubmed), "--quiet"]) == 0
    server.wait_for_current()
    assert _graph_quads(server, GRAPH) == article_graph
    assert _graph_quads(server, supplement) == set()
    assert _rows(server, f"SELECT ?v WHERE {{ <{ARTICLE}> fabio:hasDateReceived ?v }}") == []
    assert _rows(server, "SELECT ?v WHERE { ?i schema:value ?v FILTER(?v = '41234567') }") == []
    assert requests.get(server.url + f"/id/{PATH}", allow_redirects=False, timeout=10).status_code == 303
    header = _oai_header(server)
    assert header.get("status") is None and header.findtext(f"{OAI}datestamp") != datestamp
    entry = next(f for f in _report(out)["files"] if Path(f["path"]).name == "pubmed.xml")
    assert entry["status"] == "withdrawn"
    assert [(a["status"], a["supplement"]) for a in entry["articles"]] == [("withdrawn_supplement", supplement)]
    assert main(["validate", "--store", str(out)]) == 0


def test_withdrawing_the_journal_export_too_leaves_a_tombstone(
    served: tuple[RunningServer, Path, Path, Path],
) -> None:
    server, out, seed, _ = served
    assert main(["withdraw", str(out), str(seed), "--reason", "retracted", "--quiet"]) == 0
    server.wait_for_current()
    gone = requests.get(server.url + f"/id/{PATH}", allow_redirects=False, timeout=10)
    assert gone.status_code == 410 and gone.json()["reason"] == "retracted"
    assert _rows(server, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/article/')) }") == []
    assert _oai_header(server).get("status") == "deleted"


def _article_lines(out: Path) -> list[str]:
    """The dump's article graphs (the runs graph left out: its times differ from build to build)."""
    with gzip.open(Layout(out).current_release().dumps / "kg.nq.gz", "rt", encoding="utf-8") as handle:
        return sorted(line for line in handle if "/graph/journal/" in line.rsplit(" <", 1)[-1])


def test_any_order_gives_one_graph_and_the_pubmed_copy_comes_back_whole(tmp_path: Path) -> None:
    seed, pubmed = _inputs(tmp_path / "in")
    assert _build([seed, pubmed], tmp_path / "once") == 0
    once = _article_lines(tmp_path / "once")
    for first in (seed, pubmed):  # one file built first, the other added by a later build
        out = tmp_path / f"after-{first.stem}"
        assert _build([first], out) == 0
        assert _build([seed, pubmed], out) == 0
        assert _article_lines(out) == once, first.name
    # builds are additive: either file given alone again keeps the other's facts
    out = tmp_path / "after-seed"
    assert _build([pubmed], out) == 0
    assert _article_lines(out) == once
    seed.write_bytes(seed.read_bytes() + b"\n")  # a new version of the export, built alone
    assert _build([seed], out) == 0
    assert [line for line in _article_lines(out) if "hasDateReceived" in line] == [
        line for line in once if "hasDateReceived" in line
    ]
    shutil.copy(SEED, seed)
    out = tmp_path / "after-pubmed"
    assert main(["withdraw", str(out), str(seed), "--quiet"]) == 0
    lines = _article_lines(out)
    assert lines and all(line.rstrip().endswith(f"<{GRAPH}> .") for line in lines)  # no supplement left
    assert any("hasDateReceived" in line for line in lines)  # the PubMed copy, whole, is the article graph
    assert any("mshsj-a968-pubmed.xml" not in line and '"pubmed.xml"' in line for line in lines)
    entry = next(f for f in _report(out)["files"] if Path(f["path"]).name == "seed.xml")
    assert entry["articles"][0]["status"] == "withdrawn_copy_back"
