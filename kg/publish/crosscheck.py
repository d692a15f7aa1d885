"""The build's checks across records: the store-wide shapes over what the build touched, with sources.

Run by the build over the release's checkpoint of the store once its merged default graph is loaded
(``kg.build``): there each triple is once, where the union of the article graphs repeats a journal's triples
in every article graph and a query joining two of them would meet every pair of copies.
``kg.validation.conflicts`` finds the conflicts; this module tells it what the build touched, what the
previous release reported (so that its conflicts are checked again, and dropped once resolved), and
where each published graph came from (file, record, issue date), which only the build knows.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pyoxigraph import Store

from kg.publish.layout import Layout
from kg.publish.ranking import Ranking
from kg.publish.report import ReportWriter
from kg.validation.conflicts import Scope, find_conflicts

log = logging.getLogger(__name__)


def check_release(store: Store, layout: Layout, ranking: Ranking, report: ReportWriter) -> list[dict[str, Any]]:
    """The conflicts of the working store within what this build touched; added to the report."""
    scope = Scope.of(store, report.touched, len(ranking.winners), previous_conflict_nodes(layout))

    def describe(graph: str) -> dict[str, Any] | None:
        won = ranking.winners.get(graph)
        if won is None:
            return None
        file, record = report.records.get(graph, (won[2], ""))
        return {"file": file, "record": record, "date": won[0]}

    conflicts = find_conflicts(store, scope, describe, union=False)
    report.add_conflicts(conflicts)
    log.debug(
        "store-wide checks: %d conflicts over %s",
        len(conflicts),
        "everything" if scope.nodes is None else f"{len(scope.nodes)} nodes",
    )
    return conflicts


def previous_conflict_nodes(layout: Layout) -> set[str]:
    """The nodes of the conflicts the current release reported (its ``quality.json``, small beside the
    report): checked again whether touched or not."""
    try:
        with open(layout.current_release().quality, encoding="utf-8") as handle:
            previous = json.load(handle)
    except (OSError, ValueError):
        return set()
    return {item["focus"] for item in previous.get("conflicts", []) if isinstance(item, dict) and "focus" in item}
