"""Bulk dumps: N-Quads (complete, with the named graphs), and merged N-Triples, Turtle and JSON-LD.

All dumps are written from one sorted stream of the store's quads, so that

* memory stays flat whatever the corpus size: the sort is external (sorted runs on disk, merged with
  ``heapq.merge``) and the serialisers stream;
* unchanged data gives byte-identical files: lines are in byte order and gzip headers carry no time;
* the merged dumps hold each triple once: lines are sorted, so the copies of a triple that several article
  graphs share (the journal, the issue, a person) are adjacent and dropped as they stream past.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, parse, serialize

from kg.vocab import PREFIXES

SORT_CHUNK_LINES = 300_000


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


def _sorted_runs(lines: Iterator[bytes], workdir: Path) -> list[Path]:
    runs: list[Path] = []
    while True:
        chunk = list(itertools.islice(lines, SORT_CHUNK_LINES))
        if not chunk:
            break
        chunk.sort()
        run = workdir / f"run-{len(runs):05d}.nq"
        with open(run, "wb") as out:
            out.writelines(chunk)
        runs.append(run)
    return runs


def _lines_of(files: Iterable[Path]) -> Iterator[bytes]:
    for path in files:
        with open(path, "rb") as handle:
            for line in handle:
                yield line if line.endswith(b"\n") else line + b"\n"


def _merge_sorted(runs: list[Path], target: Path) -> None:
    handles = [open(run, "rb") for run in runs]
    try:
        with open(target, "wb") as out:
            previous = None
            for line in heapq.merge(*handles):
                if line != previous:
                    out.write(line)
                    previous = line
    finally:
        for handle in handles:
            handle.close()


def _unique_triples(sorted_quads: Path, counter: list[int]) -> Iterator[Triple]:
    previous = None
    quads = parse(path=sorted_quads, format=RdfFormat.N_QUADS)
    for quad in quads:
        triple = quad.triple
        if triple != previous:
            counter[0] += 1
            yield triple
            previous = triple


def _finish(path: Path, fmt: str, media_type: str, triples: int, graphs: str) -> DumpInfo:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return DumpInfo(path.name, fmt, media_type, triples, path.stat().st_size, digest.hexdigest(), graphs)


def write_dumps(graph_files: Iterable[Path], dumps_dir: Path) -> list[DumpInfo]:
    """Write every dump of the dataset whose graphs are the N-Quads ``graph_files`` into ``dumps_dir``.

    The build keeps one N-Quads file per published graph beside the store (see ``kg.publish.graphs``):
    reading those is several times faster than dumping the store, whose long literals cost a random
    read each. Also writes a ``SHA256SUMS`` file; returns the facts of each dump.

    Gzip members are written with ``mtime=0`` and no file name, so the same content gives the same bytes.
    """
    dumps_dir.mkdir(parents=True, exist_ok=True)
    infos: list[DumpInfo] = []
    with tempfile.TemporaryDirectory(dir=dumps_dir.parent, prefix=".dump-") as tmp:
        workdir = Path(tmp)
        runs = _sorted_runs(_lines_of(graph_files), workdir)
        sorted_quads = workdir / "sorted.nq"
        _merge_sorted(runs, sorted_quads)
        for run in runs:
            run.unlink()

        quad_count = 0
        target = dumps_dir / "kg.nq.gz"
        raw_file = open(target, "wb")
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0, compresslevel=3) as out, \
                open(sorted_quads, "rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                out.write(block)
                quad_count += block.count(b"\n")
        raw_file.close()
        infos.append(_finish(target, "N-Quads", "application/n-quads", quad_count, "named graphs"))

        for name, fmt, label, media_type in (
            ("kg.nt.gz", RdfFormat.N_TRIPLES, "N-Triples", "application/n-triples"),
            ("kg.ttl.gz", RdfFormat.TURTLE, "Turtle", "text/turtle"),
            ("kg.jsonld.gz", RdfFormat.JSON_LD, "JSON-LD", "application/ld+json"),
        ):
            target = dumps_dir / name
            counter = [0]
            raw_file = open(target, "wb")
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0, compresslevel=3) as out:
                prefixes = PREFIXES if fmt == RdfFormat.TURTLE else None
                serialize(_unique_triples(sorted_quads, counter), out, fmt, prefixes=prefixes)
            raw_file.close()
            infos.append(_finish(target, label, media_type, counter[0], "merged"))

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
