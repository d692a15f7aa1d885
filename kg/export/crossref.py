"""Crossref deposit XML (schema 5.3.1, ``journal_article``) from article records.

Crossref is how a DOI gets its metadata: titles (the original and its translation), contributors in byline
order with ORCIDs and affiliations, JATS abstracts in each language, publication dates, pages, the DOI and
the resource URL, grouped per journal issue under one ``doi_batch`` whose head names the depositor and the
registrant from the configuration (``[export.crossref]`` in the TOML file). Every value comes from the
record (``kg.export.article_record``); an article without a DOI is skipped with a report line, and what the
schema requires and the record lacks (a resource URL, a publication year, an author's family name) is
reported per article, never filled in.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.export.article_record import Text, in_language
from kg.export.oai_dc import xml_chars

CROSSREF_NS = "http://www.crossref.org/schema/5.3.1"
CROSSREF_SCHEMA = "https://www.crossref.org/schemas/crossref5.3.1.xsd"
JATS_NS = "http://www.ncbi.nlm.nih.gov/JATS1"
_ISSN = re.compile(r"\d{4}-?\d{3}[\dX]")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
CONFIG_KEYS = ("depositor_name", "depositor_email", "registrant")


class ExportConfigError(ValueError):
    """The configuration lacks what a deposit's head needs."""


@dataclass
class Deposit:
    xml: str
    included: list[str] = field(default_factory=list)  # article IRIs in the deposit
    report: list[str] = field(default_factory=list)  # one line per skipped article or missing value


def _t(text: str) -> str:
    return escape(xml_chars(text))


def crossref_deposit(records: Iterable[dict[str, Any]], config: dict[str, Any], now: datetime.datetime) -> Deposit:
    """One ``doi_batch`` holding every record that has a DOI, grouped by issue."""
    missing = [key for key in CONFIG_KEYS if not str(config.get(key) or "").strip()]
    if missing:
        raise ExportConfigError(
            "the Crossref deposit's head needs "
            + ", ".join(f"[export.crossref] {key}" for key in missing)
            + " in the configuration file (--config)"
        )
    deposit = Deposit("")
    issues: dict[str, list[str]] = {}
    heads: dict[str, str] = {}
    for record in records:
        article = _article(record, deposit.report)
        if article is None:
            continue
        key = record["issue"] or record["journal"] or record["id"]
        if key not in heads:
            heads[key] = _journal_metadata(record) + _journal_issue(record)
        issues.setdefault(key, []).append(article)
        deposit.included.append(record["id"])
    stamp = now.strftime("%Y%m%d%H%M%S")
    head = (
        f"<head><doi_batch_id>kg-{stamp}</doi_batch_id><timestamp>{stamp}</timestamp>"
        f"<depositor><depositor_name>{_t(str(config['depositor_name']))}</depositor_name>"
        f"<email_address>{_t(str(config['depositor_email']))}</email_address></depositor>"
        f"<registrant>{_t(str(config['registrant']))}</registrant></head>"
    )
    journals = "".join(f"<journal>{heads[key]}{''.join(articles)}</journal>" for key, articles in issues.items())
    deposit.xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<doi_batch xmlns="{CROSSREF_NS}" xmlns:jats="{JATS_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{CROSSREF_NS} {CROSSREF_SCHEMA}" version="5.3.1">'
        f"{head}<body>{journals}</body></doi_batch>\n"
    )
    return deposit


def _article(record: dict[str, Any], report: list[str]) -> str | None:
    where = record["id"]
    if not record["doi"]:
        report.append(f"{where}: skipped: no DOI (Crossref registers DOIs)")
        return None
    if not record["url"]:
        report.append(f"{where}: skipped: no resource URL (schema:url) for doi_data/resource")
        return None
    published = _date(record["date"] or record["issue_date"], "online")
    if not published:
        report.append(f"{where}: skipped: no publication date (a year is required)")
        return None
    if not record["original_titles"] and not record["titles"]:
        report.append(f"{where}: skipped: no title")
        return None
    language = record["language"]
    lang = f" language={quoteattr(language)}" if language else ""
    parts = [_titles(record), _contributors(record, report)]
    parts += [
        f'<jats:abstract xml:lang="{a_lang}"><jats:p>{_t(text)}</jats:p></jats:abstract>'
        if a_lang
        else f"<jats:abstract><jats:p>{_t(text)}</jats:p></jats:abstract>"
        for text, a_lang in record["abstracts"]
    ]
    parts.append(published)
    if record["page_start"]:
        last = f"<last_page>{_t(record['page_end'])}</last_page>" if record["page_end"] else ""
        parts.append(f"<pages><first_page>{_t(record['page_start'])}</first_page>{last}</pages>")
    else:
        report.append(f"{where}: no pages in the graph (pages left out)")
    parts.append(f"<doi_data><doi>{_t(record['doi'])}</doi><resource>{_t(record['url'])}</resource></doi_data>")
    return f'<journal_article publication_type="full_text"{lang}>{"".join(parts)}</journal_article>'


