"""The PubMed/NLM ArticleSet and OJS Articles readers on real exports, built for real and queried.

``tests/fixtures/pubmed/`` holds the shared corpus's five real files and a hand-written PubMed rendering of
the seed's article that carries every element the reader maps (see its SOURCE.md). One build of the folder
serves the golden-fact tests; each test checks the first article of one file in the built store.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Store

from kg.build import BuildOptions, build
from kg.cli import run_validate
from kg.vocab import sparql_prologue
from tests.conftest import ROOT, TEST_SECRET

FIXTURES = ROOT / "tests" / "fixtures" / "pubmed"
BASE = "https://kg.example.org"
PREFIXES = sparql_prologue() + "PREFIX cito: <http://purl.org/spar/cito/>\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pubmed-build")
    build([FIXTURES], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), processes=1))
    return out


@pytest.fixture(scope="module")
def store(built: Path) -> Store:
    return Store.read_only(str(built / "current" / "store"))


def rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else "" for term in row) for row in store.query(PREFIXES + query)]


def texts(store: Store, subject: str, predicate: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.query(PREFIXES + f"SELECT ?o WHERE {{ <{subject}> {predicate} ?o }}"):
        found.setdefault(row["o"].language or "", set()).add(row["o"].value)
    return found


def authors(store: Store, article: str) -> list[tuple[str, str]]:
    """(given name, family name) of the article's authors in their order (any language, English first)."""
    found = rows(
        store,
        f"""SELECT ?position ?given ?family WHERE {{
            <{article}> pro:isDocumentContextFor ?role . ?role pro:withRole pro:author ; schema:position ?position ;
                pro:isHeldBy ?person .
            OPTIONAL {{ ?person schema:givenName ?given }} OPTIONAL {{ ?person schema:familyName ?family }}
        }} ORDER BY ?position""",
    )
    return [(given, family) for _, given, family in found]


def history(store: Store, article: str) -> dict[str, str]:
    terms = {"received": "fabio:hasDateReceived", "accepted": "dcterms:dateAccepted", "revised": "kg:dateRevised"}
    found = {}
    for name, term in terms.items():
        values = rows(store, f"SELECT ?d WHERE {{ <{article}> {term} ?d }}")
        if values:
            found[name] = values[0][0]
    return found


def report_problems(built: Path, name: str) -> list[dict]:
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    for entry in report["files"]:
        if Path(entry["path"]).name == name:
            return entry["problems"] + [p for article in entry["articles"] for p in article["problems"]]
    raise AssertionError(f"{name} is not in the report")


def test_every_file_is_read_and_published(built: Path) -> None:
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    files = {Path(entry["path"]).name: entry for entry in report["files"]}
    assert set(files) == {path.name for path in FIXTURES.glob("*.xml")}
    for name, entry in files.items():
        assert entry["status"] == "read", name
        assert [article["status"] for article in entry["articles"]] == ["published"], name


def test_the_built_examples_validate_without_violation(built: Path) -> None:
    out = io.StringIO()
    assert run_validate([], built / "current", "json", BASE, out=out) == 0, out.getvalue()
    results = json.loads(out.getvalue())
    assert set(results["counts"]) <= {"warning", "info"}, results["counts"]
    article_graphs = [graph for graph in results["graphs"] if "/article/" in graph]
    assert len(article_graphs) == len(list(FIXTURES.glob("*.xml")))  # every article graph was checked


def test_birjand_nlm_doctype_persian_journal(store: Store) -> None:
    journal = f"{BASE}/id/journal/2322-1747"
    article = rows(store, "SELECT ?a WHERE { ?a prism:doi '10.22077/jlr.2018.857' }")[0][0]
    assert article.startswith(journal + "/article/doi-")
    assert texts(store, journal, "schema:name") == {"fa": {"تحقیقات دام و طیور"}}
    assert texts(store, article, "schema:headline") == {
        "en": {
            "Therapeutic potential of plant Hibiscus sabdariffa in monogastric animals: "
            "A review of the scientific evidence"
        },
        "fa": {
            "کارکردهای دارویی گیاه هیبیسکاس سابداریفا در جانوران تک معده‌ای: مروری بر شواهد علمی".replace("\u200c", "")
        },
    }
    assert rows(
        store, f"SELECT ?s ?e ?l WHERE {{ <{article}> schema:pageStart ?s ; schema:pageEnd ?e ; schema:inLanguage ?l }}"
    ) == [("1", "14", "fa")]
    # «شماره 1 و 2» is issue 1-2
    assert rows(store, f"SELECT ?n WHERE {{ <{article}> prism:issueIdentifier ?n }}") == [("1-2",)]
    assert rows(store, f"SELECT ?d WHERE {{ <{article}> schema:datePublished ?d }}") == [("2017-08-23",)]
    assert history(store, article) == {"received": "2018-10-05"}
    assert rows(
        store,
        f"SELECT ?v WHERE {{ <{article}> datacite:hasIdentifier ?i . ?i schema:propertyID 'PII' ; schema:value ?v }}",
    ) == [("857",)]
    publisher = rows(store, f"SELECT ?n WHERE {{ <{journal}> schema:publisher ?p . ?p schema:name ?n }}")
    assert publisher == [("دانشگاه بیرجند",)]
    assert authors(store, article) == []  # the AuthorList is empty in the file


