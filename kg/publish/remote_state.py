"""What ``kg publish --to`` reads and remembers: the release's graphs with their digests, and per target
the digests already published there.

The graphs come from the build folder's graph files (:mod:`kg.publish.graphs`), read without changing them:
each ``segment-N.graphs`` list names the graphs whose current copy is in ``segment-N.nq`` with the digest of
their N-Quads, the newest list naming a graph wins. An empty copy is a withdrawn graph.

The digests published to each target are kept in ``DIR/published/<key>.jsonl`` (``key`` from the target URL),
one line per graph sent or deleted, appended as each request succeeds: a publish that dies leaves the lines
of what did reach the store, so running it again sends only the rest (resumable), and a later release sends
only the graphs whose digest differs (incremental). The file is rewritten compactly at the end of a run.
It also holds the digest of each dump part whose merged triples the target's default graph holds
(:mod:`kg.publish.remote_default`), one line per part as it is published.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_LIST = re.compile(r"segment-(\d{8})\.graphs$")
STATE_FOLDER = "published"


@dataclass(frozen=True)
class Current:
    """One graph of the release: where its current copy is and its digest ("" when unknown)."""

    segment: int
    digest: str


def current_graphs(graph_folder: Path) -> dict[str, Current]:
    """Graph IRI -> its current copy, from the lists of the graph files (read only)."""
    found: dict[str, Current] = {}
    numbered = []
    for path in graph_folder.iterdir() if graph_folder.is_dir() else []:
        match = _LIST.match(path.name)
        if match:
            numbered.append((int(match.group(1)), path))
    for number, path in sorted(numbered):
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, digest = line.partition("\t")
            if name:
                found[name] = Current(number, digest)
    return found


def segment_path(graph_folder: Path, number: int) -> Path:
    return graph_folder / f"segment-{number:08d}.nq"


def graphs_of_segment(
    graph_folder: Path, number: int, wanted: set[str], quads: bool = False
) -> Iterator[tuple[str, bytes]]:
    """The N-Triples of each wanted graph whose current copy is in segment ``number`` (graph term dropped), or
    with ``quads`` its N-Quads as they are (for a batch of graphs sent in one N-Quads request)."""
    lines: dict[str, list[bytes]] = {name: [] for name in wanted}
    with open(segment_path(graph_folder, number), "rb") as handle:
        for line in handle:
            cut = line.rstrip().rindex(b" <")
            name = line[cut + 2 : line.rindex(b">")].decode("utf-8")
            bucket = lines.get(name)
            if bucket is not None:
                bucket.append((line if line.endswith(b"\n") else line + b"\n") if quads else line[:cut] + b" .\n")
    for name, triples in lines.items():
        yield name, b"".join(triples)


def state_file(out_dir: Path, target: str) -> Path:
    """Where the digests published to ``target`` are kept (the URL itself is the file's first line)."""
    key = hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]
    return out_dir / STATE_FOLDER / f"{key}.jsonl"


class PublishedState:
    """The digests a target holds, as far as this build folder sent them; appended to as requests succeed."""

    def __init__(self, path: Path, target: str) -> None:
        self.path = path
        self.target = target
        self.digests: dict[str, str] = {}
        self.parts: dict[str, str] = {}  # dump part key -> digest of the part the default graph holds
        self.release: str | None = None
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:  # a line cut short by a crash: that request is simply sent again
                    continue
                if "graph" in entry:
                    if entry.get("digest") is None:
                        self.digests.pop(entry["graph"], None)
                    else:
                        self.digests[entry["graph"]] = entry["digest"]
                elif "part" in entry:
                    if entry.get("digest") is None:
                        self.parts.pop(entry["part"], None)
                    else:
                        self.parts[entry["part"]] = entry["digest"]
                elif "release" in entry:
                    self.release = entry["release"]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[str] = open(path, "a", encoding="utf-8")
        if path.stat().st_size == 0:
            self._write({"target": target})

    def _write(self, entry: dict[str, object]) -> None:
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()

    def sent(self, graph: str, digest: str | None) -> None:
        """Record a graph the store now holds with ``digest`` (None: deleted from the store)."""
        if digest is None:
            self.digests.pop(graph, None)
        else:
            self.digests[graph] = digest
        self._write({"graph": graph, "digest": digest})

    def sending(self, graphs: list[str]) -> None:
        """Record, before a request that adds to these graphs without replacing them, that the store may hold
        part of them: a digest "" matches no release, so a run after a crash replaces them (drop, then add)."""
        for graph in graphs:
            self.digests[graph] = ""
        self._handle.write("".join(json.dumps({"graph": g, "digest": ""}, ensure_ascii=False) + "\n" for g in graphs))
        self._handle.flush()

    def part_sent(self, key: str, digest: str | None) -> None:
        """Record that the default graph holds the merged triples of dump part ``key`` (None: of no part)."""
        if digest is None:
            self.parts.pop(key, None)
        else:
            self.parts[key] = digest
        self._write({"part": key, "digest": digest})

    def marked(self, release: str) -> None:
        self.release = release
        self._write({"release": release})

    def compact(self) -> None:
        """Rewrite the file with one line per graph (write, then rename)."""
        self._handle.close()
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(json.dumps({"target": self.target}) + "\n")
            for graph, digest in sorted(self.digests.items()):
                out.write(json.dumps({"graph": graph, "digest": digest}, ensure_ascii=False) + "\n")
            for key, digest in sorted(self.parts.items()):
                out.write(json.dumps({"part": key, "digest": digest}, ensure_ascii=False) + "\n")
            if self.release:
                out.write(json.dumps({"release": self.release}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._handle = open(self.path, "a", encoding="utf-8")

    def close(self) -> None:
        self._handle.close()
