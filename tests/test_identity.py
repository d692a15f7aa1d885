"""Issue 12's rules, each on a hand-made variant of the seed: one thing, one IRI, and a report editors can act on.

Every test builds for real (or maps and validates as ``kg validate`` does) and asserts the exact IRIs in
the store and the exact report entries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from pyoxigraph import Store

from kg.build import BuildOptions, build
from kg.cli import main as kg_main
from kg.iris import Minter
from kg.pipeline import map_inputs
from kg.validation import Validator
from kg.validation.reference import PyShaclValidator
from kg.validation.store_check import validate_store
from tests.conftest import SEED, TEST_SECRET
from tests.test_build_dumps import vocabulary_terms

BASE = "https://kg.example.org"
MINTER = Minter(BASE)
JOURNAL = f"{BASE}/id/journal/2476-6879"
ARTICLE = f"{JOURNAL}/article/A-10-968-1"
OTHER = f"{JOURNAL}/article/A-10-969-1"
SCHEMA = "http://schema.org/"
AFFILIATION = (
    "Assistant Professor, Department of Nanotechnology Engineering, School of Advanced Technologies, "
    "Iran University of Science and Technology, Tehran, Iran"
)
AFFILIATION_FA = "استادیار، گروه مهندسی نانو فناوری، دانشکده فناوریهای نوین، دانشگاه علم و صنعت ایران، تهران، ایران"
NOMINAL = "nominal-gregorian-date"


def variant(*replacements: tuple[str, str]) -> str:
    text = SEED.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def build_files(tmp_path: Path, files: dict[str, str], validate: bool = True) -> tuple[Store, dict]:
    (tmp_path / "in").mkdir()
    for name, text in files.items():
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    options = BuildOptions(secret=TEST_SECRET.encode(), processes=1, validate=validate, progress=False)
    build([tmp_path / "in"], tmp_path / "out", options)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    return Store.read_only(str(tmp_path / "out" / "current" / "store")), report


def entries(report: dict) -> set[tuple[str, ...]]:
    """Every reader problem and SHACL result of the report: (file, record, severity, code or shape, field, value)."""
    found = set()
    for entry in report["files"]:
        name = Path(entry["path"]).name
        articles = entry.get("articles", [])
        for problem in [*entry["problems"], *(problem for article in articles for problem in article["problems"])]:
            found.add(
                (
                    name,
                    problem.get("record", ""),
                    problem["severity"],
                    problem["code"],
                    problem.get("field", ""),
                    problem.get("value", ""),
                )
            )
        for article in articles:
            for result in article.get("validation", []):
                shape = result["shape"].rsplit("#", 1)[-1]
                found.add(
                    (
                        name,
                        article["record"],
                        result["severity"],
                        shape,
                        result.get("path", ""),
                        result.get("value", ""),
                    )
                )
    for note in report.get("repeated_notes", []):  # said once, in the first file; listed here with every file
        for path in note["files"]:
            found.add((Path(path).name, note["record"], note["severity"], note["code"], note["field"], note["value"]))
    return found


SEED_ENTRIES = {
    ("seed.xml", "journal", "info", "placeholder", "journal_id_nlai", "8888"),
    ("seed.xml", "issue", "info", NOMINAL, "pubdate[gregorian]", "2026-03-01"),
}


def seed_entries(*names: str) -> set[tuple[str, ...]]:
    """What the seed's report holds (its two infos), for each of these files."""
    return {(name, *entry[1:]) for name in names for entry in SEED_ENTRIES}


def values(store: Store, query: str) -> set[str]:
    return {row[0].value for row in store.query(query)}


