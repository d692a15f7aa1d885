"""SPARQL functions that join full-text search with graph patterns in one query (pyoxigraph custom functions).

``kgs:matches(?text, "query")`` is true when a literal holds every word of the query under the index's
normalisation (``kg.search.normalise``): the Persian-aware replacement for ``CONTAINS``. ``kgs:score(?article,
"query")`` is the article's BM25 score in the release's full-text index (titles, abstracts, keywords, people,
journals), unbound when it does not match: ``BIND(kgs:score(?a, "...") AS ?s) FILTER(BOUND(?s))``.

Both run inside the SPARQL endpoint's query processes (``kg.server.execute``); ``kgs:score`` reads the index
file of the release whose store the process opened, and remembers the last few queries' hits.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.search.index import INDEX_FILE, WEIGHTS, connect
from kg.search.normalise import pair_text, tokens
from kg.search.query import parse
from kg.vocab import KGS, XSD

NAMESPACE = KGS.iri
MATCHES = KGS.matches
SCORE = KGS.score
_TRUE = Literal("true", datatype=XSD.boolean)
_FALSE = Literal("false", datatype=XSD.boolean)
_CACHED_QUERIES = 16
_MAX_HITS = 100_000


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def matches(text: Any, query: Any) -> Literal | None:
    """True when every term (and "phrase", in order) of ``query`` is in ``text``; None (an error) for non-literals."""
    if not isinstance(text, Literal) or not isinstance(query, Literal):
        return None
    parsed = parse(query.value)
    if not parsed.groups:
        return _FALSE
    found = tokens(text.value)
    present = set(found) | set(pair_text(text.value).split())
    for group, joined in zip(parsed.groups, parsed.alternatives, strict=True):
        if len(group) == 1 and group[0] not in present and present.isdisjoint(joined):
            return _FALSE
        if len(group) > 1 and not _contains_run(found, group):
            return _FALSE
    return _TRUE


class Scorer:
    """``kgs:score`` over one release's index file, with the hits of recent queries kept in memory."""

    def __init__(self, index: Path) -> None:
        self.index = index
        self.conn: sqlite3.Connection | None = None
        self.cache: OrderedDict[str, dict[str, float]] = OrderedDict()

    def hits(self, query: str) -> dict[str, float]:
        known = self.cache.get(query)
        if known is not None:
            self.cache.move_to_end(query)
            return known
        parsed = parse(query)
        found: dict[str, float] = {}
        if parsed.groups and self.index.is_file():
            if self.conn is None:
                self.conn = connect(self.index, read_only=True)
            weights = ", ".join(str(w) for w in WEIGHTS)
            rows = self.conn.execute(
                f"SELECT d.iri, bm25(fts, {weights}) FROM fts JOIN docs d ON d.id = fts.rowid "
                "WHERE fts MATCH ? LIMIT ?",
                (parsed.expression(), _MAX_HITS),
            )
            found = {iri: round(-rank, 4) for iri, rank in rows}
        self.cache[query] = found
        if len(self.cache) > _CACHED_QUERIES:
            self.cache.popitem(last=False)
        return found

    def __call__(self, article: Any, query: Any) -> Literal | None:
        if not isinstance(article, NamedNode) or not isinstance(query, Literal):
            return None
        score = self.hits(query.value).get(article.value)
        return None if score is None else Literal(str(score), datatype=XSD.double)


def functions(store_path: str | Path | None) -> dict[NamedNode, Callable[..., Any]]:
    """The custom functions for a query process over the store at ``store_path`` (a release's ``store/``)."""
    table: dict[NamedNode, Callable[..., Any]] = {MATCHES: matches}
    if store_path:
        table[SCORE] = Scorer(Path(store_path).parent / INDEX_FILE)
    return table
