"""Conflicts across records, found by the store-wide shapes inside the build, each with both its sources.

A conflict (two DOIs for one journal, two titles for one ISSN, a print ISSN equal to the online one, an
ISSN typed into another identifier field, one DOI on two articles, ...) only shows when the records are
put together, so the build runs the store-wide shapes (``shapes/store.ttl``, ``kg.validation.store_check``)
over its working store once the articles are loaded. It runs them over what the build touched: the nodes
of the article graphs it wrote, and the nodes of the conflicts the previous release reported (so that a
conflict resolved by a new export disappears, and one not touched is still reported), unless the build
touched most of the store, when one run over everything is cheaper than binding every node.

A conflict never blocks publishing: each article graph stays the record of its own export. The report
names, for each value, the article graphs that state it and the file and record each came from, and the
value it keeps (``kept``) by one rule, the rule the build uses for copies of one article: **the value
stated by the export of the latest issue wins** (ties: the file's SHA-256, as for articles). That is the
value to keep when correcting the other export. Where a conflict is within one value (print = online
ISSN, an ISSN in another identifier field) the value is kept as stated, and the rule says so.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, Literal, NamedNode, QuerySolutions, Store

from kg.validation.store_check import StoreFinding, find_store, store_findings, term_n3, term_text
from kg.vocab import shape_curie

# Past this share of the store's graphs a run over everything is cheaper than binding each touched node.
FULL_RUN_SHARE = 0.5
MAX_SOURCES = 5  # article graphs named per value: enough to find the exports, not a list of every article
LATEST_ISSUE = "the value stated by the export of the latest issue wins, as between two copies of an article"
RULES = {
    "Store-printIsOnlineIssn": "kept as stated, as both the print and the online ISSN: the export does not "
    "say which of the two it is",
    "Store-issnInOtherIdentifier": "kept as stated, in its own identifier field; it is not used as the journal's ISSN",
    "Store-oneArticlePerDoi": "both articles are kept, each with the DOI its export states; nothing is merged",
    "Store-onePersonPerOrcid": "both person records are kept; nothing is merged",
    "Store-oneJournalPerIssn": "both journals are kept, each with the ISSN its exports state; nothing is merged",
}

# Where a shape's value is stated, when not on the focus node itself (``{this}``, ``{value}``: N-Triples terms).
SOURCE_PATTERNS = {
    "Store-issnInOtherIdentifier": "{this} <http://purl.org/spar/datacite/hasIdentifier> ?node . ?node "
    "<http://purl.org/spar/datacite/usesIdentifierScheme> "
    "<http://purl.org/spar/datacite/local-resource-identifier-scheme> ; "
    "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> {value}",
}

PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCTERMS_IDENTIFIER = "http://purl.org/dc/terms/identifier"
SCHEMA_DATE = "http://schema.org/datePublished"

# graph IRI -> what the build knows of it: {"file": path, "record": label, "date": issue date, "rank": ...}
Describe = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class Scope:
    """What to check: ``None`` nodes means the whole store."""

    nodes: frozenset[str] | None

    @classmethod
    def of(cls, store: Store, touched: Collection[str], total: int, previous: Collection[str] = ()) -> Scope:
        """The nodes typed in the ``touched`` graphs plus the ``previous`` conflicts' nodes, or the whole
        store when the build touched more than ``FULL_RUN_SHARE`` of its ``total`` graphs."""
        if total and len(touched) > FULL_RUN_SHARE * total:
            return cls(None)
        nodes = set(previous)
        graphs = sorted(touched)
        for start in range(0, len(graphs), 500):
            values = " ".join(f"<{g}>" for g in graphs[start : start + 500])
            rows = store.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s a ?type }} }}")
            assert isinstance(rows, QuerySolutions)
            nodes.update(row[0].value for row in rows if isinstance(row[0], NamedNode))
        return cls(frozenset(nodes))


def find_conflicts(store: Store, scope: Scope, describe: Describe, union: bool = True) -> list[dict[str, Any]]:
    """The store-wide findings within ``scope`` as report entries, each value with its sources (``union``:
    over the union of the graphs, for a store without a merged default graph)."""
    findings = store_findings(store, focus=scope.nodes, union=union)
    return sort_entries([_entry(store, finding, describe, union) for finding in findings])


def sort_entries(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Conflict entries in the report's order, each once (by shape, focus and value)."""
    unique = {(e["shape"], e["focus"], e.get("value", ""), e["message"]): e for e in entries}
    return sorted(
        unique.values(), key=lambda e: (e["severity"] != "violation", e["shape"], e["focus"], e.get("value", ""))
    )


