"""The validation API the build calls: shapes meta-validation, batches, attribution, reports, store checks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg.cli import run_validate
from kg.iris import Minter
from kg.pipeline import map_file
from kg.validation import SH, ValidationResult, Validator, load_shapes, report_turtle, run_store_shapes, validate_store
from kg.validation.reference import PyShaclValidator
from kg.validation.store_check import _restricted, store_findings, term_text
from tests.benchmarks.synthetic import generate_corpus

EXAMPLES = Path(__file__).resolve().parent / "shapes_examples"
BASE = "https://data.example.org/"
KGSH = "https://w3id.org/kg/shapes#"
ARTICLE = BASE + "id/journal/2476-6879/article/A-10-968-1"
GRAPH = BASE + "graph/journal/2476-6879/article/A-10-968-1"
SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def article_nquads(replace: dict[str, str] | None = None) -> bytes:
    """The conforming example as N-Triples, with text replacements (a new code gives a new article)."""
    graph = rdflib.Graph().parse(EXAMPLES / "article.ttl", format="turtle", publicID=BASE)
    text = graph.serialize(format="nt")
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def copy_of(code: str, replace: dict[str, str] | None = None) -> tuple[str, bytes]:
    """Another article of the same issue: every IRI of the example article under a new code."""
    changes = {"A-10-968-1": code, "a-2476-6879-A-10-968-1": f"a-2476-6879-{code}"}
    changes.update(replace or {})
    return GRAPH.replace("A-10-968-1", code), article_nquads(changes)


# ------------------------------------------------------------------------------------- shapes
SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"


@pytest.mark.parametrize("path", sorted(SHAPES_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_each_shapes_file_conforms_to_shacl_shacl(path: Path) -> None:
    shapes = rdflib.Graph().parse(path, format="turtle")
    if path.name != "common.ttl":  # sh:prefixes point at the declarations in common.ttl
        shapes.parse(SHAPES_DIR / "common.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=rdflib.Graph().parse(SHACL_SHACL))
    assert conforms, text


def test_all_shapes_together_conform_to_shacl_shacl() -> None:
    shapes = load_shapes() + load_shapes(store=True)
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=rdflib.Graph().parse(SHACL_SHACL))
    assert conforms, text


def test_every_shape_lives_in_the_shapes_namespace() -> None:
    shapes = load_shapes() + load_shapes(store=True)
    for kind in (SH.NodeShape, SH.PropertyShape):
        for node in shapes.subjects(rdflib.RDF.type, kind):
            assert str(node).startswith(KGSH), node


# -------------------------------------------------------------------------------- attribution
def test_batch_attributes_each_result_to_its_article(validator: Validator) -> None:
    good = (GRAPH, article_nquads())
    untitled = copy_of("A-10-969-1")
    untitled = (
        untitled[0],
        b"\n".join(line for line in untitled[1].split(b"\n") if b"<http://schema.org/headline>" not in line),
    )
    paged = copy_of(
        "A-10-970-1",
        {
            '<http://schema.org/pageStart> "355"': '<http://schema.org/pageStart> "373"',
            '<http://schema.org/pageEnd> "373"': '<http://schema.org/pageEnd> "355"',
        },
    )
    verdicts = validator.validate_articles([good, untitled, paged])
    assert verdicts[good[0]] == []
    assert {(r.severity, r.shape) for r in verdicts[untitled[0]]} == {
        ("violation", KGSH + "Article-title"),
        ("violation", KGSH + "Article-name"),
    }
    [order] = verdicts[paged[0]]
    assert (order.severity, order.shape, order.value) == ("warning", KGSH + "Article-pageOrder", "373")
    assert order.message == (
        "The first page (373) comes after the last page (355). Check the page numbers of the article."
    )


def test_a_bad_value_on_a_shared_node_goes_only_to_the_graph_that_states_it(validator: Validator) -> None:
    wrong_issn = copy_of("A-10-971-1", {'<http://schema.org/issn> "2476-6879"': '<http://schema.org/issn> "2476-6878"'})
    verdicts = validator.validate_articles([(GRAPH, article_nquads()), wrong_issn])
    assert verdicts[GRAPH] == []
    assert [(r.shape, r.value) for r in verdicts[wrong_issn[0]]] == [(KGSH + "Journal-issnCheckDigit", "2476-6878")]


def test_a_conflict_between_two_graphs_is_no_article_s_own_fault(validator: Validator) -> None:
    # Both graphs are fine alone; merged, the shared keyword has two Persian labels (uniqueLang).
    other = copy_of("A-10-972-1", {'"دوقلوی دیجیتال پزشکی"@fa': '"دوقلوی دیجیتالی پزشکی"@fa'})
    assert validator.validate_articles([other])[other[0]] == []
    verdicts = validator.validate_articles([(GRAPH, article_nquads()), other])
    assert verdicts == {GRAPH: [], other[0]: []}


def test_batch_gives_the_same_verdicts_as_one_at_a_time(validator: Validator, sample_build: Path) -> None:
    store = Store.read_only(str(sample_build / "current" / "store"))
    articles = [
        (g.value, serialize(store.quads_for_pattern(None, None, None, g), format=RdfFormat.N_QUADS))
        for g in store.named_graphs()
        if "/article/" in g.value
    ]
    batch = validator.validate_articles(articles)
    alone = {}
    for article in articles:
        alone.update(validator.validate_articles([article]))
    assert batch == alone
    assert len(articles) == 19


def test_the_compiled_checks_agree_with_pyshacl_on_real_and_synthetic_batches(
    validator: Validator, sample_build: Path, tmp_path: Path
) -> None:
    """The build's validator (SPARQL on pyoxigraph) against pySHACL, batch by batch, result by result."""
    from tests.benchmarks.build_bench import _options

    store = Store.read_only(str(sample_build / "current" / "store"))
    sample = [
        (g.value, serialize(store.quads_for_pattern(None, None, None, g), format=RdfFormat.N_QUADS))
        for g in store.named_graphs()
        if "/article/" in g.value
    ]
    options = _options(processes=1, validate=False)
    minter = Minter(options.base)
    synthetic = [
        (article.graph, article.nquads)
        for path in generate_corpus(tmp_path / "corpus", 120, seed=7)
        for article in map_file(path, options, minter).articles
    ]
    reference = PyShaclValidator()
    for batch in (sample, synthetic[:60], synthetic[60:]):
        ours = validator.validate_articles(batch)
        assert ours == reference.validate_articles(batch)
    found = [item for results in validator.validate_articles(sample + synthetic).values() for item in results]
    assert len({item.shape for item in found}) >= 4  # the batches do raise results: the comparison has teeth


