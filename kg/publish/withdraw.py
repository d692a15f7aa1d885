"""``kg withdraw DIR FILE... [--reason TEXT]``: take back what source files published, in a new release.

Builds are additive: a file not given again keeps what it published. Withdrawing is the way back. The
ledger (``kg.publish.ledger``) says which article graphs each file's copy holds; a withdrawal runs the
build's release steps (``kg.build._Release``) with these graphs emptied first, so the dumps, the default
graph, the search index and the OAI-PMH records follow as in an incremental build. Then:

- a graph whose copy another file still in the ledger had lost to (``superseded``) gets that copy back:
  the file is read again, when it is still on disk (else the article becomes a tombstone and the report
  says which file could have brought it back);
- an article left with no source becomes a tombstone: noted in ``DIR/deleted.jsonl`` with the date and
  the reason, listed in the release's ``dumps/withdrawn.json`` (``kg.publish.tombstones``), answered
  ``410 Gone`` by the server and reported deleted by OAI-PMH;
- the withdrawn files leave the ledger, so the same file given to ``kg build`` later is read and
  published again, which lifts its tombstones.

Copies merged from a file of another format (``kg.publish.merge``) are facts of their own: withdrawing the
file whose copy was merged in empties its supplement graph and leaves the article graph as it is;
withdrawing the file of the article graph brings the merged copy back whole as the article graph (the
file read again, as for a superseded copy), and the article becomes a tombstone only when no file of any
format is left, its supplement graphs emptied with it.

Files the folder's ledger does not know are an error naming them; nothing is changed then.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

from kg.build import EXIT_SOME_REJECTED, BuildOptions, BuildReport, _build_lock, _Inputs, _refused, _Release
from kg.identity import renamed
from kg.iris import Minter, supplement_graph, supplemented_graph
from kg.publish.datestamps import note_deleted
from kg.publish.graphs import graph_digest
from kg.publish.layout import Layout
from kg.publish.ledger import Ledger, input_stats
from kg.publish.tombstones import EMPTY_DIGEST
from kg.resources import MissingResource, check_install


def withdraw(out_dir: Path, files: Iterable[Path], reason: str, options: BuildOptions) -> BuildReport:
    """Withdraw everything ``files`` published in ``out_dir``, as a new release (see the module's docstring)."""
    try:
        check_install()
    except MissingResource as error:
        return _refused(str(error))
    layout = Layout(Path(out_dir))
    if not layout.current.is_dir() or not layout.ledger.exists():
        return _refused(f"{layout.root} holds no build to withdraw from")
    with _build_lock(layout) as holder:
        if holder is not None:
            return _refused(f"another kg build is running on {layout.root} ({holder}); wait for it to end")
        return _withdraw(layout, [Path(f) for f in files], reason, options)


def _ledger(layout: Layout) -> Ledger:
    """The folder's ledger, whatever settings it was written with: a withdrawal reads nothing it would skip."""
    with open(layout.ledger, encoding="utf-8") as handle:
        first = json.loads(handle.readline() or "{}")
    return Ledger(layout.ledger, str(first.get("fingerprint", "")))


def _withdraw(layout: Layout, files: list[Path], reason: str, options: BuildOptions) -> BuildReport:
    started_at, clock = _now(), time.perf_counter()
    ledger = _ledger(layout)
    resolved = {str(path): str(path.resolve()) for path in files}
    unknown = [str(path) for path in files if resolved[str(path)] not in ledger.files]
    if unknown:
        report = _refused(
            f"not published from {layout.root} (not in its ledger): {', '.join(unknown)}; nothing was withdrawn"
        )
        report.exit_code = EXIT_SOME_REJECTED
        return report
    gone = set(resolved.values())
    emptied = sorted(graph for graph, path in ledger.current.items() if path in gone)
    supplements = sorted(
        supplement_graph(graph, ledger.files[path].sha256)
        for graph, paths in ledger.merged.items()
        for path in paths
        if path in gone
    )
    revive, lost = _copies_back(ledger, gone, set(emptied))
    # what the files read again compete with: the copies of the files that stay (kg.publish.ranking)
    ledger.current = {graph: path for graph, path in ledger.current.items() if path not in gone}
    ledger.merged = {graph: paths - gone for graph, paths in ledger.merged.items()}
    inputs = _Inputs(
        named=[Path(path) for path in revive],
        files=[Path(path) for path in revive],
        problems=[],
        resolved={path: path for path in revive},
        given={path: Path(path) for path in revive},
        ledger=ledger,
        skipped={},
        stats=input_stats({path: Path(path) for path in revive}, time.time_ns()),
    )
    release = _Release(layout, options, inputs, started_at, clock)
    release.start()
    try:
        emptied += _moved_copies(release, emptied)
        _empty(release, emptied + supplements)
        release.read()
        tombstones = [graph for graph in emptied if graph not in release.ranking.holders()]
        if leftover := _supplements_of(release, set(tombstones)):  # an article with no source keeps no facts
            _empty(release, leftover)
        for graph in tombstones:
            note_deleted(layout.root, graph, reason, started_at, EMPTY_DIGEST)
        _report_withdrawn(release, ledger, gone, tombstones, reason, lost)
        # the articles other files still hold count as unchanged, as in an incremental build's report
        release.report.totals.articles_unchanged = sum(
            path not in gone and path not in revive for path in ledger.current.values()
        )
        release.write_release()
    finally:
        release.close_working_store()
    release.finish()
    release.publish()
    _drop_from_ledger(layout.ledger, gone)
    result = release.build_report()
    result.exit_code = 0 if release.report.totals.files_rejected == 0 else EXIT_SOME_REJECTED
    result.summary.insert(
        0, f"withdrawn: {len(gone)} files, {len(emptied)} article graphs, {len(tombstones)} now tombstones"
    )
    return result


def _copies_back(ledger: Ledger, gone: set[str], emptied: set[str]) -> tuple[list[str], dict[str, str]]:
    """The files to read again (they hold a superseded copy of an emptied graph and are still on disk), and
    the graphs whose superseded copy is in a file that is gone from disk (graph -> that file)."""
    revive: set[str] = set()
    lost: dict[str, str] = {}
    for path, known in ledger.files.items():
        if path in gone:
            continue
        if any(article.graph in emptied and article.status in ("superseded", "merged") for article in known.articles):
            if _on_disk(path):
                revive.add(path)
            else:
                lost.update({a.graph: path for a in known.articles if a.graph in emptied})
    return sorted(revive), lost


def _on_disk(path: str) -> bool:
    """Whether the file is still there to be read again (what it holds now is what competes)."""
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _moved_copies(release: _Release, graphs: list[str]) -> list[str]:
    """Where the identity pass published the withdrawn graphs under their journal's canonical name."""
    moved = {renamed(graph, release.identity.applied.get(graph, {})) for graph in graphs}
    return sorted(moved - set(graphs))


def _supplements_of(release: _Release, graphs: set[str]) -> list[str]:
    """The supplement graphs still holding triples of these article graphs."""
    files = release.graph_files
    return sorted(
        name for name, digest in files.digests.items() if digest != EMPTY_DIGEST and supplemented_graph(name) in graphs
    )


def _empty(release: _Release, graphs: list[str]) -> None:
    """Empty the withdrawn graphs in the working store, and forget their claims to identity."""
    identity = release.identity
    for graph in graphs:
        release.writer.put(graph, b"", EMPTY_DIGEST)
        identity.claims.pop(graph, None)
        identity.applied.pop(graph, None)
    # the provenance of earlier runs names the graphs they generated: those lines go with the graphs
    runs = Minter(release.options.base).runs_graph().value
    prefixes = tuple(f"<{graph}> ".encode() for graph in graphs)
    kept = b"".join(
        line for line in release.graph_files.read(runs).splitlines(keepends=True) if not line.startswith(prefixes)
    )
    release.writer.put(runs, kept, graph_digest(kept))
    release.writer.flush()


def _report_withdrawn(
    release: _Release, ledger: Ledger, gone: set[str], tombstones: list[str], reason: str, lost: dict[str, str]
) -> None:
    """One report entry per withdrawn file: status ``withdrawn``, each article ``withdrawn`` (a tombstone),
    ``withdrawn_copy_back`` (another file's copy is published again) or ``withdrawn_supplement`` (its copy was
    merged into another file's: its supplement graph is emptied, the article stays)."""
    dead = set(tombstones)
    for path in sorted(gone):
        articles = [
            {
                "graph": article.graph,
                "status": "withdrawn" if article.graph in dead else "withdrawn_copy_back",
                "was": article.status,
                **({"copy_lost_with": lost[article.graph]} if article.graph in lost else {}),
            }
            for article in ledger.files[path].articles
            if article.status == "published"
        ] + [
            {
                "graph": article.graph,
                "status": "withdrawn_supplement",
                "was": article.status,
                "supplement": supplement_graph(article.graph, ledger.files[path].sha256),
            }
            for article in ledger.files[path].articles
            if article.status == "merged"
        ]
        release.report.add_file(
            {"path": path, "status": "withdrawn", "reason": reason, "problems": [], "articles": articles}
        )


def _drop_from_ledger(path: Path, gone: set[str]) -> None:
    """The withdrawn files leave the ledger: given again to ``kg build``, they are read and published again."""
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.strip() or json.loads(line).get("path") not in gone
    ]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(kept), encoding="utf-8")
    os.replace(temporary, path)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
