"""Dereferenceable IRIs on the running server: 303 from things, negotiated documents, format URLs, 404/406.

The server runs over the real sample build (base https://kg.example.org) on 127.0.0.1, as a staging copy
would, so these tests also check the rule for IRIs: the minted IRI is the identifier in every response, and
only links (Location, Link, Content-Location, href) go to where the server is reached.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
import rdflib
import requests
from rdflib.namespace import RDF

from tests.test_linked_data_fixtures import BUILD_BASE, SEED_ARTICLE, dump_graph

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SCHEMA = rdflib.Namespace("http://schema.org/")
PRO = rdflib.Namespace("http://purl.org/spar/pro/")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
JOURNAL = "/id/journal/2476-6879"
ISSUE = "/id/journal/2476-6879/volume/10/issue/4"
TITLE_FA = "مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت"
TITLE_EN = "A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine"
AUTHOR_EN = "Mohammad Hossein Roozbahani"
AUTHOR_FA = "محمدحسین روزبهانی"
RDF_FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/n-quads": ("nq", "nquads"),
    "application/rdf+xml": ("rdf", "xml"),
}


@pytest.fixture(scope="module")
def kg(sample_build) -> rdflib.Graph:
    return dump_graph(sample_build)


def _things(kg: rdflib.Graph) -> dict[str, str]:
    """The seed article, its journal, issue, first author and one of its keyword concepts (paths under /id/)."""
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    person = next(kg.objects(article, SCHEMA.author))
    concept = sorted(kg.objects(article, rdflib.URIRef("http://purl.org/dc/terms/subject")))[0]
    return {
        "article": SEED_ARTICLE,
        "journal": JOURNAL,
        "issue": ISSUE,
        "person": str(person)[len(BUILD_BASE) :],
        "concept": str(concept)[len(BUILD_BASE) :],
    }


def parse(body: bytes, rdf_format: str, public: str) -> rdflib.Graph:
    """A response body as an rdflib graph; it must not name anything by the server's address ``public``."""
    assert public.encode() not in body, "identifiers are the minted IRIs, not the server's address"
    if rdf_format == "nquads":
        dataset = rdflib.Dataset()
        dataset.parse(data=body, format="nquads")
        triples = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    else:
        graph = rdflib.Graph()
        graph.parse(data=body, format=rdf_format)
        triples = set(graph)
    out = rdflib.Graph()
    for triple in triples:
        out.add(triple)
    return out


def test_thing_iris_answer_303_to_their_document(ld_server, kg):
    for kind, path in _things(kg).items():
        response = requests.get(ld_server.url + path, allow_redirects=False, timeout=10)
        assert response.status_code == 303, (kind, response.text)
        assert response.headers["Location"] == ld_server.url + path.replace("/id/", "/doc/", 1)
        followed = requests.get(ld_server.url + path, headers={"Accept": "text/turtle"}, timeout=10)
        assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_every_rdf_format_parses_and_holds_the_concise_bounded_description(ld_server, kg, media):
    things = _things(kg)
    for kind, path in things.items():
        doc = ld_server.url + path.replace("/id/", "/doc/", 1)
        response = requests.get(doc, headers={"Accept": media}, timeout=10)
        assert response.status_code == 200, (kind, response.text)
        assert response.headers["Content-Type"].split(";")[0] == media
        assert "Accept" in response.headers["Vary"]
        extension, rdf_format = RDF_FORMATS[media]
        assert response.headers["Content-Location"] == f"{doc}.{extension}"
        links = response.headers["Link"]
        for other, (ext, _) in RDF_FORMATS.items():
            assert f'<{doc}.{ext}>; rel="alternate"; type="{other}"' in links
        assert ld_server.url not in response.text, "the identifiers are the minted IRIs"
        graph = parse(response.content, rdf_format, ld_server.url)
        thing = rdflib.URIRef(BUILD_BASE + path)
        own = set(kg.triples((thing, None, None)))
        assert own and own <= set(graph), kind
        # the document says what it is about
        assert (rdflib.URIRef(BUILD_BASE + path.replace("/id/", "/doc/", 1)), FOAF.primaryTopic, thing) in graph
        # everything in it is in the KG, apart from that one statement
        extra = {t for t in graph if t[1] != FOAF.primaryTopic} - set(kg)
        assert not extra, (kind, sorted(extra)[:3])


