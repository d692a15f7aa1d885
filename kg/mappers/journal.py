"""Journal -> ``schema:Periodical`` + ``fabio:Journal`` (data model 3.1 and 4.5)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.mappers.identifiers import map_identifier
from kg.records import Journal
from kg.vocab import DCTERMS, FABIO, FOAF, LANGUAGE_IRI, PRISM, SCHEMA, SKOS


def map_journal(out: GraphBuilder, minter: Minter, journal: Journal) -> NamedNode:
    iri = minter.journal(journal.key)
    out.types(iri, SCHEMA.Periodical, FABIO.Journal)
    for lang, title in journal.title.items():
        out.text(iri, (SCHEMA.name, DCTERMS.title), title, lang)
    if journal.short_title:
        out.value(iri, (SCHEMA.alternateName, FABIO.hasShortTitle), journal.short_title)
    for scheme, issn, prism_term in (("issn-print", journal.issn_print, PRISM.issn),
                                     ("issn-online", journal.issn_online, PRISM.eIssn)):
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
        out.add(iri, SCHEMA.about, subject)
        out.add(iri, FABIO.hasDiscipline, subject)
        out.types(subject, SCHEMA.DefinedTerm, SKOS.Concept, FABIO.SubjectDiscipline)
        for lang, text in journal.subject.items():
            out.text(subject, (SCHEMA.name, SKOS.prefLabel), text, lang)
    return iri
