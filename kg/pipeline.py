"""From export files to validated article graphs: what ``kg build`` and ``kg validate`` share.

The pipeline's first stages, per file: read (``kg.sources``: any export format to plain records), map
(``kg.mappers``: records to one named graph per article, as N-Quads) and validate (``kg.validation``).
``map_file`` reads and maps one file; ``file_results`` runs read, map and validate over many files in a
pool of worker processes, one chunk of files per task, and hands back each file's ``FileResult``;
``map_inputs`` is what ``kg validate`` reads its inputs with.

Workers do everything that is per file and CPU-bound (parsing, cleaning, mapping, serialising to N-Quads,
SHACL) and send back bytes, so the build's main process, which writes the store (``kg.build``), never holds
more than a few chunks of articles. Nothing here writes anywhere.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.identity import Claim, article_claims
from kg.iris import Minter
from kg.mappers import map_article
from kg.publish.graphs import graph_digest
from kg.records import Problem
from kg.sources.registry import read_file
from kg.validation import ValidationResult, Validator, shared_validator
from kg.validation.results import without_restated

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://kg.example.org"
_CHUNK_BYTES = 1_500_000
_CHUNK_FILES = 64
# The compiled checks cost about 17 ms per batch whatever its size; from 100 articles on that is noise.
_VALIDATION_BATCH = 100
_CHUNKS_IN_FLIGHT = 2  # per worker process
_VALIDATE_ONLY_SECRET = b"kg-validate: person IRIs are not published"


@dataclass
class PipelineOptions:
    """What decides how files are read, mapped and validated (``kg.build.BuildOptions`` adds the rest)."""

    base: str = DEFAULT_BASE
    secret: bytes = b""
    processes: int | None = None  # None: one per core
    validate: bool = True


@dataclass
class ArticleResult:
    key: str
    label: str
    iri: str
    graph: str
    date: str
    nquads: bytes
    digest: str  # graph_digest(nquads), made in the worker
    quads: int
    problems: list[dict[str, Any]]
    validation: list[dict[str, Any]] = field(default_factory=list)
    quarantined: bool = False
    validation_report: str = ""  # the SHACL report as Turtle, kept for quarantined articles
    claims: list[Claim] = field(default_factory=list)  # what other records may say is the same thing (kg.identity)

    def report_entry(self, status: str) -> dict[str, Any]:
        entry = {
            "record": self.label,
            "iri": self.iri,
            "graph": self.graph,
            "status": status,
            "quads": self.quads,
            "problems": self.problems,
        }
        if self.validation:
            entry["validation"] = self.validation
        return entry


@dataclass
class FileResult:
    path: str
    sha256: str
    size: int
    problems: list[dict[str, Any]]
    articles: list[ArticleResult]
    rejected: bool
    seconds: dict[str, float] = field(default_factory=dict)
    format: str = ""  # the reader's format name: copies of one article from two formats are merged


# ------------------------------------------------------------------------------------- inputs
def collect_inputs(inputs: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files and folders (searched for ``*.xml``) as one sorted list without duplicates."""
    files, problems = resolved_inputs(inputs)
    return list(files.values()), problems


def resolved_inputs(inputs: Iterable[Path]) -> tuple[dict[Path, Path], list[Problem]]:
    """``collect_inputs`` as resolved path -> the file as given, sorted by resolved path (each file is
    resolved once: at 10,000 files that is 0.2 s a build)."""
    files: dict[Path, Path] = {}
    problems: list[Problem] = []
    for given in inputs:
        given = Path(given)
        if given.is_dir():
            found = list(_xml_files(given))
            for resolved, path in found:
                files.setdefault(resolved, path)
            if not found:
                problems.append(
                    Problem(
                        "warning",
                        "no-xml-files",
                        "the folder holds no *.xml file (folders are searched for *.xml, subfolders included)",
                        file=str(given),
                    )
                )
        elif given.is_file():
            files.setdefault(given.resolve(), given)
        else:
            problems.append(Problem("error", "missing-input", "no such file or folder", file=str(given)))
    return {key: files[key] for key in sorted(files)}, problems