def test_the_sample_has_no_violation(validator: Validator, sample_build: Path) -> None:
    outcome = validate_store(sample_build, validator)
    assert [r for r in outcome.all() if r.severity == "violation"] == []
    shapes = {r.shape.removeprefix(KGSH) for r in outcome.all()}
    # What the real sample holds: truncated records, nominal Gregorian dates, one unmapped content type,
    # articles in another language than their journal; and two conflicts across records: one journal's
    # exports give two journal DOIs (10.61186/rap, 10.61882/rap), another's print ISSN is its online ISSN.
    assert shapes <= {
        "Article-abstract",
        "Article-authors",
        "Issue-datesAgree",
        "Article-genre",
        "Article-languageAgrees",
        "Article-languageMissing",
        "Store-journalDoi",
        "Store-printIsOnlineIssn",
    }
    assert {r.shape.removeprefix(KGSH) for r in outcome.store} == {"Store-journalDoi", "Store-printIsOnlineIssn"}


# ------------------------------------------------------------------------------------- report
def test_report_turtle_is_a_shacl_validation_report(validator: Validator) -> None:
    graph, data = copy_of(
        "A-10-973-1",
        {
            '"2026-02-20"^^<http://www.w3.org/2001/XMLSchema#date>': '"2026-03-05"^^<http://www.w3.org/2001/XMLSchema#date>'
        },
    )
    report = rdflib.Graph().parse(data=report_turtle(graph, data, validator), format="turtle")
    [node] = report.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    [result] = report.objects(node, SH.result)
    assert report.value(result, SH.sourceShape) == rdflib.URIRef(KGSH + "Issue-datesAgree")
    assert report.value(result, SH.resultSeverity) == SH.Warning
    assert report.value(result, SH.value) == rdflib.Literal("2026-03-05", datatype=rdflib.XSD.date)
    assert "13 days apart" in str(report.value(result, SH.resultMessage))
    empty = rdflib.Graph().parse(data=ValidationResult.report_turtle([]), format="turtle")
    assert (None, SH.conforms, rdflib.Literal(True)) in empty


