"""Rebuilds skip the inputs unchanged since the last build (kg.publish.ledger) and publish what reading
them again would publish: each case is compared with a build that reads everything (``force``)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.build import EXIT_OK, EXIT_USAGE, BuildOptions, build
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.test_build_dumps import article_triples

GRAPH = "https://kg.example.org/graph/journal/2476-6879/article/A-10-968-1"


def options(**overrides) -> BuildOptions:
    settings = {"secret": TEST_SECRET.encode(), "processes": 1, "validate": False, "progress": False}
    settings.update(overrides)
    return BuildOptions(**settings)


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def seed_copy(folder: Path, name: str, year: str = "2026", end_page: str = "373") -> Path:
    """The seed's article, possibly with another issue year (which ranks copies) and end page."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("<type>gregorian</type>\n\t<year>2026</year>", f"<type>gregorian</type>\n\t<year>{year}</year>")
    text = text.replace("<end_page>373</end_page>", f"<end_page>{end_page}</end_page>")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def end_pages(out: Path) -> set[str]:
    store = Store.read_only(str(out / "current" / "store"))
    rows = store.query(f"SELECT ?page WHERE {{ GRAPH <{GRAPH}> {{ ?article <http://schema.org/pageEnd> ?page }} }}")
    return {row["page"].value for row in rows}


class Twins:
    """Builds every step twice, over two folders: skipping unchanged inputs, and reading everything
    (``force``). The two must publish the same graph after each step."""

    def __init__(self, tmp_path: Path) -> None:
        self.out, self.twin = tmp_path / "out", tmp_path / "twin"

    def build(self, inputs: list[Path], **overrides):
        report = build(inputs, self.out, options(**overrides))
        build(inputs, self.twin, options(**{**overrides, "force": True}))
        assert article_triples(self.out) == article_triples(self.twin)
        return report


