"""One PubMed/OJS ``<Article>`` element -> its raw fields under the journal export's field names.

Nothing is cleaned here (``kg.sources.cleaning`` does that for every reader); values only go under the
field of their language: PubMed's ``ArticleTitle`` is meant to be English and ``VernacularTitle`` the
original, but journals fill them either way, so each text goes by its script (then by its ``locale`` or
``Language``). Whatever the walk does not know is listed in ``unmapped`` for the report.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lxml import etree

from kg.records import LangText
from kg.sources.cleaning import Cleaner
from kg.sources.safe_xml import element_name, local_name
from kg.text import ascii_digits, script

# How problems name the fields (the element the sender can find in the file).
ARTICLE_NAMES = {
    "title": "ArticleTitle",
    "title_fa": "VernacularTitle",
    "abstract": "Abstract",
    "abstract_fa": "OtherAbstract",
    "article_id_doi": "ELocationID[doi]",
    "start_page": "FirstPage",
    "end_page": "LastPage",
    "content_type": "PublicationType",
    "content_type_fa": "PublicationType",
    "keyword": "ObjectList[keyword]",
    "keyword_fa": "ObjectList[keyword]",
    "first_name": "FirstName",
    "first_name_fa": "FirstName",
    "middle_name": "MiddleName",
    "middle_name_fa": "MiddleName",
    "last_name": "LastName",
    "last_name_fa": "LastName",
    "affiliation": "Affiliation",
    "affiliation_fa": "Affiliation",
    "orcid": "Identifier[ORCID]",
}
HEADER_NAMES = {
    "title": "JournalTitle",
    "title_fa": "JournalTitle",
    "journal_id_issn": "Issn",
    "journal_id_issn_online": "Issn",
    "volume": "Volume",
    "number": "Issue",
    "pubdate[gregorian]": "Journal/PubDate",
    "pubdate[jalali]": "Journal/PubDate",
}
_LOCALE_LANGUAGE = {"fa": "fa", "per": "fa", "fas": "fa", "en": "en", "eng": "en"}
_GUESS_CHARS = 200
_NUMBER_PARTS = re.compile(r"\d+")
# Elements read elsewhere or carrying nothing to publish beyond what is read (Initials repeat FirstName).
_READ = frozenset(
    "journal articletitle vernaculartitle title firstpage lastpage elocationid articleidlist language "
    "authorlist publicationtype history abstract otherabstract objectlist web_url pdf_url referencelist".split()
)
_NAME_FIELDS = ("first_name", "first_name_fa", "last_name", "last_name_fa")
_AUTHOR_READ = frozenset(
    "firstname forename middlename lastname suffix affiliation affiliationinfo identifier email initials "
    "corresponding correspondingauthor coreauthor".split()
)


@dataclass
class RawArticle:
    """An ``<Article>``'s raw values: the shared fields, its header and what only this format has."""

    line: int
    header: dict[str, str] = field(default_factory=dict)
    pubdates: list[dict[str, str]] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    publisher_names: list[str] = field(default_factory=list)
    history: list[tuple[str, str, str, str]] = field(default_factory=list)  # status, year, month, day
    local_ids: list[tuple[str, str]] = field(default_factory=list)  # (IdType, value)
    publication_types: list[str] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)  # (citation, DOI as written)
    unmapped: list[str] = field(default_factory=list)
    nameless: list[tuple[int, str]] = field(default_factory=list)  # (position in AuthorList, affiliation)

    def publisher(self, cleaner: Cleaner) -> LangText:
        """The publisher's name in up to two languages (``PublisherName`` given once, sometimes twice)."""
        fields: dict[str, str] = {}
        for name in self.publisher_names:
            _put(fields, "publisher", "publisher_fa", name, "")
        return cleaner.bilingual(fields, "publisher", "publisher_fa", "journal")


def text(element: etree._Element) -> str:
    """All the text inside an element (titles may hold ``<i>``, ``<sup>``)."""
    if not len(element):  # most elements hold text only: no walk needed
        return element.text or ""
    return "".join(element.itertext())


def language_hint(element: etree._Element) -> str:
    """The language an element's ``locale`` or ``Language`` attribute states ("" when none is known)."""
    attributes = element.attrib
    if not attributes:  # most elements carry none: skip the four lookups
        return ""
    for name in ("locale", "Language", "language", "lang"):
        value = attributes.get(name)
        if value:
            return _LOCALE_LANGUAGE.get(value.lower().replace("-", "_").split("_")[0], "")
    return ""


