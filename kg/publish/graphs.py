"""The published graphs as files: one canonical N-Quads file per named graph, beside the store.

The store answers queries; these files make the dumps (reading them is much faster than dumping the
store) and let a later build know exactly what each article graph held. They are written in the same
flush as the store, keyed by a hash of the graph IRI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path


class GraphFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shards: set[Path] = set()  # folders known to exist: one mkdir per shard, not per write

    def path(self, graph: str) -> Path:
        digest = hashlib.sha1(graph.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.nq"

    def write(self, graph: str, nquads: bytes) -> None:
        path = self.path(graph)
        if path.parent not in self._shards:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._shards.add(path.parent)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(nquads)
        temporary.replace(path)

    def all(self) -> Iterator[Path]:
        """Every graph file, in a stable order."""
        if not self.folder.exists():
            return
        for shard in sorted(self.folder.iterdir()):
            yield from sorted(shard.glob("*.nq"))
