"""The pages' selective queries answer exactly what the plain formulations answer (issues 15 and 18).

The page queries were rewritten for speed: labels as one UNION branch per predicate bound to the things
found, instead of ``VALUES ?p { labels } ?s ?p ?o`` (which Oxigraph evaluated before the join, reading every
label in the store). Speed is measured in ``tests/benchmarks/page_bench.py``; this checks, on the real
built store of the seed and the corpus, that the triples are the same for every thing of each page type.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Store

from kg.publish.article_view import CHILD_SEGMENTS, LABELS, article_context_query
from kg.server.describe import bound_labels, concise_description_query
from kg.vocab import RDF_TYPE

TYPES = ("ScholarlyArticle", "Person", "PublicationIssue", "PublicationVolume", "Periodical", "Organization")


@pytest.fixture(scope="module")
def store(sample_build: Path) -> Store:
    return Store.read_only(str(sample_build / "current" / "store"))


def _triples(store: Store, query: str) -> set[str]:
    union = next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is None
    return {str(t) for t in store.query(query, use_default_graph_as_union=union)}


def _things(store: Store, kind: str) -> list[str]:
    query = f"SELECT DISTINCT ?s WHERE {{ ?s a <http://schema.org/{kind}> }} ORDER BY ?s LIMIT 40"
    return [row[0].value for row in store.query(query, use_default_graph_as_union=True)]


def plain_description(iri: str) -> str:
    """The concise description as first written (``VALUES`` for the labels), the reference."""
    child = json.dumps("^" + re.escape(iri) + "/(" + "|".join(CHILD_SEGMENTS) + ")(/|$)")
    labels = "VALUES ?p { " + " ".join(f"<{p.value}>" for p in LABELS) + " } ?s ?p ?o"
    return f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?s . FILTER(isIRI(?s) && REGEX(STR(?s), {child})) ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?c . FILTER(isIRI(?c) && REGEX(STR(?c), {child}))
           ?c ?p2 ?s . FILTER(isIRI(?s) && REGEX(STR(?s), {child})) ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?s . FILTER(isIRI(?s)) {labels} }}
  UNION {{ <{iri}> ?p1 ?c . FILTER(isIRI(?c) && REGEX(STR(?c), {child}))
           ?c ?p2 ?s . FILTER(isIRI(?s)) {labels} }}
}}"""


@pytest.mark.parametrize("kind", TYPES)
def test_the_page_description_is_the_concise_description(store: Store, kind: str) -> None:
    things = _things(store, kind)
    assert things, f"the sample build has no {kind}"
    for iri in things:
        selective = _triples(store, concise_description_query(iri))
        assert selective, iri
        assert selective == _triples(store, plain_description(iri)), iri


def test_the_article_query_labels_equal_the_values_formulation(store: Store) -> None:
    articles = _things(store, "ScholarlyArticle")
    assert articles
    values = "VALUES ?p { " + " ".join(f"<{p.value}>" for p in (*LABELS, RDF_TYPE)) + " } ?s ?p ?o"
    for iri in articles:
        query = article_context_query(iri)
        assert bound_labels("s", (*LABELS, RDF_TYPE)) in query
        plain = query.replace(bound_labels("s", (*LABELS, RDF_TYPE)), values)
        found = _triples(store, query)
        assert found == _triples(store, plain), iri