def _put(fields: dict, en_key: str, fa_key: str, value: str, hint: str) -> None:
    """Put a text under the field of its script (then of its hint); into the other when that one is taken."""
    if not value.strip():
        return
    lang = _script_guess(value[:_GUESS_CHARS]) or hint or "en"  # the shared cleaning checks the whole text
    key, other = (fa_key, en_key) if lang == "fa" else (en_key, fa_key)
    if fields.get(key) and not fields.get(other):
        key = other  # the shared cleaning reports the text in the wrong language's field
    if fields.get(key):
        fields[key] = f"{fields[key]}\n{value}"
    else:
        fields[key] = value


# A file's articles repeat one <Journal> header: each distinct one (as bytes) is walked once per process.
_JOURNALS: dict[bytes, RawArticle] = {}
_JOURNALS_KEPT = 256


# Names, affiliations and journal titles recur: the script of each distinct opening is found once.
_script_guess = functools.lru_cache(maxsize=10_000)(script)


def raw_article(element: etree._Element) -> RawArticle:
    raw = RawArticle(line=element.sourceline or 0)
    fields = raw.fields
    for child in element:
        name = local_name(child)
        if not name:
            continue
        if name == "journal":
            _cached_journal(raw, child)
        elif name in ("articletitle", "vernaculartitle", "title"):
            _put(fields, "title", "title_fa", text(child), language_hint(child))
        elif name == "firstpage":
            fields["start_page"] = text(child)
        elif name == "lastpage":
            fields["end_page"] = text(child)
        elif name == "elocationid":
            _identifier(raw, child.get("EIdType", ""), text(child))
        elif name == "articleidlist":
            for item in child:
                if local_name(item) == "articleid":
                    _identifier(raw, item.get("IdType", ""), text(item))
        elif name == "language":
            fields["language"] = _LOCALE_LANGUAGE.get(text(child).strip().lower(), text(child).strip().lower())
        elif name == "authorlist":
            fields["authors"] = _authors(raw, child)
        elif name == "publicationtype":
            raw.publication_types.append(text(child))
        elif name == "history":
            _history(raw, child)
        elif name in ("abstract", "otherabstract"):
            hint = language_hint(child) or ("fa" if name == "otherabstract" else "")
            _put(fields, "abstract", "abstract_fa", _abstract(child), hint)
        elif name == "objectlist":
            _keywords(raw, child)
        elif name == "web_url":
            fields["web_url"] = text(child)
        elif name == "pdf_url":
            fields["pdf_url"] = text(child)
        elif name == "referencelist":
            _references(raw, child)
        else:
            raw.unmapped.append(element_name(child))
    specific = [kind for kind in raw.publication_types if kind.strip().lower() != "journal article"]
    if specific:  # "Journal Article" is every article's type (fabio:JournalArticle); the first other one counts
        _put(fields, "content_type", "content_type_fa", specific[0], "")
    return raw


def _cached_journal(raw: RawArticle, journal: etree._Element) -> None:
    """``_journal`` from the cache when the same header was walked before (copies: records are mutable)."""
    key = etree.tostring(journal)
    known = _JOURNALS.get(key)
    if known is None:
        known = RawArticle(line=0)
        _journal(known, journal)
        if len(_JOURNALS) >= _JOURNALS_KEPT:
            _JOURNALS.clear()
        _JOURNALS[key] = known
    raw.header.update(known.header)
    raw.pubdates.extend(dict(date) for date in known.pubdates)
    raw.publisher_names.extend(known.publisher_names)
    raw.unmapped.extend(known.unmapped)


def _journal(raw: RawArticle, journal: etree._Element) -> None:
    header = raw.header
    for child in journal:
        name = local_name(child)
        value = text(child)
        if name == "publishername":
            raw.publisher_names.append(value)
        elif name == "journaltitle":
            _put(header, "title", "title_fa", value, language_hint(child))
        elif name == "issn":
            kind = (child.get("IssnType") or "").lower()
            key = "journal_id_issn_online" if kind == "electronic" else "journal_id_issn"
            header[key if not header.get(key) else "journal_id_issn_online"] = value
        elif name == "volume":
            header["volume"] = _number(value)
        elif name == "issue":
            header["number"] = _number(value)
        elif name == "pubdate":
            parts = _date_parts(child)
            raw.pubdates.append({"type": "gregorian", "year": parts[0], "month": parts[1], "day": parts[2]})
        elif name:
            raw.unmapped.append(f"Journal/{element_name(child)}")


def _number(value: str) -> str:
    """A volume or issue number without its words: «شماره 1 و 2» -> "1-2", "No. 4" -> "4"."""
    numbers = _NUMBER_PARTS.findall(ascii_digits(value))
    return "-".join(numbers) if numbers else value


_MONTHS = {
    name: f"{index:02d}" for index, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}


def _date_parts(element: etree._Element) -> tuple[str, str, str]:
    """Year, month (number, also from "Jan") and day of a date element, any casing of its children."""
    values = {local_name(child): text(child).strip() for child in element}
    month = values.get("month", "")
    month = _MONTHS.get(month[:3].lower(), month)
    return values.get("year", ""), month, values.get("day", "")