# ------------------------------------------------------------------------------------- store
def example_store(tmp_path: Path) -> Store:
    store = Store(str(tmp_path / "store"))
    graph = NamedNode(GRAPH)
    store.extend(
        Quad(q.subject, q.predicate, q.object, graph) for q in parse(article_nquads(), format=RdfFormat.N_TRIPLES)
    )
    runs = (EXAMPLES / "runs.ttl").read_bytes()
    store.load(runs, format=RdfFormat.TURTLE, base_iri=BASE, to_graph=NamedNode(BASE + "graph/runs"))
    return store


STORE_CASES = {
    "Store-oneArticlePerDoi": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/X-1> {
        <id/journal/2476-6879/article/X-1> a schema:ScholarlyArticle ; prism:doi "10.22034/mshsj.10.4.355" } }""",
    "Store-onePersonPerOrcid": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/person/h-aaaaaaaaaaaaaaaa> a schema:Person ; schema:name "Z. Karimi"@en ;
            schema:sameAs <https://orcid.org/0000-0002-1825-0097> } }""",
    "Store-oneJournalPerIssn": """INSERT DATA { GRAPH <graph/journal/2538-1563/article/X-1> {
        <id/journal/2538-1563> a schema:Periodical ; schema:issn "2476-6879" } }""",
    "Store-articleInOneGraph": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/X-2> {
        <id/journal/2476-6879/article/A-10-968-1> a schema:ScholarlyArticle } }""",
    "Store-graphProvenance": """DELETE DATA { GRAPH <graph/runs> {
        <graph/journal/2476-6879/article/A-10-968-1> prov:wasGeneratedBy <id/run/20261129T050000Z> } }""",
    "Store-orphanAuthorship": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/journal/2476-6879/article/A-10-968-1/author/9> a pro:RoleInTime } }""",
    "Store-orphanKeyword": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/concept/000000000000> a skos:Concept ; skos:inScheme <id/scheme/author-keywords> } }""",
    "Store-personNamed": """DELETE WHERE { GRAPH ?g { <id/person/h-drpjllyt5vjrhyxj> schema:name ?n } }""",
    "Store-keywordLabel": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/X-3> {
        <id/concept/18457d4e3a69> a skos:Concept ; skos:prefLabel "هوش ماشینی"@fa } }""",
    "Store-journalTitle": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/X-4> {
        <id/journal/2476-6879> a schema:Periodical ; schema:name "Health Strategies"@en } }""",
    "Store-issueDate": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/X-5> {
        <id/journal/2476-6879/volume/10/issue/4> a schema:PublicationIssue ;
            schema:datePublished "2026-03-01"^^xsd:date } }""",
    "Store-journalDoi": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/journal/2476-6879> prism:doi "10.61882/mshsj" , "10.61186/mshsj" } }""",
    "Store-printIsOnlineIssn": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/journal/2476-6879> prism:eIssn "2476-6879" } }""",
    "Store-issnInOtherIdentifier": """INSERT DATA { GRAPH <graph/journal/2476-6879/article/A-10-968-1> {
        <id/journal/2476-6879> datacite:hasIdentifier <id/journal/2476-6879/identifier/nlai> .
        <id/journal/2476-6879/identifier/nlai> datacite:usesIdentifierScheme
                datacite:local-resource-identifier-scheme ;
            literal:hasLiteralValue "2538-1563" ; schema:propertyID "NLAI" } }""",
}
STORE_PREFIXES = f"""BASE <{BASE}>
PREFIX schema: <http://schema.org/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
"""


def test_the_example_store_passes_every_store_shape(tmp_path: Path) -> None:
    assert run_store_shapes(example_store(tmp_path)) == []


def test_every_store_shape_has_a_violating_example() -> None:
    shapes = load_shapes(store=True)
    assert {str(s).removeprefix(KGSH) for s in shapes.subjects(SH.sparql, None)} == set(STORE_CASES)


@pytest.mark.parametrize("shape", sorted(STORE_CASES))
def test_store_shape_fires_on_its_example(tmp_path: Path, shape: str) -> None:
    store = example_store(tmp_path)
    store.update(STORE_PREFIXES + STORE_CASES[shape])
    fired = {r.shape.removeprefix(KGSH) for r in run_store_shapes(store)}
    assert shape in fired
    assert fired - {shape} <= {"Store-articleInOneGraph", "Store-graphProvenance"}  # new stub graphs