def _titles(record: dict[str, Any]) -> str:
    """The title in the article's own language, then its translation as ``original_language_title``
    (the pairing OJS deposits use: Crossref's ``titles`` has room for one title and one other-language title)."""
    original: list[Text] = record["original_titles"] or record["titles"][:1]
    title, _ = original[0]
    translated = [(t, lang) for t, lang in record["translated_titles"] if t != title]
    other = (
        f"<original_language_title language={quoteattr(translated[0][1])}>{_t(translated[0][0])}"
        "</original_language_title>"
        if translated and translated[0][1]
        else ""
    )
    return f"<titles><title>{_t(title)}</title>{other}</titles>"


def _contributors(record: dict[str, Any], report: list[str]) -> str:
    people: list[str] = []
    for position, author in enumerate(record["authors"], 1):
        family = in_language(author["family"], "en") or (author["family"] or [("", "")])[0][0]
        given = in_language(author["given"], "en") or (author["given"] or [("", "")])[0][0]
        if not family:
            report.append(f"{record['id']}: author {position} has no family name; left out of contributors")
            continue
        sequence = "first" if not people else "additional"
        parts = [f"<given_name>{_t(given)}</given_name>" if given else "", f"<surname>{_t(family)}</surname>"]
        names = [in_language(names, "en") or names[0][0] for names in author["affiliations"] if names]
        if names:
            institutions = "".join(
                f"<institution><institution_name>{_t(n)}</institution_name></institution>" for n in names
            )
            parts.append(f"<affiliations>{institutions}</affiliations>")
        if author["orcid"]:
            parts.append(f"<ORCID>https://orcid.org/{_t(author['orcid'])}</ORCID>")
        people.append(f'<person_name sequence="{sequence}" contributor_role="author">{"".join(parts)}</person_name>')
    if not people:
        report.append(f"{record['id']}: no author with a family name (contributors left out)")
        return ""
    return f"<contributors>{''.join(people)}</contributors>"


def _date(value: str | None, media: str) -> str:
    match = _DATE.fullmatch(value or "")
    if not match:
        return ""
    year, month, day = match.groups()
    inner = (f"<month>{month}</month>" if month else "") + (f"<day>{day}</day>" if day and month else "")
    return f'<publication_date media_type="{media}">{inner}<year>{year}</year></publication_date>'


def _journal_metadata(record: dict[str, Any]) -> str:
    titles = record["journal_titles"]
    title = in_language(titles, "en") or (titles[0][0] if titles else "")
    parts = [f"<full_title>{_t(title)}</full_title>"]
    if record["journal_abbreviation"]:
        parts.append(f"<abbrev_title>{_t(record['journal_abbreviation'])}</abbrev_title>")
    for value, media in ((record["issn_print"], "print"), (record["issn_online"], "electronic")):
        if value and _ISSN.fullmatch(value):
            parts.append(f'<issn media_type="{media}">{_t(value)}</issn>')
    language = f" language={quoteattr(record['language'])}" if record["language"] else ""
    return f"<journal_metadata{language}>{''.join(parts)}</journal_metadata>"


def _journal_issue(record: dict[str, Any]) -> str:
    published = _date(record["issue_date"] or record["date"], "online")
    if not published:
        return ""
    volume = (
        f"<journal_volume><volume>{_t(record['volume_number'])}</volume></journal_volume>"
        if record["volume_number"]
        else ""
    )
    issue = f"<issue>{_t(record['issue_number'])}</issue>" if record["issue_number"] else ""
    return f"<journal_issue>{published}{volume}{issue}</journal_issue>"