def test_organizations_meet_on_the_normalised_affiliation(tmp_path: Path) -> None:
    """A trailing period (left by a scrubbed e-mail), case, Arabic letters and Persian digits make no new one."""
    other = variant(
        ("A-10-968-1", "A-10-969-1"),
        (
            f"{AFFILIATION}</affiliation>",
            f"{AFFILIATION.replace('Tehran', 'TEHRAN')}. , someone@example.ac.ir</affiliation>",
        ),
    )
    persian_only = variant(
        ("A-10-968-1", "A-10-970-1"),
        (f"<affiliation>{AFFILIATION}</affiliation>", "<affiliation></affiliation>"),
        (AFFILIATION_FA, "دانشگاه علم و صنعت ايران ۱، تهران، ايران."),
    )
    persian_only_again = variant(
        ("A-10-968-1", "A-10-971-1"),
        (f"<affiliation>{AFFILIATION}</affiliation>", "<affiliation></affiliation>"),
        (AFFILIATION_FA, "دانشگاه علم و صنعت ایران 1، تهران، ایران"),
    )
    store, _ = build_files(
        tmp_path,
        {"seed.xml": variant(), "other.xml": other, "fa1.xml": persian_only, "fa2.xml": persian_only_again},
        validate=False,
    )
    english = MINTER.organization(AFFILIATION, "en").value
    persian = MINTER.organization("دانشگاه علم و صنعت ایران 1، تهران، ایران", "fa").value
    assert values(store, f"SELECT DISTINCT ?o {{ GRAPH ?g {{ ?o a <{SCHEMA}Organization> }} }}") == {english, persian}
    names = values(store, f"SELECT ?n {{ GRAPH ?g {{ <{english}> <{SCHEMA}name> ?n FILTER(lang(?n) = 'en') }} }}")
    assert names == {AFFILIATION, AFFILIATION.replace("Tehran", "TEHRAN") + "."}  # verbatim, as labels
    fa_names = values(store, f"SELECT ?n {{ GRAPH ?g {{ <{persian}> <{SCHEMA}name> ?n }} }}")
    assert fa_names == {"دانشگاه علم و صنعت ایران ۱، تهران، ایران.", "دانشگاه علم و صنعت ایران 1، تهران، ایران"}


