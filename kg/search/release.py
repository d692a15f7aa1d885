"""The build's step for search: update the working index from the published graphs and copy it into the release.

``kg.build`` starts an :class:`IndexRun` once per release, after the graphs are written: the index is
updated in a child process (``kg.publish.beside``) while the main process writes the dumps, and
``IndexRun.finish`` waits for it and logs what it did (in the main process, whose log is the build's).
"""

from __future__ import annotations

import logging
from pathlib import Path

from kg.publish.beside import Beside
from kg.publish.graphs import GraphFiles
from kg.search.index import INDEX_FILE, IndexStats, update

log = logging.getLogger("kg.build")


class IndexRun:
    """The release's index being updated beside the main process."""

    def __init__(self, files: GraphFiles, root: Path, staging: Path, inline: bool = False) -> None:
        self._step = Beside("search", update, files, root / INDEX_FILE, staging / INDEX_FILE, inline=inline)

    def finish(self) -> float:
        """Wait for the index, log what it did; its seconds."""
        stats: IndexStats = self._step.result()
        log.info(
            "search index: %d articles, %d read, %d re-indexed, %d removed",
            *(stats.articles, stats.read, stats.indexed, stats.deleted),
        )
        return stats.seconds

    def cancel(self) -> None:
        self._step.cancel()
