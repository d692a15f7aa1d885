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
def read_rows(path: Path | None) -> dict[str, Row]:
    """The previous release's rows by graph (none when it has no table)."""
    if path is None or not path.exists():
        return {}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] not in CARRIED_VERSIONS:
            return {}
        jats = "jats" if version[0] == SCHEMA_VERSION else "x''"
        rows = connection.execute(
            f"SELECT identifier, graph, digest, datestamp, deleted, sets, oai_dc, record, {jats} FROM records"
        ).fetchall()
    finally:
        connection.close()
    found = {r[1]: Row(r[0], r[1], r[2], r[3], bool(r[4]), json.loads(r[5]), r[6], r[7], r[8]) for r in rows}
    for row in found.values():
        if not row.deleted and not row.jats:  # a version 2 table's row
            row.jats = pack(jats_article(json.loads(unpack(row.record))))
    return found


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
    """Write the release's ``oai.sqlite`` at ``target`` from the previous release's (``previous``) and the graphs."""
    old = read_rows(previous)
    counts = RecordCounts()
    rows: dict[str, Row] = {}
    supplements = _supplements(graphs.digests)
    live = {
        graph: _with_supplements(digest, supplements.get(graph, {}))
        for graph, digest in graphs.digests.items()
        if is_article_graph(graph, base)
        and not (graph in withdrawn and withdrawn[graph].get("digest", "") in ("", digest))
    }
    to_read = set()
    for graph, digest in live.items():
        before = old.get(graph)
        if before is not None and not before.deleted and before.digest == digest and digest:
            rows[graph] = before
        else:
            to_read.add(graph)
    sets: dict[str, str] = {}
    added = graphs.read_many(name for graph in to_read for name in supplements.get(graph, {}))
    for graph, nquads in _graph_line_groups(graphs, to_read):
        record = article_record(nquads + b"".join(added.get(name, b"") for name in sorted(supplements.get(graph, {}))))
        if record is None:
            continue
        specs = set_specs(record, base)
        sets.update(specs)
        rows[graph] = Row(
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
        counts.changed += 1
    for graph, before in old.items():
        if graph in rows:
            continue
        if before.deleted:
            rows[graph] = before
        else:
            rows[graph] = Row(before.identifier, graph, "", now, True, before.sets, b"", pack("{}"), b"")
            counts.newly_deleted += 1
    counts.deleted = sum(row.deleted for row in rows.values())
    counts.live = len(rows) - counts.deleted
    _write_table(target, rows, sets, previous, base, counts)
    return counts


def _write_table(
    target: Path, rows: dict[str, Row], sets: dict[str, str], previous: Path | None, base: str, counts: RecordCounts
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    connection = sqlite3.connect(target)
    try:
        connection.executescript(_TABLES)
        known_sets = _old_sets(previous)
        known_sets.update(sets)
        # a record whose identifier changed graph keeps one row: the live one wins
        by_identifier: dict[str, Row] = {}
        for row in sorted(rows.values(), key=lambda r: r.deleted, reverse=True):
            by_identifier[row.identifier] = row
        connection.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.identifier,
                    r.graph,
                    r.digest,
                    r.datestamp,
                    int(r.deleted),
                    json.dumps(r.sets),
                    r.oai_dc,
                    r.record,
                    r.jats,
                )
                for r in by_identifier.values()
            ],
        )
        connection.executemany(
            "INSERT INTO record_sets VALUES (?, ?, ?)",
            [(spec, r.identifier, r.datestamp) for r in by_identifier.values() for spec in r.sets],
        )
        used = {spec for r in by_identifier.values() for spec in r.sets}
        connection.executemany(
            "INSERT INTO sets VALUES (?, ?)", [(s, n) for s, n in sorted(known_sets.items()) if s in used]
        )
        earliest = min((r.datestamp for r in by_identifier.values()), default="")
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("schema_version", SCHEMA_VERSION), ("base", base), ("earliest_datestamp", earliest)]
            + [(f"count_{key}", str(value)) for key, value in counts.as_dict().items()],
        )
        connection.commit()
    finally:
        connection.close()


def _old_sets(previous: Path | None) -> dict[str, str]:
    if previous is None or not previous.exists():
        return {}
    connection = sqlite3.connect(f"file:{previous}?mode=ro", uri=True)
    try:
        return dict(connection.execute("SELECT spec, name FROM sets").fetchall())
    finally:
        connection.close()