@pytest.mark.parametrize(
    ("label_fa", "label_en", "slug"),
    [
        ("مستخرج از پایان\u200cنامه / رساله / طرح پژوهشی", "", "research-article"),  # not a letter («نامه»)
        ("مستخرج از پایان نامه", "", "research-article"),
        ("نامه به سردبير", "", "letter"),
        ("", "Letters to the Editor", "letter"),
        ("", "Newsletter", ""),
        ("گزارش", "Something else", ""),
    ],
)
def test_article_types_match_whole_words(tmp_path: Path, label_fa: str, label_en: str, slug: str) -> None:
    text = variant(
        ("<content_type_fa>مروری</content_type_fa>", f"<content_type_fa>{label_fa}</content_type_fa>"),
        ("<content_type>Review</content_type>", f"<content_type>{label_en}</content_type>"),
    )
    store, report = build_files(tmp_path, {"seed.xml": text})
    genres = values(store, f"SELECT ?t {{ GRAPH ?g {{ <{ARTICLE}> <{SCHEMA}genre> ?t }} }}")
    assert genres == ({MINTER.article_type(slug).value} if slug else set())
    expected = set(SEED_ENTRIES)
    if not slug:
        expected.add(
            ("seed.xml", "A-10-968-1", "warning", "unmapped-article-type", "content_type", label_en or label_fa)
        )
        # one problem per cause: the reader's warning, not also the Article-genre shape's (kg.validation.results)
        (problem,) = [p for p in report["files"][0]["articles"][0]["problems"] if p["code"] == "unmapped-article-type"]
        assert repr(label_en or label_fa) in problem["message"]  # the warning names the label
    assert entries(report) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("abstract_fa", "چکیده"),
        ("abstract", "Abstract:"),
        ("abstract", "3"),
        ("abstract_fa", "----"),
        ("abstract", "Introduction"),
    ],
)
def test_placeholder_abstracts_and_short_titles_are_not_published(tmp_path: Path, field: str, value: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    start = text.index(f"<{field}>") + len(f"<{field}>")
    text = text[:start] + value + text[text.index(f"</{field}>", start) :]
    text = text.replace("<short_title>Manage Strat Health Syst</short_title>", "<short_title>3</short_title>")
    store, report = build_files(tmp_path, {"seed.xml": text})
    lang = "fa" if field.endswith("_fa") else "en"
    abstracts = values(
        store, f"SELECT ?a {{ GRAPH ?g {{ <{ARTICLE}> <{SCHEMA}abstract> ?a FILTER(lang(?a) = '{lang}') }} }}"
    )
    assert abstracts == set()
    assert values(
        store, f"SELECT ?a {{ GRAPH ?g {{ <{ARTICLE}> <{SCHEMA}abstract> ?a }} }}"
    )  # the other language stays
    assert values(store, f"SELECT ?s {{ GRAPH ?g {{ <{JOURNAL}> <{SCHEMA}alternateName> ?s }} }}") == set()
    assert entries(report) == SEED_ENTRIES | {
        ("seed.xml", "A-10-968-1", "warning", "placeholder", field, value),
        ("seed.xml", "journal", "warning", "placeholder", "short_title", "3"),
    }


def test_an_e_locator_with_a_page_number_is_the_locator(tmp_path: Path) -> None:
    text = variant(
        ("<start_page>355</start_page>", "<start_page>e45</start_page>"),
        ("<end_page>373</end_page>", "<end_page>30</end_page>"),
    )
    store, report = build_files(tmp_path, {"seed.xml": text})
    pages = values(
        store,
        f"""SELECT ?p {{ GRAPH ?g {{ <{ARTICLE}> ?p ?o FILTER(?p IN (<{SCHEMA}pageStart>, <{SCHEMA}pageEnd>,
        <{SCHEMA}pagination>)) }} }}""",
    )
    assert pages == {f"{SCHEMA}pageStart"}
    assert values(store, f"SELECT ?o {{ GRAPH ?g {{ <{ARTICLE}> <{SCHEMA}pageStart> ?o }} }}") == {"e45"}
    prism = "http://prismstandard.org/namespaces/basic/2.0/"
    rows = store.query(
        f"SELECT ?p ?o {{ GRAPH ?g {{ <{ARTICLE}/manifestation> ?p ?o FILTER(STRSTARTS(STR(?p), '{prism}')) }} }}"
    )
    assert {(row["p"].value, row["o"].value) for row in rows} == {(f"{prism}startingPage", "e45")}
    assert entries(report) == SEED_ENTRIES | {
        ("seed.xml", "A-10-968-1", "warning", "mixed-page-range", "start_page", "e45-30")
    }


def test_a_real_date_disagreement_is_still_a_warning(tmp_path: Path) -> None:
    text = variant(("<month>3</month>\n\t<day>1</day>", "<month>3</month>\n\t<day>5</day>"))
    _, report = build_files(tmp_path, {"seed.xml": text})
    issue = f"{JOURNAL}/volume/10/issue/4"
    assert entries(report) == {
        ("seed.xml", "journal", "info", "placeholder", "journal_id_nlai", "8888"),
        ("seed.xml", "A-10-968-1", "warning", "Issue-datesAgree", "", "2026-03-05"),
    }
    (result,) = report["files"][0]["articles"][0]["validation"]
    assert result["focus"] == issue and "13 days apart" in result["message"]


@pytest.mark.parametrize("engine", [Validator, PyShaclValidator])
def test_a_result_on_a_shared_issue_goes_only_to_the_graph_that_breaks_the_rule(tmp_path: Path, engine: type) -> None:
    """Two files of one issue in one batch: one has the nominal date of Jalali 1404-12, the other the real
    day of a Jalali 1404-11-01 and a date 8 days off (a real disagreement). Merged, the issue holds both
    files' dates; only the second file's article may get Issue-datesAgree, and each article gets exactly
    what it gets validated alone."""
    other = variant(
        ("A-10-968-1", "A-10-969-1"),
        ("<month>12</month>", "<month>11</month>"),
        ("<month>3</month>\n\t<day>1</day>", "<month>1</month>\n\t<day>29</day>"),
    )
    (tmp_path / "a.xml").write_text(variant(), encoding="utf-8")
    (tmp_path / "b.xml").write_text(other, encoding="utf-8")
    articles, _ = map_inputs([tmp_path / "a.xml", tmp_path / "b.xml"], BASE)
    graphs = {graph.rsplit("/", 1)[-1]: (graph, payload) for graph, payload in articles}
    validator = engine()
    together = validator.validate_articles(articles)
    for code, article in graphs.items():
        assert together[article[0]] == validator.validate_articles([article])[article[0]], code
    shapes = {code: {r.shape.rsplit("#", 1)[-1] for r in together[graph]} for code, (graph, _) in graphs.items()}
    assert shapes == {"A-10-968-1": set(), "A-10-969-1": {"Issue-datesAgree"}}


def test_a_file_cut_before_its_first_article_ends_says_so_once(tmp_path: Path) -> None:
    text = variant()
    cut = text[: text.index("<author_list>")]
    _, report = build_files(tmp_path, {"cut.xml": cut})
    (entry,) = report["files"]
    assert entry["status"] == "partial" and entry["articles"] == []
    assert sorted((p["severity"], p["code"]) for p in entry["problems"]) == [
        ("error", "malformed-xml"),
        ("info", NOMINAL),
        ("info", "placeholder"),
    ]  # no "no-articles" warning beside the error
    (broken,) = [p for p in entry["problems"] if p["code"] == "malformed-xml"]
    assert "no article was complete before this point" in broken["message"]


def test_kg_validate_names_rejected_files_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "good.xml").write_text(variant(), encoding="utf-8")
    assert kg_main(["validate", str(tmp_path / "empty.xml"), str(tmp_path / "missing.xml")]) == 1
    err = capsys.readouterr().err
    assert f"rejected {tmp_path / 'empty.xml'}: the file is empty" in err
    assert f"rejected {tmp_path / 'missing.xml'}: no such file or folder" in err
    assert kg_main(["validate", str(tmp_path / "empty.xml"), str(tmp_path / "good.xml")]) == 1
    assert "rejected" in capsys.readouterr().err
    assert kg_main(["validate", str(tmp_path / "good.xml")]) == 0


