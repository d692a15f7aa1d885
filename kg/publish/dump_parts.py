"""Partitioned dumps: one part per journal, so that a build rewrites only the parts its changes touch.

Every published graph belongs to one part (``part_key``): an article graph to its journal's part, any
other graph (the runs graph) to a part of its own, sorted after the journals. Each part is kept, for each
format, as a complete gzip stream in ``DIR/dump-parts/`` beside a manifest of what it was made from (the
digests of its graphs, ``kg.publish.graphs``). A build rewrites the parts whose graphs changed, added or
went (an identity rewrite changes a graph's digest, so it marks its part too), and leaves the others'
files untouched.

The download of "everything" stays one file per format in the release's ``dumps/``: the concatenation of
the parts' gzip members in key order, which is a valid gzip stream (RFC 1952 allows many members) and,
since each part depends only on its graphs, byte for byte what a full rebuild of the same graphs writes.
Assembling it copies compressed bytes; nothing is parsed, sorted or compressed again for unchanged parts.
``dumps/parts.json`` lists where each part lies in each file.

Within a part, quads and triples are in byte order, each once. The merged dumps (N-Triples, Turtle,
JSON-LD) hold each triple once per part: a triple two journals share (a person, a keyword) is in both
parts, which RDF reads as one. Turtle parts are whole documents, each with its prefixes, which Turtle
allows in sequence; the JSON-LD file is one array, the parts' node objects between a ``[`` member, ``,``
members and a ``]`` member.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pyoxigraph import QuerySolutions, RdfFormat, Store, parse, serialize

from kg.publish.default_graph import DefaultGraphChanges, DefaultGraphLoad, remove_unheld
from kg.publish.dumps import DumpInfo, JsonArrayBody, deterministic_gzip
from kg.publish.graphs import GraphFiles
from kg.publish.layout import Layout
from kg.vocab import PREFIXES

FORMAT_VERSION = "parts 1"  # in every part's digest: a change of how parts are written rewrites them all
MANIFEST = "manifest.json"
PARTS_INDEX = "parts.json"
_BLOCK = 1 << 20

# (suffix, label, media type, what it holds)
FORMATS = (
    ("nq", "N-Quads", "application/n-quads", "named graphs"),
    ("nt", "N-Triples", "application/n-triples", "merged"),
    ("ttl", "Turtle", "text/turtle", "merged"),
    ("jsonld", "JSON-LD", "application/ld+json", "merged"),
)


def part_key(graph: str) -> str:
    """The part a graph's quads go to: ``journal/<issn>`` for article graphs, ``~<name>`` for the others."""
    _, found, rest = graph.partition("/graph/journal/")
    if found:
        return "journal/" + rest.split("/", 1)[0]
    return "~" + graph.rsplit("/graph/", 1)[-1]


def part_stem(key: str) -> str:
    """A file name for a part: its key made safe, and a short hash so that two keys never share one."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", key)[:80]
    return f"{safe}.{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


def part_digest(graphs: dict[str, str]) -> str | None:
    """What a part is made from (graph IRI -> digest of its N-Quads); None when a digest is unknown."""
    if any(not digest for digest in graphs.values()):
        return None
    text = FORMAT_VERSION + "\n" + "".join(f"{name}\t{graphs[name]}\n" for name in sorted(graphs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SINK_BLOCK = 1 << 20  # lines are gathered into blocks of about this size before they are compressed or written


@dataclass
class _PartSink:
    """One changed part being written: its N-Quads gzip and its plain merged N-Triples, each line once, a
    block of lines at a time (a write per line, 3.7 million at 10,000 articles, cost more than compressing)."""

    folder: Path
    stem: str
    raw: IO[bytes] = field(init=False)
    quads_out: gzip.GzipFile = field(init=False)
    triples_out: IO[bytes] = field(init=False)
    quads: int = 0
    triples: int = 0
    previous_quad: bytes = b""
    previous_triple: bytes = b""
    quad_block: list[bytes] = field(default_factory=list)
    triple_block: list[bytes] = field(default_factory=list)
    block_bytes: int = 0

    def __post_init__(self) -> None:
        self.raw = open(self.folder / f"{self.stem}.nq.gz", "wb")  # noqa: SIM115 - closed in close()
        self.quads_out = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=3)
        self.triples_out = open(self.folder / f"{self.stem}.nt", "wb")  # noqa: SIM115 - closed in close()

    def add(self, line: bytes) -> None:
        if line == self.previous_quad:
            return
        self.previous_quad = line
        self.quad_block.append(line)
        self.block_bytes += len(line)
        triple = line[: line.rindex(b" <")]
        if triple != self.previous_triple:
            self.previous_triple = triple
            self.triple_block.append(triple)
        if self.block_bytes >= _SINK_BLOCK:
            self._write_block()

    def _write_block(self) -> None:
        self.quads += len(self.quad_block)
        self.triples += len(self.triple_block)
        self.quads_out.write(b"".join(self.quad_block))
        if self.triple_block:
            self.triples_out.write(b" .\n".join(self.triple_block) + b" .\n")
        self.quad_block.clear()
        self.triple_block.clear()
        self.block_bytes = 0

    def close(self) -> None:
        self._write_block()
        self.quads_out.close()
        self.raw.close()
        self.triples_out.close()


def _write_merged_formats(work: Path, stem: str) -> None:
    """The part's N-Triples, Turtle and JSON-LD gzip files, from its plain, sorted N-Triples."""
    plain = work / f"{stem}.nt"
    with deterministic_gzip(work / f"{stem}.nt.gz") as out, open(plain, "rb") as source:
        shutil.copyfileobj(source, out, _BLOCK)
    with deterministic_gzip(work / f"{stem}.ttl.gz") as out:
        # pyoxigraph's stub asks for a typing.IO; it only calls write(), which GzipFile has
        serialize(parse(path=plain, format=RdfFormat.N_TRIPLES), out, RdfFormat.TURTLE, prefixes=PREFIXES)  # type: ignore[arg-type]
    with deterministic_gzip(work / f"{stem}.jsonld.gz") as out:
        body = JsonArrayBody(out)  # streamed: a large journal's JSON-LD is never held whole in memory
        serialize(parse(path=plain, format=RdfFormat.N_TRIPLES), body, RdfFormat.JSON_LD)  # type: ignore[arg-type]
        body.finish()


