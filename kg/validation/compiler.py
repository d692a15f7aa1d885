"""SHACL shapes compiled to SPARQL queries, so that the build validates with pyoxigraph, not pySHACL.

pySHACL walks every focus node and value in Python: about 60 ms of CPU per article graph with our ~200
shapes, which made validation 97% of a build. The same checks as SPARQL run inside Oxigraph's engine over a
whole batch of articles at once, one query per (shape, constraint component): two orders of magnitude
less. pySHACL stays the reference (``kg.validation.reference.PyShaclValidator``); the tests run both on every shape's
conforming and violating example and on the sample, and require the same results.

Each ``Check`` is one query that returns only the violations: the focus node (``?this``), the value node
(``?value``) where the component reports one, and for SHACL-SPARQL constraints every variable the
constraint selects (for its message template). The subset of SHACL compiled here is what ``shapes/`` uses:
targets (class, subjects-of, objects-of, node), predicate/inverse/sequence/alternative/``+``/``*``/``?``
paths, and the core components class, datatype, nodeKind, pattern, languageIn, minLength, maxLength,
minInclusive, maxInclusive, in, hasValue, equals, uniqueLang, minCount, maxCount, not, or, and, node,
qualifiedValueShape with qualifiedMin/MaxCount, plus sh:sparql SELECT constraints. Anything else raises
``UnsupportedShape`` when the shapes are loaded, never a silent pass.

Two deliberate choices:

- ``sh:targetClass`` matches ``rdf:type`` exactly. The SHACL definition also follows ``rdfs:subClassOf``
  in the *data* graph; kg's article graphs never state class axioms (the ontology is not part of them),
  so the two agree, and the exact match uses Oxigraph's index instead of a path walk.
- Regular expressions are Oxigraph's (Rust ``regex``): no back-references or look-around. The shapes
  use neither; a pattern Oxigraph cannot compile is reported by ``compile_shapes``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import rdflib
from pyoxigraph import QuerySolutions, Store
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from kg.validation.paths import render_path, sparql_path
from kg.validation.shapes import SH, UnsupportedShape, severity

# XSD datatypes whose lexical form Oxigraph can check with a cast (``xsd:date("...")`` fails when the
# form is not valid): a literal of such a datatype with an invalid form violates sh:datatype, as in pySHACL.
_CASTABLE = {
    XSD[name]
    for name in (
        "boolean",
        "integer",
        "decimal",
        "double",
        "float",
        "date",
        "dateTime",
        "time",
        "gYear",
        "gYearMonth",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    )
}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
# Parameters that belong to a component compiled with another one, or that carry no constraint.
_NOT_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.flags,
    SH.deactivated,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.prefixes,
    SH.declare,
    rdflib.RDFS.label,
    rdflib.RDFS.comment,
}


@dataclass(frozen=True)
class Check:
    """One SELECT query that returns the violations of one constraint of one shape.

    ``messages`` are the ``sh:message`` texts (templates with ``{?var}`` for SHACL-SPARQL); ``path`` is the
    shape's ``sh:path`` rendered as in a validation report (``render_path``); ``sparql`` says whether the
    rows carry variables to put into the message templates.
    """

    shape: str
    component: str
    severity: str
    path: str
    messages: tuple[str, ...]
    query: str
    sparql: bool = False


def n3(term: rdflib.term.Node) -> str:
    """A constant in SPARQL syntax."""
    if isinstance(term, BNode):
        raise UnsupportedShape(f"a blank node ({term}) used as a constant")
    return term.n3()


def string_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


class ShapeCompiler:
    """Compiles the shapes of one shapes graph into ``Check`` queries (``compile_shapes`` is the entry)."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.graph = shapes
        self._names = itertools.count(1)
        self.prefixes = "".join(
            f"PREFIX {prefix}: <{namespace}>\n"
            for declaration in shapes.objects(None, SH.declare)
            for prefix, namespace in [(shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace))]
        )

    def variable(self) -> str:
        return f"?v{next(self._names)}"

    # ------------------------------------------------------------------------------ entry point
    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in sorted(self._targeted_shapes(), key=str):
            target = self._target(shape)
            checks.extend(self._shape_checks(shape, target))
            for prop in sorted(self.graph.objects(shape, SH.property), key=str):
                if not isinstance(prop, URIRef):
                    raise UnsupportedShape(f"{shape}: property shapes must be named to be reported")
                checks.extend(self._shape_checks(prop, target))
        return checks

    def _targeted_shapes(self) -> set[rdflib.term.Node]:
        targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        shapes = {s for predicate in targets for s in self.graph.subjects(predicate, None)}
        shapes -= {s for s in shapes if self.graph.value(s, SH.deactivated) == Literal(True)}
        return shapes

    def _target(self, shape: rdflib.term.Node) -> str:
        """A graph pattern binding ``?this`` to every focus node of the shape."""
        parts = []
        for cls in sorted(self.graph.objects(shape, SH.targetClass), key=str):
            parts.append(f"?this a {n3(cls)} .")
        for node in sorted(self.graph.objects(shape, SH.targetNode), key=str):
            parts.append(f"VALUES ?this {{ {n3(node)} }}")
        for predicate in sorted(self.graph.objects(shape, SH.targetSubjectsOf), key=str):
            parts.append(f"?this {n3(predicate)} [] .")
        for predicate in sorted(self.graph.objects(shape, SH.targetObjectsOf), key=str):
            parts.append(f"[] {n3(predicate)} ?this .")
        if len(parts) == 1:
            return parts[0]
        return " UNION ".join(f"{{ {part} }}" for part in parts)

    # ------------------------------------------------------------------------------ top level
    def _shape_checks(self, shape: rdflib.term.Node, target: str) -> Iterator[Check]:
        graph = self.graph
        level = severity(graph.value(shape, SH.severity))
        messages = tuple(sorted(str(m) for m in graph.objects(shape, SH.message)))
        path_node = graph.value(shape, SH.path)
        path = render_path(graph, path_node)
        shape_iri = str(shape)

        def check(component: str, query: str, sparql: bool = False, own_messages: tuple[str, ...] = ()) -> Check:
            return Check(shape_iri, str(SH[component]), level, path, own_messages or messages, query, sparql)

        for component, pattern, value in self._constraints(shape, "?this"):
            projection = f"?this ({value} AS ?value)" if value else "?this"
            yield check(component, f"SELECT DISTINCT {projection} WHERE {{ {{ {target} }} {pattern} }}")
        if path_node is not None:
            yield from (check(c, q) for c, q in self._count_checks(shape, sparql_path(graph, path_node), target))
        for constraint in graph.objects(shape, SH.sparql):
            if graph.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = graph.value(constraint, SH.select)
            if select is None:
                raise UnsupportedShape(f"{shape}: only sh:select SPARQL constraints are supported")
            own = tuple(sorted(messages + tuple(str(m) for m in graph.objects(constraint, SH.message))))
            query = self.prefixes + _with_focus_nodes(str(select), target, shape)
            yield check("SPARQLConstraintComponent", query, sparql=True, own_messages=own)

    def _count_checks(self, shape: rdflib.term.Node, path: str, target: str) -> Iterator[tuple[str, str]]:
        """minCount above 1, maxCount and the qualified counts: one aggregate per constraint."""
        graph = self.graph

        def counted(condition: str, keep: str = "") -> str:
            return (
                f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ "
                f"{{ {target} }} OPTIONAL {{ ?this {path} ?value . {keep} }} }} GROUP BY ?this }} "
                f"FILTER (?count {condition}) }}"
            )

        minimum = graph.value(shape, SH.minCount)
        if minimum is not None and _count(minimum) > 1:
            yield "MinCountConstraintComponent", counted(f"< {_count(minimum)}")
        maximum = graph.value(shape, SH.maxCount)
        if maximum is not None:
            yield "MaxCountConstraintComponent", counted(f"> {_count(maximum)}")
        qualified = graph.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            if graph.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise UnsupportedShape(f"{shape}: sh:qualifiedValueShapesDisjoint is not supported")
            conforms = f"FILTER ({self.conforms(qualified, '?value')})"
            low = graph.value(shape, SH.qualifiedMinCount)
            high = graph.value(shape, SH.qualifiedMaxCount)
            if low is not None:
                yield "QualifiedMinCountConstraintComponent", counted(f"< {_count(low)}", conforms)
            if high is not None:
                yield "QualifiedMaxCountConstraintComponent", counted(f"> {_count(high)}", conforms)

    # ------------------------------------------------------------------------------ patterns
    def _constraints(self, shape: rdflib.term.Node, focus: str) -> Iterator[tuple[str, str, str]]:
        """(component, violation pattern, value variable or "") for the shape at ``focus``.

        Count-based components are not here (``_count_checks``); nested shapes only use minCount 1,
        which is a pattern.
        """
        graph = self.graph
        self._reject_unknown(shape)
        path_node = graph.value(shape, SH.path)
        if path_node is None:
            yield from self._value_constraints(shape, focus, "")
            for required in graph.objects(shape, SH.hasValue):
                yield "HasValueConstraintComponent", f"FILTER (!sameTerm({focus}, {n3(required)}))", focus
            return
        path = sparql_path(graph, path_node)
        value = self.variable()
        yield from self._value_constraints(shape, value, f"{focus} {path} {value} .")
        minimum = graph.value(shape, SH.minCount)
        if minimum is not None and _count(minimum) >= 1:
            if _count(minimum) == 1:
                yield "MinCountConstraintComponent", f"FILTER NOT EXISTS {{ {focus} {path} [] }}", ""
            elif focus != "?this":
                raise UnsupportedShape(f"{shape}: sh:minCount above 1 inside another shape")
        if graph.value(shape, SH.maxCount) is not None and focus != "?this":
            raise UnsupportedShape(f"{shape}: sh:maxCount inside another shape")
        if graph.value(shape, SH.qualifiedValueShape) is not None and focus != "?this":
            raise UnsupportedShape(f"{shape}: sh:qualifiedValueShape inside another shape")
        for required in graph.objects(shape, SH.hasValue):
            yield "HasValueConstraintComponent", f"FILTER NOT EXISTS {{ {focus} {path} {n3(required)} }}", ""
        for other in graph.objects(shape, SH.equals):
            yield (
                "EqualsConstraintComponent",
                f"{{ {focus} {path} {value} . FILTER NOT EXISTS {{ {focus} {n3(other)} {value} }} }} UNION "
                f"{{ {focus} {n3(other)} {value} . FILTER NOT EXISTS {{ {focus} {path} {value} }} }}",
                value,
            )
        if graph.value(shape, SH.uniqueLang) == Literal(True):
            first, second = self.variable(), self.variable()
            yield (
                "UniqueLangConstraintComponent",
                f'{focus} {path} {first}, {second} . FILTER (isLiteral({first}) && LANG({first}) != "" '
                f"&& !sameTerm({first}, {second}) && LCASE(LANG({first})) = LCASE(LANG({second})))",
                "",
            )

    def _value_constraints(self, shape: rdflib.term.Node, value: str, values: str) -> Iterator[tuple[str, str, str]]:
        """Components that judge each value node alone: ``values`` then a FILTER on ``value``."""
        for predicate, component in _VALUE_COMPONENTS.items():
            for parameter in self.graph.objects(shape, predicate):
                condition = _violates(getattr(self, f"_{component}")(shape, parameter, value))
                yield f"{component[0].upper()}{component[1:]}ConstraintComponent", f"{values} {condition}", value

    def conforms(self, shape: rdflib.term.Node, node: str) -> str:
        """A SPARQL expression that is true when ``node`` conforms to ``shape`` (for not/or/and/node).

        Value components become plain expressions, so that ``sh:not [ sh:languageIn ...; sh:pattern ... ]``
        is one FILTER per value rather than a NOT EXISTS over a UNION; components on a path need a
        NOT EXISTS over their violation patterns.
        """
        if self.graph.value(shape, SH.sparql) is not None:
            raise UnsupportedShape(f"{shape}: SPARQL constraints inside another shape")
        tests: list[str] = []
        patterns: list[str] = []
        if self.graph.value(shape, SH.path) is None:
            for predicate, component in _VALUE_COMPONENTS.items():
                for parameter in self.graph.objects(shape, predicate):
                    tests.append(getattr(self, f"_{component}")(shape, parameter, node))
            for required in self.graph.objects(shape, SH.hasValue):
                tests.append(f"sameTerm({node}, {n3(required)})")
            self._reject_unknown(shape)
        else:
            patterns.extend(pattern for _, pattern, _ in self._constraints(shape, node))
        for prop in self.graph.objects(shape, SH.property):
            patterns.extend(pattern for _, pattern, _ in self._constraints(prop, node))
        if patterns:
            tests.append("NOT EXISTS { " + " UNION ".join(f"{{ {pattern} }}" for pattern in patterns) + " }")
        return "(" + " && ".join(f"COALESCE({test}, false)" for test in tests) + ")" if tests else "true"

    # One method per value component: (shape, parameter, value variable) -> true when the value conforms.
    def _class(self, shape, cls, v: str) -> str:
        return f"EXISTS {{ {v} a {n3(cls)} }}"

    def _datatype(self, shape, datatype, v: str) -> str:
        well_formed = (
            f" && sameTerm({n3(datatype)}(STR({v})), {n3(datatype)}(STR({v})))" if datatype in _CASTABLE else ""
        )
        return f"(isLiteral({v}) && sameTerm(DATATYPE({v}), {n3(datatype)}){well_formed})"

    def _nodeKind(self, shape, kind, v: str) -> str:
        if kind not in _NODE_KINDS:
            raise UnsupportedShape(f"{shape}: unknown sh:nodeKind {kind}")
        return _NODE_KINDS[kind].format(v=v)

    def _pattern(self, shape, pattern, v: str) -> str:
        flags = self.graph.value(shape, SH.flags)
        arguments = string_literal(str(pattern)) + (f", {string_literal(str(flags))}" if flags else "")
        return f"(!isBlank({v}) && REGEX(STR({v}), {arguments}))"

    def _languageIn(self, shape, languages, v: str) -> str:
        tests = " || ".join(
            f"langMatches(LANG({v}), {string_literal(str(tag))})" for tag in Collection(self.graph, languages)
        )
        return f"(isLiteral({v}) && ({tests or 'false'}))"

    def _minLength(self, shape, length, v: str) -> str:
        return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(length)})"

    def _maxLength(self, shape, length, v: str) -> str:
        return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(length)})"

    def _minInclusive(self, shape, limit, v: str) -> str:
        return f"({v} >= {n3(limit)})"

    def _maxInclusive(self, shape, limit, v: str) -> str:
        return f"({v} <= {n3(limit)})"

    def _in(self, shape, members, v: str) -> str:
        tests = " || ".join(f"sameTerm({v}, {n3(member)})" for member in Collection(self.graph, members))
        return f"({tests or 'false'})"

    def _not(self, shape, negated, v: str) -> str:
        return f"!{self.conforms(negated, v)}"

    def _or(self, shape, alternatives, v: str) -> str:
        members = [self.conforms(member, v) for member in Collection(self.graph, alternatives)]
        return "(" + (" || ".join(members) or "false") + ")"

    def _and(self, shape, members, v: str) -> str:
        parts = [self.conforms(member, v) for member in Collection(self.graph, members)]
        return "(" + (" && ".join(parts) or "true") + ")"

    def _node(self, shape, other, v: str) -> str:
        return self.conforms(other, v)

    def _reject_unknown(self, shape: rdflib.term.Node) -> None:
        """Refuse a shape with a parameter this compiler does not translate (it would be skipped silently)."""
        for predicate in set(self.graph.predicates(shape, None)):
            if (
                predicate not in _NOT_CONSTRAINTS
                and predicate not in _VALUE_COMPONENTS
                and predicate not in _OTHER_COMPONENTS
            ):
                raise UnsupportedShape(f"{shape}: {predicate} is not supported by the SPARQL validator")


