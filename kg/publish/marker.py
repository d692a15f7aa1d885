"""The release marker: a small graph that says which release a SPARQL store holds, and since when.

``kg publish --to`` writes it last, after every article graph has been sent, so a front end
(:mod:`kg.server.remote`) that reads a new release id knows the data under it is complete, and drops its
caches. The marker is a VoID description of the dataset in the graph ``BASE/graph/release``
(:meth:`kg.iris.Minter.release_graph`)::

    <BASE/id/dataset> a void:Dataset ; dcterms:identifier "RELEASE-ID" ;
        dcterms:modified "2026-12-06T04:00:00Z"^^xsd:dateTime ; void:uriSpace "BASE/" .

Front ends find it without knowing the base (one small query over the graphs named ``.../graph/release``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, Triple

from kg.iris import Minter
from kg.vocab import DCTERMS, RDF_TYPE, VOID, XSD

MARKER_QUERY = (
    "SELECT ?id ?time ?space WHERE { GRAPH ?g { ?d a <http://rdfs.org/ns/void#Dataset> ; "
    "<http://purl.org/dc/terms/identifier> ?id ; <http://purl.org/dc/terms/modified> ?time ; "
    '<http://rdfs.org/ns/void#uriSpace> ?space } FILTER(STRENDS(STR(?g), "/graph/release")) } '
    "ORDER BY DESC(STR(?time)) LIMIT 1"
)


@dataclass(frozen=True)
class Marker:
    release: str
    published: str  # xsd:dateTime, UTC
    base: str


def marker_triples(base: str, release_id: str, published: str) -> list[Triple]:
    """The marker graph's triples (its graph IRI is ``Minter(base).release_graph()``)."""
    minter = Minter(base)
    dataset = minter.dataset()
    return [
        Triple(dataset, RDF_TYPE, VOID.Dataset),
        Triple(dataset, DCTERMS.identifier, Literal(release_id)),
        Triple(dataset, DCTERMS.modified, Literal(published, datatype=XSD.dateTime)),
        Triple(dataset, VOID.uriSpace, Literal(minter.base + "/")),
    ]


def marker_from_solutions(results: dict[str, Any]) -> Marker | None:
    """The marker from the SPARQL JSON results of :data:`MARKER_QUERY` (None when the store has none)."""
    bindings = results.get("results", {}).get("bindings", [])
    if not bindings:
        return None
    row = bindings[0]
    try:
        return Marker(row["id"]["value"], row["time"]["value"], row["space"]["value"].rstrip("/"))
    except KeyError:
        return None
