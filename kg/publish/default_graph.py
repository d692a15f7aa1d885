"""The merged default graph, kept in the working store and changed by what the changed dump parts changed.

The SPARQL default graph is the merge of the article graphs, each triple once (``store_writer`` explains
why it is a real graph rather than pyoxigraph's union). It used to be loaded whole into every release's
store (12 s at 10,000 articles). Now the working store holds it, so each release's checkpoint carries it,
and a build changes it by the difference between a changed dump part's old and new merged triples
(``kg.publish.dump_parts``): lines only in the new part are added; lines only in the old part are removed
unless a named graph still holds the triple (another journal's part may share it).

That difference is also what the release's checks need to know (``DefaultGraphChanges``): the data-quality
facts of a node (``kg.publish.quality_facts``) change only when its merged triples do.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, parse

from kg.publish.store_writer import FLUSH_BYTES, line_blocks

_SAME_AS = b"> <http://schema.org/sameAs> "


@dataclass
class DefaultGraphChanges:
    """The subjects whose merged triples a build added or removed, and those of them whose ``schema:sameAs``
    links changed; ``subjects`` None: not known (a first build, every part new), so everything changed.

    ``before`` and ``after`` name the state of the parts (their manifest's digest) the difference leads
    from and to: what is carried over from a release must be of the state this difference starts from (a
    build that failed after updating the parts leaves a state no release has).
    """

    subjects: set[str] | None = field(default_factory=set)
    same_as: set[str] = field(default_factory=set)
    before: str = ""
    after: str = ""

    @staticmethod
    def state(manifest: dict[str, dict]) -> str:
        """A digest of a parts manifest: each part's key and digest."""
        text = "".join(f"{key}\t{manifest[key].get('digest', '')}\n" for key in sorted(manifest))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def everything(self) -> None:
        self.subjects = None

    def add(self, lines: Iterable[bytes]) -> None:
        """Note the subjects of these N-Triples lines (IRIs; a blank node is never shared across graphs)."""
        if self.subjects is None:
            return
        for line in lines:
            if line.startswith(b"<"):
                end = line.index(b">")
                subject = line[1:end].decode("utf-8")
                self.subjects.add(subject)
                if line.startswith(_SAME_AS, end):
                    self.same_as.add(subject)

    def add_file(self, path: Path) -> None:
        with open(path, "rb") as lines:
            self.add(lines)


class DefaultGraphLoad(threading.Thread):
    """Loads N-Triples files into the default graph in a thread (pyoxigraph releases the GIL while loading),
    so that the load of a first build overlaps the serialisers of the dump parts.

    ``counting``: add only the triples the default graph lacks, and count them (``added``), so that a build
    that changes a few parts knows the graph's size without counting it whole (a SPARQL COUNT, 0.7 s at
    10,000 articles). A first build loads in bulk and counts afterwards.
    """

    def __init__(self, store: Store, files: Iterable[Path], counting: bool = False) -> None:
        super().__init__(name="kg-default-graph", daemon=True)
        self.store, self.files, self.counting = store, list(files), counting
        self.error: BaseException | None = None
        self.added = 0

    def run(self) -> None:
        try:
            for path in self.files:
                for block in line_blocks(path, FLUSH_BYTES):  # blocks: one bulk_load holds all it loads
                    if self.counting:
                        self._add_new(block)
                    else:
                        self.store.bulk_load(block, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph(), lenient=True)
        except BaseException as error:  # re-raised by finish()
            self.error = error

    def _add_new(self, block: bytes) -> None:
        default = DefaultGraph()
        new = {Quad(t.subject, t.predicate, t.object, default) for t in parse(block, format=RdfFormat.N_TRIPLES)}
        new = {quad for quad in new if quad not in self.store}
        self.store.extend(new)
        self.added += len(new)

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def remove_unheld(store: Store, lines: Iterable[bytes]) -> int:
    """Remove these N-Triples lines from the default graph unless a named graph still holds the triple.

    Call it after the named graphs are up to date. Returns how many were removed.
    """
    removed = 0
    data = b"".join(lines)
    if not data:
        return 0
    for triple in parse(data, format=RdfFormat.N_TRIPLES):
        held = any(
            not isinstance(quad.graph_name, DefaultGraph)
            for quad in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
        )
        if not held:
            quad = Quad(triple.subject, triple.predicate, triple.object, DefaultGraph())
            if quad in store:
                store.remove(quad)
                removed += 1
    return removed