def _count(node: rdflib.term.Node) -> int:
    """The value of a count parameter (``sh:minCount`` 2): its lexical form as an integer."""
    return int(str(node))


def _violates(conforms: str) -> str:
    """The FILTER that keeps a value when it does not conform (an error counts as not conforming)."""
    return f"FILTER (!COALESCE({conforms}, false))"


def _with_focus_nodes(select: str, target: str, shape: rdflib.term.Node) -> str:
    """The constraint's SELECT with the target pattern first in its WHERE clause.

    SHACL-SPARQL pre-binds ``$this`` to each focus node in turn; binding it by the target pattern at the
    start of the query is the same for a whole batch of focus nodes in one run, also for queries that
    only test ``$this`` in a FILTER or BIND.
    """
    opening = re.search(r"\bWHERE\s*\{", select, flags=re.IGNORECASE) or re.search(r"\{", select)
    if opening is None:
        raise UnsupportedShape(f"{shape}: the SPARQL constraint has no WHERE clause")
    # DISTINCT: a target such as sh:targetSubjectsOf matches a node once per triple, yet it is one focus node.
    return f"{select[: opening.end()]} {{ SELECT DISTINCT ?this WHERE {{ {target} }} }} {select[opening.end() :]}"


# In the order a nested shape's tests are joined with &&: cheap term tests before regular expressions
# and graph lookups (sh:not [ sh:languageIn ("en") ; sh:pattern ... ] tests the tag before the text).
_VALUE_COMPONENTS = {
    SH.nodeKind: "nodeKind",
    SH.datatype: "datatype",
    SH.languageIn: "languageIn",
    SH["in"]: "in",
    SH.minLength: "minLength",
    SH.maxLength: "maxLength",
    SH.minInclusive: "minInclusive",
    SH.maxInclusive: "maxInclusive",
    SH.pattern: "pattern",
    SH["class"]: "class",
    SH["not"]: "not",
    SH["or"]: "or",
    SH["and"]: "and",
    SH.node: "node",
}


# Components compiled outside the per-value expressions (counts, pairs of values, SPARQL).
_OTHER_COMPONENTS = {SH.hasValue, SH.equals, SH.uniqueLang, SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.sparql}


def compile_shapes(shapes: rdflib.Graph) -> list[Check]:
    """Every check of the shapes graph, each query parsed once by Oxigraph so that errors show here."""
    checks = ShapeCompiler(shapes).compile()
    probe = Store()
    for item in checks:
        try:
            solutions = probe.query(item.query)
            assert isinstance(solutions, QuerySolutions), "a check is a SELECT query"
            list(solutions)
        except (SyntaxError, ValueError, OSError) as error:
            raise UnsupportedShape(
                f"{item.shape} ({item.component}): Oxigraph cannot run the compiled query: {error}\n{item.query}"
            ) from error
    return checks
