"""The build's step for the channels that are not the graph itself: OAI-PMH records and the change feed.

Run after the release's dumps are written and before it is published, so that it can compare the new
release with the current one: per-article datestamps and records (``kg.publish.datestamps``) and the
patch from the current release's N-Quads dump to the new one (``kg.publish.changes``). What they hold is
in the release's ``oai.sqlite`` (its ``meta`` table counts the records) and ``dumps/changes/index.json``.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any, Protocol

from kg.publish.changes import write_changes
from kg.publish.datestamps import deletions, write_records
from kg.publish.graphs import GraphFiles
from kg.publish.layout import Layout, ReleaseLayout
from kg.publish.tombstones import still_withdrawn, write_withdrawn

log = logging.getLogger(__name__)


class Release(Protocol):
    """What of a release being built (``kg.build``'s) this step reads."""

    layout: Layout
    staging: ReleaseLayout
    graph_files: GraphFiles
    options: Any  # its ``base``
    id: str
    started_at: str
    seconds: dict[str, float]


def write_channels(release: Release) -> None:
    """Records (datestamped with the build's start) and the change feed of the release being staged."""
    started = time.perf_counter()
    layout, staging, base = release.layout, release.staging, release.options.base
    current = layout.current_release()
    previous = current.path.resolve().name if layout.current.exists() else ""
    # the articles `kg withdraw` took back and nothing published again: tombstones (kg.publish.tombstones)
    withdrawn = still_withdrawn(deletions(layout.root), release.graph_files.digests)
    write_withdrawn(staging.dumps, withdrawn)
    counts = write_records(
        current.oai if previous else None, staging.oai, release.graph_files, base, release.started_at, withdrawn
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = write_changes(current.dumps if previous else None, staging.dumps, release.id, previous, now, base)
    log.info(
        "OAI-PMH records: %d live (%d new or changed), %d deleted (%d newly); change feed: %s",
        counts.live,
        counts.changed,
        counts.deleted,
        counts.newly_deleted,
        f"{change.removed} quads removed, {change.added} added" if change else "first release",
    )
    release.seconds["channels"] = time.perf_counter() - started
