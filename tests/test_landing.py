"""The landing page shows the real thing: complete articles first (the seed), the latest issues, the journals,
and says plainly how many records were cut short at the source; the counts are the graph's."""

from __future__ import annotations

import re

import rdflib
import requests

from tests.test_linked_data_fixtures import BUILD_BASE, SEED_ARTICLE, dump_graph
from tests.test_page_rows import soup

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")


def test_landing_lists_complete_articles_latest_issues_and_truncation(ld_server, sample_build):
    kg = dump_graph(sample_build)
    articles = set(kg.subjects(rdflib.RDF.type, SCHEMA.ScholarlyArticle))
    complete = {
        a
        for a in articles
        if kg.value(a, SCHEMA.author) is not None
        and kg.value(a, SCHEMA.abstract) is not None
        and kg.value(a, DCTERMS.subject) is not None
    }
    assert rdflib.URIRef(BUILD_BASE + SEED_ARTICLE) in complete
    page = soup(ld_server.url + "/")
    sections = {h2.get_text(strip=True): h2 for h2 in page.find_all("h2")}
    first = sections["Articles to start with"].find_next("ul").find_all("li")
    assert len(first) == min(5, len(complete))
    assert first[0].a["href"] == f"{ld_server.url}/en/doc{SEED_ARTICLE[3:]}"  # the seed, the richest record
    assert first[0].a.get_text(strip=True) == next(
        str(t) for t in kg.objects(rdflib.URIRef(BUILD_BASE + SEED_ARTICLE), SCHEMA.headline) if t.language == "en"
    )
    note = page.select_one("p.truncated").get_text(" ", strip=True)
    counted = re.match(r"([\d,]+) of the ([\d,]+) articles", note)
    assert counted and int(counted[1].replace(",", "")) == len(articles - complete)
    assert int(counted[2].replace(",", "")) == len(articles)
    assert "cut short" in note and "source" in note
    issues = sections["Latest issues"].find_next("ul").find_all("li")
    things = [rdflib.URIRef(BUILD_BASE + "/id" + li.a["href"].split("/en/doc", 1)[1]) for li in issues]
    dates = [kg.value(issue, SCHEMA.datePublished) for issue in things]
    assert issues and all(d is not None for d in dates) and dates == sorted(dates, reverse=True)
    for li in issues + first:
        assert li.a["href"].startswith(ld_server.url + "/en/doc/")
        assert requests.get(li.a["href"], timeout=10).status_code == 200