def _load_manifest(parts_dir: Path) -> dict[str, dict]:
    try:
        manifest = json.loads((parts_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if manifest.get("format") != FORMAT_VERSION:
        return {}
    return dict(manifest.get("parts", {}))


def _default_graph_size(parts_dir: Path) -> int | None:
    """The size of the default graph the parts' manifest was written with, if it says (``update_parts``)."""
    try:
        size = json.loads((parts_dir / MANIFEST).read_text(encoding="utf-8")).get("default_graph_triples")
    except (OSError, ValueError):
        return None
    return size if isinstance(size, int) else None


def _forget_size(parts_dir: Path) -> None:
    """Drop the size from the manifest before the default graph changes: a build that dies before writing
    the new manifest leaves a graph the old size is not of (the difference applied again adds nothing)."""
    document = json.loads((parts_dir / MANIFEST).read_text(encoding="utf-8"))
    document.pop("default_graph_triples", None)
    _write_json(parts_dir / MANIFEST, document)


def _present(parts_dir: Path, stem: str) -> bool:
    return all((parts_dir / f"{stem}.{suffix}.gz").is_file() for suffix, *_ in FORMATS)


def update_parts(
    current: dict[str, str],
    sources_of: Callable[[set[str]], Iterable[Iterable[bytes]]],
    parts_dir: Path,
    store: Store | None = None,
    changes: DefaultGraphChanges | None = None,
) -> tuple[dict[str, dict], list[str]]:
    """Bring ``parts_dir`` up to date with the published graphs; return the manifest and the keys rewritten.

    ``current`` maps each published graph to its digest; ``sources_of(graphs)`` yields those graphs' current
    N-Quads lines, as byte-ordered iterators (``GraphFiles.sorted_sources_of``). Only the parts whose
    digest changed are read and written; the parts of graphs no longer published are deleted.

    With ``store`` (the working store, its named graphs up to date), its default graph is changed by what
    the changed parts' merged triples changed (``kg.publish.default_graph``), before their files are
    replaced: a build that dies between leaves old part files, whose difference is applied again.
    ``changes`` is told the subjects of what the merged triples gained and lost (all, for a first build).
    The manifest keeps the default graph's size, changed by what was added and removed (an exact count: a
    difference applied again adds and removes nothing), or counted when not known.
    """
    changes = changes if changes is not None else DefaultGraphChanges(None)
    parts_dir.mkdir(parents=True, exist_ok=True)
    known = _load_manifest(parts_dir)
    size = _default_graph_size(parts_dir) if known and store is not None else None
    changes.before = changes.state(known)
    if not known:
        changes.everything()
    groups: dict[str, dict[str, str]] = {}
    for graph, digest in current.items():
        groups.setdefault(part_key(graph), {})[graph] = digest
    manifest: dict[str, dict] = {}
    changed: list[str] = []
    for key in sorted(groups):
        wanted = part_digest(groups[key])
        entry = known.get(key)
        if wanted is not None and entry and entry.get("digest") == wanted and _present(parts_dir, entry["stem"]):
            manifest[key] = entry
        else:
            changed.append(key)
    gone = [key for key in known if key not in groups]
    if changed or gone:
        with tempfile.TemporaryDirectory(dir=parts_dir, prefix=".work-") as tmp:
            work = Path(tmp)
            sinks = _split(changed, groups, sources_of, work)
            added, removed = _differences(known, sinks, gone, parts_dir, work)
            for path in added if changes.subjects is not None else ():
                changes.add_file(path)
            changes.add(removed)
            if size is not None:
                _forget_size(parts_dir)
            loading = DefaultGraphLoad(store, added, counting=size is not None) if store is not None else None
            if loading is not None:
                loading.start()
            try:
                for sink in sinks.values():
                    _write_merged_formats(work, sink.stem)
            finally:
                if loading is not None:
                    loading.finish()
            if store is not None and loading is not None:
                gone_triples = remove_unheld(store, removed)
                size = size + loading.added - gone_triples if size is not None else None
                store.flush()
            for key, sink in sinks.items():
                for suffix, *_ in FORMATS:  # each file replaced in one rename
                    os.replace(work / f"{sink.stem}.{suffix}.gz", parts_dir / f"{sink.stem}.{suffix}.gz")
                manifest[key] = {
                    "stem": sink.stem,
                    "digest": part_digest(groups[key]) or "",
                    "quads": sink.quads,
                    "triples": sink.triples,
                }
    document: dict = {"format": FORMAT_VERSION, "parts": {k: manifest[k] for k in sorted(manifest)}}
    if store is not None:
        document["default_graph_triples"] = size if size is not None else count_default_graph(store)
    _write_json(parts_dir / MANIFEST, document)
    changes.after = changes.state(manifest)
    kept = {f"{entry['stem']}.{suffix}.gz" for entry in manifest.values() for suffix, *_ in FORMATS}
    for path in parts_dir.glob("*.gz"):  # parts of journals no longer published
        if path.name not in kept:
            path.unlink()
    return manifest, changed


def update_graph_parts(
    files: GraphFiles, layout: Layout, store: Store, seconds: dict[str, float], changes: DefaultGraphChanges
) -> tuple[dict[str, dict], list[str]]:
    """``update_parts`` over the build's graph files (every current graph with its digest), timed into
    ``seconds["dump_parts"]``; what the default graph changed by into ``changes``."""
    started = time.perf_counter()
    current = {graph: files.digests.get(graph, "") for graph in files.current}
    result = update_parts(current, files.sorted_sources_of, layout.dump_parts, store, changes)
    seconds["dump_parts"] = time.perf_counter() - started
    return result


def _split(
    changed: list[str],
    groups: dict[str, dict[str, str]],
    sources_of: Callable[[set[str]], Iterable[Iterable[bytes]]],
    work: Path,
) -> dict[str, _PartSink]:
    """One pass over the changed parts' graphs, each line to its part's sink (a part's lines stay sorted),
    found by the line's graph term (its tail): one dictionary lookup per line, no IRI parsing."""
    sinks = {key: _PartSink(work, part_stem(key)) for key in changed}
    sink_of = {f" <{graph}> .\n".encode(): sinks[key] for key in changed for graph in groups[key]}
    try:
        for line in heapq.merge(*sources_of({graph for key in changed for graph in groups[key]})):
            sink_of[line[line.rindex(b" <") :]].add(line)
    finally:
        for sink in sinks.values():
            sink.close()
    return sinks


def _differences(
    known: dict[str, dict], sinks: dict[str, _PartSink], gone: list[str], parts_dir: Path, work: Path
) -> tuple[list[Path], list[bytes]]:
    """The merged triples the changed parts gained (files of N-Triples) and lost (lines).

    A part new to the folder gains its whole file; a part that went loses all of its old one.
    """
    added: list[Path] = []
    removed: list[bytes] = []
    for key, sink in sinks.items():
        plain = work / f"{sink.stem}.nt"
        old = _old_lines(known.get(key), parts_dir)
        if old is None:
            added.append(plain)
            continue
        new = set(plain.read_bytes().splitlines(keepends=True))
        gained = work / f"{sink.stem}.added.nt"
        gained.write_bytes(b"".join(sorted(new - old)))
        added.append(gained)
        removed += sorted(old - new)
    for key in gone:
        removed += sorted(_old_lines(known[key], parts_dir) or ())
    return added, removed


def _old_lines(entry: dict | None, parts_dir: Path) -> set[bytes] | None:
    """The merged triples a part had, as N-Triples lines; None when it had no file."""
    if not entry:
        return None
    path = parts_dir / f"{entry['stem']}.nt.gz"
    if not path.is_file():
        return None
    return set(part_file_lines(path))


def part_file_lines(path: Path) -> Iterator[bytes]:
    """The N-Triples lines of a part file (gzip), streamed, each ending in a newline, blank lines skipped."""
    with gzip.open(path, "rb") as source:
        for line in source:
            if line.strip():
                yield line if line.endswith(b"\n") else line + b"\n"


def _write_json(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=3, mtime=0)


class _Concatenation:
    """A whole dump being written: its bytes, their digest and the offset reached."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.digest, self.offset, self.buffer = out, hashlib.sha256(), 0, bytearray(_BLOCK)

    def put(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.offset += len(data)

    def copy(self, path: Path) -> list[int]:
        """Append a part's file; returns where it lies: [offset, length]. Read into one buffer: a new 1 MB
        block per read would be mapped and unmapped each time (``kg.publish.malloc``)."""
        start, view = self.offset, memoryview(self.buffer)
        with open(path, "rb", buffering=0) as source:
            while size := source.readinto(view):
                self.put(view[:size])
        return [start, self.offset - start]


def assemble(manifest: dict[str, dict], parts_dir: Path, dumps_dir: Path) -> tuple[list[DumpInfo], dict]:
    """Write each format's whole dump into ``dumps_dir`` as its parts' gzip members in key order.

    Returns the dumps' facts (triples: the part counts summed) and the index of where each part lies.
    """
    dumps_dir.mkdir(parents=True, exist_ok=True)
    keys = sorted(manifest)
    infos: list[DumpInfo] = []
    index: dict[str, dict] = {}
    for suffix, label, media_type, holds in FORMATS:
        name = f"kg.{suffix}.gz"
        ranges: dict[str, list[int]] = {}
        jsonld = suffix == "jsonld"
        with open(dumps_dir / name, "wb") as out:
            whole = _Concatenation(out)
            if jsonld:
                whole.put(_gzip_member(b"["))
            for key in keys:
                if jsonld and not manifest[key]["triples"]:
                    continue  # an empty part would leave two commas in a row
                if jsonld and ranges:
                    whole.put(_gzip_member(b",\n"))
                ranges[key] = whole.copy(parts_dir / f"{manifest[key]['stem']}.{suffix}.gz")
            if jsonld:
                whole.put(_gzip_member(b"]\n"))
        count = sum(manifest[key]["quads" if suffix == "nq" else "triples"] for key in keys)
        infos.append(DumpInfo(name, label, media_type, count, whole.offset, whole.digest.hexdigest(), holds))
        index[name] = ranges
    return infos, index


def write_part_dumps(
    current: dict[str, str],
    sources_of: Callable[[set[str]], Iterable[Iterable[bytes]]],
    parts_dir: Path,
    dumps_dir: Path,
    store: Store | None = None,
) -> tuple[list[DumpInfo], list[str]]:
    """Update the parts (and ``store``'s default graph), then assemble the release's dumps from the parts.

    See ``update_parts`` and ``assemble_dumps``; without a store, the merged dumps count their lines.
    Returns the dumps' facts and the keys of the parts rewritten.
    """
    manifest, changed = update_parts(current, sources_of, parts_dir, store)
    merged = None if store is None else merged_size(parts_dir, store)
    return assemble_dumps(manifest, parts_dir, dumps_dir, merged)[0], changed


def merged_size(parts_dir: Path, store: Store) -> int:
    """The number of distinct triples of the merged default graph: kept by ``update_parts``, or counted."""
    size = _default_graph_size(parts_dir)
    return count_default_graph(store) if size is None else size


def assemble_dumps(
    manifest: dict[str, dict], parts_dir: Path, dumps_dir: Path, merged_triples: int | None
) -> tuple[list[DumpInfo], float]:
    """The release's dumps from the parts, with ``SHA256SUMS`` and ``parts.json``, and the seconds it took.
    The merged dumps count ``merged_triples`` (a triple two parts share is one triple of the data). The build
    runs this in a thread beside its store checks, to which copying and hashing 564 MB leave the interpreter."""
    started = time.perf_counter()
    infos, index = assemble(manifest, parts_dir, dumps_dir)
    if merged_triples is not None:
        for info in infos:
            if info.graphs == "merged":
                info.triples = merged_triples
    _write_json(dumps_dir / PARTS_INDEX, {"parts": index})
    with open(dumps_dir / "SHA256SUMS", "w", encoding="ascii") as sums:
        for info in infos:
            sums.write(f"{info.sha256}  {info.file}\n")
    return infos, time.perf_counter() - started


def count_default_graph(store: Store) -> int:
    """The number of triples in a store's default graph (a SPARQL COUNT)."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(result, QuerySolutions)
    return int(next(iter(result))["n"].value)
