"""A SHACL result as kg reports it, and the W3C validation report made of such results.

Both validators (``Validator``, ``PyShaclValidator``) and the store check give ``ValidationResult``
objects, so that the build's report, ``kg validate`` and the tests compare and print one kind of thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from kg.validation.paths import simple_path
from kg.validation.shapes import SEVERITY_IRI, SH
from kg.vocab import SHAPES_NS

SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}
# One problem per cause: a shape whose result only restates what the reader already reported for the same
# article (naming the field and the value as written) is not reported a second time. Shape -> reader codes.
RESTATED_BY_READER: dict[str, frozenset[str]] = {
    SHAPES_NS + "Article-genre": frozenset({"unmapped-article-type"}),
}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, in the words a journal editor reads (``message``) and the IRIs a developer needs.

    ``severity`` is "violation" (the article is not published), "warning" (published, a person should
    look) or "info". ``path`` is the property IRI, or a SPARQL property path (``^<iri>``) for inverse and
    other complex paths; ``value`` is the offending value's IRI or lexical form, "" when there is none.
    """

    severity: str
    shape: str
    focus: str
    path: str
    value: str
    message: str
    component: str = ""
    value_n3: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict[str, str]:
        fields = ("severity", "shape", "focus", "path", "value", "message", "component")
        return {name: getattr(self, name) for name in fields if getattr(self, name)}

    @staticmethod
    def report_turtle(results: Sequence[ValidationResult]) -> str:
        """The SHACL validation report (``sh:ValidationReport``) of these results, as Turtle."""
        return report_graph(results).serialize(format="turtle")


def without_restated(results: Sequence[ValidationResult], reader_codes: set[str]) -> list[ValidationResult]:
    """The results less those that restate a reader problem of the same article (``RESTATED_BY_READER``):
    an unmapped article type is one warning (the reader's, with the label as written), not two."""
    return [item for item in results if not (RESTATED_BY_READER.get(item.shape, frozenset()) & reader_codes)]


def sort_key(item: ValidationResult) -> tuple:
    return (SEVERITY_ORDER.get(item.severity, 9), item.shape, item.focus, item.path, item.value)


def report_graph(results: Sequence[ValidationResult]) -> rdflib.Graph:
    """A W3C SHACL validation report graph for these results (``sh:conforms`` false iff any result)."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    graph.bind("kgsh", SHAPES_NS)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not results)))
    for item in sorted(results, key=sort_key):
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SEVERITY_IRI.get(item.severity, SH.Violation)))
        graph.add((node, SH.focusNode, URIRef(item.focus)))
        if item.shape:
            graph.add((node, SH.sourceShape, URIRef(item.shape)))
        if item.component:
            graph.add((node, SH.sourceConstraintComponent, URIRef(item.component)))
        graph.add((node, SH.resultMessage, Literal(item.message, lang="en")))
        _add_path(graph, node, item.path)
        if item.value_n3:
            value = rdflib.util.from_n3(item.value_n3)
            assert isinstance(value, rdflib.term.Node), item.value_n3  # written by a validator: a term
            graph.add((node, SH.value, value))
        elif item.value:
            graph.add((node, SH.value, Literal(item.value)))
    return graph


def _add_path(graph: rdflib.Graph, node: BNode, path: str) -> None:
    predicate, inverse = simple_path(path)
    if predicate is None:
        return
    if inverse:
        path_node = BNode()
        graph.add((path_node, SH.inversePath, predicate))
        graph.add((node, SH.resultPath, path_node))
    else:
        graph.add((node, SH.resultPath, predicate))
