"""Affiliation -> an "as-stated" ``schema:Organization`` (data model 4.3).

The printed string is kept verbatim as the name; it is not split into job title, department and
university, because a wrong structure is worse than verbatim text. One node per distinct normalised
English string (or Persian, when there is no English; ``kg.iris.affiliation_key``), so the same
affiliation in two files meets, whatever trailing period or letter variant it carries.
Affiliations recur: each distinct one is hashed into its IRI and serialised once per process.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder
from kg.records import LangText
from kg.vocab import FOAF, SCHEMA

_CACHE: FragmentCache[tuple[str, str, str], tuple[NamedNode, Fragment]] = FragmentCache(5_000)


def map_organization(out: GraphBuilder, minter: Minter, affiliation: LangText) -> NamedNode | None:
    """Add the organization an affiliation names (cached per affiliation); its IRI, None if there is none."""
    if not affiliation:
        return None
    iri, ntriples = _CACHE.get((minter.base, affiliation.fa, affiliation.en), _describe, minter, affiliation)
    out.fragment(ntriples)
    return iri


def _describe(minter: Minter, affiliation: LangText) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    iri = minter.organization(affiliation.en, "en") if affiliation.en else minter.organization(affiliation.fa, "fa")
    out.types(iri, SCHEMA.Organization, FOAF.Organization)
    for lang, name in affiliation.items():
        out.text(iri, (SCHEMA.name, FOAF.name), name, lang)
    return iri, out.ntriples()
