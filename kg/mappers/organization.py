"""Affiliation -> an "as-stated" ``schema:Organization`` (data model 4.3).

The printed string is kept verbatim as the name; it is not split into job title, department and
university, because a wrong structure is worse than verbatim text. One node per distinct normalised
English string (or Persian, when there is no English), so the same affiliation in two files meets.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.records import LangText
from kg.vocab import FOAF, SCHEMA


def map_organization(out: GraphBuilder, minter: Minter, affiliation: LangText) -> NamedNode | None:
    if not affiliation:
        return None
    key = affiliation.en if affiliation.en else "fa:" + affiliation.fa
    iri = minter.organization(key)
    out.types(iri, SCHEMA.Organization, FOAF.Organization)
    for lang, name in affiliation.items():
        out.text(iri, (SCHEMA.name, FOAF.name), name, lang)
    return iri
