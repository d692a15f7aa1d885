"""What the pages say, read from the rendered HTML and compared with the graph, in both languages.

Each row of the issue page (journal, volume, date), the dates of article and issue pages (the calendars
apart by words: a middle dot beside Persian digits reads as the digit zero), the other-language name of a
person, the article lists (authors apart from the date), and no raw IRI shown as text on a thing's page.
"""

from __future__ import annotations

import re

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup

from tests.test_linked_data_fixtures import BUILD_BASE, SEED_ARTICLE, dump_graph

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
ISSUE = "/id/journal/2476-6879/volume/10/issue/4"
VOLUME = "/id/journal/2476-6879/volume/10"
JOURNAL = "/id/journal/2476-6879"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


@pytest.fixture(scope="module")
def kg(sample_build) -> rdflib.Graph:
    return dump_graph(sample_build)


def soup(url: str) -> BeautifulSoup:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return BeautifulSoup(response.text, "html.parser")


def facts(page: BeautifulSoup) -> list[tuple[str, object]]:
    """The (dt text, dd element) rows of the page's facts."""
    dl = page.select_one("dl.facts")
    return [(dt.get_text(strip=True), dt.find_next_sibling("dd")) for dt in dl.find_all("dt")]


def name(kg: rdflib.Graph, iri: str, lang: str) -> str:
    return next(str(n) for n in kg.objects(rdflib.URIRef(BUILD_BASE + iri), SCHEMA.name) if n.language == lang)


def local(server, path: str, lang: str) -> str:
    return f"{server.url}/{lang}/doc{path[3:]}"


@pytest.mark.parametrize(
    ("lang", "labels", "volume_text", "same_date"),
    [("fa", ("مجله", "دوره", "تاریخ انتشار"), "۱۰", "برابر با"), ("en", ("Journal", "Volume", "Published"), "10", "=")],
)
def test_every_row_of_the_issue_page(ld_server, kg, lang, labels, volume_text, same_date):
    page = soup(local(ld_server, ISSUE, lang))
    rows = facts(page)
    assert [label for label, _ in rows] == list(labels)
    journal, volume, date = (dd for _, dd in rows)
    assert journal.a["href"] == local(ld_server, JOURNAL, lang)
    assert journal.get_text(strip=True) == name(kg, JOURNAL, lang)
    assert volume.a["href"] == local(ld_server, VOLUME, lang)
    assert volume.get_text(strip=True) == volume_text
    issue = rdflib.URIRef(BUILD_BASE + ISSUE)
    published = str(kg.value(issue, SCHEMA.datePublished))
    assert published == "2026-03-01"
    expected = {"fa": "۱ اسفند ۱۴۰۴ ه‍.ش. برابر با ۱ مارس ۲۰۲۶", "en": "1 Esfand 1404 SH = 1 March 2026"}[lang]
    assert " ".join(date.get_text(" ", strip=True).split()) == expected
    assert date.select_one(".same-date").get_text() == same_date
    assert date.time["datetime"] == published


def test_no_middle_dot_between_dates_and_no_raw_iri_on_any_page(ld_server, kg):
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    person = str(next(kg.objects(article, SCHEMA.author)))[len(BUILD_BASE) :]
    keyword = str(sorted(kg.objects(article, DCTERMS.subject))[0])[len(BUILD_BASE) :]
    for path in (SEED_ARTICLE, ISSUE, VOLUME, JOURNAL, person, keyword):
        for lang in ("fa", "en"):
            page = soup(local(ld_server, path, lang))
            assert _only_links(page), (path, lang)  # a thing's page shows names, never a raw IRI as text
            for dd in page.select("dd"):
                if dd.select_one(".jalali"):
                    assert "·" not in dd.get_text(), (path, lang, dd.get_text())
            # no middle dot beside a Persian digit anywhere on the page (it reads as zero)
            assert not re.search(f"[{PERSIAN_DIGITS}]\\s*·|·\\s*[{PERSIAN_DIGITS}]", page.get_text()), (path, lang)


def _only_links(page: BeautifulSoup) -> bool:
    """True when every http(s) text in <main> is the text of an external link (a DOI, the journal's site)."""
    for string in page.select_one("main").find_all(string=re.compile("https?://")):
        parent = string.parent
        if parent.name != "a" or (parent.get("href") or "").startswith(("http://127.0.0.1", BUILD_BASE)):
            return False
    return True


@pytest.mark.parametrize(("lang", "label"), [("fa", "نام به انگلیسی"), ("en", "Name in Persian")])
def test_the_person_page_labels_the_other_language_name(ld_server, kg, lang, label):
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    person = next(kg.objects(article, SCHEMA.author))
    page = soup(local(ld_server, str(person)[len(BUILD_BASE) :], lang))
    other = "en" if lang == "fa" else "fa"
    rows = dict((label_, dd.get_text(strip=True)) for label_, dd in facts(page))
    assert rows[label] == next(str(n) for n in kg.objects(person, SCHEMA.name) if n.language == other)
    assert "Person" not in rows and "پژوهشگر" not in rows


def test_article_lists_keep_the_last_author_apart_from_the_date(ld_server):
    page = soup(local(ld_server, ISSUE, "en"))
    items = page.select("ol.items li")
    assert items
    for item in items:
        authors, note = item.select_one(".by"), item.select_one(".note")
        if authors is not None and note is not None:
            assert authors.find_next_sibling() is not None and authors.find_next_sibling().name == "br"
