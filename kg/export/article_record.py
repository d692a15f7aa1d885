"""One article's metadata as a plain record, read from its published graph (its N-Quads).

Every channel that is not RDF (OAI-PMH's ``oai_dc`` and JATS, the Crossref deposit, the DOAJ file) says
the same few things about an article: titles, authors in order with ORCIDs and affiliations, keywords,
abstracts, dates (history dates and the issue's Solar Hijri date too), pages, DOI, section, PDF link, its
issue and journal. They are read here once, from the graph the build validated and
published, so that no channel can say something the graph does not; a value the graph lacks stays absent
(``None`` or an empty list), and each channel reports what it needs and does not find.

Each text value is a ``(text, language)`` pair: the graph's language tags travel to ``xml:lang``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from kg.vocab import DCTERMS, FABIO, KG, ORCID_RESOLVER, PRISM, PRO, RDF_TYPE, SCHEMA, TIME

Text = tuple[str, str]  # (value, language tag; "" when untagged)

_ORCID_PREFIX = ORCID_RESOLVER


# the predicates article_record reads: the others are skipped as the graph is parsed
_READ = {
    term.value
    for term in (
        RDF_TYPE,
        SCHEMA.name,
        DCTERMS.title,
        FABIO.hasTranslatedTitle,
        PRISM.keyword,
        DCTERMS.abstract,
        SCHEMA.datePublished,
        SCHEMA.genre,
        PRISM.doi,
        SCHEMA.inLanguage,
        SCHEMA.url,
        SCHEMA.license,
        SCHEMA.pageStart,
        SCHEMA.pageEnd,
        SCHEMA.pagination,
        SCHEMA.isPartOf,
        SCHEMA.issueNumber,
        SCHEMA.volumeNumber,
        SCHEMA.alternateName,
        PRISM.issn,
        PRISM.eIssn,
        SCHEMA.publisher,
        PRO.isDocumentContextFor,
        PRO.withRole,
        SCHEMA.position,
        PRO.isHeldBy,
        SCHEMA.sameAs,
        PRO.relatesToOrganization,
        SCHEMA.givenName,
        SCHEMA.familyName,
        SCHEMA.articleSection,
        SCHEMA.encoding,
        SCHEMA.contentUrl,
        FABIO.hasDateReceived,
        KG.dateRevised,
        DCTERMS.dateAccepted,
        DCTERMS.issued,
        TIME.hasTime,
        TIME.inDateTime,
        TIME.year,
        TIME.month,
        TIME.day,
    )
}

# the article's history dates (kg.mappers.history), by status
_HISTORY = {
    "received": FABIO.hasDateReceived,
    "revised": KG.dateRevised,
    "accepted": DCTERMS.dateAccepted,
    "published": DCTERMS.issued,
}

# a line whose predicate is one of them (a literal holding such text is parsed too, and dropped then)
_READ_LINE = re.compile(b"> <(?:" + b"|".join(re.escape(p.encode()) for p in sorted(_READ)) + b")> ")


class _Index:
    """The graph's triples by subject: subject IRI -> predicate IRI -> objects, in a stable order."""

    def __init__(self, nquads: bytes) -> None:
        self.by_subject: dict[str, dict[str, list[Literal | NamedNode]]] = defaultdict(lambda: defaultdict(list))
        wanted = b"".join(line for line in nquads.splitlines(keepends=True) if _READ_LINE.search(line))
        for quad in parse(wanted, format=RdfFormat.N_QUADS):
            predicate = quad.predicate.value
            if predicate not in _READ:  # most of a graph (labels of labels, provenance) is not read here
                continue
            subject, obj = quad.subject, quad.object
            if isinstance(subject, NamedNode) and isinstance(obj, Literal | NamedNode):
                self.by_subject[subject.value][predicate].append(obj)

    def objects(self, subject: str, predicate: NamedNode) -> list[Literal | NamedNode]:
        found = self.by_subject.get(subject)
        return list(found.get(predicate.value, [])) if found else []

    def texts(self, subject: str, predicate: NamedNode) -> list[Text]:
        """Literal values with their language, sorted so that the record is the same on every build."""
        return sorted((o.value, o.language or "") for o in self.objects(subject, predicate) if isinstance(o, Literal))

    def text(self, subject: str, predicate: NamedNode) -> str | None:
        values = self.texts(subject, predicate)
        return values[0][0] if values else None

    def link(self, subject: str, predicate: NamedNode) -> str | None:
        links = sorted(o.value for o in self.objects(subject, predicate) if isinstance(o, NamedNode))
        return links[0] if links else None

    def subjects_of_type(self, kind: NamedNode) -> list[str]:
        return sorted(s for s, props in self.by_subject.items() if kind in props.get(RDF_TYPE.value, []))


