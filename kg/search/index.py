"""The full-text index: one SQLite file with an FTS5 table of pre-normalised tokens, built by ``kg build``.

SQLite FTS5 (standard library, no new dependency) does the inverted index, BM25 ranking with per-column
weights and phrase matching; kg does the tokenising (``kg.search.normalise``), so FTS5's own tokenizer only
splits on the spaces between our tokens. README "Search" has the measurements behind the choice.

The build keeps a working index next to its working store (``DIR/search.sqlite``) and updates it
incrementally: only the graphs whose digest changed are read (``kg.search.nquads``); an article whose digest
is unchanged is not re-indexed, changed ones are replaced, vanished ones deleted. The finished index is
copied into the release (``releases/<id>/search.sqlite``) as a file, so the server reads a
file that never changes and is swapped with the release.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.iris import supplemented_graph
from kg.search import suggestions
from kg.search.extract import Article
from kg.search.normalise import token_and_pair_text, token_text
from kg.search.nquads import articles

if TYPE_CHECKING:
    from kg.publish.graphs import GraphFiles

INDEX_FILE = "search.sqlite"  # in DIR (the working index) and in every release folder
SCHEMA_VERSION = "5"  # 5: autocomplete counts kept per label (4: articles read from the graph files)
# FTS5 columns in order; bm25() weights follow the same order: title and keyword hits rank above abstract hits
COLUMNS = ("title", "keywords", "people", "journal", "abstract", "pairs")
WEIGHTS = (10.0, 6.0, 3.0, 2.0, 1.0, 2.0)
ABSTRACT_CHARS = 4000  # kept for snippets; the index itself holds every token
_PAIRED = ("title", "keywords")  # fields whose adjacent Persian words are also indexed joined

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
  id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, digest TEXT NOT NULL, graph TEXT,
  journal TEXT, year INTEGER, lang TEXT, type TEXT, doc TEXT NOT NULL, links TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_graph ON docs(graph);
CREATE TABLE IF NOT EXISTS graphs(graph TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_journal ON docs(journal);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(COLUMNS)}, tokenize="unicode61 remove_diacritics 0");
CREATE TABLE IF NOT EXISTS labels(iri TEXT PRIMARY KEY, kind TEXT NOT NULL, labels TEXT NOT NULL);
"""  # and the autocomplete's tables (kg.search.suggestions)


@dataclass
class IndexStats:
    articles: int
    read: int  # articles read from the store (those of the graphs that changed, or all)
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
        conn.executescript(_SCHEMA + suggestions.SCHEMA)
    return conn


def update(files: GraphFiles, working: Path, release_copy: Path) -> IndexStats:
    """Bring the working index in line with the published graphs in ``files``, then copy it to ``release_copy``.

    Only the graphs whose digest (``files.digests``) changed since the last update are read (all of them when
    most changed), from the N-Quads the build wrote (``kg.search.nquads``).
    """
    started = time.perf_counter()
    conn = connect(working)
    try:
        if _version(conn) != SCHEMA_VERSION:
            _reset(conn)
        known_graphs = dict(conn.execute("SELECT graph, digest FROM graphs").fetchall())
        graph_digests = files.digests
        changed_graphs = {g for g, d in graph_digests.items() if not d or known_graphs.get(g) != d}
        changed_graphs |= set(known_graphs) - set(graph_digests)  # vanished graphs: their articles go
        changed_graphs = _with_supplements(changed_graphs, graph_digests)
        reread = changed_graphs if len(changed_graphs) <= len(graph_digests) // 2 else None
        known = _Known(conn, reread)
        found: set[str] = set()
        indexed: set[str] = set()
        labels: dict[str, tuple[str, dict[str, str]]] = {}
        # (kind, label) of the suggestions whose counts changed; after a full read the table is written whole
        touched: set[tuple[str, str]] | None = set() if reread is not None else None
        with conn:
            # one article at a time as the graph files are read: memory does not grow with the corpus
            for article in articles(files, reread):
                found.add(article.iri)
                again = article.iri in indexed  # a later, merged copy of an article (kg.search.nquads)
                before = known.digest(article.iri)
                if not again and before == article.digest():
                    continue
                if again or before is not None:
                    _delete(conn, article.iri, touched)
                _insert(conn, article, touched)
                _gather_labels(labels, article)
                indexed.add(article.iri)
            gone = [iri for iri in known.listed() if iri not in found]
            for iri in gone:
                _delete(conn, iri, touched)
            _write_labels(conn, labels)
            suggestions.write(conn, touched)
            conn.execute("DELETE FROM graphs")
            conn.executemany("INSERT INTO graphs VALUES (?, ?)", graph_digests.items())
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
        if reread is None or len(indexed) + len(gone) > 1000:
            conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")  # merges segments: worth it after much change
        conn.commit()
        total = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    finally:
        conn.close()
    # committed and closed, the file is the index: copied as a file (SQLite's backup API, page by page, took
    # 1.9-2.0 s for the 750 MB of 50,000 articles where copying the file took 0.6-1.1 s, in the same run)
    release_copy.unlink(missing_ok=True)
    shutil.copyfile(working, release_copy)
    seconds = time.perf_counter() - started
    return IndexStats(total, len(found), len(indexed), len(gone), seconds, release_copy.stat().st_size)


