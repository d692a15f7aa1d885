"""The build: input files -> worker pool (read, map, validate) -> store -> release (dumps, report).

The workers (``kg.pipeline``) do everything that is per file and CPU-bound (parsing, cleaning, mapping,
serialising to N-Quads, SHACL) and send back bytes; the parent process only writes the store, so it never
holds more than a batch of articles. An article is the unit of publication: it has its own named graph, and a
newer export of it replaces exactly that graph, whichever file it comes in.

A build publishes a *release*: a checkpoint of the store, its dumps and its report under
``releases/<id>/``, then swaps the ``current`` symlink in one rename. A server reading ``current`` sees
the old release or the new one, never a half-written one; a build that fails leaves ``current`` alone.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize

from kg import __version__
from kg.iris import Minter
from kg.mappers.provenance import run_quads
from kg.pipeline import ArticleResult, FileResult, PipelineOptions, checks_loaded, collect_inputs, file_results
from kg.publish.dumps import DumpInfo, replace_atomically, write_dumps
from kg.publish.graphs import GraphFiles
from kg.publish.ledger import LEDGER_FILE, Ledger, LedgerFile, fingerprint, ledger_line
from kg.publish.report import ReportWriter, Totals, summary_lines
from kg.publish.store import open_store
from kg.resources import MissingResource, check_install

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SOME_REJECTED = 1
EXIT_NOTHING_BUILT = 2
EXIT_USAGE = 3
_FLUSH_BYTES = 16_000_000


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


# ---------------------------------------------------------------------------------- store
class _StoreWriter:
    """Buffers published article graphs and writes them in batches, replacing older copies.

    ``checked`` says that every payload was already parsed strictly, by the validator in its worker: the
    store then loads it with pyoxigraph's lenient parser, which skips re-checking every IRI and language
    tag (measured: 8-14% of the load's CPU, and the load is most of the main process's work).
    """

    def __init__(self, store: Store, files: GraphFiles, checked: bool = False) -> None:
        self.store = store
        self.files = files
        self.checked = checked
        self.buffer: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}
        self.buffered = 0
        self.seconds = 0.0
        self.identical = 0  # graphs published again byte for byte: the store already holds them

    def put(self, graph: str, nquads: bytes, digest: str) -> None:
        """Publish a graph's N-Quads (``digest`` is their ``graph_digest``), replacing its current copy.

        A copy identical to the current one changes nothing and is not written: replacing a graph costs
        the store a transactional delete (about 4 ms), so a rebuild that reads unchanged articles again
        (``--force``, a new kg version, a corrected issue) would otherwise pay it for each of them.
        """
        if (
            graph not in self.buffer
            and self.files.is_current(graph, digest)
            and self.store.contains_named_graph(NamedNode(graph))
        ):
            self.identical += 1
            return
        self.buffer[graph] = nquads
        self.digests[graph] = digest
        self.buffered += len(nquads)
        if self.buffered >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        started = time.perf_counter()
        # staged (written, not listed) first: if the build dies before the commit, the next one sees which
        # graphs may be half-replaced in the store and loads them again (kg.publish.graphs)
        number, segment = self.files.stage(self.buffer)
        for graph in self.buffer:
            node = NamedNode(graph)
            if self.store.contains_named_graph(node):
                self.store.remove_graph(node)
        # bulk_load writes sorted files straight to disk: many times faster than a transactional load.
        # Atomicity comes from the release checkpoint, not from this working store, which nobody serves.
        self.store.bulk_load(segment, format=RdfFormat.N_QUADS, lenient=self.checked)
        self.files.commit(number, self.digests)
        self.buffer.clear()
        self.digests = {}
        self.buffered = 0
        self.seconds += time.perf_counter() - started


def _quarantine(out_dir: Path, result: FileResult, article: ArticleResult) -> Path:
    folder = out_dir / "quarantine" / article.graph.split("/graph/", 1)[-1].replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result.path, folder / Path(result.path).name)
    (folder / "article.nq").write_bytes(article.nquads)
    (folder / "validation.json").write_text(
        json.dumps(article.validation, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (folder / "validation.ttl").write_text(article.validation_report, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------- build
def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _map_large_buffers() -> None:
    """Ask glibc to serve every allocation above 1 MB by mmap, so that freeing it returns it to the system.

    The build passes 16 MB batches of N-Quads and 80 KB article payloads around; glibc's default raises
    its mmap threshold as such blocks are freed, after which they come from the heap, which fragments and
    never shrinks: the main process's resident memory then grew with the corpus. Does nothing where
    the C library is not glibc. Worker processes are forked after this and keep the setting.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass


