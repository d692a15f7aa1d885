"""Authors -> persons and ordered authorship roles (data model 3.4, 4.1, 4.2).

Each author position becomes a ``pro:RoleInTime`` (``pro:author``) with ``schema:position`` and an
``oco:hasNext`` chain, as OpenCitations orders authors; the corresponding author gets a second role
(``scoro:corresponding-author``), since ``pro:withRole`` is functional. The person's IRI comes from the
ORCID, else the source system's author code, else a keyed hash of the e-mail, else it is per article:
names alone never merge two people. The e-mail itself is never written.

A person with an ORCID, a source code or an e-mail recurs across articles: their description (names,
identifiers) is serialised once per process and name spelling; the roles are per article.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder
from kg.mappers.identifiers import map_identifier
from kg.mappers.organization import map_organization
from kg.records import Author
from kg.vocab import FOAF, OCO, PRO, RDF_TYPE, SCHEMA, SCORO

# 5,000 recurring people, organizations and concepts per worker (and 5,000-10,000 entries in the
# reader's caches): a worker's memory reaches its plateau (~100 MB) within the first few thousand
# articles, so it is the same at 10,000 and at 100,000 articles; twice the size mapped ~7% faster.
_CACHE: FragmentCache[tuple[str, ...], Fragment] = FragmentCache(5_000)


def person_iri(minter: Minter, author: Author, journal_key: str, article_key: str) -> NamedNode:
    if author.orcid:
        return minter.person_by_orcid(author.orcid)
    if author.source_code:
        return minter.person_by_code("source", author.source_code)
    if author.email_key:
        return minter.person_by_email_key(author.email_key)
    return minter.person_in_article(journal_key, article_key, author.position)


def map_authors(
    out: GraphBuilder, minter: Minter, article: NamedNode, authors: list[Author], journal_key: str, article_key: str
) -> None:
    previous_role: NamedNode | None = None
    for author in authors:
        person = person_iri(minter, author, journal_key, article_key)
        map_person(out, minter, person, author)
        role = minter.authorship(article, author.position)
        out.describe(article, (SCHEMA.author, person), (PRO.isDocumentContextFor, role))
        out.describe(
            role,
            (RDF_TYPE, PRO.RoleInTime),
            (PRO.withRole, PRO.author),
            (PRO.isHeldBy, person),
            (PRO.relatesToDocument, article),
        )
        out.value(role, SCHEMA.position, author.position)
        if previous_role is not None:
            out.add(previous_role, OCO.hasNext, role)
        previous_role = role
        organization = map_organization(out, minter, author.affiliation)
        if organization is not None:
            out.add(role, PRO.relatesToOrganization, organization)
            out.add(person, SCHEMA.affiliation, organization)
        if author.corresponding:
            corresponding = minter.corresponding_role(article, author.position)
            out.add(article, PRO.isDocumentContextFor, corresponding)
            out.describe(
                corresponding,
                (RDF_TYPE, PRO.RoleInTime),
                (PRO.withRole, SCORO["corresponding-author"]),
                (PRO.isHeldBy, person),
                (PRO.relatesToDocument, article),
            )


def map_person(out: GraphBuilder, minter: Minter, person: NamedNode, author: Author) -> None:
    """Add the person's own triples: from the cache, unless the person is minted per article (no reuse)."""
    if not (author.orcid or author.source_code or author.email_key):
        out.fragment(_describe(minter, person, author))
        return
    key = (
        person.value,
        author.orcid,
        author.source_code,
        author.given_name.fa,
        author.given_name.en,
        author.middle_name.fa,
        author.middle_name.en,
        author.family_name.fa,
        author.family_name.en,
        author.suffix.fa,
        author.suffix.en,
    )
    out.fragment(_CACHE.get(key, _describe, minter, person, author))


def _describe(minter: Minter, person: NamedNode, author: Author) -> Fragment:
    """The person's names and identifiers; the cache key above holds every field used here."""
    out = GraphBuilder()
    out.types(person, SCHEMA.Person, FOAF.Person)
    for lang in ("fa", "en"):
        given = getattr(author.given_name, lang)
        middle = getattr(author.middle_name, lang)
        family = getattr(author.family_name, lang)
        out.text(person, (SCHEMA.givenName, FOAF.givenName), given, lang)
        out.text(person, SCHEMA.additionalName, middle, lang)
        out.text(person, (SCHEMA.familyName, FOAF.familyName), family, lang)
        out.text(person, SCHEMA.honorificSuffix, getattr(author.suffix, lang), lang)
        full = " ".join(part for part in (given, middle, family) if part)
        out.text(person, (SCHEMA.name, FOAF.name), full, lang)
    if author.orcid:
        out.link(person, SCHEMA.sameAs, "https://orcid.org/" + author.orcid)
        map_identifier(out, minter, person, "orcid", author.orcid)
    if author.source_code:
        map_identifier(out, minter, person, "source-code", author.source_code)
    return out.ntriples()
