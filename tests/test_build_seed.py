"""The seed export, built for real: checked by querying the store and parsing the dumps."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Store

from kg.vocab import sparql_prologue

BASE = "https://kg.example.org"
JOURNAL = f"{BASE}/id/journal/2476-6879"
ARTICLE = f"{JOURNAL}/article/A-10-968-1"
ISSUE = f"{JOURNAL}/volume/10/issue/4"
PREFIXES = sparql_prologue()


@pytest.fixture(scope="module")
def store(sample_build: Path) -> Store:
    return Store.read_only(str(sample_build / "current" / "store"))


def select(store: Store, query: str) -> list[dict[str, str]]:
    rows = store.query(PREFIXES + query)
    names = [variable.value for variable in rows.variables]
    return [{name: (row[name].value if row[name] is not None else None) for name in names} for row in rows]


def lang_values(store: Store, subject: str, predicate: str) -> dict[str, set[str]]:
    rows = store.query(f"SELECT ?o WHERE {{ <{subject}> {predicate} ?o }}")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["o"].language or "", set()).add(row["o"].value)
    return found


def test_journal_has_both_issns_and_titles(store: Store) -> None:
    rows = select(store, f"SELECT ?issn WHERE {{ <{JOURNAL}> a schema:Periodical, fabio:Journal ; schema:issn ?issn }}")
    assert {row["issn"] for row in rows} == {"2476-6879", "2538-1563"}
    assert select(store, f"SELECT ?p WHERE {{ <{JOURNAL}> prism:issn '2476-6879' ; prism:eIssn '2538-1563' }}")
    titles = lang_values(store, JOURNAL, "<http://schema.org/name>")
    assert titles == {"en": {"Management Strategies in Health System"}, "fa": {"راهبردهای مدیریت در نظام سلامت"}}


def test_volume_and_issue_chain(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?volume ?vn ?issue ?in WHERE {{
        <{ARTICLE}> schema:isPartOf ?issue . ?issue a schema:PublicationIssue ; schema:issueNumber ?in ;
            schema:isPartOf ?volume . ?volume a schema:PublicationVolume ; schema:volumeNumber ?vn ;
            schema:isPartOf <{JOURNAL}> . }}""",
    )
    assert rows == [{"volume": f"{JOURNAL}/volume/10", "vn": "10", "issue": ISSUE, "in": "4"}]


def test_article_type_titles_and_pages(store: Store) -> None:
    types = {row["t"] for row in select(store, f"SELECT ?t WHERE {{ <{ARTICLE}> a ?t }}")}
    assert {
        "http://schema.org/ScholarlyArticle",
        "http://purl.org/spar/fabio/JournalArticle",
        "http://purl.org/spar/fabio/ReviewArticle",
    } <= types
    titles = lang_values(store, ARTICLE, "<http://schema.org/headline>")
    assert set(titles) == {"fa", "en"}
    assert titles["en"] == {"A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine"}
    assert select(
        store,
        f"SELECT * WHERE {{ <{ARTICLE}> schema:pageStart '355' ; schema:pageEnd '373' ; "
        f"frbr:embodiment ?m . ?m prism:startingPage '355' ; prism:endingPage '373' }}",
    )
    labels = lang_values(store, ARTICLE, "<https://w3id.org/kg/ns#contentTypeLabel>")
    assert labels == {"en": {"Review"}, "fa": {"مروری"}}


def test_abstracts_are_clean_plain_text(store: Store) -> None:
    abstracts = lang_values(store, ARTICLE, "<http://schema.org/abstract>")
    (english,) = abstracts["en"]
    (persian,) = abstracts["fa"]
    assert english.startswith("Background: With the rapid growth")
    for text in (english, persian):
        assert "<" not in text and "&" not in text.replace("Medicine & Health", "")
        assert "nazanin" not in text and "font-family" not in text and "\u00a0" not in text
    paragraphs = english.split("\n\n")
    assert [p.split(":")[0] for p in paragraphs][:3] == ["Background", "Methods", "Results"]
    assert "\u200c" in persian  # ZWNJ kept: «کلان‌داده‌های»
    assert persian.startswith("زمینه و هدف:")


def test_keywords_paired_into_five_concepts(store: Store) -> None:
    literals = lang_values(store, ARTICLE, "<http://schema.org/keywords>")
    assert len(literals["fa"]) == 5 and len(literals["en"]) == 5
    rows = select(
        store,
        f"""SELECT ?concept ?en ?fa WHERE {{ <{ARTICLE}> dcterms:subject ?concept .
        ?concept a skos:Concept ; skos:prefLabel ?en, ?fa . FILTER(lang(?en) = 'en' && lang(?fa) = 'fa') }}""",
    )
    assert len(rows) == 5
    pairs = {row["en"]: row["fa"] for row in rows}
    assert pairs["Medical digital twin"] == "دوقلوی دیجیتال پزشکی"
    assert pairs["WHO health system building blocks"] == "ارکان نظام سلامت سازمان جهانی بهداشت"


