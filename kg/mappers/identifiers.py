"""Identifier nodes: one ``datacite:Identifier`` per scheme per thing, as OpenCitations does.

A node gives the identifier's scheme and value (``literal:hasLiteralValue``); schema.org consumers get the
same node as a ``schema:PropertyValue`` with ``propertyID`` and ``value``.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.vocab import DATACITE, LITERAL, SCHEMA

# scheme slug in the IRI -> (DataCite scheme individual, schema.org propertyID)
SCHEMES: dict[str, tuple[NamedNode, str]] = {
    "issn-print": (DATACITE.issn, "ISSN"),
    "issn-online": (DATACITE.eissn, "eISSN"),
    "doi": (DATACITE.doi, "DOI"),
    "orcid": (DATACITE.orcid, "ORCID"),
    "pii": (DATACITE["local-resource-identifier-scheme"], "PII"),
    "pubmed": (DATACITE.pmid, "PMID"),
    "pmc": (DATACITE.pmcid, "PMCID"),
    "magiran": (DATACITE["local-resource-identifier-scheme"], "magiran"),
    "sid": (DATACITE["local-resource-identifier-scheme"], "SID"),
    "nlai": (DATACITE["local-resource-identifier-scheme"], "NLAI"),
    "iranmedex": (DATACITE["local-resource-identifier-scheme"], "IranMedex"),
    "science": (DATACITE["local-resource-identifier-scheme"], "ISC"),
    "source-code": (DATACITE["local-personal-identifier-scheme"], "source-system author code"),
}


def map_identifier(out: GraphBuilder, minter: Minter, thing: NamedNode, scheme: str, value: str) -> NamedNode:
    datacite_scheme, property_id = SCHEMES[scheme]
    node = minter.identifier(thing, scheme)
    out.add(thing, (DATACITE.hasIdentifier, SCHEMA.identifier), node)
    out.types(node, DATACITE.Identifier, SCHEMA.PropertyValue)
    out.add(node, DATACITE.usesIdentifierScheme, datacite_scheme)
    out.value(node, (LITERAL.hasLiteralValue, SCHEMA.value), value)
    out.value(node, SCHEMA.propertyID, property_id)
    return node
