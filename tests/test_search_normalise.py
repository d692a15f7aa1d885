"""The search normalisation alone: every spelling variant of the issue gives the same tokens."""

from __future__ import annotations

import pytest

from kg.search.normalise import pair_text, tokens
from kg.search.query import parse
from kg.search.snippets import highlight

SAME = [
    ("می‌شود", "می شود", "میشود"),
    ("مسئله", "مسأله", "مساله"),
    ("مقالهٔ", "مقاله‌ی", "مقاله ی", "مقاله"),
    ("كتاب‌ها", "کتاب ها", "کتابها", "کتاب"),
    ("علی", "عَلِيّ", "علـــی"),
    ("۱۴۰۲", "١٤٠٢", "1402"),
    ("تأثیر", "تاثیر"),
    ("رئیس", "رییس"),
    ("مؤسسه", "موسسه"),
    ("بزرگ‌ترین", "بزرگ ترین", "بزرگترین"),
    ("Hospitals", "hospital", "HOSPITAL"),
]


@pytest.mark.parametrize("variants", SAME, ids=lambda v: v[0])
def test_variants_give_one_token_list(variants: tuple[str, ...]) -> None:
    first = tokens(variants[0])
    assert first, variants[0]
    for other in variants[1:]:
        assert tokens(other) == first, (variants[0], other)


def test_stop_words_and_digits_glued_to_words() -> None:
    assert tokens("در سال1399 و the study of") == ["سال", "1399", "studi"]


def test_compounds_written_apart_are_indexed_joined() -> None:
    assert "ریختشناسی" in pair_text("ریخت شناسی روده").split()
    expression = parse("ریخت شناسی").expression()
    assert '"ریختشناسی"' in expression and '"ریخت"' in expression


def test_phrases_keep_their_order() -> None:
    parsed = parse('"digital twins" health')
    assert parsed.groups == [["digit", "twin"], ["health"]]
    assert parsed.phrases == [True, False]


def test_highlight_marks_the_spelling_of_the_text() -> None:
    snippet, marked = highlight("وضعیت پراکندگی لیشمانیوز <b>جلدی</b>", set(tokens("ليشمانيوز")), None)
    assert marked
    assert "<mark>لیشمانیوز</mark>" in snippet
    assert "&lt;b&gt;" in snippet  # the text is escaped; only <mark> is markup


def test_stemming_is_safe_across_threads() -> None:
    """The server's threads share one Snowball stemmer: without its lock, concurrent misses corrupt words."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from kg.search.normalise import stem

    words = [f"investigat{'e' * (i % 3)}{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}ings" for i in range(6000)]
    stem.cache_clear()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch inside stemWord: without the lock this raises IndexError
    try:
        with ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(stem, words, chunksize=1))
    finally:
        sys.setswitchinterval(interval)
    stem.cache_clear()
    assert concurrent == [stem(w) for w in words]


def _reference_highlight(text: str, wanted: set[str], window: int | None) -> tuple[str, bool]:
    """The definition: every word normalised alone and marked when it holds a wanted token."""
    import html

    words = text.split()
    marked = [bool(wanted.intersection(tokens(word))) for word in words]
    start, end = 0, len(words)
    if window is not None and len(words) > window:
        first = marked.index(True) if any(marked) else 0
        start = max(0, first - window // 3)
        end = min(len(words), start + window)
    parts = [f"<mark>{html.escape(w)}</mark>" if m else html.escape(w) for w, m in zip(words, marked, strict=True)]
    snippet = " ".join(parts[start:end])
    return ("… " if start else "") + snippet + (" …" if end < len(words) else ""), any(marked)


def test_highlight_gives_what_normalising_every_word_gives_also_from_remembered_words_and_in_threads() -> None:
    """Snippets remember each word's tokens per process (``kg.search.snippets``): the marks must be exactly
    those of normalising every word of the text again, on the first call, later calls, and across threads."""
    import re
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import CORPUS

    texts = []  # abstracts and titles of the corpus, both languages
    for path in sorted(CORPUS.glob("*.xml"))[:8]:
        texts += re.findall(r">([^<>]{60,})<", path.read_text(encoding="utf-8"))
    texts = texts[:60] + ["وضعیت <b>پراکندگی</b> & لیشمانیوز"]
    assert len(texts) > 10
    queries = [set(tokens(q)) for q in ("بررسی عملکرد", "ليشمانيوز", "health care", "مي شود", "۱۳۹۹ data")]
    cases = [(t, q, w) for t in texts for q in queries for w in (None, 28)]
    expected = [_reference_highlight(*case) for case in cases]
    assert any(marked for _, marked in expected) and not all(marked for _, marked in expected)
    assert [highlight(*case) for case in cases] == expected  # first sight of the words
    assert [highlight(*case) for case in cases] == expected  # remembered
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda case: highlight(*case), cases)) == expected
    finally:
        sys.setswitchinterval(interval)
