"""JATS 1.3 front matter (``kg.export.jats``) over a real build, validated with the official JATS XSD.

The seed is built with a DOI, a second author with an ORCID and a bilingual affiliation (the sample's seed
has none of these), beside the corpus and real PubMed-style files (history dates, a PDF link). Every live
record of the release is rendered as the OAI-PMH provider renders it, validated with lxml against the
vendored JATS Journal Publishing 1.3 XSD (tests/xsd/jats: in PubMed Central's namespace, and in no namespace
through the official driver), and the seed's and two PubMed articles' records are checked against the graph:
titles and languages, authors in order, ORCIDs, pages, DOI, dates in both calendars, history, PDF.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pyoxigraph import Store

from kg.build import BuildOptions, build
from kg.export.jats import JATS_NS, jats_article
from kg.publish.layout import Layout
from tests.conftest import CORPUS, ROOT, TEST_SECRET
from tests.seed_variants import DOI, ORCID, write_rich_seed

BASE = "https://kg.example.org"
XSD = Path(__file__).resolve().parent / "xsd" / "jats"
PUBMED = ROOT / "tests" / "fixtures" / "pubmed"  # real PubMed-style files (SOURCE.md there)
ARTICLE = f"{BASE}/id/journal/2476-6879/article/A-10-968-1"
J = "{" + JATS_NS + "}"
XLINK = "{http://www.w3.org/1999/xlink}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = tmp_path_factory.mktemp("jats-inputs")
    write_rich_seed(inputs)
    for path in [*CORPUS.glob("*.xml"), *PUBMED.glob("*.xml")]:
        if path.name == "mshsj-a968-pubmed.xml":  # the seed's own article, hand-written: not a second copy
            continue
        shutil.copy(path, inputs / path.name)
    out = tmp_path_factory.mktemp("jats-out")
    report = build([inputs], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False))
    assert report.exit_code == 0, report.summary
    return out


@pytest.fixture(scope="module")
def schemas() -> tuple[etree.XMLSchema, etree.XMLSchema]:
    """(JATS 1.3 in PMC's namespace, JATS 1.3 in no namespace, as the official driver declares it)."""
    in_pmc_namespace = etree.XMLSchema(etree.parse(str(XSD / "jats-pmc-namespace.xsd")))
    official = etree.XMLSchema(etree.parse(str(XSD / "JATS-journalpublishing1-3-mathml3.xsd")))
    return in_pmc_namespace, official


def _records(out: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(Layout(out).current_release().oai) as db:
        rows = db.execute("SELECT identifier, record FROM records WHERE deleted = 0").fetchall()
    return {identifier: json.loads(zlib.decompress(record)) for identifier, record in rows}


def _without_namespace(article: etree._Element) -> etree._Element:
    """The same document with the JATS elements in no namespace (what the official XSD declares)."""
    copy = etree.fromstring(etree.tostring(article))
    for element in copy.iter():
        if isinstance(element.tag, str) and element.tag.startswith(J):
            element.tag = element.tag[len(J) :]
    etree.cleanup_namespaces(copy)
    return copy


def _front(out: Path, identifier: str) -> etree._Element:
    return etree.fromstring(jats_article(_records(out)[identifier]).encode("utf-8"))


def _graph(out: Path, query: str) -> list[Any]:
    store = Store.read_only(str(Layout(out).current_release().store))
    return list(store.query(query))


def test_the_schema_can_fail(schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    """The validation below means something: front matter in the wrong order, or without a title, is refused."""
    in_pmc_namespace, official = schemas
    good = (
        f'<article xmlns="{JATS_NS}" dtd-version="1.3"><front><journal-meta><journal-id>j</journal-id>'
        "<issn>1234-5678</issn></journal-meta><article-meta><title-group><article-title>T</article-title>"
        "</title-group><pub-date-not-available/><fpage>1</fpage><lpage>2</lpage></article-meta></front></article>"
    )
    assert in_pmc_namespace.validate(etree.fromstring(good))
    assert official.validate(_without_namespace(etree.fromstring(good)))
    swapped = good.replace("<fpage>1</fpage><lpage>2</lpage>", "<lpage>2</lpage><fpage>1</fpage>")
    assert not in_pmc_namespace.validate(etree.fromstring(swapped))
    untitled = good.replace("<title-group><article-title>T</article-title></title-group>", "")
    assert not in_pmc_namespace.validate(etree.fromstring(untitled))
    assert not official.validate(etree.fromstring(good))  # namespaced JATS is not what the plain XSD declares


def test_every_record_of_the_release_validates(built: Path, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    in_pmc_namespace, official = schemas
    records = _records(built)
    assert len(records) > 20
    for identifier, record in records.items():
        article = etree.fromstring(jats_article(record).encode("utf-8"))
        assert in_pmc_namespace.validate(article), (identifier, in_pmc_namespace.error_log.last_error)
        assert official.validate(_without_namespace(article)), (identifier, official.error_log.last_error)
        assert article.find(f"{J}front/{J}article-meta/{J}article-id[@custom-type='uri']").text == identifier


def test_the_seed_front_matter_says_what_the_graph_says(built: Path) -> None:
    article = _front(built, ARTICLE)
    assert article.get("article-type") == "review-article" and article.get(LANG) == "fa"
    journal = article.find(f"{J}front/{J}journal-meta")
    assert journal.findtext(f"{J}journal-title-group/{J}journal-title") == "راهبردهای مدیریت در نظام سلامت"
    trans = journal.find(f"{J}journal-title-group/{J}trans-title-group")
    assert trans.get(LANG) == "en" and trans.findtext(f"{J}trans-title") == "Management Strategies in Health System"
    assert [(i.get("pub-type"), i.text) for i in journal.findall(f"{J}issn")] == [
        ("ppub", "2476-6879"),
        ("epub", "2538-1563"),
    ]
    meta = article.find(f"{J}front/{J}article-meta")
    assert meta.findtext(f"{J}article-id[@pub-id-type='doi']") == DOI
    titles = {
        (row["t"].value, row["t"].language)
        for row in _graph(built, f"SELECT ?t WHERE {{ GRAPH ?g {{ <{ARTICLE}> <http://schema.org/name> ?t }} }}")
    }
    title = meta.find(f"{J}title-group/{J}article-title")
    translated = meta.find(f"{J}title-group/{J}trans-title-group")
    assert {(title.text, "fa"), (translated.findtext(f"{J}trans-title"), translated.get(LANG))} == titles
    assert {(s.text, s.getparent().get(LANG)) for s in meta.iter(f"{J}subject")} == {
        ("Health Management", "en"),
        ("مدیریت سلامت", "fa"),
    }
    contribs = meta.findall(f"{J}contrib-group/{J}contrib")
    names = [
        [(n.get(LANG), n.findtext(f"{J}surname"), n.findtext(f"{J}given-names")) for n in c.iter(f"{J}name")]
        for c in contribs
    ]
    assert names == [
        [("en", "Roozbahani", "Mohammad Hossein"), ("fa", "روزبهانی", "محمدحسین")],
        [("en", "Ahmadi", "Sara"), ("fa", "احمدی", "سارا")],
    ]
    assert [c.findtext(f"{J}contrib-id[@contrib-id-type='orcid']") for c in contribs] == [
        None,
        f"https://orcid.org/{ORCID}",
    ]
    assert {(a.text, a.get(LANG)) for a in contribs[1].iter(f"{J}aff")} == {
        ("Department of Health Management, Yazd, Iran", "en"),
        ("گروه مدیریت سلامت، یزد، ایران", "fa"),
    }
    dates = [
        (d.get("date-type"), d.get("calendar"), d.get("iso-8601-date"), d.findtext(f"{J}year"), d.findtext(f"{J}month"))
        for d in meta.findall(f"{J}pub-date")
    ]
    assert dates == [
        ("pub", None, "2026-03-01", "2026", "03"),
        ("collection", None, "2026-03-01", "2026", "03"),
        ("collection", "persian", None, "1404", "12"),  # the Jalali pubdate, as declared (1404-12-01)
    ]
    assert [meta.findtext(f"{J}{e}") for e in ("volume", "issue", "fpage", "lpage")] == ["10", "4", "355", "373"]
    assert meta.find(f"{J}self-uri").get(f"{XLINK}href").startswith("http://mshsj.ssu.ac.ir/")
    assert meta.find(f"{J}abstract").get(LANG) == "fa" and meta.find(f"{J}trans-abstract").get(LANG) == "en"
    keywords = {g.get(LANG): [k.text for k in g.findall(f"{J}kwd")] for g in meta.findall(f"{J}kwd-group")}
    assert "Digital health" in keywords["en"] and "هوش مصنوعی" in keywords["fa"]
    text = etree.tostring(article, encoding="unicode")
    assert "roozbahani@" not in text and "<email" not in text  # e-mail addresses are never published


def test_history_dates_and_pdf_come_from_the_graph(built: Path) -> None:
    received = _graph(built, "SELECT ?a ?d WHERE { GRAPH ?g { ?a <http://purl.org/spar/fabio/hasDateReceived> ?d } }")
    assert received, "the PubMed corpus has an article with a received date"
    article, date = received[0]["a"].value, received[0]["d"].value
    history = _front(built, article).find(f"{J}front/{J}article-meta/{J}history")
    assert [(d.get("date-type"), d.get("iso-8601-date")) for d in history] == [("received", date)]
    pdfs = _graph(
        built,
        "SELECT ?a ?u WHERE { GRAPH ?g { ?a <http://schema.org/encoding> ?m . ?m <http://schema.org/contentUrl> ?u } }",
    )
    assert pdfs, "the PubMed corpus has an article with a PDF"
    meta = _front(built, pdfs[0]["a"].value).find(f"{J}front/{J}article-meta")
    assert meta.find(f"{J}self-uri[@content-type='pdf']").get(f"{XLINK}href") == pdfs[0]["u"].value


def test_a_bare_record_stays_valid_and_invents_nothing(schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    """No authors, dates, pages, language or abstract: the front matter says so (pub-date-not-available)."""
    record: dict[str, Any] = {
        "id": f"{BASE}/id/journal/1234-5679/article/x",
        "titles": [("Untagged title", "")],
        "original_titles": [],
        "translated_titles": [],
        "authors": [{"names": [("Only A Name", "en")], "given": [], "family": [], "orcid": None, "affiliations": []}],
        "keywords": [],
        "abstracts": [],
        "date": None,
        "genre": [],
        "doi": None,
        "language": None,
        "url": None,
        "license": None,
        "page_start": None,
        "page_end": None,
        "pages": None,
        "issue": None,
        "issue_number": None,
        "issue_date": None,
        "volume": None,
        "volume_number": None,
        "journal": f"{BASE}/id/journal/1234-5679",
        "journal_titles": [("Journal", "en")],
        "journal_abbreviation": None,
        "issn_print": "1234-5679",
        "issn_online": None,
        "publisher": [],
        "journal_url": None,
    }  # as records written before sections, history, PDF and Jalali dates were read: those keys are missing
    article = etree.fromstring(jats_article(record).encode("utf-8"))
    assert schemas[0].validate(article), schemas[0].error_log.last_error
    meta = article.find(f"{J}front/{J}article-meta")
    assert meta.find(f"{J}pub-date-not-available") is not None and meta.find(f"{J}pub-date") is None
    assert meta.findtext(f"{J}contrib-group/{J}contrib/{J}string-name") == "Only A Name"
    assert article.get("article-type") is None and article.get(LANG) is None
    assert [e.tag[len(J) :] for e in meta] == ["article-id", "title-group", "contrib-group", "pub-date-not-available"]
