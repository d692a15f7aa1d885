"""Autocomplete for the search box: people, keywords and journals, weighted by how many articles carry them.

The index keeps a count per (kind, IRI, label, language) in ``suggest_counts``, raised when an article is
indexed and lowered when it is removed, so a build that re-indexes twenty articles touches only their
labels. ``suggest`` holds one suggestion per (kind, label), the most used of its counts (a keyword both as
a literal and as a concept: the concept when they tie), and ``suggest_fts`` its normalised label for
prefix matching; only a label never suggested before is normalised and added to it. A full read of the
graphs (the first build, or most graphs changed) writes the table whole, most used first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from kg.search.normalise import token_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS suggest(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, iri TEXT, label TEXT NOT NULL,
  lang TEXT, weight INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS suggest_by_label ON suggest(kind, label);
CREATE VIRTUAL TABLE IF NOT EXISTS suggest_fts USING fts5(norm, tokenize="unicode61 remove_diacritics 0",
  prefix='1 2 3');
CREATE TABLE IF NOT EXISTS suggest_counts(kind TEXT NOT NULL, iri TEXT NOT NULL, label TEXT NOT NULL,
  lang TEXT NOT NULL, weight INTEGER NOT NULL, PRIMARY KEY (kind, label, iri, lang)) WITHOUT ROWID;
"""
TABLES = ("suggest", "suggest_fts", "suggest_counts")

Key = tuple[str, str, str, str]  # kind, IRI ("" for a literal keyword), label, language
# the winner among a label's counts: most used, then a concept before a literal keyword, then by IRI
_WINNER_ORDER = "weight DESC, iri = '', iri, lang"


def keys(links: dict[str, Any], keywords: Iterable[Any]) -> list[Key]:
    """The suggestion keys of one indexed article, from the ``links`` and literal keywords the index keeps."""
    found: list[Key] = []
    for kind, name in (("person", "person"), ("journal", "journal"), ("keyword", "concept")):
        for iri, names in links.get(name, {}).items():
            found.extend((kind, iri, label, lang) for lang, label in names.items())
    found.extend(("keyword", "", value, lang) for value, lang in keywords)
    return found


def count(conn: sqlite3.Connection, found: list[Key], step: int, touched: set[tuple[str, str]] | None) -> None:
    """Add ``step`` (1 for an article indexed, -1 for one removed) to the counts of ``found``, and their (kind,
    label) to ``touched`` (None: the table is written whole after, nothing to note)."""
    conn.executemany(
        "INSERT INTO suggest_counts VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (kind, label, iri, lang) DO UPDATE SET weight = weight + excluded.weight",
        [(*key, step) for key in found],
    )
    if touched is not None:
        touched.update((kind, label) for kind, _, label, _ in found)


def write(conn: sqlite3.Connection, touched: set[tuple[str, str]] | None) -> None:
    """Bring ``suggest`` in line with the counts: the labels in ``touched``, or all of them when None."""
    if touched is None:
        _write_all(conn)
        return
    for kind, label in touched:
        conn.execute("DELETE FROM suggest_counts WHERE kind = ? AND label = ? AND weight <= 0", (kind, label))
        winner = conn.execute(
            f"SELECT iri, lang, weight FROM suggest_counts WHERE kind = ? AND label = ? ORDER BY {_WINNER_ORDER}"
            " LIMIT 1",
            (kind, label),
        ).fetchone()
        row = conn.execute("SELECT id FROM suggest WHERE kind = ? AND label = ?", (kind, label)).fetchone()
        if winner is None:
            if row is not None:
                conn.execute("DELETE FROM suggest WHERE id = ?", row)
                conn.execute("DELETE FROM suggest_fts WHERE rowid = ?", row)
            continue
        iri, lang, weight = winner
        if row is not None:
            conn.execute(
                "UPDATE suggest SET iri = ?, lang = ?, weight = ? WHERE id = ?", (iri or None, lang, weight, *row)
            )
        else:
            cursor = conn.execute(
                "INSERT INTO suggest(kind, iri, label, lang, weight) VALUES (?, ?, ?, ?, ?)",
                (kind, iri or None, label, lang, weight),
            )
            conn.execute("INSERT INTO suggest_fts(rowid, norm) VALUES (?, ?)", (cursor.lastrowid, token_text(label)))


def _write_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM suggest_counts WHERE weight <= 0")
    conn.execute("DELETE FROM suggest")
    conn.execute("DELETE FROM suggest_fts")
    conn.execute(
        "INSERT INTO suggest(kind, iri, label, lang, weight) SELECT kind, NULLIF(iri, ''), label, lang, weight"
        f" FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY kind, label ORDER BY {_WINNER_ORDER}) AS n"
        " FROM suggest_counts) WHERE n = 1 ORDER BY weight DESC, kind, label"
    )
    rows = conn.execute("SELECT id, label FROM suggest").fetchall()
    conn.executemany("INSERT INTO suggest_fts(rowid, norm) VALUES (?, ?)", ((i, token_text(s)) for i, s in rows))
