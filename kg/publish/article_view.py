"""One view of an article, read once from its triples: what its page, its ``citation_*`` tags and its
schema.org JSON-LD all show.

The article page used to index the triples once for the HTML and again, with another language fallback, for
the JSON-LD, and worked out the authors and the issue -> volume -> journal chain twice. Now
:func:`article_view` reads the answer of :func:`article_context_query` into an :class:`ArticleView` (plain
values: literals keep their language, things keep their minted IRI), and every rendering takes its values
from it, so the page, the tags and the JSON-LD cannot disagree. Language choice is one rule,
:func:`pick`: the literal in the wanted language, else an untagged one, else the first in a stable order.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.vocab import DCTERMS, KG, PRISM, PRO, RDF_TYPE, RDFS, SCHEMA, SCORO, SKOS, TIME

# path segments of the nodes that exist only through their parent (kg/iris.py): {thing}/author/1,
# {thing}/identifier/doi, {article}/manifestation, {issue}/date-jalali(/description), {article}/keyword/1,
# {article}/pdf (the PDF's MediaObject, from PubMed/OJS exports)
CHILD_SEGMENTS = ("author", "identifier", "manifestation", "date-jalali", "keyword", "pdf")
LABELS = (SCHEMA.name, SKOS.prefLabel, RDFS.label)


def article_context_query(article: str) -> str:
    """A CONSTRUCT query for everything the article's view holds.

    The article's own triples and those of its parts (authorships, identifiers, manifestation, keyword
    positions), its authors and their organizations, the issue -> volume -> journal chain with the issue's
    Jalali date, and the labels and types of everything the article links to (keyword concepts, article
    type, section).
    """
    if re.search(r'[\x00-\x20<>"{}|^`\\]', article):
        raise ValueError(f"not a usable IRI: {article!r}")
    a = f"<{article}>"
    child = json.dumps("^" + re.escape(article) + "/(" + "|".join(CHILD_SEGMENTS) + ")(/|$)")
    # the labels and types of a thing found from the article: one branch per predicate, each bound to the
    # thing already found. (``VALUES ?p {...} ?s ?p ?o`` made Oxigraph read every label in the store first
    # and join after: 1.7-3.8 s at 2,000 articles against 2 ms this way.)
    labels = " UNION ".join(f"{{ ?s <{p.value}> ?o BIND(<{p.value}> AS ?p) }}" for p in (*LABELS, RDF_TYPE))
    part_of = f"<{SCHEMA.isPartOf.value}>"
    return f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({a} AS ?s) ?s ?p ?o }}
  UNION {{ {a} ?x ?s . FILTER(isIRI(?s) && REGEX(STR(?s), {child})) ?s ?p ?o }}
  UNION {{ {a} <{SCHEMA.author.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} <{PRO.isDocumentContextFor.value}>/<{PRO.relatesToOrganization.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}+ ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}/<{TIME.hasTime.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}/<{TIME.hasTime.value}>/<{TIME.inDateTime.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}+/<{SCHEMA.publisher.value}> ?s . {labels} }}
  UNION {{ {a} ?x ?s . FILTER(isIRI(?s)) {labels} }}
}}"""


def pick(literals: Iterable[Any], lang: str) -> Literal | None:
    """The literal in ``lang``, else an untagged one, else the first in a stable order (the one rule)."""
    found = [o for o in literals if isinstance(o, Literal)]
    for wanted in (lang, None):
        for literal in found:
            if literal.language == wanted:
                return literal
    return sorted(found, key=lambda lit: (lit.language or "", lit.value))[0] if found else None


def in_language_order(literals: Iterable[Literal], first: str) -> list[Literal]:
    """Literals with ``first``'s first, then the others by language, then by value (a stable order)."""
    return sorted(literals, key=lambda lit: (lit.language != first, lit.language or "", lit.value))


class _Graph:
    """Just enough of a graph to read the article's triples: objects by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for t in dict.fromkeys(triples):
            if isinstance(t.subject, Triple):
                continue  # a quoted triple as subject (RDF 1.2) says nothing about the article's resources
            self.out[t.subject.value][t.predicate.value].append(t.object)

    def objects(self, subject: str, predicate: NamedNode) -> list[Any]:
        return list(self.out.get(subject, {}).get(predicate.value, []))

    def first(self, subject: str, predicate: NamedNode) -> Any | None:
        values = sorted(self.objects(subject, predicate), key=lambda v: v.value)
        return values[0] if values else None

    def iris(self, subject: str, predicate: NamedNode) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate) if isinstance(o, NamedNode))

    def literals(self, subject: str, predicate: NamedNode) -> list[Literal]:
        return [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]

    def schema_types(self, subject: str) -> list[str]:
        prefix = SCHEMA.iri
        return sorted(t.value[len(prefix) :] for t in self.objects(subject, RDF_TYPE) if t.value.startswith(prefix))


@dataclass(frozen=True)
class Named:
    """A thing the article links to: its minted IRI, its schema.org types and its labels in every language."""

    iri: str
    labels: tuple[Literal, ...] = ()
    types: tuple[str, ...] = ()

    def label(self, lang: str) -> Literal | None:
        return pick(self.labels, lang)


@dataclass(frozen=True)
class Author:
    """One authorship, in the article's order: the person, its organizations for this article, ORCID."""

    person: Named
    position: int
    corresponding: bool
    organizations: tuple[Named, ...]
    same_as: tuple[str, ...]

    @property
    def orcid(self) -> str | None:
        return next((s for s in self.same_as if "orcid.org/" in s), None)


