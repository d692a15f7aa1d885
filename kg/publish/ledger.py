"""The ledger of inputs: which file, with which content, published which article graphs.

A build writes it (``DIR/inputs.jsonl``) after it has published its release; the next build over the
same folder reads it to skip the inputs that have not changed since, as ``make`` skips targets that are
up to date. Adding one issue to a corpus of 50,000 articles then costs that issue's reading, mapping and
validation and the dumps, not the whole corpus again.

A file given again is skipped when all of this holds, so that skipping gives exactly the graph that
reading it again would give:

- its content is the same (size, then SHA-256, unless its size and modification time are those recorded
  when it was last read or checked, as ``make`` and ``rsync`` trust them), and so are the settings that
  shape the output: kg's code, shapes and ontology, the base IRI, the secret and validation (``fingerprint``);
- it was read cleanly: status ``read`` (no error) and no article quarantined, so a damaged file is read,
  and its problems reported, on every build;
- each of its articles is either the current copy of its graph, or lost to (or ``merged`` into, from
  another format: ``kg.publish.merge``) a copy from a file that is given again in this build (a copy from a
  file not given again would be replaced by reading this one).

A skipped file's report entry is carried into the new report (marked ``"unchanged": true``), its
articles' statuses brought up to date: a copy that a file read in this build replaced is "superseded".
When a file that a skipped one had lost to (or was merged into) is read again, its new copy may now lose
(or give another merge): the skipped file is then read after all, in a second round (``reread``), so that
both copies compete again.

One JSON object per line: the first holds the fingerprint, each other one an input file (its resolved
path, size, SHA-256 and report entry). It is read and rewritten line by line; in memory the build keeps
only an index (path -> hash and its articles' graphs, statuses and dates), a few hundred bytes an article.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, NamedTuple

from kg import __version__

# What the output is made by: a change to any of these makes every input worth reading again. The server
# (kg.server) publishes what the build wrote and makes none of it.
_MADE_BY = (("kg", ".py"), ("kg.shapes", ".ttl"), ("kg.ontology", ""))
_NOT_MADE_BY = {"server", "sample", "__pycache__"}


def fingerprint(base: str, secret: bytes, validate: bool) -> str:
    """A digest of everything besides the input files that decides what a build publishes.

    The secret enters only through an HMAC, so the ledger reveals nothing of it.
    """
    digest = hashlib.sha256()
    for part in (__version__, base, hmac.new(secret, b"kg input ledger", "sha256").hexdigest(), str(validate)):
        digest.update(part.encode("utf-8") + b"\0")
    for package, suffix in _MADE_BY:
        for name, item in _package_files(resources.files(package), package):
            if name.endswith(suffix):
                digest.update(name.encode("utf-8") + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()


def _package_files(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    """Every file under ``folder`` with its dotted/slashed name, sorted: the same in a clone and a wheel."""
    found: list[tuple[str, Traversable]] = []
    for item in folder.iterdir():
        if item.name in _NOT_MADE_BY:
            continue
        name = f"{prefix}/{item.name}"
        if item.is_dir():
            found.extend(_package_files(item, name))
        elif item.is_file():
            found.append((name, item))
    return sorted(found, key=lambda pair: pair[0])


@dataclass
class Article:
    graph: str
    status: str  # "published", "superseded", "merged" or "quarantined", as in the report
    date: str  # the rank of its copy is (date, the file's SHA-256): the later issue wins


@dataclass
class LedgerFile:
    path: str  # resolved
    size: int
    sha256: str
    clean: bool
    articles: list[Article]
    format: str = ""  # the reader's format name (kg.publish.merge: copies of two formats are merged)
    mtime_ns: int = 0  # its modification time when last read or checked (0: unknown, its content is hashed)


# A modification time this close to the build's start is not trusted: a file written again within the
# clock's granularity (two seconds on some file systems) could keep it with other content.
RACY_NS = 2_000_000_000


class InputStat(NamedTuple):
    """A given file's size and modification time, taken before any file is read (``input_stats``)."""

    size: int
    mtime_ns: int  # 0 when too recent to trust (``RACY_NS``)


