"""Writing the build's store: article graphs in batches, and a release's merged default graph.

The working store (``DIR/store``) takes the published article graphs, a batch at a time, each replacing
its older copy (``StoreWriter``); the graph files beside it (``kg.publish.graphs``) keep the same batches as
N-Quads segments for the dumps and for the next build. A release's checkpoint of the store then gets the
merged triples as its default graph (``store_merged_default_graph``), loaded beside the dump serialisers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from kg.publish.graphs import GraphFiles

FLUSH_BYTES = 16_000_000


class StoreWriter:
    """Buffers published article graphs and writes them in batches, replacing older copies.

    ``checked`` says that every payload was already parsed strictly, by the validator in its worker: the
    store then loads it with pyoxigraph's lenient parser, which skips re-checking every IRI and language
    tag (measured: 8-14% of the load's CPU, and the load is most of the main process's work).
    """

    def __init__(self, store: Store, files: GraphFiles, checked: bool = False) -> None:
        self.store = store
        self.files = files
        self.checked = checked
        self.buffer: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}
        self.buffered = 0
        self.seconds = 0.0
        self.identical = 0  # graphs published again byte for byte: the store already holds them

    def put(self, graph: str, nquads: bytes, digest: str) -> None:
        """Publish a graph's N-Quads (``digest`` is their ``graph_digest``), replacing its current copy.

        A copy identical to the current one changes nothing and is not written: replacing a graph costs
        the store a transactional delete (about 4 ms), so a rebuild that reads unchanged articles again
        (``--force``, a new kg version, a corrected issue) would otherwise pay it for each of them.
        """
        if (
            graph not in self.buffer
            and self.files.is_current(graph, digest)
            and self.store.contains_named_graph(NamedNode(graph))
        ):
            self.identical += 1
            return
        self.buffer[graph] = nquads
        self.digests[graph] = digest
        self.buffered += len(nquads)
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def close(self) -> None:
        """Let go of the store (pyoxigraph closes it with its last reference); the writer is of no use after."""
        del self.store

    def flush(self) -> None:
        if not self.buffer:
            return
        started = time.perf_counter()
        # staged (written, not listed) first: if the build dies before the commit, the next one sees which
        # graphs may be half-replaced in the store and loads them again (kg.publish.graphs)
        number, segment = self.files.stage(self.buffer)
        for graph in self.buffer:
            node = NamedNode(graph)
            if self.store.contains_named_graph(node):
                self.store.remove_graph(node)
        # bulk_load writes sorted files straight to disk: many times faster than a transactional load.
        # Atomicity comes from the release checkpoint, not from this working store, which nobody serves.
        self.store.bulk_load(segment, format=RdfFormat.N_QUADS, lenient=self.checked)
        self.files.commit(number, self.digests)
        self.buffer.clear()
        self.digests = {}
        self.buffered = 0
        self.seconds += time.perf_counter() - started


def default_graph_loader(store: Store, seconds: dict[str, float]) -> Callable[[Path], None]:
    """What ``write_dumps`` runs beside the serialisers: the merged triples into the release's default graph."""

    def load(merged_ntriples: Path) -> None:
        started = time.perf_counter()
        store_merged_default_graph(store, merged_ntriples)
        seconds["default_graph"] = time.perf_counter() - started

    return load


def store_merged_default_graph(store: Store, merged_ntriples: Path) -> None:
    """Give the release a real default graph: the merged set of all article graphs.

    pyoxigraph's union default graph is a multiset: a journal's triples, repeated in each of its article
    graphs, would come back once per article and inflate every COUNT. Loading the merged triples (each
    once, the file the N-Triples dump is compressed from) into the release's own default graph makes the
    SPARQL default graph a proper set; the working store keeps only the article graphs. Runs beside the
    dump serialisers (``write_dumps(alongside=...)``).

    Loaded in blocks of ``FLUSH_BYTES``: one ``bulk_load`` call holds everything it loads in memory
    (measured: 1.1 GB for 1.25 million triples), so one call over the whole file would make the build's
    peak grow with the corpus. Every line was parsed strictly before (by the validator, or by the working
    store's load), so the lenient parser is enough.
    """
    for block in line_blocks(merged_ntriples, FLUSH_BYTES):
        store.bulk_load(block, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph(), lenient=True)
    store.flush()


def line_blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file in blocks of about ``size`` bytes, each ending at a line end."""
    with open(path, "rb") as handle:
        rest = b""
        while block := handle.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest = block
                continue
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest
