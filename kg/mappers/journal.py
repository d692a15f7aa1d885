"""Journal -> ``schema:Periodical`` + ``fabio:Journal`` (data model 3.1 and 4.5).

Every article graph repeats its journal's description, which depends only on the journal record: it is
serialised once per process and journal record (``FragmentCache``) and reused.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder, record_key
from kg.mappers.identifiers import map_identifier
from kg.mappers.organization import map_organization
from kg.records import Journal
from kg.vocab import DCTERMS, FABIO, FOAF, LANGUAGE_IRI, PRISM, SCHEMA, SKOS

_CACHE: FragmentCache[tuple, tuple[NamedNode, Fragment]] = FragmentCache(500)


def map_journal(out: GraphBuilder, minter: Minter, journal: Journal) -> NamedNode:
    """Add the journal's triples (from the cache when this journal record was mapped before); its IRI."""
    key = (minter.base, record_key(journal))
    iri, ntriples = _CACHE.get(key, _describe, minter, journal)
    out.fragment(ntriples)
    return iri


def _describe(minter: Minter, journal: Journal) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    iri = minter.journal(journal.key)
    out.types(iri, SCHEMA.Periodical, FABIO.Journal)
    for lang, title in journal.title.items():
        out.text(iri, (SCHEMA.name, DCTERMS.title), title, lang)
    if journal.short_title:
        out.value(iri, (SCHEMA.alternateName, FABIO.hasShortTitle), journal.short_title)
    for scheme, issn, prism_term in (
        ("issn-print", journal.issn_print, PRISM.issn),
        ("issn-online", journal.issn_online, PRISM.eIssn),
    ):
        if issn:
            out.value(iri, (SCHEMA.issn, prism_term), issn)
            map_identifier(out, minter, iri, scheme, issn)
    if journal.doi:
        out.value(iri, PRISM.doi, journal.doi)
        out.link(iri, SCHEMA.sameAs, "https://doi.org/" + journal.doi)
        map_identifier(out, minter, iri, "doi", journal.doi)
    for scheme, value in sorted(journal.local_ids.items()):
        map_identifier(out, minter, iri, scheme, value)
    out.link(iri, (SCHEMA.url, FOAF.homepage), journal.web_url)
    if journal.language in LANGUAGE_IRI:
        out.value(iri, SCHEMA.inLanguage, journal.language)
        out.add(iri, DCTERMS.language, LANGUAGE_IRI[journal.language])
    if journal.subject:
        label = journal.subject.en or journal.subject.fa
        subject = minter.journal_subject(journal.key, label)
        out.add(iri, (SCHEMA.about, FABIO.hasDiscipline), subject)
        out.types(subject, SCHEMA.DefinedTerm, SKOS.Concept, FABIO.SubjectDiscipline)
        for lang, text in journal.subject.items():
            out.text(subject, (SCHEMA.name, SKOS.prefLabel), text, lang)
    publisher = map_organization(out, minter, journal.publisher)
    if publisher is not None:  # PubMed's PublisherName
        out.add(iri, (SCHEMA.publisher, DCTERMS.publisher), publisher)
    return iri, out.ntriples()
