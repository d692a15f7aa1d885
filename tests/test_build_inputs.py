"""Bad and odd input: each kind is reported with file, line and reason, and the rest is published."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.build import EXIT_NOTHING_BUILT, EXIT_OK, EXIT_SOME_REJECTED, EXIT_USAGE, BuildOptions, build
from tests.conftest import CORPUS, SEED, TEST_SECRET

GOOD = SEED.read_bytes()


def options(**overrides) -> BuildOptions:
    settings = {"secret": TEST_SECRET.encode(), "processes": 1, "validate": False, "progress": False}
    settings.update(overrides)
    return BuildOptions(**settings)


def seed_variant(old: str, new: str, count: int = 1) -> bytes:
    text = GOOD.decode("utf-8")
    assert old in text
    return text.replace(old, new, count).encode("utf-8")


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def file_entry(report: dict, name: str) -> dict:
    (entry,) = [entry for entry in report["files"] if Path(entry["path"]).name == name]
    return entry


def published_articles(out: Path) -> set[str]:
    store = Store.read_only(str(out / "current" / "store"))
    rows = store.query(
        "SELECT DISTINCT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> }",
    )
    return {row["a"].value for row in rows}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<journal><title>&lol4;</title></journal>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE journal [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<journal><title>&xxe;</title><journal_id_issn>2476-6879</journal_id_issn><volume>1</volume><number>1</number>
<articleset><article><title>&xxe;</title></article></articleset></journal>
"""