def test_author_names_roles_and_organization(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?person ?role ?position ?org WHERE {{
        <{ARTICLE}> pro:isDocumentContextFor ?role ; schema:author ?person .
        ?role pro:withRole pro:author ; pro:isHeldBy ?person ; schema:position ?position ;
              pro:relatesToOrganization ?org . }}""",
    )
    assert len(rows) == 1 and rows[0]["position"] == "1"
    person = rows[0]["person"]
    assert lang_values(store, person, "<http://schema.org/givenName>") == {
        "en": {"Mohammad Hossein"},
        "fa": {"محمدحسین"},
    }
    assert lang_values(store, person, "<http://schema.org/familyName>") == {"en": {"Roozbahani"}, "fa": {"روزبهانی"}}
    assert not select(store, f"SELECT ?o WHERE {{ <{person}> schema:sameAs ?o }}")  # no ORCID in the seed
    assert not select(store, f"SELECT ?i WHERE {{ <{person}> datacite:hasIdentifier ?i }}")
    names = lang_values(store, rows[0]["org"], "<http://schema.org/name>")
    assert names["en"] == {
        "Assistant Professor, Department of Nanotechnology Engineering, School of Advanced "
        "Technologies, Iran University of Science and Technology, Tehran, Iran"
    }
    assert select(
        store,
        f"""SELECT ?r WHERE {{ <{ARTICLE}> pro:isDocumentContextFor ?r .
        ?r pro:withRole scoro:corresponding-author ; pro:isHeldBy <{person}> }}""",
    )


def test_issue_dates_in_both_calendars(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?date ?year ?month ?day ?calendar WHERE {{
        <{ISSUE}> schema:datePublished ?date ; time:hasTime/time:inDateTime ?d .
        ?d time:year ?year ; time:month ?month ; time:day ?day ; time:hasTRS ?calendar }}""",
    )
    assert rows == [
        {
            "date": "2026-03-01",
            "year": "1404",
            "month": "--12",
            "day": "---01",
            "calendar": f"{BASE}/id/calendar/solar-hijri",
        }
    ]
    datatype = next(
        iter(
            store.query(
                f"SELECT ?d WHERE {{ <{ARTICLE}> <http://schema.org/datePublished> ?d }}",
            )
        )
    )["d"].datatype.value
    assert datatype == "http://www.w3.org/2001/XMLSchema#date"


def test_email_and_system_user_published_nowhere(sample_build: Path) -> None:
    """Every file of the output (store files, dumps, report) is searched, uncompressed."""
    secret = sample_build / "secret.key"
    for path in sample_build.rglob("*"):
        if not path.is_file() or path == secret:
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert b"roozbahani@iust.ac.ir" not in data, path
        assert b"iust.ac.ir" not in data, path
    graph = rdflib.Dataset()
    graph.parse(data=gzip.decompress((sample_build / "dumps" / "kg.nq.gz").read_bytes()), format="nquads")
    quads = list(graph.quads((None, None, None, None)))
    assert not any(str(o) == "admin" for _, _, o, _ in quads)
    assert not any("mbox" in str(p) or "email" in str(p).lower() for _, p, _, _ in quads)
    assert not any("@" in str(o) for _, _, o, _ in quads if isinstance(o, rdflib.Literal))


def test_article_is_one_named_graph_with_its_containers(store: Store) -> None:
    graph = f"{BASE}/graph/journal/2476-6879/article/A-10-968-1"
    rows = select(
        store,
        f"""SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s a ?type }}
        VALUES ?type {{ schema:Periodical schema:PublicationVolume schema:PublicationIssue
                        schema:ScholarlyArticle }} }}""",
    )
    assert {row["s"] for row in rows} == {JOURNAL, f"{JOURNAL}/volume/10", ISSUE, ARTICLE}


def test_default_graph_is_the_merged_set(sample_build: Path) -> None:
    """The journal is in four jmums article graphs, but the SPARQL default graph holds its triples once."""
    store = Store.read_only(str(sample_build / "current" / "store"))
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://kg.example.org/id/journal/1735-9260> "
        "<http://schema.org/name> ?name } } GROUP BY ?g"
    )
    assert len(list(store.query(query))) == 4
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { <https://kg.example.org/id/journal/1735-9260> <http://schema.org/name> ?name }"
    )
    assert next(iter(rows))["n"].value == "2"
