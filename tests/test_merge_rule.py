"""The merge rule (``kg.publish.merge.supplement``) on small hand-written copies of one article graph.

The primary copy states a field: its value stays and the other copy's different value is a reported
disagreement. A field the primary lacks comes from the other copy, into the supplement graph, which says
where it comes from. Identifiers accumulate. What the other copy says about a node reached only through a
left-out link (a second person at a filled author position) is left out with it.
"""

from __future__ import annotations

from pyoxigraph import RdfFormat, parse

from kg.iris import supplement_graph, supplemented_graph
from kg.publish.merge import format_rank, supplement

G = "https://kg.example.org/graph/journal/1/article/A"
A = "https://kg.example.org/id/journal/1/article/A"
S = "http://schema.org/"
DATACITE = "http://purl.org/spar/datacite/"
PROV = "http://www.w3.org/ns/prov#"
FABIO = "http://purl.org/spar/fabio/"


def _nq(*triples: str, graph: str = G) -> bytes:
    return "".join(f"{triple} <{graph}> .\n" for triple in triples).encode("utf-8")


PRIMARY = _nq(
    f'<{A}> <{S}headline> "Digital twins"@en',
    f'<{A}> <{S}headline> "دوقلوهای دیجیتال"@fa',
    f"<{A}> <{DATACITE}hasIdentifier> <{A}/identifier/doi>",
    f"<{A}/author/1> <http://purl.org/spar/pro/isHeldBy> <https://kg.example.org/id/person/h-1>",
    f"<{A}> <{S}author> <https://kg.example.org/id/person/h-1>",
    f"<{G}> <{PROV}wasDerivedFrom> <https://kg.example.org/id/source/sha256-aaaa>",
)
OTHER = _nq(
    f'<{A}> <{S}headline> "Digital twins: a review"@en',  # disagrees: the primary's stays
    f'<{A}> <{FABIO}hasDateReceived> "2025-10-12"^^<http://www.w3.org/2001/XMLSchema#date>',  # new field
    f"<{A}> <{DATACITE}hasIdentifier> <{A}/identifier/pubmed>",  # identifiers accumulate
    f'<{A}/identifier/pubmed> <{S}value> "41234567"',
    f"<{A}/author/1> <http://purl.org/spar/pro/isHeldBy> <https://kg.example.org/id/person/orcid-1>",
    f"<{A}> <{S}author> <https://kg.example.org/id/person/orcid-1>",
    f'<https://kg.example.org/id/person/orcid-1> <{S}name> "M. H. Roozbahani"@en',
    f"<{A}> <{S}isBasedOn> <https://kg.example.org/id/source/sha256-bbbb>",
    f"<{G}> <{PROV}wasDerivedFrom> <https://kg.example.org/id/source/sha256-bbbb>",
)


def _triples(nquads: bytes, graph: str) -> set[tuple[str, str, str]]:
    found = set()
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        assert quad.graph_name.value == graph
        found.add((quad.subject.value, quad.predicate.value, quad.object.value))
    return found


def test_the_primary_keeps_its_fields_and_the_other_adds_the_rest() -> None:
    target = supplement_graph(G, "bbbb" * 16)
    assert target == G + "/from/sha256-bbbbbbbbbbbbbbbb" and supplemented_graph(target) == G
    added = supplement(PRIMARY, OTHER, G, target)
    assert _triples(added.nquads, target) == {
        (A, FABIO + "hasDateReceived", "2025-10-12"),
        (A, DATACITE + "hasIdentifier", A + "/identifier/pubmed"),
        (A + "/identifier/pubmed", S + "value", "41234567"),
        (target, PROV + "wasDerivedFrom", "https://kg.example.org/id/source/sha256-bbbb"),
    }
    assert added.quads == 4
    fields = {(d["field"], d.get("lang", "")): (d["kept"], d["left_out"]) for d in added.disagreements}
    assert fields == {
        (S + "headline", "en"): (["Digital twins"], ["Digital twins: a review"]),
        ("http://purl.org/spar/pro/isHeldBy", ""): (
            ["https://kg.example.org/id/person/h-1"],
            ["https://kg.example.org/id/person/orcid-1"],
        ),
        (S + "author", ""): (["https://kg.example.org/id/person/h-1"], ["https://kg.example.org/id/person/orcid-1"]),
    }


def test_a_copy_that_adds_nothing_gives_only_its_provenance() -> None:
    target = supplement_graph(G, "cccc" * 16)
    same = PRIMARY.replace(b"sha256-aaaa", b"sha256-cccc")
    added = supplement(PRIMARY, same, G, target)
    assert _triples(added.nquads, target) == {
        (target, PROV + "wasDerivedFrom", "https://kg.example.org/id/source/sha256-cccc")
    }
    assert added.disagreements == []


def test_the_journal_export_is_the_primary_format() -> None:
    assert format_rank("journal export") < format_rank("PubMed ArticleSet")
    assert supplemented_graph(G) is None