def _history(raw: RawArticle, history: etree._Element) -> None:
    if history.get("PubStatus"):  # <History PubStatus="received"><Year>...: one date written flat
        raw.history.append((history.get("PubStatus", ""), *_date_parts(history)))
        return
    for child in history:
        if local_name(child) == "pubdate":
            raw.history.append((child.get("PubStatus", ""), *_date_parts(child)))
        elif local_name(child):
            raw.unmapped.append(f"History/{element_name(child)}")


def _identifier(raw: RawArticle, kind: str, value: str) -> None:
    kind = kind.strip().lower()
    if kind == "doi" and value.strip():
        raw.fields.setdefault("article_id_doi", value)
    elif value.strip():
        raw.local_ids.append((kind, value))


def _authors(raw: RawArticle, author_list: etree._Element) -> list[dict[str, str]]:
    """The named authors in order; an ``<Author>`` without any name is kept aside for the report."""
    authors = []
    for position, element in enumerate((item for item in author_list if local_name(item) == "author"), 1):
        fields = _author(raw, element)
        if any(fields.get(key, "").strip() for key in _NAME_FIELDS):
            authors.append(fields)
        else:
            raw.nameless.append((position, fields.get("affiliation") or fields.get("affiliation_fa") or ""))
    return authors


def _author(raw: RawArticle, author: etree._Element) -> dict[str, str]:
    fields: dict[str, str] = {}
    attributes = author.attrib
    corresponding = bool(attributes) and any(
        "correspond" in key.lower() and value.strip().lower() in ("y", "yes", "true", "1")
        for key, value in attributes.items()
    )
    for child in author:
        name = local_name(child)
        value = text(child)
        if name in ("firstname", "forename"):
            _put(fields, "first_name", "first_name_fa", value, "")
        elif name == "middlename":
            _put(fields, "middle_name", "middle_name_fa", value, "")
        elif name == "lastname":
            _put(fields, "last_name", "last_name_fa", value, "")
        elif name == "suffix":
            _put(fields, "suffix", "suffix_fa", value, "")
        elif name == "affiliation":
            _put(fields, "affiliation", "affiliation_fa", value, language_hint(child))
        elif name == "affiliationinfo":
            for part in child:
                if local_name(part) == "affiliation":
                    _put(fields, "affiliation", "affiliation_fa", text(part), language_hint(part))
        elif name == "identifier" and (child.get("Source") or "").lower() == "orcid":
            fields["orcid"] = value
        elif name == "email":
            fields["email"] = value
        elif name in ("corresponding", "correspondingauthor", "coreauthor"):
            corresponding = corresponding or value.strip().lower() in ("y", "yes", "true", "1")
        elif (name and name not in _AUTHOR_READ) or name == "identifier":
            raw.unmapped.append(f"Author/{element_name(child)}")
    if corresponding:
        fields["coreauthor"] = "yes"
    return fields


def _abstract(element: etree._Element) -> str:
    """The abstract's text; a structured abstract's sections as "Label: text" paragraphs."""
    sections = [child for child in element if local_name(child) == "abstracttext"]
    if not sections:
        return text(element)
    paragraphs = []
    for section in sections:
        label = (section.get("Label") or "").strip()
        body = " ".join(text(section).split())
        paragraphs.append(f"{label.capitalize()}: {body}" if label else body)
    return "\n".join(paragraphs)


def _keywords(raw: RawArticle, objects: etree._Element) -> None:
    """``<Object Type="keyword"><Param Name="value">`` items, by script, as the shared cleaning's lists."""
    found: dict[str, list[str]] = {"keyword": [], "keyword_fa": []}
    for item in objects:
        if local_name(item) != "object":
            continue
        if (item.get("Type") or "").lower() != "keyword":
            raw.unmapped.append(f"ObjectList/Object[{item.get('Type', '')}]")
            continue
        for param in item:
            if local_name(param) == "param" and (param.get("Name") or "value").lower() == "value":
                value = text(param).strip()
                lang = _script_guess(value[:_GUESS_CHARS]) or language_hint(item) or "en"
                found["keyword_fa" if lang == "fa" else "keyword"].append(value)
    for key, values in found.items():
        if values:
            raw.fields[key] = ";".join(values)


def _references(raw: RawArticle, references: etree._Element) -> None:
    for reference in references:
        if local_name(reference) != "reference":
            continue
        citation, doi = "", ""
        for child in reference:
            name = local_name(child)
            if name == "citation":
                citation = text(child)
            elif name == "articleidlist":
                for item in child:
                    if local_name(item) == "articleid" and (item.get("IdType") or "").lower() == "doi":
                        doi = text(item)
        raw.references.append((citation, doi))
