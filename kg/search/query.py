"""Queries against a release's search index: ranked hits with facets and cursor paging, and suggestions.

A query string is split into terms and "quoted phrases"; each goes through the index's normalisation
(``kg.search.normalise``) and becomes an FTS5 expression in which every term must match (AND). When no article
holds every term, the terms are tried again with OR, so a bilingual or over-specific query still finds the
articles that match most of it (BM25 ranks those holding more terms first).
"""

from __future__ import annotations

import base64
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
    table: dict[int, Facets] | None = None,
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
    rows, total = matched.rows, len(matched.rows)
    page = rows[offset : offset + limit]
    docs = _docs(conn, [row[1] for row in page])
    hits = [Hit(docs[r[1]][0], round(-r[0], 4), docs[r[1]][1], *table.get(r[1], _NONE)) for r in page]
    following = encode_cursor(offset + limit) if offset + limit < total else None
    results = Results(parsed, total, hits, following, matched_all=matched.all_terms)
    if facets and total:
        results.facets = matched.facets(table)
    results.labels = _labels(conn, results)
    return results


@dataclass
class _Matched:
    """One query's matches, best first, as (rank, row id); facet counts computed once, on first use."""

    rows: list[tuple[float, int]]
    all_terms: bool
    _facets: dict[str, list[tuple[Any, int]]] | None = None

    def facets(self, table: dict[int, Facets]) -> dict[str, list[tuple[Any, int]]]:
        if self._facets is None:
            # count the distinct facet tuples (a C loop), then spread them over the four facets: far fewer
            # Python steps than four counts over every match
            combos = Counter(map(table.get, [row[1] for row in self.rows]))
            counts: list[Counter[Any]] = [Counter() for _ in FACETS]
            for combo, n in combos.items():
                for column, value in enumerate(combo or _NONE):
                    if value is not None:
                        counts[column][value] += n
            self._facets = {
                name: sorted(counts[column].items(), key=lambda item: (-item[1], str(item[0])))[:20]
                for column, name in enumerate(FACETS)
            }
        return self._facets


def _matched(conn: sqlite3.Connection, parsed: Parsed, filters: Filters, table: dict[int, Facets]) -> _Matched:
    """The matches of ``parsed`` under ``filters``, from the table's cache when this query ran before.

    A release's index never changes, so a query's ranked matches and facets are kept with its facet table
    (``FacetTable``, one per release in a server process): a repeated query skips FTS5 and BM25 entirely.
    """
    cache = table.cache if isinstance(table, FacetTable) else None
    key = (parsed.expression(), filters.journal, filters.year_from, filters.year_to, filters.lang, filters.type)
    if cache is not None and key in cache:
        return cache[key]
    keep = _keeper(filters)
    rows = _matches(conn, key[0], table, keep)
    all_terms = True
    if not rows and len(parsed.groups) > 1:
        rows, all_terms = _matches(conn, parsed.expression(" OR "), table, keep), False
    rows.sort()
    matched = _Matched(rows, all_terms)
    if cache is not None:
        if len(cache) >= CACHED_QUERIES:
            oldest: tuple[Any, ...] = next(iter(cache), ())  # dicts keep insertion order
            cache.pop(oldest, None)  # None: another thread may have dropped it already
        cache[key] = matched
    return matched


CACHED_QUERIES = 128  # per release and process; a 5,000-match entry holds about 0.3 MB


Facets = tuple[str | None, int | None, str | None, str | None]  # journal, year, lang, type


class FacetTable(dict[int, Facets]):
    """Every article's facet values by row id, and a cache of recent queries' matches (``_matched``)."""

    def __init__(self, rows: Any = ()) -> None:
        super().__init__(rows)
        self.cache: dict[tuple[Any, ...], _Matched] = {}


def facet_table(conn: sqlite3.Connection) -> FacetTable:
    """Every article's facet values by row id. A server keeps it per release (the file never changes): a
    dictionary lookup per match is far cheaper than joining the matches with the ``docs`` table."""
    return FacetTable(
        (row[0], (row[1], row[2], row[3], row[4]))
        for row in conn.execute("SELECT id, journal, year, lang, type FROM docs")
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
    conn: sqlite3.Connection, expression: str, table: dict[int, Facets], keep: Callable[[Facets], bool] | None
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


def _labels(conn: sqlite3.Connection, results: Results) -> dict[str, dict[str, str]]:
    wanted = {h.journal for h in results.hits} | {h.type for h in results.hits}
    for name in ("journal", "type"):
        wanted |= {value for value, _ in results.facets.get(name, [])}
    wanted.discard(None)
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = conn.execute(f"SELECT iri, labels FROM labels WHERE iri IN ({marks})", sorted(w for w in wanted if w))
    return {iri: json.loads(labels) for iri, labels in rows}


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
