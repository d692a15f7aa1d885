"""The rule for IRIs in responses, over a build served under another address than its base (a staging copy).

The sample is built under https://kg.example.org and served on 127.0.0.1. The identifier a page shows is
the minted IRI, the one SPARQL and the dumps know: copied from a page, it finds its triples in SPARQL. The
links a person follows (the query page's result links included) open this server's pages.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup

from tests.server_fixtures import CHROMIUM, CHROMIUM_ARGS
from tests.test_linked_data_fixtures import BUILD_BASE, SEED_ARTICLE, dump_graph
from tests.test_query_page import write_query

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")


def shown_iri(url: str) -> str:
    """The identifier a page shows (its footer)."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return BeautifulSoup(response.text, "html.parser").select_one("footer .iri").get_text(strip=True)


def sparql_triples(server, iri: str) -> set[tuple[str, str]]:
    response = requests.get(
        server.sparql,
        params={"query": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {(b["p"]["value"], b["o"]["value"]) for b in response.json()["results"]["bindings"]}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_iri_a_page_shows_finds_its_triples_in_sparql(ld_server, sample_build, lang):
    kg = dump_graph(sample_build)
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    person = next(kg.objects(article, SCHEMA.author))
    keyword = sorted(kg.objects(article, DCTERMS.subject))[0]
    for thing in (article, person, keyword):
        page = f"{ld_server.url}/{lang}/doc{str(thing)[len(BUILD_BASE) + 3 :]}"
        iri = shown_iri(page)
        assert iri == str(thing), "the page shows the minted IRI"
        found = sparql_triples(ld_server, iri)
        expected = {(str(p), str(o)) for p, o in kg.predicate_objects(thing)}
        assert found and found == expected, iri


def test_sparql_results_and_dumps_use_the_iris_pages_show(ld_server):
    iri = shown_iri(f"{ld_server.url}/en/doc{SEED_ARTICLE[3:]}")
    response = requests.get(
        ld_server.sparql,
        params={"query": "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert iri in {b["a"]["value"] for b in response.json()["results"]["bindings"]}
    rdf = requests.get(f"{ld_server.url}/doc{SEED_ARTICLE[3:]}.nt", timeout=10).text
    assert f"<{iri}>" in rdf and ld_server.url not in rdf


def test_the_query_pages_result_links_open_local_pages(ld_server):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    own = urlsplit(ld_server.url).netloc
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(ld_server.sparql, wait_until="networkidle")
            page.wait_for_selector("#editor .CodeMirror")
            write_query(page, f"SELECT ?a ?p WHERE {{ BIND(<{BUILD_BASE}{SEED_ARTICLE}> AS ?a) ?a ?p ?o }} LIMIT 1")
            page.click("#run")
            page.wait_for_selector("table.results tbody tr", timeout=15000)
            link = page.locator("table.results tbody td a.iri").first
            assert link.inner_text() == BUILD_BASE + SEED_ARTICLE  # shown as minted
            assert urlsplit(link.get_attribute("href")).netloc == own  # but opens here
            predicate = page.locator("table.results tbody td:nth-child(2) a.iri").first
            assert predicate.get_attribute("href") == predicate.inner_text()  # IRIs not minted here: untouched
            link.click()
            page.wait_for_load_state("networkidle")
            assert urlsplit(page.url).netloc == own and re.search(r"/doc/journal/2476-6879/article/", page.url)
            assert page.locator("body.article h1").count() == 1
        finally:
            browser.close()
