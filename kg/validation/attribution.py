"""Which article graphs of a merged batch each SHACL result belongs to.

Both validators check a batch of article graphs merged into one data graph (a query's fixed cost is then
shared by the batch), and merging loses which graph a triple came from. A result goes to the graphs that
state its offending triple, else to those that mention its focus node. One thing merging could invent:
two graphs that describe a shared node (a journal, a person, a keyword) differently can break a
cardinality (``sh:maxCount``, ``sh:uniqueLang``) that neither breaks alone. Such results are re-checked
against each graph on its own and kept only where the graph alone breaks the rule, so a batch gives each
article exactly the verdict it would get validated alone; the conflicts themselves are what
``kg.validation.store_check`` looks for across the published store. Likewise a SPARQL constraint (or any
result not pinned to one graph's triple) on a shared node can combine triples of two graphs (one file's
Gregorian date with another file's Jalali date of the same issue): such a result is re-checked on each
graph that mentions the node, alone (``alone``), and goes only to the graphs that break the rule alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import RdfFormat, parse
from rdflib import URIRef

from kg.validation.paths import simple_path
from kg.validation.results import ValidationResult, sort_key
from kg.validation.shapes import SH

log = logging.getLogger(__name__)

# Components whose verdict can change when two graphs' descriptions of one node are merged.
_MERGE_SENSITIVE = {SH.MaxCountConstraintComponent, SH.UniqueLangConstraintComponent}
_SPARQL = str(SH.SPARQLConstraintComponent)
# Validates one article graph on its own (its graph IRI and N-Quads): every result, unattributed.
Alone = Callable[[str, bytes], list[ValidationResult]]


def attribute_all(
    articles: list[tuple[str, bytes]],
    results: Iterable[ValidationResult],
    limits: dict[str, int],
    alone: Alone | None = None,
) -> dict[str, list[ValidationResult]]:
    """Every graph IRI of the batch mapped to the results that belong to it (sorted; [] when it conforms)."""
    verdicts: dict[str, list[ValidationResult]] = {graph_iri: [] for graph_iri, _ in articles}
    attribution = Attribution(articles, limits, alone)
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

    def __init__(self, articles: list[tuple[str, bytes]], limits: dict[str, int], alone: Alone | None = None) -> None:
        self.articles = articles
        self.limits = limits
        self.alone = alone
        self._mentions: dict[str, list[tuple[str, bytes]]] = {}
        self._alone: dict[str, set[tuple[str, ...]]] = {}

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
        predicate, inverse = simple_path(item.path)
        if item.component == _SPARQL or predicate is None:
            return self._breaking_alone(item, candidates)
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
        return self._breaking_alone(item, candidates)

    def _breaking_alone(self, item: ValidationResult, candidates: list[tuple[str, bytes]]) -> list[str]:
        """The candidate graphs that give this result validated on their own (all of them without ``alone``)."""
        if self.alone is None:
            return sorted(g for g, _ in candidates)
        key = _identity(item)
        found = []
        for graph_iri, payload in candidates:
            results = self._alone.get(graph_iri)
            if results is None:
                results = self._alone[graph_iri] = {_identity(result) for result in self.alone(graph_iri, payload)}
            if key in results:
                found.append(graph_iri)
        return sorted(found)

    def _breaks_alone(self, item: ValidationResult, values: list) -> bool:
        if item.component == str(SH.UniqueLangConstraintComponent):
            langs = [v.language.lower() for v in values if isinstance(v, OxLiteral) and v.language]
            return len(langs) != len(set(langs))
        return len(values) > self.limits.get(item.shape, len(values))


def _identity(item: ValidationResult) -> tuple[str, ...]:
    """What makes two results the same finding: the message too, since a SPARQL constraint's message names
    the values it combined (one graph's date with another graph's Jalali date)."""
    return item.severity, item.shape, item.focus, item.path, item.value, item.message, item.component


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
