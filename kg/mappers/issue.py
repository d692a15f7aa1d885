"""Volume and issue -> ``schema:PublicationVolume``/``PublicationIssue`` + FaBiO (data model 3.2, 4.8).

The Gregorian date is published as declared (``xsd:date``); the Jalali date as an OWL-Time description
in the Solar Hijri calendar, never as an ``xsd:date`` (which is Gregorian only).

All the articles of a file share their issue: its description is serialised once and cached.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder, record_key
from kg.records import JournalIssue
from kg.vocab import FABIO, FRBR, PRISM, RDFS, SCHEMA, SOLAR_HIJRI_DBPEDIA, TIME, XSD

# An issue recurs only in the files read together (inputs are sorted): a few recent ones are enough.
_CACHE: FragmentCache[tuple, tuple[NamedNode, Fragment]] = FragmentCache(64)


def map_issue(
    out: GraphBuilder, minter: Minter, journal_key: str, journal: NamedNode, issue: JournalIssue
) -> NamedNode:
    """Add the volume's and issue's triples (cached per issue record); the issue's IRI."""
    key = (minter.base, journal_key, journal.value, record_key(issue))
    iri, ntriples = _CACHE.get(key, _describe, minter, journal_key, journal, issue)
    out.fragment(ntriples)
    return iri


def _describe(minter: Minter, journal_key: str, journal: NamedNode, issue: JournalIssue) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    parent = journal
    if issue.volume:
        volume = minter.volume(journal_key, issue.volume)
        out.types(volume, SCHEMA.PublicationVolume, FABIO.JournalVolume)
        out.value(volume, (SCHEMA.volumeNumber, FABIO.hasSequenceIdentifier), issue.volume)
        out.add(volume, (SCHEMA.isPartOf, FRBR.partOf), journal)
        parent = volume
    iri = minter.issue(journal_key, issue.volume, issue.number)
    out.types(iri, SCHEMA.PublicationIssue, FABIO.JournalIssue)
    out.value(iri, (SCHEMA.issueNumber, FABIO.hasSequenceIdentifier), issue.number)
    out.add(iri, (SCHEMA.isPartOf, FRBR.partOf), parent)
    if issue.gregorian_date:
        out.value(iri, (SCHEMA.datePublished, PRISM.publicationDate), issue.gregorian_date, XSD.date)
    if issue.jalali_date:
        date = issue.jalali_date
        instant = minter.jalali_date(iri)
        description = minter.jalali_date_description(iri)
        calendar = minter.calendar()
        out.add(iri, TIME.hasTime, instant)
        out.types(instant, TIME.Instant)
        out.add(instant, TIME.inDateTime, description)
        out.types(description, TIME.GeneralDateTimeDescription)
        out.add(description, TIME.hasTRS, calendar)
        out.add(description, TIME.unitType, TIME.unitDay)
        out.value(description, TIME.year, str(date.year), TIME.generalYear)
        out.value(description, TIME.month, f"--{date.month:02d}", TIME.generalMonth)
        out.value(description, TIME.day, f"---{date.day:02d}", TIME.generalDay)
        out.types(calendar, TIME.TRS)
        out.text(calendar, (SCHEMA.name, RDFS.label), "Solar Hijri calendar", "en")
        out.text(calendar, (SCHEMA.name, RDFS.label), "گاه‌شماری هجری خورشیدی", "fa")
        out.add(calendar, SCHEMA.sameAs, SOLAR_HIJRI_DBPEDIA)
    return iri, out.ntriples()
