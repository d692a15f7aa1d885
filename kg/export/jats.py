"""An article record as JATS 1.3 front matter (``<article><front>``), the richer OAI-PMH format (``jats``).

Why JATS rather than ``oai_datacite``: the graph describes journal articles, and JATS is the journal article's
own format. Its front matter has a place for everything the graph says (the journal's titles in both
languages and its ISSNs, the article's section, translated titles and abstracts, contributors in byline
order with ORCIDs and bilingual affiliations, dates in both calendars, volume, issue, pages, history dates,
licence, PDF), where DataCite's kernel has no issue, pages or journal ISSNs and flattens the byline's
affiliations. PubMed Central's OAI-PMH service disseminates the same front matter (``pmc_fm``), in the
namespace used here, so harvesters that read PMC read this too.

The record comes from ``kg.export.article_record`` (read once from the validated graph); what the graph lacks
stays out, never filled in. E-mail addresses are never written (the graph holds none). Each language-tagged
value keeps its tag as ``xml:lang``: the article's own language gives ``article-title`` and ``abstract``,
the others ``trans-title-group`` and ``trans-abstract``. The Solar Hijri issue date is a second ``pub-date``
with ``calendar="persian"`` (CLDR's name for it) and no ``iso-8601-date`` (that attribute is Gregorian).
The tests validate against JATS Journal Publishing 1.3, the stricter tag set; the one thing it requires that
the graph may lack is an ISSN (a journal without one is a shapes warning, not an error): such a record has
no ``issn`` and is valid Archiving 1.3, the schema advertised, as PMC advertises it.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.article_types import TYPES
from kg.export.article_record import Text, in_language
from kg.export.oai_dc import xml_chars
from kg.vocab import ORCID_RESOLVER

JATS_NS = "https://jats.nlm.nih.gov/ns/archiving/1.3/"  # what PMC's OAI-PMH service puts its JATS records in
JATS_SCHEMA = "https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
ALI_NS = "http://www.niso.org/schemas/ali/1.0/"

# kg's article types (kg.article_types) as JATS @article-type values (the Tag Library's suggested list)
ARTICLE_TYPES = {
    "research-article": "research-article",
    "review-article": "review-article",
    "systematic-review": "review-article",
    "case-report": "case-report",
    "brief-report": "brief-report",
    "letter": "letter",
    "editorial": "editorial",
    "perspective": "article-commentary",
}
_TYPE_BY_LABEL = {t.label_en: t.slug for t in TYPES.values()}
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ISSN = re.compile(r"\d{4}-\d{3}[\dX]")
_HISTORY_TYPES = (("received", "received"), ("revised", "rev-recd"), ("accepted", "accepted"))


def _t(text: str) -> str:
    return escape(xml_chars(text))


def _a(value: str) -> str:
    return quoteattr(xml_chars(value))


def _lang(tag: str) -> str:
    return f" xml:lang={_a(tag)}" if tag else ""


def jats_article(record: dict[str, Any]) -> str:
    """The ``<article>`` element (front matter only) of an article record."""
    language = _article_language(record)
    kind = ARTICLE_TYPES.get(_TYPE_BY_LABEL.get(in_language(record["genre"], "en") or "", ""), "")
    attributes = (f" article-type={_a(kind)}" if kind else "") + ' dtd-version="1.3"' + _lang(language)
    return (
        f'<article xmlns="{JATS_NS}" xmlns:xlink="{XLINK_NS}" xmlns:ali="{ALI_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{JATS_NS} {JATS_SCHEMA}"{attributes}>'
        f"<front>{_journal_meta(record, language)}{_article_meta(record, language)}</front></article>"
    )


def _article_language(record: dict[str, Any]) -> str:
    if record.get("language"):
        return str(record["language"])
    original: list[Text] = record["original_titles"] or record["titles"]
    return original[0][1] if original else ""


def _main_and_others(texts: list[Text], language: str) -> tuple[Text | None, list[Text]]:
    """The value in ``language`` (else the first) and the others, one per language."""
    if not texts:
        return None, []
    main = next((t for t in texts if t[1] == language), texts[0])
    others, seen = [], {main[1]}
    for text in texts:
        if text[1] not in seen:
            others.append(text)
            seen.add(text[1])
    return main, others


# ---------------------------------------------------------------------------------- journal-meta
def _journal_meta(record: dict[str, Any], language: str) -> str:
    parts = [f'<journal-id journal-id-type="uri">{_t(record["journal"] or record["id"])}</journal-id>']
    main, others = _main_and_others(record["journal_titles"], language)
    if main is not None:
        trans = "".join(
            f"<trans-title-group{_lang(lang)}><trans-title>{_t(text)}</trans-title></trans-title-group>"
            for text, lang in others
        )
        abbrev = (
            f"<abbrev-journal-title>{_t(record['journal_abbreviation'])}</abbrev-journal-title>"
            if record.get("journal_abbreviation")
            else ""
        )
        parts.append(
            f"<journal-title-group><journal-title{_lang(main[1])}>{_t(main[0])}</journal-title>"
            f"{trans}{abbrev}</journal-title-group>"
        )
    for value, pub_type, medium in (
        (record["issn_print"], "ppub", "print"),
        (record["issn_online"], "epub", "electronic"),
    ):
        if value and _ISSN.fullmatch(value):
            parts.append(f'<issn pub-type="{pub_type}" publication-format="{medium}">{_t(value)}</issn>')
    if record["publisher"]:
        names = "".join(
            f"<publisher-name{_lang(lang)}>{_t(name)}</publisher-name>" for name, lang in record["publisher"]
        )
        parts.append(f"<publisher>{names}</publisher>")
    return f"<journal-meta>{''.join(parts)}</journal-meta>"


# ---------------------------------------------------------------------------------- article-meta
def _article_meta(record: dict[str, Any], language: str) -> str:
    parts = []
    if record["doi"]:
        parts.append(f'<article-id pub-id-type="doi">{_t(record["doi"])}</article-id>')
    parts.append(f'<article-id pub-id-type="custom" custom-type="uri">{_t(record["id"])}</article-id>')
    sections = record.get("sections") or []
    if sections:
        groups = "".join(
            f'<subj-group subj-group-type="heading"{_lang(lang)}><subject>{_t(text)}</subject></subj-group>'
            for text, lang in sections
        )
        parts.append(f"<article-categories>{groups}</article-categories>")
    parts.append(_title_group(record, language))
    if record["authors"]:
        parts.append(f"<contrib-group>{''.join(_contrib(author) for author in record['authors'])}</contrib-group>")
    parts.append(_pub_dates(record))
    if record["volume_number"]:
        parts.append(f"<volume>{_t(record['volume_number'])}</volume>")
    if record["issue_number"]:
        parts.append(f"<issue>{_t(record['issue_number'])}</issue>")
    if record["page_start"]:
        parts.append(f"<fpage>{_t(record['page_start'])}</fpage>")
        if record["page_end"]:
            parts.append(f"<lpage>{_t(record['page_end'])}</lpage>")
    history = record.get("history") or {}
    dates = "".join(
        _date("date", history[status], date_type) for status, date_type in _HISTORY_TYPES if status in history
    )
    if dates:
        parts.append(f"<history>{dates}</history>")
    if record["license"]:
        url = _t(record["license"])
        parts.append(
            f"<permissions><license xlink:href={_a(record['license'])}>"
            f"<ali:license_ref>{url}</ali:license_ref></license></permissions>"
        )
    if record["url"]:
        parts.append(f"<self-uri xlink:href={_a(record['url'])}/>")
    if record.get("pdf_url"):
        parts.append(f'<self-uri content-type="pdf" xlink:href={_a(record["pdf_url"])}/>')
    parts.append(_abstracts(record, language))
    parts.append(_keywords(record))
    return f"<article-meta>{''.join(parts)}</article-meta>"


def _title_group(record: dict[str, Any], language: str) -> str:
    """The title in the article's own language (``dcterms:title``), the others translated."""
    titles: list[Text] = record["original_titles"] + [t for t in record["titles"] if t not in record["original_titles"]]
    main, others = _main_and_others(titles, language)
    if record["original_titles"]:
        main = record["original_titles"][0]
        others = [t for t in others if t[1] != main[1]]
    title, lang = main if main is not None else ("", "")
    trans = "".join(
        f"<trans-title-group{_lang(t_lang)}><trans-title>{_t(text)}</trans-title></trans-title-group>"
        for text, t_lang in others
        if text != title
    )
    attribute = _lang(lang) if lang != language else ""
    return f"<title-group><article-title{attribute}>{_t(title)}</article-title>{trans}</title-group>"