# ---------------------------------------------------------------------------------------- persons
ORCID = "0000-0002-1825-0097"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def with_orcid(code: str, orcid: str = ORCID, email: str = "roozbahani@iust.ac.ir") -> str:
    return variant(
        ("A-10-968-1", code),
        ("<orcid></orcid>", f"<orcid>{orcid}</orcid>"),
        ("<email>roozbahani@iust.ac.ir</email>", f"<email>{email}</email>"),
    )


def persons(store: Store) -> set[str]:
    return values(store, f"SELECT DISTINCT ?p {{ GRAPH ?g {{ ?p a <{SCHEMA}Person> }} }}")


def authors_of(store: Store) -> dict[str, set[str]]:
    rows = store.query(f"SELECT ?a ?p {{ GRAPH ?g {{ ?a <{SCHEMA}author> ?p }} }}")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["a"].value.rsplit("/", 1)[-1], set()).add(row["p"].value)
    return found


def test_a_person_with_an_orcid_in_one_record_and_the_e_mail_in_all_is_one_person(tmp_path: Path) -> None:
    """Six records carry only the e-mail, one carries it with the ORCID: one person, the ORCID's IRI; the
    e-mail IRI is an alias stated by owl:sameAs and schema:sameAs in the graphs that minted it."""
    files = {f"a{n}.xml": variant(("A-10-968-1", f"A-10-96{n}-1")) for n in range(2, 8)}
    files["orcid.xml"] = with_orcid("A-10-999-1")
    store, report = build_files(tmp_path, files)
    canonical = MINTER.person_by_orcid(ORCID).value
    assert persons(store) == {canonical}
    assert set(map(frozenset, authors_of(store).values())) == {frozenset({canonical})}
    alias = values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ <{canonical}> <{OWL_SAME_AS}> ?a }} }}")
    assert len(alias) == 1 and next(iter(alias)).startswith(f"{BASE}/id/person/h-")
    (alias_iri,) = alias
    graphs = values(store, f"SELECT ?g {{ GRAPH ?g {{ <{canonical}> <{SCHEMA}sameAs> <{alias_iri}> }} }}")
    assert {graph.rsplit("/", 1)[-1] for graph in graphs} == {f"A-10-96{n}-1" for n in range(2, 8)}
    assert values(store, f"SELECT ?s {{ GRAPH ?g {{ ?s ?p ?o FILTER(?s = <{alias_iri}>) }} }}") == set()
    assert entries(report) == seed_entries(*files)  # a merge is no problem of the exports
    used = values(store, "SELECT DISTINCT ?p { GRAPH ?g { ?s ?p ?o } }")
    assert used - vocabulary_terms() == set()  # owl:sameAs and schema:sameAs included
    checked = validate_store(tmp_path / "out")  # the rewritten graphs and the store pass every shape
    assert [(r.shape, r.focus, r.value) for r in checked.all() if r.severity == "violation"] == []


