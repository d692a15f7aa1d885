"""Validation of a published store: every graph against the shapes, then what only shows across records.

Article graphs are validated in batches exactly as the build validates them (``Validator``). The
store-wide shapes (``shapes/store.ttl``: one IRI per thing, one graph per article, no orphans, every
person named, conflicting copies of shared nodes) are SHACL-SPARQL constraints whose queries state their
own target pattern; they run here once each over the store's union graph with pyoxigraph, which takes
milliseconds where pySHACL would run them once per focus node.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import DefaultGraph, NamedNode, QuerySolutions, RdfFormat, Store, serialize
from pyoxigraph import Literal as OxLiteral

from kg.publish.layout import STORE, Layout
from kg.validation.results import ValidationResult, sort_key
from kg.validation.shapes import SH, load_shapes, severity, shape_files
from kg.validation.validator import BatchValidator, shared_validator

log = logging.getLogger(__name__)

BATCH = 100
DECLARATIONS_FILE = "common.ttl"  # where the shapes' sh:declare prefixes live
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")


@dataclass
class StoreValidation:
    """Results per named graph (``by_graph``) and across the store (``store``)."""

    by_graph: dict[str, list[ValidationResult]] = field(default_factory=dict)
    store: list[ValidationResult] = field(default_factory=list)

    def all(self) -> list[ValidationResult]:
        found = [item for items in self.by_graph.values() for item in items] + self.store
        return sorted(set(found), key=sort_key)


def find_store(store_dir: Path) -> Path:
    """The store of a build output folder: its published release's (``DIR/current/store``), else its working
    store (``DIR/store``); or ``store_dir`` itself, a store folder."""
    layout = Layout(Path(store_dir))
    store_dir = layout.root
    for candidate in (layout.current_release().store, layout.store, store_dir):
        if candidate.is_dir() and any(candidate.iterdir()):
            if candidate.name == STORE or candidate == store_dir:
                return candidate
    raise FileNotFoundError(f"no store found in {store_dir}")


def validate_store(store_dir: Path, validator: BatchValidator | None = None, batch: int = BATCH) -> StoreValidation:
    """Validate every named graph of the store in batches, then run the store-wide shapes."""
    validator = validator or shared_validator()
    store = Store.read_only(str(find_store(store_dir)))
    outcome = StoreValidation()
    graphs = sorted(graph.value for graph in store.named_graphs())
    for start in range(0, len(graphs), batch):
        chunk = [
            (iri, serialize(store.quads_for_pattern(None, None, None, NamedNode(iri)), format=RdfFormat.N_QUADS) or b"")
            for iri in graphs[start : start + batch]
        ]
        outcome.by_graph.update(validator.validate_articles(chunk))
    outcome.store = run_store_shapes(store, validator.shapes_dir)
    log.info("validated %d graphs of %s", len(graphs), store_dir)
    return outcome


def run_store_shapes(
    store: Store, shapes_dir: Path | None = None, focus: Collection[str] | None = None
) -> list[ValidationResult]:
    """Run each store-wide SPARQL constraint once over all graphs: the merged default graph when the store
    has one (a release's), else their union (over the ``focus`` nodes only, when given)."""
    union = not any(True for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    found = store_findings(store, shapes_dir, focus, union=union)
    return sorted((finding.result() for finding in found), key=sort_key)


@dataclass(frozen=True)
class StoreFinding:
    """One row of a store-wide constraint: its focus node and the terms it names (``value``, ``other``).

    Kept as terms (not text) so that the build can look up which article graphs state each value
    (``kg.validation.conflicts``). A pair of things found both ways round (this DOI on article A and B,
    then on B and A) is one finding: ``focus`` is the smaller IRI.
    """

    shape: str
    severity: str
    focus: str
    value: object
    other: object
    message: str

    def result(self) -> ValidationResult:
        return ValidationResult(
            severity=self.severity,
            shape=self.shape,
            focus=self.focus,
            path="",
            value=term_text(self.value),
            message=self.message,
            component=str(SH.SPARQLConstraintComponent),
            value_n3=term_n3(self.value),
        )


def store_findings(
    store: Store, shapes_dir: Path | None = None, focus: Collection[str] | None = None, union: bool = True
) -> list[StoreFinding]:
    """Every store-wide constraint's findings, each once; ``focus`` restricts ``$this`` to those nodes.

    ``union``: query the union of the named graphs. A release's store has the merged default graph (each
    triple once): querying it instead matters, since the union repeats a journal's triples in every article
    graph, and a constraint joining two of them (two titles of one journal) meets every pair of copies.
    """
    shapes = load_shapes(shapes_dir, store=True)
    declared = _declarations(shapes_dir) + shapes
    prefixes = "".join(
        f"PREFIX {declared.value(decl, SH.prefix)}: <{declared.value(decl, SH.namespace)}>\n"
        for decl in declared.objects(None, SH.declare)
    )
    values = None if focus is None else "VALUES $this { " + " ".join(f"<{iri}>" for iri in sorted(focus)) + " }"
    if values is not None and not focus:
        return []
    found: dict[tuple, StoreFinding] = {}
    for shape in sorted(set(shapes.subjects(SH.sparql, None)), key=str):
        level = severity(shapes.value(shape, SH.severity))
        for constraint in shapes.objects(shape, SH.sparql):
            query = _restricted(str(shapes.value(constraint, SH.select)), values)
            message = str(shapes.value(constraint, SH.message) or "")
            solutions = store.query(prefixes + query, use_default_graph_as_union=union)
            assert isinstance(solutions, QuerySolutions), f"{shape}: a store-wide constraint is a SELECT query"
            names = [variable.value for variable in solutions.variables]
            for row in solutions:
                finding = _finding(str(shape), level, message, dict(zip(names, row, strict=True)))
                found.setdefault(
                    (finding.shape, finding.focus, term_text(finding.value), term_text(finding.other)), finding
                )
    return list(found.values())


def _declarations(shapes_dir: Path | None) -> rdflib.Graph:
    """The shapes file that declares the prefixes (``common.ttl``): parsing every article shape for them
    took a quarter of a second of each build's store checks."""
    graph = rdflib.Graph()
    files = shape_files(shapes_dir, False)
    for path in [f for f in files if f.name == DECLARATIONS_FILE] or files:
        graph.parse(data=path.read_bytes(), format="turtle")
    return graph


def _restricted(query: str, values: str | None) -> str:
    """The query with ``$this`` bound to the given nodes: a VALUES block opening its WHERE clause, and
    opening each ``MINUS`` group that mentions ``$this``.

    A ``MINUS`` group is evaluated on its own, whatever the outer pattern binds: unbound, it finds every
    authorship of the store to subtract from the 400 nodes a one-issue rebuild checks (1.5 s of its 2 s of
    conflict checks at 50,000 articles). Bound to the same nodes it subtracts the same solutions: one whose
    ``$this`` is outside them is compatible with none of the outer ones.
    """
    if values is None:
        return query
    at = re.search(r"WHERE\s*\{", query, re.IGNORECASE)
    assert at is not None, "a store-wide constraint has a WHERE clause"
    restricted = query[: at.end()] + "\n" + values + "\n"
    rest = query[at.end() :]
    while (minus := _MINUS.search(rest)) is not None:
        end = _group_end(rest, minus.end())
        inside = "$this" in rest[minus.end() : end]
        restricted += rest[: minus.end()] + (" " + values + " " if inside else "")
        rest = rest[minus.end() :]
    return restricted + rest


_MINUS = re.compile(r"\bMINUS\s*\{", re.IGNORECASE)


def _group_end(query: str, start: int) -> int:
    """Where the group opened just before ``start`` closes (the shapes' queries have no braces in strings)."""
    depth = 1
    for at in range(start, len(query)):
        depth += {"{": 1, "}": -1}.get(query[at], 0)
        if depth == 0:
            return at
    return len(query)


def term_text(term: object) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, NamedNode | OxLiteral) else str(term)


def _finding(shape: str, level: str, message: str, row: dict[str, object]) -> StoreFinding:
    """A row as a finding, a symmetric pair of things put the same way round whichever way it was found."""
    this, other = row.get("this"), row.get("other")
    if isinstance(this, NamedNode) and isinstance(other, NamedNode) and other.value < this.value:
        row = {**row, "this": other, "other": this}
        this, other = other, this
    text = _TEMPLATE.sub(lambda m: term_text(row.get(m.group(1))), message)
    return StoreFinding(shape, level, term_text(this), row.get("value"), other, text)


def term_n3(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, OxLiteral):
        literal = rdflib.Literal(
            term.value,
            lang=term.language or None,
            datatype=None if term.language else rdflib.URIRef(term.datatype.value),
        )
        return literal.n3()
    return ""
