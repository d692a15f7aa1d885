"""Queries against a release's search index: ranked hits with facets and cursor paging, and suggestions.

A query string is split into terms and "quoted phrases"; each goes through the index's normalisation
(``kg.search.normalise``) and becomes an FTS5 expression in which every term must match (AND). When no article
holds every term, the terms are tried again with OR, so a bilingual or over-specific query still finds the
articles that match most of it (BM25 ranks those holding more terms first).
"""

from __future__ import annotations

import base64
import heapq
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kg.search.index import COLUMNS, WEIGHTS
from kg.search.normalise import compound, content_words, stem, tokens

_PHRASE = re.compile(r'"([^"]*)"?')
MAX_LIMIT = 100
FACETS = ("journal", "year", "lang", "type")


@dataclass
class Parsed:
    """A query as the index sees it: each group is one term's or one phrase's tokens.

    ``alternatives[i]`` are the compounds term ``i`` forms with a neighbouring Persian word: the term matches
    alone or inside one of them ("ریخت شناسی" finds "ریخت‌شناسی" and the reverse, see
    ``kg.search.normalise.compound``).
    """

    groups: list[list[str]]
    phrases: list[bool]
    alternatives: list[list[str]] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return [t for g in self.groups for t in g]

    def expression(self, joiner: str = " AND ") -> str:
        parts = []
        for i, group in enumerate(self.groups):
            options = [_fts_string(group)] + [_fts_string([a]) for a in (self.alternatives[i : i + 1] or [[]])[0]]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        return joiner.join(parts)


@dataclass
class Filters:
    journal: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    lang: str | None = None
    type: str | None = None


@dataclass
class Hit:
    iri: str
    score: float
    doc: dict[str, Any]
    journal: str | None
    year: int | None
    lang: str | None
    type: str | None


@dataclass
class Results:
    query: Parsed
    total: int
    hits: list[Hit]
    next_cursor: str | None
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # journal/type IRI -> lang -> label
    matched_all: bool = True  # False when the OR fallback answered


def parse(text: str) -> Parsed:
    """Split a query into "phrases" and single terms, each normalised like the indexed text."""
    groups: list[list[str]] = []
    phrases: list[bool] = []
    alternatives: list[list[str]] = []
    rest = _PHRASE.sub(lambda m: _keep(m.group(1), groups, phrases, alternatives), text)
    found = content_words(rest)
    start = len(groups)
    for word in found:
        groups.append([stem(word)])
        phrases.append(False)
        alternatives.append([])
    for i, (first, second) in enumerate(zip(found, found[1:], strict=False)):
        joined = compound(first, second)
        if joined:
            alternatives[start + i].append(joined)
            alternatives[start + i + 1].append(joined)
    return Parsed(groups, phrases, alternatives)


def _keep(phrase: str, groups: list[list[str]], phrases: list[bool], alternatives: list[list[str]]) -> str:
    """Record a quoted phrase's tokens as one group; the phrase leaves a space in the rest of the query."""
    found = tokens(phrase)
    if found:
        groups.append(found)
        phrases.append(True)
        alternatives.append([])
    return " "


def _fts_string(group: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in group) + '"'


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for; a malformed cursor is a ValueError naming it."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"invalid cursor {cursor!r}") from error
    if offset < 0:
        raise ValueError(f"invalid cursor {cursor!r}")
    return offset


def search(
    conn: sqlite3.Connection,
    text: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    cursor: str | None = None,
    facets: bool = True,
    table: FacetTable | None = None,
) -> Results:
    """The ranked hits of ``text`` (BM25 with title and keyword columns weighted above abstracts)."""
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = decode_cursor(cursor)
    parsed = parse(text)
    if not parsed.groups:
        return Results(parsed, 0, [], None)
    table = facet_table(conn) if table is None else table
    matched = _matched(conn, parsed, filters, table)
    total = len(matched.rows)
    page = matched.page(offset, limit)
    docs = _docs(conn, [row[1] for row in page])
    hits = [Hit(docs[r[1]][0], round(-r[0], 4), docs[r[1]][1], *table.get(r[1], _NONE)) for r in page]
    following = encode_cursor(offset + limit) if offset + limit < total else None
    results = Results(parsed, total, hits, following, matched_all=matched.all_terms)
    if facets and total:
        results.facets = matched.facets(table)
    results.labels = _labels(table, results)
    return results


