"""Per-article datestamps and records for the channels (OAI-PMH first), written with every release.

A harvester asks "what changed since T?", so each article needs the time its published graph last
changed, and each article that left the graph needs to stay listed as deleted (OAI-PMH's
``deletedRecord=persistent``). The build already knows each graph's digest (``kg.publish.graphs``); this
module compares them with the previous release's table and writes ``oai.sqlite`` into the new release:

- an article graph whose digest is unchanged keeps its datestamp and its record as they were;
- a new or changed one gets the release's time as its datestamp and a record read from its N-Quads
  (``kg.export.article_record``, rendered as ``oai_dc`` by ``kg.export.oai_dc`` and as JATS front matter
  by ``kg.export.jats``);
- one that is no longer published (replaced under another IRI, or withdrawn) becomes a deleted record
  stamped with the release's time, and stays one in every later release.

An article's supplement graphs (what copies from files of other formats add: ``kg.publish.merge``) belong to
it: their digests enter its digest, so its datestamp changes when they do, and its record is read from them too.

The table travels with the release, so it survives rebuilds, and a server reads the release it serves
and nothing else. Withdrawals are handed over in ``DIR/deleted.jsonl`` (``note_deleted``): one JSON line
per withdrawn article graph, appended by whoever withdraws it (``kg withdraw``); the next build reports
the article as deleted even while its graph is still in the working store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.export.article_record import article_record, in_language
from kg.export.jats import jats_article
from kg.export.oai_dc import oai_dc
from kg.iris import supplemented_graph
from kg.publish.graphs import GraphFiles
from kg.publish.sqlite_meta import meta_value
from kg.publish.tombstones import EMPTY_DIGEST

log = logging.getLogger(__name__)

SCHEMA_VERSION = "3"  # a table of another version is not carried over: every record is read again
CARRIED_VERSIONS = ("2", "3")  # 2 had no jats column: its rows get theirs from their stored record
_FEW = 32  # up to this many changed graphs are read one by one
_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    identifier TEXT PRIMARY KEY,   -- the article IRI
    graph TEXT NOT NULL,
    digest TEXT NOT NULL,          -- of the graph's N-Quads ("" for a deleted record)
    datestamp TEXT NOT NULL,       -- YYYY-MM-DDThh:mm:ssZ: when the graph last changed (or left)
    deleted INTEGER NOT NULL,
    sets TEXT NOT NULL,            -- JSON list of setSpecs
    oai_dc BLOB NOT NULL,          -- the oai_dc:dc element, zlib-compressed (pack/unpack; empty when deleted)
    record BLOB NOT NULL,          -- the record (kg.export.article_record) as JSON, zlib-compressed
    jats BLOB NOT NULL             -- the JATS <article> front matter (kg.export.jats), packed; empty when deleted
);
CREATE INDEX records_by_datestamp ON records (datestamp, identifier);
CREATE TABLE record_sets (spec TEXT NOT NULL, identifier TEXT NOT NULL, datestamp TEXT NOT NULL);
CREATE INDEX record_sets_by_spec ON record_sets (spec, datestamp, identifier);
CREATE TABLE sets (spec TEXT PRIMARY KEY, name TEXT NOT NULL);
"""


@dataclass
class Row:
    identifier: str
    graph: str
    digest: str
    datestamp: str
    deleted: bool
    sets: list[str]
    oai_dc: bytes  # packed (``pack``): carried from release to release as they are
    record: bytes
    jats: bytes


@dataclass
class RecordCounts:
    """What a release's table holds and how it differs from the previous release's."""

    live: int = 0
    deleted: int = 0
    changed: int = 0  # new or changed since the previous release
    newly_deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


