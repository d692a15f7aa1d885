"""``kg withdraw`` (``kg.publish.withdraw``) over a real build and a running server, checked over HTTP.

The seed, a second copy of it (one byte more: another file, the same article) and one corpus file are
built; then the corpus file is withdrawn with the command line: its article leaves the SPARQL data and the
dumps, its IRI answers 410 Gone with the reason, OAI-PMH reports it deleted and ``/dumps/`` lists it. The
file built again is published again. Withdrawing the seed copy that won brings the other copy back. A file
the folder never published is refused, naming it, and nothing changes.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from kg.build import BuildOptions, build
from kg.cli import main
from kg.publish.layout import Layout
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

BASE = "https://kg.example.org"
REASON = "retracted at the authors' request"
OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path, Path]]:
    """(server, DIR, inputs folder) after building the seed, its copy and one corpus file."""
    inputs = tmp_path_factory.mktemp("withdraw-inputs")
    shutil.copy(SEED, inputs / "seed.xml")
    (inputs / "seed-copy.xml").write_bytes(SEED.read_bytes() + b"\n")
    shutil.copy(CORPUS / "jmums-xml_out-12124.xml", inputs / "jmums.xml")
    out = tmp_path_factory.mktemp("withdraw-out")
    assert _build(sorted(inputs.iterdir()), out) == 0
    # one worker: once it serves the new release, every answer is from it (two reload independently)
    server = start_server(out, tmp_path_factory.mktemp("withdraw-server"), {"server": {"workers": 1}})
    yield server, out, inputs
    server.stop()


def _build(files: list[Path], out: Path) -> int:
    return build(files, out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False)).exit_code


def _report(out: Path) -> dict:
    return json.loads(Layout(out).current_release().report.read_text(encoding="utf-8"))


def _graphs(out: Path, name: str, status: str = "published") -> list[str]:
    """The article graphs the file ``name`` has with ``status`` in the current release's report."""
    return [
        a["graph"]
        for f in _report(out)["files"]
        if Path(f["path"]).name == name
        for a in f["articles"]
        if a["status"] == status
    ]


