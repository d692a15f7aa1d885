"""The full-text index: one SQLite file with an FTS5 table of pre-normalised tokens, built by ``kg build``.

SQLite FTS5 (standard library, no new dependency) does the inverted index, BM25 ranking with per-column
weights and phrase matching; kg does the tokenising (``kg.search.normalise``), so FTS5's own tokenizer only
splits on the spaces between our tokens. README "Search" has the measurements behind the choice.

The build keeps a working index next to its working store (``DIR/search.sqlite``) and updates it
incrementally: an article whose digest (``kg.search.extract``) is unchanged is not re-indexed; changed ones
are replaced, vanished ones deleted. The finished index is copied into the release (``releases/<id>/
search.sqlite``) with SQLite's backup API, so the server reads a file that never changes and is swapped
with the release.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg.search.extract import Article, articles
from kg.search.normalise import token_and_pair_text, token_text

INDEX_FILE = "search.sqlite"  # in DIR (the working index) and in every release folder
SCHEMA_VERSION = "2"
# FTS5 columns in order; bm25() weights follow the same order: title and keyword hits rank above abstract hits
COLUMNS = ("title", "keywords", "people", "journal", "abstract", "pairs")
WEIGHTS = (10.0, 6.0, 3.0, 2.0, 1.0, 2.0)
ABSTRACT_CHARS = 4000  # kept for snippets; the index itself holds every token
_PAIRED = ("title", "keywords")  # fields whose adjacent Persian words are also indexed joined

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
  id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, digest TEXT NOT NULL,
  journal TEXT, year INTEGER, lang TEXT, type TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_journal ON docs(journal);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(COLUMNS)}, tokenize="unicode61 remove_diacritics 0");
CREATE TABLE IF NOT EXISTS labels(iri TEXT PRIMARY KEY, kind TEXT NOT NULL, labels TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS suggest(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, iri TEXT, label TEXT NOT NULL,
  lang TEXT, weight INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS suggest_fts USING fts5(norm, tokenize="unicode61 remove_diacritics 0",
  prefix='1 2 3');
"""


@dataclass
class IndexStats:
    articles: int
    indexed: int  # re-indexed in this build (new or changed)
    deleted: int
    seconds: float
    bytes: int


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to an index file; read-only ones open it immutable (a release's file never changes)."""
    if read_only:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path)
        conn.executescript(_SCHEMA)
    return conn


def update(store: Store, working: Path, release_copy: Path) -> IndexStats:
    """Bring the working index in line with ``store``'s articles, then copy it to ``release_copy``."""
    started = time.perf_counter()
    found = articles(store)
    conn = connect(working)
    try:
        if _version(conn) != SCHEMA_VERSION:
            _reset(conn)
        known = dict(conn.execute("SELECT iri, digest FROM docs").fetchall())
        changed = [a for iri, a in found.items() if known.get(iri) != a.digest()]
        gone = [iri for iri in known if iri not in found]
        with conn:
            for iri in gone + [a.iri for a in changed if a.iri in known]:
                _delete(conn, iri)
            for article in changed:
                _insert(conn, article)
            _write_labels(conn, found.values())
            _write_suggestions(conn, found.values())
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        conn.commit()
        release_copy.unlink(missing_ok=True)
        target = sqlite3.connect(release_copy)
        try:
            conn.backup(target)
        finally:
            target.close()
    finally:
        conn.close()
    return IndexStats(len(found), len(changed), len(gone), time.perf_counter() - started, release_copy.stat().st_size)


def _version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return row[0] if row else None


