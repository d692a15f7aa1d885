"""The little builder every mapper writes into: quads of one named graph, no I/O.

Mappers add triples with ``add`` (IRI or literal object), ``text`` (a language-tagged literal, skipped
when empty: the data model publishes no empty literals) and ``value`` (a plain or typed literal).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg.vocab import RDF_TYPE, XSD


class GraphBuilder:
    def __init__(self, graph: NamedNode) -> None:
        self.graph = graph
        self.quads: list[Quad] = []

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.quads.append(Quad(subject, predicate, obj, self.graph))

    def types(self, subject: NamedNode, *classes: NamedNode) -> None:
        for cls in classes:
            self.add(subject, RDF_TYPE, cls)

    def text(self, subject: NamedNode, predicates: tuple[NamedNode, ...] | NamedNode, value: str,
             lang: str) -> None:
        if not value:
            return
        literal = Literal(value, language=lang)
        for predicate in predicates if isinstance(predicates, tuple) else (predicates,):
            self.add(subject, predicate, literal)

    def value(self, subject: NamedNode, predicates: tuple[NamedNode, ...] | NamedNode, value: str | int,
              datatype: NamedNode | None = None) -> None:
        if value == "" or value is None:
            return
        if isinstance(value, int) and datatype is None:
            literal = Literal(str(value), datatype=XSD.integer)
        else:
            literal = Literal(str(value), datatype=datatype) if datatype else Literal(str(value))
        for predicate in predicates if isinstance(predicates, tuple) else (predicates,):
            self.add(subject, predicate, literal)

    def link(self, subject: NamedNode, predicates: tuple[NamedNode, ...] | NamedNode, iri: str) -> None:
        if not iri:
            return
        node = NamedNode(iri)
        for predicate in predicates if isinstance(predicates, tuple) else (predicates,):
            self.add(subject, predicate, node)
