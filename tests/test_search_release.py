"""The index follows the release: an incremental build that replaces an article changes its hits (and only that
article is indexed again), and searches during a republish never fail."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import requests

from kg.build import BuildOptions, build
from kg.search.index import INDEX_FILE, connect
from kg.search.query import search
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.server_fixtures import start_server

pytest_plugins = ["tests.server_fixtures"]

OLD, NEW = "Scoping", "Panoramic"  # a word of the seed article's title, and the word that replaces it
FILE = "mshsj-v10n4-a968.xml"  # its article has a code: its IRI stays when its title changes


def _build(inputs: Path, out: Path) -> None:
    report = build([inputs], out, BuildOptions(base="https://kg.example.org", secret=TEST_SECRET.encode()))
    assert report.exit_code in (0, 1), report.summary


def _hits(out: Path, query: str) -> set[str]:
    conn = connect(out / "current" / INDEX_FILE, read_only=True)
    try:
        return {hit.iri for hit in search(conn, query).hits}
    finally:
        conn.close()


def _suggestions(out: Path) -> dict[tuple[str, str], tuple[str | None, str, int, str]]:
    """(kind, label) -> (IRI, language, weight, normalised label) of every suggestion of the current release."""
    conn = connect(out / "current" / INDEX_FILE, read_only=True)
    try:
        rows = conn.execute(
            "SELECT s.kind, s.label, s.iri, s.lang, s.weight, f.norm"
            " FROM suggest s JOIN suggest_fts f ON f.rowid = s.id"
        ).fetchall()
        assert conn.execute("SELECT COUNT(*) FROM suggest_fts").fetchone()[0] == len(rows)
    finally:
        conn.close()
    found = {(kind, label): tuple(rest) for kind, label, *rest in rows}
    assert len(found) == len(rows)  # one suggestion per kind and label
    return found


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_incremental_build_replacing_an_article_changes_its_hits(tmp_path: Path, caplog) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(CORPUS, inputs)
    shutil.copy(SEED, inputs / FILE)
    out = tmp_path / "out"
    _build(inputs, out)
    before = _hits(out, OLD)
    assert len(before) == 1 and not _hits(out, NEW)
    first_release = (out / "current").resolve()

    _edit(inputs / FILE, OLD, NEW)
    caplog.set_level(logging.INFO, logger="kg.build")
    _build(inputs, out)
    assert (out / "current").resolve() != first_release
    assert _hits(out, NEW) == before and not _hits(out, OLD)
    # only the changed article's graph was read from the store, and only that article indexed again
    assert "search index: 19 articles, 1 read, 1 re-indexed, 0 removed" in caplog.text
    # the earlier release keeps its own index: a server still reading it answers as before
    old_conn = connect(first_release / INDEX_FILE, read_only=True)
    assert {hit.iri for hit in search(old_conn, OLD).hits} == before
    working = sqlite3.connect(out / INDEX_FILE)
    assert working.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 19

    # a keyword leaves the article and an author's name changes: their suggestions' counts follow
    # (kg.search.suggestions), and the autocomplete the incremental builds kept is the one a full build of
    # the same inputs writes
    before_edit = _suggestions(out)
    _edit(inputs / FILE, "Digital health, ", "")
    _edit(inputs / FILE, "<last_name>Roozbahani<", "<last_name>Rouzbahani<")
    _build(inputs, out)
    assert ("keyword", "Digital health") in before_edit and ("keyword", "Digital health") not in _suggestions(out)
    fresh = tmp_path / "fresh"
    _build(inputs, fresh)
    kept, written = _suggestions(out), _suggestions(fresh)
    assert kept == written and len(kept) > 20


def test_searches_during_a_republish_never_fail(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / FILE)
    out = tmp_path / "out"
    _build(inputs, out)
    server = start_server(out, tmp_path / "server")
    failures: list[str] = []
    answers: list[int] = []
    stop = threading.Event()

    def query() -> None:
        session = requests.Session()
        while not stop.is_set():
            for path, q in (("/api/search", NEW), ("/api/search", OLD), ("/api/suggest", "دیجی")):
                response = session.get(server.url + path, params={"q": q}, timeout=10)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text}")
                elif path == "/api/search" and q == NEW:
                    answers.append(response.json()["total"])

    threads = [threading.Thread(target=query) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for round_ in range(2):
            old, new = (OLD, NEW) if round_ == 0 else (NEW, OLD)
            _edit(inputs / FILE, old, new)
            _build(inputs, out)
        _edit(inputs / FILE, OLD, NEW)
        _build(inputs, out)
        # each web worker picks the new release within its reload interval (later on a busy machine), on
        # its own: wait until ten answers in a row come from it
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and answers[-10:] != [1] * 10:
            time.sleep(0.1)
        seen = list(answers)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        server.stop()
    assert not failures, failures[:3]
    assert 0 in seen and seen[-10:] == [1] * 10  # the hits moved with the releases


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_results(sample_build: Path) -> None:
    """The per-release cache (``FacetTable``) changes nothing a query returns, for every page and filter."""
    from kg.search.query import Filters, facet_table

    conn = connect(sample_build / "current" / INDEX_FILE, read_only=True)
    try:
        table = facet_table(conn)
        fresh = search(conn, "بررسی", limit=3)  # no table: nothing cached
        assert fresh.total > 3 and fresh.facets["journal"] and fresh.next_cursor
        first = search(conn, "بررسی", limit=3, table=table)
        assert len(table.cache) == 1
        second = search(conn, "بررسی", limit=3, table=table)
        assert len(table.cache) == 1  # the same normalised query: one entry
        for results in (first, second):
            assert [(h.iri, h.score, h.journal, h.year) for h in results.hits] == [
                (h.iri, h.score, h.journal, h.year) for h in fresh.hits
            ]
            assert (results.total, results.facets, results.next_cursor) == (
                fresh.total,
                fresh.facets,
                fresh.next_cursor,
            )
        paged = search(conn, "بررسی", limit=3, cursor=fresh.next_cursor, table=table)
        assert paged.hits and {h.iri for h in paged.hits}.isdisjoint({h.iri for h in fresh.hits})
        year = fresh.facets["year"][0][0]
        filtered = search(conn, "بررسی", Filters(year_from=year, year_to=year), table=table)
        assert len(table.cache) == 2 and filtered.total == fresh.facets["year"][0][1]
        assert all(h.year == year for h in filtered.hits)
    finally:
        conn.close()


def test_the_graph_files_give_the_articles_the_store_gives(sample_build: Path) -> None:
    """The build reads the index's articles from its N-Quads files (``kg.search.nquads``); the SPARQL reading
    of the published store (``kg.search.extract.articles``) is the definition: field for field the same."""
    from pyoxigraph import Store

    from kg.publish.graphs import GraphFiles
    from kg.search import extract, nquads

    files = GraphFiles(sample_build / "graphs")
    fast = {a.iri: a for a in nquads.articles(files)}  # the last copy of an IRI: its graphs' fields merged
    reference = extract.articles(Store.read_only(str(sample_build / "current" / "store")))
    assert len(reference) >= 19 and set(fast) == set(reference)
    assert all(fast[iri].as_dict() == reference[iri].as_dict() for iri in reference)
    assert {a.graph for a in fast.values()} == {a.graph for a in reference.values()}
    # every field the index uses was found, people and journals through their links inside the graph
    one = max(fast.values(), key=lambda a: (len(a.texts), a.iri))
    assert {"title", "abstract", "person"} <= set(one.texts) and one.links["journal"] and one.year
    # only the graphs asked for are read, and an article's digest is its graph's
    some = list(nquads.articles(files, [one.graph]))
    assert [a.iri for a in some] == [one.iri] and files.digests[one.graph] in some[0].digest()


def test_facet_counts_and_the_first_page_agree_with_sql(sample_build: Path) -> None:
    """Facets are counted from per-row byte codes and the first page picked by partial selection
    (``kg.search.query``): both must equal SQLite's own grouping and ordering of the same matches."""
    from kg.search.index import WEIGHTS
    from kg.search.query import FACETS, parse

    conn = connect(sample_build / "current" / INDEX_FILE, read_only=True)
    try:
        for text, limit in (("دانشگاه", 1), ("university", 2), ("بررسی", 3)):
            results = search(conn, text, limit=limit)
            expression = parse(text).expression()
            matched = "SELECT rowid FROM fts WHERE fts MATCH ?"
            assert results.total == len(conn.execute(matched, (expression,)).fetchall()) > limit
            for name in FACETS:
                rows = conn.execute(
                    f"SELECT {name}, COUNT(*) FROM docs WHERE id IN ({matched}) AND {name} IS NOT NULL GROUP BY 1",
                    (expression,),
                ).fetchall()
                assert sorted(results.facets[name]) == sorted(rows), name
            weights = ", ".join(map(str, WEIGHTS))
            best = conn.execute(
                f"SELECT d.iri FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? "
                f"ORDER BY bm25(fts, {weights}), fts.rowid LIMIT ?",
                (expression, limit),
            ).fetchall()
            assert [h.iri for h in results.hits] == [row[0] for row in best]
    finally:
        conn.close()
    # pages picked by partial selection (matches more than 8 x the page) and from the sorted copy agree
    import random

    from kg.search.query import _Matched

    rows = [(round(random.Random(i).uniform(-9, 0), 1), i) for i in range(500)]  # ties, broken by row id
    matched = _Matched(list(rows), True)
    for offset, limit in ((0, 20), (20, 20), (0, 100), (480, 20), (40, 20)):
        assert matched.page(offset, limit) == sorted(rows)[offset : offset + limit]


