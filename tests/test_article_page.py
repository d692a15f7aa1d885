"""The article page, its tags and its JSON-LD say the same as the graph, in both languages; the other pages'
rows too; and the IRI a page shows is the one SPARQL knows.

The page, the Highwire ``citation_*`` tags and the JSON-LD are rendered from one view of the article
(kg/publish/article_view.py): these tests read all three from the running server and compare each with the
graph of the build (its N-Quads dump), so that none of them can drift.
"""

from __future__ import annotations

import json

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup
from pyoxigraph import Literal, NamedNode, Quad, Store

from tests.test_jsonld import SEED_KEYWORDS
from tests.test_linked_data_fixtures import BUILD_BASE, SEED_ARTICLE, dump_graph
from tests.test_page_rows import JOURNAL, facts, local, soup

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
PRO = rdflib.Namespace("http://purl.org/spar/pro/")
ARTICLE = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)


@pytest.fixture(scope="module")
def kg(sample_build) -> rdflib.Graph:
    return dump_graph(sample_build)


def in_lang(kg: rdflib.Graph, subject, predicate, lang: str) -> str:
    return next(str(o) for o in kg.objects(subject, predicate) if getattr(o, "language", None) == lang)


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in page.find_all("meta", attrs={"name": name})]


def prop(page: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in page.find_all("meta", attrs={"property": name})]


def authors_in_order(kg: rdflib.Graph) -> list[rdflib.URIRef]:
    roles = [r for r in kg.objects(ARTICLE, PRO.isDocumentContextFor) if (r, PRO.withRole, PRO.author) in kg]
    return [kg.value(r, PRO.isHeldBy) for r in sorted(roles, key=lambda r: int(kg.value(r, SCHEMA.position)))]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_page_tags_and_jsonld_agree_with_the_graph(ld_server, kg, lang):
    page = soup(local(ld_server, SEED_ARTICLE, lang))
    data = json.loads(page.find("script", type="application/ld+json").string)
    title = in_lang(kg, ARTICLE, SCHEMA.headline, lang)
    assert page.h1.get_text(strip=True) == title == data["headline"]["@value"]
    # authors in order, with their affiliations, the same on the page and in the JSON-LD
    persons = authors_in_order(kg)
    shown = [li.a.get_text(strip=True) for li in page.select("section.authors li")]
    assert shown == [in_lang(kg, p, SCHEMA.name, lang) for p in persons]
    assert [a["@id"] for a in data["author"]] == [str(p) for p in persons]
    orgs = [in_lang(kg, o, SCHEMA.name, lang) for o in kg.objects(persons[0], SCHEMA.affiliation)]
    assert [a.get_text(strip=True) for a in page.select("section.authors li .affiliation a")] == orgs
    assert data["author"][0]["affiliation"]["name"]["@value"] == orgs[0]
    # keywords in the source's order everywhere: page, JSON-LD, and (original language) citation_keywords
    assert [a.get_text(strip=True) for a in page.select("section.keywords a")] == SEED_KEYWORDS[lang]
    assert [k["@value"] for k in data["keywords"]] == SEED_KEYWORDS[lang]
    # the rows of the facts list, each against the graph
    rows = dict((label, dd) for label, dd in facts(page))
    journal = rdflib.URIRef(BUILD_BASE + JOURNAL)
    journal_label = {"fa": "مجله", "en": "Journal"}[lang]
    assert rows[journal_label].get_text(strip=True) == in_lang(kg, journal, SCHEMA.name, lang)
    assert rows[journal_label].a["href"] == local(ld_server, JOURNAL, lang)
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹") if lang == "fa" else {}
    volume_label, issue_label, pages_label = {"fa": ("دوره", "شماره", "صفحات"), "en": ("Volume", "Issue", "Pages")}[
        lang
    ]
    assert rows[volume_label].get_text(strip=True) == "10".translate(digits)
    assert rows[issue_label].get_text(strip=True) == "4".translate(digits)
    start, end = kg.value(ARTICLE, SCHEMA.pageStart), kg.value(ARTICLE, SCHEMA.pageEnd)
    assert rows[pages_label].get_text(strip=True) == f"{start}–{end}".translate(digits)
    genre = kg.value(ARTICLE, SCHEMA.genre)
    assert rows[{"fa": "نوع مقاله", "en": "Article type"}[lang]].get_text(strip=True) == in_lang(
        kg, genre, SCHEMA.name, lang
    )
    date = rows[{"fa": "تاریخ انتشار", "en": "Published"}[lang]]
    assert date.time["datetime"] == str(kg.value(ARTICLE, SCHEMA.datePublished)) == data["datePublished"]
    abstract = " ".join(p.get_text() for p in page.select("section.abstract p"))
    assert abstract.split() == in_lang(kg, ARTICLE, SCHEMA.abstract, lang).split()
    assert data["abstract"]["@value"] == in_lang(kg, ARTICLE, SCHEMA.abstract, lang)


