"""The change feed: what each release changed since the previous one, so a mirror need not download it all.

Each release's N-Quads dump (``kg.nq.gz``) is sorted line by line within each of its parts
(``kg.publish.dump_parts``: a quad's graph decides its part), so the quads removed and added between two
releases come from one merge walk per part over the two files.
They are written as an RDF Patch (``D`` lines, then ``A`` lines, in one transaction; headers name the
release and the one it follows), gzip-compressed, into ``dumps/changes/`` of the new release, beside the
patches of the earlier releases (hard links: the files never change) and an Atom feed listing them all,
newest first. Applying a release's patch to the previous release's N-Quads dump gives the new dump exactly
(``apply_patch``, which the tests use over three releases). The quads are grouped by nothing but their
order; each carries its graph, so a mirror sees which article graph each change belongs to.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from kg.publish.dump_reading import changed_part_lines, dump_order

CHANGES = "changes"
FEED = "feed.atom"
INDEX = "index.json"
PATCH_MEDIA_TYPE = "application/rdf-patch"


@dataclass
class Change:
    """One release's patch, as the feed lists it."""

    release: str
    previous: str
    file: str
    removed: int
    added: int
    bytes: int
    sha256: str
    published: str


def _lines(dump: Path) -> Iterator[bytes]:
    with gzip.open(dump, "rb") as handle:
        for line in handle:
            yield line if line.endswith(b"\n") else line + b"\n"


def _diff(old: Iterable[bytes], new: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(b"D" or b"A", line) for the lines only in ``old`` or only in ``new`` (both sorted, no duplicates)."""
    old_lines, new_lines = iter(old), iter(new)
    a, b = next(old_lines, None), next(new_lines, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield b"D", a  # type: ignore[misc]
            a = next(old_lines, None)
        elif a is None or b < a:
            yield b"A", b
            b = next(new_lines, None)
        else:
            a, b = next(old_lines, None), next(new_lines, None)


def _part_diffs(old: Path, new: Path) -> Iterator[tuple[bytes, bytes]]:
    """``_diff`` part by part when the dumps are in parts (``kg.publish.dump_parts``: sorted within each part),
    over the parts whose bytes differ only (``kg.publish.dump_reading``)."""
    parts = changed_part_lines(old, new)
    if parts is None:
        yield from _diff(_lines(old), _lines(new))
        return
    old_parts, new_parts = parts
    for key in sorted(set(old_parts) | set(new_parts)):
        yield from _diff(old_parts.get(key, iter(())), new_parts.get(key, iter(())))


def write_patch(previous_dump: Path, new_dump: Path, target: Path, release: str, previous: str) -> tuple[int, int]:
    """The RDF Patch from one sorted N-Quads dump to the next, gzip-compressed; returns (removed, added).

    Deletions come first (one pass writes them to the patch and keeps the additions in a side file), so
    that a reader applying it in order never removes a quad it has just added.
    """
    removed = added = 0
    spool = target.with_name(target.name + ".adds")
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as out,
        open(spool, "wb") as adds,
    ):
        out.write(f"H id <urn:kg:release:{release}> .\nH prev <urn:kg:release:{previous}> .\nTX .\n".encode())
        for op, line in _part_diffs(previous_dump, new_dump):
            if op == b"D":
                out.write(b"D " + line)
                removed += 1
            else:
                adds.write(b"A " + line)
                added += 1
        adds.close()
        with open(spool, "rb") as source:
            shutil.copyfileobj(source, out)
        out.write(b"TC .\n")
    spool.unlink()
    return removed, added


def apply_patch(lines: Iterable[bytes], patch: Path) -> list[bytes]:
    """The N-Quads lines after applying an RDF Patch written by ``write_patch``, in the N-Quads dump's order
    (``kg.publish.dump_reading.dump_order``), for mirrors and tests."""
    quads = set(lines)
    for line in _lines(patch):
        if line.startswith(b"D "):
            quads.discard(line[2:])
        elif line.startswith(b"A "):
            quads.add(line[2:])
    return dump_order(quads)


def write_changes(
    previous_dumps: Path | None, dumps: Path, release: str, previous: str, now: str, base: str
) -> Change | None:
    """Carry the earlier patches into this release's ``dumps/changes/`` and add this release's one.

    Returns this release's entry (None for the first release, which has nothing to differ from).
    """
    folder = dumps / CHANGES
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[Change] = []
    if previous_dumps is not None and (previous_dumps / CHANGES / INDEX).is_file():
        entries = [Change(**e) for e in json.loads((previous_dumps / CHANGES / INDEX).read_text(encoding="utf-8"))]
        for entry in entries:
            source, copy = previous_dumps / CHANGES / entry.file, folder / entry.file
            if source.is_file() and not copy.exists():
                try:
                    os.link(source, copy)
                except OSError:
                    shutil.copy2(source, copy)
    change = None
    old_dump = previous_dumps / "kg.nq.gz" if previous_dumps is not None else None
    if old_dump is not None and old_dump.is_file() and previous:
        name = f"{previous}--{release}.rdfp.gz"
        removed, added = write_patch(old_dump, dumps / "kg.nq.gz", folder / name, release, previous)
        with open(folder / name, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        change = Change(release, previous, name, removed, added, (folder / name).stat().st_size, digest, now)
        entries.insert(0, change)
    (folder / INDEX).write_text(json.dumps([asdict(e) for e in entries], indent=1), encoding="utf-8")
    (folder / FEED).write_text(atom_feed(entries, base, now), encoding="utf-8")
    return change


def atom_feed(entries: list[Change], base: str, now: str) -> str:
    """The Atom feed of the patches, newest first; links are relative to the feed (``/dumps/changes/``)."""
    items = "".join(
        "<entry>"
        f"<id>urn:kg:release:{escape(e.release)}</id>"
        f"<title>Release {escape(e.release)}: {e.removed} quads removed, {e.added} added "
        f"since {escape(e.previous)}</title>"
        f"<updated>{escape(e.published)}</updated>"
        f'<link rel="alternate" type="{PATCH_MEDIA_TYPE}" href="{escape(e.file)}" length="{e.bytes}"/>'
        f"<summary>RDF Patch (gzip) from the N-Quads dump of release {escape(e.previous)} to that of release "
        f"{escape(e.release)}; SHA-256 {e.sha256}</summary>"
        "</entry>"
        for e in entries
    )
    updated = entries[0].published if entries else now
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base)}/dumps/changes/</id><title>Changes between the releases of {escape(base)}</title>"
        f"<updated>{escape(updated)}</updated><author><name>kg</name></author>"
        '<link rel="self" href="feed.atom"/>'
        f"{items}</feed>\n"
    )