def test_names_alone_and_two_orcids_behind_one_e_mail_merge_nobody(tmp_path: Path) -> None:
    """Same names, no shared key: two people. One e-mail shown with two ORCIDs (a shared address): the
    ORCID records stay two people and the e-mail-only record keeps its own IRI."""
    files = {
        "other-email.xml": variant(("A-10-968-1", "A-10-970-1"), ("roozbahani@iust.ac.ir", "someone@example.org")),
        "first.xml": with_orcid("A-10-971-1"),
        "second.xml": with_orcid("A-10-972-1", orcid="0000-0001-5109-3700"),
        "plain.xml": variant(),
    }
    store, report = build_files(tmp_path, files, validate=False)
    found = persons(store)
    assert len(found) == 4
    assert {MINTER.person_by_orcid(ORCID).value, MINTER.person_by_orcid("0000-0001-5109-3700").value} < found
    assert values(store, f"SELECT ?a {{ GRAPH ?g {{ ?c <{OWL_SAME_AS}> ?a }} }}") == set()
    (note,) = report["identity"]["unmerged"]  # the editor is told which records share the address
    assert note["kind"] == "person" and len(note["iris"]) == 3 and "different ORCID" in note["reason"]
    assert set(note["iris"]) < found


def test_the_server_answers_an_alias_301_to_the_canonical_thing(tmp_path: Path) -> None:
    """/id, /doc (negotiated and with an extension) and the pages of an alias redirect, permanently, to the
    same URL of the canonical IRI; the canonical answers as always; an unknown IRI is still 404."""
    from tests.server_fixtures import start_server

    # (the ORCID record on other pages: with the same title and pages, the code-less one would match two)
    orcid = with_orcid("A-10-999-1").replace("<start_page>355</start_page>", "<start_page>1</start_page>")
    files = {"plain.xml": variant(), "orcid.xml": orcid, "codeless.xml": codeless()}
    store, _ = build_files(tmp_path, files, validate=False)
    (alias,) = values(
        store, f"SELECT ?a {{ GRAPH ?g {{ ?c <{OWL_SAME_AS}> ?a FILTER(CONTAINS(STR(?a), '/person/')) }} }}"
    )
    (article_alias,) = values(store, f"SELECT ?a {{ GRAPH ?g {{ <{ARTICLE}> <{OWL_SAME_AS}> ?a }} }}")
    del store
    alias_path = alias.removeprefix(f"{BASE}/id/")
    canonical_path = f"person/orcid-{ORCID}"
    server = start_server(tmp_path / "out", tmp_path / "server", {"server": {"workers": 1, "threads": 2}})
    try:
        for prefix in ("/id/", "/doc/", "/en/doc/", "/fa/doc/"):
            response = requests.get(f"{server.url}{prefix}{alias_path}", allow_redirects=False, timeout=10)
            assert response.status_code == 301, prefix
            assert response.headers["Location"] == f"{server.url}{prefix}{canonical_path}"
        response = requests.get(f"{server.url}/doc/{alias_path}.ttl?x=1", allow_redirects=False, timeout=10)
        assert (response.status_code, response.headers["Location"]) == (
            301,
            f"{server.url}/doc/{canonical_path}.ttl?x=1",
        )
        followed = requests.get(f"{server.url}/id/{alias_path}", headers={"Accept": "text/turtle"}, timeout=10)
        assert followed.status_code == 200 and followed.url == f"{server.url}/doc/{canonical_path}"
        assert f"<{alias}>" in followed.text  # the description states the alias (owl:sameAs)
        old_article = requests.get(article_alias.replace(BASE, server.url), allow_redirects=False, timeout=10)
        assert (old_article.status_code, old_article.headers["Location"]) == (301, ARTICLE.replace(BASE, server.url))
        missing = requests.get(f"{server.url}/id/person/h-nobody", allow_redirects=False, timeout=10)
        assert missing.status_code == 404
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------- keywords
SKOS = "http://www.w3.org/2004/02/skos/core#"
KEYWORDS_EN = (
    "Medical digital twin, Digital health, Artificial intelligence, Health system, WHO health system building blocks"
)