def test_citation_tags_on_the_original_language_page_only(ld_server, kg):
    assert str(kg.value(ARTICLE, SCHEMA.inLanguage)) == "fa"
    fa = soup(local(ld_server, SEED_ARTICLE, "fa"))
    en = soup(local(ld_server, SEED_ARTICLE, "en"))
    assert not [m for m in en.find_all("meta") if m.get("name", "").startswith("citation_")]
    assert meta(fa, "citation_title") == [in_lang(kg, ARTICLE, SCHEMA.headline, "fa")]
    persons = authors_in_order(kg)
    assert meta(fa, "citation_author") == [in_lang(kg, p, SCHEMA.name, "fa") for p in persons]
    # each author's institutions follow the author (Highwire order)
    names = [(m["name"], m["content"]) for m in fa.find_all("meta") if m.get("name", "").startswith("citation_author")]
    org = in_lang(kg, next(kg.objects(persons[0], SCHEMA.affiliation)), SCHEMA.name, "fa")
    assert names[:2] == [
        ("citation_author", in_lang(kg, persons[0], SCHEMA.name, "fa")),
        ("citation_author_institution", org),
    ]
    assert meta(fa, "citation_keywords") == ["; ".join(SEED_KEYWORDS["fa"])]
    assert meta(fa, "citation_language") == ["fa"]
    assert meta(fa, "citation_abstract") == [in_lang(kg, ARTICLE, SCHEMA.abstract, "fa")]
    assert meta(fa, "citation_publication_date") == ["2026/03/01"]
    assert sorted(meta(fa, "citation_issn")) == ["2476-6879", "2538-1563"]
    assert meta(fa, "citation_volume") == ["10"] and meta(fa, "citation_issue") == ["4"]
    # both pages: canonical to themselves, hreflang alternates to each other, description, sharing tags
    for lang, page in (("fa", fa), ("en", en)):
        url = local(ld_server, SEED_ARTICLE, lang)
        assert page.find("link", rel="canonical")["href"] == url
        alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate", hreflang=True)}
        assert alternates["fa"] == local(ld_server, SEED_ARTICLE, "fa")
        assert alternates["en"] == local(ld_server, SEED_ARTICLE, "en")
        (description,) = meta(page, "description")
        abstract = " ".join(in_lang(kg, ARTICLE, SCHEMA.abstract, lang).split())
        assert 50 < len(description) <= 201 and abstract.startswith(description.rstrip("…"))
        assert prop(page, "og:title") == [in_lang(kg, ARTICLE, SCHEMA.headline, lang)]
        assert prop(page, "og:url") == [url] and prop(page, "og:type") == ["article"]
        assert prop(page, "og:description") == [description]
        assert prop(page, "article:tag") == SEED_KEYWORDS[lang]
        assert meta(page, "twitter:card") == ["summary"]