def _ask(server: RunningServer, query: str) -> bool:
    answer = requests.get(
        server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def _dump_lines(out: Path) -> list[str]:
    with gzip.open(Layout(out).current_release().dumps / "kg.nq.gz", "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def _oai_status(server: RunningServer, iri: str) -> str | None:
    answer = requests.get(
        server.url + "/oai",
        params={"verb": "GetRecord", "identifier": iri, "metadataPrefix": "oai_dc"},
        timeout=10,
    )
    assert answer.status_code == 200
    header = etree.fromstring(answer.content).find(f".//{OAI}header")
    assert header is not None, answer.text
    return header.get("status")


def _found(server: RunningServer, words: str) -> list[str]:
    answer = requests.get(server.url + "/api/search", params={"q": words}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [BASE + "/id/" + _path(hit["iri"]) for hit in answer.json()["results"]]  # as minted


def _path(iri: str) -> str:
    return iri.split("/id/", 1)[1]


def test_withdraw_makes_a_tombstone(served: tuple[RunningServer, Path, Path]) -> None:
    server, out, inputs = served
    (graph,) = _graphs(out, "jmums.xml")
    article = graph.replace("/graph/", "/id/", 1)
    assert _ask(server, f"ASK {{ <{article}> ?p ?o }}")
    assert article in _found(server, "لیشمانیوز")  # a word of its title
    before = Layout(out).current.resolve().name

    assert main(["withdraw", str(out), str(inputs / "jmums.xml"), "--reason", REASON, "--quiet"]) == 0
    assert Layout(out).current.resolve().name != before  # a new release
    server.wait_for_current()

    # SPARQL: none of its triples, in its graph or in the default graph
    assert not _ask(server, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert not _ask(server, f"ASK {{ <{article}> ?p ?o }}")
    assert _ask(server, "ASK { ?a a <http://schema.org/ScholarlyArticle> }")  # the seed's article stays
    assert article not in _found(server, "لیشمانیوز")  # the search index follows
    # the dumps: neither its graph nor its article
    lines = _dump_lines(out)
    assert lines and not [line for line in lines if f"<{graph}>" in line or line.startswith(f"<{article}>")]
    # its IRI, document and page: 410 with the date and the reason
    for url in (f"/id/{_path(article)}", f"/doc/{_path(article)}", f"/en/doc/{_path(article)}"):
        gone = requests.get(server.url + url, allow_redirects=False, timeout=10)
        assert gone.status_code == 410, (url, gone.status_code)
        assert gone.json()["reason"] == REASON and gone.json()["withdrawn"].startswith("20")
    page = requests.get(server.url + f"/en/doc/{_path(article)}", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 410 and "text/html" in page.headers["Content-Type"]
    assert etree.HTML(page.content).findtext(".//p").endswith(REASON)
    # OAI-PMH: deleted
    assert _oai_status(server, article) == "deleted"
    # /dumps/ lists the withdrawn articles; the report says which file and article were withdrawn
    listing = requests.get(server.url + "/dumps/", headers={"Accept": "application/json"}, timeout=10).json()
    assert listing["withdrawn"]["articles"] == 1
    tombstones = requests.get(listing["withdrawn"]["url"].replace(BASE, server.url), timeout=10).json()
    assert [(t["iri"], t["reason"]) for t in tombstones["withdrawn"]] == [(article, REASON)]
    assert "withdrawn.json" in requests.get(server.url + "/dumps/", timeout=10).text
    entry = next(f for f in _report(out)["files"] if Path(f["path"]).name == "jmums.xml")
    assert entry["status"] == "withdrawn" and entry["articles"][0]["status"] == "withdrawn"


def test_unknown_file_is_refused(served: tuple[RunningServer, Path, Path], capsys: pytest.CaptureFixture) -> None:
    server, out, inputs = served
    before = Layout(out).current.resolve().name
    stray = inputs.parent / "never-built.xml"
    stray.write_bytes(SEED.read_bytes())
    assert main(["withdraw", str(out), str(inputs / "seed.xml"), str(stray)]) == 1
    assert str(stray) in capsys.readouterr().err
    assert Layout(out).current.resolve().name == before
    ledger = Layout(out).ledger.read_text(encoding="utf-8")  # nothing was withdrawn: every file still in it
    assert all(str((inputs / name).resolve()) in ledger for name in ("seed.xml", "seed-copy.xml"))
    assert _ask(server, "ASK { ?a a <http://schema.org/ScholarlyArticle> }")


def test_built_again_is_published_again(served: tuple[RunningServer, Path, Path]) -> None:
    server, out, inputs = served
    assert _build([inputs / "jmums.xml"], out) == 0
    server.wait_for_current()
    (graph,) = _graphs(out, "jmums.xml")
    article = graph.replace("/graph/", "/id/", 1)
    assert _ask(server, f"ASK {{ GRAPH <{graph}> {{ <{article}> ?p ?o }} }}")
    assert requests.get(server.url + f"/id/{_path(article)}", allow_redirects=False, timeout=10).status_code == 303
    assert any(line.startswith(f"<{article}>") for line in _dump_lines(out))
    assert _oai_status(server, article) is None
    assert requests.get(server.url + "/dumps/withdrawn.json", timeout=10).json() == {"withdrawn": []}


def test_superseded_copy_comes_back(served: tuple[RunningServer, Path, Path]) -> None:
    server, out, inputs = served
    ledger = [json.loads(line) for line in Layout(out).ledger.read_text(encoding="utf-8").splitlines()[1:]]
    held = {
        Path(line["path"]).name: a["status"]
        for line in ledger
        if Path(line["path"]).name.startswith("seed")
        for a in line["entry"]["articles"]
    }
    winner = next(name for name, status in held.items() if status == "published")
    loser = next(name for name, status in held.items() if status == "superseded")
    assert main(["withdraw", str(out), str(inputs / winner), "--quiet"]) == 0
    server.wait_for_current()
    (graph,) = _graphs(out, loser)  # read again and published
    article = graph.replace("/graph/", "/id/", 1)
    assert _ask(server, f"ASK {{ GRAPH <{graph}> {{ <{article}> ?p ?o }} }}")
    assert requests.get(server.url + f"/id/{_path(article)}", allow_redirects=False, timeout=10).status_code == 303
    entry = next(f for f in _report(out)["files"] if Path(f["path"]).name == winner)
    assert entry["articles"][0]["status"] == "withdrawn_copy_back"
    assert requests.get(server.url + "/dumps/withdrawn.json", timeout=10).json() == {"withdrawn": []}