def _contrib(author: dict[str, Any]) -> str:
    parts = []
    if author["orcid"]:
        parts.append(f'<contrib-id contrib-id-type="orcid">{_t(ORCID_RESOLVER + author["orcid"])}</contrib-id>')
    names = _names(author)
    if len(names) > 1:
        parts.append(f"<name-alternatives>{''.join(names)}</name-alternatives>")
    else:
        parts.extend(names)
    for organisation in author["affiliations"]:
        affs = [f"<aff{_lang(lang)}>{_t(name)}</aff>" for name, lang in organisation]
        if len(affs) > 1:
            parts.append(f"<aff-alternatives>{''.join(affs)}</aff-alternatives>")
        else:
            parts.extend(affs)
    return f'<contrib contrib-type="author">{"".join(parts)}</contrib>'


def _names(author: dict[str, Any]) -> list[str]:
    """One ``name`` per language (surname, given names), or a ``string-name`` where the family name is missing."""
    languages = sorted({lang for _, lang in author["family"] + author["given"] + author["names"]})
    found = []
    for lang in languages:
        family = in_language(author["family"], lang)
        given = in_language(author["given"], lang)
        if family:
            given_xml = f"<given-names>{_t(given)}</given-names>" if given else ""
            found.append(f"<name{_lang(lang)}><surname>{_t(family)}</surname>{given_xml}</name>")
        elif full := in_language(author["names"], lang) or given:
            found.append(f"<string-name{_lang(lang)}>{_t(full)}</string-name>")
    return found


