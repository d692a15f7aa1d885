"""Jalali (Solar Hijri) and Gregorian issue dates, kept as declared.

``xsd:date`` is Gregorian only, so a Jalali date is never written as one (data model 4.8): it becomes an
OWL-Time description. The two declared dates often disagree: the exports' Gregorian date is usually a
nominal one, the 1st of the Gregorian month three months after the Jalali month (1404-12 -> 2026-03-01,
whose real day is 2026-02-20). That pattern is reported once per file as information
(``nominal_gregorian``, the reader); any other disagreement is a SHACL warning (``Issue-datesAgree`` in
shapes/issue.ttl, which computes the same pattern in SPARQL). Neither value is ever replaced.
"""

from __future__ import annotations

import datetime

import jdatetime

from kg.records import JalaliDate


def gregorian_iso(year: str, month: str, day: str) -> str | None:
    """``"2026-03-01"`` if the parts make a real Gregorian date, else None."""
    try:
        return datetime.date(int(year), int(month), int(day or 1)).isoformat()
    except (TypeError, ValueError):
        return None


def jalali(year: str, month: str, day: str) -> JalaliDate | None:
    """A Jalali date if the parts make a real one (1404-12-30 only exists in leap years), else None."""
    try:
        value = jdatetime.date(int(year), int(month), int(day or 1))
    except (TypeError, ValueError):
        return None
    return JalaliDate(value.year, value.month, value.day)


def nominal_gregorian(date: JalaliDate) -> str:
    """The nominal Gregorian date the exports derive from a Jalali month: the 1st, three months on.

    Jalali month m starts around the 21st of Gregorian month m + 2 (Farvardin, month 1, on 21 March), so
    "month + 3" names the Gregorian month holding most of it; months 10-12 fall in the next Gregorian year.
    Mirrored in SPARQL by ``kgsh:Issue-datesAgree`` (shapes/issue.ttl): change both together.
    """
    month = date.month + 3
    year = date.year + 621 + (month > 12)
    return f"{year:04d}-{(month - 1) % 12 + 1:02d}-01"


def real_gregorian(date: JalaliDate) -> str:
    """The Gregorian day a Jalali date names."""
    return jdatetime.date(date.year, date.month, date.day).togregorian().isoformat()
