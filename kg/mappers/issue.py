"""Volume and issue -> ``schema:PublicationVolume``/``PublicationIssue`` + FaBiO (data model 3.2, 4.8).

The Gregorian date is published as declared (``xsd:date``); the Jalali date as an OWL-Time description
in the Solar Hijri calendar, never as an ``xsd:date`` (which is Gregorian only).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.records import JournalIssue
from kg.vocab import FABIO, FRBR, PRISM, RDFS, SCHEMA, SOLAR_HIJRI_DBPEDIA, TIME, XSD


def map_issue(out: GraphBuilder, minter: Minter, journal_key: str, journal: NamedNode,
              issue: JournalIssue) -> NamedNode:
    parent = journal
    if issue.volume:
        volume = minter.volume(journal_key, issue.volume)
        out.types(volume, SCHEMA.PublicationVolume, FABIO.JournalVolume)
        out.value(volume, (SCHEMA.volumeNumber, FABIO.hasSequenceIdentifier), issue.volume)
        out.add(volume, SCHEMA.isPartOf, journal)
        out.add(volume, FRBR.partOf, journal)
        parent = volume
    iri = minter.issue(journal_key, issue.volume, issue.number)
    out.types(iri, SCHEMA.PublicationIssue, FABIO.JournalIssue)
    out.value(iri, (SCHEMA.issueNumber, FABIO.hasSequenceIdentifier), issue.number)
    out.add(iri, SCHEMA.isPartOf, parent)
    out.add(iri, FRBR.partOf, parent)
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
        out.add(description, TIME.year, Literal(str(date.year), datatype=TIME.generalYear))
        out.add(description, TIME.month, Literal(f"--{date.month:02d}", datatype=TIME.generalMonth))
        out.add(description, TIME.day, Literal(f"---{date.day:02d}", datatype=TIME.generalDay))
        out.types(calendar, TIME.TRS)
        out.text(calendar, (SCHEMA.name, RDFS.label), "Solar Hijri calendar", "en")
        out.text(calendar, (SCHEMA.name, RDFS.label), "گاه‌شماری هجری خورشیدی", "fa")
        out.add(calendar, SCHEMA.sameAs, SOLAR_HIJRI_DBPEDIA)
    return iri
