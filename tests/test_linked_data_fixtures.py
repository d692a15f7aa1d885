"""Fixtures for the linked-data tests (loaded with ``pytest_plugins``; this module holds no tests).

* ``ld_server``: the real server (gunicorn subprocess) over ``sample_build`` (seed + corpus, built with base
  https://kg.example.org), reached on 127.0.0.1: every response must point to 127.0.0.1, not the build base.
* ``fixture_build`` / ``fixture_server``: a small corpus made from copies of the seed export: the seed, a
  second article by the same author (same e-mail, so the same person IRI) and a third one whose titles hold
  ``</script><script>alert(1)</script>``.
* ``dump_graph``: the merged N-Triples dump of a build as an rdflib graph, to compare responses with the KG.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib

from tests.conftest import SEED, TEST_SECRET
from tests.server_fixtures import RunningServer, start_server

BUILD_BASE = "https://kg.example.org"
SEED_ARTICLE = "/id/journal/2476-6879/article/A-10-968-1"
SECOND_ARTICLE = "/id/journal/2476-6879/article/A-10-968-2"
EVIL_ARTICLE = "/id/journal/2476-6879/article/A-10-968-3"
EVIL = "</script><script>alert(1)</script>"
SECOND_TITLE_EN = "Second article of the same author on hospital data"
SETTINGS = {"sparql": {"timeout": 10.0}}


def variant(source: str, code: str, title_en: str, title_fa: str) -> str:
    """The seed export with another article code (so another article IRI) and other titles (XML-escaped)."""

    def xml(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out = source.replace("a_code=A-10-968-1", f"a_code={code}")
    start = out.index("<title_fa>", out.index("<articleset>"))
    end = out.index("</title>", start) + len("</title>")
    titles = f"<title_fa>{xml(title_fa)}</title_fa>\n\t<title>{xml(title_en)}</title>"
    return out[:start] + titles + out[end:]


@pytest.fixture(scope="session")
def ld_server(sample_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(sample_build, tmp_path_factory.mktemp("ld-server"), SETTINGS)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build import BuildOptions, build

    inputs = tmp_path_factory.mktemp("ld-inputs")
    source = SEED.read_text(encoding="utf-8")
    (inputs / "a968-1.xml").write_text(source, encoding="utf-8")
    (inputs / "a968-2.xml").write_text(
        variant(source, "A-10-968-2", SECOND_TITLE_EN, "مقالهٔ دوم همان نویسنده دربارهٔ داده‌های بیمارستان"),
        encoding="utf-8",
    )
    (inputs / "a968-3.xml").write_text(
        variant(source, "A-10-968-3", f"Digital twins {EVIL} & <b>more</b>", "دوقلوهای دیجیتال، مقالهٔ سوم"),
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("ld-fixture-build")
    options = BuildOptions(base=BUILD_BASE, secret=TEST_SECRET.encode(), validate=False, progress=False)
    build([inputs], out, options)
    return out


@pytest.fixture(scope="session")
def fixture_server(fixture_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(fixture_build, tmp_path_factory.mktemp("ld-fixture-server"), SETTINGS)
    yield server
    server.stop()


def dump_graph(out_dir: Path) -> rdflib.Graph:
    """The build's merged N-Triples dump (every triple of the KG once)."""
    graph = rdflib.Graph()
    graph.parse(
        data=gzip.decompress((out_dir / "current" / "dumps" / "kg.nt.gz").read_bytes()).decode("utf-8"), format="nt"
    )
    return graph


def build_info(out_dir: Path) -> dict:
    return json.loads((out_dir / "current" / "build.json").read_text(encoding="utf-8"))


def to_build_base(term: rdflib.term.Node, public: str) -> rdflib.term.Node:
    """A term of a response, with the server's address replaced by the build's base (to compare with the KG)."""
    if isinstance(term, rdflib.URIRef) and (str(term) == public or str(term).startswith(public + "/")):
        return rdflib.URIRef(BUILD_BASE + str(term)[len(public) :])
    return term


def schema_loader() -> object:
    """A pyld document loader that serves the cached schema.org context and nothing else (no network)."""
    context_path = Path(__file__).resolve().parent.parent / "ontology" / "vocab" / "schemaorg-context.jsonld"
    document = json.loads(context_path.read_text(encoding="utf-8"))

    def load(url: str, options: dict | None = None) -> dict:
        if url.rstrip("/") in ("https://schema.org", "http://schema.org") or "schemaorg" in url:
            return {"contextUrl": None, "documentUrl": url, "document": document, "contentType": "application/ld+json"}
        raise RuntimeError(f"no network in tests: {url}")

    return load
