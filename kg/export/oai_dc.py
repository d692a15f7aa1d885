"""An article record as ``oai_dc`` (unqualified Dublin Core for OAI-PMH), one XML fragment.

Made by the build for every article (``kg.publish.datestamps``) and served as it is by ``/oai``. Each
language-tagged value keeps its tag as ``xml:lang``; creators come in byline order; what the graph lacks
(a publisher, rights) is left out, never filled in.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.vocab import DOI_RESOLVER

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"


def _element(name: str, value: str, lang: str = "") -> str:
    attribute = f" xml:lang={quoteattr(lang)}" if lang else ""
    return f"<dc:{name}{attribute}>{escape(xml_chars(value))}</dc:{name}>"


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_chars(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters a source may hold)."""
    return _NOT_XML.sub("", text)


def oai_dc(record: dict[str, Any]) -> str:
    """The ``oai_dc:dc`` element of an article record (see ``kg.export.article_record``)."""
    parts: list[str] = []
    parts += [_element("title", value, lang) for value, lang in record["titles"]]
    for author in record["authors"]:
        parts += [_element("creator", value, lang) for value, lang in author["names"]]
    parts += [_element("subject", value, lang) for value, lang in record["keywords"]]
    parts += [_element("description", value, lang) for value, lang in record["abstracts"]]
    parts += [_element("publisher", value, lang) for value, lang in record["publisher"]]
    if record["date"]:
        parts.append(_element("date", record["date"]))
    parts.append(_element("type", "Text"))
    parts.append(_element("type", "info:eu-repo/semantics/article"))
    parts += [_element("type", value, lang) for value, lang in record["genre"]]
    if record["doi"]:
        parts.append(_element("identifier", DOI_RESOLVER + record["doi"]))
    parts.append(_element("identifier", record["id"]))
    if record["url"]:
        parts.append(_element("identifier", record["url"]))
    if record["language"]:
        parts.append(_element("language", record["language"]))
    if record["journal"]:
        parts.append(_element("relation", record["journal"]))
    parts += [_element("source", value, lang) for value, lang in _sources(record)]
    if record["license"]:
        parts.append(_element("rights", record["license"]))
    return (
        f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">' + "".join(parts) + "</oai_dc:dc>"
    )


def _sources(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The bibliographic citation of the issue the article is in, per language of the journal's title."""
    where = []
    if record["volume_number"]:
        where.append(f"Vol. {record['volume_number']}")
    if record["issue_number"]:
        where.append(f"No. {record['issue_number']}")
    if record["pages"]:
        where.append(f"pp. {record['pages']}")
    tail = ", ".join(where)
    return [(f"{title}, {tail}" if tail else title, lang) for title, lang in record["journal_titles"]]
