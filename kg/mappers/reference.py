"""An article's reference list -> one ``fabio:Expression``/``schema:CreativeWork`` per entry, cited with
``cito:cites`` (and ``schema:citation``), as OpenCitations does.

A reference is a node of the citing article (``{article}/reference/{n}``): the same cited work in two
articles' lists is two nodes unless a DOI joins them, and the DOI is given as ``prism:doi`` and as a
``schema:sameAs`` link, which is how a consumer joins them. The citation text is kept as printed
(``dcterms:bibliographicCitation``); it is not parsed into authors and titles, since a wrong parse is worse.
Its place in the list is the last segment of its IRI (``schema:position`` is kept for authorship roles,
which shapes/authorship.ttl checks by it).
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.records import Reference
from kg.vocab import CITO, DCTERMS, FABIO, PRISM, SCHEMA


def map_references(out: GraphBuilder, iri: NamedNode, references: list[Reference]) -> None:
    for reference in references:
        node = Minter.child(iri, "reference", str(reference.position))
        out.add(iri, (CITO.cites, SCHEMA.citation), node)
        out.types(node, FABIO.Expression, SCHEMA.CreativeWork)
        out.value(node, DCTERMS.bibliographicCitation, reference.citation)
        if reference.doi:
            out.value(node, PRISM.doi, reference.doi)
            out.link(node, SCHEMA.sameAs, "https://doi.org/" + reference.doi)
