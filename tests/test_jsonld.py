"""schema.org JSON-LD of articles: embedded in pages (extruct), expanded offline (pyld), compared with the KG.

Every triple the JSON-LD gives must be a triple of the knowledge graph, apart from the links to pages
(``mainEntityOfPage`` and the authors' ``url``), which point to documents, not to things.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import extruct
import pytest
import rdflib
import requests
from bs4 import BeautifulSoup
from pyld import jsonld

from tests.test_linked_data_fixtures import (
    BUILD_BASE,
    EVIL,
    EVIL_ARTICLE,
    SEED_ARTICLE,
    dump_graph,
    schema_loader,
)

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
ROOT = Path(__file__).resolve().parent.parent


# the seed export's keyword lists, in the order the authors gave them
SEED_KEYWORDS = {
    "fa": ["دوقلوی دیجیتال پزشکی", "سلامت دیجیتال", "هوش مصنوعی", "نظام سلامت", "ارکان نظام سلامت سازمان جهانی بهداشت"],
    "en": [
        "Medical digital twin",
        "Digital health",
        "Artificial intelligence",
        "Health system",
        "WHO health system building blocks",
    ],
}


def embedded(url: str) -> tuple[list[dict], str]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    data = extruct.extract(response.text, base_url=url, syntaxes=["json-ld"], uniform=False)
    return data["json-ld"], response.text


def to_graph(document: dict) -> rdflib.Graph:
    """Expand with pyld (offline: only the cached schema.org context is served) and read the triples."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": schema_loader()})
    graph = rdflib.Graph()
    graph.parse(data=nquads, format="nt")
    return graph


def page_links(graph: rdflib.Graph, public: str = BUILD_BASE) -> set:
    """The statements that link to pages (documents) rather than to things: allowed to be outside the KG."""
    return {
        (s, p, o)
        for s, p, o in graph
        if p == SCHEMA.mainEntityOfPage or (p == SCHEMA.url and "/doc/" in str(o) and str(o).startswith(public))
    }


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_embedded_jsonld_says_only_what_the_kg_says(ld_server, sample_build, lang):
    kg = dump_graph(sample_build)
    url = f"{ld_server.url}/{lang}/doc{SEED_ARTICLE[3:]}"
    items, _ = embedded(url)
    assert len(items) == 1
    item = items[0]
    assert item["@context"][0] == "https://schema.org" and item["@type"] == "ScholarlyArticle"
    # the identifiers are the minted IRIs; the page links go to where the server is reached
    assert item["@id"] == BUILD_BASE + SEED_ARTICLE and item["mainEntityOfPage"] == url
    graph = to_graph(item)
    assert len(graph) > 25
    outside = set(graph) - set(kg) - page_links(graph, ld_server.url)
    assert not outside, sorted(outside)
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    # what Google's article guidance recommends is there
    headline = graph.value(article, SCHEMA.headline)
    assert headline.language == lang
    person = graph.value(article, SCHEMA.author)
    assert graph.value(person, SCHEMA.name).language == lang
    assert str(graph.value(article, SCHEMA.datePublished)) == "2026-03-01"
    issue = graph.value(article, SCHEMA.isPartOf)
    volume = graph.value(issue, SCHEMA.isPartOf)
    journal = graph.value(volume, SCHEMA.isPartOf)
    assert {str(i) for i in graph.objects(journal, SCHEMA.issn)} == {"2476-6879", "2538-1563"}
    assert str(graph.value(article, SCHEMA.pageStart)) == "355" and str(graph.value(article, SCHEMA.pageEnd)) == "373"
    assert len(list(graph.objects(article, SCHEMA.keywords))) == 5
    # authors in order, each with a page
    assert [a["@id"] for a in item["author"]] == [str(person)]
    assert item["author"][0]["url"].startswith(f"{ld_server.url}/{lang}/doc/person/")
    # as rich as the graph: plain ISO date, names in both languages, abstract, affiliation, genre, language
    assert item["datePublished"] == "2026-03-01"
    assert {n["@language"] for n in item["name"]} == {"fa", "en"}
    assert item["abstract"]["@language"] == lang and len(item["abstract"]["@value"]) > 200
    organization = graph.value(person, SCHEMA.affiliation)
    assert (organization, rdflib.RDF.type, SCHEMA.Organization) in graph
    assert graph.value(organization, SCHEMA.name).language == lang
    assert item["inLanguage"] == "fa" and item["genre"]["@type"] == "DefinedTerm"
    assert str(graph.value(graph.value(article, SCHEMA.genre), SCHEMA.name))
    # keywords in the source's order, in the page's language
    assert [k["@value"] for k in item["keywords"]] == SEED_KEYWORDS[lang]
    assert [a["name"]["@value"] for a in item["about"]] == SEED_KEYWORDS[lang]