def _xml_files(folder: Path) -> Iterator[tuple[Path, Path]]:
    """(resolved path, path as given) of each ``*.xml`` file under ``folder``: what ``folder.rglob("*")``
    finds (a symlinked folder is not entered), told apart by the directory entries' types and resolved from
    the folder's own resolved path; only a symlinked file is resolved by itself. (``rglob``, ``is_file`` and
    ``resolve`` per file took a second of every build at 26,000 files.)"""
    stack = [(folder, folder.resolve())]
    while stack:
        given, real = stack.pop()
        try:
            entries = list(os.scandir(given))
        except PermissionError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((given / entry.name, real / entry.name))
            elif os.path.splitext(entry.name)[1].lower() == ".xml":
                path = given / entry.name
                if entry.is_symlink():
                    if path.is_file():
                        yield path.resolve(), path
                elif entry.is_file(follow_symlinks=False):
                    yield real / entry.name, path


# -------------------------------------------------------------------------------- per file
def map_file(path: Path, options: PipelineOptions, minter: Minter | None = None) -> FileResult:
    """Read, clean, map and serialise one file (no store, no validation): the build's per-file work."""
    minter = minter or Minter(options.base)
    started = time.process_time()  # CPU seconds: on a busy machine wall time would blame the stage
    result = read_file(path, options.secret)
    read_done = time.process_time()
    articles: list[ArticleResult] = []
    claimed: set[int] = set()
    for export in result.exports:
        for article in export.articles:
            try:
                mapped = map_article(export, article, minter)
            except Exception as error:  # a bug must cost one article, never the batch
                log.exception("mapping %s in %s failed", article.record_label, path)
                result.problems.append(
                    Problem(
                        "error",
                        "internal-error",
                        f"kg could not map this article ({type(error).__name__}: "
                        f"{error}); it was not published. Please report this with the source file.",
                        file=str(path),
                        record=article.record_label,
                    )
                )
                continue
            own = [
                index
                for index, problem in enumerate(result.problems)
                if problem.record == article.record_label or problem.record.startswith(article.record_label + ",")
            ]
            claimed.update(own)
            articles.append(
                ArticleResult(
                    key=article.key,
                    label=article.record_label,
                    iri=mapped.iri.value,
                    graph=mapped.graph.value,
                    date=export.issue.gregorian_date,
                    nquads=mapped.nquads,
                    digest=graph_digest(mapped.nquads),
                    quads=mapped.quads,
                    problems=[result.problems[index].as_dict() for index in own],
                    claims=article_claims(minter, article, export.journal, export.issue),
                )
            )
    return FileResult(
        path=result.source.path,
        sha256=result.source.sha256,
        size=result.source.size,
        problems=[problem.as_dict() for index, problem in enumerate(result.problems) if index not in claimed],
        articles=articles,
        rejected=result.export is None,
        format=result.format,
        seconds={"read": read_done - started, "map": time.process_time() - read_done},
    )


def map_inputs(inputs: Iterable[Path], base: str) -> tuple[list[tuple[str, bytes]], list[dict[str, Any]]]:
    """``kg validate``'s inputs read and mapped as the build would: every article as (graph IRI, N-Quads),
    and the reader's own problems (file, record, field). Person IRIs are keyed with a throwaway secret:
    nothing of this is published."""
    files, missing = collect_inputs(inputs)
    options = PipelineOptions(base=base, secret=_VALIDATE_ONLY_SECRET, validate=False)
    reader = [problem.as_dict() for problem in missing]
    articles: list[tuple[str, bytes]] = []
    for path in files:
        mapped = map_file(path, options)
        reader.extend({"file": mapped.path, **problem} for problem in mapped.problems)
        for article in mapped.articles:
            reader.extend({"file": mapped.path, **problem} for problem in article.problems)
            articles.append((article.graph, article.nquads))
    log.info("mapped %d articles from %d files", len(articles), len(files))
    return articles, reader