def test_the_article_description_bounds_its_parts_and_labels_its_links(ld_server, kg):
    body = requests.get(ld_server.url + "/doc" + SEED_ARTICLE[3:] + ".ttl", timeout=10).content
    graph = parse(body, "turtle", ld_server.url)
    article = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE)
    authorship = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE + "/author/1")
    manifestation = rdflib.URIRef(BUILD_BASE + SEED_ARTICLE + "/manifestation")
    assert set(kg.triples((authorship, None, None))) <= set(graph)  # /author/N lives only through it
    assert set(kg.triples((manifestation, None, None))) <= set(graph)
    person = next(kg.objects(article, SCHEMA.author))
    assert (person, SCHEMA.name, rdflib.Literal(AUTHOR_EN, lang="en")) in graph  # labels of what it links to
    for concept in kg.objects(article, rdflib.URIRef("http://purl.org/dc/terms/subject")):
        assert any(graph.triples((concept, SKOS.prefLabel, None)))
    # but not the person's own other statements (they are in the person's document)
    assert not any(graph.triples((person, RDF.type, None)))


def test_the_issue_description_holds_its_jalali_date(ld_server, kg):
    body = requests.get(
        ld_server.url + "/doc" + ISSUE[3:], headers={"Accept": "application/n-triples"}, timeout=10
    ).content
    graph = parse(body, "nt", ld_server.url)
    description = rdflib.URIRef(BUILD_BASE + ISSUE + "/date-jalali/description")
    assert (description, TIME.year, rdflib.Literal("1404", datatype=TIME.generalYear)) in graph


