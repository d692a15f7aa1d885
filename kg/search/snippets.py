"""Highlighted snippets: the words of a stored text whose search tokens a query asked for, wrapped in <mark>.

Each word of the original text is normalised alone (``kg.search.normalise.tokens``), so a hit shows in the
spelling the article uses even when the visitor typed another one (Arabic Kaf, no ZWNJ, Persian digits).
The result is HTML-escaped text with ``<mark>`` elements only, safe to insert into a page.

A results page highlights two titles and two abstracts of twenty articles: some 25,000 words, most of them
seen before. So each distinct word is normalised once per process and remembered under its tokens
(``_BY_TOKEN``): the words of a text that hold a wanted token are then one set intersection (C), not a
normalisation and a set test per word in Python, which made snippets the largest part of an uncached search
request (README "Search").
"""

from __future__ import annotations

import html
from itertools import groupby

from kg.search.normalise import tokens

WINDOW = 28  # words shown around the first hit of a long text
_LEARNED = 500_000  # distinct words remembered per process (beyond them, new words are normalised each time)
_SEEN: set[str] = set()
_BY_TOKEN: dict[str, set[str]] = {}  # token -> the words seen that normalise to (among others) it


def _hits(words: set[str], wanted: set[str]) -> set[str]:
    """The words among ``words`` that hold a token in ``wanted``.

    Server threads share the two tables: they only ever grow, each change is one C call under the GIL, and
    every word of ``words`` is in them (or tested directly) before they are read, so no thread misses a hit.
    """
    found: set[str] = set()
    for word in words - _SEEN:
        found_tokens = tokens(word)
        if not wanted.isdisjoint(found_tokens):
            found.add(word)
        if len(_SEEN) < _LEARNED:
            for token in found_tokens:
                _BY_TOKEN.setdefault(token, set()).add(word)
            _SEEN.add(word)
    for token in wanted:
        known = _BY_TOKEN.get(token)
        if known:
            found |= known & words
    return found


def highlight(text: str, wanted: set[str], window: int | None = WINDOW) -> tuple[str, bool]:
    """``text`` as escaped HTML with the wanted words marked, cut to ``window`` words around the first hit.

    Also says whether anything was marked. ``window=None`` keeps the whole text (titles).
    """
    words = text.split()
    hits = _hits(set(words), wanted) if wanted else set()
    marked = list(map(hits.__contains__, words)) if hits else [False] * len(words)
    start, end = 0, len(words)
    if window is not None and len(words) > window:
        first = marked.index(True) if hits else 0
        start = max(0, first - window // 3)
        end = min(len(words), start + window)
    parts: list[str] = []
    shown = iter(words[start:end])
    for hit, run in groupby(marked[start:end]):  # a run of unmarked words is escaped in one call
        chosen = [next(shown) for _ in run]
        if hit:
            parts.extend(f"<mark>{html.escape(word)}</mark>" for word in chosen)
        else:
            parts.append(html.escape(" ".join(chosen)))
    snippet = " ".join(parts)
    if start > 0:
        snippet = "… " + snippet
    if end < len(words):
        snippet += " …"
    return snippet, bool(hits)