def test_an_article_merged_from_two_formats_is_read_whole_when_either_graph_changed(tmp_path: Path) -> None:
    """An article from a journal export and a PubMed file is its article graph plus a supplement graph
    (``kg.publish.merge``): the index reads both when either changed, and reads them as the store does."""
    from pyoxigraph import Store

    from kg.iris import supplemented_graph
    from kg.publish.graphs import GraphFiles
    from kg.search import extract, nquads
    from kg.search.index import _with_supplements

    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / FILE)
    shutil.copy(Path(__file__).parent / "fixtures" / "pubmed" / "mshsj-a968-pubmed.xml", inputs / "pubmed.xml")
    out = tmp_path / "out"
    _build(inputs, out)
    files = GraphFiles(out / "graphs")
    supplements = [g for g in files.digests if supplemented_graph(g)]
    assert len(supplements) == 1
    primary = supplemented_graph(supplements[0])
    assert primary in files.digests
    assert _with_supplements({supplements[0]}, files.digests) == {primary, supplements[0]}
    assert _with_supplements({primary}, files.digests) == {primary, supplements[0]}
    reference = extract.articles(Store.read_only(str(out / "current" / "store")))
    fast = {a.iri: a for a in nquads.articles(files)}  # the last copy of an IRI: its graphs' fields merged
    assert {iri: a.as_dict() for iri, a in fast.items()} == {iri: a.as_dict() for iri, a in reference.items()}
    assert _hits(out, OLD)  # the merged article is found