def test_the_iri_a_page_shows_is_the_one_sparql_knows(ld_server, kg):
    """The footer's IRI of an article, a person and a keyword page, queried through the server's /sparql."""
    person = authors_in_order(kg)[0]
    keyword = sorted(kg.objects(ARTICLE, DCTERMS.subject))[0]
    for iri in (ARTICLE, person, keyword):
        for lang in ("fa", "en"):
            page = soup(local(ld_server, str(iri)[len(BUILD_BASE) :], lang))
            shown = page.select_one("footer .iri").get_text(strip=True)
            assert shown == str(iri)
            response = requests.post(
                f"{ld_server.url}/sparql",
                data={"query": f"SELECT ?p ?o WHERE {{ <{shown}> ?p ?o }}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=10,
            )
            assert response.status_code == 200
            rows = response.json()["results"]["bindings"]
            assert len(rows) == len(list(kg.predicate_objects(iri))) > 0


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_journal_person_and_keyword_page_rows(ld_server, kg, lang):
    journal = rdflib.URIRef(BUILD_BASE + JOURNAL)
    page = soup(local(ld_server, JOURNAL, lang))
    assert page.h1.get_text(strip=True) == in_lang(kg, journal, SCHEMA.name, lang)
    rows = facts(page)
    other = "en" if lang == "fa" else "fa"
    assert [dd.get_text(strip=True) for _, dd in rows if dd.get("dir") != "ltr" and not dd.a] == [
        in_lang(kg, journal, SCHEMA.name, other)
    ]
    issn = next(dd for label, dd in rows if label in ("شاپا", "ISSN"))
    assert issn.get_text(strip=True) == ", ".join(sorted(str(i) for i in kg.objects(journal, SCHEMA.issn)))
    homepage = next(dd for label, dd in rows if label in ("وبگاه", "Homepage"))
    foaf = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
    site = kg.value(journal, foaf.homepage) or kg.value(journal, SCHEMA.url)
    assert homepage.a["href"] == homepage.get_text(strip=True) == str(site)
    issue_links = [a["href"] for a in page.select("section.issues a")]
    assert local(ld_server, "/id/journal/2476-6879/volume/10/issue/4", lang) in issue_links

    person = authors_in_order(kg)[0]
    page = soup(local(ld_server, str(person)[len(BUILD_BASE) :], lang))
    assert page.h1.get_text(strip=True) == in_lang(kg, person, SCHEMA.name, lang)
    affiliations = [dd.get_text(strip=True) for label, dd in facts(page) if label in ("وابستگی", "Affiliation")]
    assert affiliations == [in_lang(kg, o, SCHEMA.name, lang) for o in kg.objects(person, SCHEMA.affiliation)]
    listed = [a["href"] for a in page.select("ol.items li > a")]
    assert local(ld_server, SEED_ARTICLE, lang) in listed
    assert len(listed) == len(set(kg.subjects(SCHEMA.author, person)))

    keyword = sorted(kg.objects(ARTICLE, DCTERMS.subject))[0]
    page = soup(local(ld_server, str(keyword)[len(BUILD_BASE) :], lang))
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    labels = sorted(li.get_text(strip=True) for li in page.select("ul.labels li"))
    assert labels == sorted(str(label) for label in kg.objects(keyword, skos.prefLabel))
    listed = [a["href"] for a in page.select("ol.items li > a")]
    assert listed == [local(ld_server, str(a)[len(BUILD_BASE) :], lang) for a in kg.subjects(DCTERMS.subject, keyword)]


def test_identifiers_become_property_values():
    """A DOI node (schema:PropertyValue) of the graph is the JSON-LD's identifier, as it is in the graph."""
    from kg.publish.article_jsonld import article_jsonld
    from kg.publish.article_view import article_context_query, article_view

    schema = "http://schema.org/"
    article = NamedNode("https://kg.example.org/id/journal/1/article/a")
    doi = NamedNode(article.value + "/identifier/doi")
    store = Store()
    for s, p, o in (
        (article, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(schema + "ScholarlyArticle")),
        (article, NamedNode(schema + "headline"), Literal("A title", language="en")),
        (article, NamedNode(schema + "identifier"), doi),
        (doi, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(schema + "PropertyValue")),
        (doi, NamedNode(schema + "propertyID"), Literal("DOI")),
        (doi, NamedNode(schema + "value"), Literal("10.1000/xyz")),
    ):
        store.add(Quad(s, p, o))
    view = article_view(store.query(article_context_query(article.value)), article.value)
    data = article_jsonld(view, "en")
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "@id": doi.value,
        "propertyID": "DOI",
        "value": "10.1000/xyz",
    }
