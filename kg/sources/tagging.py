"""Format-independent text rules: tagging a pair of fields by script, placeholders, keyword lists.

Every reader hands the cleaning here, so that a title read from a journal export and the same title read
from a PubMed file are cleaned, tagged and checked the same way (data model decisions 2 and 4).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from kg.iris import fold
from kg.text import ascii_digits, persian, script, scrub_emails

_NAMES = {"fa": "Persian", "en": "English"}
# What went wrong in a pair of fields: (kind, the field's language, the script found, the value).
PairNote = tuple[str, str, str, str]
# Values that stand where data should be: template text («عنوان نشریه», "journal title") and the section
# headings an editor typed (or pasted) instead of the text under them. See ``is_placeholder``.
_PLACEHOLDER_TEXTS = frozenset(
    " ".join(fold(text).replace("\u200c", " ").split())
    for text in (
        "عنوان نشریه",
        "عنوان مجله",
        "عنوان مقاله",
        "عنوان",
        "title",
        "journal title",
        "چکیده",
        "خلاصه",
        "مقدمه",
        "چکیده مقاله",
        "abstract",
        "summary",
        "introduction",
        "background",
        "keywords",
        "کلیدواژه‌ها",
        "کلید واژه ها",
        "n/a",
        "none",
        "null",
        "test",
    )
)
_PLACEHOLDER_EDGES = " .:;,،؛-–—_*()[]\"'«»/\\|"
KEYWORDS_LABEL = re.compile(r"^\s*(key\s*words?|کلید\s*واژه(ها)?|کلمات کلیدی)\s*[:：]\s*", re.I)
KEYWORD_SEPARATORS = re.compile(r"[,،;؛]")


def tag_pair(en_raw: str, fa_raw: str, clean: Callable[[str], str]) -> tuple[str, str, tuple[PairNote, ...]]:
    """Clean two fields and keep each value under the language of its script: ``(fa, en, notes)``.

    A value in the other field's script moves there when that field is empty, and is dropped (with a
    note) when that field already has a value. A pure function of its arguments, so that it can be cached.
    """
    en = scrub_emails(clean(en_raw)) if en_raw else ""
    fa = scrub_emails(clean(fa_raw)) if fa_raw else ""
    tagged = {"fa": "", "en": ""}
    notes: list[PairNote] = []
    for value, expected in ((fa, "fa"), (en, "en")):
        if not value:
            continue
        actual = script(value) or expected
        if actual == expected:
            tagged[expected] = value
            continue
        other_value = fa if actual == "fa" else en
        if other_value and fold(other_value) != fold(value):
            notes.append(("differs", expected, actual, value))
        elif other_value:
            notes.append(("repeats", expected, actual, value))
        else:
            notes.append(("moved", expected, actual, value))
            tagged[actual] = value
    fa = tagged["fa"]
    return persian(fa) if fa else "", tagged["en"], tuple(notes)


# Names, affiliations, sections and content types recur: their one-line pairs are tagged once.
tag_line_pair = functools.lru_cache(maxsize=10_000)(tag_pair)


def pair_problem(kind: str, field_name: str, actual: str) -> tuple[str, str, str]:
    """Severity, code and message of a ``tag_pair`` note about ``field_name``."""
    language = _NAMES[actual]
    if kind == "differs":
        return (
            "warning",
            "wrong-script",
            f"<{field_name}> holds {language} text that differs from the {language} field; it was not published",
        )
    if kind == "repeats":
        return "info", "duplicate-language", f"<{field_name}> repeats the {language} value; the copy was not published"
    return "warning", "wrong-script", f"<{field_name}> holds {language} text; it was published as @{actual}"


def collapse_keyword(text: str) -> str:
    return " ".join(text.split()).strip(" .:")


@functools.lru_cache(maxsize=10_000)
def keyword(part: str, lang: str) -> tuple[str, str]:
    """One keyword as published and its matching key; cached, since keywords recur across articles."""
    value = collapse_keyword(part)
    if not value:
        return "", ""
    if lang == "fa":
        value = persian(value)
    return value, fold(value)


def is_placeholder(value: str) -> bool:
    """Whether a text is only a placeholder: a template value or section heading («چکیده», "Abstract",
    «مقدمه», "Introduction", ...), a number alone, or one character repeated ("-", "...", "xxx")."""
    key = " ".join(fold(value).replace("\u200c", " ").split()).strip(_PLACEHOLDER_EDGES)
    if key in _PLACEHOLDER_TEXTS or ascii_digits(key).isdigit():
        return True
    return len(set(key.replace(" ", ""))) <= 1
