"""SHACL validation of article graphs in batches, with every result attributed to its article.

Two implementations of the same shapes (``shapes/``):

- ``Validator``, the build's: the shapes compiled to SPARQL (``kg.shacl_sparql``) and run by pyoxigraph
  over a whole batch, one query per constraint: about 3 ms of CPU per article graph.
- ``PyShaclValidator``, the reference: pySHACL, about 60 ms per article graph. The tests run both on every
  shape's examples and on the sample and require identical results; ``kg validate --engine pyshacl``
  offers it to anyone who wants a second opinion.

Both validate a batch of article graphs merged into one data graph and then attribute every result back
to the articles (``Attribution``): merging loses which graph a triple came from, so a result goes to the
graphs that state its offending triple, else to those that mention its focus node. One thing merging
could invent: two graphs that describe a shared node (a journal, a person, a keyword) differently can
break a cardinality (``sh:maxCount``, ``sh:uniqueLang``) that neither breaks alone. Such results are
re-checked against each graph on its own and kept only where the graph alone breaks the rule, so a batch
gives each article exactly the verdict it would get validated alone; the conflicts themselves are what
``validate_store`` looks for across the published store.

Shapes are loaded once per process; ``shapes/store.ttl`` holds the store-wide shapes, which
``kg.validation_store`` runs in bulk with pyoxigraph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

import rdflib
from pyoxigraph import BlankNode as OxBlankNode
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode as OxNamedNode
from pyoxigraph import RdfFormat, Store, parse
from pyshacl import Validator as ShaclValidator
from pyshacl.graph_abstraction import DataGraph
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql import prepareQuery

from kg.resources import STORE_SHAPES_FILE, MissingResource
from kg.resources import shape_files as packaged_shape_files
from kg.shacl_sparql import Check, compile_shapes, render_path
from kg.vocab import SHAPES_NS


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
def shape_files(shapes_dir: Path | None = None, store: bool = False) -> list[Traversable]:
    """The shapes files: the installed ones (``kg.resources``), or every ``*.ttl`` of ``shapes_dir`` but
    ``store.ttl`` (only that one, when ``store``). Raises ``MissingResource`` when installed ones lack."""
    if shapes_dir is None:
        return list(packaged_shape_files(store))
    files = sorted(Path(shapes_dir).glob("*.ttl"))
    return [f for f in files if (f.name == STORE_SHAPES_FILE) == store]


def load_shapes(shapes_dir: Path | None = None, store: bool = False) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shape_files(shapes_dir, store):
        graph.parse(data=path.read_bytes(), format="turtle")
    if not len(graph):
        raise MissingResource(
            "SHACL shapes",
            [path.name for path in shape_files(shapes_dir, store)] or ["*.ttl"],
            shapes_dir or "kg.shapes",
        )
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

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


# ----------------------------------------------------------------------------------- results
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
            path=render_path(report, report.value(node, SH.resultPath)),
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
class PyShaclValidator:
    """The reference validator: pySHACL over rdflib graphs, batches merged and results attributed.

    Slow (about 60 ms of CPU per article graph) but an independent implementation of SHACL: the tests run
    it beside ``Validator`` and require the same results. ``kg validate --engine pyshacl`` uses it.
    """

    def __init__(self, shapes_dir: Path | None = None) -> None:
        self.shapes_dir = shapes_dir
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
        verdicts: dict[str, list[ValidationResult]] = {graph_iri: [] for graph_iri, _ in articles}
        if not articles:
            return verdicts
        data = _PreparedQueryGraph()
        for _, payload in articles:
            for triple in _parse(payload, self._convert):
                data.add(triple)
        return _attribute_all(articles, ((item for item, _, _ in self._run(data))), self._limits, verdicts)


# --------------------------------------------------------------------- the build's validator
class Validator:
    """Validates batches of article graphs with the shapes compiled to SPARQL (``kg.shacl_sparql``).

    Create one per process and reuse it: the shapes are parsed and compiled once. A batch is loaded into
    an in-memory pyoxigraph store twice over: each article in its named graph (to attribute results) and
    all of them merged in the default graph, where the checks run. Results are attributed as
    ``PyShaclValidator`` attributes them, so both give every article the verdict it gets alone.
    """

    def __init__(self, shapes_dir: Path | None = None) -> None:
        self.shapes_dir = shapes_dir
        self.shapes = load_shapes(self.shapes_dir)
        self.checks: list[Check] = compile_shapes(self.shapes)
        self._limits: dict[str, int] = {
            str(shape): int(limit) for shape, limit in self.shapes.subject_objects(SH.maxCount)
        }

    def validate_graph(self, data: rdflib.Graph) -> list[ValidationResult]:
        """All results for one rdflib graph, unattributed (tests and small inputs)."""
        store = Store()
        store.load(data.serialize(format="nt", encoding="utf-8"), RdfFormat.N_TRIPLES)
        return sorted((item for item, _, _ in self._run(store)), key=sort_key)

    def validate_articles(self, articles: list[tuple[str, bytes]]) -> dict[str, list[ValidationResult]]:
        """Validate a batch of (article graph IRI, N-Quads of that graph) together.

        Returns every graph IRI of the batch mapped to its results (an empty list when it conforms).
        """
        verdicts: dict[str, list[ValidationResult]] = {graph_iri: [] for graph_iri, _ in articles}
        if not articles:
            return verdicts
        store = Store()
        # The checks run on the merged triples: each payload without its graph name, as N-Triples (a quad of
        # another graph is then a syntax error, not a silent mix-up).
        store.bulk_load(
            b"".join(payload.replace(f" <{graph_iri}> .\n".encode(), b" .\n") for graph_iri, payload in articles),
            RdfFormat.N_TRIPLES,
        )
        return _attribute_all(articles, (item for item, _, _ in self._run(store)), self._limits, verdicts)

    def _run(self, store: Store) -> Iterable[tuple[ValidationResult, object, object]]:
        """Every check over the store's default graph: (result, focus term, value term or None)."""
        for check in self.checks:
            solutions = store.query(check.query)
            names = [variable.value for variable in solutions.variables] if check.sparql else ()
            for row in solutions:
                focus = row["this"]
                value = row["value"]
                messages = check.messages
                path = check.path
                if check.sparql:
                    bound = {name: row[name] for name in names if row[name] is not None}
                    messages = tuple(sorted(_fill(message, bound) for message in messages))
                    if "path" in bound:
                        path = bound["path"].value
                    if value is None and not check.path:
                        value = focus  # a node shape's value node is its focus node (SHACL 5.3.2)
                item = ValidationResult(
                    severity=check.severity,
                    shape=check.shape,
                    focus=focus.value,
                    path=path,
                    value="" if value is None else value.value,
                    message=" ".join(messages),
                    component=check.component,
                    value_n3="" if value is None or isinstance(value, OxBlankNode) else str(value),
                )
                yield item, focus, value


