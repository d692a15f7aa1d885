"""The little builder every mapper writes into: the triples of one named graph, no I/O.

Mappers add triples with ``add`` (IRI or literal object), ``text`` (a language-tagged literal, skipped
when empty: the data model publishes no empty literals) and ``value`` (a plain or typed literal).

Terms are pyoxigraph ``NamedNode``/``Literal`` objects, so every IRI is checked when it is made; but the
triples are kept as plain tuples and written as N-Quads text by ``nquads``: building a pyoxigraph
``Quad`` costs 1.6 µs and its serialisation as much again, which made quads the largest cost of a build.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg.vocab import RDF_TYPE, XSD

_XSD_STRING = XSD.string.value


def _literal(literal: Literal) -> str:
    value = literal.value
    if "\\" in value or '"' in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    language = literal.language
    if language:
        return f'"{value}"@{language}'
    datatype = literal.datatype.value
    return f'"{value}"' if datatype == _XSD_STRING else f'"{value}"^^<{datatype}>'


class GraphBuilder:
    def __init__(self, graph: NamedNode) -> None:
        self.graph = graph
        self.triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = []

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.triples.append((subject, predicate, obj))

    def nquads(self) -> tuple[bytes, int]:
        """The graph as N-Quads, each quad once in first-seen order, and the number of quads."""
        suffix = f" <{self.graph.value}> .\n"
        lines = dict.fromkeys(
            f"<{subject.value}> <{predicate.value}> "
            f"{f'<{obj.value}>' if type(obj) is NamedNode else _literal(obj)}{suffix}"
            for subject, predicate, obj in self.triples
        )
        return "".join(lines).encode("utf-8"), len(lines)

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