def carry_over(
    previous: Iterable[dict[str, Any]],
    touched_nodes: Collection[str],
    touched_graphs: Collection[str],
    published: Callable[[str], bool],
) -> tuple[list[dict[str, Any]], set[str]]:
    """The previous release's conflicts this build cannot have changed, kept as they were, and the nodes of
    the others, to check again.

    A conflict is carried when none of its things (its focus, the other thing) nor any node under them
    (an identifier: ``<thing>/identifier/…``) is among ``touched_nodes`` (the nodes typed in the graphs the
    build wrote, and those whose merged triples changed), and each graph named as a source is still
    published and was not written again. Checking it again would find it as it was: its findings read only
    those nodes' triples, and its sources are the graphs stating them.
    """
    touched = set(touched_nodes)
    above = {node[:at] for node in touched for at in range(len(node)) if node[at] == "/"}
    carried: list[dict[str, Any]] = []
    again: set[str] = set()
    for entry in previous:
        things = {entry["focus"]} | {value["thing"] for value in entry["values"] if "thing" in value}
        graphs = {source["graph"] for value in entry["values"] for source in value["sources"]}
        changed = any(thing in touched or thing in above for thing in things)
        if changed or any(graph in touched_graphs or not published(graph) for graph in graphs):
            again |= things
        else:
            carried.append(entry)
    return carried, again


def _entry(store: Store, finding: StoreFinding, describe: Describe, union: bool = True) -> dict[str, Any]:
    shape = shape_curie(finding.shape).removeprefix("kgsh:")
    sides = [finding.value] if finding.other is None or isinstance(finding.other, NamedNode) else []
    values: list[dict[str, Any]] = []
    if isinstance(finding.other, Literal):
        sides = [finding.value, finding.other]
    for term in sides or [None]:
        graphs = _graphs_stating(store, finding, term, union=union)
        values.append({"value": term_text(term), "sources": [_source(g, describe) for g in graphs[:MAX_SOURCES]]})
    if isinstance(finding.other, NamedNode):  # two things share the value: name the other thing's sources
        graphs = _graphs_stating(store, finding, finding.value, subject=finding.other.value, union=union)
        values.append(
            {
                "value": term_text(finding.value),
                "thing": finding.other.value,
                "sources": [_source(g, describe) for g in graphs[:MAX_SOURCES]],
            }
        )
    entry: dict[str, Any] = {
        "severity": finding.severity,
        "shape": shape,
        "focus": finding.focus,
        "message": finding.message,
        "values": values,
    }
    if finding.value is not None:
        entry["value"] = term_text(finding.value)
    if len(sides) == 2:
        entry["kept"] = _latest(values)
        entry["rule"] = LATEST_ISSUE
    elif shape in RULES:
        entry["rule"] = RULES[shape]
    first = next((source for value in values for source in value["sources"] if source.get("file")), None)
    if first is not None:  # where the terminal summary and the quality page point
        entry["file"], entry["record"] = first["file"], first.get("record", "")
    return entry


