"""Conflicts across records reported by the build with both sources, one problem per cause, notes once per
issue, and the data-quality page (read over HTTP and compared with SPARQL counts on the same release)."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from kg.build import BuildOptions, build
from kg.cli import main as kg_main
from tests.server_fixtures import RunningServer, start_server

SEED = Path(__file__).resolve().parent.parent / "kg" / "sample" / "seed" / "mshsj-v10n4-a968.xml"
BASE = "https://kg.example.org"
JOURNAL = f"{BASE}/id/journal/2476-6879"
OTHER_JOURNAL = f"{BASE}/id/journal/1735-9260"
TITLE = "<title>Management Strategies in Health System</title>"
LATER_ISSUE = (
    ("<year>1404</year>\n\t<month>12</month>", "<year>1405</year>\n\t<month>3</month>"),
    ("<year>2026</year>\n\t<month>3</month>", "<year>2026</year>\n\t<month>6</month>"),
    ("<volume>10</volume>", "<volume>11</volume>"),
    ("<number>4</number>", "<number>1</number>"),
)


def variant(code: str, *edits: tuple[str, str]) -> str:
    text = SEED.read_text(encoding="utf-8").replace("a_code=A-10-968-1", f"a_code={code}")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


# A: the seed with one journal DOI. B: a later issue of the same journal with another journal DOI, another
# English title and an ISSN typed into the NLAI field. C: another journal whose print ISSN is its online ISSN.
EXPORT_A = variant("A-1", ("<journal_id_doi></journal_id_doi>", "<journal_id_doi>10.61186/mshsj</journal_id_doi>"))
EXPORT_B = variant(
    "B-1",
    ("<journal_id_doi></journal_id_doi>", "<journal_id_doi>10.61882/mshsj</journal_id_doi>"),
    (TITLE, "<title>Management Strategies in the Health System</title>"),
    ("<journal_id_nlai>8888</journal_id_nlai>", "<journal_id_nlai>2538-1563</journal_id_nlai>"),
    *LATER_ISSUE,
)
EXPORT_B_CORRECTED = variant(
    "B-1", ("<journal_id_doi></journal_id_doi>", "<journal_id_doi>10.61186/mshsj</journal_id_doi>"), *LATER_ISSUE
)
EXPORT_C = variant(
    "C-1",
    ("<journal_id_issn>2476-6879</journal_id_issn>", "<journal_id_issn>1735-9260</journal_id_issn>"),
    (
        "<journal_id_issn_online>2538-1563</journal_id_issn_online>",
        "<journal_id_issn_online>1735-9260</journal_id_issn_online>",
    ),
    (TITLE, "<title>Journal of Mazandaran University of Medical Sciences</title>"),
)


def run_build(out: Path, files: dict[str, str], folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.xml"):
        stale.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = build([folder], out, BuildOptions(base=BASE, secret=b"test", processes=1, progress=False))
    assert result.exit_code == 0, result.summary
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def conflicts(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["shape"], item["focus"]): item for item in report["conflicts"]}


def sources(item: dict[str, Any]) -> dict[str, set[str]]:
    return {value["value"]: {Path(s["file"]).name for s in value["sources"]} for value in item["values"]}


@pytest.fixture(scope="module")
def conflicted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    work = tmp_path_factory.mktemp("conflicts")
    report = run_build(work / "out", {"a.xml": EXPORT_A, "b.xml": EXPORT_B, "c.xml": EXPORT_C}, work / "in")
    return work / "out", report


def test_each_conflict_is_reported_once_with_both_sources(conflicted: tuple[Path, dict[str, Any]]) -> None:
    _, report = conflicted
    found = conflicts(report)
    assert set(found) == {
        ("Store-journalDoi", JOURNAL),
        ("Store-journalTitle", JOURNAL),
        ("Store-issnInOtherIdentifier", JOURNAL),
        ("Store-printIsOnlineIssn", OTHER_JOURNAL),
    }
    assert all(item["severity"] == "warning" for item in found.values())  # published all the same
    doi = found[("Store-journalDoi", JOURNAL)]
    assert sources(doi) == {"10.61186/mshsj": {"a.xml"}, "10.61882/mshsj": {"b.xml"}}
    assert doi["kept"] == "10.61882/mshsj" and "latest issue" in doi["rule"]  # b.xml is the later issue
    assert "10.61186/mshsj" in doi["message"] and "10.61882/mshsj" in doi["message"]
    title = found[("Store-journalTitle", JOURNAL)]
    assert sources(title) == {
        "Management Strategies in Health System": {"a.xml"},
        "Management Strategies in the Health System": {"b.xml"},
    }
    assert title["kept"] == "Management Strategies in the Health System"
    records = {s["record"] for value in title["values"] for s in value["sources"]}
    assert records == {"A-1", "B-1"}
    nlai = found[("Store-issnInOtherIdentifier", JOURNAL)]
    assert sources(nlai) == {"2538-1563": {"b.xml"}} and "NLAI" in nlai["message"] and "kept" not in nlai
    same = found[("Store-printIsOnlineIssn", OTHER_JOURNAL)]
    assert sources(same) == {"1735-9260": {"c.xml"}} and "print" in same["rule"]
    assert report["totals"]["problems"]["warning"] >= 4
    quality = json.loads((conflicted[0] / "current" / "quality.json").read_text(encoding="utf-8"))
    assert quality["conflicts"] == report["conflicts"] == report["quality"]["conflicts"]


def test_the_nominal_date_and_the_journal_s_placeholders_are_said_once(tmp_path: Path) -> None:
    report = run_build(tmp_path / "out", {"a.xml": variant("A-1"), "b.xml": variant("A-2")}, tmp_path / "in")
    said = [
        (Path(entry["path"]).name, problem["code"])
        for entry in report["files"]
        for problem in entry["problems"]
        if problem["code"] == "nominal-gregorian-date"
    ]
    assert said == [("a.xml", "nominal-gregorian-date")]
    notes = {(note["code"], note["scope"]): note for note in report["repeated_notes"]}
    assert set(notes) == {("nominal-gregorian-date", "issue"), ("placeholder", "journal")}
    for note in notes.values():
        assert note["journal"] == JOURNAL and [Path(f).name for f in note["files"]] == ["a.xml", "b.xml"]
    assert report["totals"]["problems"] == {"info": 2}  # each once: the nominal date, the NLAI placeholder


def test_an_unmapped_article_type_is_one_warning(tmp_path: Path) -> None:
    text = variant(
        "A-1",
        ("<content_type_fa>مروری</content_type_fa>", "<content_type_fa></content_type_fa>"),
        ("<content_type>Review</content_type>", "<content_type>Newsletter</content_type>"),
    )
    report = run_build(tmp_path / "out", {"a.xml": text}, tmp_path / "in")
    (article,) = report["files"][0]["articles"]
    assert [p["code"] for p in article["problems"] if p["severity"] == "warning"] == ["unmapped-article-type"]
    assert not [v for v in article.get("validation", []) if v["shape"].endswith("Article-genre")]


def test_incremental_builds_check_what_they_touched_and_keep_open_conflicts(tmp_path: Path) -> None:
    """A conflict appears when its second export arrives, stays while an unrelated file is added (the
    checks then run over the new file's nodes and the open conflicts' only), and goes once corrected."""
    out, folder = tmp_path / "out", tmp_path / "in"
    assert run_build(out, {"a.xml": EXPORT_A}, folder)["conflicts"] == []
    report = run_build(out, {"a.xml": EXPORT_A, "b.xml": EXPORT_B}, folder)
    assert set(conflicts(report)) == {
        ("Store-journalDoi", JOURNAL),
        ("Store-journalTitle", JOURNAL),
        ("Store-issnInOtherIdentifier", JOURNAL),
    }
    report = run_build(out, {"a.xml": EXPORT_A, "b.xml": EXPORT_B, "c.xml": EXPORT_C}, folder)
    assert [Path(f["path"]).name for f in report["files"] if not f.get("unchanged")] == ["c.xml"]
    assert set(conflicts(report)) == {
        ("Store-journalDoi", JOURNAL),
        ("Store-journalTitle", JOURNAL),
        ("Store-issnInOtherIdentifier", JOURNAL),
        ("Store-printIsOnlineIssn", OTHER_JOURNAL),
    }
    report = run_build(out, {"a.xml": EXPORT_A, "b.xml": EXPORT_B_CORRECTED, "c.xml": EXPORT_C}, folder)
    assert set(conflicts(report)) == {("Store-printIsOnlineIssn", OTHER_JOURNAL)}


# ---------------------------------------------------------------------------------------- the page
@pytest.fixture(scope="module")
def served(conflicted: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = start_server(conflicted[0], tmp_path_factory.mktemp("quality-server"))
    yield server
    server.stop()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def count(server: RunningServer, query: str) -> int:
    url = server.sparql + "?" + urllib.parse.urlencode({"query": query, "format": "json"})
    data = json.loads(get(url))
    return int(data["results"]["bindings"][0]["n"]["value"])


PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pro: <http://purl.org/spar/pro/>
"""


