"""The build: one release of the knowledge graph from export files, published in one rename.

``build`` holds the folder's lock and runs a release's steps in order (``_Release``): start the release
(a staging folder and its report), read the inputs (``kg.pipeline``'s worker pool reads, maps and
validates; ``kg.publish.ranking`` decides which copy of each article is published and the store writer
loads it), write the provenance of the run, write the release's store checkpoint and dumps, finish its
report and ``build.json``, and publish it (``kg.publish.releases``): rename the staging folder into
``releases/<id>/``, swap the ``current`` symlink, write the ledger of inputs and prune old releases. Where
each of these lives in the output folder is ``kg.publish.layout``'s to say.

A server reading ``current`` sees the old release or the new one, never a half-written one; a build that
fails leaves ``current`` alone. Inputs unchanged since the last build are not read again
(``kg.publish.ledger``); when nothing changed, the current release stays.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from kg import __version__
from kg.iris import Minter
from kg.mappers.provenance import run_quads
from kg.pipeline import PipelineOptions, checks_loaded, file_results, resolved_inputs
from kg.publish.channels import start_channels
from kg.publish.crosscheck import release_checks
from kg.publish.default_graph import DefaultGraphChanges
from kg.publish.dump_parts import assemble_dumps, merged_size, update_graph_parts
from kg.publish.dumps import DumpInfo
from kg.publish.graphs import GraphFiles
from kg.publish.identity import IdentityTable
from kg.publish.layout import Layout, ReleaseLayout
from kg.publish.ledger import InputStat, Ledger, LedgerFile, fingerprint, input_stats, ledger_line
from kg.publish.malloc import fewer_collections, map_large_buffers
from kg.publish.ranking import Ranking, ledger_entry
from kg.publish.releases import prune, prune_ahead, publish, published_base, write_build_info
from kg.publish.report import ReportWriter, Totals
from kg.publish.store import open_store
from kg.publish.store_writer import StoreWriter
from kg.records import Problem
from kg.resources import MissingResource, check_install
from kg.search.release import IndexRun

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SOME_REJECTED = 1
EXIT_NOTHING_BUILT = 2
EXIT_USAGE = 3


@dataclass
class BuildOptions(PipelineOptions):
    """The pipeline's options (base IRI, secret, processes, validation) and the release's own."""

    keep_releases: int = 3
    progress: bool | None = None  # None: when stderr is a terminal
    force: bool = False  # read every input again, even those unchanged since the last build (kg.publish.ledger)


@dataclass
class BuildReport:
    exit_code: int
    totals: Totals
    release_dir: Path | None
    report_path: Path | None
    dumps: list[DumpInfo]
    seconds: dict[str, float]
    summary: list[str]


def build(inputs: Iterable[Path], out_dir: Path, options: BuildOptions) -> BuildReport:
    """Build (or update) the knowledge graph in ``out_dir`` from export files and folders.

    One build at a time per folder: a second one is refused before it touches anything (it would find the
    store locked only after clearing the first one's quarantine and starting a release).
    """
    try:
        check_install()  # an install without its shapes or ontology would publish unchecked: refuse
    except MissingResource as error:
        return _refused(str(error))
    layout = Layout(Path(out_dir))
    layout.root.mkdir(parents=True, exist_ok=True)
    with _build_lock(layout) as holder, fewer_collections():
        if holder is not None:
            return _refused(f"another kg build is running on {layout.root} ({holder}); wait for it to end")
        return _build(inputs, layout, options)


@contextmanager
def _build_lock(layout: Layout) -> Iterator[str | None]:
    """Hold the output folder's build lock: yields None when this process has it, else who holds it.

    An advisory ``flock`` on ``DIR/.build.lock``, released by the kernel if the build dies. Where there is
    no ``fcntl`` (not Unix) there is no lock; RocksDB's own lock still stops a second store writer.
    """
    try:
        import fcntl
    except ImportError:
        yield None
        return
    with open(layout.lock, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            yield handle.read().strip() or "another process"
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}, started {_now()}")
        handle.flush()
        try:
            yield None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(inputs: Iterable[Path], layout: Layout, options: BuildOptions) -> BuildReport:
    map_large_buffers()
    started_at = _now()
    clock = time.perf_counter()
    base = published_base(layout)
    if base and base != options.base:
        return _refused(
            f"{layout.root} holds a graph published under the base IRI {base}; building "
            f"it with {options.base} would mix the two. Build into a new folder to change the base, "
            f"or pass --base {base}."
        )
    given = _Inputs.collect(inputs, layout, options)
    if given.all_unchanged() and layout.current.is_dir():
        return _nothing_changed(layout, given.skipped, time.perf_counter() - clock)
    release = _Release(layout, options, given, started_at, clock)
    release.start()
    try:
        release.read()
        release.write_release()
    finally:
        release.close_working_store()
    release.finish()
    release.publish()
    return release.build_report()


@dataclass
class _Inputs:
    """What a build is given, and which of it is unchanged since the last build (``skipped``)."""

    named: list[Path]  # the files and folders as given
    files: list[Path]  # the files found in them
    problems: list[Problem]  # missing inputs, folders without exports
    resolved: dict[str, str]  # each file as given -> its resolved path
    given: dict[str, Path]  # resolved path -> the file as given
    ledger: Ledger
    skipped: dict[str, LedgerFile]  # resolved path -> what it published when it was last read
    stats: dict[str, InputStat]  # resolved path -> its size and modification time before any file was read

    @classmethod
    def collect(cls, inputs: Iterable[Path], layout: Layout, options: BuildOptions) -> _Inputs:
        named = list(inputs)
        found, problems = resolved_inputs(named)
        files = list(found.values())
        resolved = {str(path): str(key) for key, path in found.items()}
        given = {resolved[str(path)]: path for path in files}
        ledger = Ledger(
            layout.ledger, fingerprint(options.base, options.secret, options.validate), use_previous=not options.force
        )
        stats = input_stats(given, time.time_ns())  # before reading: kg.publish.ledger
        return cls(named, files, problems, resolved, given, ledger, ledger.skippable(given, stats), stats)

    def all_unchanged(self) -> bool:
        return bool(self.files) and len(self.skipped) == len(self.files) and not self.problems

    def to_read(self) -> list[Path]:
        return [path for path in self.files if self.resolved[str(path)] not in self.skipped]


class _Release:
    """One release being built: its staging folder, report, working store and timings, step by step."""

    checks: int | None  # the SHACL checks every article goes through; None without validation
    id: str
    staging: ReleaseLayout
    report: ReportWriter
    store: Store
    graph_files: GraphFiles
    writer: StoreWriter
    ranking: Ranking
    identity: IdentityTable

    def __init__(self, layout: Layout, options: BuildOptions, inputs: _Inputs, started_at: str, clock: float) -> None:
        self.layout, self.options, self.inputs = layout, options, inputs
        self.started_at, self.clock = started_at, clock
        self.seconds: dict[str, float] = {"read": 0.0, "map": 0.0, "validate": 0.0}
        self.holders: dict[str, str] = {}  # graph -> the resolved path of the file its published copy is from
        self.merged: dict[str, Any] = {}  # copies merged from another format (kg.publish.merge), for the report
        self.supplements: dict[str, set[str]] = {}  # graph -> the files whose copies are merged into it
        self.dumps: list[DumpInfo] = []
        self.dump_parts_rewritten: list[str] = []  # the dump parts this build wrote (kg.publish.dump_parts)
        self.changes = DefaultGraphChanges()  # what they changed of the default graph, for the checks
        self.exit_code = EXIT_OK

    def start(self) -> None:
        """A staging folder for the release, its report opened, the quarantine emptied, the store opened."""
        options, layout = self.options, self.layout
        # compiled once here too: an unusable set of shapes stops the build before it writes anything, and the
        # report says how many checks every article went through
        self.checks = checks_loaded() if options.validate else None
        self.id = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.staging = layout.staging(self.id)
        self.staging.path.mkdir(parents=True)
        if layout.quarantine.exists():
            shutil.rmtree(layout.quarantine)
        self.report = ReportWriter(
            self.staging.report,
            {
                "release": self.id,
                "kg_version": __version__,
                "base": options.base,
                "started": self.started_at,
                "inputs": [str(path) for path in self.inputs.named],
            },
        )
        for problem in self.inputs.problems:  # a missing input is rejected; a folder without exports is only noted
            rejected = problem.severity == "error"
            self.report.add_file(
                {
                    "path": problem.file,
                    "status": "rejected" if rejected else "empty",
                    "problems": [problem.as_dict()],
                    "articles": [],
                }
            )
            self.report.totals.files_rejected += rejected
        self.store = open_store(layout.store)
        self.graph_files = GraphFiles(layout.graphs)
        self.writer = StoreWriter(self.store, self.graph_files, checked=options.validate)
        self.ranking = Ranking(layout, self.writer, self.report.totals, self.inputs.resolved)
        self.identity = IdentityTable(layout.identity)
        self.pruning = prune_ahead(layout, options.keep_releases)  # beside the reading (kg.publish.releases)

    # ------------------------------------------------------------------------------------ read
    def read(self) -> None:
        """Read the inputs that changed, publishing as the results come; carry the unchanged ones' entries."""
        from tqdm import tqdm

        inputs = self.inputs
        # disable=None lets tqdm show the bar only on a terminal
        hide = None if self.options.progress is None else not self.options.progress
        with (
            tqdm(total=len(inputs.files) - len(inputs.skipped), unit="file", desc="building", disable=hide) as bar,
            open(self.layout.ledger_reading, "w", encoding="utf-8") as ledger_lines,
        ):
            self.ranking.seed(inputs.skipped, inputs.given, inputs.ledger)
            self._read_files(inputs.to_read(), bar, ledger_lines)
            again = inputs.ledger.reread(inputs.skipped, {r for r in inputs.given if r not in inputs.skipped})
            if again:  # a file their articles had lost to was read again: their copies compete again
                self.ranking.forget(again)
                for path in again:
                    del inputs.skipped[path]
                bar.total = (bar.total or 0) + len(again)
                self._read_files([inputs.given[path] for path in sorted(again)], bar, ledger_lines)
        self.merged = self.ranking.merge_copies()  # copies from files of two formats: one article (kg.publish.merge)
        started = time.perf_counter()
        rewritten = self.identity.apply(self.graph_files, self.writer)  # one thing, one IRI (kg.identity)
        self.seconds["identity"] = time.perf_counter() - started
        if rewritten:
            log.info(
                "%d article graphs were rewritten to canonical IRIs (%d aliases)", rewritten, len(self.identity.aliases)
            )
        if self.writer.identical:
            log.info("%d graphs were published again byte for byte; the store kept its copies", self.writer.identical)
        self.holders = self.ranking.holders()
        totals = self.report.totals
        self.supplements = self.ranking.supplement_holders()
        for entry in inputs.ledger.carried_entries(set(inputs.skipped), self.holders, self.supplements):
            self.report.add_file(entry)
            totals.files_unchanged += 1
            totals.articles_unchanged += sum(a["status"] == "published" for a in entry["articles"])

    def _read_files(self, paths: list[Path], bar: Any, ledger_lines: IO[str]) -> None:
        for chunk in file_results(paths, self.options):
            for result in chunk:
                for stage, value in result.seconds.items():
                    self.seconds[stage] = self.seconds.get(stage, 0.0) + value
                entry = self.ranking.publish(result)
                for article, reported in zip(result.articles, entry["articles"], strict=True):
                    if reported["status"] == "published":
                        self.identity.record(article.graph, article.claims)
                self.report.add_file(entry)
                resolved = self.inputs.resolved[result.path]
                ledger_lines.write(ledger_line(resolved, result.size, result.sha256, ledger_entry(entry, result)))
                bar.update(1)

    # ------------------------------------------------------------------------- store and dumps
    def write_release(self) -> None:
        """Provenance, store, dumps, channels, search index: the search index and the OAI-PMH records read
        only the graph files, in child processes (``kg.publish.beside``) while this one writes the dumps."""
        self.write_provenance()
        search = IndexRun(self.graph_files, self.layout.root, self.staging.path)  # kg.search.release
        channels = start_channels(self)  # per-article datestamps, OAI-PMH records (kg.publish.channels)
        try:
            self.write_store_and_dumps()
            channels.finish()  # the change feed, once the dumps are written
            self.seconds["search"] = search.finish()
        finally:  # after a failure, no child is left writing
            channels.cancel()
            search.cancel()

    def write_provenance(self) -> None:
        """The run's provenance into the store and its graph file; then the working store is complete."""
        minter = Minter(self.options.base)
        published = self.ranking.published_graphs + self.identity.moved
        graphs = [NamedNode(g) for g in published if g not in self.identity.withdrawn]
        runs = run_quads(minter, self.id, self.started_at, _now(), graphs, sorted(self.ranking.sources))
        nquads = serialize(runs, format=RdfFormat.N_QUADS) or b""
        del runs  # a new run's quads, bulk-loaded: at 50,000 articles a transaction took 2.4 s and 240 MB
        self.store.bulk_load(nquads, format=RdfFormat.N_QUADS)
        runs_graph = minter.runs_graph().value
        files = self.graph_files
        files.write({runs_graph: files.read(runs_graph) + nquads})
        files.prune()
        self.store.flush()
        self.seconds["store"] = self.writer.seconds

    def write_store_and_dumps(self) -> None:
        """Changed dump parts and default graph (``kg.publish.dump_parts``), the store checkpoint, the dumps."""
        started, files, store, parts = time.perf_counter(), self.graph_files, self.store, self.layout.dump_parts
        manifest, self.dump_parts_rewritten = update_graph_parts(files, self.layout, store, self.seconds, self.changes)
        store.backup(str(self.staging.store))
        merged = merged_size(parts, store)
        self.seconds["dumps"] = time.perf_counter() - started
        # done with the working store: closed, its native memory (~4 KB an article) is not held through the checks
        self.writer.close()
        del self.store, store
        with ThreadPoolExecutor(1) as beside:  # the whole downloads are assembled beside the checks
            whole = beside.submit(assemble_dumps, manifest, parts, self.staging.dumps, merged)
            # conflicts and quality figures (kg.publish.crosscheck) over the checkpoint, closed with its last reference
            release_checks(open_store(self.staging.store), self)
            self.dumps, self.seconds["whole_dumps"] = whole.result()

    def close_working_store(self) -> None:
        """Let go of the working store and what writes to it (pyoxigraph closes it with its last reference)."""
        for name in ("ranking", "writer", "graph_files", "store"):
            self.__dict__.pop(name, None)

    # ---------------------------------------------------------------------------------- publish
    def finish(self) -> None:
        """Close the report and write ``build.json``: the release folder is complete."""
        totals = self.report.totals
        self.seconds["total"] = time.perf_counter() - self.clock
        self.exit_code = _exit_code(totals)
        dumps, merged = [d.as_dict() for d in self.dumps], [d.triples for d in self.dumps if d.format == "N-Triples"]
        self.report.close(
            {
                "ended": _now(),
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "dumps": dumps,
                "exit_code": self.exit_code,
                "dump_parts_rewritten": self.dump_parts_rewritten,
                "identity": self.identity.summary(),  # kg.identity: aliases, graphs rewritten, withdrawn, moved
                "merged": self.merged,
            }
        )
        write_build_info(
            self.staging,
            {
                "release": self.id,
                "kg_version": __version__,
                "base": self.options.base,
                "started": self.started_at,
                "ended": _now(),
                # "quads" counts what was written into the named graphs; the SPARQL default graph is their
                # merge, each triple once (the N-Triples dump), which the service description and VoID count
                "counts": {**totals.as_dict(), "default_graph_triples": sum(merged)},
                "validation": {"shacl_checks": self.checks} if self.checks is not None else None,
                "dumps": dumps,
            },
        )

    def publish(self) -> None:
        """Move the release into place, point ``current`` at it, keep the ledger and prune old releases."""
        publish(self.layout, self.id)
        self.inputs.ledger.write(self.layout.ledger_reading, self.holders, self.supplements, self.inputs.stats)
        self.layout.ledger_reading.unlink()
        self.pruning.join()
        prune(self.layout, self.options.keep_releases)

    def build_report(self) -> BuildReport:
        report, release = self.report, self.layout.release(self.id)
        summary = report.summary(self.layout.report, self.checks)
        return BuildReport(
            self.exit_code, report.totals, release.path, release.report, self.dumps, self.seconds, summary
        )


# ------------------------------------------------------------------------------------ helpers
def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _refused(reason: str) -> BuildReport:
    """A build that did not start: nothing was read or changed."""
    return BuildReport(EXIT_USAGE, Totals(), None, None, [], {}, [f"error: {reason}"])


def _nothing_changed(layout: Layout, skipped: dict[str, LedgerFile], seconds: float) -> BuildReport:
    """Every input is unchanged since the last build, which published them: its release stays current.

    A new release would hold the same graphs (and a new run in the provenance graph); keeping the
    current one spares the dumps and spares the server a reload that would empty its answer cache.
    """
    release = ReleaseLayout(layout.current.resolve())
    published = sum(article.status == "published" for known in skipped.values() for article in known.articles)
    totals = Totals(files_unchanged=len(skipped), articles_unchanged=published)
    summary = [
        f"nothing changed since the last build: its release {release.path.name} is still current",
        f"files: {totals.files_unchanged} unchanged, {totals.articles_unchanged} articles published "
        "(use --force to read every file again)",
        f"full report: {release.report}",
    ]
    exit_code = _exit_code(totals)
    return BuildReport(exit_code, totals, release.path, release.report, [], {"total": seconds}, summary)


def _exit_code(totals: Totals) -> int:
    if totals.articles_published + totals.articles_unchanged + totals.articles_merged == 0:
        return EXIT_NOTHING_BUILT
    if totals.files_rejected or totals.articles_quarantined or totals.problems.get("error"):
        return EXIT_SOME_REJECTED
    return EXIT_OK