def _date(element: str, value: str | None, date_type: str, calendar: str = "", medium: str = "") -> str:
    """A JATS date (``day``, ``month``, ``year``); ``iso-8601-date`` only for the Gregorian calendar."""
    match = _DATE.fullmatch(value or "")
    if not match:
        return ""
    year, month, day = match.groups()
    inner = (f"<day>{day}</day>" if day and month else "") + (f"<month>{month}</month>" if month else "")
    extra = f' calendar="{calendar}"' if calendar else f' iso-8601-date="{value}"'
    medium = f' publication-format="{medium}"' if medium else ""
    return f'<{element}{medium} date-type="{date_type}"{extra}>{inner}<year>{year}</year></{element}>'


def _pub_dates(record: dict[str, Any]) -> str:
    """The article's publication date, then the issue's in each calendar the graph has it in."""
    history = record.get("history") or {}
    dates = [
        _date("pub-date", history.get("published") or record["date"], "pub", medium="electronic"),
        _date("pub-date", record["issue_date"], "collection"),
        _date("pub-date", record.get("issue_date_jalali"), "collection", calendar="persian"),
    ]
    found = "".join(date for date in dates if date)
    return found or "<pub-date-not-available/>"


def _abstracts(record: dict[str, Any], language: str) -> str:
    main, others = _main_and_others(record["abstracts"], language)
    if main is None:
        return ""
    first = f"<abstract{_lang(main[1])}>{_paragraphs(main[0])}</abstract>"
    rest = "".join(f"<trans-abstract{_lang(lang)}>{_paragraphs(text)}</trans-abstract>" for text, lang in others)
    return first + rest


def _paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()] or [text]
    return "".join(f"<p>{_t(p)}</p>" for p in paragraphs)


def _keywords(record: dict[str, Any]) -> str:
    """One ``kwd-group`` per language, the keywords in the record's order."""
    by_language: dict[str, list[str]] = {}
    for text, lang in record["keywords"]:
        by_language.setdefault(lang, []).append(text)
    return "".join(
        f'<kwd-group kwd-group-type="author"{_lang(lang)}>{"".join(f"<kwd>{_t(k)}</kwd>" for k in words)}</kwd-group>'
        for lang, words in by_language.items()
    )