def test_the_quality_page_agrees_with_sparql_and_the_report(
    served: RunningServer, conflicted: tuple[Path, dict[str, Any]]
) -> None:
    report = conflicted[1]
    (journal,) = [j for j in report["quality"]["journals"] if j["iri"] == JOURNAL]
    page = html.fromstring(get(served.url + "/en/quality/journal/2476-6879"))
    row = page.xpath("//tr[@class='journal']")[0]
    cell = {td.get("data-figure"): td.text_content() for td in row.xpath("td")}
    in_journal = f"?a a schema:ScholarlyArticle ; schema:isPartOf/schema:isPartOf/schema:isPartOf <{JOURNAL}> ."
    articles = count(served, PREFIXES + f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {in_journal} }}")
    assert int(cell["articles"]) == journal["article_count"] == articles == 2
    with_doi = count(served, PREFIXES + f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {in_journal} ?a prism:doi ?d }}")
    assert cell["doi"] == f"{round(100 * with_doi / articles)}%"
    authors = count(
        served,
        PREFIXES + f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {in_journal} "
        "?a pro:isDocumentContextFor ?r . ?r pro:withRole pro:author }",
    )
    with_org = count(
        served,
        PREFIXES + f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {in_journal} "
        "?a pro:isDocumentContextFor ?r . ?r pro:withRole pro:author ; pro:relatesToOrganization ?o }",
    )
    assert journal["author_count"] == authors > 0
    assert cell["affiliation"] == f"{round(100 * with_org / authors)}%"
    assert int(cell["warnings"]) == journal["warning_count"]
    issues = page.xpath("//tr[@class='issue']/@data-iri")
    assert issues == [f"{JOURNAL}/volume/11/issue/1", f"{JOURNAL}/volume/10/issue/4"]  # latest first
    shapes = sorted(page.xpath("//li[@class='conflict']/@data-shape"))
    assert shapes == ["Store-issnInOtherIdentifier", "Store-journalDoi", "Store-journalTitle"]
    assert {Path(s).name for s in page.xpath("//li[@class='conflict']//bdi[@class='source']/text()")} == {
        "a.xml",
        "b.xml",
    }
    sourced = page.xpath("//li[@class='conflict']//a/@href")
    assert sourced and all(link.startswith(served.url + "/en/doc/journal/2476-6879/article/") for link in sourced)
    links = page.xpath("//li[@class='record']/a/@href")
    assert links and all(link.startswith(served.url + "/en/doc/journal/2476-6879/article/") for link in links)
    assert get(links[0])  # the record's page is there


