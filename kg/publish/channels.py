"""The build's step for the channels that are not the graph itself: OAI-PMH records and the change feed.

Run before the release is published, so that it can compare the new release with the current one:
per-article datestamps and records (``kg.publish.datestamps``), in a child process beside the dumps, and,
once the dumps are written, the patch from the current release's N-Quads dump to the new one
(``kg.publish.changes``). What they hold is
in the release's ``oai.sqlite`` (its ``meta`` table counts the records) and ``dumps/changes/index.json``.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any, Protocol

from kg.publish.beside import Beside
from kg.publish.changes import write_changes
from kg.publish.datestamps import RecordCounts, deletions, write_records
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


class Channels:
    """The channels of a release being written: its records in a child process, then the change feed.

    ``start_channels`` forks the records' step (``kg.publish.beside``: it reads only the graph files and
    the current release's ``oai.sqlite``), so that it runs while the main process writes the dumps;
    ``finish`` writes the change feed, which compares the dumps, once they are written.
    """

    def __init__(
        self, release: Release, records: Beside[tuple[RecordCounts, float]], current: ReleaseLayout, previous: str
    ) -> None:
        self.release, self.records, self.current, self.previous = release, records, current, previous

    def cancel(self) -> None:
        """Stop the records' step: the release failed before its change feed."""
        self.records.cancel()

    def finish(self) -> None:
        release = self.release
        counts, seconds = self.records.result()
        started = time.perf_counter()
        current, previous = self.current, self.previous
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        change = write_changes(
            current.dumps if previous else None, release.staging.dumps, release.id, previous, now, release.options.base
        )
        log.info(
            "OAI-PMH records: %d live (%d new or changed), %d deleted (%d newly); change feed: %s",
            counts.live,
            counts.changed,
            counts.deleted,
            counts.newly_deleted,
            f"{change.removed} quads removed, {change.added} added" if change else "first release",
        )
        # "channels": the records' seconds (in their own process) and the change feed's
        release.seconds["channels"] = seconds + time.perf_counter() - started


def start_channels(release: Release, inline: bool = False) -> Channels:
    """Write the tombstones list and start the release's records beside the main process (``Channels``)."""
    layout, staging = release.layout, release.staging
    current = layout.current_release()
    previous = current.path.resolve().name if layout.current.exists() else ""
    # the articles `kg withdraw` took back and nothing published again: tombstones (kg.publish.tombstones)
    withdrawn = still_withdrawn(deletions(layout.root), release.graph_files.digests)
    write_withdrawn(staging.dumps, withdrawn)
    records = Beside(
        "records",
        _timed_records,
        current.oai if previous else None,
        staging.oai,
        release.graph_files,
        release.options.base,
        release.started_at,
        withdrawn,
        inline=inline,
    )
    return Channels(release, records, current, previous)


def _timed_records(*args: Any) -> tuple[RecordCounts, float]:
    started = time.perf_counter()
    counts = write_records(*args)
    return counts, time.perf_counter() - started