# ------------------------------------------------------------------------------------- deletions
def note_deleted(root: Path, graph: str, reason: str, when: str, digest: str = "") -> None:
    """Hand a withdrawn article graph to the next build (for ``kg withdraw``): one line in ``DIR/deleted.jsonl``.

    ``digest``, when given, is that of the copy withdrawn: a later copy with another digest (the article
    published again) is live again. Without it the graph stays withdrawn.
    """
    line = {"graph": graph, "reason": reason, "at": when, "digest": digest}
    with open(Path(root) / DELETIONS, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")


DELETIONS = "deleted.jsonl"


def deletions(root: Path) -> dict[str, dict[str, str]]:
    """Withdrawn graph -> its latest line in ``DIR/deleted.jsonl`` (none when there is no file).

    A line that is not a deletion (hand-edited, cut short) is left out with a warning naming the file and
    line: the build goes on, and the article it meant stays published until the line is put right.
    """
    path = Path(root) / DELETIONS
    found: dict[str, dict[str, str]] = {}
    if path.exists():
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                found[str(line["graph"])] = {k: str(v) for k, v in line.items()}
            except (ValueError, KeyError, TypeError) as error:
                log.warning("%s, line %d: not a deletion line, ignored (%s): %.80s", path, number, error, text)
    return found


# ------------------------------------------------------------------------------------- packing
def pack(text: str) -> bytes:
    """A column's text, zlib-compressed: abstracts make records large (about 4x smaller packed)."""
    return zlib.compress(text.encode("utf-8"), 6) if text else b""


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8") if data else ""


# ---------------------------------------------------------------------------------------- sets
def set_specs(record: dict[str, Any], base: str) -> list[tuple[str, str]]:
    """The sets an article is in, each (setSpec, setName): its journal, its volume and its issue.

    setSpecs are the IRI path segments under ``{base}/id/journal/`` joined by ":" (OAI-PMH's hierarchy),
    with "%" of percent-encoded characters written "!" (setSpec allows no "%").
    """
    journal, volume, issue = record.get("journal"), record.get("volume"), record.get("issue")
    prefix = f"{base}/id/journal/"
    if not journal or not journal.startswith(prefix):
        return []
    title = in_language(record["journal_titles"], "en") or (record["journal_titles"] or [(journal, "")])[0][0]
    spec = journal[len(prefix) :].replace("%", "!")
    found = [(spec, title)]
    if volume and "/volume/" in volume:
        spec += ":" + volume.rsplit("/volume/", 1)[1].replace("%", "!")
        title += f", Vol. {record['volume_number'] or volume.rsplit('/', 1)[1]}"
        found.append((spec, title))
        if issue and "/issue/" in issue:
            spec += ":" + issue.rsplit("/issue/", 1)[1].replace("%", "!")
            title += f", No. {record['issue_number'] or issue.rsplit('/', 1)[1]}"
            found.append((spec, title))
    return found


# -------------------------------------------------------------------------------------- tables
def _open_table(previous: Path | None, target: Path) -> sqlite3.Connection:
    """The new release's table at ``target``, holding the previous release's rows to start from.

    A table of this version is copied as a file and then changed in place (a copy is the fastest way to
    carry 50,000 records of 9 KB each, and nothing is held in memory); one of version 2 has its rows
    copied by SQLite and each live row's JATS made from its stored record; any other starts empty, so
    every record is read again.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    version = meta_value(previous, "schema_version") if previous is not None else None
    if version == SCHEMA_VERSION:
        assert previous is not None
        shutil.copyfile(previous, target)
        connection = sqlite3.connect(target)
    else:
        connection = sqlite3.connect(target)
        connection.executescript(_TABLES)
        if version in CARRIED_VERSIONS:
            _carry_version_2(connection, previous)
    connection.execute(_BY_IDENTIFIER)
    return connection


def _carry_version_2(connection: sqlite3.Connection, previous: Path | None) -> None:
    """A version 2 table's rows, sets and record sets, each live row with its JATS made from its record."""
    connection.execute("ATTACH DATABASE ? AS old", (f"file:{previous}?mode=ro",))
    connection.execute(
        "INSERT INTO records SELECT identifier, graph, digest, datestamp, deleted, sets, oai_dc, record, x''"
        " FROM old.records"
    )
    connection.execute("INSERT INTO record_sets SELECT spec, identifier, datestamp FROM old.record_sets")
    connection.execute("INSERT INTO sets SELECT spec, name FROM old.sets")
    connection.commit()
    connection.execute("DETACH DATABASE old")
    live = [row[0] for row in connection.execute("SELECT identifier FROM records WHERE deleted = 0")]
    for identifier in live:
        (record,) = connection.execute("SELECT record FROM records WHERE identifier = ?", (identifier,)).fetchone()
        jats = pack(jats_article(json.loads(unpack(record))))
        connection.execute("UPDATE records SET jats = ? WHERE identifier = ?", (jats, identifier))
    connection.commit()


def _graph_line_groups(graphs: GraphFiles, wanted: set[str]) -> Iterator[tuple[str, bytes]]:
    """(graph, N-Quads) of the wanted graphs, one segment at a time (a graph's copy is in one segment).

    A few graphs (an incremental build) are read one by one; many are read in one pass over the segments,
    each read whole and split in C, a line's graph found by its tail (`` <graph> .``) in one lookup.
    """
    if len(wanted) <= _FEW:
        for name in sorted(wanted):
            yield name, graphs.read(name)
        return
    for path, names in graphs.current_segments(wanted):
        tails = {f" <{name}> .".encode(): name for name in names}
        found: dict[str, list[bytes]] = {}
        for line in path.read_bytes().splitlines():
            graph = tails.get(line[line.rfind(b" <") :])
            if graph is not None:
                found.setdefault(graph, []).append(line)
        for graph, lines in found.items():
            yield graph, b"\n".join(lines) + b"\n"


def is_article_graph(graph: str, base: str) -> bool:
    return graph.startswith(f"{base}/graph/journal/") and "/article/" in graph and supplemented_graph(graph) is None


def _supplements(digests: dict[str, str]) -> dict[str, dict[str, str]]:
    """Article graph -> its supplement graphs that hold triples (name -> digest)."""
    found: dict[str, dict[str, str]] = {}
    for name, digest in digests.items():
        owner = supplemented_graph(name)
        if owner is not None and digest != EMPTY_DIGEST:
            found.setdefault(owner, {})[name] = digest
    return found


def _with_supplements(digest: str, supplements: dict[str, str]) -> str:
    """An article's digest: its graph's, folded with its supplements' (its graph's alone when it has none)."""
    if not supplements or not digest:
        return digest
    text = digest + "".join(f"\n{name}\t{supplements[name]}" for name in sorted(supplements))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def write_records(
    previous: Path | None, target: Path, graphs: GraphFiles, base: str, now: str, withdrawn: dict[str, dict[str, str]]
) -> RecordCounts:
    """Write the release's ``oai.sqlite`` at ``target`` from the previous release's (``previous``) and the graphs.

    The previous table is the start (``_open_table``); only the records of new or changed article graphs
    are read and replaced, one at a time, and those of graphs no longer published are marked deleted, so
    the step's time and memory follow the change, not the number of records.
    """
    counts = RecordCounts()
    connection = _open_table(previous, target)
    try:
        old = {  # only these columns: reading each row's sets too took 0.6 s at 50,000 articles, these 0.1 s
            graph: _Old(identifier, digest, bool(deleted))
            for graph, identifier, digest, deleted in connection.execute(
                "SELECT graph, identifier, digest, deleted FROM records"
            )
        }
        supplements = _supplements(graphs.digests)
        live = {
            graph: _with_supplements(digest, supplements.get(graph, {}))
            for graph, digest in graphs.digests.items()
            if is_article_graph(graph, base)
            and not (graph in withdrawn and withdrawn[graph].get("digest", "") in ("", digest))
        }
        kept = {g for g, d in live.items() if g in old and not old[g].deleted and old[g].digest == d and d}
        to_read = set(live) - kept
        sets: dict[str, str] = {}
        added = graphs.read_many(name for graph in to_read for name in supplements.get(graph, {}))
        for graph, nquads in _graph_line_groups(graphs, to_read):
            record = article_record(
                nquads + b"".join(added.get(name, b"") for name in sorted(supplements.get(graph, {})))
            )
            if record is None:
                continue
            specs = set_specs(record, base)
            sets.update(specs)
            row = Row(
                record["id"],
                graph,
                live[graph],
                now,
                False,
                [spec for spec, _ in specs],
                pack(oai_dc(record)),
                pack(json.dumps(record, ensure_ascii=False)),
                pack(jats_article(record)),
            )
            _replace(connection, row, old.get(graph))
            kept.add(graph)
            counts.changed += 1
        for graph, before in old.items():
            if graph not in kept and not before.deleted:
                counts.newly_deleted += _mark_deleted(connection, graph, before, now)
        _finish_table(connection, sets, base, counts)
        connection.commit()
    finally:
        connection.close()
    return counts


@dataclass
class _Old:
    """What the write needs of a previous row (the rest stays in the table)."""

    identifier: str
    digest: str
    deleted: bool


_BY_IDENTIFIER = "CREATE INDEX IF NOT EXISTS record_sets_by_identifier ON record_sets (identifier)"


def _replace(connection: sqlite3.Connection, row: Row, before: _Old | None) -> None:
    """Put ``row`` in the table in place of its graph's previous row and of any row with its identifier (a
    record whose identifier changed graph keeps one row: the live one)."""
    identifiers = {row.identifier} | ({before.identifier} if before else set())
    for identifier in identifiers:
        connection.execute("DELETE FROM records WHERE identifier = ?", (identifier,))
        connection.execute("DELETE FROM record_sets WHERE identifier = ?", (identifier,))
    connection.execute(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.identifier,
            row.graph,
            row.digest,
            row.datestamp,
            0,
            json.dumps(row.sets),
            row.oai_dc,
            row.record,
            row.jats,
        ),
    )
    connection.executemany(
        "INSERT INTO record_sets VALUES (?, ?, ?)", [(spec, row.identifier, row.datestamp) for spec in row.sets]
    )