def _graphs_stating(
    store: Store, finding: StoreFinding, term: object, subject: str | None = None, union: bool = True
) -> list[str]:
    """The article graphs that state ``term`` on the focus node (directly, or on one of its nodes such as an
    identifier), or that describe the focus node at all when the finding names no value.

    With a merged default graph (not ``union``), the nodes that state the value (the focus, or nodes it links
    to) are found there first, then the graphs stating it on them, each an index lookup: the join
    ``?focus ?q ?node . ?node ?p value`` inside every graph that mentions a journal took 1.7 s per finding at
    50,000 articles (a journal is in each of its articles' graphs), this 0.3-0.4 s.
    """
    this = f"<{subject or finding.focus}>"
    special = SOURCE_PATTERNS.get(shape_curie(finding.shape).removeprefix("kgsh:"))
    bound = ""
    if term is None:
        pattern = f"{this} ?p ?o"
    elif special is not None:
        pattern = special.format(this=this, value=term_n3(term))
    elif union:  # no merged default graph to find the nodes in: the join inside each graph
        value = term_n3(term)
        pattern = f"{{ {this} ?p {value} }} UNION {{ {this} ?q ?node . ?node ?p {value} }}"
    else:
        value = term_n3(term)
        nodes = store.query(f"SELECT DISTINCT ?node WHERE {{ {this} ?q ?node . ?node ?p {value} }}")
        assert isinstance(nodes, QuerySolutions)
        stating = " ".join([this, *(f"<{row[0].value}>" for row in nodes if isinstance(row[0], NamedNode))])
        pattern = f"?node ?p {value}"
        bound = f"VALUES ?node {{ {stating} }}"  # outside GRAPH: inside, it is joined with every graph
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ {bound} GRAPH ?g {{ {pattern} }} }} ORDER BY ?g")
    assert isinstance(rows, QuerySolutions)
    return [row[0].value for row in rows if "/graph/runs" not in row[0].value]


def _source(graph: str, describe: Describe) -> dict[str, Any]:
    known = describe(graph) or {}
    return {"graph": graph, **{k: v for k, v in known.items() if k in ("file", "record", "date")}}


def _latest(values: list[dict[str, Any]]) -> str:
    """The value whose latest source ranks highest: (issue date, file) as the build ranks copies."""

    def rank(value: dict[str, Any]) -> tuple[str, str]:
        return max(((s.get("date", ""), s.get("file", "")) for s in value["sources"]), default=("", ""))

    return max(values, key=rank)["value"]


def store_conflicts(store_dir: Path) -> list[dict[str, Any]]:
    """The conflicts of a built output folder (its published release) with their sources: ``kg validate
    --store``'s account of what the store-wide shapes found."""
    store = Store.read_only(str(find_store(store_dir)))
    union = not any(True for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    return find_conflicts(store, Scope(None), provenance_describe(store), union=union)


def provenance_describe(store: Store) -> Describe:
    """Where a graph came from, read from its own provenance: for ``kg validate --store``, which has no build
    at hand. The file is named as the build saw it (its name), the record by the article's key."""

    def describe(graph: str) -> dict[str, Any] | None:
        rows = store.query(
            f"""SELECT ?name ?date WHERE {{ GRAPH <{graph}> {{
                <{graph}> <{PROV_DERIVED}> ?source . ?source <{DCTERMS_IDENTIFIER}> ?name .
                OPTIONAL {{ ?article <{SCHEMA_DATE}> ?date }} }} }} LIMIT 1"""
        )
        assert isinstance(rows, QuerySolutions)
        for name, date in rows:
            return {
                "file": term_text(name),
                "record": graph.rpartition("/article/")[2],
                "date": term_text(date),
            }
        return None

    return describe


def conflict_lines(conflicts: list[dict[str, Any]]) -> list[str]:
    """The conflicts as the terminal summary lists them: the message, then each value with its files."""
    lines = []
    for item in conflicts:
        lines.append(f"  {item['severity'].upper():9} {item['shape']}: {item['message']}")
        for value in item["values"]:
            files = "; ".join(f"{s.get('file', s['graph'])} [{s.get('record', '')}]" for s in value["sources"])
            lines.append(f"      {value['value'] or '(the node)'}: {files}")
        if item.get("kept"):
            lines.append(f"      kept: {item['kept']} ({item['rule']})")
    return lines