# ---------------------------------------------------------------------------- worker pool
_worker: dict[str, Any] = {}


def checks_loaded() -> int:
    """How many SHACL checks the shapes compile to. Compiling them here, in the build's main process before
    the pool forks, stops a build with unusable shapes before it writes anything; the workers inherit the
    compiled validator."""
    return len(shared_validator().checks)


def _init_worker(options: PipelineOptions) -> None:
    _worker["options"] = options
    _worker["minter"] = Minter(options.base)
    _worker["validator"] = shared_validator() if options.validate else None


def _process_chunk(paths: list[Path]) -> list[FileResult]:
    options: PipelineOptions = _worker["options"]
    results = [map_file(path, options, _worker["minter"]) for path in paths]
    validator: Validator | None = _worker.get("validator")
    if validator is not None:
        started = time.process_time()
        articles = [article for result in results for article in result.articles]
        # Even batches of at most _VALIDATION_BATCH: a query's fixed cost is shared by a whole batch, so a
        # chunk of 140 articles is validated as 70 + 70, not 100 + 40.
        batches = max(1, math.ceil(len(articles) / _VALIDATION_BATCH))
        size = max(1, math.ceil(len(articles) / batches))
        for first in range(0, len(articles), size):
            batch = articles[first : first + size]
            verdicts = validator.validate_articles([(article.graph, article.nquads) for article in batch])
            for article in batch:
                found = without_restated(verdicts.get(article.graph, []), {p.get("code", "") for p in article.problems})
                article.validation = [_validation_entry(item) for item in found]
                article.quarantined = any(item.severity == "violation" for item in found)
                if article.quarantined:
                    article.validation_report = ValidationResult.report_turtle(found)
        if results:
            results[0].seconds["validate"] = time.process_time() - started
    return results


def _validation_entry(item: ValidationResult) -> dict[str, Any]:
    """A result as the build's report lists it under its article."""
    entry = {
        "severity": item.severity,
        "shape": item.shape,
        "focus": item.focus,
        "path": item.path,
        "value": item.value,
        "message": item.message,
    }
    return {key: value for key, value in entry.items() if value not in ("", None)}


def _chunks(paths: list[Path]) -> Iterator[list[Path]]:
    chunk: list[Path] = []
    size = 0
    for path in paths:
        try:
            size += path.stat().st_size
        except OSError:
            pass
        chunk.append(path)
        if size >= _CHUNK_BYTES or len(chunk) >= _CHUNK_FILES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def file_results(paths: list[Path], options: PipelineOptions) -> Iterator[list[FileResult]]:
    """Each file read, mapped and (unless ``options.validate`` is off) validated, a chunk of files at a time,
    in ``options.processes`` worker processes (in this one when there is one, or one chunk)."""
    processes = options.processes or os.cpu_count() or 1
    chunks = list(_chunks(paths))  # lists of paths only: small
    if processes <= 1 or len(chunks) <= 1:
        _init_worker(options)
        for chunk in chunks:
            yield _process_chunk(chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_init_worker, initargs=(options,)) as pool:
        # A bounded window instead of pool.imap: imap keeps feeding the workers however far behind the
        # store writer is, and the finished chunks (N-Quads bytes) would pile up in this process.
        remaining = iter(chunks)
        pending = deque(
            pool.apply_async(_process_chunk, (chunk,))
            for chunk in itertools.islice(remaining, processes * _CHUNKS_IN_FLIGHT)
        )
        while pending:
            done = pending.popleft().get()
            following = next(remaining, None)
            if following is not None:
                pending.append(pool.apply_async(_process_chunk, (following,)))
            yield done
