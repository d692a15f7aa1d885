"""Reading a whole dump part by part: what ``kg.publish.changes`` walks to diff two releases' dumps.

A whole dump is its parts' gzip members one after the other (``kg.publish.dump_parts``), each sorted, and
``dumps/parts.json`` says where each part lies. A quad's graph decides its part, so two releases' dumps
differ part by part; and since each part's bytes depend only on its graphs, a part whose compressed bytes
are the same in both dumps is unchanged and need not be read at all: a release that adds one issue
decompresses its journal's part and the runs graph's, not the whole dump.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.publish.dump_parts import PARTS_INDEX, part_key

_BLOCK = 1 << 20


def part_ranges(dump: Path) -> dict[str, tuple[int, int]] | None:
    """Where each part lies in a whole dump: key -> (offset, length); None without ``parts.json``."""
    index = dump.parent / PARTS_INDEX
    if not index.is_file():
        return None
    ranges = json.loads(index.read_text(encoding="utf-8"))["parts"].get(dump.name, {})
    return {key: (start, length) for key, (start, length) in ranges.items()}


def part_lines(dump: Path) -> dict[str, Iterator[bytes]] | None:
    """The lines of each part of a whole dump, by part key, each stream sorted (None without ``parts.json``)."""
    ranges = part_ranges(dump)
    if ranges is None:
        return None
    return {key: _member_lines(dump, start, length) for key, (start, length) in ranges.items()}


def changed_part_lines(old: Path, new: Path) -> tuple[dict[str, Iterator[bytes]], dict[str, Iterator[bytes]]] | None:
    """The lines of the parts that differ between two whole dumps (old's, new's), by key: a part present in
    both with the same compressed bytes is left out. None when either dump has no ``parts.json``."""
    old_ranges, new_ranges = part_ranges(old), part_ranges(new)
    if old_ranges is None or new_ranges is None:
        return None
    same = {
        key
        for key, (start, length) in new_ranges.items()
        if key in old_ranges
        and old_ranges[key][1] == length
        and _same_bytes(old, old_ranges[key][0], new, start, length)
    }
    return (
        {key: _member_lines(old, *at) for key, at in old_ranges.items() if key not in same},
        {key: _member_lines(new, *at) for key, at in new_ranges.items() if key not in same},
    )


def _same_bytes(a: Path, a_start: int, b: Path, b_start: int, length: int) -> bool:
    with open(a, "rb") as first, open(b, "rb") as second:
        first.seek(a_start)
        second.seek(b_start)
        while length > 0:
            size = min(length, _BLOCK)
            if first.read(size) != second.read(size):
                return False
            length -= size
    return True


def _member_lines(dump: Path, start: int, length: int) -> Iterator[bytes]:
    with open(dump, "rb") as raw:
        raw.seek(start)
        data = gzip.decompress(raw.read(length))
    for line in data.splitlines(keepends=True):
        yield line if line.endswith(b"\n") else line + b"\n"


def dump_order(lines: Iterable[bytes]) -> list[bytes]:
    """N-Quads lines in the order of the whole N-Quads dump: by part (its key), then in byte order."""
    return sorted(lines, key=lambda line: (part_key(line[line.rindex(b" <") + 2 : line.rindex(b">")].decode()), line))
