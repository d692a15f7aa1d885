"""The release's merged default graph into a store's default graph, by ``kg publish --to``: what changed only.

Why: a store that reads the union of its named graphs as the default graph (Oxigraph's ``union-default-graph``)
repeats a triple that every article graph holds (a journal's name, an article type) once per graph: one
label becomes 10,000 solutions, pages over the store got 40-100x slower than over the embedded store, and
``COUNT(*)`` answered differently. The embedded store holds the merged graph the build materialises (each
triple once); with this, a store does too, and front ends query its default graph as it is.

The build keeps the merged graph in dump parts, one per journal (:mod:`kg.publish.dump_parts`: each part's
sorted N-Triples and its digest in ``manifest.json``). A part whose digest differs from the one last
published to the target is sent as a difference against the copy published then (kept per target, hard
linked, in ``DIR/published/<key>.parts/``): lines only in the new part are added (``POST URL?default``,
idempotent: a store holds a triple once), lines only in the old part are removed unless a named graph of the
store still holds the triple (one SPARQL Update per block: another journal's part may share it). A part
sent for the first time is sent whole. A part is recorded as published (copy relinked, then a state line)
once all of its requests succeeded: a publish that dies is finished by running it again, which sends the
same difference again (adding and removing are both idempotent). The marker goes after all of this.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from kg.publish.dump_parts import FORMAT_VERSION, MANIFEST, part_digest, part_file_lines, part_key, part_stem
from kg.publish.remote_release import PublishError
from kg.publish.remote_state import Current, PublishedState

ADD_LINES = 50_000  # N-Triples lines per POST (a few MB)
REMOVE_LINES = 2_000  # triples per DELETE ... WHERE { VALUES ... } Update


class DefaultGraphSender(Protocol):
    def add_default(self, ntriples: bytes) -> None: ...

    def remove_default(self, ntriples: bytes) -> None: ...


def release_parts(parts_dir: Path, graphs: dict[str, Current]) -> dict[str, dict[str, Any]]:
    """The dump parts of the release (key -> manifest entry), checked against the graph files' digests:
    parts made from other graphs than the ones being published (a build that died between) are refused."""
    try:
        manifest = json.loads((parts_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PublishError(f"{parts_dir}: no dump parts to publish the default graph from ({error})") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise PublishError(f"{parts_dir}: dump parts of another format; run kg build again")
    parts: dict[str, dict[str, Any]] = dict(manifest.get("parts", {}))
    groups: dict[str, dict[str, str]] = {}
    for name, current in graphs.items():
        groups.setdefault(part_key(name), {})[name] = current.digest
    for key, group in groups.items():
        wanted = part_digest(group)
        if wanted is not None and (key not in parts or parts[key].get("digest") != wanted):
            raise PublishError(f"the dump part {key} does not match the graph files; run kg build again")
    return parts


def copies_folder(state: PublishedState) -> Path:
    """Where the parts as last published to the target are kept (hard links to the build's part files)."""
    return state.path.with_suffix(".parts")


def _blocks(lines: Iterable[bytes], size: int) -> Iterator[bytes]:
    block: list[bytes] = []
    for line in lines:
        block.append(line)
        if len(block) >= size:
            yield b"".join(block)
            block = []
    if block:
        yield b"".join(block)


def _keep_copy(source: Path, copy: Path) -> None:
    """``copy`` becomes the part as just published (a hard link; a copy where links cannot be made)."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    temporary = copy.with_name(copy.name + ".tmp")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, copy)


def publish_default_graph(
    parts_dir: Path,
    parts: dict[str, dict[str, Any]],
    state: PublishedState,
    sender: DefaultGraphSender,
    connections: int,
    resend: bool = False,
) -> tuple[int, int, list[str]]:
    """Bring the target's default graph to the release's merged graph (``parts``: :func:`release_parts`), part
    by part; returns the triples added and removed (lines sent) and the failures (the parts with one are not
    recorded as published)."""
    copies = copies_folder(state)
    known = {} if resend else dict(state.parts)
    work: list[tuple[str, Callable[[], tuple[Iterable[bytes], Iterable[bytes]]], Path | None]] = []
    for key in sorted(parts):
        entry = parts[key]
        if known.get(key) == entry["digest"]:
            continue
        new = parts_dir / f"{entry['stem']}.nt.gz"
        old = copies / f"{entry['stem']}.nt.gz" if key in known else None
        work.append((key, _difference(new, old), new))
    for key in sorted(set(state.parts) - set(parts)):  # a part no longer published: all its triples go
        old = copies / f"{part_stem(key)}.nt.gz"
        work.append((key, _difference(None, old), None))
    added = removed = 0
    failed: list[str] = []
    pending: dict[Future[None], str] = {}
    left: dict[str, int] = {}
    broken: set[str] = set()
    finish: dict[str, Path | None] = {}

    def settle(block: bool) -> None:
        done = wait(pending, return_when=FIRST_COMPLETED)[0] if block else {f for f in pending if f.done()}
        for future in done:
            key = pending.pop(future)
            error = future.exception()
            if error is not None:
                broken.add(key)
                failed.append(f"default graph, part {key}: {error}")
            left[key] -= 1
            if not left[key] and key not in broken:
                _record(state, copies, key, finish[key], parts.get(key))

    with ThreadPoolExecutor(max_workers=connections, thread_name_prefix="kg-publish-default") as pool:

        def submit(key: str, call: Callable[[bytes], None], body: bytes) -> None:
            while len(pending) >= connections * 2:
                settle(True)
            left[key] = left.get(key, 0) + 1
            pending[pool.submit(call, body)] = key

        for key, difference, source in work:
            gained, lost = difference()
            finish[key] = source
            left.setdefault(key, 0)
            for body in _blocks(gained, ADD_LINES):
                added += body.count(b"\n")
                submit(key, sender.add_default, body)
            for body in _blocks(lost, REMOVE_LINES):
                removed += body.count(b"\n")
                submit(key, sender.remove_default, body)
            if not left[key]:  # nothing to send (the copy already matched): recorded at once
                _record(state, copies, key, source, parts.get(key))
            settle(False)
        while pending:
            settle(True)
    return added, removed, failed


def _difference(new: Path | None, old: Path | None) -> Callable[[], tuple[Iterable[bytes], Iterable[bytes]]]:
    """The lines to add and to remove: a part sent first is streamed whole (never held in memory)."""

    def compute() -> tuple[Iterable[bytes], Iterable[bytes]]:
        if old is None or not old.is_file():
            return (part_file_lines(new) if new is not None else ()), ()
        before = set(part_file_lines(old))
        if new is None:
            return (), sorted(before)
        after = set(part_file_lines(new))
        return sorted(after - before), sorted(before - after)

    return compute


def _record(state: PublishedState, copies: Path, key: str, source: Path | None, entry: dict[str, Any] | None) -> None:
    """The part as published: its copy first, then the state line (a crash between sends its difference
    again, which is empty then)."""
    copy = copies / f"{part_stem(key)}.nt.gz"
    if source is None or entry is None:
        copy.unlink(missing_ok=True)
        state.part_sent(key, None)
        return
    _keep_copy(source, copy)
    state.part_sent(key, entry["digest"])


def delete_where_unheld(ntriples: bytes) -> bytes:
    """A SPARQL Update removing these N-Triples from the default graph unless a named graph holds the triple.

    N-Triples terms are SPARQL terms, so each line is one row of VALUES. Blank nodes cannot be named in
    VALUES; kg publishes none (its IRIs are minted), and a line holding one is left in the store.
    """
    rows = [
        b"(" + line.rstrip()[:-1].rstrip() + b")"
        for line in ntriples.splitlines()
        if line.strip() and b"_:" not in line.split(b'"', 1)[0]
    ]
    return (
        b"DELETE { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {\n"
        + b"\n".join(rows)
        + b"\n} FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
    )
