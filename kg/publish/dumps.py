"""Bulk dumps: N-Quads (complete, with the named graphs), and merged N-Triples, Turtle and JSON-LD.

All dumps are written from one sorted stream of the store's quads, so that

* memory stays flat whatever the corpus size: the graph files keep their segments sorted, the dumps
  merge them with ``heapq.merge``, and the serialisers stream;
* unchanged data gives byte-identical files: lines are in byte order and gzip headers carry no time;
* the merged dumps hold each triple once: lines are sorted, so the copies of a triple that several article
  graphs share (the journal, the issue, a person) are adjacent and dropped as they stream past.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

from kg.vocab import PREFIXES

_BLOCK_LINES = 20_000


@dataclass
class DumpInfo:
    file: str
    format: str
    media_type: str
    triples: int
    bytes: int
    sha256: str
    graphs: str  # "named graphs" for N-Quads, "merged" for the others

    def as_dict(self) -> dict:
        return asdict(self)


def _merge_sorted(sources: Iterable[Iterable[bytes]], quads_out: gzip.GzipFile, triples_out: Path) -> tuple[int, int]:
    """Merge the sorted sources: each quad once into ``quads_out``, each triple once into ``triples_out``.

    Works on bytes, not parsed terms: in a sorted N-Quads line the graph name is the last term, so the
    copies of one triple in several graphs are adjacent lines whose text before the graph is equal (an
    IRI holds no space, so the last " <" of a line starts the graph name). Returns (quads, triples).
    """
    quads = triples = 0
    previous_quad = previous_triple = None
    quad_block: list[bytes] = []
    triple_block: list[bytes] = []
    sources = list(sources)
    try:
        with open(triples_out, "wb") as merged:
            for line in heapq.merge(*sources):
                if line == previous_quad:
                    continue
                previous_quad = line
                quad_block.append(line)
                triple = line[: line.rindex(b" <")]
                if triple != previous_triple:
                    previous_triple = triple
                    triple_block.append(triple + b" .\n")
                if len(quad_block) >= _BLOCK_LINES:
                    quads, triples = quads + len(quad_block), triples + len(triple_block)
                    quads_out.write(b"".join(quad_block))
                    merged.write(b"".join(triple_block))
                    quad_block.clear()
                    triple_block.clear()
            quads, triples = quads + len(quad_block), triples + len(triple_block)
            quads_out.write(b"".join(quad_block))
            merged.write(b"".join(triple_block))
    finally:
        for source in sources:  # a source left half-read (an error) closes its file now
            close = getattr(source, "close", None)
            if close is not None:
                close()
    return quads, triples


class _Alongside(threading.Thread):
    """A thread that keeps its target's exception, so that the caller can raise it after ``join``."""

    def __init__(self, work: Callable[[Path], None], path: Path) -> None:
        super().__init__(name="kg-dumps-alongside", daemon=True)
        self.work, self.path = work, path
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work(self.path)
        except BaseException as error:  # re-raised in the caller's thread by join_alongside
            self.error = error


def start_alongside(work: Callable[[Path], None] | None, path: Path) -> _Alongside | None:
    if work is None:
        return None
    thread = _Alongside(work, path)
    thread.start()
    return thread


def join_alongside(thread: _Alongside | None) -> None:
    if thread is None:
        return
    thread.join()
    if thread.error is not None:
        raise thread.error


@contextmanager
def deterministic_gzip(target: Path) -> Iterator[gzip.GzipFile]:
    """A gzip writer whose bytes depend only on the content (no time, no file name in the header)."""
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=3) as out:
        yield out


def finish_info(path: Path, fmt: str, media_type: str, triples: int, graphs: str) -> DumpInfo:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return DumpInfo(path.name, fmt, media_type, triples, path.stat().st_size, digest, graphs)


