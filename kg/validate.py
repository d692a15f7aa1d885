"""SHACL validation of article graphs in batches, with every result attributed to its article.

The build validates articles in worker processes. pySHACL's cost is mostly per run (target selection,
shape dispatch), not per triple, so one run over a batch of 50-200 article graphs merged into one data
graph is about twice as fast per article as one run per article. Merging loses which graph a triple came
from, so the batch keeps an index from every node to the article graphs that mention it and maps each
result's focus node (and, where the result names one, its value) back to those graphs.

One thing merging could invent: two article graphs that describe a shared node (a journal, a person, a
keyword) differently can break a cardinality (``sh:maxCount``, ``sh:uniqueLang``) that neither breaks
alone. Such results are re-checked against each graph on its own and kept only where the graph alone
breaks the rule, so a batch gives each article exactly the verdict it would get validated alone. The
conflicts themselves are what ``validate_store`` looks for across the published store.

Shapes are loaded once per process (``Validator()``); ``shapes/store.ttl`` holds the store-wide shapes,
which ``kg.validation_store`` runs in bulk with pyoxigraph instead.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
        pyshacl.shape.CONSTRAINT_PARAMS = (frozenset(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


_speed_up_pyshacl()

log = logging.getLogger(__name__)

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"
STORE_SHAPES_FILE = "store.ttl"
SHAPES_NS = "https://w3id.org/kg/shapes#"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_IRI = {name: iri for iri, name in SEVERITIES.items()}
SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}
# Components whose verdict can change when two graphs' descriptions of one node are merged.
_MERGE_SENSITIVE = {SH.MaxCountConstraintComponent, SH.UniqueLangConstraintComponent}
_XSD_STRING = str(XSD.string)


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


# ------------------------------------------------------------------------------------ shapes
def shape_files(shapes_dir: Path | None = None, store: bool = False) -> list[Path]:
    """The shapes files: every ``*.ttl`` but ``store.ttl`` (or only that one, when ``store``)."""
    folder = Path(shapes_dir or SHAPES_DIR)
    files = sorted(folder.glob("*.ttl"))
    return [f for f in files if (f.name == STORE_SHAPES_FILE) == store]


def load_shapes(shapes_dir: Path | None = None, store: bool = False) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shape_files(shapes_dir, store):
        graph.parse(path, format="turtle")
    return graph


# ------------------------------------------------------------------------------- conversion
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
    return [(convert(q.subject), convert(q.predicate), convert(q.object))
            for q in parse(data, format=RdfFormat.N_QUADS)]


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once per process.

    pySHACL runs a SHACL-SPARQL constraint once per focus node and hands rdflib the query *text* each
    time; rdflib's SPARQL parser then costs far more than the evaluation (about 100 ms against 1 ms for
    the date check). Keeping the parsed algebra makes SPARQL constraints about as cheap as core ones.
    """

    _prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


