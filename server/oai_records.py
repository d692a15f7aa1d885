"""Reading a release's ``oai.sqlite`` (written by ``kg.publish.datestamps``) for the OAI-PMH routes.

The table is the build's: per article its identifier, datestamp, deletion flag, setSpecs, the ``oai_dc``
element, the JATS front matter and the article record (JSON). A list or GetRecord reads the one column its
metadata format needs (``COLUMNS``); a table written before the JATS column existed has the record to
render it from (``has_column``). Lists are read in (datestamp, identifier) order, one page
past a position: the position and the harvest's frozen ``until`` are all a resumption token needs, so a
token stays good across a republish (records that change meanwhile move past ``until`` and are picked up by
the next incremental harvest).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from kg.publish.datestamps import unpack

_local = threading.local()
COLUMNS = ("oai_dc", "jats", "record")  # the table's metadata columns (zlib-packed text)


@dataclass
class Header:
    identifier: str
    datestamp: str
    deleted: bool
    sets: list[str]
    metadata: str  # the unpacked text of the column asked for ("" when none was, or the record is deleted)


@dataclass
class Selection:
    """What a list request asks for: ``set`` may be None; ``start``/``until`` are inclusive datestamps."""

    set: str | None
    start: str
    until: str


class Records:
    """One release's table, opened read-only (one connection per thread, kept while the release is served)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _db(self) -> sqlite3.Connection:
        cached: dict[Path, sqlite3.Connection] = getattr(_local, "connections", None) or {}
        _local.connections = cached
        connection = cached.get(self.path)
        if connection is None:
            for old in cached.values():  # one release served at a time: let go of the previous one's
                old.close()
            cached.clear()
            connection = cached[self.path] = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        return connection

    def has_column(self, column: str) -> bool:
        return any(row[1] == column for row in self._db().execute("PRAGMA table_info(records)"))

    def meta(self, key: str) -> str:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else ""

    def sets(self) -> list[tuple[str, str]]:
        return list(self._db().execute("SELECT spec, name FROM sets ORDER BY spec"))

    def has_set(self, spec: str) -> bool:
        return self._db().execute("SELECT 1 FROM sets WHERE spec = ?", (spec,)).fetchone() is not None

    def get(self, identifier: str, column: str | None = None) -> Header | None:
        """The record with this identifier, with the metadata column ``column`` (one of ``COLUMNS``) if given."""
        row = (
            self._db()
            .execute(
                f"SELECT identifier, datestamp, deleted, sets, {_column(column)} FROM records r WHERE identifier = ?",
                (identifier,),
            )
            .fetchone()
        )
        return _header(row) if row else None

    def count(self, selection: Selection) -> int:
        sql, args = _where(selection)
        return int(self._db().execute(f"SELECT count(*) {sql}", args).fetchone()[0])

    def page(self, selection: Selection, after: tuple[str, str] | None, size: int, column: str | None) -> list[Header]:
        """Up to ``size`` records after the position ``after`` (a (datestamp, identifier) pair), each with the
        metadata column ``column`` (one of ``COLUMNS``), or headers only when it is None."""
        sql, args = _where(selection)
        if after is not None:
            sql += " AND (r.datestamp > ? OR (r.datestamp = ? AND r.identifier > ?))"
            args += [after[0], after[0], after[1]]
        rows = self._db().execute(
            f"SELECT r.identifier, r.datestamp, r.deleted, r.sets, {_column(column)} {sql} "
            "ORDER BY r.datestamp, r.identifier LIMIT ?",
            [*args, size],
        )
        return [_header(row) for row in rows]


def _column(column: str | None) -> str:
    if column is None:
        return "x''"
    if column not in COLUMNS:
        raise ValueError(f"no metadata column {column!r}")
    return f"r.{column}"


def _where(selection: Selection) -> tuple[str, list[str]]:
    if selection.set is None:
        return "FROM records r WHERE r.datestamp >= ? AND r.datestamp <= ?", [selection.start, selection.until]
    return (
        "FROM record_sets s JOIN records r ON r.identifier = s.identifier "
        "WHERE s.spec = ? AND s.datestamp >= ? AND s.datestamp <= ?",
        [selection.set, selection.start, selection.until],
    )


def _header(row: tuple[str, str, int, str, bytes]) -> Header:
    return Header(row[0], row[1], bool(row[2]), json.loads(row[3]), unpack(row[4]) if row[4] else "")


def datestamps_of(path: Path, identifiers: list[str]) -> dict[str, str]:
    """Identifier -> datestamp of the live records among ``identifiers`` (the sitemap's ``lastmod``)."""
    if not identifiers or not path.is_file():
        return {}
    records = Records(path)
    found: dict[str, str] = {}
    for start in range(0, len(identifiers), 500):
        chunk = identifiers[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = records._db().execute(
            f"SELECT identifier, datestamp FROM records WHERE deleted = 0 AND identifier IN ({marks})", chunk
        )
        found.update(dict(rows))
    return found
