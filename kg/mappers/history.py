"""An article's history (received, revised, accepted, published) and its PDF (data model 3.3, PubMed input).

The dates come from PubMed/OJS ``<History>``: ``fabio:hasDateReceived`` for received, ``dcterms:dateAccepted``
for accepted, ``kg:dateRevised`` (ontology/kg.ttl: no reused vocabulary has it) for revised, and
``dcterms:issued`` for the article's own publication date, kept apart from ``schema:datePublished``, which
the issue's date gives every article of the issue. The PDF is a ``schema:MediaObject`` linked with
``schema:encoding`` (not a second ``fabio:DigitalManifestation``: that one describes the article's pages).
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.mappers.identifiers import map_identifier
from kg.records import Article
from kg.vocab import DCTERMS, FABIO, KG, SCHEMA, XSD

HISTORY_TERMS: dict[str, NamedNode] = {
    "received": FABIO.hasDateReceived,
    "revised": KG.dateRevised,
    "accepted": DCTERMS.dateAccepted,
    "published": DCTERMS.issued,
}


def map_history(out: GraphBuilder, minter: Minter, iri: NamedNode, article: Article) -> None:
    """The history dates, the PDF and the article's PII/PMID/PMC identifiers."""
    for status, date in sorted(article.history.items()):
        out.value(iri, HISTORY_TERMS[status], date, XSD.date)
    if article.pdf_url:
        pdf = Minter.child(iri, "pdf")
        out.add(iri, SCHEMA.encoding, pdf)
        out.types(pdf, SCHEMA.MediaObject)
        out.link(pdf, SCHEMA.contentUrl, article.pdf_url)
        out.value(pdf, SCHEMA.encodingFormat, "application/pdf")
    for scheme, value in sorted(article.local_ids.items()):
        map_identifier(out, minter, iri, scheme, value)