def write_dumps(
    sorted_sources: Iterable[Iterable[bytes]], dumps_dir: Path, alongside: Callable[[Path], None] | None = None
) -> list[DumpInfo]:
    """Write every dump of the dataset whose quads are in ``sorted_sources`` into ``dumps_dir``.

    Each source yields N-Quads lines (each ending in a newline) in byte order, as the segments of
    ``kg.publish.graphs`` hold them; the dumps are their merge, so no step holds or sorts everything.

    The build keeps the N-Quads of every published graph beside the store (``kg.publish.graphs``):
    reading those is several times faster than dumping the store, whose long literals cost a random
    read each. Also writes a ``SHA256SUMS`` file; returns the facts of each dump.

    Gzip members are written with ``mtime=0`` and no file name, so the same content gives the same bytes.

    ``alongside(merged)``, when given, runs in a thread on the plain, sorted N-Triples file of the merged
    triples while the merged dumps are written (the build loads it into the release store's default
    graph): pyoxigraph releases the GIL while it loads, so both use a core.
    """
    dumps_dir.mkdir(parents=True, exist_ok=True)
    infos: list[DumpInfo] = []
    with tempfile.TemporaryDirectory(dir=dumps_dir.parent, prefix=".dump-") as tmp:
        workdir = Path(tmp)
        merged = workdir / "merged.nt"
        target = dumps_dir / "kg.nq.gz"
        with deterministic_gzip(target) as out:
            quad_count, triple_count = _merge_sorted(sorted_sources, out, merged)
        infos.append(finish_info(target, "N-Quads", "application/n-quads", quad_count, "named graphs"))
        helper = start_alongside(alongside, merged)
        try:  # the thread reads merged.nt: it must be done before the temporary folder goes
            target = dumps_dir / "kg.nt.gz"
            with deterministic_gzip(target) as out, open(merged, "rb") as source:
                for block in iter(lambda: source.read(1 << 20), b""):
                    out.write(block)
            infos.append(finish_info(target, "N-Triples", "application/n-triples", triple_count, "merged"))

            for name, fmt, label, media_type in (
                ("kg.ttl.gz", RdfFormat.TURTLE, "Turtle", "text/turtle"),
                ("kg.jsonld.gz", RdfFormat.JSON_LD, "JSON-LD", "application/ld+json"),
            ):
                target = dumps_dir / name
                with deterministic_gzip(target) as out:
                    prefixes = PREFIXES if fmt == RdfFormat.TURTLE else None
                    quads = parse(path=merged, format=RdfFormat.N_TRIPLES)
                    # pyoxigraph's stub asks for a typing.IO; it only calls write(), which GzipFile has
                    serialize(quads, out, fmt, prefixes=prefixes)  # type: ignore[arg-type]
                infos.append(finish_info(target, label, media_type, triple_count, "merged"))
        finally:
            join_alongside(helper)

    with open(dumps_dir / "SHA256SUMS", "w", encoding="ascii") as sums:
        for info in infos:
            sums.write(f"{info.sha256}  {info.file}\n")
    return infos


def verify_checksums(dumps_dir: Path) -> bool:
    """True when every file listed in SHA256SUMS has the listed digest (used by tests and operators)."""
    for line in (dumps_dir / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split("  ", 1)
        if hashlib.sha256((dumps_dir / name).read_bytes()).hexdigest() != digest:
            return False
    return True


def replace_atomically(link: Path, target: str) -> None:
    """Point the symlink ``link`` at ``target`` in one rename, so readers never see it missing."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)


class JsonArrayBody:
    """A writer that passes on a JSON array's body: the node objects, without the ``[`` and ``]`` around them.

    The whole JSON-LD dump puts the parts' bodies into one array (``kg.publish.dump_parts.assemble``). The
    last non-blank chunk is held back until ``finish``, which drops the closing bracket from it.
    """

    def __init__(self, out: gzip.GzipFile) -> None:
        self.out, self.started, self.pending = out, False, b""

    def write(self, data: bytes) -> int:
        size = len(data)
        if not self.started:
            data = data.lstrip()
            if not data:
                return size
            self.started = True
            data = data[1:].lstrip() if data.startswith(b"[") else data
        if not data.strip():  # blank: it may follow the closing bracket, so it waits with the held chunk
            self.pending += data
            return size
        self.out.write(self.pending)
        self.pending = bytes(data)
        return size

    def flush(self) -> None:
        """Nothing to flush here: the held chunk must wait for ``finish`` (pyoxigraph calls this when done)."""

    def finish(self) -> None:
        tail = self.pending.rstrip()
        self.out.write(tail[:-1].rstrip() if tail.endswith(b"]") else tail)
