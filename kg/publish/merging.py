"""The build's side of merging: the copies of other formats an article graph has, and their supplement graphs.

``kg.publish.ranking`` decides, copy by copy, which copy of an article graph is primary (``kg.publish.merge``,
``format_rank``) and hands the others here (``offer``, ``demote``): the best copy of each other format is
kept (its N-Quads, until every file is read). ``merge`` then writes, for every article graph a file of this
build touched, the supplement graph of each kept copy (what it adds to the primary copy, as the store now
holds it), empties the supplement graphs that no copy makes any more (their file lost to a better one, or
its copy became the primary), and returns what it did for the report (``"merged"``: per article, the file
merged in, its supplement graph and the disagreements). Copies of files skipped as unchanged are ``seed``-ed
without their N-Quads: their supplement graphs stay as they are, since the ledger reads a merged file again
whenever the primary copy's file is read again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg.iris import supplement_graph, supplemented_graph
from kg.publish.graphs import graph_digest
from kg.publish.merge import supplement
from kg.publish.store_writer import StoreWriter
from kg.publish.tombstones import EMPTY_DIGEST, article_iri

Rank = tuple[str, str, str]  # (issue date, file SHA-256, file path): as kg.publish.ranking ranks copies


@dataclass
class _Copy:
    rank: Rank
    nquads: bytes | None  # None: a copy from a file skipped as unchanged, whose supplement graph stays


class Merging:
    def __init__(self, writer: StoreWriter, resolved: dict[str, str]) -> None:
        self.writer, self.resolved = writer, resolved
        self.copies: dict[str, dict[str, _Copy]] = defaultdict(dict)  # graph -> format -> the copy merged in
        self.touched: set[str] = set()  # graphs a copy read in this build was published or merged into
        self.written: list[str] = []  # supplement graphs written by this build

    def seed(self, graph: str, format_name: str, rank: Rank) -> None:
        """A merged copy from a file skipped as unchanged."""
        self.copies[graph][format_name] = _Copy(rank, None)

    def forget(self, paths: set[str]) -> None:
        """Drop the seeded copies of these (resolved) files, which are about to be read after all."""
        for copies in self.copies.values():
            for format_name, copy in list(copies.items()):
                if self._resolved(copy.rank[2]) in paths:
                    del copies[format_name]

    def offer(self, graph: str, format_name: str, rank: Rank, nquads: bytes) -> bool:
        """Keep this copy to merge into ``graph`` if it is the best of its format so far; whether it is."""
        held = self.copies[graph].get(format_name)
        if held is not None and held.rank[:2] >= rank[:2]:
            return False
        self.copies[graph][format_name] = _Copy(rank, nquads)
        self.touched.add(graph)
        return True

    def demote(self, graph: str, format_name: str, rank: Rank) -> None:
        """The published copy of ``graph`` gives way to a copy of a primary format: it is merged in instead."""
        nquads = self.writer.buffer.get(graph)
        if nquads is None:
            self.writer.flush()
            nquads = self.writer.files.read(graph)
        self.offer(graph, format_name, rank, nquads)

    def holder(self, graph: str, format_name: str) -> str:
        return self.copies[graph][format_name].rank[2]

    def holders(self) -> dict[str, set[str]]:
        """Graph -> the resolved paths of the files whose copies are merged into it."""
        return {
            graph: {self._resolved(copy.rank[2]) for copy in copies.values()}
            for graph, copies in self.copies.items()
            if copies
        }

    def merge(self, primaries: dict[str, str]) -> dict[str, Any]:
        """Write the supplement graphs of the touched article graphs; ``primaries``: graph -> the file of its
        published copy. Returns the report's ``"merged"`` section."""
        started = time.perf_counter()
        self.writer.flush()
        files = self.writer.files
        existing: dict[str, set[str]] = defaultdict(set)
        for name, digest in files.digests.items():
            owner = supplemented_graph(name)
            if owner is not None and digest != EMPTY_DIGEST:
                existing[owner].add(name)
        touched = sorted(self.touched)
        published = files.read_many(g for g in touched if self.copies.get(g))
        articles: list[dict[str, Any]] = []
        for graph in touched:
            wanted: set[str] = set()
            for format_name, copy in sorted(self.copies.get(graph, {}).items()):
                target = supplement_graph(graph, copy.rank[1])
                wanted.add(target)
                if copy.nquads is None:
                    continue
                added = supplement(published.get(graph, b""), copy.nquads, graph, target)
                self.writer.put(target, added.nquads, graph_digest(added.nquads))
                self.written.append(target)
                articles.append(
                    {
                        "article": article_iri(graph),
                        "graph": graph,
                        "primary": primaries.get(graph, ""),
                        "file": copy.rank[2],
                        "format": format_name,
                        "supplement": target,
                        "quads": added.quads,
                        "disagreements": added.disagreements,
                    }
                )
            for stale in sorted(existing.get(graph, set()) - wanted):
                self.writer.put(stale, b"", EMPTY_DIGEST)
        self.writer.flush()
        return {
            "articles": len(articles),
            "disagreements": sum(len(a["disagreements"]) for a in articles),
            "seconds": round(time.perf_counter() - started, 3),
            "merges": articles,
        }

    def _resolved(self, path: str) -> str:
        return self.resolved.get(path, path)
