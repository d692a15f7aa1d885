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
import time
from typing import Any, Protocol

from pyoxigraph import Store

from kg.publish.default_graph import DefaultGraphChanges
from kg.publish.layout import Layout, ReleaseLayout
from kg.publish.quality import write_figures
from kg.publish.quality_facts import FactsTable
from kg.publish.ranking import Ranking
from kg.publish.report import ReportWriter
from kg.validation.conflicts import Scope, carry_over, find_conflicts, sort_entries

log = logging.getLogger(__name__)


class _Identity(Protocol):
    """What the checks read of the identity pass (``kg.publish.identity.IdentityTable``)."""

    @property
    def rewritten(self) -> int: ...

    @property
    def moved(self) -> list[str]: ...


class Release(Protocol):
    """What of a release being built (``kg.build``'s) the checks read."""

    layout: Layout
    staging: ReleaseLayout
    ranking: Ranking
    report: ReportWriter
    seconds: dict[str, float]
    changes: DefaultGraphChanges  # what the merged default graph changed by (kg.publish.dump_parts)

    @property
    def identity(self) -> _Identity: ...


def release_checks(store: Store, release: Release) -> None:
    """The conflicts (``check_release``) and the data-quality figures (``kg.publish.quality``) of a release:
    into its report and its ``quality.json``; the time they took into its ``seconds`` (``store_checks``).

    When the identity pass rewrote graphs published by earlier builds (new aliases), the checks run over
    everything: what those graphs say moved to other nodes. The quality figures are computed from facts
    per node, found again only for the nodes whose merged triples changed (``kg.publish.quality_facts``).
    """
    started = time.perf_counter()
    report = release.report
    touched = None if release.identity.rewritten else report.touched | set(release.identity.moved)
    conflicts = check_release(store, release.layout, release.ranking, report, touched, release.changes)
    release.seconds["conflicts"] = time.perf_counter() - started
    facts = FactsTable(release.staging.quality_facts, release.layout.current_release().quality_facts)
    try:
        dirty = facts.update(store, release.changes)
        # the report copies the file when it closes (a row per article: 18 MB at 50,000 articles)
        made = write_figures(release.staging.quality, facts, dirty, report.warnings, conflicts)
    finally:
        facts.close()
    report.quality = release.staging.quality
    log.debug("quality figures: %d journals' made again", made)
    release.seconds["store_checks"] = time.perf_counter() - started


def check_release(
    store: Store,
    layout: Layout,
    ranking: Ranking,
    report: ReportWriter,
    touched: set[str] | None,
    changes: DefaultGraphChanges | None = None,
) -> list[dict[str, Any]]:
    """The conflicts of the release's store within what this build ``touched`` (None: everything); added to
    the report.

    With ``changes`` (what the merged default graph changed by), the previous release's conflicts that
    neither the touched graphs nor those changes reach are carried over as they were
    (``kg.validation.conflicts.carry_over``), and only the others are checked again.
    """
    carried: list[dict[str, Any]] = []
    if touched is None or (changes is not None and changes.subjects is None):
        scope = Scope(None)
    elif changes is None:
        scope = Scope.of(store, touched, len(ranking.winners), previous_conflict_nodes(layout))
    else:
        scope = Scope.of(store, touched, len(ranking.winners))
        if scope.nodes is not None and changes.subjects is not None:
            reached = scope.nodes | changes.subjects
            published = ranking.winners.__contains__
            carried, again = carry_over(previous_conflicts(layout), reached, touched, published)
            scope = Scope(frozenset(reached | again))

    def describe(graph: str) -> dict[str, Any] | None:
        won = ranking.winners.get(graph)
        if won is None:
            return None
        file, record = report.records.get(graph, (won[2], ""))
        return {"file": file, "record": record, "date": won[0]}

    conflicts = sort_entries(carried + find_conflicts(store, scope, describe, union=False))  # found wins
    report.add_conflicts(conflicts)
    log.debug(
        "store-wide checks: %d conflicts over %s",
        len(conflicts),
        "everything" if scope.nodes is None else f"{len(scope.nodes)} nodes",
    )
    return conflicts


def previous_conflicts(layout: Layout) -> list[dict[str, Any]]:
    """The conflicts the current release reported (its ``quality.json``, smaller than the report)."""
    try:
        with open(layout.current_release().quality, encoding="utf-8") as handle:
            previous = json.load(handle)
    except (OSError, ValueError):
        return []
    found = previous.get("conflicts", []) if isinstance(previous, dict) else []
    return [item for item in found if isinstance(item, dict) and "focus" in item and "values" in item]


def previous_conflict_nodes(layout: Layout) -> set[str]:
    """The nodes of the conflicts the current release reported: checked again whether touched or not."""
    return {item["focus"] for item in previous_conflicts(layout)}
