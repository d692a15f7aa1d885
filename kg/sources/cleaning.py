"""The cleaning every reader shares: one file's problems, and its fields cleaned into values.

A reader walks its own XML and hands the fields it found, under the journal export's field names, to a
``Cleaner``; the header and article rules (``kg.sources.header``, ``kg.sources.article_fields``) turn them
into records. ``names`` says how the reader's own format spells each field, so that a problem names the
element the person who sent the file can find in it (``VernacularTitle``, not ``title_fa``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from kg.records import LangText, Problem, SourceFile
from kg.sources.tagging import (
    KEYWORD_SEPARATORS,
    KEYWORDS_LABEL,
    is_placeholder,
    pair_problem,
    tag_line_pair,
    tag_pair,
)
from kg.sources.tagging import (
    keyword as clean_keyword,
)
from kg.text import clean_line, scrub_emails

_E_LOCATOR = re.compile(r"[A-Za-z]+[0-9]+")


class Cleaner:
    """The problems of one file, and the cleaning rules that report into them."""

    def __init__(self, source: SourceFile, secret: bytes, names: dict[str, str] | None = None) -> None:
        self.source = source
        self.secret = secret
        self.names = names or {}
        self.problems: list[Problem] = []

    def name(self, field_name: str) -> str:
        """How the file spells a field (the journal export's own name when the reader gave none)."""
        return self.names.get(field_name, field_name)

    def problem(
        self,
        severity: str,
        code: str,
        message: str,
        record: str = "",
        field: str = "",
        value: str = "",
        line: int | None = None,
    ) -> None:
        self.problems.append(
            Problem(severity, code, message, self.source.path, record, self.name(field), value[:200], line)
        )

    def bilingual(
        self,
        fields: dict[str, str],
        en_field: str,
        fa_field: str,
        record: str,
        clean: Callable[[str], str] = clean_line,
    ) -> LangText:
        """A pair of fields tagged by script, not by field name (decision 4), Persian normalised."""
        en_raw = fields.get(en_field) or ""
        fa_raw = fields.get(fa_field) or ""
        if not (en_raw or fa_raw):  # most optional fields (middle names, suffixes) are empty
            return LangText()
        # Names, affiliations, sections and content types recur: their one-line pairs are tagged once.
        tag = tag_line_pair if clean is clean_line else tag_pair
        fa, en, notes = tag(en_raw, fa_raw, clean)
        for kind, lang, actual, value in notes:
            field_name = fa_field if lang == "fa" else en_field
            self.problem(*pair_problem(kind, field_name, actual), record, field_name, value)
        return LangText(fa, en)

    def without_placeholder(self, value: str, record: str, field_name: str) -> str:
        """The value, or "" (reported as a warning) when it is only a placeholder (``is_placeholder``)."""
        if not value or not is_placeholder(value):
            return value
        self.problem(
            "warning",
            "placeholder",
            f"<{field_name}> holds only {value!r}, a placeholder or heading, not data; it was not published",
            record,
            field_name,
            value,
        )
        return ""

    def without_placeholders(self, text: LangText, record: str, en_field: str) -> LangText:
        """A pair of fields without their placeholders (the Persian field is named ``{en_field}_fa``)."""
        return LangText(
            self.without_placeholder(text.fa, record, f"{en_field}_fa"),
            self.without_placeholder(text.en, record, en_field),
        )

    def identifier(
        self,
        fields: dict[str, str],
        field_name: str,
        normalise: Callable[[str], str | None],
        record: str,
        severity: str,
        code: str,
        message: str,
    ) -> str:
        """A validated identifier from a field, or "" (reported with ``message``) when it is not one."""
        raw = clean_line(fields.get(field_name, ""))
        if not raw:
            return ""
        value = normalise(raw)
        if value is None:
            self.problem(severity, code, message, record, field_name, raw)
            return ""
        return value

    def url(self, raw: str, record: str, field_name: str) -> str:
        value = clean_line(raw)
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            self.problem(
                "warning",
                "invalid-url",
                f"{field_name} is not an http(s) URL; it was not published",
                record,
                field_name,
                value,
            )
            return ""
        return value

    def pages(self, start_page: str, end_page: str, record: str) -> tuple[str, str]:
        """First and last page; an electronic locator ("e45") paired with a page number is the locator alone.

        "e45" to "30" is no range: the locator identifies the article, the number is a leftover of a
        printed range. The locator is published as the first page (``prism:startingPage``), with a warning.
        """
        start_locator, end_locator = _E_LOCATOR.fullmatch(start_page), _E_LOCATOR.fullmatch(end_page)
        if (start_locator and end_page.isdigit()) or (end_locator and start_page.isdigit()):
            locator = start_page if start_locator else end_page
            self.problem(
                "warning",
                "mixed-page-range",
                f"the pages run from {start_page!r} to {end_page!r}: an electronic locator and a page number "
                f"make no range; only the locator {locator!r} was published",
                record,
                "start_page" if start_locator else "end_page",
                f"{start_page}-{end_page}",
            )
            return locator, ""
        return start_page, end_page

    def keywords(self, raw: str, lang: str, record: str, field_name: str) -> list[str]:
        text = scrub_emails(clean_line(raw))
        if not text:
            return []
        text = KEYWORDS_LABEL.sub("", text)
        seen: set[str] = set()
        result = []
        for part in KEYWORD_SEPARATORS.split(text):
            keyword, key = clean_keyword(part, lang)
            if keyword and key not in seen:
                seen.add(key)
                result.append(keyword)
        return result
