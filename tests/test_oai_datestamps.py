"""Per-article datestamps from graph digests (``kg.publish.datestamps``), without a build or a server.

Real graph files (``kg.publish.graphs``) with real article N-Quads from the seed's build: a table written
from them, then again after one graph changed, one left, and one was withdrawn through ``deleted.jsonl``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from kg.build import BuildOptions, build
from kg.publish.datestamps import deletions, note_deleted, unpack, write_records
from kg.publish.graphs import GraphFiles, graph_digest
from kg.publish.layout import Layout
from tests.conftest import SEED, TEST_SECRET

BASE = "https://kg.example.org"
GRAPH = f"{BASE}/graph/journal/2476-6879/article/A-10-968-1"


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("seed")
    assert build([SEED], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False)).exit_code == 0
    return GraphFiles(Layout(out).graphs).read(GRAPH)


def _copy(nquads: bytes, code: str) -> tuple[str, bytes]:
    """The seed's article graph under another article code (another article of the same issue)."""
    graph = GRAPH.replace("A-10-968-1", code)
    return graph, nquads.replace(b"A-10-968-1", code.encode())


def _rows(path: Path) -> dict[str, tuple[str, int, str]]:
    with sqlite3.connect(path) as db:
        return {
            r[0]: (r[1], r[2], r[3]) for r in db.execute("SELECT identifier, datestamp, deleted, digest FROM records")
        }


def test_datestamps_follow_graph_digests(seed_graph: bytes, tmp_path: Path) -> None:
    files = GraphFiles(tmp_path / "graphs")
    graphs = dict(_copy(seed_graph, code) for code in ("A-1", "A-2", "A-3", "A-4"))
    files.write(graphs)
    first = tmp_path / "r1.sqlite"
    counts = write_records(None, first, files, BASE, "2026-01-01T00:00:00Z", {})
    assert (counts.live, counts.changed, counts.deleted) == (4, 4, 0)
    one, two, three, four = (g.replace("/graph/", "/id/", 1) for g in sorted(graphs))

    changed_graph, changed = _copy(seed_graph.replace(b"Scoping Review", b"Scoping review"), "A-1")
    files.write({changed_graph: changed})
    files.current.pop(sorted(graphs)[1])  # A-2 leaves the graph (as an article replaced under a new IRI does)
    files.digests.pop(sorted(graphs)[1])
    note_deleted(tmp_path, sorted(graphs)[2], "withdrawn by the journal", "2026-01-02T00:00:00Z")
    files.write({sorted(graphs)[3]: b""})  # emptied, as the identity pass withdraws a copy replaced by another
    second = tmp_path / "r2.sqlite"
    counts = write_records(first, second, files, BASE, "2026-01-03T00:00:00Z", deletions(tmp_path))
    assert (counts.live, counts.changed, counts.newly_deleted, counts.deleted) == (1, 1, 3, 3)
    rows = _rows(second)
    assert rows[one] == ("2026-01-03T00:00:00Z", 0, graph_digest(changed))
    assert all(rows[gone][:2] == ("2026-01-03T00:00:00Z", 1) for gone in (two, three, four))

    third = tmp_path / "r3.sqlite"
    counts = write_records(second, third, files, BASE, "2026-01-04T00:00:00Z", deletions(tmp_path))
    assert counts.changed == 0 and counts.newly_deleted == 0
    assert _rows(third) == rows  # nothing changed: every datestamp stays; deletions persist
    with sqlite3.connect(third) as db:
        record = json.loads(unpack(db.execute("SELECT record FROM records WHERE identifier = ?", (one,)).fetchone()[0]))
        sets = dict(db.execute("SELECT spec, name FROM sets"))
    assert record["authors"][0]["family"] == [["Roozbahani", "en"], ["روزبهانی", "fa"]]
    assert sets["2476-6879:10:4"] == "Management Strategies in Health System, Vol. 10, No. 4"


def test_a_bad_deletion_line_is_named_and_the_others_still_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    note_deleted(tmp_path, GRAPH, "withdrawn", "2026-01-02T00:00:00Z", digest="abc")
    with open(tmp_path / "deleted.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"reason": "no graph"}\n{not json\n')
    with caplog.at_level(logging.WARNING):
        found = deletions(tmp_path)
    assert found == {GRAPH: {"graph": GRAPH, "reason": "withdrawn", "at": "2026-01-02T00:00:00Z", "digest": "abc"}}
    assert "deleted.jsonl, line 2" in caplog.text and "deleted.jsonl, line 3" in caplog.text


def test_a_table_without_jats_is_carried_and_still_served(seed_graph: bytes, tmp_path: Path) -> None:
    """A release written before the JATS column (schema version 2): its rows, deletions included, are carried
    into the next table with their JATS made from the stored record, and ``/oai`` renders JATS from the record
    while it still serves the old table."""
    from kg.server.oai import FORMATS, _as_is
    from kg.server.oai_records import Records

    files = GraphFiles(tmp_path / "graphs")
    graphs = dict(_copy(seed_graph, code) for code in ("A-1", "A-2"))
    files.write(graphs)
    first = tmp_path / "r1.sqlite"
    write_records(None, first, files, BASE, "2026-01-01T00:00:00Z", {})
    note_deleted(tmp_path, sorted(graphs)[1], "withdrawn by the journal", "2026-01-02T00:00:00Z")
    second = tmp_path / "r2.sqlite"
    write_records(first, second, files, BASE, "2026-01-02T00:00:00Z", deletions(tmp_path))
    live, gone = (g.replace("/graph/", "/id/", 1) for g in sorted(graphs))
    with sqlite3.connect(second) as db:
        jats = unpack(db.execute("SELECT jats FROM records WHERE identifier = ?", (live,)).fetchone()[0])
        db.executescript(  # the table as version 2 wrote it
            "CREATE TABLE v2 AS SELECT identifier, graph, digest, datestamp, deleted, sets, oai_dc, record"
            " FROM records;"
            "DROP TABLE records; ALTER TABLE v2 RENAME TO records;"
        )
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert jats.startswith("<article ") and "<article-meta>" in jats

    column, render = FORMATS["jats"].source(Records(second))
    assert column == "record" and render is not _as_is
    header = Records(second).get(live, column)
    assert header is not None and render(header.metadata) == jats
    assert FORMATS["jats"].source(Records(first)) == ("jats", _as_is)

    third = tmp_path / "r3.sqlite"
    counts = write_records(second, third, files, BASE, "2026-01-03T00:00:00Z", deletions(tmp_path))
    assert counts.changed == 0 and (counts.live, counts.deleted) == (1, 1)  # carried, not read again
    assert _rows(third) == _rows(second)
    with sqlite3.connect(third) as db:
        carried = dict(db.execute("SELECT identifier, jats FROM records"))
    assert unpack(carried[live]) == jats and carried[gone] == b""