def test_a_rebuild_over_unchanged_inputs_keeps_the_current_release(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build([SEED, CORPUS], out, options())
    before = article_triples(out)
    again = build([SEED, CORPUS], out, options())
    assert again.exit_code == first.exit_code == EXIT_OK
    assert again.release_dir == first.release_dir == (out / "current").resolve()
    assert (again.totals.files, again.totals.files_unchanged, again.totals.articles_unchanged) == (0, 19, 19)
    assert again.summary[0].startswith("nothing changed since the last build")
    assert article_triples(out) == before
    assert build([SEED, CORPUS], out, options(force=True)).release_dir != first.release_dir


def test_unchanged_files_are_carried_into_the_report_of_a_build_that_reads_others(tmp_path: Path) -> None:
    twins = Twins(tmp_path)
    twins.build([CORPUS])
    report = twins.build([SEED, CORPUS])
    assert (report.totals.files, report.totals.files_unchanged, report.totals.articles_unchanged) == (1, 18, 18)
    carried, full = report_of(twins.out), report_of(twins.twin)
    assert len(carried["files"]) == len(full["files"]) == 19
    assert sorted(Path(entry["path"]).name for entry in carried["files"] if not entry.get("unchanged")) == [SEED.name]
    assert carried["totals"]["problems"] == full["totals"]["problems"]  # the warnings of every input are listed
    # the terminal lists what this build read; the unchanged files' problems are counted, not listed again
    unchanged_problems = sum(
        len(entry["problems"]) + sum(len(a["problems"]) for a in entry["articles"])
        for entry in carried["files"]
        if entry.get("unchanged")
    )
    assert unchanged_problems > 0 and report.totals.problems_unchanged == unchanged_problems
    [problems] = [line for line in report.summary if line.startswith("problems: ")]
    assert f"({unchanged_problems} of them in unchanged files, not listed here)" in problems
    assert not [line for line in report.summary if "/corpus/" in line]
    store = Store.read_only(str(twins.out / "current" / "store"))
    [row] = store.query("SELECT (COUNT(?a) AS ?n) WHERE { ?a a <http://schema.org/ScholarlyArticle> }")
    assert int(row["n"].value) == 19


def test_a_changed_file_is_read_again_and_the_others_are_not(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(CORPUS, inputs)
    changed = sorted(inputs.glob("*.xml"))[3]
    twins = Twins(tmp_path)
    twins.build([inputs])
    text = changed.read_text(encoding="utf-8")
    start = text.index("<title>", text.index("<article>")) + len("<title>")
    changed.write_text(text[:start] + "Revised: " + text[start:], encoding="utf-8")
    report = twins.build([inputs])
    assert (report.totals.files, report.totals.files_unchanged) == (1, 17)
    [read] = [entry for entry in report_of(twins.out)["files"] if not entry.get("unchanged")]
    assert Path(read["path"]).name == changed.name


def test_a_file_whose_size_and_time_are_as_recorded_is_not_hashed_again(tmp_path: Path, monkeypatch) -> None:
    """The ledger keeps each file's modification time, taken before reading; a later build trusts an equal
    size and time (as ``make`` and ``rsync`` do) and hashes the other files: one touched with its old content
    is still skipped, one rewritten with as many bytes is read again."""
    import hashlib
    import os
    import time

    inputs = tmp_path / "inputs"
    shutil.copytree(CORPUS, inputs)
    old = time.time_ns() - 3600 * 10**9

    def set_time(path: Path, ns: int) -> None:
        os.utime(path, ns=(ns, ns))

    for path in inputs.glob("*.xml"):
        set_time(path, old)
    out = tmp_path / "out"
    assert build([inputs], out, options()).exit_code == EXIT_OK
    lines = [json.loads(line) for line in (out / "inputs.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    assert len(lines) == 18 and all(line["mtime_ns"] == old for line in lines)

    hashed: list[str] = []
    digest = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda handle, name: hashed.append(handle.name) or digest(handle, name))
    inputs_hashed = lambda: sorted(name for name in hashed if name.startswith(str(inputs)))  # noqa: E731
    assert build([inputs], out, options()).summary[0].startswith("nothing changed") and inputs_hashed() == []

    touched = sorted(inputs.glob("*.xml"))[0]
    set_time(touched, old + 10**9)  # another time, the same content
    rewritten = next(p for p in sorted(inputs.glob("*.xml"))[1:] if "<title>Dispersal" in p.read_text(encoding="utf-8"))
    rewritten.write_text(rewritten.read_text(encoding="utf-8").replace("<title>Dispersal", "<title>Xispersal"))
    set_time(rewritten, old + 2 * 10**9)  # as many bytes, another time
    report = build([inputs], out, options())
    assert inputs_hashed() == sorted([str(touched), str(rewritten)])
    assert (report.totals.files, report.totals.files_unchanged) == (1, 17)
    hashed.clear()  # the ledger now holds both new times: nothing is hashed again
    assert build([inputs], out, options()).summary[0].startswith("nothing changed") and inputs_hashed() == []


def test_the_working_store_is_closed_before_the_store_checks(tmp_path: Path, monkeypatch) -> None:
    """Once the dumps are written the build lets go of its working store, so that RocksDB's memory for it is
    not held through the store checks: while they run, the store can be opened again (RocksDB refuses a
    second handle in one process while the first is open)."""
    import kg.build
    from kg.publish.store import open_store

    opened: list[int] = []
    checks = kg.build.release_checks

    def checks_after_opening(store: Store, release) -> None:
        working = open_store(release.layout.store)
        opened.append(sum(1 for _ in working.named_graphs()))
        del working
        checks(store, release)

    monkeypatch.setattr(kg.build, "release_checks", checks_after_opening)
    assert build([SEED], tmp_path / "out", options()).exit_code == EXIT_OK
    assert opened and opened[0] >= 2  # the article graph and the runs graph


def test_the_build_runs_the_garbage_collector_less_often_and_restores_it(tmp_path: Path, monkeypatch) -> None:
    """``kg.publish.malloc.fewer_collections``: the youngest generation's threshold is raised while the build
    runs (the collector took a third of a one-issue rebuild at 50,000 articles) and restored after it, also
    when the build fails."""
    import gc

    import kg.build
    from kg.publish.malloc import BUILD_GC_THRESHOLD

    before = gc.get_threshold()
    during: list[int] = []
    checks = kg.build.release_checks

    def checks_noting_the_threshold(store: Store, release) -> None:
        during.append(gc.get_threshold()[0])
        checks(store, release)

    monkeypatch.setattr(kg.build, "release_checks", checks_noting_the_threshold)
    assert build([SEED], tmp_path / "out", options()).exit_code == EXIT_OK
    assert during == [BUILD_GC_THRESHOLD] != [before[0]] and gc.get_threshold() == before

    def failing(store: Store, release) -> None:
        raise RuntimeError("a failing check")

    monkeypatch.setattr(kg.build, "release_checks", failing)
    with pytest.raises(RuntimeError):
        build([SEED], tmp_path / "out", options(force=True))
    assert gc.get_threshold() == before


def test_the_releases_a_build_will_prune_are_deleted_beside_it(tmp_path: Path, monkeypatch) -> None:
    """``keep_releases`` newest releases are kept; those publishing will prune are deleted while the build
    reads (``kg.publish.releases.prune_ahead``), never the current one; a build that fails leaves
    ``keep_releases - 1`` of them, the current one among them."""
    import kg.build

    out = tmp_path / "out"
    made = [build([SEED], out, options(force=True, keep_releases=2)).release_dir for _ in range(2)]
    assert all(release is not None and release.is_dir() for release in made)
    deleted: list[list[str]] = []
    ahead = kg.build.prune_ahead

    def noting(layout, keep: int):
        before = set(layout.finished_releases())
        thread = ahead(layout, keep)
        thread.join()
        deleted.append(sorted(path.name for path in before - set(layout.finished_releases())))
        return thread

    monkeypatch.setattr(kg.build, "prune_ahead", noting)
    third = build([SEED], out, options(force=True, keep_releases=2)).release_dir
    assert third is not None and made[0] is not None and made[1] is not None
    assert deleted == [[made[0].name]]  # before the build published: the oldest, not the current one
    assert sorted((out / "releases").iterdir()) == sorted([made[1], third])

    def failing(store: Store, release) -> None:
        raise RuntimeError("a failing check")

    monkeypatch.setattr(kg.build, "release_checks", failing)
    with pytest.raises(RuntimeError):
        build([SEED], out, options(force=True, keep_releases=2))
    assert deleted[-1] == [made[1].name]
    assert [path for path in (out / "releases").iterdir() if not path.name.startswith(".")] == [third]
    assert (out / "current").resolve() == third.resolve()


def test_other_settings_or_force_read_everything_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEED], out, options())
    assert build([SEED], out, options(force=True)).totals.files == 1
    assert build([SEED], out, options(secret=b"another secret")).totals.files == 1
    assert build([SEED], out, options(secret=b"another secret")).totals.files == 0
    assert build([SEED], out, options(secret=b"another secret", validate=True)).totals.files == 1


def test_a_newer_copy_in_a_new_file_replaces_the_article_of_a_skipped_file(tmp_path: Path) -> None:
    twins = Twins(tmp_path)
    old = seed_copy(tmp_path / "in", "old.xml")
    new = seed_copy(tmp_path / "in", "new.xml", year="2027", end_page="374")
    twins.build([old])
    second = twins.build([old, new])
    assert (second.totals.files, second.totals.files_unchanged) == (1, 1)
    assert end_pages(twins.out) == {"374"}
    [carried] = [entry for entry in report_of(twins.out)["files"] if entry.get("unchanged")]
    assert [article["status"] for article in carried["articles"]] == ["superseded"]
    # both unchanged: neither is read, and the newer copy stays
    third = twins.build([old, new])
    assert (third.totals.files, third.totals.files_unchanged) == (0, 2) and end_pages(twins.out) == {"374"}
    # the older file alone: the copy it lost to is not given, so it is read, and its copy is published
    assert twins.build([old]).totals.files == 1 and end_pages(twins.out) == {"373"}


def test_a_skipped_file_competes_again_when_the_file_it_lost_to_changes(tmp_path: Path) -> None:
    twins = Twins(tmp_path)
    old = seed_copy(tmp_path / "in", "old.xml")
    other = seed_copy(tmp_path / "in", "other.xml", year="2027", end_page="374")
    twins.build([old, other])
    assert end_pages(twins.out) == {"374"}
    seed_copy(tmp_path / "in", "other.xml", year="2025", end_page="375")  # now the older issue
    report = twins.build([old, other])
    assert report.totals.files == 2 and report.totals.files_unchanged == 0  # old.xml is read in a second round
    assert end_pages(twins.out) == {"373"}


def test_articles_read_again_unchanged_leave_the_store_alone(tmp_path: Path, caplog) -> None:
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(CORPUS, inputs)
    seed_copy(inputs, "seed.xml")
    build([inputs], out, options())
    before = article_triples(out)
    with caplog.at_level(logging.INFO, logger="kg.build"):
        build([inputs], out, options(force=True))
    assert "19 graphs were published again byte for byte" in caplog.text
    assert article_triples(out) == before
    seed_copy(inputs, "seed.xml", end_page="374")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kg.build"):
        build([inputs], out, options(force=True))  # one article changed: it alone is replaced in the store
    assert "18 graphs were published again byte for byte" in caplog.text
    assert {quad[3] for quad in before ^ article_triples(out)} == {f"<{GRAPH}>"}  # that graph only
    assert end_pages(out) == {"374"}


def test_a_folder_keeps_its_base_iri(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEED], out, options())
    before = article_triples(out)
    refused = build([SEED], out, options(base="https://data.example.org", force=True))
    assert refused.exit_code == EXIT_USAGE and refused.release_dir is None
    assert "https://kg.example.org" in refused.summary[0] and "new folder" in refused.summary[0]
    assert article_triples(out) == before  # nothing read, nothing changed
    assert build([SEED], tmp_path / "elsewhere", options(base="https://data.example.org")).exit_code == EXIT_OK


