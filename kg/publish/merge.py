"""One article from two formats: what the second copy adds to the first, in a graph of its own.

The same article often comes in a journal export and in a PubMed/OJS ``ArticleSet``; both copies map to
one article graph (the same IRIs, ``kg.iris``). Two copies from files of the *same* format are versions of
one another, and the later one replaces the other (``kg.publish.ranking``). Copies from files of
*different* formats are two witnesses of one article, each knowing things the other does not (the journal
export: both languages of every field; PubMed: the history dates, the publisher, the PDF, PMID, the
references), so their facts are merged, and every triple stays traceable to the file that said it:

- the **primary** copy is the article graph, as if it were alone. The journal export is primary (it is the
  journal system's own full record, in both languages); between two other formats, the one first by name;
- the other copy contributes, in its **supplement graph** ``{article graph}/from/sha256-{file}`` (``kg.iris``),
  only what the primary does not state. The supplement describes itself as the article graph does: a
  ``prov:Entity`` ``prov:wasDerivedFrom`` its own source file, so ``GRAPH ?g`` and ``?g``'s provenance say
  which file stated each triple.

The rule, per *field* (a subject's property; for text, per language): a field the primary states is the
primary's alone, whatever the other copy says of it; where the other copy gives it another value, that is
a **disagreement**, left out and reported (subject, field, language, both values). A field the primary does
not state comes from the other copy (so the history dates come from PubMed, which the journal export does not
carry, and the bilingual titles and abstracts from the journal export). Identifiers
(``datacite:hasIdentifier``, ``schema:identifier``) accumulate: a PMID is another identifier, not another
value of one. What the other copy says about things the kept triples no longer reach is left out with the
link that reached them: a person the primary names differently at the same author position, or a keyword
at a position the primary fills, does not come in through the back door as a second author or keyword.
The article's ``schema:isBasedOn`` (its source file) is the primary's; the supplement's own provenance says
where it comes from.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from kg.vocab import DATACITE, SCHEMA

PRIMARY_FORMAT = "journal export"  # kg.sources.journal_export.FORMAT: the format whose copy is primary
ACCUMULATING = frozenset({DATACITE.hasIdentifier.value, SCHEMA.identifier.value})
PRIMARY_ONLY = frozenset({SCHEMA.isBasedOn.value})  # the supplement's own provenance says where it comes from
_SHOWN = 300  # characters of a value shown in the report

Term = NamedNode | BlankNode | Literal | Triple
Triple3 = tuple[NamedNode | BlankNode | Triple, NamedNode, Term]


def format_rank(format_name: str) -> tuple[int, str]:
    """Which format's copy is primary: the lowest rank (the journal export, then the others by name)."""
    return (0 if format_name == PRIMARY_FORMAT else 1, format_name)


@dataclass
class Supplement:
    """What a copy adds to the primary copy of its article graph, and where the two disagree."""

    nquads: bytes
    quads: int
    disagreements: list[dict[str, Any]] = field(default_factory=list)


def supplement(primary: bytes, other: bytes, graph: str, target: str) -> Supplement:
    """The triples of ``other`` (a copy of the article graph ``graph``) that the primary copy ``primary``
    lacks, by the rule above, as N-Quads in the graph ``target``; and the fields the two disagree on."""
    stated: dict[tuple[Term, str, str], set[Term]] = defaultdict(set)
    nodes: set[Term] = {NamedNode(target)}  # the roots: whatever the primary copy names, and the supplement
    known: set[Triple3] = set()
    for s, p, o in _triples(primary):
        known.add((s, p, o))
        stated[(s, p.value, _lang(o))].add(o)
        nodes.add(s)
        if not isinstance(o, Literal):
            nodes.add(o)
    itself, renamed = NamedNode(graph), NamedNode(target)
    left_out: dict[tuple[Term, str, str], set[Term]] = defaultdict(set)
    by_subject: dict[Term, list[Triple3]] = defaultdict(list)
    for s, p, o in _triples(other):
        if s == itself:
            s = renamed  # the copy's description of its graph describes the supplement
        if (s, p, o) in known or p.value in PRIMARY_ONLY:
            continue
        key = (s, p.value, _lang(o))
        if key in stated and p.value not in ACCUMULATING:
            left_out[key].add(o)
            continue
        by_subject[s].append((s, p, o))
    kept = _reachable(by_subject, nodes)
    quads = [Quad(s, p, o, renamed) for s, p, o in kept]
    data = serialize(quads, format=RdfFormat.N_QUADS) or b""
    lines = sorted(data.splitlines(keepends=True))
    return Supplement(b"".join(lines), len(lines), [_disagreement(k, stated[k], v) for k, v in sorted_items(left_out)])


def _reachable(by_subject: dict[Term, list[Triple3]], roots: set[Term]) -> list[Triple3]:
    """The candidate triples whose subject the primary copy (or a kept triple) reaches."""
    seen = set(roots)
    queue = deque(subject for subject in by_subject if subject in seen)
    kept: list[Triple3] = []
    while queue:
        for triple in by_subject.get(queue.popleft(), ()):
            kept.append(triple)
            node = triple[2]
            if not isinstance(node, Literal) and node not in seen:
                seen.add(node)
                if node in by_subject:
                    queue.append(node)
    return kept


def _triples(nquads: bytes) -> list[Triple3]:
    return [(q.subject, q.predicate, q.object) for q in parse(nquads, format=RdfFormat.N_QUADS)]


def _lang(term: Term) -> str:
    return (term.language or "") if isinstance(term, Literal) else ""


def _shown(term: Term) -> str:
    text = str(term) if isinstance(term, Triple) else term.value
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def sorted_items(found: dict[tuple[Term, str, str], set[Term]]) -> list[tuple[tuple[Term, str, str], set[Term]]]:
    return sorted(found.items(), key=lambda item: (str(item[0][0]), item[0][1], item[0][2]))


def _disagreement(key: tuple[Term, str, str], kept: set[Term], other: set[Term]) -> dict[str, Any]:
    subject, predicate, lang = key
    entry = {
        "subject": _shown(subject),
        "field": predicate,
        "kept": sorted(_shown(term) for term in kept),
        "left_out": sorted(_shown(term) for term in other),
    }
    return {**entry, "lang": lang} if lang else entry