def article_record(nquads: bytes) -> dict[str, Any] | None:
    """The record of the article in this graph, or None when the graph holds no ``schema:ScholarlyArticle``."""
    graph = _Index(nquads)
    articles = graph.subjects_of_type(SCHEMA.ScholarlyArticle)
    if not articles:
        return None
    article = articles[0]
    issue = graph.link(article, SCHEMA.isPartOf)
    volume = graph.link(issue, SCHEMA.isPartOf) if issue else None
    journal = graph.link(volume, SCHEMA.isPartOf) if volume else None
    return {
        "id": article,
        "titles": graph.texts(article, SCHEMA.name),
        "original_titles": graph.texts(article, DCTERMS.title),
        "translated_titles": graph.texts(article, FABIO.hasTranslatedTitle),
        "authors": _authors(graph, article),
        "keywords": graph.texts(article, PRISM.keyword),
        "abstracts": graph.texts(article, DCTERMS.abstract),
        "date": graph.text(article, SCHEMA.datePublished),
        "genre": graph.texts(graph.link(article, SCHEMA.genre) or "", SCHEMA.name),
        "doi": graph.text(article, PRISM.doi),
        "language": graph.text(article, SCHEMA.inLanguage),
        "url": graph.link(article, SCHEMA.url),
        "license": graph.link(article, SCHEMA.license),
        "page_start": graph.text(article, SCHEMA.pageStart),
        "page_end": graph.text(article, SCHEMA.pageEnd),
        "pages": graph.text(article, SCHEMA.pagination),
        "issue": issue,
        "issue_number": graph.text(issue, SCHEMA.issueNumber) if issue else None,
        "issue_date": graph.text(issue, SCHEMA.datePublished) if issue else None,
        "volume": volume,
        "volume_number": graph.text(volume, SCHEMA.volumeNumber) if volume else None,
        "journal": journal,
        "journal_titles": graph.texts(journal, SCHEMA.name) if journal else [],
        "journal_abbreviation": graph.text(journal, SCHEMA.alternateName) if journal else None,
        "issn_print": graph.text(journal, PRISM.issn) if journal else None,
        "issn_online": graph.text(journal, PRISM.eIssn) if journal else None,
        "publisher": _publisher(graph, journal),
        "journal_url": graph.link(journal, SCHEMA.url) if journal else None,
        "sections": graph.texts(article, SCHEMA.articleSection),
        "history": {status: d for status, term in _HISTORY.items() if (d := graph.text(article, term))},
        "pdf_url": graph.link(graph.link(article, SCHEMA.encoding) or "", SCHEMA.contentUrl),
        "issue_date_jalali": _jalali_date(graph, issue) if issue else None,
    }


def _jalali_date(graph: _Index, issue: str) -> str | None:
    """The issue's Solar Hijri date as the graph declares it (OWL-Time, data model 4.8), ``YYYY-MM-DD`` or shorter."""
    instant = graph.link(issue, TIME.hasTime)
    description = graph.link(instant, TIME.inDateTime) if instant else None
    if description is None:
        return None
    year = graph.text(description, TIME.year)
    month = (graph.text(description, TIME.month) or "").lstrip("-")
    day = (graph.text(description, TIME.day) or "").lstrip("-")
    if not year:
        return None
    return "-".join([year] + ([month] + ([day] if day else []) if month else []))


def _authors(graph: _Index, article: str) -> list[dict[str, Any]]:
    """The authors in their order in the byline (``schema:position`` of each authorship role)."""
    authors: list[tuple[int, dict[str, Any]]] = []
    for role in graph.objects(article, PRO.isDocumentContextFor):
        if not isinstance(role, NamedNode) or PRO.author not in graph.objects(role.value, PRO.withRole):
            continue
        position = graph.text(role.value, SCHEMA.position)
        person = graph.link(role.value, PRO.isHeldBy)
        if person is None or position is None:
            continue
        orcids = [
            o.value[len(_ORCID_PREFIX) :]
            for o in graph.objects(person, SCHEMA.sameAs)
            if isinstance(o, NamedNode) and o.value.startswith(_ORCID_PREFIX)
        ]
        organizations = sorted(
            o.value for o in graph.objects(role.value, PRO.relatesToOrganization) if isinstance(o, NamedNode)
        )
        authors.append(
            (
                int(position),
                {
                    "id": person,
                    "names": graph.texts(person, SCHEMA.name),
                    "given": graph.texts(person, SCHEMA.givenName),
                    "family": graph.texts(person, SCHEMA.familyName),
                    "orcid": orcids[0] if orcids else None,
                    "affiliations": [graph.texts(org, SCHEMA.name) for org in organizations],
                },
            )
        )
    return [author for _, author in sorted(authors, key=lambda pair: pair[0])]


def _publisher(graph: _Index, journal: str | None) -> list[Text]:
    if journal is None:
        return []
    publisher = graph.link(journal, SCHEMA.publisher)
    return graph.texts(publisher, SCHEMA.name) if publisher else graph.texts(journal, SCHEMA.publisher)


def in_language(texts: list[Text], language: str) -> str | None:
    """The value in this language, if the list has one."""
    return next((value for value, lang in texts if lang == language), None)