def input_stats(given: dict[str, Path], started_ns: int) -> dict[str, InputStat]:
    """Resolved path -> size and modification time of each given file that can be read, taken once, before
    any is read. A file changed after this keeps its old time in the ledger, so the next build sees another
    time and hashes it."""
    found: dict[str, InputStat] = {}
    for resolved, path in given.items():
        try:
            stat = path.stat()
        except OSError:
            continue
        mtime = stat.st_mtime_ns
        found[resolved] = InputStat(stat.st_size, mtime if mtime < started_ns - RACY_NS else 0)
    return found


_LOST = ("superseded", "merged")  # statuses of a copy that another file's copy is published over


def _entry_clean(entry: dict[str, Any]) -> bool:
    return entry.get("status") == "read" and all(a.get("status") != "quarantined" for a in entry["articles"])


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    for _, line in _raw_lines(path):
        yield line


def _raw_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each line's text (ending in a newline) and its object."""
    with open(path, encoding="utf-8") as handle:
        for text in _texts(handle):
            yield text, json.loads(text)


def _texts(handle: IO[str]) -> Iterator[str]:
    """The non-empty lines of an open ledger, each ending in a newline (the last one may lack it)."""
    for text in handle:
        if text.strip():
            yield text if text.endswith("\n") else text + "\n"


