"""The build's step for search: update the working index from the published graphs and copy it into the release.

``kg.build`` calls :func:`index_release` once per release, after the store and dumps are written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kg.publish.graphs import GraphFiles
from kg.search.index import INDEX_FILE, update

log = logging.getLogger("kg.build")


def index_release(files: GraphFiles, root: Path, staging: Path) -> float:
    """Index the changed articles (``kg.search.index.update``) and copy the index into ``staging``; seconds."""
    stats = update(files, root / INDEX_FILE, staging / INDEX_FILE)
    log.info(
        "search index: %d articles, %d read, %d re-indexed, %d removed",
        *(stats.articles, stats.read, stats.indexed, stats.deleted),
    )
    return stats.seconds
