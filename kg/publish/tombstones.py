"""Tombstones: the articles ``kg withdraw`` took back, as every release lists them in ``dumps/withdrawn.json``.

``kg withdraw`` empties the article graphs of the withdrawn files and appends one line per graph to
``DIR/deleted.jsonl`` (``kg.publish.datestamps.note_deleted``). Every later release (a withdrawal or a
build) writes the still-withdrawn ones into its ``dumps/withdrawn.json``: the server answers their IRIs
``410 Gone`` with the date and the reason, and ``/dumps/`` lists the file. A withdrawn graph that holds
triples again (its file was built again, or another copy of the article came back) is no longer a
tombstone: it is lifted here (its graph's digest is no longer the empty graph's, which the withdrawal
noted), without rewriting ``deleted.jsonl``, so a build that fails lifts nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.publish.graphs import graph_digest

WITHDRAWN = "withdrawn.json"  # in a release's dumps folder
EMPTY_DIGEST = graph_digest(b"")  # of an emptied graph: what `kg withdraw` leaves


def article_iri(graph: str) -> str:
    """``{base}/graph/journal/…/article/…`` -> ``{base}/id/journal/…/article/…`` (``kg.iris``' rule)."""
    return graph.replace("/graph/", "/id/", 1)


def still_withdrawn(noted: dict[str, dict[str, str]], digests: dict[str, str]) -> dict[str, dict[str, str]]:
    """The noted withdrawals still in force: noted without a digest (withdrawn for good), or with the digest
    the graph still has. ``kg withdraw`` notes the digest of the empty graph it leaves (``EMPTY_DIGEST``), so
    a copy published again later has another digest and lifts the tombstone."""
    return {
        graph: line for graph, line in noted.items() if line.get("digest", "") in ("", digests.get(graph, EMPTY_DIGEST))
    }


def write_withdrawn(dumps: Path, withdrawn: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Write ``dumps/withdrawn.json`` (always, an empty list included, so that clients find it); its entries."""
    entries = [
        {"iri": article_iri(graph), "graph": graph, "withdrawn": line.get("at", ""), "reason": line.get("reason", "")}
        for graph, line in sorted(withdrawn.items())
    ]
    dumps.mkdir(parents=True, exist_ok=True)
    (dumps / WITHDRAWN).write_text(
        json.dumps({"withdrawn": entries}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return entries


def read_withdrawn(path: Path | None) -> dict[str, dict[str, Any]]:
    """Article IRI -> its tombstone, from a release's ``dumps/withdrawn.json`` (none when there is none)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(entry["iri"]): entry for entry in data["withdrawn"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
