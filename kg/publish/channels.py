"""The build's step for the channels that are not the graph itself: OAI-PMH records and the change feed.

Run after the release's dumps are written and before it is published, so that it can compare the new
release with the current one: per-article datestamps and records (``kg.publish.datestamps``) and the
patch from the current release's N-Quads dump to the new one (``kg.publish.changes``).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.publish.changes import Change, write_changes
from kg.publish.datestamps import RecordCounts, deletions, write_records
from kg.publish.graphs import GraphFiles
from kg.publish.layout import Layout, ReleaseLayout


@dataclass
class Channels:
    records: RecordCounts = field(default_factory=RecordCounts)
    change: Change | None = None

    def as_dict(self) -> dict[str, Any]:
        """What ``build.json`` says of them."""
        return {"records": self.records.as_dict(), "changes": asdict(self.change) if self.change else None}


def write_channels(
    layout: Layout, staging: ReleaseLayout, graphs: GraphFiles, base: str, release: str, started: str
) -> Channels:
    """Records (datestamped ``started``) and the change feed of the release staged in ``staging``."""
    current = layout.current_release()
    previous = current.path.resolve().name if layout.current.exists() else ""
    records = write_records(
        current.oai if previous else None, staging.oai, graphs, base, started, deletions(layout.root)
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = write_changes(current.dumps if previous else None, staging.dumps, release, previous, now, base)
    return Channels(records, change)
