"""The article types kg knows, and how the dozens of spellings in real exports map onto them.

FaBiO Work-level classes (ResearchPaper, CaseReport, ...) are disjoint with the Expression-level article,
so the article is typed only with Expression classes (data model 4.6). Labels are matched as whole words after folding
(case, whitespace, Arabic/Persian letters, ZWNJ); what cannot be mapped is reported and keeps its label.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.iris import fold


@dataclass(frozen=True)
class ArticleType:
    slug: str
    label_en: str
    label_fa: str
    fabio_classes: tuple[str, ...]  # local names in the FaBiO namespace, beyond fabio:JournalArticle


TYPES: dict[str, ArticleType] = {
    t.slug: t
    for t in (
        ArticleType("research-article", "Research article", "مقاله پژوهشی", ()),
        ArticleType("review-article", "Review article", "مقاله مروری", ("ReviewArticle",)),
        ArticleType("systematic-review", "Systematic review", "مرور نظام‌مند", ("ReviewArticle",)),
        ArticleType("case-report", "Case report", "گزارش مورد", ()),
        ArticleType("brief-report", "Short communication", "مقاله کوتاه", ("BriefReport",)),
        ArticleType("letter", "Letter to the editor", "نامه به سردبیر", ("Letter",)),
        ArticleType("editorial", "Editorial", "سرمقاله", ("JournalEditorial",)),
        ArticleType("perspective", "Perspective", "دیدگاه", ()),
    )
}

# Whole-word rules over the normalised label, first match wins; order matters ("systematic review" before
# "review", the thesis phrases before the letter's «نامه», which is also the last part of «پایان‌نامه»).
# The parts of a needle may be joined by a space, a ZWNJ or nothing («پایان‌نامه», «پایان نامه»,
# «پایاننامه»), and a Latin needle also matches its plural ("case reports").
# FaBiO has no "derived from a thesis" type: such an article is a research article (its label is kept).
_RULES: list[tuple[str, str]] = [
    ("systematic review", "systematic-review"),
    ("meta-analysis", "systematic-review"),
    ("مرور نظام مند", "systematic-review"),
    ("مرور سیستماتیک", "systematic-review"),
    ("review", "review-article"),
    ("مروری", "review-article"),
    ("case report", "case-report"),
    ("گزارش مورد", "case-report"),
    ("short communication", "brief-report"),
    ("brief report", "brief-report"),
    ("مقاله کوتاه", "brief-report"),
    ("گزارش کوتاه", "brief-report"),
    ("پایان نامه", "research-article"),
    ("رساله", "research-article"),
    ("thesis", "research-article"),
    ("dissertation", "research-article"),
    ("letter", "letter"),
    ("نامه", "letter"),
    ("editorial", "editorial"),
    ("سرمقاله", "editorial"),
    ("سر مقاله", "editorial"),
    ("perspective", "perspective"),
    ("viewpoint", "perspective"),
    ("دیدگاه", "perspective"),
    ("original", "research-article"),
    ("orginal", "research-article"),
    ("research", "research-article"),
    ("applicable", "research-article"),
    ("پژوهشی", "research-article"),
    ("اصیل", "research-article"),
    ("تحقیقی", "research-article"),
    ("کاربردی", "research-article"),
]
_PUNCTUATION = re.compile(r"[()\[\]&,.:;/_\-–«»\"'|+]+")
# Arabic letter variants fold() leaves: Teh Marbuta and Heh with Yeh above as Heh; ZWNJ as a space.
_LETTERS = str.maketrans({"\u0629": "\u0647", "\u06c0": "\u0647", "\u200c": " "})


def _normalise(label: str) -> str:
    """The label as space-separated words: folded, Arabic letter variants unified, punctuation removed."""
    return " ".join(_PUNCTUATION.sub(" ", fold(label).translate(_LETTERS)).split())


def _pattern(needle: str) -> re.Pattern[str]:
    """Whole words; parts joined by a space or nothing (a ZWNJ is a space by then); Latin plurals."""
    parts = _normalise(needle).split()
    plural = "s?" if needle.isascii() else ""
    return re.compile(r"(?<!\w)" + " ?".join(map(re.escape, parts)) + plural + r"(?!\w)")


_COMPILED = [(_pattern(needle), slug) for needle, slug in _RULES]


@functools.lru_cache(maxsize=4096)
def classify(*labels: str) -> str:
    """The slug of the first label that maps, or "" when none does (the caller reports it; nothing is guessed).

    Cached: every article has a content type, and exports spell it in a few dozen ways.
    """
    for label in labels:
        normalised = _normalise(label)
        if not normalised:
            continue
        for pattern, slug in _COMPILED:
            if pattern.search(normalised):
                return slug
    return ""