@dataclass(frozen=True)
class Identifier:
    """A ``schema:PropertyValue`` identifier node of the article (DOI, PII, ...)."""

    iri: str
    property_id: str
    value: str


@dataclass(frozen=True)
class Container:
    """The issue, volume or journal the article is part of (``parent`` goes up the chain)."""

    iri: str
    types: tuple[str, ...]
    number: Literal | None  # issueNumber or volumeNumber
    date: Literal | None
    names: tuple[Literal, ...]
    issns: tuple[str, ...]
    jalali: tuple[str, str | None, str | None] | None  # year, month, day as stored (the issue's OWL-Time date)
    parent: Container | None = None
    publisher: Named | None = None  # the journal's publisher (PubMed's PublisherName), where a source names one


@dataclass
class ArticleView:
    """Everything shown about an article, read once from its triples (see the module's docstring)."""

    iri: str
    types: list[str]
    headlines: list[Literal]
    names: list[Literal]
    abstracts: list[Literal]
    sections: list[Literal]
    language: Literal | None
    date: Literal | None
    page_start: Literal | None
    page_end: Literal | None
    pagination: Literal | None
    doi: Literal | None
    url: str | None
    same_as: list[str]
    genre: Named | None
    authors: list[Author]
    keywords: list[Named]  # concepts in the source's order (kg:keywordListItem positions)
    keyword_literals: list[Literal]  # schema:keywords, each language in the source's order
    identifiers: list[Identifier]
    issue: Container | None
    chain: list[Container] = field(default_factory=list)  # issue, volume, journal as found
    pdf: Named | None = None  # the PDF's schema:MediaObject (its IRI), where a source links one
    pdf_url: str | None = None  # its schema:contentUrl

    def headline(self, lang: str) -> Literal | None:
        return pick(self.headlines, lang)

    def abstract(self, lang: str) -> Literal | None:
        return pick(self.abstracts, lang)

    def keywords_in(self, lang: str) -> list[Literal]:
        """The ``schema:keywords`` literals in ``lang`` (else in any language), in the source's order."""
        chosen = [k for k in self.keyword_literals if k.language == lang]
        return chosen or list(self.keyword_literals)

    def container(self, schema_type: str) -> Container | None:
        return next((c for c in self.chain if schema_type in c.types), None)

    @property
    def original_language(self) -> str | None:
        """The language the article was written in (``schema:inLanguage``), when it is one the site shows."""
        return self.language.value if self.language is not None else None


def article_view(triples: Iterable[Triple], article: str) -> ArticleView:
    """Read the answer of :func:`article_context_query` into the article's view."""
    graph = _Graph(triples)
    genre = graph.first(article, SCHEMA.genre)
    issue = graph.first(article, SCHEMA.isPartOf)
    container = _container(graph, issue.value) if isinstance(issue, NamedNode) else None
    chain: list[Container] = []
    current = container
    while current is not None and len(chain) < 3:
        chain.append(current)
        current = current.parent
    keywords = _keywords(graph, article)
    return ArticleView(
        iri=article,
        types=graph.schema_types(article) or ["ScholarlyArticle"],
        headlines=in_language_order(graph.literals(article, SCHEMA.headline), "fa"),
        names=in_language_order(graph.literals(article, SCHEMA.name), "fa"),
        abstracts=graph.literals(article, SCHEMA.abstract),
        sections=graph.literals(article, SCHEMA.articleSection),
        language=graph.first(article, SCHEMA.inLanguage),
        date=graph.first(article, SCHEMA.datePublished),
        page_start=graph.first(article, SCHEMA.pageStart),
        page_end=graph.first(article, SCHEMA.pageEnd),
        pagination=graph.first(article, SCHEMA.pagination),
        doi=graph.first(article, PRISM.doi),
        url=next(iter(graph.iris(article, SCHEMA.url)), None),
        same_as=graph.iris(article, SCHEMA.sameAs),
        genre=_named(graph, genre.value) if isinstance(genre, NamedNode) else None,
        authors=_authors(graph, article),
        keywords=keywords,
        keyword_literals=_ordered_literals(graph.literals(article, SCHEMA.keywords), keywords),
        identifiers=_identifiers(graph, article),
        issue=container,
        chain=chain,
        **_pdf(graph, article),
    )


def _pdf(graph: _Graph, article: str) -> dict[str, Any]:
    """The article's PDF: the ``schema:encoding`` MediaObject whose format is ``application/pdf``."""
    for node in graph.iris(article, SCHEMA.encoding):
        fmt = graph.first(node, SCHEMA.encodingFormat)
        url = next(iter(graph.iris(node, SCHEMA.contentUrl)), None)
        if fmt is not None and fmt.value == "application/pdf" and url:
            return {"pdf": _named(graph, node), "pdf_url": url}
    return {}