BAD_INPUTS = {
    "truncated.xml": (GOOD[: len(GOOD) // 2], "malformed-xml"),
    "malformed.xml": (seed_variant("</title_fa>", "</titel_fa>"), "malformed-xml"),
    "empty.xml": (b"", "empty-file"),
    "not-export.xml": (
        b'<?xml version="1.0"?><rss><channel><title>news</title></channel></rss>',
        "not-a-journal-export",
    ),
    "undecodable.xml": (
        seed_variant("Management Strategies", "Management \xff\xfe Strategies").replace(
            "Management \xff\xfe Strategies".encode(), b"Management \xff\xfe Strategies"
        ),
        "malformed-xml",
    ),
    "bomb.xml": (BILLION_LAUGHS, "entity-declaration"),
    "xxe.xml": (XXE, "entity-declaration"),
    "compressed.xml": (gzip.compress(GOOD), "compressed-file"),
}


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    inputs = tmp_path_factory.mktemp("inputs")
    for name, (data, _) in BAD_INPUTS.items():
        (inputs / name).write_bytes(data)
    (inputs / "good.xml").write_bytes(GOOD)
    out = tmp_path_factory.mktemp("out")
    return out, build([inputs], out, options())


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_with_reason(bad_batch, name: str) -> None:
    out, _ = bad_batch
    entry = file_entry(report_of(out), name)
    codes = {problem["code"] for problem in entry["problems"]}
    assert BAD_INPUTS[name][1] in codes, entry
    for problem in entry["problems"]:
        assert problem["file"].endswith(name) and problem["message"]
    assert entry["status"] in ("rejected", "partial")


def test_bad_inputs_leave_the_rest_published(bad_batch) -> None:
    out, report = bad_batch
    assert report.exit_code == EXIT_SOME_REJECTED
    assert "https://kg.example.org/id/journal/2476-6879/article/A-10-968-1" in published_articles(out)
    dump = (out / "dumps" / "kg.nq.gz").read_bytes()
    assert b"passwd" not in dump and b"lollol" not in dump and b"root:" not in dump


def test_malformed_xml_names_the_line(bad_batch) -> None:
    out, _ = bad_batch
    (problem,) = [p for p in file_entry(report_of(out), "malformed.xml")["problems"] if p["code"] == "malformed-xml"]
    expected_line = GOOD.decode("utf-8")[: GOOD.decode("utf-8").index("</title_fa>")].count("\n") + 1
    assert problem["line"] == expected_line
    (problem,) = [p for p in file_entry(report_of(out), "undecodable.xml")["problems"] if p["code"] == "malformed-xml"]
    assert "undecodable" in problem["message"] and problem["line"] == 3


def test_the_summary_names_the_file_record_and_shape_of_a_shacl_result(tmp_path: Path) -> None:
    # the seed with a Gregorian date 18 days off its Jalali one (its own date is the nominal one: no warning)
    (tmp_path / "good.xml").write_bytes(
        seed_variant("<month>3</month>\n\t<day>1</day>", "<month>3</month>\n\t<day>10</day>")
    )
    report = build([tmp_path / "good.xml"], tmp_path / "out", options(validate=True))
    [line] = [line for line in report.summary if "Issue-datesAgree" in line]
    severity, where, record, shape = line.split()[:4]
    assert (severity, Path(where).name, record, shape) == (
        "WARNING",
        "good.xml",
        "[A-10-968-1]",
        "kgsh:Issue-datesAgree:",
    )


def test_a_folder_without_exports_is_noted_not_rejected(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.xml").write_bytes(GOOD)
    (tmp_path / "nothing-here").mkdir()
    (tmp_path / "nothing-here" / "notes.txt").write_text("not an export")
    report = build([tmp_path / "in", tmp_path / "nothing-here"], tmp_path / "out", options())
    assert report.exit_code == EXIT_OK and report.totals.files_rejected == 0
    entry = file_entry(report_of(tmp_path / "out"), "nothing-here")
    assert entry["status"] == "empty" and [p["code"] for p in entry["problems"]] == ["no-xml-files"]


def test_a_folder_s_files_are_found_and_resolved_as_rglob_finds_them(tmp_path: Path) -> None:
    """``resolved_inputs`` lists a folder by its directory entries (``kg.pipeline._xml_files``): the same files
    as ``rglob`` with ``is_file`` and ``resolve`` per file, symlinks and upper-case suffixes included."""
    from kg.pipeline import resolved_inputs

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.xml").write_text("<journal/>")
    folder = tmp_path / "in"
    (folder / "a" / "b").mkdir(parents=True)
    for name in ("one.xml", "a/TWO.XML", "a/b/three.xml", "a/notes.txt", "a/.xml"):
        (folder / name).write_text("<journal/>")
    (folder / "a" / "link.xml").symlink_to(elsewhere / "linked.xml")  # a symlinked file: resolved to its target
    (folder / "a" / "broken.xml").symlink_to(tmp_path / "nowhere.xml")  # not a file
    (folder / "folder-link").symlink_to(elsewhere, target_is_directory=True)  # not entered, as rglob does not
    found, problems = resolved_inputs([folder])
    expected = {p.resolve(): p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".xml"}
    assert found == dict(sorted(expected.items())) and not problems
    assert {p.name for p in found.values()} == {"one.xml", "TWO.XML", "three.xml", "link.xml"}
    assert found[(elsewhere / "linked.xml").resolve()] == folder / "a" / "link.xml"


def test_truncated_issue_keeps_its_complete_articles(tmp_path: Path) -> None:
    """A two-article issue cut inside the second article publishes the first, whole, and reports the cut."""
    text = GOOD.decode("utf-8")
    start = text.index("<article>")
    end = text.index("</article>") + len("</article>")
    second = text[start:end].replace("A-10-968-1", "A-10-969-1")
    two = text[:end] + "\n" + second + text[end:]
    cut = two[: two.index("<author_list>", two.index("A-10-969-1"))]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cut.xml").write_text(cut, encoding="utf-8")
    report = build([tmp_path / "in"], tmp_path / "out", options())
    assert report.exit_code == EXIT_SOME_REJECTED
    assert published_articles(tmp_path / "out") == {"https://kg.example.org/id/journal/2476-6879/article/A-10-968-1"}
    entry = file_entry(report_of(tmp_path / "out"), "cut.xml")
    assert entry["status"] == "partial"
    assert any(p["code"] == "malformed-xml" and "truncated" in p["message"] for p in entry["problems"])


def test_windows_1256_and_bom_are_read(tmp_path: Path) -> None:
    text = GOOD.decode("utf-8")
    # Windows-1256 has no Persian Yeh/Keheh: legacy files carry the Arabic letters, which kg normalises
    legacy = text.replace('encoding="utf-8"', 'encoding="windows-1256"').translate({0x06CC: 0x064A, 0x06A9: 0x0643})
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "legacy.xml").write_bytes(legacy.encode("cp1256"))
    (tmp_path / "in" / "bom.xml").write_bytes(b"\xef\xbb\xbf" + text.replace("A-10-968-1", "A-10-970-1").encode())
    report = build([tmp_path / "in"], tmp_path / "out", options())
    assert report.exit_code == EXIT_OK, report.summary
    store = Store.read_only(str(tmp_path / "out" / "current" / "store"))
    rows = list(
        store.query(
            "SELECT DISTINCT ?t WHERE { <https://kg.example.org/id/journal/2476-6879> <http://schema.org/name> ?t "
            "FILTER(lang(?t) = 'fa') }"
        )
    )
    assert [row["t"].value for row in rows] == ["راهبردهای مدیریت در نظام سلامت"]
    assert len(published_articles(tmp_path / "out")) == 2


def test_nothing_built_has_its_own_exit_code(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.xml").write_bytes(b"")
    report = build([tmp_path / "in", tmp_path / "missing"], tmp_path / "out", options())
    assert report.exit_code == EXIT_NOTHING_BUILT
    codes = {p["code"] for entry in report_of(tmp_path / "out")["files"] for p in entry["problems"]}
    assert codes == {"empty-file", "missing-input"}


def test_odd_fields_are_cleaned_and_reported(tmp_path: Path) -> None:
    """Arabic letters, Persian digits, swapped languages, bad identifiers, placeholders, e-mail in affiliation."""
    text = GOOD.decode("utf-8")
    text = text.replace("<title_fa>راهبردهای", "<title_fa>  راهبردهاي", 1)
    text = text.replace("<start_page>355</start_page>", "<start_page>۳۵۵</start_page>")
    text = text.replace("<journal_id_issn>2476-6879</journal_id_issn>", "<journal_id_issn>2476-6878</journal_id_issn>")
    text = text.replace("<orcid></orcid>", "<orcid>0000-0002-1825-0098</orcid>")
    text = text.replace("<article_id_doi></article_id_doi>", "<article_id_doi>doi</article_id_doi>")
    persian_title = "مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت"
    text = text.replace(f"<title_fa>{persian_title}</title_fa>", "<title_fa></title_fa>")
    text = text.replace(
        "<title>A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine</title>",
        f"<title>{persian_title}</title>",
    )
    text = text.replace("Tehran, Iran</affiliation>", "Tehran, Iran. , someone@example.ac.ir</affiliation>")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "odd.xml").write_text(text, encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "out", options())
    entry = file_entry(report_of(tmp_path / "out"), "odd.xml")
    problems = entry["problems"] + [p for article in entry["articles"] for p in article["problems"]]
    codes = {(p["code"], p.get("field")) for p in problems}
    assert ("invalid-issn", "journal_id_issn") in codes
    assert ("invalid-orcid", "orcid") in codes
    assert ("invalid-doi", "article_id_doi") in codes
    store = Store.read_only(str(tmp_path / "out" / "current" / "store"))

    def values(query: str) -> list[str]:
        return sorted(row[0].value for row in store.query(query))

    # the wrong print ISSN is not published; the valid online one names the journal
    assert values("SELECT ?i WHERE { ?j <http://schema.org/issn> ?i }") == ["2538-1563"]
    assert values("SELECT ?p WHERE { ?a <http://schema.org/pageStart> ?p }") == ["355"]
    assert values("SELECT ?o WHERE { ?p a <http://schema.org/Person> ; <http://schema.org/sameAs> ?o }") == []
    assert values("SELECT ?d WHERE { ?a <http://prismstandard.org/namespaces/basic/2.0/doi> ?d }") == []
    fa_titles = values(
        "SELECT ?t WHERE { ?j a <http://schema.org/Periodical> ; <http://schema.org/name> ?t FILTER(lang(?t) = 'fa') }"
    )
    assert fa_titles == ["راهبردهای مدیریت در نظام سلامت"]  # trimmed, Arabic Yeh normalised
    english = values("SELECT ?t WHERE { ?a <http://schema.org/headline> ?t FILTER(lang(?t) = 'en') }")
    assert english == []  # Persian-script text in the English field is not tagged @en ...
    persian = values("SELECT ?t WHERE { ?a <http://schema.org/headline> ?t FILTER(lang(?t) = 'fa') }")
    assert persian == [persian_title]  # ... but published as @fa
    assert ("wrong-script", "title") in codes
    affiliations = values(
        "SELECT ?n WHERE { ?o a <http://schema.org/Organization> ; <http://schema.org/name> ?n "
        "FILTER(lang(?n) = 'en') }"
    )
    assert affiliations and all("@" not in name for name in affiliations)


def test_every_corpus_file_is_built_or_reported(sample_build: Path) -> None:
    report = json.loads((sample_build / "report.json").read_text(encoding="utf-8"))
    names = {Path(entry["path"]).name: entry for entry in report["files"]}
    for path in sorted(CORPUS.glob("*.xml")):
        entry = names[path.name]
        published = [a for a in entry["articles"] if a["status"] == "published"]
        assert published or entry["problems"], path.name


def test_no_persian_literal_has_arabic_yeh_or_kaf(sample_build: Path) -> None:
    store = Store.read_only(str(sample_build / "current" / "store"))
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o) && lang(?o) = 'fa') }",
    )
    assert int(next(iter(rows))["n"].value) > 100
    bad = store.query(
        "SELECT ?o WHERE { ?s ?p ?o "
        "FILTER(isLiteral(?o) && lang(?o) = 'fa' && REGEX(STR(?o), '[\u064a\u0643\u0649]')) }",
    )
    assert [row["o"].value for row in bad] == []
    # the raw corpus does contain them: the rule is doing work
    assert any("\u064a" in path.read_text(encoding="utf-8") for path in CORPUS.glob("*.xml"))


def test_a_second_build_on_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    assert build([SEED], out, options(validate=True)).exit_code == EXIT_OK
    quarantine = out / "quarantine" / "kept"
    quarantine.mkdir(parents=True)  # what a running build would have written
    with open(out / ".build.lock", "a+") as running:
        fcntl.flock(running, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the running build holds it
        refused = build([SEED], out, options(force=True))
        assert refused.exit_code == EXIT_USAGE and "another kg build is running" in refused.summary[0]
        assert quarantine.is_dir() and not list((out / "releases").glob(".*partial"))
    assert build([SEED], out, options(force=True)).exit_code == EXIT_OK  # once it ended