# ----------------------------------------------------------------------------------- results
def _render_path(report: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^<{inverse}>"
    for key, suffix in ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?")):
        inner = report.value(path, key)
        if inner is not None:
            return f"{_render_path(report, inner)}{suffix}" if isinstance(inner, BNode) else f"<{inner}>{suffix}"
    if (path, RDF.first, None) in report:
        return "/".join(
            _render_path(report, item) if isinstance(item, BNode) else f"<{item}>"
            for item in rdflib.collection.Collection(report, path)
        )
    return ""


def _results(report: rdflib.Graph) -> list[tuple[ValidationResult, rdflib.term.Node, rdflib.term.Node | None]]:
    """The report's results, each with its focus term and value term (for attribution)."""
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        item = ValidationResult(
            severity=SEVERITIES.get(report.value(node, SH.resultSeverity), "violation"),
            shape=str(report.value(node, SH.sourceShape) or ""),
            focus=str(focus),
            path=_render_path(report, report.value(node, SH.resultPath)),
            value="" if value is None else str(value),
            message=" ".join(sorted(messages)),
            component=str(report.value(node, SH.sourceConstraintComponent) or ""),
            value_n3="" if value is None or isinstance(value, BNode) else value.n3(),
        )
        out.append((item, focus, value))
    return out


def sort_key(item: ValidationResult) -> tuple:
    return (SEVERITY_ORDER.get(item.severity, 9), item.shape, item.focus, item.path, item.value)


# --------------------------------------------------------------------------------- validator
class Validator:
    """Validates batches of article graphs against the shapes; create one per process and reuse it."""

    def __init__(self, shapes_dir: Path | None = None) -> None:
        self.shapes_dir = Path(shapes_dir or SHAPES_DIR)
        self.shapes = load_shapes(self.shapes_dir)
        self._convert = _TermCache()
        self._limits: dict[str, int] = {
            str(shape): int(limit) for shape, limit in self.shapes.subject_objects(SH.maxCount)
        }
        log.debug("loaded %d shape triples from %s", len(self.shapes), self.shapes_dir)

    def validate_graph(self, data: rdflib.Graph) -> list[ValidationResult]:
        """All results for one rdflib graph, unattributed (tests and small inputs)."""
        return sorted((item for item, _, _ in self._run(data)), key=sort_key)

    def _run(self, data: rdflib.Graph):
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
        data = _PreparedQueryGraph()
        own: dict[str, list[tuple]] = {}
        mentions: dict[rdflib.term.Node, set[str]] = defaultdict(set)
        for graph_iri, payload in articles:
            triples = _parse(payload, self._convert)
            own[graph_iri] = triples
            for s, p, o in triples:
                data.add((s, p, o))
                mentions[s].add(graph_iri)
                mentions[o].add(graph_iri)
        verdicts: dict[str, list[ValidationResult]] = {graph_iri: [] for graph_iri, _ in articles}
        if not articles:
            return verdicts
        index = _TripleIndex(own)
        for item, focus, value in self._run(data):
            graphs = self._attribute(item, focus, value, mentions, index)
            if not graphs:
                log.debug("cross-article conflict left to validate_store: %s on %s", item.shape, item.focus)
            for graph_iri in graphs:
                verdicts[graph_iri].append(item)
        for found in verdicts.values():
            found.sort(key=sort_key)
        return verdicts

    def _attribute(self, item: ValidationResult, focus, value, mentions, index: _TripleIndex) -> list[str]:
        graphs = sorted(mentions.get(focus, ()))
        if len(graphs) <= 1:
            return graphs
        predicate, inverse = _simple_path(item.path)
        if predicate is None:
            return graphs
        if value is not None and not isinstance(value, BNode):
            triple = (value, predicate, focus) if inverse else (focus, predicate, value)
            holding = [g for g in graphs if index.has(g, triple)]
            if holding:
                return holding
        if URIRef(item.component) in _MERGE_SENSITIVE:
            return [g for g in graphs if self._breaks_alone(item, index.values(g, focus, predicate, inverse))]
        return graphs

    def _breaks_alone(self, item: ValidationResult, values: list) -> bool:
        if item.component == str(SH.UniqueLangConstraintComponent):
            langs = [v.language for v in values if isinstance(v, Literal) and v.language]
            return len(langs) != len(set(langs))
        return len(values) > self._limits.get(item.shape, len(values))


def _simple_path(path: str) -> tuple[URIRef | None, bool]:
    """The predicate of a plain (``iri``) or inverse (``^<iri>``) path; None for longer paths."""
    if path.startswith("^<") and path.endswith(">") and path.count("<") == 1:
        return URIRef(path[2:-1]), True
    if path and not path.startswith(("^", "<")):
        return URIRef(path), False
    return None, False


class _TripleIndex:
    """Each article's own triples, indexed lazily by (subject, predicate) and (object, predicate)."""

    def __init__(self, own: dict[str, list[tuple]]) -> None:
        self.own = own
        self._sets: dict[str, set[tuple]] = {}

    def _set(self, graph: str) -> set[tuple]:
        found = self._sets.get(graph)
        if found is None:
            found = self._sets[graph] = set(self.own[graph])
        return found

    def has(self, graph: str, triple: tuple) -> bool:
        return triple in self._set(graph)

    def values(self, graph: str, focus, predicate, inverse: bool) -> list:
        if inverse:
            return [s for s, p, o in self.own[graph] if p == predicate and o == focus]
        return [o for s, p, o in self.own[graph] if s == focus and p == predicate]


# ------------------------------------------------------------------------------------ report
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
            graph.add((node, SH.value, rdflib.util.from_n3(item.value_n3)))
        elif item.value:
            graph.add((node, SH.value, Literal(item.value)))
    return graph


def _add_path(graph: rdflib.Graph, node: BNode, path: str) -> None:
    predicate, inverse = _simple_path(path)
    if predicate is None:
        return
    if inverse:
        path_node = BNode()
        graph.add((path_node, SH.inversePath, predicate))
        graph.add((node, SH.resultPath, path_node))
    else:
        graph.add((node, SH.resultPath, predicate))


_process_validator: Validator | None = None


def shared_validator() -> Validator:
    """The process's validator (shapes are parsed once per process)."""
    global _process_validator
    if _process_validator is None:
        _process_validator = Validator()
    return _process_validator


def report_turtle(graph: str, nquads: bytes, validator: Validator | None = None) -> str:
    """The SHACL report of one article graph as Turtle: what the build writes into the quarantine."""
    results = (validator or shared_validator()).validate_articles([(graph, nquads)])[graph]
    return ValidationResult.report_turtle(results)


def validate_command(inputs: Iterable[Path], store_dir: Path | None, format: str, base: str) -> int:
    """``kg validate``: see ``kg.validation_cli`` (kept there so this module stays the build's API)."""
    from kg.validation_cli import run

    return run(list(inputs), store_dir, format, base)
