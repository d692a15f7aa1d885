"""The journal and issue a file describes, from its header fields (any reader's, cleaned alike).

Every file of an issue repeats its header, and issues are often exported one file per article: each distinct
header is read once per process (``_read_header``) and its problems are reported again for each file.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TypeVar

from kg import dates
from kg.identifiers import normalise_doi, normalise_issn, plausible_local_id
from kg.iris import journal_key
from kg.records import Journal, JournalIssue, Problem, SourceFile
from kg.sources.cleaning import Cleaner
from kg.text import ascii_digits, clean_line

# the longest volume or issue number kept (they are IRI segments); real ones are a few characters ("10", "3-4")
MAX_LABEL = 40
LOCAL_ID_SCHEMES = ("pii", "magiran", "sid", "nlai", "iranmedex", "science")
_T = TypeVar("_T")


def header_records(
    c: Cleaner, header: dict[str, str], pubdates: list[dict[str, str]]
) -> tuple[Journal | None, JournalIssue | None]:
    """The journal and issue the header describes (None when the journal cannot be identified)."""
    key = (tuple(header.items()), tuple(tuple(pubdate.items()) for pubdate in pubdates))
    journal, issue, problems = _read_header(key, c.secret, tuple(c.names.items()))
    for problem in problems:
        c.problems.append(dataclasses.replace(problem, file=c.source.path))
    return _copy(journal), _copy(issue)


def journal(c: Cleaner, header: dict[str, str]) -> Journal | None:
    title = c.without_placeholders(c.bilingual(header, "title", "title_fa", "journal"), "journal", "title")
    issn_print = issn(c, header, "journal_id_issn")
    issn_online = issn(c, header, "journal_id_issn_online")
    local_ids: dict[str, str] = {}
    for scheme in LOCAL_ID_SCHEMES:
        raw = clean_line(header.get(f"journal_id_{scheme}", ""))
        if not raw:
            continue
        value = plausible_local_id(raw)
        if value:
            local_ids[scheme] = value
        else:
            c.problem(
                "info",
                "placeholder",
                f"journal_id_{scheme} holds a template value, not an identifier; it was not published",
                "journal",
                f"journal_id_{scheme}",
                raw,
            )
    doi = c.identifier(
        header,
        "journal_id_doi",
        normalise_doi,
        "journal",
        "info",
        "invalid-doi",
        "journal_id_doi is not a DOI (10.NNNN/suffix); it was not published",
    )
    key, derived_from = journal_key(
        issn_print, issn_online, local_ids.get("nlai", ""), title.en or title.fa if title else ""
    )
    if derived_from == "title":
        c.problem(
            "warning",
            "no-issn",
            "the journal has no valid ISSN; its IRI is derived from its title",
            "journal",
            "journal_id_issn",
        )
    elif not key:
        c.problem(
            "error",
            "no-journal-identity",
            "the journal has neither a valid ISSN nor a "
            "title, so it cannot be identified; nothing of this file was published",
            "journal",
            "title",
        )
        return None
    if not title:
        c.problem("warning", "missing", "the journal has no title", "journal", "title")
    language = clean_line(header.get("language", "")).lower()
    return Journal(
        key=key,
        title=title,
        short_title=c.without_placeholder(clean_line(header.get("short_title", "")), "journal", "short_title"),
        subject=c.bilingual(header, "subject", "subject_fa", "journal"),
        web_url=c.url(header.get("web_url", ""), "journal", "web_url"),
        issn_print=issn_print,
        issn_online=issn_online,
        doi=doi,
        local_ids=local_ids,
        language=language,
    )


def issn(c: Cleaner, header: dict[str, str], field_name: str) -> str:
    raw = clean_line(header.get(field_name, ""))
    return c.identifier(
        header,
        field_name,
        normalise_issn,
        "journal",
        "warning",
        "invalid-issn",
        f"{field_name} {raw!r} is not a valid ISSN (format or check digit); it was not published",
    )


def issue(c: Cleaner, header: dict[str, str], pubdates: list[dict[str, str]]) -> JournalIssue:
    volume = short_label(c, ascii_digits(clean_line(header.get("volume", ""))), "volume")
    number = short_label(c, ascii_digits(clean_line(header.get("number", ""))), "number")
    if not number:
        c.problem(
            "warning", "missing", "the issue has no number; articles are attached to issue '0'", "issue", "number"
        )
        number = "0"
    gregorian = ""
    jalali = None
    for pubdate in pubdates:
        kind = clean_line(pubdate.get("type", "")).lower()
        parts = [ascii_digits(clean_line(pubdate.get(name, ""))) for name in ("year", "month", "day")]
        if kind == "gregorian":
            gregorian = dates.gregorian_iso(*parts) or ""
            if not gregorian:
                c.problem(
                    "warning",
                    "invalid-date",
                    "the Gregorian pubdate is not a real date",
                    "issue",
                    "pubdate[gregorian]",
                    "-".join(parts),
                )
        elif kind == "jalali":
            jalali = dates.jalali(*parts)
            if jalali is None:
                c.problem(
                    "warning",
                    "invalid-date",
                    "the Jalali pubdate is not a real date",
                    "issue",
                    "pubdate[jalali]",
                    "-".join(parts),
                )
    # Both dates are kept as declared; whether they agree is a SHACL warning (shapes/issue.ttl), except
    # for the exports' nominal Gregorian date, said here once per file.
    if jalali is not None and gregorian and gregorian == dates.nominal_gregorian(jalali):
        real = dates.real_gregorian(jalali)
        if real != gregorian:
            jalali_iso = f"{jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}"
            c.problem(
                "info",
                "nominal-gregorian-date",
                f"the Gregorian date {gregorian} is a nominal one (the 1st of the third Gregorian month after "
                f"the Jalali month), not the issue's day: the Jalali date {jalali_iso} is {real}. Both are "
                "published as declared",
                "issue",
                "pubdate[gregorian]",
                gregorian,
            )
    return JournalIssue(volume=volume, number=number, gregorian_date=gregorian, jalali_date=jalali)


def short_label(c: Cleaner, value: str, field_name: str) -> str:
    """``value``, or "" (with a warning) when it is too long to be a volume or issue number: it would
    become part of every IRI of the issue and its articles."""
    if len(value) <= MAX_LABEL:
        return value
    c.problem(
        "warning",
        "too-long",
        f"the issue's {field_name} is {len(value):,} characters long (at most {MAX_LABEL}): it is not a "
        f"{field_name} and was not published",
        "issue",
        field_name,
        value,
    )
    return ""


_NO_SOURCE = SourceFile(path="", name="", sha256="", size=0)
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})
# An issue's files are read one after another (inputs are sorted), so only the last few headers recur.
_HeaderKey = tuple[tuple[tuple[str, str], ...], tuple[tuple[tuple[str, str], ...], ...]]


@functools.lru_cache(maxsize=64)
def _read_header(
    key: _HeaderKey, secret: bytes, names: tuple[tuple[str, str], ...]
) -> tuple[Journal | None, JournalIssue | None, tuple[Problem, ...]]:
    """Journal, issue and problems (without a file) from a header's fields and pubdates; cached.

    The records are shared by every caller: copy them (``_copy``) before handing them out.
    """
    header_items, pubdate_items = key
    header = dict(header_items)
    scratch = Cleaner(_NO_SOURCE, secret, dict(names))
    found = journal(scratch, header)
    found_issue = issue(scratch, header, [dict(pubdate) for pubdate in pubdate_items]) if found else None
    return found, found_issue, tuple(scratch.problems)


def _copy(value: _T) -> _T:
    """A copy of a record whose records, dicts and lists are copies too: records are mutable."""
    if type(value) in _IMMUTABLE:
        return value
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [_copy(item) for item in value]  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{name: _copy(item) for name, item in vars(value).items()})
    return value