@dataclass
class _Matched:
    """One query's matches as (rank, row id), ranks ascending being best first; the order and the facet
    counts are computed on first use, and only as far as asked: a first page needs the best twenty of
    thousands (a partial selection), not all of them sorted."""

    rows: list[tuple[float, int]]
    all_terms: bool
    _facets: dict[str, list[tuple[Any, int]]] | None = None
    _sorted: list[tuple[float, int]] | None = (
        None  # a sorted copy (server threads share a cached entry: no in-place sort)
    )

    def page(self, offset: int, limit: int) -> list[tuple[float, int]]:
        """The matches ``offset`` to ``offset + limit`` in rank order (ties by row id)."""
        if self._sorted is None and offset + limit < len(self.rows) // 8:
            return heapq.nsmallest(offset + limit, self.rows)[offset:]
        if self._sorted is None:
            self._sorted = sorted(self.rows)
        return self._sorted[offset : offset + limit]

    def facets(self, table: FacetTable) -> dict[str, list[tuple[Any, int]]]:
        if self._facets is None:
            counts = table.count([row[1] for row in self.rows])
            self._facets = {name: counts[column][:20] for column, name in enumerate(FACETS)}
        return self._facets


def _matched(conn: sqlite3.Connection, parsed: Parsed, filters: Filters, table: FacetTable) -> _Matched:
    """The matches of ``parsed`` under ``filters``, from the table's cache when this query ran before.

    A release's index never changes, so a query's ranked matches and facets are kept with its facet table
    (``FacetTable``, one per release in a server process): a repeated query skips FTS5 and BM25 entirely.
    """
    cache = table.cache
    key = (parsed.expression(), filters.journal, filters.year_from, filters.year_to, filters.lang, filters.type)
    found = cache.get(key)  # get, not "in" then [ ]: another thread may drop the entry between the two
    if found is not None:
        return found
    keep = _keeper(filters)
    rows = _matches(conn, key[0], table, keep)
    all_terms = True
    if not rows and len(parsed.groups) > 1:
        rows, all_terms = _matches(conn, parsed.expression(" OR "), table, keep), False
    matched = _Matched(rows, all_terms)
    if len(cache) >= CACHED_QUERIES:
        oldest: tuple[Any, ...] = next(iter(cache), ())  # dicts keep insertion order
        cache.pop(oldest, None)  # None: another thread may have dropped it already
    cache[key] = matched
    return matched


CACHED_QUERIES = 128  # per release and process; a 5,000-match entry holds about 0.3 MB


Facets = tuple[str | None, int | None, str | None, str | None]  # journal, year, lang, type