def _named(graph: _Graph, iri: str) -> Named:
    labels: list[Literal] = []
    for predicate in LABELS:
        labels += [lit for lit in graph.literals(iri, predicate) if lit not in labels]
    return Named(iri, tuple(labels), tuple(graph.schema_types(iri)))


def _authors(graph: _Graph, article: str) -> list[Author]:
    """Authorships by position (``pro:RoleInTime`` with ``schema:position``), then persons with no role."""
    corresponding = {
        person
        for role in graph.iris(article, PRO.isDocumentContextFor)
        if SCORO["corresponding-author"] in graph.objects(role, PRO.withRole)
        for person in graph.iris(role, PRO.isHeldBy)
    }
    found: list[tuple[int, str, tuple[Named, ...]]] = []
    for role in graph.iris(article, PRO.isDocumentContextFor):
        if PRO.author not in graph.objects(role, PRO.withRole):
            continue
        person = next(iter(graph.iris(role, PRO.isHeldBy)), None)
        position = graph.first(role, SCHEMA.position)
        if person is None:
            continue
        try:
            at = int(position.value) if position is not None else 10**6
        except ValueError:
            at = 10**6
        orgs = tuple(_named(graph, org) for org in graph.iris(role, PRO.relatesToOrganization))
        found.append((at, person, orgs))
    seen = {person for _, person, _ in found}
    found += [(10**6, person, ()) for person in graph.iris(article, SCHEMA.author) if person not in seen]
    return [
        Author(_named(graph, person), at, person in corresponding, orgs, tuple(graph.iris(person, SCHEMA.sameAs)))
        for at, person, orgs in sorted(found, key=lambda entry: (entry[0], entry[1]))
    ]


def _keywords(graph: _Graph, article: str) -> list[Named]:
    """Keyword concepts by their position in the source's lists; concepts without one after, by IRI."""
    positioned: list[tuple[int, str]] = []
    for item in graph.iris(article, KG.keywordListItem):
        concept = next(iter(graph.iris(item, SCHEMA.item)), None)
        position = graph.first(item, SCHEMA.position)
        if concept is None or position is None:
            continue
        try:
            positioned.append((int(position.value), concept))
        except ValueError:
            continue
    ordered = [concept for _, concept in sorted(positioned)]
    ordered += [c for c in graph.iris(article, DCTERMS.subject) if c not in ordered]
    return [_named(graph, concept) for concept in ordered]


def _ordered_literals(literals: list[Literal], concepts: list[Named]) -> list[Literal]:
    """The keyword literals in the order of the concepts that carry them as labels; the rest after, sorted."""
    rank: dict[Literal, int] = {}
    for at, concept in enumerate(concepts):
        for label in concept.labels:
            rank.setdefault(label, at)
    return sorted(dict.fromkeys(literals), key=lambda lit: (rank.get(lit, 10**6), lit.language or "", lit.value))


def _identifiers(graph: _Graph, article: str) -> list[Identifier]:
    found = []
    for node in graph.iris(article, SCHEMA.identifier):
        property_id = graph.first(node, SCHEMA.propertyID)
        value = graph.first(node, SCHEMA.value)
        if property_id is not None and value is not None:
            found.append(Identifier(node, property_id.value, value.value))
    return found


def _container(graph: _Graph, iri: str, depth: int = 0) -> Container:
    """Issue -> volume -> periodical, each with what identifies it (number, names, ISSNs, dates)."""
    parent = graph.first(iri, SCHEMA.isPartOf)
    return Container(
        iri=iri,
        types=tuple(graph.schema_types(iri)),
        number=_first_of(graph, iri, SCHEMA.issueNumber, SCHEMA.volumeNumber),
        date=graph.first(iri, SCHEMA.datePublished),
        names=tuple(in_language_order(graph.literals(iri, SCHEMA.name), "fa")),
        issns=tuple(sorted(lit.value for lit in graph.literals(iri, SCHEMA.issn))),
        jalali=_jalali(graph, iri),
        parent=_container(graph, parent.value, depth + 1) if isinstance(parent, NamedNode) and depth < 2 else None,
        publisher=next((_named(graph, p) for p in graph.iris(iri, SCHEMA.publisher)), None),
    )


def _first_of(graph: _Graph, iri: str, *predicates: NamedNode) -> Any | None:
    for predicate in predicates:
        value = graph.first(iri, predicate)
        if value is not None:
            return value
    return None


def _jalali(graph: _Graph, iri: str) -> tuple[str, str | None, str | None] | None:
    for instant in graph.iris(iri, TIME.hasTime):
        for description in graph.iris(instant, TIME.inDateTime):
            year = graph.first(description, TIME.year)
            if year is None:
                continue
            month = graph.first(description, TIME.month)
            day = graph.first(description, TIME.day)
            return (
                year.value,
                month.value if month is not None else None,
                day.value if day is not None else None,
            )
    return None