def test_the_quality_pages_are_bilingual_and_linked(served: RunningServer) -> None:
    persian = html.fromstring(get(served.url + "/fa/quality/journal/2476-6879"))
    assert persian.get("dir") == "rtl" and persian.get("lang") == "fa"
    assert persian.xpath("//td[@data-figure='doi']/text()")[0] == "۰٪"  # Persian digits and percent sign
    index = html.fromstring(get(served.url + "/en/quality/"))
    assert served.url + "/en/quality/journal/1735-9260" in index.xpath("//a/@href")
    journal_page = html.fromstring(get(served.url + "/en/doc/journal/2476-6879"))
    assert served.url + "/en/quality/journal/2476-6879" in journal_page.xpath("//p[@class='quality']/a/@href")
    landing = html.fromstring(get(served.url + "/"))
    assert served.url + "/quality/" in landing.xpath("//a/@href")
    figures = json.loads(get(served.url + "/quality/journal/2476-6879.json"))
    assert figures["iri"] == JOURNAL and figures["article_count"] == 2


def test_kg_validate_store_names_the_sources_of_each_conflict(
    conflicted: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert kg_main(["validate", "--store", str(conflicted[0]), "--format", "json"]) == 0  # warnings only
    data = json.loads(capsys.readouterr().out)
    found = conflicts(data)
    assert set(found) == set(conflicts(conflicted[1]))
    doi = found[("Store-journalDoi", JOURNAL)]
    assert sources(doi) == {"10.61186/mshsj": {"a.xml"}, "10.61882/mshsj": {"b.xml"}}
    assert doi["kept"] == "10.61882/mshsj"
    assert kg_main(["validate", "--store", str(conflicted[0])]) == 0
    text = capsys.readouterr().out
    assert "across records, with the files and records that state each value:" in text
    assert "10.61882/mshsj: b.xml [B-1]" in text


def test_kg_validate_reports_an_unmapped_article_type_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = variant(
        "A-1",
        ("<content_type_fa>مروری</content_type_fa>", "<content_type_fa></content_type_fa>"),
        ("<content_type>Review</content_type>", "<content_type>Newsletter</content_type>"),
    )
    (tmp_path / "a.xml").write_text(text, encoding="utf-8")
    assert kg_main(["validate", str(tmp_path / "a.xml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["code"] for p in data["reader"] if p["severity"] == "warning"] == ["unmapped-article-type"]
    shapes = {r["shape"].rsplit("#", 1)[-1] for found in data["graphs"].values() for r in found}
    assert "Article-genre" not in shapes


def _facts(out: Path) -> dict[str, Any]:
    """The facts the current release's figures were made from, as one mapping (``kg.publish.quality_facts``)."""
    database = sqlite3.connect(f"file:{out / 'current' / 'quality-facts.sqlite'}?mode=ro", uri=True)
    try:
        parts = database.execute("SELECT value FROM meta WHERE key = 'parts'").fetchone()[0]
        found: dict[str, Any] = {"parts": parts}
        for table in ("articles", "issues", "journals"):
            found[table] = {iri: json.loads(fact) for iri, fact in database.execute(f"SELECT iri, fact FROM {table}")}
        return found
    finally:
        database.close()


def _quality(out: Path) -> dict[str, Any]:
    return json.loads((out / "current" / "quality.json").read_text(encoding="utf-8"))


def _rows(out: Path) -> dict[str, dict[str, Any]]:
    """The article rows of the current release's quality figures, by article IRI."""
    journals = _quality(out)["journals"]
    return {row["iri"]: row for journal in journals for issue in journal["issues"] for row in issue["articles"]}


def test_an_incremental_build_checks_what_changed_and_its_results_equal_a_full_build_s(tmp_path: Path) -> None:
    """The new file's conflict is found, the old ones are still reported, and the conflicts, the quality
    figures and the facts they come from equal those of a full build of the same files; the facts of the
    nodes a build does not change are carried over from the last release, not queried again."""
    folder, out, full = tmp_path / "in", tmp_path / "out", tmp_path / "full"
    run_build(out, {"a.xml": EXPORT_A, "b.xml": EXPORT_B}, folder)
    files = {"a.xml": EXPORT_A, "b.xml": EXPORT_B, "c.xml": EXPORT_C}
    report = run_build(out, files, folder)
    assert [Path(f["path"]).name for f in report["files"] if not f.get("unchanged")] == ["c.xml"]
    assert set(conflicts(report)) == {
        ("Store-journalDoi", JOURNAL),  # old: a.xml against b.xml, neither read again
        ("Store-journalTitle", JOURNAL),
        ("Store-issnInOtherIdentifier", JOURNAL),
        ("Store-printIsOnlineIssn", OTHER_JOURNAL),  # new: c.xml
    }
    whole = run_build(full, files, folder)
    assert report["conflicts"] == whole["conflicts"]
    assert _quality(out) == _quality(full)
    incremental, rebuilt = _facts(out), _facts(full)
    assert incremental.pop("parts") != rebuilt.pop("parts")  # the runs graph's part differs: another run
    assert incremental == rebuilt and len(incremental["articles"]) == 3

    # carried over: a fact of an article and a conflict of a journal that no build touches again stay as the
    # last release says them, even made untrue here, while the new file's article is found in the store
    quality_path = (out / "current" / "quality.json").resolve()
    quality = _quality(out)
    for item in quality["conflicts"]:
        item["message"] += " (as the last release said)"
    quality_path.write_text(json.dumps(quality), encoding="utf-8")
    facts_path = (out / "current" / "quality-facts.sqlite").resolve()
    facts = _facts(out)
    (first,) = [iri for iri in facts["articles"] if iri.endswith("/A-1")]
    had_doi = facts["articles"][first]["doi"]
    assert ("doi" in _rows(out)[first]["missing"]) != had_doi
    facts["articles"][first]["doi"] = not had_doi
    with closing(sqlite3.connect(facts_path)) as database, database:
        database.execute("UPDATE articles SET fact = ? WHERE iri = ?", (json.dumps(facts["articles"][first]), first))
        database.execute("DELETE FROM figures")  # made again from the facts, as kept
    report = run_build(out, {**files, "d.xml": EXPORT_C.replace("a_code=C-1", "a_code=C-2")}, folder)
    said = {(item["shape"], item["message"].endswith("(as the last release said)")) for item in report["conflicts"]}
    assert said == {
        ("Store-journalDoi", True),  # carried: d.xml is another journal's
        ("Store-journalTitle", True),
        ("Store-issnInOtherIdentifier", True),
        ("Store-printIsOnlineIssn", False),  # checked again: d.xml is of that journal
    }
    rows = _rows(out)
    assert ("doi" in rows[first]["missing"]) == had_doi
    assert len(rows) == 4 and [iri for iri in rows if iri.endswith("/C-2")]


def test_facts_are_carried_only_from_the_state_of_the_parts_the_changes_start_from(
    conflicted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Unit level, over a real release store: with no change the facts are carried as they were; a changed
    node's facts are found again and its journal named as changed; facts of another state of the parts (a
    build that failed after updating them) are not trusted: everything is found again."""
    from pyoxigraph import Store

    from kg.publish.default_graph import DefaultGraphChanges
    from kg.publish.quality_facts import FactsTable

    release = conflicted[0] / "current"
    store = Store.read_only(str(release / "store"))
    kept = FactsTable(tmp_path / "kept.sqlite", release / "quality-facts.sqlite")
    facts = kept.everything()
    assert facts.parts and len(facts.articles) == 3
    article = sorted(facts.articles)[0]
    journal = facts.issues[facts.articles[article]["issue"]]["journal"]
    wrong = dict(facts.articles[article], keywords=not facts.articles[article]["keywords"])
    kept.db.execute("UPDATE articles SET fact = ? WHERE iri = ?", (json.dumps(wrong), article))
    kept.close()

    def update(subjects: set[str], before: str) -> tuple[set[str] | None, dict[str, Any]]:
        table = FactsTable(tmp_path / "new.sqlite", tmp_path / "kept.sqlite")
        dirty = table.update(store, DefaultGraphChanges(subjects, before=before, after="next"))
        found = table.everything()
        table.close()
        assert found.parts == "next"
        return dirty, found.articles

    assert update(set(), facts.parts) == (set(), {**facts.articles, article: wrong})
    assert update({article}, facts.parts) == ({journal}, facts.articles)
    assert update(set(), "another state") == (None, facts.articles)


def test_figures_made_a_journal_at_a_time_are_those_made_at_once(
    conflicted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """``write_figures`` writes the text ``json.dumps`` of ``quality_figures`` writes, byte for byte; it makes
    again only the figures of the journals named as changed or whose warnings or conflicts changed."""
    from pyoxigraph import Store

    from kg.publish.quality import quality_figures, write_figures, write_quality
    from kg.publish.quality_facts import FactsTable

    release = conflicted[0] / "current"
    store = Store.read_only(str(release / "store"))
    table = FactsTable(tmp_path / "facts.sqlite", release / "quality-facts.sqlite")
    facts = table.everything()
    quality = json.loads((release / "quality.json").read_text(encoding="utf-8"))
    conflicts = quality["conflicts"]
    warnings = {
        row["iri"].replace("/id/", "/graph/", 1): tuple(
            (w["severity"], w["field"], w["message"]) for w in row["warnings"]
        )
        for journal in quality["journals"]
        for issue in journal["issues"]
        for row in issue["articles"]
    }
    write_quality(tmp_path / "at-once.json", quality_figures(store, warnings, conflicts, facts))
    expected = (tmp_path / "at-once.json").read_text(encoding="utf-8")
    assert expected == (release / "quality.json").read_text(encoding="utf-8")
    journals = [journal["iri"] for journal in quality["journals"]]
    assert len(journals) == 2 and conflicts
    assert write_figures(tmp_path / "quality.json", table, None, warnings, conflicts) == 2
    assert (tmp_path / "quality.json").read_text(encoding="utf-8") == expected
    assert write_figures(tmp_path / "quality.json", table, set(), warnings, conflicts) == 0
    assert (tmp_path / "quality.json").read_text(encoding="utf-8") == expected
    assert write_figures(tmp_path / "quality.json", table, {journals[1]}, warnings, conflicts) == 1
    # a warning more on an article, a conflict less: that article's journal, that conflict's journal
    (article,) = [row["iri"] for row in quality["journals"][0]["issues"][0]["articles"]][:1]
    warned = {**warnings, article.replace("/id/", "/graph/", 1): (("warning", "title", "a new warning"),)}
    assert write_figures(tmp_path / "quality.json", table, set(), warned, conflicts) == 1
    changed = json.loads((tmp_path / "quality.json").read_text(encoding="utf-8"))
    assert changed["journals"][1:] == quality["journals"][1:]
    assert changed["journals"][0]["warning_count"] == quality["journals"][0]["warning_count"] + 1
    fewer = [c for c in conflicts if c["focus"] != conflicts[0]["focus"]]
    assert write_figures(tmp_path / "quality.json", table, set(), warned, fewer) == 1
    table.close()


def test_the_default_graph_changes_name_the_subjects_and_their_same_as_links() -> None:
    from kg.publish.default_graph import DefaultGraphChanges

    changes = DefaultGraphChanges()
    changes.add(
        [
            b"<https://kg.example.org/id/person/orcid-1> <http://schema.org/sameAs> <https://orcid.org/1> .\n",
            b"<https://kg.example.org/id/journal/1/article/a/author/1> <http://purl.org/spar/pro/isHeldBy> "
            b"<https://kg.example.org/id/person/orcid-1> .\n",
            b'<https://kg.example.org/id/journal/1/article/a> <http://schema.org/name> "x"@en .\n',
        ]
    )
    assert changes.subjects == {
        "https://kg.example.org/id/person/orcid-1",
        "https://kg.example.org/id/journal/1/article/a/author/1",
        "https://kg.example.org/id/journal/1/article/a",
    }
    assert changes.same_as == {"https://kg.example.org/id/person/orcid-1"}
    changes.everything()
    changes.add([b'<https://kg.example.org/x> <http://schema.org/name> "y" .\n'])
    assert changes.subjects is None