class FacetTable(dict[int, Facets]):
    """Every article's facet values by row id, the labels of journals and article types, and a cache of recent
    queries' matches (``_matched``).

    For counting, each facet's values are also numbered (code 0: none) and each row id has the codes of its
    four facets in four bytes: a query's counts are one C loop joining the bytes of its matches and one C
    count per value, instead of hashing four values per match (thousands of matches, a few dozen values). A
    facet of more than 255 values is counted with a ``Counter`` over a list indexed by row id.
    """

    def __init__(self, rows: Any = (), labels: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__(rows)
        self.cache: dict[tuple[Any, ...], _Matched] = {}
        self.labels = labels or {}
        size = max(self, default=0) + 1
        self.columns: list[list[Any]] = [[None] * size for _ in FACETS]
        for row, values in self.items():
            for column, value in zip(self.columns, values, strict=True):
                column[row] = value
        self.distinct: list[list[Any]] = []  # per facet: code -> value (code 0: none)
        numbered: list[list[int]] = []
        for column in self.columns:
            distinct = sorted({v for v in column if v is not None}, key=str)
            numbers = {value: code for code, value in enumerate(distinct, 1)}
            self.distinct.append([None, *distinct])
            numbered.append([min(numbers.get(v, 0), 255) for v in column])
        self.records = [bytes(codes) for codes in zip(*numbered, strict=True)]  # row id -> four codes

    def count(self, ids: list[int]) -> list[list[tuple[Any, int]]]:
        """Per facet, how many of the rows ``ids`` hold each value, most first (ties by value)."""
        matched = b"".join(map(self.records.__getitem__, ids))
        out = []
        for facet, values in enumerate(self.distinct):
            if len(values) <= 255:
                codes = matched[facet :: len(FACETS)]
                found = [(values[code], n) for code in range(1, len(values)) if (n := codes.count(code))]
            else:
                counted = Counter(map(self.columns[facet].__getitem__, ids))
                counted.pop(None, None)
                found = list(counted.items())
            out.append(sorted(found, key=lambda item: (-item[1], str(item[0]))))
        return out


def facet_table(conn: sqlite3.Connection) -> FacetTable:
    """Every article's facet values by row id, and the labels of journals and types. A server keeps it per
    release (the file never changes): a lookup per match is far cheaper than joining the matches with
    the ``docs`` table, and a page's labels cost no query."""
    return FacetTable(
        (
            (row[0], (row[1], row[2], row[3], row[4]))
            for row in conn.execute("SELECT id, journal, year, lang, type FROM docs")
        ),
        {iri: json.loads(labels) for iri, labels in conn.execute("SELECT iri, labels FROM labels")},
    )


def _keeper(filters: Filters) -> Callable[[Facets], bool] | None:
    wanted = (filters.journal, filters.lang, filters.type)
    low, high = filters.year_from, filters.year_to
    if not any(wanted) and low is None and high is None:
        return None

    def keep(values: Facets) -> bool:
        journal, year, lang, kind = values
        if (filters.journal and journal != filters.journal) or (filters.lang and lang != filters.lang):
            return False
        if filters.type and kind != filters.type:
            return False
        if low is not None and (year is None or year < low):
            return False
        return high is None or (year is not None and year <= high)

    return keep


_NONE: Facets = (None, None, None, None)


def _matches(
    conn: sqlite3.Connection, expression: str, table: FacetTable, keep: Callable[[Facets], bool] | None
) -> list[tuple[float, int]]:
    """(rank, id) of every match: ranks are negative BM25, so ascending is best first."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    found = conn.execute(f"SELECT bm25(fts, {weights}), rowid FROM fts WHERE fts MATCH ?", (expression,)).fetchall()
    return found if keep is None else [row for row in found if keep(table.get(row[1], _NONE))]


def _docs(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, dict[str, Any]]]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, iri, doc FROM docs WHERE id IN ({marks})", ids)
    return {row[0]: (row[1], json.loads(row[2])) for row in rows}


def _labels(table: FacetTable, results: Results) -> dict[str, dict[str, str]]:
    wanted = {h.journal for h in results.hits} | {h.type for h in results.hits}
    for name in ("journal", "type"):
        wanted |= {value for value, _ in results.facets.get(name, [])}
    return {iri: table.labels[iri] for iri in wanted if iri in table.labels}


def suggest(conn: sqlite3.Connection, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """People, keywords and journals whose labels hold words starting with what was typed, most used first."""
    found = tokens(text)
    if not found:
        return []
    # every word but the last is complete; the last one is being typed: a prefix
    expression = " ".join(_fts_string([t]) for t in found[:-1]) + " " + _fts_string([found[-1]]) + "*"
    rows = conn.execute(
        "SELECT s.kind, s.iri, s.label, s.lang, s.weight FROM suggest_fts JOIN suggest s ON s.id = suggest_fts.rowid "
        "WHERE suggest_fts MATCH ? ORDER BY s.weight DESC, length(s.label), s.id LIMIT ?",
        (expression.strip(), max(1, min(limit, 50))),
    ).fetchall()
    return [{"kind": r[0], "iri": r[1], "label": r[2], "lang": r[3], "articles": r[4]} for r in rows]


__all__ = ["COLUMNS", "Filters", "Hit", "Parsed", "Results", "parse", "search", "suggest"]