# ------------------------------------------------------------------ identity across builds (kg.identity)
ORCID = "0000-0002-1825-0097"
SECOND_ORCID = "0000-0001-5109-3700"


def seed_variant(folder: Path, name: str, code: str, orcid: str = "") -> Path:
    """The seed's article under another code; its author with the seed's e-mail, and an ORCID if given."""
    text = SEED.read_text(encoding="utf-8").replace("A-10-968-1", code)
    text = text.replace("<orcid></orcid>", f"<orcid>{orcid}</orcid>")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def authors(out: Path) -> set[str]:
    store = Store.read_only(str(out / "current" / "store"))
    return {
        row["p"].value for row in store.query("SELECT DISTINCT ?p { GRAPH ?g { ?a <http://schema.org/author> ?p } }")
    }


def test_a_later_build_that_learns_two_keys_are_one_person_rewrites_the_published_graphs(tmp_path: Path) -> None:
    """E-mail-only records first, the record with the ORCID in a later build (and the reverse order, and
    all at once): the same canonical IRI and the same graph every way. A later record showing the same
    e-mail with another ORCID undoes the merge, as a one-shot build of everything would."""
    folder = tmp_path / "in"
    plain = [seed_variant(folder, f"plain{n}.xml", f"A-10-96{n}-1") for n in range(2, 5)]
    orcid = seed_variant(folder, "orcid.xml", "A-10-999-1", ORCID)
    canonical = f"https://kg.example.org/id/person/orcid-{ORCID}"
    email_first, orcid_first, one_shot = Twins(tmp_path / "a"), Twins(tmp_path / "b"), Twins(tmp_path / "c")
    email_first.build(plain)
    assert len(authors(email_first.out)) == 1 and canonical not in authors(email_first.out)
    email_first.build([*plain, orcid])
    orcid_first.build([orcid])
    orcid_first.build([orcid, *plain])
    one_shot.build([*plain, orcid])
    assert authors(email_first.out) == authors(orcid_first.out) == authors(one_shot.out) == {canonical}
    assert article_triples(email_first.out) == article_triples(orcid_first.out) == article_triples(one_shot.out)
    # an unchanged rebuild keeps the release; a second ORCID behind the same e-mail splits them again
    assert email_first.build([*plain, orcid]).totals.files == 0
    other = seed_variant(folder, "other.xml", "A-10-998-1", SECOND_ORCID)
    email_first.build([*plain, orcid, other])
    one_shot = Twins(tmp_path / "d")
    one_shot.build([other, orcid, *plain])
    assert article_triples(email_first.out) == article_triples(one_shot.out)
    assert len(authors(email_first.out)) == 3 and canonical in authors(email_first.out)