def test_format_urls_and_q_values(ld_server):
    doc = ld_server.url + "/doc" + SEED_ARTICLE[3:]
    for media, (extension, _) in RDF_FORMATS.items():
        response = requests.get(f"{doc}.{extension}", timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == media
    page = requests.get(doc + ".html", timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    # q-values decide; the most specific range wins; */* and browsers get HTML (crawlers, validators)
    cases = {
        "text/turtle;q=0.5, application/ld+json;q=0.9": "application/ld+json",
        "application/n-triples, text/html;q=0.1": "application/n-triples",
        "*/*": "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "text/html",
        "application/rdf+xml": "application/rdf+xml",
        "text/*;q=0.5, text/html;q=0": "text/turtle",
    }
    for accept, expected in cases.items():
        response = requests.get(doc, headers={"Accept": accept}, timeout=10)
        assert response.headers["Content-Type"].split(";")[0] == expected, accept
    assert requests.get(doc, timeout=10).headers["Content-Type"].startswith("text/html")  # no Accept at all


def test_unknown_iris_404_and_unsupported_formats_406(ld_server):
    for path in (
        "/id/journal/0000-0000",
        "/doc/journal/2476-6879/article/NOPE",
        "/fa/doc/person/nobody",
        "/doc" + SEED_ARTICLE[3:] + ".pdf",
        "/graph/journal/0000-0000/article/x",
        "/jsonld/person/nobody",
    ):
        assert requests.get(ld_server.url + path, timeout=10).status_code == 404, path
    response = requests.get(
        ld_server.url + "/doc" + SEED_ARTICLE[3:], headers={"Accept": "application/pdf"}, timeout=10
    )
    assert response.status_code == 406
    response = requests.get(ld_server.url + "/doc" + SEED_ARTICLE[3:], headers={"Accept": "text/html;q=0"}, timeout=10)
    assert response.status_code == 406
    head = requests.head(ld_server.url + "/doc" + SEED_ARTICLE[3:] + ".ttl", timeout=10)
    assert head.status_code == 200 and not head.content


class _Page(HTMLParser):
    """The bits of a page the tests look at: html lang/dir, title, h1 text, links, meta tags."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.links: list[str] = []
        self.alternates: list[dict[str, str | None]] = []
        self.meta: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._title = False
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.root = attributes
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)
        elif tag == "meta" and attributes.get("name"):
            self.meta.append((attributes["name"], attributes.get("content") or ""))
        elif tag == "title":
            self._title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._title = False

    def handle_data(self, data):
        if self._title:
            self.title += data
        self.text.append(data)


def read_page(url: str) -> tuple[_Page, requests.Response]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.text[:300])
    page = _Page()
    page.feed(response.text)
    return page, response


def test_article_pages_in_both_languages(ld_server, kg):
    things = _things(kg)
    base = ld_server.url
    fa, response = read_page(f"{base}/fa/doc{SEED_ARTICLE[3:]}")
    assert fa.root == {"lang": "fa", "dir": "rtl"}
    assert fa.title.startswith(TITLE_FA)
    assert response.headers["Content-Language"] == "fa"
    text = " ".join(fa.text)
    assert AUTHOR_FA in text and "نویسندهٔ مسئول" in text  # the corresponding author is marked
    assert "۱ اسفند ۱۴۰۴" in text and "۱ مارس ۲۰۲۶" in text  # both calendars
    assert "Assistant Professor" not in text and "استادیار" in text  # the affiliation, in Persian
    assert f"{base}/fa/doc{things['person'][3:]}" in fa.links
    assert f"{base}/fa/doc{JOURNAL[3:]}" in fa.links and f"{base}/fa/doc{ISSUE[3:]}" in fa.links
    assert f"{base}/fa/doc{things['concept'][3:]}" in fa.links
    assert "http://mshsj.ssu.ac.ir/browse.php?a_code=A-10-968-1&slc_lang=fa&sid=1" in fa.links
    hreflangs = {a.get("hreflang"): a.get("href") for a in fa.alternates if a.get("hreflang")}
    assert hreflangs["en"] == f"{base}/en/doc{SEED_ARTICLE[3:]}"
    assert hreflangs["fa"] == f"{base}/fa/doc{SEED_ARTICLE[3:]}"

    en, _ = read_page(f"{base}/en/doc{SEED_ARTICLE[3:]}")
    assert en.root == {"lang": "en", "dir": "ltr"}
    assert en.title.startswith(TITLE_EN)
    text = " ".join(en.text)
    assert AUTHOR_EN in text and "corresponding author" in text
    assert "1 Esfand 1404" in text and "1 March 2026" in text
    assert "Background:" in text or "Background" in text  # the abstract, as paragraphs
    assert f"{base}/en/doc{things['person'][3:]}" in en.links
    # the negotiated document picks the language from Accept-Language
    response = requests.get(f"{base}/doc{SEED_ARTICLE[3:]}", headers={"Accept-Language": "en-GB,en;q=0.8"}, timeout=10)
    assert response.headers["Content-Location"] == f"{base}/en/doc{SEED_ARTICLE[3:]}"
    assert re.search(r'<html lang="en" dir="ltr">', response.text)


def test_highwire_press_tags_for_google_scholar(ld_server):
    # one Google Scholar record per article: the tags are on the page of the article's language (Persian) only
    english, _ = read_page(f"{ld_server.url}/en/doc{SEED_ARTICLE[3:]}")
    assert not [name for name, _ in english.meta if name.startswith("citation_")]
    page, _ = read_page(f"{ld_server.url}/fa/doc{SEED_ARTICLE[3:]}")
    meta: dict[str, list[str]] = {}
    for name, content in page.meta:
        meta.setdefault(name, []).append(content)
    assert meta["citation_title"] == [TITLE_FA]
    assert meta["citation_author"] == [AUTHOR_FA]
    assert meta["citation_publication_date"] == ["2026/03/01"]
    assert meta["citation_journal_title"] == ["راهبردهای مدیریت در نظام سلامت"]
    assert sorted(meta["citation_issn"]) == ["2476-6879", "2538-1563"]
    assert meta["citation_volume"] == ["10"] and meta["citation_issue"] == ["4"]
    assert meta["citation_firstpage"] == ["355"] and meta["citation_lastpage"] == ["373"]
    assert meta["citation_language"] == ["fa"]
    assert "سلامت دیجیتال" in meta["citation_keywords"][0]
    assert meta["citation_abstract_html_url"] == [f"{ld_server.url}/fa/doc{SEED_ARTICLE[3:]}"]


def test_person_journal_issue_and_keyword_pages_link_to_each_other(ld_server, kg):
    things = _things(kg)
    base = ld_server.url
    article_page = f"{base}/en/doc{SEED_ARTICLE[3:]}"
    person, _ = read_page(f"{base}/en/doc{things['person'][3:]}")
    assert person.title.startswith(AUTHOR_EN) and article_page in person.links
    journal, _ = read_page(f"{base}/en/doc{JOURNAL[3:]}")
    assert journal.title.startswith("Management Strategies in Health System")
    assert f"{base}/en/doc{ISSUE[3:]}" in journal.links
    issue, _ = read_page(f"{base}/en/doc{ISSUE[3:]}")
    assert article_page in issue.links and f"{base}/en/doc{JOURNAL[3:]}" in issue.links
    assert "1 Esfand 1404" in " ".join(issue.text)
    concept, _ = read_page(f"{base}/en/doc{things['concept'][3:]}")
    assert article_page in concept.links
    volume, _ = read_page(f"{base}/fa/doc/journal/2476-6879/volume/10")
    assert volume.root["dir"] == "rtl" and f"{base}/fa/doc{ISSUE[3:]}" in volume.links
    organization = next(kg.objects(rdflib.URIRef(BUILD_BASE + things["person"]), SCHEMA.affiliation))
    org, _ = read_page(f"{base}/en/doc{str(organization)[len(BUILD_BASE) + 3 :]}")
    assert article_page in org.links and f"{base}/en/doc{things['person'][3:]}" in org.links


def test_every_minted_iri_resolves(ld_server, kg):
    """Every subject IRI under the build base answers: things 303 to a document that answers 200."""
    subjects = {str(s) for s in kg.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(BUILD_BASE)}
    assert len(subjects) > 100
    session = requests.Session()
    for iri in sorted(subjects):
        path = iri[len(BUILD_BASE) :]
        if path.startswith("/id/"):
            response = session.get(ld_server.url + path, allow_redirects=False, timeout=10)
            assert response.status_code == 303, (iri, response.status_code)
            target = response.headers["Location"]
            document = session.get(target, headers={"Accept": "application/n-triples"}, timeout=10)
            assert document.status_code == 200, iri
            assert f"<{iri}>" in document.text  # named by its minted IRI
        else:  # named graphs are documents: they answer with their content
            assert path.startswith("/graph/"), iri
            response = session.get(ld_server.url + path, headers={"Accept": "application/n-quads"}, timeout=10)
            assert response.status_code == 200 and f"<{iri}> ." in response.text, iri


def test_named_graph_content_matches_the_store(ld_server, sample_build):
    import gzip

    path = "/graph/journal/2476-6879/article/A-10-968-1"
    dump = gzip.decompress((sample_build / "current" / "dumps" / "kg.nq.gz").read_bytes()).decode("utf-8")
    expected = {line for line in dump.splitlines() if line.endswith(f"<{BUILD_BASE}{path}> .")}
    body = requests.get(ld_server.url + path + ".nq", timeout=10).text
    dataset = rdflib.Dataset()
    dataset.parse(data=body, format="nquads")
    reference = rdflib.Dataset()
    reference.parse(data="\n".join(expected), format="nquads")
    assert len(dataset) == len(reference) == len(expected)
    page = requests.get(ld_server.url + path, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and html.escape(TITLE_EN, quote=False) in page.text


def test_public_url_setting_sets_where_links_go(sample_build, tmp_path):
    from tests.server_fixtures import start_server

    server = start_server(sample_build, tmp_path, {"server": {"public_url": "https://data.example.net"}})
    try:
        response = requests.get(server.url + SEED_ARTICLE, allow_redirects=False, timeout=10)
        assert response.headers["Location"] == "https://data.example.net/doc" + SEED_ARTICLE[3:]
        response = requests.get(server.url + "/doc" + SEED_ARTICLE[3:] + ".nt", timeout=10)
        assert f"<{BUILD_BASE}/id/journal/2476-6879/volume/10/issue/4>" in response.text  # identifiers as minted
        assert "data.example.net" not in response.text and server.url not in response.text
        assert "<https://data.example.net/doc" + SEED_ARTICLE[3:] + ".ttl>" in response.headers["Link"]
        page = requests.get(server.url + "/en/doc" + SEED_ARTICLE[3:], timeout=10).text
        assert f'href="https://data.example.net/en/doc{SEED_ARTICLE[3:]}"' in page
    finally:
        server.stop()


def test_documents_revalidate_with_304_and_paths_are_read_as_iris(ld_server):
    url = f"{ld_server.url}/en/doc{SEED_ARTICLE[3:]}"
    first = requests.get(url, timeout=10)
    assert first.headers["ETag"] and first.headers["Cache-Control"].startswith("public")
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and not again.content
    turtle = requests.get(f"{ld_server.url}/doc{SEED_ARTICLE[3:]}", headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.headers["ETag"] != first.headers["ETag"]  # one validator per representation
    # a percent-encoded request path is the same IRI as its plain form
    encoded = requests.get(ld_server.url + SEED_ARTICLE.replace("A-10", "A%2D10"), allow_redirects=False, timeout=10)
    assert encoded.status_code == 303
    assert encoded.headers["Location"] == ld_server.url + "/doc" + SEED_ARTICLE[3:]
