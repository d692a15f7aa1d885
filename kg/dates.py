"""Jalali (Solar Hijri) and Gregorian issue dates, kept as declared.

``xsd:date`` is Gregorian only, so a Jalali date is never written as one (data model 4.8): it becomes an
OWL-Time description. The two declared dates often disagree (the Gregorian month is a nominal "Jalali
month + 3"); the SHACL shapes report that as a warning, and neither value is ever replaced.
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