class _Known:
    """The indexed articles' digests, read whole for a full read of the graphs and looked up one by one for
    an incremental one: reading all 50,000 rows took 0.7 s of a one-issue rebuild (a row holds the
    article's whole document)."""

    def __init__(self, conn: sqlite3.Connection, reread: set[str] | None) -> None:
        self.conn, self.reread = conn, reread
        self.rows: dict[str, str] | None = None
        if reread is None:
            self.rows = dict(conn.execute("SELECT iri, digest FROM docs").fetchall())

    def digest(self, iri: str) -> str | None:
        """The digest indexed for ``iri``; None when it is not indexed."""
        if self.rows is not None:
            return self.rows.get(iri)
        row = self.conn.execute("SELECT digest FROM docs WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else None

    def listed(self) -> list[str]:
        """The articles indexed from the graphs read (all of them after a full read): those not found again
        in them are gone."""
        if self.rows is not None:
            return list(self.rows)
        assert self.reread is not None  # rows are read whole exactly when there is no list of graphs
        graphs = sorted(self.reread)
        found: list[str] = []
        for start in range(0, len(graphs), 500):
            chunk = graphs[start : start + 500]
            query = f"SELECT iri FROM docs WHERE graph IN ({', '.join('?' * len(chunk))})"
            found.extend(row[0] for row in self.conn.execute(query, chunk))
        return found


def _with_supplements(graphs: set[str], current: dict[str, str]) -> set[str]:
    """``graphs`` with the other graphs of their articles: an article merged from two formats is its article
    graph and a supplement graph (``kg.publish.merge``), and is read from both when either changed."""
    family: dict[str, set[str]] = {}
    for graph in current:
        family.setdefault(supplemented_graph(graph) or graph, set()).add(graph)
    return graphs | {member for g in graphs for member in family.get(supplemented_graph(g) or g, ())}


def _version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return row[0] if row else None


def _reset(conn: sqlite3.Connection) -> None:
    """An index from another schema version is dropped and rebuilt whole."""
    with conn:
        for table in ("docs", "fts", "labels", "meta", "graphs", *suggestions.TABLES):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.executescript(_SCHEMA + suggestions.SCHEMA)


def _delete(conn: sqlite3.Connection, iri: str, touched: set[tuple[str, str]] | None) -> None:
    row = conn.execute("SELECT id, links FROM docs WHERE iri = ?", (iri,)).fetchone()
    if row:
        conn.execute("DELETE FROM fts WHERE rowid = ?", row[:1])
        conn.execute("DELETE FROM docs WHERE id = ?", row[:1])
        suggestions.count(conn, suggestions.keys(*json.loads(row[1])), -1, touched)


def _joined(article: Article, *names: str) -> str:
    return "\n".join(value for name in names for value, _ in article.texts.get(name, []))


def _first(links: dict[str, dict[str, str]]) -> str | None:
    return min(links) if links else None


def _insert(conn: sqlite3.Connection, article: Article, touched: set[tuple[str, str]] | None) -> None:
    doc = {
        "title": dict(_by_lang(article.texts.get("title", []))),
        "abstract": {lang: text[:ABSTRACT_CHARS] for lang, text in _by_lang(article.texts.get("abstract", []))},
        "keywords": sorted({v for v, _ in article.texts.get("keyword", []) + article.texts.get("concept", [])}),
        "people": sorted({v for v, _ in article.texts.get("person", [])}),
        "date": article.date,
    }
    cursor = conn.execute(
        "INSERT INTO docs(iri, digest, graph, journal, year, lang, type, doc, links) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article.iri,
            article.digest(),
            article.graph,
            _first(article.links.get("journal", {})),
            article.year,
            article.lang or None,
            _first(article.links.get("type", {})),
            json.dumps(doc, ensure_ascii=False),
            json.dumps([article.links, article.texts.get("keyword", [])], ensure_ascii=False),
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
    suggestions.count(conn, suggestions.keys(article.links, article.texts.get("keyword", [])), 1, touched)


def _by_lang(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(lang, value) with one value per language (the first in sorted order, so the choice is stable)."""
    chosen: dict[str, str] = {}
    for value, lang in sorted(pairs):
        chosen.setdefault(lang, value)
    return sorted(chosen.items())


def _gather_labels(labels: dict[str, tuple[str, dict[str, str]]], article: Article) -> None:
    """Add the labels of an article's journal and type to ``labels`` (IRI -> kind, language -> label)."""
    for kind in ("journal", "type"):
        for iri, names in article.links.get(kind, {}).items():
            labels.setdefault(iri, (kind, {}))[1].update(names)


def _write_labels(conn: sqlite3.Connection, labels: dict[str, tuple[str, dict[str, str]]]) -> None:
    """The labels of journals and article types of the articles indexed now, for facets (kept across builds)."""
    conn.executemany(
        "INSERT OR REPLACE INTO labels VALUES (?, ?, ?)",
        [(iri, kind, json.dumps(names, ensure_ascii=False)) for iri, (kind, names) in labels.items()],
    )
