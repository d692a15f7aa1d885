"""The reference validator: pySHACL, an independent implementation of SHACL, for a second opinion.

About 60 ms of CPU per article graph against about 3 ms for the build's ``Validator``, so the build does
not use it: the tests run both on every shape's examples and on the sample and synthetic batches and
require identical results, and ``kg validate --engine pyshacl`` offers it to anyone who wants a second
opinion. Importing this module loads pySHACL; nothing else in kg does.
"""

from __future__ import annotations

import logging
from pathlib import Path

import rdflib
from pyoxigraph import BlankNode as OxBlankNode
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode as OxNamedNode
from pyoxigraph import RdfFormat, parse
from pyshacl import Validator as ShaclValidator
from pyshacl.graph_abstraction import DataGraph
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql import prepareQuery

from kg.validation.attribution import attribute_all
from kg.validation.paths import render_path
from kg.validation.results import ValidationResult, sort_key
from kg.validation.shapes import SH, load_shapes, max_counts, severity


def _speed_up_pyshacl() -> None:
    """Make pySHACL look up constraint parameters in a set instead of a list.

    For every shape it validates, pySHACL tests each predicate of the shape for membership in a list of
    about forty constraint parameters (``pyshacl.shape.Shape.validate``); with rdflib's ``URIRef.__eq__``
    that was a fifth of our validation time. pySHACL caches the list on its module as
    ``CONSTRAINT_PARAMS``; giving it a frozenset there changes nothing but the cost of ``in``. If a
    later pySHACL drops that cache, this does nothing.
    """
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    if not hasattr(pyshacl.shape, "CONSTRAINT_PARAMS") and "CONSTRAINT_PARAMS" not in dir(pyshacl.shape):
        # pySHACL's own cache, not part of its typed interface
        pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            frozenset(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


_speed_up_pyshacl()

log = logging.getLogger(__name__)

_XSD_STRING = str(XSD.string)


class PyShaclValidator:
    """The reference validator: pySHACL over rdflib graphs, batches merged and results attributed.

    Slow (about 60 ms of CPU per article graph) but an independent implementation of SHACL: the tests run
    it beside ``Validator`` and require the same results. ``kg validate --engine pyshacl`` uses it.
    """

    def __init__(self, shapes_dir: Path | None = None) -> None:
        self.shapes_dir = shapes_dir
        self.shapes = load_shapes(self.shapes_dir)
        self._convert = _TermCache()
        self._limits = max_counts(self.shapes)
        log.debug("loaded %d shape triples from %s", len(self.shapes), self.shapes_dir)

    def validate_graph(self, data: rdflib.Graph) -> list[ValidationResult]:
        """All results for one rdflib graph, unattributed (tests and small inputs)."""
        return sorted(self._run(data), key=sort_key)

    def _run(self, data: rdflib.Graph) -> list[ValidationResult]:
        validator = ShaclValidator(
            DataGraph.from_rdflib(data),
            shacl_graph=self.shapes,
            options={"inference": "none", "inplace": True, "advanced": False, "logger": log},
        )
        _, report, _ = validator.run()
        return _results(report)

    def validate_articles(self, articles: list[tuple[str, bytes]]) -> dict[str, list[ValidationResult]]:
        """Validate a batch of (article graph IRI, N-Quads/N-Triples bytes) in one pySHACL run.

        Returns every graph IRI of the batch mapped to its results (an empty list when it conforms).
        """
        if not articles:
            return {}
        data = _PreparedQueryGraph()
        for _, payload in articles:
            for triple in _parse(payload, self._convert):
                data.add(triple)
        return attribute_all(articles, self._run(data), self._limits, self._alone)

    def _alone(self, graph_iri: str, payload: bytes) -> list[ValidationResult]:
        """One article graph validated on its own (to attribute a result on a node graphs share)."""
        data = _PreparedQueryGraph()
        for triple in _parse(payload, self._convert):
            data.add(triple)
        return self._run(data)


class _TermCache:
    """pyoxigraph terms -> rdflib terms, memoised: batches repeat the same IRIs and literals a lot."""

    def __init__(self) -> None:
        self._cache: dict[object, rdflib.term.Node] = {}

    def __call__(self, term: object) -> rdflib.term.Node:
        found = self._cache.get(term)
        if found is None:
            found = self._cache[term] = self._convert(term)
        return found

    @staticmethod
    def _convert(term: object) -> rdflib.term.Node:
        if isinstance(term, OxNamedNode):
            return URIRef(term.value)
        if isinstance(term, OxLiteral):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(datatype))
        if isinstance(term, OxBlankNode):
            return BNode(term.value)
        raise TypeError(f"unsupported term {term!r}")


def _parse(data: bytes, convert: _TermCache) -> list[tuple]:
    """N-Quads or N-Triples bytes as rdflib triples (graph names are dropped: the caller knows it)."""
    return [
        (convert(q.subject), convert(q.predicate), convert(q.object)) for q in parse(data, format=RdfFormat.N_QUADS)
    ]


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once per process.

    pySHACL runs a SHACL-SPARQL constraint once per focus node and hands rdflib the query *text* each
    time; rdflib's SPARQL parser then costs far more than the evaluation (about 100 ms against 1 ms for
    the date check). Keeping the parsed algebra makes SPARQL constraints about as cheap as core ones.
    """

    _prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def _results(report: rdflib.Graph) -> list[ValidationResult]:
    """The results of pySHACL's report graph."""
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        out.append(
            ValidationResult(
                severity=severity(report.value(node, SH.resultSeverity)),
                shape=str(report.value(node, SH.sourceShape) or ""),
                focus=str(focus),
                path=render_path(report, report.value(node, SH.resultPath)),
                value="" if value is None else str(value),
                message=" ".join(sorted(messages)),
                component=str(report.value(node, SH.sourceConstraintComponent) or ""),
                value_n3="" if value is None or isinstance(value, BNode) else value.n3(),
            )
        )
    return out