def test_a_persian_keyword_whose_lists_do_not_pair_keeps_its_one_concept(tmp_path: Path) -> None:
    """The seed pairs its five Persian and five English keywords; a second record lists four English ones,
    so its Persian keywords pair with nothing there: they are still the seed's five concepts (the keyword
    minted alone is an alias of it), and no new pairing is made."""
    unpaired = variant(
        ("A-10-968-1", "A-10-969-1"),
        (
            f"<keyword>{KEYWORDS_EN}</keyword>",
            "<keyword>Digital health, Artificial intelligence, Health system, Cloud</keyword>",
        ),
    )
    store, report = build_files(tmp_path, {"seed.xml": variant(), "unpaired.xml": unpaired})
    scheme = MINTER.keyword_scheme().value
    rows = store.query(
        f"SELECT DISTINCT ?c ?l {{ GRAPH ?g {{ ?c <{SKOS}inScheme> <{scheme}> ; <{SKOS}prefLabel> ?l "
        "FILTER(lang(?l) = 'fa') } }"
    )
    concepts: dict[str, set[str]] = {}
    for row in rows:
        concepts.setdefault(row["l"].value, set()).add(row["c"].value)
    assert len(concepts) == 5 and all(len(found) == 1 for found in concepts.values())
    english = {MINTER.concept(label.strip(), "en").value for label in KEYWORDS_EN.split(",")}
    assert set().union(*concepts.values()) == english
    used = values(store, f"SELECT DISTINCT ?c {{ GRAPH ?g {{ <{OTHER}> <http://purl.org/dc/terms/subject> ?c }} }}")
    assert used == english | {MINTER.concept("Cloud", "en").value}  # the five, and its one English-only keyword
    aliases = values(store, f"SELECT ?a {{ GRAPH ?g {{ ?c <{OWL_SAME_AS}> ?a }} }}")
    assert len(aliases) == 5 and all("/id/concept/fa-" in alias for alias in aliases)
    checked = validate_store(tmp_path / "out")
    assert [(r.shape, r.focus, r.value) for r in checked.all() if r.severity == "violation"] == []


# ---------------------------------------------------------------------------------------- journals
ONLINE = f"{BASE}/id/journal/2538-1563"


def bad_print_issn(code: str) -> str:
    """The seed with a wrong check digit in its print ISSN: read alone, its journal is keyed on the online one."""
    return variant(("A-10-968-1", code), ("<journal_id_issn>2476-6879<", "<journal_id_issn>2476-6878<"))


def test_an_export_with_a_bad_print_issn_joins_its_journal(tmp_path: Path) -> None:
    """Same online ISSN, one journal: the IRI minted on the online ISSN is an alias of the print one; its
    articles move under the canonical journal (the old article IRI an alias too). The same article in a
    good and a bad export is published once, from the good one."""
    files = {
        "seed.xml": variant(),
        "bad.xml": bad_print_issn("A-10-969-1"),
        "bad-same.xml": bad_print_issn("A-10-968-1"),
    }
    store, report = build_files(tmp_path, files)
    assert values(store, f"SELECT DISTINCT ?j {{ GRAPH ?g {{ ?j a <{SCHEMA}Periodical> }} }}") == {JOURNAL}
    assert entries(report) == seed_entries(*files) | {
        (name, "journal", "warning", "invalid-issn", "journal_id_issn", "2476-6878")
        for name in ("bad.xml", "bad-same.xml")
    }
    articles = values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ ?a a <{SCHEMA}ScholarlyArticle> }} }}")
    assert articles == {ARTICLE, OTHER}
    graphs = {graph.value for graph in store.named_graphs()}
    assert {g for g in graphs if "/article/" in g} == {
        f"{BASE}/graph/journal/2476-6879/article/A-10-968-1",
        f"{BASE}/graph/journal/2476-6879/article/A-10-969-1",
    }
    assert values(store, f"SELECT ?a {{ GRAPH ?g {{ <{JOURNAL}> <{OWL_SAME_AS}> ?a }} }}") == {ONLINE}
    moved = f"{ONLINE}/article/A-10-969-1"
    assert values(store, f"SELECT ?a {{ GRAPH ?g {{ <{OTHER}> <{OWL_SAME_AS}> ?a }} }}") == {moved}
    checked = validate_store(tmp_path / "out")
    assert [(r.shape, r.focus, r.value) for r in checked.all() if r.severity == "violation"] == []


# ------------------------------------------------------------------------------- articles without a code
SEED_URL = "http://mshsj.ssu.ac.ir/browse.php?a_code=A-10-968-1&amp;slc_lang=fa&amp;sid=1"


def codeless(doi: str = "") -> str:
    """The seed's article without its web address (so without its code), with a DOI if given."""
    return variant(
        (f"<web_url>{SEED_URL}</web_url>", "<web_url></web_url>"),
        ("<article_id_doi></article_id_doi>", f"<article_id_doi>{doi}</article_id_doi>"),
    )