_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


def build(inputs: Iterable[Path], out_dir: Path, options: BuildOptions) -> BuildReport:
    """Build (or update) the knowledge graph in ``out_dir`` from export files and folders.

    One build at a time per folder: a second one is refused before it touches anything (it would find the
    store locked only after clearing the first one's quarantine and starting a release).
    """
    try:
        check_install()  # an install without its shapes or ontology would publish unchecked: refuse
    except MissingResource as error:
        return _refused(str(error))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(out_dir) as holder:
        if holder is not None:
            return _refused(f"another kg build is running on {out_dir} ({holder}); wait for it to end")
        return _build(inputs, out_dir, options)


@contextmanager
def _build_lock(out_dir: Path) -> Iterator[str | None]:
    """Hold ``out_dir``'s build lock: yields None when this process has it, else who holds it.

    An advisory ``flock`` on ``DIR/.build.lock``, released by the kernel if the build dies. Where there is
    no ``fcntl`` (not Unix) there is no lock; RocksDB's own lock still stops a second store writer.
    """
    try:
        import fcntl
    except ImportError:
        yield None
        return
    with open(out_dir / ".build.lock", "a+", encoding="utf-8") as handle:
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


def _build(inputs: Iterable[Path], out_dir: Path, options: BuildOptions) -> BuildReport:
    from tqdm import tqdm

    _map_large_buffers()
    started_at = _now()
    clock = time.perf_counter()
    seconds: dict[str, float] = {"read": 0.0, "map": 0.0, "validate": 0.0}
    published_base = _published_base(out_dir)
    if published_base and published_base != options.base:
        return _refused(
            f"{out_dir} holds a graph published under the base IRI {published_base}; building "
            f"it with {options.base} would mix the two. Build into a new folder to change the base, "
            f"or pass --base {published_base}."
        )
    files, input_problems = collect_inputs(inputs)
    resolved = {str(path): str(path.resolve()) for path in files}
    given = {resolved[str(path)]: path for path in files}
    ledger = Ledger(
        out_dir / LEDGER_FILE,
        fingerprint(options.base, options.secret, options.validate),
        use_previous=not options.force,
    )
    skipped = ledger.skippable(given)
    if files and len(skipped) == len(files) and not input_problems and (out_dir / "current").is_dir():
        return _nothing_changed(out_dir, skipped, time.perf_counter() - clock)
    # compiled once here too: an unusable set of shapes stops the build before it writes anything, and the
    # report says how many checks every article went through
    checks = checks_loaded() if options.validate else None
    release_id = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = out_dir / "releases" / f".{release_id}.partial"
    staging.mkdir(parents=True)
    if (out_dir / "quarantine").exists():
        shutil.rmtree(out_dir / "quarantine")
    report = ReportWriter(
        staging / "report.json",
        {
            "release": release_id,
            "kg_version": __version__,
            "base": options.base,
            "started": started_at,
            "inputs": [str(path) for path in inputs],
        },
    )
    for problem in input_problems:  # a missing input is rejected; a folder without exports is only noted
        rejected = problem.severity == "error"
        report.add_file(
            {
                "path": problem.file,
                "status": "rejected" if rejected else "empty",
                "problems": [problem.as_dict()],
                "articles": [],
            }
        )
        report.totals.files_rejected += rejected
    read_now = out_dir / f".{LEDGER_FILE}.reading"  # the ledger lines of the files read in this build
    store = open_store(out_dir / "store")
    graph_files = GraphFiles(out_dir / "graphs")
    writer = _StoreWriter(store, graph_files, checked=options.validate)
    try:
        # disable=None lets tqdm show the bar only on a terminal
        hide = None if options.progress is None else not options.progress
        with (
            tqdm(total=len(files) - len(skipped), unit="file", desc="building", disable=hide) as bar,
            open(read_now, "w", encoding="utf-8") as ledger_lines,
        ):
            reading = _Reading(out_dir, options, report, writer, ledger_lines, resolved, seconds, bar)
            reading.seed(skipped, given)
            reading.read([path for path in files if resolved[str(path)] not in skipped])
            again = ledger.reread(skipped, {r for r in given if r not in skipped})
            if again:  # a file their articles had lost to was read again: their copies compete again
                reading.forget(again)
                for path in again:
                    del skipped[path]
                bar.total += len(again)
                reading.read([given[path] for path in sorted(again)])
        writer.flush()
        if writer.identical:
            log.info("%d graphs were published again byte for byte; the store kept its copies", writer.identical)
        holders = reading.holders()
        for entry in ledger.carried_entries(set(skipped), holders):
            report.add_file(entry)
            report.totals.files_unchanged += 1
            report.totals.articles_unchanged += sum(a["status"] == "published" for a in entry["articles"])
        ended_at = _now()
        minter = Minter(options.base)
        runs = run_quads(
            minter,
            release_id,
            started_at,
            ended_at,
            [NamedNode(g) for g in reading.published_graphs],
            sorted(reading.sources),
        )
        store.extend(runs)
        runs_graph = minter.runs_graph().value
        graph_files.write({runs_graph: graph_files.read(runs_graph) + serialize(runs, format=RdfFormat.N_QUADS)})
        graph_files.prune()
        store.flush()
        seconds["store"] = writer.seconds
        dumps_started = time.perf_counter()
        store.backup(str(staging / "store"))
        release_store = open_store(staging / "store")  # opened here: the dump writer opens files meanwhile
        try:
            dumps = write_dumps(
                graph_files.sorted_sources(), staging / "dumps", alongside=_default_graph_loader(release_store, seconds)
            )
        finally:
            del release_store  # closed before the release is published
        seconds["dumps"] = time.perf_counter() - dumps_started
    finally:
        del writer
        del store
    totals = report.totals
    seconds["total"] = time.perf_counter() - clock
    exit_code = _exit_code(totals)
    report.close(
        {
            "ended": _now(),
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
            "dumps": [d.as_dict() for d in dumps],
            "exit_code": exit_code,
        }
    )
    (staging / "build.json").write_text(
        json.dumps(
            {
                "release": release_id,
                "kg_version": __version__,
                "base": options.base,
                "started": started_at,
                "ended": _now(),
                "counts": totals.as_dict(),
                "validation": {"shacl_checks": checks} if checks is not None else None,
                "dumps": [d.as_dict() for d in dumps],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    release_dir = out_dir / "releases" / release_id
    staging.rename(release_dir)
    replace_atomically(out_dir / "current", f"releases/{release_id}")
    for name, target in (("dumps", "current/dumps"), ("report.json", "current/report.json")):
        link = out_dir / name
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            replace_atomically(link, target)
    ledger.write(read_now, holders)
    read_now.unlink()
    _prune_releases(out_dir / "releases", options.keep_releases)
    summary = summary_lines(totals, report.shown, out_dir / "report.json", report.listable, checks)
    return BuildReport(exit_code, totals, release_dir, release_dir / "report.json", dumps, seconds, summary)


def _default_graph_loader(store: Store, seconds: dict[str, float]) -> Callable[[Path], None]:
    """What ``write_dumps`` runs beside the serialisers: the merged triples into the release's default graph."""

    def load(merged_ntriples: Path) -> None:
        started = time.perf_counter()
        _store_merged_default_graph(store, merged_ntriples)
        seconds["default_graph"] = time.perf_counter() - started

    return load


def _store_merged_default_graph(store: Store, merged_ntriples: Path) -> None:
    """Give the release a real default graph: the merged set of all article graphs.

    pyoxigraph's union default graph is a multiset: a journal's triples, repeated in each of its article
    graphs, would come back once per article and inflate every COUNT. Loading the merged triples (each
    once, the file the N-Triples dump is compressed from) into the release's own default graph makes the
    SPARQL default graph a proper set; the working store keeps only the article graphs. Runs beside the
    dump serialisers (``write_dumps(alongside=...)``).

    Loaded in blocks of ``_FLUSH_BYTES``: one ``bulk_load`` call holds everything it loads in memory
    (measured: 1.1 GB for 1.25 million triples), so one call over the whole file would make the build's
    peak grow with the corpus. Every line was parsed strictly before (by the validator, or by the working
    store's load), so the lenient parser is enough.
    """
    for block in _line_blocks(merged_ntriples, _FLUSH_BYTES):
        store.bulk_load(block, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph(), lenient=True)
    store.flush()


def _line_blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file in blocks of about ``size`` bytes, each ending at a line end."""
    with open(path, "rb") as handle:
        rest = b""
        while block := handle.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest = block
                continue
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest


class _Reading:
    """The files one build reads, published as they come: which file's copy of each graph wins.

    An article's copy ranks by (issue date, file SHA-256): a later issue replaces an earlier copy, from
    whichever file. The copies of files skipped as unchanged (``seed``) compete as if read again.
    """

    def __init__(
        self,
        out_dir: Path,
        options: BuildOptions,
        report: ReportWriter,
        writer: _StoreWriter,
        ledger_lines: IO[str],
        resolved: dict[str, str],
        seconds: dict[str, float],
        bar: Any,
    ) -> None:
        self.out_dir, self.options, self.report, self.writer = out_dir, options, report, writer
        self.ledger_lines, self.resolved, self.seconds, self.bar = ledger_lines, resolved, seconds, bar
        self.winners: dict[str, tuple[str, str, str]] = {}  # graph -> (date, sha256, path) of the published copy
        self.published_graphs: list[str] = []
        self.sources: set[str] = set()

    def seed(self, skipped: dict[str, LedgerFile], given: dict[str, Path]) -> None:
        for known in skipped.values():
            for article in known.articles:
                if article.status == "published":
                    self.winners[article.graph] = (article.date, known.sha256, str(given[known.path]))

    def forget(self, paths: Iterable[str]) -> None:
        """Withdraw the seeded copies of these (resolved) files, which are about to be read after all."""
        paths = set(paths)
        for graph, (_, _, path) in list(self.winners.items()):
            if self.resolved.get(path) in paths:
                del self.winners[graph]

    def read(self, paths: list[Path]) -> None:
        for chunk in file_results(paths, self.options):
            for result in chunk:
                for stage, value in result.seconds.items():
                    self.seconds[stage] = self.seconds.get(stage, 0.0) + value
                entry = _publish_file(
                    result,
                    self.out_dir,
                    self.writer,
                    self.winners,
                    self.published_graphs,
                    self.sources,
                    self.report.totals,
                )
                self.report.add_file(entry)
                self.ledger_lines.write(
                    ledger_line(self.resolved[result.path], result.size, result.sha256, _ledger_entry(entry, result))
                )
                self.bar.update(1)

    def holders(self) -> dict[str, str]:
        """Graph -> the resolved path of the file whose copy this build published or kept."""
        return {graph: self.resolved[path] for graph, (_, _, path) in self.winners.items()}


def _publish_file(
    result: FileResult,
    out_dir: Path,
    writer: _StoreWriter,
    winners: dict[str, tuple[str, str, str]],
    published_graphs: list[str],
    sources: set[str],
    totals: Totals,
) -> dict[str, Any]:
    totals.files += 1
    if result.rejected:
        totals.files_rejected += 1
    articles = []
    for article in result.articles:
        totals.articles_read += 1
        if article.quarantined:
            folder = _quarantine(out_dir, result, article)
            totals.articles_quarantined += 1
            entry = article.report_entry("quarantined")
            entry["quarantine"] = str(folder.relative_to(out_dir))
            articles.append(entry)
            continue
        rank = (article.date, result.sha256, result.path)
        previous = winners.get(article.graph)
        if previous is not None and previous[:2] >= rank[:2]:
            totals.articles_superseded += 1
            entry = article.report_entry("superseded")
            entry["superseded_by"] = previous[2]
            articles.append(entry)
            continue
        entry = article.report_entry("published")
        if previous is not None:
            entry["replaces_copy_from"] = previous[2]
            totals.articles_superseded += 1
            totals.articles_published -= 1
        else:
            published_graphs.append(article.graph)
        winners[article.graph] = rank
        writer.put(article.graph, article.nquads, article.digest)
        sources.add(result.sha256)
        totals.articles_published += 1
        totals.quads += article.quads
        articles.append(entry)
    status = (
        "rejected"
        if result.rejected
        else ("partial" if any(p["severity"] == "error" for p in result.problems) else "read")
    )
    return {
        "path": result.path,
        "sha256": result.sha256,
        "bytes": result.size,
        "status": status,
        "problems": result.problems,
        "articles": articles,
    }


def _published_base(out_dir: Path) -> str:
    """The base IRI of the release ``out_dir`` publishes ("" when it has none yet)."""
    try:
        return json.loads((out_dir / "current" / "build.json").read_text(encoding="utf-8")).get("base", "")
    except (OSError, ValueError, AttributeError):
        return ""


def _refused(reason: str) -> BuildReport:
    """A build that did not start: nothing was read or changed."""
    return BuildReport(EXIT_USAGE, Totals(), None, None, [], {}, [f"error: {reason}"])


def _nothing_changed(out_dir: Path, skipped: dict[str, LedgerFile], seconds: float) -> BuildReport:
    """Every input is unchanged since the last build, which published them: its release stays current.

    A new release would hold the same graphs (and a new run in the provenance graph); keeping the
    current one spares the dumps and spares the server a reload that would empty its answer cache.
    """
    release_dir = (out_dir / "current").resolve()
    totals = Totals(
        files_unchanged=len(skipped),
        articles_unchanged=sum(
            article.status == "published" for known in skipped.values() for article in known.articles
        ),
    )
    report_path = release_dir / "report.json"
    summary = [
        f"nothing changed since the last build: its release {release_dir.name} is still current",
        f"files: {totals.files_unchanged} unchanged, {totals.articles_unchanged} articles published "
        "(use --force to read every file again)",
        f"full report: {report_path}",
    ]
    exit_code = _exit_code(totals)
    return BuildReport(exit_code, totals, release_dir, report_path, [], {"total": seconds}, summary)


def _ledger_entry(entry: dict[str, Any], result: FileResult) -> dict[str, Any]:
    """A file's report entry as the ledger keeps it: with the date that ranks each article's copy."""
    dates = {article.graph: article.date for article in result.articles}
    return {
        **entry,
        "articles": [{**article, "date": dates.get(article["graph"], "")} for article in entry["articles"]],
    }


def _exit_code(totals: Totals) -> int:
    if totals.articles_published + totals.articles_unchanged == 0:
        return EXIT_NOTHING_BUILT
    if totals.files_rejected or totals.articles_quarantined or totals.problems.get("error"):
        return EXIT_SOME_REJECTED
    return EXIT_OK


def _prune_releases(releases: Path, keep: int) -> None:
    """Keep the newest ``keep`` releases: a server may still be answering from the previous one."""
    finished = sorted(path for path in releases.iterdir() if not path.name.startswith("."))
    for old in finished[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
