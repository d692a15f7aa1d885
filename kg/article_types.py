"""The article types kg knows, and how the dozens of spellings in real exports map onto them.

FaBiO Work-level classes (ResearchPaper, CaseReport, ...) are disjoint with the Expression-level article,
so the article is typed only with Expression classes (data model 4.6). Labels are matched after folding
(case, whitespace, Arabic/Persian letters); what cannot be mapped is reported and keeps its label.
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

# Substring rules over the folded label, first match wins; order matters ("systematic review" before
# "review").
_RULES: list[tuple[str, str]] = [
    ("systematic review", "systematic-review"),
    ("meta-analysis", "systematic-review"),
    ("مرور نظام", "systematic-review"),
    ("review", "review-article"),
    ("مروری", "review-article"),
    ("case report", "case-report"),
    ("گزارش مورد", "case-report"),
    ("short communication", "brief-report"),
    ("brief report", "brief-report"),
    ("مقاله کوتاه", "brief-report"),
    ("گزارش کوتاه", "brief-report"),
    ("letter", "letter"),
    ("نامه", "letter"),
    ("editorial", "editorial"),
    ("سرمقاله", "editorial"),
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
_PUNCTUATION = re.compile(r"[()\[\]&,.:;/_\-–]+")


@functools.lru_cache(maxsize=4096)
def classify(*labels: str) -> str:
    """The slug of the first label that maps, or "" when none does.

    Cached: every article has a content type, and exports spell it in a few dozen ways.
    """
    for label in labels:
        folded = _PUNCTUATION.sub(" ", fold(label))
        folded = " ".join(folded.split())
        if not folded:
            continue
        for needle, slug in _RULES:
            if needle in folded:
                return slug
    return ""