def _fill(message: str, bound: dict[str, object]) -> str:
    """A SHACL-SPARQL message template with ``{?name}``/``{$name}`` replaced by the bound values."""
    for name, term in bound.items():
        text = term.value
        message = message.replace(f"{{?{name}}}", text).replace(f"{{${name}}}", text)
    return message


def _attribute_all(
    articles: list[tuple[str, bytes]],
    results: Iterable[ValidationResult],
    limits: dict[str, int],
    verdicts: dict[str, list[ValidationResult]],
) -> dict[str, list[ValidationResult]]:
    """Give each result of a merged batch to the article graphs it belongs to (see ``Attribution``)."""
    attribution = Attribution(articles, limits)
    for item in results:
        graphs = attribution.graphs(item)
        if not graphs:
            log.debug("cross-article conflict left to validate_store: %s on %s", item.shape, item.focus)
        for graph_iri in graphs:
            verdicts[graph_iri].append(item)
    for found in verdicts.values():
        found.sort(key=sort_key)
    return verdicts


class Attribution:
    """Which article graphs of a batch a result belongs to, read from the articles' own N-Quads.

    A batch is validated merged, so a result names a node, not a graph. It goes to the graphs that state
    the offending triple; failing that, to every graph that mentions the focus node; a cardinality that
    only the merge breaks (``sh:maxCount``, ``sh:uniqueLang`` on a node two articles describe differently)
    goes to no graph: it is a conflict between articles, which ``validate_store`` reports. Results are
    few, so each lookup scans the payload bytes (a C-speed substring search) instead of indexing every
    triple of the batch up front.
    """

    def __init__(self, articles: list[tuple[str, bytes]], limits: dict[str, int]) -> None:
        self.articles = articles
        self.limits = limits
        self._mentions: dict[str, list[tuple[str, bytes]]] = {}

    def mentions(self, focus: str) -> list[tuple[str, bytes]]:
        found = self._mentions.get(focus)
        if found is None:
            token = f"<{focus}>".encode()
            found = self._mentions[focus] = [(g, payload) for g, payload in self.articles if token in payload]
        return found

    def graphs(self, item: ValidationResult) -> list[str]:
        candidates = self.mentions(item.focus)
        if len(candidates) <= 1:
            return [g for g, _ in candidates]
        predicate, inverse = _simple_path(item.path)
        if predicate is None:
            return sorted(g for g, _ in candidates)
        value = _term(item.value_n3)
        if value is not None:
            holding = [g for g, payload in candidates if value in _values(payload, item.focus, predicate, inverse)]
            if holding:
                return sorted(holding)
        if URIRef(item.component) in _MERGE_SENSITIVE:
            return sorted(
                g
                for g, payload in candidates
                if self._breaks_alone(item, _values(payload, item.focus, predicate, inverse))
            )
        return sorted(g for g, _ in candidates)

    def _breaks_alone(self, item: ValidationResult, values: list) -> bool:
        if item.component == str(SH.UniqueLangConstraintComponent):
            langs = [v.language.lower() for v in values if isinstance(v, OxLiteral) and v.language]
            return len(langs) != len(set(langs))
        return len(values) > self.limits.get(item.shape, len(values))