class Ledger:
    """The previous build's ledger (empty when there is none, or when it was made with other settings)."""

    def __init__(self, path: Path, fingerprint: str, use_previous: bool = True) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.files: dict[str, LedgerFile] = {}
        self.current: dict[str, str] = {}  # graph -> resolved path of the file whose copy is current
        self.merged: dict[str, set[str]] = {}  # graph -> resolved paths of the files whose copies are merged in
        if use_previous and self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            lines = _lines(self.path)
            if next(lines, {}).get("fingerprint") != self.fingerprint:
                return
            for line in lines:
                entry = line["entry"]
                articles = [Article(a["graph"], a["status"], a.get("date", "")) for a in entry["articles"]]
                self.files[line["path"]] = LedgerFile(
                    line["path"],
                    line["size"],
                    line["sha256"],
                    _entry_clean(entry),
                    articles,
                    entry.get("format", ""),
                    line.get("mtime_ns", 0),
                )
                for article in articles:
                    if article.status == "published":
                        self.current[article.graph] = line["path"]
                    elif article.status == "merged":
                        self.merged.setdefault(article.graph, set()).add(line["path"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # damaged: read everything again
            self.files.clear()
            self.current.clear()
            self.merged.clear()

    def skippable(self, given: dict[str, Path], stats: dict[str, InputStat]) -> dict[str, LedgerFile]:
        """The given files (resolved path -> path) that need not be read again, by the rules above; ``stats``:
        their sizes and modification times (``input_stats``), which spare hashing a file whose time is
        recorded."""
        unchanged = {
            resolved: known
            for resolved, known in self.files.items()
            if resolved in stats and known.clean and _same_content(given[resolved], known, stats[resolved])
        }
        skipped: dict[str, LedgerFile] = {}
        for resolved, known in unchanged.items():
            if all(
                self.current.get(article.graph) == resolved
                or (article.status in _LOST and self.current.get(article.graph) in given)
                for article in known.articles
            ):
                skipped[resolved] = known
        return skipped

    def reread(self, skipped: dict[str, LedgerFile], read_again: set[str]) -> list[str]:
        """Skipped files to read after all, because a file their articles had lost to was read again."""
        return [
            resolved
            for resolved, known in skipped.items()
            if any(
                article.status in _LOST and self.current.get(article.graph) in read_again for article in known.articles
            )
        ]

    def carried_entries(
        self, skipped: set[str], winners: dict[str, str], merged: dict[str, set[str]] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The report entries of the skipped files, each article's status brought up to date."""
        if not skipped or not self.path.exists():
            return
        lines = _lines(self.path)
        next(lines, None)
        for line in lines:
            if line["path"] in skipped:
                yield {**_updated(line["entry"], line["path"], winners, merged or {}), "unchanged": True}

    def write(
        self,
        read_now: Path,
        winners: dict[str, str],
        merged: dict[str, set[str]] | None = None,
        stats: dict[str, InputStat] | None = None,
    ) -> None:
        """The new ledger: the files read in this build (``read_now``, ledger lines) and every other
        file of the previous ledger, with the statuses of articles whose graph another file now holds
        (``merged``: graph -> the files whose copies are merged into it) and the modification times of the
        files this build read or found unchanged (``stats``). A line nothing changed is copied as it was."""
        temporary = self.path.with_name(self.path.name + ".tmp")
        replaced = set()
        merged = merged or {}
        mtimes = {resolved: stat.mtime_ns for resolved, stat in (stats or {}).items()}
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(json.dumps({"fingerprint": self.fingerprint}) + "\n")
            for text, line in _raw_lines(read_now):
                replaced.add(line["path"])
                out.write(_ledger_line(text, line, winners, merged, mtimes))
            if self.files:
                for text, path in self._previous_lines():
                    if path in replaced:
                        continue
                    known = self.files.get(path)
                    if known is not None and _as_recorded(known, winners, mtimes):
                        out.write(text)  # nothing of it changed: neither parsed nor encoded again
                    else:
                        line = json.loads(text)
                        out.write(_ledger_line(text, line, winners, merged, mtimes))
        os.replace(temporary, self.path)

    def _previous_lines(self) -> Iterator[tuple[str, str]]:
        """(text, path) of each file line of the previous ledger, the path known from loading it, in the order
        of its lines (the line's own when it is not the one loaded there: a ledger changed since)."""
        with open(self.path, encoding="utf-8") as handle:
            next(handle, None)
            order = iter(self.files)
            for text in _texts(handle):
                path = next(order, None)
                if path is None or f'"path": {json.dumps(path, ensure_ascii=False)}' not in text:
                    path = json.loads(text)["path"]
                yield text, path


def ledger_line(resolved: str, size: int, sha256: str, entry: dict[str, Any], mtime_ns: int = 0) -> str:
    """One input file as a ledger line (its report entry and what identifies its content)."""
    line = {"path": resolved, "size": size, "sha256": sha256, "entry": entry}
    if mtime_ns:
        line["mtime_ns"] = mtime_ns
    return json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"


def _ledger_line(
    text: str, line: dict[str, Any], winners: dict[str, str], merged: dict[str, set[str]], mtimes: dict[str, int]
) -> str:
    entry = _updated(line["entry"], line["path"], winners, merged)
    mtime = mtimes.get(line["path"], line.get("mtime_ns", 0))
    if entry is line["entry"] and mtime == line.get("mtime_ns", 0):
        return text  # nothing changed: not encoded again
    return ledger_line(line["path"], line["size"], line["sha256"], entry, mtime)


def _as_recorded(known: LedgerFile, winners: dict[str, str], mtimes: dict[str, int]) -> bool:
    """Whether a file's ledger line stays as it is: the same modification time, and no article of it whose
    graph another file now holds (what ``_updated`` would change)."""
    if mtimes.get(known.path, known.mtime_ns) != known.mtime_ns:
        return False
    return not any(_held_elsewhere(a.status, a.graph, known.path, winners) for a in known.articles)


def _held_elsewhere(status: str | None, graph: str, resolved: str, winners: dict[str, str]) -> str | None:
    """The file that now holds a graph this file's copy was published in (or merged into), when another does."""
    holder = winners.get(graph)
    return holder if status in ("published", "merged") and holder is not None and holder != resolved else None


def _updated(
    entry: dict[str, Any], resolved: str, winners: dict[str, str], merged: dict[str, set[str]]
) -> dict[str, Any]:
    """``entry`` with "published" turned "superseded" where this build gave the graph to another file, or
    "merged" where this file's copy is merged into another file's (``kg.publish.merge``); ``entry`` itself
    when no status changed."""
    articles = []
    changed = False
    for article in entry["articles"]:
        graph = article["graph"]
        holder = _held_elsewhere(article.get("status"), graph, resolved, winners)
        if holder is not None:
            if resolved in merged.get(graph, ()):
                article = {**article, "status": "merged", "merged_into": holder}
            else:
                article = {**article, "status": "superseded", "superseded_by": holder}
            changed = True
        articles.append(article)
    return {**entry, "articles": articles} if changed else entry


def _same_content(path: Path, known: LedgerFile, stat: InputStat) -> bool:
    try:
        if stat.size != known.size:
            return False
        if stat.mtime_ns and stat.mtime_ns == known.mtime_ns:
            return True  # size and modification time as recorded: the content is not hashed again
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest() == known.sha256
    except OSError:
        return False
