"""Issue 12's rules, each on a hand-made variant of the seed: one thing, one IRI, and a report editors can act on.

Every test builds for real (or maps and validates as ``kg validate`` does) and asserts the exact IRIs in
the store and the exact report entries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.build import BuildOptions, build
from kg.cli import main as kg_main
from kg.iris import Minter
from kg.pipeline import map_inputs
from kg.validation import Validator
from kg.validation.reference import PyShaclValidator
from tests.conftest import SEED, TEST_SECRET

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
    return found


SEED_ENTRIES = {
    ("seed.xml", "journal", "info", "placeholder", "journal_id_nlai", "8888"),
    ("seed.xml", "issue", "info", NOMINAL, "pubdate[gregorian]", "2026-03-01"),
}


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
