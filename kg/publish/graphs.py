"""The published graphs as files beside the store: N-Quads segments, one per store flush.

The store answers queries; these files make the dumps (reading them is much faster than dumping the
store, whose long literals cost a random read each) and let a later build know exactly what each article
graph held. Each flush of the build writes one segment (``segment-00000042.nq``, the N-Quads of a few
hundred graphs) and its list of graphs (``segment-00000042.graphs``, one IRI per line). A graph's current
copy is in the newest segment that lists it; copies in older segments are stale and skipped when reading.

Each list line is ``IRI<TAB>digest``: the digest (``graph_digest``) of the graph's N-Quads lets a later
build see that a graph it publishes again is byte-identical to the current copy, and leave the store alone
(lists written before digests existed have none; such graphs are simply loaded again).

Each segment holds its lines in byte order, so the dumps merge the segments as they are, without sorting
the whole dataset again on every build (segments of older builds, not sorted, are sorted once when the
folder is opened: the ``format`` file says it was done).

One file per flush rather than one per graph: at 100,000 articles a file per graph is 100,000 inodes and
two file opens per article per build, which on a busy disk cost more than the rest of the bookkeeping.

Crash safety: a segment is complete before its list is written (each by write-then-rename), and only
listed segments count, so a build that dies leaves at worst an unlisted segment, removed by the next one.
The store writer lists a segment only after loading it into the store (``stage``, then ``commit``), so an
unlisted segment also names the graphs a dying build may have left half-replaced in the store: their
digests are forgotten, and the next build that publishes them loads them again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

_SEGMENT = re.compile(r"segment-(\d{8})\.graphs$")
_SEGMENT_FILE = re.compile(r"segment-(\d{8})\.")  # a segment, its list or a temporary file of either
_ADOPT_BYTES = 16_000_000
_FORMAT_FILE = "format"
_FORMAT = "sorted-segments 1\n"


class GraphFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.current: dict[str, int] = {}  # graph IRI -> number of the segment holding its current copy
        self.digests: dict[str, str] = {}  # graph IRI -> digest of its current copy ("" when unknown)
        self.listed: dict[int, int] = {}  # segment number -> how many graphs it lists
        for number in self._numbers():
            lines = self._list(number).read_text(encoding="utf-8").splitlines()
            self.listed[number] = len(lines)
            for line in lines:
                name, _, digest = line.partition("\t")
                self.current[name] = number
                self.digests[name] = digest
        self._next = max(self.listed, default=0) + 1
        for stray in self.folder.iterdir():  # segments a crashed build wrote but never listed
            if stray.is_file() and stray.suffix in (".nq", ".tmp") and self._number(stray) not in self.listed:
                if stray.suffix == ".nq":  # its graphs may be half-replaced in the store: load them again
                    for quad in _all_lines(stray):
                        self.digests[_graph_name(quad)] = ""
                stray.unlink()
        self._sort_older_segments()
        self._adopt_per_graph_files()

    def _sort_older_segments(self) -> None:
        """Sort the lines of segments written before segments were kept sorted (once per folder)."""
        marker = self.folder / _FORMAT_FILE
        if marker.exists() and marker.read_text(encoding="utf-8") == _FORMAT:
            return
        for number in self.listed:
            path = self._segment(number)
            _write_atomically(path, _sorted_lines(path.read_bytes()))
        _write_atomically(marker, _FORMAT.encode("utf-8"))

    def _adopt_per_graph_files(self) -> None:
        """Move graphs kept the older way (one file per graph, in hash-named subfolders) into segments."""
        batch: dict[str, bytes] = {}
        size = 0
        shards = sorted(path for path in self.folder.iterdir() if path.is_dir())
        for shard in shards:
            for path in sorted(shard.glob("*.nq")):
                data = path.read_bytes()
                first = data[: data.find(b"\n") + 1] if b"\n" in data else data
                if not first.strip():
                    continue
                name = _graph_name(first)
                if name not in self.current:  # a graph already in a segment is newer
                    batch[name] = data if data.endswith(b"\n") else data + b"\n"
                    size += len(data)
                if size >= _ADOPT_BYTES:
                    self.write(batch)
                    batch, size = {}, 0
        self.write(batch)
        for shard in shards:
            shutil.rmtree(shard)

    def _numbers(self) -> list[int]:
        return sorted(int(match.group(1)) for path in self.folder.iterdir() if (match := _SEGMENT.match(path.name)))

    @staticmethod
    def _number(path: Path) -> int | None:
        match = _SEGMENT_FILE.match(path.name)
        return int(match.group(1)) if match else None

    def _segment(self, number: int) -> Path:
        return self.folder / f"segment-{number:08d}.nq"

    def _list(self, number: int) -> Path:
        return self.folder / f"segment-{number:08d}.graphs"

    def write(self, graphs: dict[str, bytes]) -> bytes:
        """Write these graphs (IRI -> N-Quads) as one new segment; they replace any older copies.

        Returns the segment's bytes (all the graphs' N-Quads).
        """
        number, segment = self.stage(graphs)
        self.commit(number, {name: graph_digest(nquads) for name, nquads in graphs.items()})
        return segment

    def stage(self, graphs: dict[str, bytes]) -> tuple[int, bytes]:
        """Write these graphs as a new segment, its lines sorted, not yet listed (not yet current).

        Returns its number and its bytes.
        """
        if not graphs:
            return self._next, b""
        number = self._next
        self._next += 1
        segment = _sorted_lines(b"".join(graphs.values()))
        _write_atomically(self._segment(number), segment)
        return number, segment

    def commit(self, number: int, digests: dict[str, str]) -> None:
        """List a staged segment's graphs (IRI -> digest): their copies in it become the current ones."""
        if not digests:
            return
        _write_atomically(
            self._list(number), "".join(f"{name}\t{digest}\n" for name, digest in digests.items()).encode("utf-8")
        )
        self.listed[number] = len(digests)
        for name, digest in digests.items():
            self.current[name] = number
            self.digests[name] = digest

    def is_current(self, graph: str, digest: str) -> bool:
        """Whether ``digest`` is that of the graph's current copy (so publishing it again changes nothing)."""
        return bool(digest) and self.digests.get(graph) == digest

    def read(self, graph: str) -> bytes:
        """The current N-Quads of one graph ("" when there is none)."""
        number = self.current.get(graph)
        if number is None:
            return b""
        return b"".join(self._current_lines(number, {graph}))

    def read_many(self, graphs: Iterable[str]) -> dict[str, bytes]:
        """The current N-Quads of several graphs, each segment read once (``read`` scans a whole segment for
        one graph); graphs without a copy are left out."""
        by_segment: dict[int, set[str]] = {}
        for graph in graphs:
            number = self.current.get(graph)
            if number is not None:
                by_segment.setdefault(number, set()).add(graph)
        found: dict[str, list[bytes]] = {}
        for number, names in sorted(by_segment.items()):
            for line in self._current_lines(number, names):
                found.setdefault(_graph_name(line), []).append(line)
        return {name: b"".join(lines) for name, lines in found.items()}

    def current_segments(self, graphs: Iterable[str] | None = None) -> list[tuple[Path, set[str]]]:
        """Each segment file holding the current copy of any of ``graphs`` (all when None), with those graphs:
        for readers that scan a segment's bytes whole (``kg.search.nquads``) rather than line by line."""
        holding = self._current_by_segment()
        if graphs is not None:
            wanted = set(graphs)
            holding = {number: names & wanted for number, names in holding.items() if not names.isdisjoint(wanted)}
        return [(self._segment(number), holding[number]) for number in sorted(holding)]

    def sorted_sources(self) -> list[Iterator[bytes]]:
        """The current lines as one iterator per segment, each in byte order: what the dumps merge.

        A segment still wholly current is read as it is; from the others, the lines of replaced graphs
        are left out (which keeps the order).
        """
        holding = self._current_by_segment()
        return [
            _all_lines(self._segment(number))
            if len(holding[number]) == self.listed[number]
            else self._current_lines(number, holding[number])
            for number in sorted(holding)
        ]

    def sorted_sources_of(self, graphs: set[str]) -> list[Iterator[bytes]]:
        """The current lines of only these graphs, one iterator per segment holding any, each in byte order.

        What the partitioned dumps (``kg.publish.dump_parts``) merge for the parts a build changed.
        """
        holding: dict[int, set[str]] = {}
        for name in graphs:
            number = self.current.get(name)
            if number is not None:
                holding.setdefault(number, set()).add(name)
        return [
            _all_lines(self._segment(number))
            if len(holding[number]) == self.listed[number]
            else self._current_lines(number, holding[number])
            for number in sorted(holding)
        ]

    def _current_by_segment(self) -> dict[int, set[str]]:
        """Segment number -> the graphs whose current copy it holds (segments holding none are left out)."""
        holding: dict[int, set[str]] = {}
        for name, number in self.current.items():
            holding.setdefault(number, set()).add(name)
        return holding

    def _current_lines(self, number: int, graphs: set[str]) -> Iterator[bytes]:
        wanted = {f" <{name}> .\n".encode() for name in graphs}
        for line in _all_lines(self._segment(number)):
            if line[line.rindex(b" <") :] in wanted:
                yield line

    def prune(self) -> None:
        """Delete the segments none of whose graphs is current any more; rewrite the mostly stale ones.

        Rebuilds that replace a few graphs at a time leave stale copies behind; a segment less than half
        current has its current graphs copied into a new segment, so the folder stays within about twice
        the size of what is published.
        """
        live = self._current_by_segment()
        for number in [n for n in self.listed if 0 < len(live.get(n, ())) < self.listed[n] / 2]:
            graphs: dict[str, list[bytes]] = {}
            for line in self._current_lines(number, live[number]):
                graphs.setdefault(_graph_name(line), []).append(line)
            self.write({name: b"".join(lines) for name, lines in graphs.items()})
        live_numbers = set(self.current.values())
        for number in [n for n in self.listed if n not in live_numbers]:
            self._list(number).unlink(missing_ok=True)  # unlisted first: a crash between leaves a stray
            self._segment(number).unlink(missing_ok=True)
            del self.listed[number]


def _sorted_lines(data: bytes) -> bytes:
    """N-Quads lines in byte order (split and sorted in C: about 40 ms for a 16 MB segment)."""
    if data and not data.endswith(b"\n"):
        data += b"\n"
    lines = data.splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)


def graph_digest(nquads: bytes) -> str:
    """The digest a graph's N-Quads are recognised by from build to build (SHA-256, 128 bits kept)."""
    return hashlib.sha256(nquads).hexdigest()[:32]


def _graph_name(line: bytes) -> str:
    """The graph IRI of an N-Quads line (its last term: an IRI holds no space, so it follows the last " <")."""
    return line[line.rindex(b" <") + 2 : line.rindex(b">")].decode("utf-8")


def _all_lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        for line in handle:
            yield line if line.endswith(b"\n") else line + b"\n"


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