def test_the_standalone_jsonld_is_the_embedded_one(ld_server):
    items, _ = embedded(f"{ld_server.url}/en/doc{SEED_ARTICLE[3:]}")
    response = requests.get(f"{ld_server.url}/jsonld{SEED_ARTICLE[3:]}?lang=en", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/ld+json")
    assert response.json() == items[0]
    profile = requests.get(f"{ld_server.url}/doc{SEED_ARTICLE[3:]}.jsonld?profile=schema&lang=en", timeout=10)
    assert profile.json() == items[0]
    assert requests.get(f"{ld_server.url}/jsonld/journal/2476-6879", timeout=10).status_code == 404


def test_a_title_with_a_script_element_stays_text(fixture_server, fixture_build):
    url = f"{fixture_server.url}/en/doc{EVIL_ARTICLE[3:]}"
    items, text = embedded(url)
    inline = [s for s in BeautifulSoup(text, "html.parser").find_all("script") if not s.get("src")]
    assert len(inline) == 1  # only the JSON-LD element: the title's never became one
    sources = [s["src"] for s in BeautifulSoup(text, "html.parser").find_all("script") if s.get("src")]
    assert text.count("<script") == 1 + len(sources)  # the others load the site's own files
    assert all(src.endswith("/static/search.js") for src in sources)
    assert EVIL not in text and "alert(1)</script>" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as text in title and h1
    assert len(items) == 1
    headline = items[0]["headline"]["@value"]
    assert EVIL in headline and headline.startswith("Digital twins")
    kg = dump_graph(fixture_build)
    graph = to_graph(items[0])
    assert not set(graph) - set(kg) - page_links(graph, fixture_server.url)


def test_kg_jsonld_writes_one_file_per_article(sample_build, tmp_path):
    from kg.publish.article_jsonld import export_command

    kg = dump_graph(sample_build)
    articles = set(kg.subjects(rdflib.RDF.type, SCHEMA.ScholarlyArticle))
    assert export_command(sample_build, tmp_path / "out", None) == 0
    files = sorted((tmp_path / "out").rglob("*.jsonld"))
    assert len(files) == len(articles)
    seed = tmp_path / "out" / "journal" / "2476-6879" / "article" / "A-10-968-1.jsonld"
    data = json.loads(seed.read_text(encoding="utf-8"))
    assert data["@id"] == BUILD_BASE + SEED_ARTICLE
    assert data["mainEntityOfPage"] == BUILD_BASE + "/doc" + SEED_ARTICLE[3:]
    assert data["headline"]["@language"] == "fa"  # the article's own language
    for path in files:
        graph = to_graph(json.loads(path.read_text(encoding="utf-8")))
        assert not set(graph) - set(kg) - page_links(graph), path


def test_kg_jsonld_command_with_another_base(sample_build, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "jsonld",
            str(sample_build),
            "--to",
            str(tmp_path),
            "--base",
            "https://journal.example.com/kg",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "journal" / "2476-6879" / "article" / "A-10-968-1.jsonld").read_text("utf-8"))
    assert data["@id"] == "https://journal.example.com/kg" + SEED_ARTICLE
    assert data["author"][0]["url"].startswith("https://journal.example.com/kg/doc/person/")
    assert BUILD_BASE not in json.dumps(data)


def test_kg_jsonld_without_a_release(tmp_path):
    from kg.publish.article_jsonld import export_command

    assert export_command(tmp_path / "missing", tmp_path / "out", None) == 2
