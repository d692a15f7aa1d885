"""What every HTML page shares: the interface words in both languages, digits and dates as a reader of the
page's language reads them, text with its language, links to the pages of things, the page's common context.

Kept apart from the views (:mod:`kg.server.pages`, :mod:`kg.server.article_page`) so that each view module
stays one job and none imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.server.describe import Rebase

LANGUAGES = ("fa", "en")
UI: dict[str, dict[str, str]] = {
    "fa": {
        "site": "گراف دانش مجلات",
        "authors": "نویسندگان",
        "abstract": "چکیده",
        "keywords": "کلیدواژه‌ها",
        "journal": "مجله",
        "volume": "دوره",
        "issue": "شماره",
        "pages": "صفحات",
        "date": "تاریخ انتشار",
        "doi": "DOI",
        "source": "صفحهٔ مقاله در سایت مجله",
        "corresponding": "نویسندهٔ مسئول",
        "articles": "مقاله‌ها",
        "issues": "شماره‌ها",
        "people": "پژوهشگران",
        "affiliation": "وابستگی",
        "issn": "شاپا",
        "homepage": "وبگاه",
        "type": "نوع مقاله",
        "section": "بخش",
        "formats": "قالب‌ها",
        "other_language": "English",
        "data": "داده‌ها",
        "none": "موردی نیست.",
        "article": "مقاله",
        "person": "پژوهشگر",
        "organization": "سازمان",
        "concept": "کلیدواژه",
        "resource": "منبع",
        "orcid": "ORCID",
        "properties": "ویژگی‌ها",
        "language": "زبان",
        "more": "فهرست کوتاه شده است.",
        "sep": "، ",
        "same_date": "برابر با",
        "name_fa": "نام به فارسی",
        "name_en": "نام به انگلیسی",
    },
    "en": {
        "site": "Journals knowledge graph",
        "authors": "Authors",
        "abstract": "Abstract",
        "keywords": "Keywords",
        "journal": "Journal",
        "volume": "Volume",
        "issue": "Issue",
        "pages": "Pages",
        "date": "Published",
        "doi": "DOI",
        "source": "Article page at the journal's site",
        "corresponding": "corresponding author",
        "articles": "Articles",
        "issues": "Issues",
        "people": "People",
        "affiliation": "Affiliation",
        "issn": "ISSN",
        "homepage": "Homepage",
        "type": "Article type",
        "section": "Section",
        "formats": "Formats",
        "other_language": "فارسی",
        "data": "Data",
        "none": "None.",
        "article": "Article",
        "person": "Person",
        "organization": "Organization",
        "concept": "Keyword",
        "resource": "Resource",
        "orcid": "ORCID",
        "properties": "Properties",
        "language": "Language",
        "more": "The list is cut short.",
        "sep": ", ",
        "same_date": "=",
        "name_fa": "Name in Persian",
        "name_en": "Name in English",
    },
}
JALALI_MONTHS = {
    "fa": ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"],
    "en": [
        "Farvardin",
        "Ordibehesht",
        "Khordad",
        "Tir",
        "Mordad",
        "Shahrivar",
        "Mehr",
        "Aban",
        "Azar",
        "Dey",
        "Bahman",
        "Esfand",
    ],
}
GREGORIAN_MONTHS = {
    "fa": ["ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def digits(text: str, lang: str) -> str:
    return text.translate(PERSIAN_DIGITS) if lang == "fa" else text


@dataclass
class Text:
    """A piece of text with its language, so the template can set ``lang`` and ``dir`` on it."""

    value: str
    lang: str = ""

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in ("fa", "ar") else ("ltr" if self.lang else "auto")

    def __str__(self) -> str:
        return self.value


def text(literal: Any) -> Text | None:
    if literal is None:
        return None
    return Text(literal.value, getattr(literal, "language", None) or "")


@dataclass
class Link:
    href: str
    label: Text
    note: str = ""
    extra: list[Any] = field(default_factory=list)
    key: Any = None  # what a list is ordered by: (date, first page) for articles


@dataclass
class Page:
    """What every page template gets besides its own data."""

    lang: str
    kind: str
    title: Text
    urls: dict[str, Any]
    ui: dict[str, str]
    meta: list[tuple[str, str]] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)  # OpenGraph: <meta property=...>
    jsonld: str | None = None

    @property
    def dir(self) -> str:
        return "rtl" if self.lang == "fa" else "ltr"


class Links:
    """URLs of the pages of things (minted IRIs), in the page's language, on this server."""

    def __init__(self, rebase: Rebase, lang: str) -> None:
        self.rebase = rebase
        self.lang = lang

    def page(self, iri: str, lang: str | None = None) -> str:
        local = self.rebase.local(iri)
        prefix = self.rebase.public + "/id/"
        if local.startswith(prefix):
            return f"{self.rebase.public}/{lang or self.lang}/doc/{local[len(prefix) :]}"
        return local

    def document(self, iri: str) -> str:
        local = self.rebase.local(iri)
        prefix = self.rebase.public + "/id/"
        return self.rebase.public + "/doc/" + local[len(prefix) :] if local.startswith(prefix) else local


def gregorian(value: str, lang: str) -> str:
    """``2026-03-01`` -> "1 March 2026" / "۱ مارس ۲۰۲۶" (the value is kept when it is not a full date)."""
    try:
        year, month, day = (int(part) for part in value[:10].split("-"))
        name = GREGORIAN_MONTHS[lang][month - 1]
    except (ValueError, IndexError):
        return digits(value, lang)
    return digits(f"{day} {name} {year}", lang)


def jalali_date(parts: tuple[str, str | None, str | None] | None, lang: str) -> str | None:
    """A Solar Hijri (year, month, day) as stored in OWL-Time -> "1 Esfand 1404 SH" / "۱ اسفند ۱۴۰۴ ه‍.ش."."""
    if parts is None:
        return None
    year, month, day = parts
    shown = [year]
    try:
        if month is not None:
            shown.insert(0, JALALI_MONTHS[lang][int(month.lstrip("-")) - 1])
        if day is not None:
            shown.insert(0, str(int(day.lstrip("-"))))
    except (ValueError, IndexError):
        return None
    suffix = " ه‍.ش." if lang == "fa" else " SH"
    return digits(" ".join(shown), lang) + suffix


def page_context(kind: str, title: Text | None, lang: str, urls: dict[str, Any], **extra: Any) -> Page:
    """The part of a template's context every page shares."""
    return Page(lang=lang, kind=kind, title=title or Text(urls["thing"]), urls=urls, ui=UI[lang], **extra)
