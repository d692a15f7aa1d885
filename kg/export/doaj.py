"""DOAJ article XML (``doajArticles.xsd``) from article records.

DOAJ takes article metadata as XML uploads and hands it on to many discovery systems. One ``<record>`` per
article: journal title, ISSNs, publication date, volume, issue, pages, DOI, titles and abstracts and
keywords per language (ISO 639-2/B codes, as the schema wants), authors in byline order with ORCIDs and
their affiliations, and the full-text URL. E-mail addresses are never written (the graph holds none). What
the schema requires and the record lacks (a full-text URL, a publication date, a title) is reported per
article and the article left out, never filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.export.article_record import in_language
from kg.export.crossref import Deposit
from kg.export.oai_dc import xml_chars
from kg.vocab import DOI_RESOLVER, ORCID_RESOLVER

# ISO 639-1 (the graph's language tags) -> ISO 639-2/B (DOAJ's codes), for the languages of the journals
ISO_639_2B = {"fa": "per", "en": "eng", "ar": "ara", "fr": "fre", "de": "ger", "tr": "tur", "ku": "kur"}
_FULL_URL = re.compile(r"https?://([^/:]+\.\w{2,10}|(\d{1,3}\.){3}\d{1,3})(:\d+)?(.*)?")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _t(text: str) -> str:
    return escape(xml_chars(text))


def _lang(tag: str) -> str:
    code = ISO_639_2B.get(tag)
    return f" language={quoteattr(code)}" if code else ""


def doaj_records(records: Iterable[dict[str, Any]]) -> Deposit:
    """One ``<records>`` document; the report says which articles were left out and why."""
    deposit = Deposit("")
    parts = []
    for record in records:
        xml = _record(record, deposit.report)
        if xml is not None:
            parts.append(xml)
            deposit.included.append(record["id"])
    deposit.xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<records xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="https://doaj.org/static/doaj/doajArticles.xsd">'
        + "".join(parts)
        + "</records>\n"
    )
    return deposit


def _record(record: dict[str, Any], report: list[str]) -> str | None:
    where = record["id"]
    date = record["date"] or record["issue_date"]
    url = _full_text_url(record)
    problems = []
    if not url:
        problems.append("no full-text URL (neither schema:url nor a DOI)")
    if not date or not _DATE.fullmatch(date):
        problems.append("no publication date")
    if not record["titles"]:
        problems.append("no title")
    if not record["journal_titles"]:
        problems.append("no journal title")
    if problems or url is None:
        report.append(f"{where}: skipped: " + "; ".join(problems))
        return None
    journal = in_language(record["journal_titles"], "en") or record["journal_titles"][0][0]
    out = []
    if record["language"] in ISO_639_2B:
        out.append(f"<language>{ISO_639_2B[record['language']]}</language>")
    if record["publisher"]:
        out.append(f"<publisher>{_t(in_language(record['publisher'], 'en') or record['publisher'][0][0])}</publisher>")
    out.append(f"<journalTitle>{_t(journal)}</journalTitle>")
    if record["issn_print"]:
        out.append(f"<issn>{_t(record['issn_print'])}</issn>")
    if record["issn_online"]:
        out.append(f"<eissn>{_t(record['issn_online'])}</eissn>")
    out.append(f"<publicationDate>{date}</publicationDate>")
    for name, key in (
        ("volume", "volume_number"),
        ("issue", "issue_number"),
        ("startPage", "page_start"),
        ("endPage", "page_end"),
        ("doi", "doi"),
    ):
        if record[key]:
            out.append(f"<{name}>{_t(record[key])}</{name}>")
    out.append(f"<publisherRecordId>{_t(record['id'])}</publisherRecordId>")
    out += [f"<title{_lang(lang)}>{_t(text)}</title>" for text, lang in record["titles"]]
    out.append(_authors(record))
    out += [f"<abstract{_lang(lang)}>{_t(text)}</abstract>" for text, lang in record["abstracts"]]
    out.append(f'<fullTextUrl format="html">{_t(url)}</fullTextUrl>')
    by_lang: dict[str, list[str]] = {}
    for text, lang in record["keywords"]:
        by_lang.setdefault(lang, []).append(text)
    for lang, words in by_lang.items():
        out.append(f"<keywords{_lang(lang)}>" + "".join(f"<keyword>{_t(w)}</keyword>" for w in words) + "</keywords>")
    return "<record>" + "".join(out) + "</record>"


def _full_text_url(record: dict[str, Any]) -> str | None:
    """The article's page (schema:url), else its DOI's resolver link, which leads to the same page."""
    if record["url"] and _FULL_URL.fullmatch(record["url"]):
        return str(record["url"])
    return DOI_RESOLVER + record["doi"] if record["doi"] else None


def _authors(record: dict[str, Any]) -> str:
    """Authors in order, each with its affiliations listed once in ``affiliationsList``."""
    affiliations: dict[str, int] = {}
    authors = []
    for author in record["authors"]:
        name = in_language(author["names"], "en") or (author["names"] or [("", "")])[0][0]
        if not name:
            continue
        ids = []
        for names in author["affiliations"]:
            label = in_language(names, "en") or (names[0][0] if names else "")
            if label:
                ids.append(affiliations.setdefault(label, len(affiliations)))
        parts = [f"<name>{_t(name)}</name>"] + [f"<affiliationId>{i}</affiliationId>" for i in ids]
        if author["orcid"]:
            parts.append(f"<orcid_id>{ORCID_RESOLVER}{_t(author['orcid'])}</orcid_id>")
        authors.append("<author>" + "".join(parts) + "</author>")
    if not authors:
        return ""
    listed = "".join(
        f'<affiliationName affiliationId="{i}">{_t(label)}</affiliationName>' for label, i in affiliations.items()
    )
    return (
        "<authors>"
        + "".join(authors)
        + "</authors>"
        + (f"<affiliationsList>{listed}</affiliationsList>" if listed else "")
    )