@pytest.mark.parametrize("shape", sorted(STORE_CASES))
def test_store_shapes_bound_to_nodes_find_what_the_full_run_finds_there(tmp_path: Path, shape: str) -> None:
    """A rebuild checks only the nodes it touched (``focus``): each finding of the full run on those nodes,
    none of another node's. ``MINUS`` groups are bound to the nodes too (``_restricted``), which must not
    change what they subtract."""
    store = example_store(tmp_path)
    store.update(STORE_PREFIXES + STORE_CASES[shape])

    def found(focus: set[str] | None) -> set[tuple[str, str, str]]:
        return {(f.shape, f.focus, term_text(f.value)) for f in store_findings(store, focus=focus, union=True)}

    every = found(None)
    fired = {focus for name, focus, _ in every if name == KGSH + shape}
    assert fired
    others = {BASE + "id/journal/2476-6879", BASE + "id/journal/2476-6879/article/A-10-968-1"} - fired
    for nodes in (fired, others, fired | others):
        assert found(nodes) == {finding for finding in every if finding[1] in nodes}


def test_a_minus_group_is_bound_to_the_nodes_only_where_it_mentions_this() -> None:
    query = "SELECT $this WHERE { $this a ?t . MINUS { ?a <p> $this } MINUS { ?x <q> ?y } }"
    restricted = _restricted(query, "VALUES $this { <n> }")
    assert restricted.count("VALUES $this { <n> }") == 2
    assert "MINUS { VALUES $this { <n> }  ?a <p> $this }" in restricted
    assert "MINUS { ?x <q> ?y }" in restricted


def test_store_messages_name_the_values(tmp_path: Path) -> None:
    store = example_store(tmp_path)
    store.update(STORE_PREFIXES + STORE_CASES["Store-keywordLabel"])
    [result] = [r for r in run_store_shapes(store) if r.shape == KGSH + "Store-keywordLabel"]
    assert result.focus == BASE + "id/concept/18457d4e3a69"
    assert result.message.startswith(
        "The keyword has two preferred labels in the same language across "
        'articles: "دوقلوی دیجیتال پزشکی" and "هوش ماشینی".'
    )


# --------------------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_validate_command_on_the_seed_prints_counts_then_results(engine: str) -> None:
    out = io.StringIO()
    seed = Path(__file__).resolve().parent.parent / "kg" / "sample" / "seed"
    assert run_validate([seed], None, "text", BASE.rstrip("/"), engine=engine, out=out) == 0
    text = out.getvalue()
    # the seed's Gregorian date is the exports' nominal one: no SHACL warning, one reader note
    assert text.startswith("1 graphs validated: 0 violations, 0 warnings, 0 infos\n")
    assert "Issue-datesAgree" not in text
    assert "INFO " in text and "the Gregorian date 2026-03-01 is a nominal one" in text


def test_validate_command_exit_code_and_json_for_a_violation(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parent.parent / "kg" / "sample" / "seed" / "mshsj-v10n4-a968.xml"
    broken = tmp_path / "untitled.xml"
    text = seed.read_text(encoding="utf-8")
    start = text.index("\t<title_fa>مروری")
    end = text.index("</title>", start) + len("</title>")
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    out = io.StringIO()
    code = run_validate([broken], None, "json", BASE.rstrip("/"), out=out)
    report = json.loads(out.getvalue())
    shapes = {item["shape"] for items in report["graphs"].values() for item in items}
    if report["graphs"]:  # the reader may reject an untitled article itself: then nothing reaches SHACL
        assert code == 1 and KGSH + "Article-title" in shapes
    else:
        assert any(p.get("severity") == "error" for p in report["reader"])


@pytest.mark.parametrize("constraint", ["sh:lessThan schema:pageEnd", "sh:closed true"])
def test_a_shape_the_sparql_compiler_cannot_translate_is_refused_not_skipped(constraint: str) -> None:
    from kg.validation import UnsupportedShape, compile_shapes

    shapes = rdflib.Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
        <urn:shape> a sh:NodeShape ; sh:targetClass schema:ScholarlyArticle .
        <urn:property> a sh:PropertyShape ; sh:path schema:pageStart ; {constraint} .
        <urn:shape> sh:property <urn:property> .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="is not supported"):
        compile_shapes(shapes)