def test_irshums_authors_in_order_and_history(store: Store, built: Path) -> None:
    journal = f"{BASE}/id/journal/2783-4921"
    article = f"{journal}/article/v1-n4-p149"
    assert texts(store, article, "schema:headline") == {
        "en": {
            "Comparison of Sleep Disorders, Sleepiness, Depression, Anxiety and Fear in Frontline and "
            "Non-frontline Nurses of COVID-19"
        }
    }
    assert authors(store, article) == [
        ("M.", "Akbarbegloo"),
        ("M.", "Sanaeefar"),
        ("Z.", "Alimokhtari"),
        ("E.", "Mortazazadeh Mahalleh"),
        ("M.", "Purabdollah"),
    ]
    assert history(store, article) == {"received": "2022-04-17", "accepted": "2022-07-10"}
    assert rows(store, f"SELECT ?d WHERE {{ <{article}> schema:datePublished ?d }}") == [("2022-11-01",)]  # <DAY>
    assert rows(store, f"SELECT ?s ?e WHERE {{ <{article}> schema:pageStart ?s ; schema:pageEnd ?e }}") == [
        ("149", "155")
    ]
    assert rows(store, f"SELECT ?i WHERE {{ <{journal}> schema:issn ?i }}") == [("2783-4921",)]
    assert not rows(store, f"SELECT ?d WHERE {{ <{article}> prism:doi ?d }}")  # the ArticleId is empty


def test_ojs_ijph_abstract_pdf_and_web_url(store: Store) -> None:
    journal = f"{BASE}/id/journal/2251-6085"
    article = f"{journal}/article/v6-n3-p80"
    assert texts(store, article, "schema:headline") == {"en": {"REPORT OF A DENTAL HEALTH SURVEY OF SCHOOL CHILDREN"}}
    abstract = texts(store, article, "schema:abstract")
    assert set(abstract) == {"en"} and next(iter(abstract["en"])).startswith("The DMF index of 2000 school children")
    assert authors(store, article) == [("", "E. Khamessi")]
    assert rows(
        store,
        f"SELECT ?u ?f WHERE {{ <{article}> schema:encoding ?p . ?p schema:contentUrl ?u ; schema:encodingFormat ?f }}",
    ) == [("https://ijph.tums.ac.ir/index.php/ijph/article/download/2720/2700", "application/pdf")]
    assert rows(store, f"SELECT ?u WHERE {{ <{article}> schema:url ?u }}") == [
        ("https://ijph.tums.ac.ir/index.php/ijph/article/view/2720",)
    ]
    assert history(store, article) == {"received": "2015-10-03"}
    assert rows(store, f"SELECT ?d WHERE {{ <{article}> schema:datePublished ?d }}") == [("1977-09-15",)]
    publisher = rows(store, f"SELECT ?n WHERE {{ <{journal}> schema:publisher ?p . ?p schema:name ?n }}")
    assert publisher == [("Tehran University of Medical Sciences",)]


def test_ojs_ijnmr_nameless_authors_are_reported_not_published(store: Store, built: Path) -> None:
    journal = f"{BASE}/id/journal/1735-9066"
    article = f"{journal}/article/v7-n4-p247"
    assert texts(store, article, "schema:headline") == {
        "en": {"Nurses' Knowledge in and Attitudes towards Psychopharmacology"}
    }
    assert rows(store, f"SELECT ?s ?e WHERE {{ <{article}> schema:pageStart ?s ; schema:pageEnd ?e }}") == [
        ("247", "247")
    ]
    assert history(store, article) == {"received": "2010-11-13"}
    assert authors(store, article) == []
    problems = report_problems(built, "ojs-ijnmr-mui-viewXML-247.xml")
    fields = {problem["field"] for problem in problems if problem["code"] == "author-without-name"}
    assert fields == {"AuthorList/Author[1]/LastName", "AuthorList/Author[2]/LastName"}


def test_rimag_upper_case_article_and_flat_history(store: Store) -> None:
    journal = f"{BASE}/id/journal/3060-821X"
    article = f"{journal}/article/v5-n17-p35"
    titles = texts(store, article, "schema:headline")
    assert titles["en"] == {
        "Social Hope in the Heart of Deprivation: A Sociological Study of the Quality of Life in the "
        "Marginalized Areas of Qazvin City"
    }
    assert next(iter(titles["fa"])).startswith("امید اجتماعی در دل محرومیت")
    assert rows(store, f"SELECT ?t WHERE {{ <{article}> dcterms:title ?t }}")[0][0].startswith("امید")  # original: fa
    assert authors(store, article) == [("موسی", "سعادتی")]
    assert history(store, article) == {"received": "2025-12-23"}
    assert rows(store, f"SELECT ?d WHERE {{ <{article}> schema:datePublished ?d }}") == [("2026-06-27",)]
    assert rows(store, f"SELECT ?i WHERE {{ <{journal}> schema:issn ?i }}") == [("3060-821X",)]