def _term(n3: str) -> object | None:
    """A term in N-Triples syntax as a pyoxigraph term; None when there is none (or it is not N-Triples)."""
    if not n3:
        return None
    try:
        return next(iter(parse(f"<urn:s> <urn:p> {n3} .".encode(), format=RdfFormat.N_TRIPLES))).object
    except SyntaxError:
        return None  # rdflib writes a multi-line literal in Turtle's long form


def _values(payload: bytes, focus: str, predicate: URIRef, inverse: bool) -> list:
    """The values of ``predicate`` on ``focus`` (or its subjects, ``inverse``) in one article's N-Quads."""
    if inverse:
        token = f" <{predicate}> <{focus}> ".encode()
        lines = [line for line in payload.split(b"\n") if token in line]
        return [quad.subject for quad in parse(b"\n".join(lines), format=RdfFormat.N_QUADS)]
    token = f"<{focus}> <{predicate}> ".encode()
    lines = [line for line in payload.split(b"\n") if line.startswith(token)]
    return [quad.object for quad in parse(b"\n".join(lines), format=RdfFormat.N_QUADS)]


def _simple_path(path: str) -> tuple[URIRef | None, bool]:
    """The predicate of a plain (``iri``) or inverse (``^<iri>``) path; None for longer paths."""
    if path.startswith("^<") and path.endswith(">") and path.count("<") == 1:
        return URIRef(path[2:-1]), True
    if path and not path.startswith(("^", "<")):
        return URIRef(path), False
    return None, False


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


def validate_command(
    inputs: Iterable[Path], store_dir: Path | None, format: str, base: str, engine: str = "sparql"
) -> int:
    """``kg validate``: see ``kg.validation_cli`` (kept there so this module stays the build's API)."""
    from kg.validation_cli import run

    return run(list(inputs), store_dir, format, base, engine=engine)