@pytest.mark.parametrize("doi", ["", "10.61186/mshsj.10.4.355"])
def test_a_coded_export_replaces_the_code_less_copy_of_its_article(tmp_path: Path, doi: str) -> None:
    """Matched in its issue by DOI, else by title and pages: published once, under the code; the code-less
    IRI is an alias (owl:sameAs in the coded article's graph, 301 on the server)."""
    coded = variant(("<article_id_doi></article_id_doi>", f"<article_id_doi>{doi}</article_id_doi>"))
    store, report = build_files(tmp_path, {"codeless.xml": codeless(doi), "coded.xml": coded})
    articles = values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ ?a a <{SCHEMA}ScholarlyArticle> }} }}")
    assert articles == {ARTICLE}
    assert {g.value for g in store.named_graphs() if "/article/" in g.value} == {
        MINTER.article_graph("2476-6879", "A-10-968-1").value
    }
    (alias,) = values(store, f"SELECT ?a {{ GRAPH ?g {{ <{ARTICLE}> <{OWL_SAME_AS}> ?a }} }}")
    assert alias.startswith(f"{JOURNAL}/article/{'doi-' if doi else 'v10-n4-p355'}")
    assert entries(report) == seed_entries("coded.xml", "codeless.xml") | {
        ("codeless.xml", "article 1 (line 38)", "warning", "no-article-code", "web_url", "")
    }
    assert report["identity"] == {
        "aliases": {"article": 1},
        "graphs_rewritten": 2,
        "withdrawn": [alias.replace("/id/", "/graph/", 1)],
        "moved": [],
        "unmerged": [],
    }
    checked = validate_store(tmp_path / "out")
    assert [(r.shape, r.focus, r.value) for r in checked.all() if r.severity == "violation"] == []


def test_a_code_less_article_with_another_title_is_another_article(tmp_path: Path) -> None:
    other = codeless().replace("<start_page>355</start_page>", "<start_page>1</start_page>")
    store, _ = build_files(tmp_path, {"codeless.xml": other, "coded.xml": variant()}, validate=False)
    assert len(values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ ?a a <{SCHEMA}ScholarlyArticle> }} }}")) == 2


def test_a_code_less_article_matching_two_coded_ones_is_published_alone_and_noted(tmp_path: Path) -> None:
    files = {"codeless.xml": codeless(), "coded.xml": variant(), "twin.xml": variant(("A-10-968-1", "A-10-969-1"))}
    store, report = build_files(tmp_path, files, validate=False)
    assert len(values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ ?a a <{SCHEMA}ScholarlyArticle> }} }}")) == 3
    (note,) = report["identity"]["unmerged"]
    assert note["kind"] == "article" and note["iris"][1:] == [ARTICLE, OTHER] and "web_url" in note["reason"]


# ------------------------------------------------------------------------------------- the rules alone
def test_resolve_is_a_function_of_the_set_of_claims() -> None:
    """kg.identity.resolve on claims of every kind: the same aliases in any order, by the stated rules."""
    import random

    from kg.identity import Claim, resolve, rewrite

    person = f"{BASE}/id/person/"
    claims = [
        Claim("person", person + "h-aaa", ("email:aaa",)),
        Claim("person", person + "code-source-7", ("code:7", "email:aaa")),
        Claim("person", person + f"orcid-{ORCID}", (f"orcid:{ORCID}", "email:aaa")),
        Claim("person", person + "h-bbb", ("email:bbb",)),  # the same names, another address: another person
        Claim("person", person + "h-ccc", ("email:ccc",)),  # a shared address behind two ORCIDs
        Claim("person", person + "orcid-1", ("orcid:1", "email:ccc")),
        Claim("person", person + "orcid-2", ("orcid:2", "email:ccc")),
        Claim("concept", f"{BASE}/id/concept/fa-x", ("fa:x",)),
        Claim("concept", f"{BASE}/id/concept/y", ("fa:x", "en:y")),
        Claim("journal", f"{BASE}/id/journal/O", ("online:O", "site:j.ir")),
        Claim("journal", f"{BASE}/id/journal/P", ("print:P", "online:O", "site:j.ir")),
        Claim("journal", f"{BASE}/id/journal/j-1", ("site:j.ir",)),
        Claim(
            "article",
            f"{BASE}/id/journal/O/article/t-1",
            (f"issue:{BASE}/id/journal/O|1|2", "coded:0", "title:en:abc|1-9"),
        ),
        Claim(
            "article",
            f"{BASE}/id/journal/P/article/A-1",
            (f"issue:{BASE}/id/journal/P|1|2", "coded:1", "title:en:abc|1-9"),
        ),
    ]
    expected = {
        person + "h-aaa": person + f"orcid-{ORCID}",
        person + "code-source-7": person + f"orcid-{ORCID}",
        f"{BASE}/id/concept/fa-x": f"{BASE}/id/concept/y",
        f"{BASE}/id/journal/O": f"{BASE}/id/journal/P",
        f"{BASE}/id/journal/j-1": f"{BASE}/id/journal/P",
        f"{BASE}/id/journal/O/article/t-1": f"{BASE}/id/journal/P/article/A-1",
    }
    rng = random.Random(12)
    for _ in range(20):
        rng.shuffle(claims)
        assert resolve(claims) == expected
    graph = f"{BASE}/graph/journal/O/article/t-1"
    nquads = f"<{BASE}/id/journal/O/article/t-1> <{SCHEMA}author> <{person}h-aaa> <{graph}> .\n".encode()
    aliases = {key: value for key, value in expected.items() if "/journal/O" in key or "h-aaa" in key}
    once = rewrite(nquads, graph, aliases)
    assert (
        once.decode()
        .splitlines()
        .count(
            f"<{BASE}/id/journal/P/article/A-1> <{SCHEMA}author> <{person}orcid-{ORCID}> "
            f"<{BASE}/graph/journal/P/article/A-1> ."
        )
        == 1
    )
    assert rewrite(nquads, graph, dict(reversed(list(aliases.items())))) == once  # the order learnt is no matter