def _reset(conn: sqlite3.Connection) -> None:
    """An index from another schema version is dropped and rebuilt whole."""
    with conn:
        for table in ("docs", "fts", "labels", "suggest", "suggest_fts", "meta"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.executescript(_SCHEMA)


def _delete(conn: sqlite3.Connection, iri: str) -> None:
    row = conn.execute("SELECT id FROM docs WHERE iri = ?", (iri,)).fetchone()
    if row:
        conn.execute("DELETE FROM fts WHERE rowid = ?", row)
        conn.execute("DELETE FROM docs WHERE id = ?", row)


def _joined(article: Article, *names: str) -> str:
    return "\n".join(value for name in names for value, _ in article.texts.get(name, []))


def _first(links: dict[str, dict[str, str]]) -> str | None:
    return min(links) if links else None


def _insert(conn: sqlite3.Connection, article: Article) -> None:
    doc = {
        "title": dict(_by_lang(article.texts.get("title", []))),
        "abstract": {lang: text[:ABSTRACT_CHARS] for lang, text in _by_lang(article.texts.get("abstract", []))},
        "keywords": sorted({v for v, _ in article.texts.get("keyword", []) + article.texts.get("concept", [])}),
        "people": sorted({v for v, _ in article.texts.get("person", [])}),
        "date": article.date,
    }
    cursor = conn.execute(
        "INSERT INTO docs(iri, digest, journal, year, lang, type, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            article.iri,
            article.digest(),
            _first(article.links.get("journal", {})),
            article.year,
            article.lang or None,
            _first(article.links.get("type", {})),
            json.dumps(doc, ensure_ascii=False),
        ),
    )
    journal_names = "\n".join(v for labels in article.links.get("journal", {}).values() for v in labels.values())
    fields = {
        "title": _joined(article, "title"),
        "keywords": _joined(article, "keyword", "concept"),
        "people": _joined(article, "person", "affiliation"),
        "journal": journal_names,
    }
    columns: dict[str, str] = {}
    pairs: list[str] = []
    for name, text in fields.items():
        if name in _PAIRED:
            columns[name], joined = token_and_pair_text(text)
            pairs.append(joined)
        else:
            columns[name] = token_text(text)
    columns["abstract"] = token_text(_joined(article, "abstract"))
    # compounds written apart ("ریخت شناسی") also as one token, for titles and keywords (in abstracts, names
    # and affiliations they would double the index and the build's time for few hits)
    columns["pairs"] = " ".join(p for p in pairs if p)
    conn.execute(
        f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})",
        (cursor.lastrowid, *(columns[name] for name in COLUMNS)),
    )


def _by_lang(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(lang, value) with one value per language (the first in sorted order, so the choice is stable)."""
    chosen: dict[str, str] = {}
    for value, lang in sorted(pairs):
        chosen.setdefault(lang, value)
    return sorted(chosen.items())


def _write_labels(conn: sqlite3.Connection, found: Any) -> None:
    """The labels of journals and article types, for facets: rewritten whole (a few hundred rows)."""
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    for article in found:
        for kind in ("journal", "type"):
            for iri, names in article.links.get(kind, {}).items():
                labels.setdefault(iri, (kind, {}))[1].update(names)
    conn.execute("DELETE FROM labels")
    conn.executemany(
        "INSERT INTO labels VALUES (?, ?, ?)",
        [(iri, kind, json.dumps(names, ensure_ascii=False)) for iri, (kind, names) in labels.items()],
    )


def _write_suggestions(conn: sqlite3.Connection, found: Any) -> None:
    """People, keywords and journals for autocomplete, weighted by how many articles carry them.

    Rewritten whole on every build: one row per distinct label, a few seconds' work at most even for a large
    graph, and simpler than counting references up and down incrementally.
    """
    counts: Counter[tuple[str, str | None, str, str]] = Counter()
    for article in found:
        for kind, name in (("person", "person"), ("journal", "journal"), ("keyword", "concept")):
            for iri, names in article.links.get(name, {}).items():
                for lang, label in names.items():
                    counts[(kind, iri, label, lang)] += 1
        for value, lang in article.texts.get("keyword", []):
            counts[("keyword", None, value, lang)] += 1
    conn.execute("DELETE FROM suggest")
    conn.execute("DELETE FROM suggest_fts")
    seen: set[tuple[str, str]] = set()
    for (kind, iri, label, lang), weight in counts.most_common():
        if (kind, label) in seen:
            continue  # a keyword both as a literal and as a concept: one suggestion (the concept, counted first)
        seen.add((kind, label))
        cursor = conn.execute(
            "INSERT INTO suggest(kind, iri, label, lang, weight) VALUES (?, ?, ?, ?, ?)",
            (kind, iri, label, lang, weight),
        )
        conn.execute("INSERT INTO suggest_fts(rowid, norm) VALUES (?, ?)", (cursor.lastrowid, token_text(label)))
