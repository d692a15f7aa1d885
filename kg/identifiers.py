"""ISSN, DOI and ORCID: parse, validate, normalise; and the placeholders that are not identifiers.

An identifier is published only when it is well-formed and plausible: a wrong ISSN or ORCID in the graph
would merge or split things wrongly for every consumer. Each function returns the normalised value, or
``None`` when the input is not a usable identifier (the reader reports why).
"""

from __future__ import annotations

import functools
import re

from kg.text import ascii_digits

_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")

# Template values seen in real exports where an identifier belongs (data-quirks.md).
PLACEHOLDERS = frozenset({"-", "--", "doi", "none", "null", "n/a", "na", "0", "000", "000000", "8888"})


def issn_check_digit(first_seven: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_seven, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def normalise_issn(value: str) -> str | None:
    """``"2476-6879"`` for any spacing, case or digit script; None if malformed, wrong check digit or 0000-0000."""
    value = ascii_digits(value).strip().upper().replace(" ", "")
    match = _ISSN.match(value)
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    if digits == "00000000" or issn_check_digit(digits[:7]) != digits[7]:
        return None
    return f"{digits[:4]}-{digits[4:]}"


def normalise_doi(value: str) -> str | None:
    """The bare ``10.x/y`` form, lower-cased (DOIs are case-insensitive); None for prefixes and junk."""
    value = ascii_digits(value).strip()
    lowered = value.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    value = value.lower()
    return value if _DOI.match(value) else None


def orcid_check_character(first_fifteen: str) -> str:
    """ISO 7064 MOD 11-2, as ORCID specifies."""
    total = 0
    for digit in first_fifteen:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


@functools.lru_cache(maxsize=5_000)  # a person's ORCID recurs in every article of theirs
def normalise_orcid(value: str) -> str | None:
    """``"0000-0002-1825-0097"`` from a bare id or an orcid.org URL; None if malformed or bad checksum."""
    value = ascii_digits(value).strip()
    lowered = value.lower()
    for prefix in _ORCID_PREFIXES:
        if lowered.startswith(prefix):
            value = value[len(prefix) :]
            break
    match = _ORCID.match(value.upper().replace(" ", ""))
    if not match:
        return None
    digits = "".join(match.groups())
    if digits[:15] == "0" * 15 or orcid_check_character(digits[:15]) != digits[15]:
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def plausible_local_id(value: str) -> str | None:
    """A national-database id (magiran, SID, NLAI, ...) if it is not a template value.

    Real exports fill these with ``8``, ``14``, ``8888``, ``000``...: anything shorter than three
    characters, made of one repeated character, or in the known placeholder list is not published.
    """
    value = ascii_digits(value).strip()
    if len(value) < 3 or value.lower() in PLACEHOLDERS or len(set(value)) == 1:
        return None
    return value