def test_a_code_less_copy_of_an_article_of_a_bad_issn_export_is_replaced_once(tmp_path: Path) -> None:
    """The coded article came in an export with a bad print ISSN, its code-less copy in a good one: both
    move to the same name under the canonical journal; the coded copy gets it and states both aliases."""
    pages = ("<start_page>355</start_page>", "<start_page>1</start_page>")
    bad = variant(("A-10-968-1", "A-10-969-1"), ("<journal_id_issn>2476-6879<", "<journal_id_issn>2476-6878<"), pages)
    copy = variant((f"<web_url>{SEED_URL}</web_url>", "<web_url></web_url>"), pages)
    store, report = build_files(tmp_path, {"seed.xml": variant(), "bad.xml": bad, "copy.xml": copy})
    assert values(store, f"SELECT DISTINCT ?a {{ GRAPH ?g {{ ?a a <{SCHEMA}ScholarlyArticle> }} }}") == {ARTICLE, OTHER}
    aliases = values(store, f"SELECT ?a {{ GRAPH ?g {{ <{OTHER}> <{OWL_SAME_AS}> ?a }} }}")
    assert aliases == {f"{ONLINE}/article/A-10-969-1", f"{JOURNAL}/article/v10-n4-p1"}
    (graph,) = [g.value for g in store.named_graphs() if g.value.endswith("A-10-969-1")]
    assert values(store, f"SELECT ?u {{ GRAPH <{graph}> {{ <{OTHER}> <{SCHEMA}url> ?u }} }}")  # the coded copy
    assert report["identity"]["moved"] == [graph]
    checked = validate_store(tmp_path / "out")
    assert [(r.shape, r.focus, r.value) for r in checked.all() if r.severity == "violation"] == []


def test_the_identity_table_holds_each_distinct_claim_once_and_loads_beside_the_build(tmp_path: Path) -> None:
    """Claims recorded while the table loads (in a thread) are interned at once: equal claims of two
    articles are one object, whether recorded or loaded; what was recorded wins over what was loaded."""
    from kg.identity import Claim
    from kg.publish.identity import IdentityTable

    def person() -> Claim:  # a new object each time, as each article's result brings its own
        return Claim("person", "https://kg.example.org/id/person/orcid-1", ("orcid:1", "email:abc"))

    first = IdentityTable(tmp_path)
    first.record("g1", [person()])
    first.record("g2", [person(), Claim("person", "https://kg.example.org/id/person/h-2", ("email:def",))])
    (_, [one]), (_, [two, _]) = first._recorded  # interned as recorded, not when the table is next needed
    assert one is two
    assert first.claims["g1"][0] is first.claims["g2"][0]
    first._save()
    second = IdentityTable(tmp_path)
    second.record("g2", [person()])  # g2 published again, now with one claim
    second.record("g3", [person()])
    claims = second.claims
    assert set(claims) == {"g1", "g2", "g3"} and len(claims["g2"]) == 1
    assert claims["g1"][0] is claims["g2"][0] is claims["g3"][0]