def test_full_rendering_maps_every_element(store: Store, built: Path) -> None:
    journal = f"{BASE}/id/journal/2476-6879"
    article = f"{journal}/article/A-10-968-1"  # the code from web_url: the seed's own article IRI
    assert texts(store, article, "schema:headline")["fa"] == {
        "مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت"
    }
    abstract = texts(store, article, "schema:abstract")
    assert next(iter(abstract["en"])).split("\n\n")[1].startswith("Methods: This study")  # structured sections
    assert next(iter(abstract["fa"])).startswith("زمینه و هدف")
    assert history(store, article) == {"received": "2025-10-12", "revised": "2025-12-20", "accepted": "2026-01-05"}
    assert rows(store, f"SELECT ?g WHERE {{ <{article}> schema:genre ?g }}") == [
        (f"{BASE}/id/article-type/review-article",)
    ]
    person = rows(store, f"SELECT ?p WHERE {{ <{article}> schema:author ?p }}")[0][0]
    assert person == f"{BASE}/id/person/orcid-0000-0002-1825-0097"
    ids = dict(
        rows(
            store,
            f"SELECT ?k ?v WHERE {{ <{article}> datacite:hasIdentifier ?i . "
            "?i schema:propertyID ?k ; schema:value ?v }",
        )
    )
    assert ids == {"PII": "968", "PMID": "41234567"}
    references = rows(
        store,
        f"""SELECT ?r ?citation ?doi WHERE {{ <{article}> cito:cites ?r . ?r a fabio:Expression, schema:CreativeWork ;
            dcterms:bibliographicCitation ?citation . OPTIONAL {{ ?r prism:doi ?doi }} }} ORDER BY ?r""",
    )
    assert [(node.rsplit("/", 1)[1], doi) for node, _, doi in references] == [
        ("1", "10.1007/978-3-319-38756-7_4"),
        ("2", ""),
    ]
    assert references[0][1].startswith("Grieves M, Vickers J.")
    keywords = {
        value
        for (value,) in rows(store, f"SELECT ?l WHERE {{ <{article}> dcterms:subject ?c . ?c skos:prefLabel ?l }}")
    }
    assert {"Medical digital twin", "Digital health", "دوقلوی دیجیتال پزشکی"} <= keywords
    publishers = {
        name for (name,) in rows(store, f"SELECT ?n WHERE {{ <{journal}> schema:publisher ?p . ?p schema:name ?n }}")
    }
    assert publishers == {"Shahid Sadoughi University of Medical Sciences", "دانشگاه علوم پزشکی شهید صدوقی یزد"}
    unmapped = [p for p in report_problems(built, "mshsj-a968-pubmed.xml") if p["code"] == "unmapped-element"]
    assert [p["field"] for p in unmapped] == ["CoiStatement"]


def test_publisher_and_pdf_reach_the_tags_and_the_jsonld(store: Store) -> None:
    """The PubMed rendering's publisher and PDF show in citation_* tags and in JSON-LD that the graph backs."""
    from kg.publish.article_jsonld import article_jsonld
    from kg.publish.article_view import article_context_query, article_view
    from kg.server.article_page import citation_tags
    from tests.test_jsonld import to_graph

    (article,) = rows(store, "SELECT ?a WHERE { ?a schema:encoding ?pdf }")[:1]
    triples = list(store.query(article_context_query(article[0]), use_default_graph_as_union=True))
    view = article_view(triples, article[0])
    tags = dict(citation_tags(view, "en", "https://example.org/page"))
    assert tags["citation_pdf_url"] == "http://mshsj.ssu.ac.ir/article-1-968-fa.pdf"
    assert tags["citation_publisher"] == "Shahid Sadoughi University of Medical Sciences"

    document = article_jsonld(view, "en")
    assert document["encoding"]["contentUrl"] == tags["citation_pdf_url"]
    journal = document["isPartOf"]["isPartOf"]["isPartOf"]
    assert journal["publisher"]["name"] == {"@value": tags["citation_publisher"], "@language": "en"}
    graph = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)
    }
    stated = {(str(s), str(p), str(o)) for s, p, o in to_graph(document)}
    page_links = {t for t in stated if t[1] == "http://schema.org/url" and f"{BASE}/doc/" in t[2]}
    assert stated - page_links - graph == set()
    assert (journal["@id"], "http://schema.org/publisher", journal["publisher"]["@id"]) in stated