def test_a_journal_alias_learnt_in_a_later_build_moves_the_published_articles(tmp_path: Path) -> None:
    """An export whose print ISSN has a wrong check digit, built before or after a good export of the same
    journal (or with it): one journal, its articles under the canonical journal, the same graph every way."""
    folder = tmp_path / "in"
    good = seed_variant(folder, "good.xml", "A-10-968-1")
    bad = seed_variant(folder, "bad.xml", "A-10-969-1")
    bad.write_text(bad.read_text(encoding="utf-8").replace(">2476-6879<", ">2476-6878<"), encoding="utf-8")
    same = seed_variant(folder, "same.xml", "A-10-968-1")  # the good export's article, in a bad export
    same.write_text(same.read_text(encoding="utf-8").replace(">2476-6879<", ">2476-6878<"), encoding="utf-8")
    bad_first, good_first, one_shot = Twins(tmp_path / "a"), Twins(tmp_path / "b"), Twins(tmp_path / "c")
    bad_first.build([bad, same])
    bad_first.build([bad, same, good])
    good_first.build([good])
    good_first.build([good, bad, same])
    one_shot.build([good, bad, same])
    assert article_triples(bad_first.out) == article_triples(good_first.out) == article_triples(one_shot.out)
    graphs = {quad[3] for quad in article_triples(one_shot.out)}
    assert graphs == {f"<{GRAPH}>", f"<{GRAPH.replace('A-10-968-1', 'A-10-969-1')}>"}


def test_a_coded_export_in_a_later_build_replaces_the_published_code_less_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    coded = seed_variant(folder, "coded.xml", "A-10-968-1")
    text = coded.read_text(encoding="utf-8")
    start = text.index("<web_url>", text.index("<articleset>"))
    codeless = folder / "codeless.xml"
    codeless.write_text(
        text[:start] + "<web_url></web_url>" + text[text.index("</web_url>", start) + 10 :], encoding="utf-8"
    )
    later, earlier, one_shot = Twins(tmp_path / "a"), Twins(tmp_path / "b"), Twins(tmp_path / "c")
    later.build([codeless])
    assert {quad[3] for quad in article_triples(later.out)} != {f"<{GRAPH}>"}
    later.build([codeless, coded])
    earlier.build([coded])
    earlier.build([coded, codeless])
    one_shot.build([coded, codeless])
    assert article_triples(later.out) == article_triples(earlier.out) == article_triples(one_shot.out)
    assert {quad[3] for quad in article_triples(one_shot.out)} == {f"<{GRAPH}>"}
