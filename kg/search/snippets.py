"""Highlighted snippets: the words of a stored text whose search tokens a query asked for, wrapped in <mark>.

Each word of the original text is normalised alone (``kg.search.normalise.tokens``), so a hit shows in the
spelling the article uses even when the visitor typed another one (Arabic Kaf, no ZWNJ, Persian digits).
The result is HTML-escaped text with ``<mark>`` elements only, safe to insert into a page.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from kg.search.normalise import tokens

_WORDS = re.compile(r"\S+")
WINDOW = 28  # words shown around the first hit of a long text


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[str, ...]:
    """One word's tokens, remembered: result pages show the same words again and again."""
    return tuple(tokens(word))


def highlight(text: str, wanted: set[str], window: int | None = WINDOW) -> tuple[str, bool]:
    """``text`` as escaped HTML with the wanted words marked, cut to ``window`` words around the first hit.

    Also says whether anything was marked. ``window=None`` keeps the whole text (titles).
    """
    words = _WORDS.findall(text)
    marked = [bool(wanted.intersection(_word_tokens(word))) for word in words]
    start, end = 0, len(words)
    if window is not None and len(words) > window:
        first = marked.index(True) if any(marked) else 0
        start = max(0, first - window // 3)
        end = min(len(words), start + window)
    parts = []
    for word, hit in zip(words[start:end], marked[start:end], strict=True):
        escaped = html.escape(word)
        parts.append(f"<mark>{escaped}</mark>" if hit else escaped)
    snippet = " ".join(parts)
    if start > 0:
        snippet = "… " + snippet
    if end < len(words):
        snippet += " …"
    return snippet, any(marked)