def _mark_deleted(connection: sqlite3.Connection, graph: str, before: _Old, now: str) -> int:
    """Make the live record of a graph no longer published a deleted one, stamped ``now``; 1 if there was one
    (0 when its identifier went on live in another graph)."""
    marked = connection.execute(
        "UPDATE records SET digest = '', datestamp = ?, deleted = 1, oai_dc = x'', record = ?, jats = x''"
        " WHERE identifier = ? AND graph = ? AND deleted = 0",
        (now, pack("{}"), before.identifier, graph),
    ).rowcount
    if marked:
        connection.execute("UPDATE record_sets SET datestamp = ? WHERE identifier = ?", (now, before.identifier))
    return marked


def _finish_table(connection: sqlite3.Connection, sets: dict[str, str], base: str, counts: RecordCounts) -> None:
    """The sets still used (names from this build first), the counts and the earliest datestamp."""
    connection.executemany("INSERT OR REPLACE INTO sets VALUES (?, ?)", sorted(sets.items()))
    connection.execute("DELETE FROM sets WHERE spec NOT IN (SELECT spec FROM record_sets)")
    counts.live, counts.deleted = connection.execute(
        "SELECT COUNT(*) - COALESCE(SUM(deleted), 0), COALESCE(SUM(deleted), 0) FROM records"
    ).fetchone()
    earliest = connection.execute("SELECT MIN(datestamp) FROM records").fetchone()[0] or ""
    connection.execute("DELETE FROM meta")
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", SCHEMA_VERSION), ("base", base), ("earliest_datestamp", earliest)]
        + [(f"count_{key}", str(value)) for key, value in counts.as_dict().items()],
    )
