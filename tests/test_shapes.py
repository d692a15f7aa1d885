"""Every shape against a conforming example and a violating one (tests/shapes_examples/).

``article.ttl`` (one article graph as kg maps it) and ``runs.ttl`` (a build run and the dataset description)
conform to every shape with no result at all, not even a warning. Each block of ``violations.ru`` changes
one thing with SPARQL Update and names the shape that must fire, the exact message an editor then reads,
and the few shapes that necessarily fire with it; no other shape may fire.

Every example is checked by the build's validator (the shapes compiled to SPARQL, run by pyoxigraph) and by
pySHACL, the reference implementation: both must give exactly the same results (shape, component, focus,
path, value, severity, message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib

from kg.validation import SH, Validator, load_shapes
from kg.validation.reference import PyShaclValidator
from kg.vocab import DCAT, SHAPES_NS, VOID, sparql_prologue
from kg.vocab import PREFIXES as VOCABULARY_PREFIXES

EXAMPLES = Path(__file__).resolve().parent / "shapes_examples"
BASE = "https://data.example.org/"
PREFIXES = f"BASE <{BASE}>\n" + sparql_prologue({**VOCABULARY_PREFIXES, "void": VOID.iri, "dcat": DCAT.iri})


@dataclass
class Case:
    shape: str
    update: str
    message: str = ""
    data: str = "article"
    also: set[str] = field(default_factory=set)


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for line in (EXAMPLES / "violations.ru").read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            cases.append(Case(shape=line[4:].strip(), update=""))
        elif not cases:
            continue
        elif line.startswith("# message: "):
            cases[-1].message = line[len("# message: ") :]
        elif line.startswith("# also: "):
            cases[-1].also = set(line[len("# also: ") :].split())
        elif line.startswith("# data: "):
            cases[-1].data = line[len("# data: ") :].strip()
        elif not line.startswith("#"):
            cases[-1].update += line + "\n"
    return cases


def expand_delete_where(update: str) -> str:
    """``DELETE WHERE { P }`` as ``DELETE { P } WHERE { P }``: rdflib's DELETE WHERE removes only part of
    the matches when the pattern has several triples (it deletes while it iterates)."""
    return re.sub(r"DELETE WHERE \{([^{}]*)\}", r"DELETE {\1} WHERE {\1}", update)


def apply(graph: rdflib.Graph, update: str) -> None:
    """Run each operation on its own: rdflib applies only the first of several ';'-separated ones."""
    for operation in re.split(r";\s*\n", update):
        if operation.strip():
            graph.update(PREFIXES + expand_delete_where(operation))


CASES = load_cases()


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.fixture(scope="module")
def reference() -> PyShaclValidator:
    return PyShaclValidator()


def example(name: str) -> rdflib.Graph:
    file = {"article": "article.ttl", "runs": "runs.ttl"}[name]
    return rdflib.Graph().parse(EXAMPLES / file, format="turtle", publicID=BASE)


def fired(validator: Validator, reference: PyShaclValidator, graph: rdflib.Graph) -> dict[str, set[str]]:
    """The shapes that fired, with their messages; the two validators must agree on every result."""
    results = validator.validate_graph(graph)
    assert results == reference.validate_graph(graph)
    shapes: dict[str, set[str]] = {}
    for item in results:
        shapes.setdefault(item.shape.removeprefix(SHAPES_NS), set()).add(item.message)
    return shapes


@pytest.mark.parametrize("name", ["article", "runs"])
def test_examples_conform_without_any_result(validator: Validator, reference: PyShaclValidator, name: str) -> None:
    assert fired(validator, reference, example(name)) == {}


@pytest.mark.parametrize("case", CASES, ids=[case.shape for case in CASES])
def test_violating_example_fires_its_shape_with_its_message(
    validator: Validator, reference: PyShaclValidator, case: Case
) -> None:
    graph = example(case.data)
    apply(graph, case.update)
    shapes = fired(validator, reference, graph)
    assert case.shape in shapes, f"{case.shape} did not fire; fired: {sorted(shapes)}"
    assert set(shapes) - {case.shape} == case.also
    assert shapes[case.shape] == {case.message}


def test_every_shape_has_a_violating_example() -> None:
    shapes = load_shapes()
    constrained = {
        str(node).removeprefix(SHAPES_NS)
        for predicate in (SH.message, SH.sparql)
        for node in shapes.subjects(predicate, None)
        if isinstance(node, rdflib.URIRef)
    }
    assert constrained - {case.shape for case in CASES} == set()
    assert len(CASES) == len({case.shape for case in CASES})


def test_every_constraining_shape_states_severity_and_message() -> None:
    shapes = load_shapes() + load_shapes(store=True)
    for node in set(shapes.subjects(SH.message, None)) | set(shapes.subjects(SH.sparql, None)):
        if not isinstance(node, rdflib.URIRef):
            continue
        assert shapes.value(node, SH.severity) in (SH.Violation, SH.Warning, SH.Info), node
        messages = list(shapes.objects(node, SH.message)) + [
            m for c in shapes.objects(node, SH.sparql) for m in shapes.objects(c, SH.message)
        ]
        assert messages and all(len(str(m)) > 20 for m in messages), node


@pytest.mark.parametrize(
    ("jalali", "gregorian", "fires"),
    [
        (("1404", "12", "01"), "2026-03-01", False),  # the seed: nominal "Jalali month + 3", not a disagreement
        (("1396", "10", "01"), "2018-01-01", False),  # months 10-12 fall in the next Gregorian year
        (("1404", "02", "01"), "2025-05-01", False),
        (("1404", "12", "01"), "2026-02-20", False),  # the real day
        (("1404", "12", "01"), "2026-03-02", True),  # neither the real day nor the nominal one
        (("1404", "12", "01"), "2025-03-01", True),  # the nominal month in the wrong year
        (("1404", "11", "01"), "2026-03-01", True),  # the nominal month of another Jalali month
    ],
)
def test_the_nominal_gregorian_date_is_not_a_disagreement(
    validator: Validator, reference: PyShaclValidator, jalali: tuple[str, str, str], gregorian: str, fires: bool
) -> None:
    """The exports' Gregorian date is the 1st of the Jalali month + 3 (kg.dates.nominal_gregorian): the
    reader says so once per file, and Issue-datesAgree fires only when the dates really disagree."""
    from kg.dates import nominal_gregorian
    from kg.records import JalaliDate

    year, month, day = jalali
    graph = example("article")
    issue = "<id/journal/2476-6879/volume/10/issue/4>"
    date = f'"{gregorian}"^^xsd:date'
    parts = f'time:year "{year}"^^time:generalYear ; time:month "--{month}"^^time:generalMonth ; '
    parts += f'time:day "---{day}"^^time:generalDay'
    apply(
        graph,
        f"""DELETE WHERE {{ {issue} schema:datePublished ?d ; prism:publicationDate ?e }} ;
INSERT DATA {{ {issue} schema:datePublished {date} ; prism:publicationDate {date} }} ;
DELETE WHERE {{ ?t time:year ?y ; time:month ?m ; time:day ?dd }} ;
INSERT {{ ?t {parts} }}
    WHERE {{ ?t a time:GeneralDateTimeDescription }} ;
""",
    )
    assert set(fired(validator, reference, graph)) == ({"Issue-datesAgree"} if fires else set())
    nominal = nominal_gregorian(JalaliDate(int(year), int(month), int(day))) == gregorian
    assert nominal == (gregorian.endswith("-01") and not fires and gregorian != "2026-02-20")
