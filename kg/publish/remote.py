"""``kg publish DIR --to URL``: push the current release of a build folder into a SPARQL 1.1 store.

Each article graph can be replaced alone, so the store holds exactly the release's graphs. Three ways to
write them (``--method``): ``nquads`` (default for an Oxigraph-style ``.../store`` URL, measured fastest there:
one request and one store transaction per graph is what bounds the rate, so ``--batch`` graphs go in one
N-Quads ``POST`` to the dataset, after one ``DROP SILENT GRAPH`` Update for those the store may hold); ``gsp``,
the portable one (Graph Store HTTP Protocol: ``PUT URL?graph=G`` with the graph's N-Triples, ``DELETE`` for a
graph no longer published); ``update`` (``DROP SILENT GRAPH``/``INSERT DATA`` for ``--batch`` graphs per
request) where the store has neither.
Only graphs whose digest differs from the one last published to that URL are sent
(:mod:`kg.publish.remote_state`), by up to ``--connections`` requests at a time; what succeeded is recorded
at once, so a publish that dies is finished by running it again.

Then the release's merged default graph (each triple once, as the embedded store holds it) goes into the
store's default graph, what changed per dump part (:mod:`kg.publish.remote_default`; by default only with
the nquads method, the Oxigraph server's: Virtuoso's default graph is the union of its graphs, no graph of
its own). At the end: the release's dumps and ``build.json`` are copied to ``--dumps-to`` (a folder the
front ends read, ``store.dumps`` in their configuration), then the release marker, the build's run record
(:mod:`kg.publish.marker`), is sent last, which tells every front end that the new release is complete.

Credentials come from ``--credentials FILE`` (one line ``user:password``) or ``KG_STORE_USER`` and
``KG_STORE_PASSWORD``; never from the command line, never written to the log or the state file.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from kg.iris import Minter
from kg.publish.graphs import graph_digest
from kg.publish.layout import Layout
from kg.publish.remote_default import publish_default_graph, release_parts
from kg.publish.remote_release import PublishError, copy_dumps, folder_lock, release_facts
from kg.publish.remote_sender import PublishOptions, _Sender, resolve_method
from kg.publish.remote_state import PublishedState, current_graphs, graphs_of_segment, state_file

__all__ = ["PublishError", "PublishOptions", "PublishReport", "publish", "resolve_method", "_Sender"]

log = logging.getLogger("kg.publish.remote")
EXIT_FAILED = 1
EXIT_USAGE = 2
EMPTY = graph_digest(b"")  # the digest of a withdrawn graph's (empty) current copy


@dataclass
class PublishReport:
    release: str
    sent: int = 0  # graphs written
    deleted: int = 0
    unchanged: int = 0
    triples: int = 0
    default_added: int = 0  # default graph lines sent to be added, and to be removed (if no graph holds them)
    default_removed: int = 0
    requests: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.triples / self.seconds if self.seconds else 0.0
        return (
            f"release {self.release}: {self.sent} graphs sent ({self.triples} triples, {rate:,.0f} triples/s), "
            f"{self.deleted} deleted, {self.unchanged} unchanged; default graph +{self.default_added} "
            f"-{self.default_removed} triples; {self.requests} requests in {self.seconds:.1f} s"
            + (f"; {len(self.failed)} failed" if self.failed else "")
        )


def publish(out_dir: Path, options: PublishOptions, progress: Callable[[str], None] | None = None) -> PublishReport:
    """Send what changed since the last publish of ``out_dir`` to ``options.target``; raises PublishError."""
    layout = Layout(out_dir)
    started = time.perf_counter()
    method = resolve_method(options)
    bulk = options.bulk if options.bulk is not None else options.method == "auto" and method == "nquads"
    options = replace(options, method=method, bulk=bulk)
    with folder_lock(layout):
        facts = release_facts(layout)
        report = PublishReport(str(facts["release"]))
        graphs = current_graphs(layout.graphs)
        write_default = options.default_graph if options.default_graph is not None else method == "nquads"
        # the merged graph's dump parts, checked against the graphs before anything is sent
        parts = release_parts(layout.dump_parts, graphs) if write_default else {}
        state = PublishedState(state_file(layout.root, options.target), options.target)
        if options.resend:
            state.digests = {name: "" for name in state.digests}  # nothing counts as sent; withdrawals still go
        sender = _Sender(options)
        try:
            # the run record is the release marker (kg.publish.marker): it goes last, once all else is there
            runs = Minter(str(facts["base"])).runs_graph().value
            marker = {runs: graphs.pop(runs)} if runs in graphs else {}
            _send_graphs(layout, graphs, state, sender, options, report, keep={runs})
            if report.failed:
                raise PublishError(
                    f"{len(report.failed)} graphs were not published (run kg publish again to retry): "
                    + "; ".join(report.failed[:3])
                )
            if write_default:
                added, removed, failed = publish_default_graph(
                    layout.dump_parts, parts, state, sender, options.connections, options.resend
                )
                report.default_added, report.default_removed = added, removed
                if failed:
                    raise PublishError(
                        f"the default graph was not fully published (run kg publish again to finish): {failed[0]}"
                    )
            if options.dumps_to is not None:
                copy_dumps(layout, report.release, options.dumps_to)
            _send_graphs(layout, marker, state, sender, options, report, keep=None)
            if report.failed:
                raise PublishError(f"the release marker was not published: {report.failed[0]}")
            state.marked(report.release)
            state.compact()
        finally:
            state.close()
    report.requests = sender.requests
    report.seconds = time.perf_counter() - started
    return report


def _send_graphs(
    layout: Layout,
    graphs: dict[str, Any],
    state: PublishedState,
    sender: _Sender,
    options: PublishOptions,
    report: PublishReport,
    keep: set[str] | None,
) -> None:
    """The changed graphs, segment by segment (bounded memory), then the deletions of graphs no longer
    published (except of ``keep``; none when ``keep`` is None), in parallel."""
    changed: dict[int, set[str]] = {}
    for name, current in graphs.items():
        if current.digest and state.digests.get(name) == current.digest:
            report.unchanged += 1
        elif current.digest == EMPTY and name not in state.digests:  # withdrawn, and never sent from here
            report.unchanged += 1
        else:
            changed.setdefault(current.segment, set()).add(name)
    gone = [] if keep is None else [name for name in state.digests if name not in graphs and name not in keep]
    pending: set[Future[None]] = set()
    results: dict[Future[None], tuple[list[str], list[str | None], int]] = {}

    def settle(block: bool) -> None:
        done, _ = wait(pending, return_when=FIRST_COMPLETED) if block else (set(f for f in pending if f.done()), None)
        for future in done:
            pending.discard(future)
            names, digests, triples = results.pop(future)
            error = future.exception()
            if error is not None:
                report.failed.append(str(error))
                continue
            for name, digest in zip(names, digests, strict=True):
                state.sent(name, digest)
                if digest is None:
                    report.deleted += 1
                else:
                    report.sent += 1
            report.triples += triples

    with ThreadPoolExecutor(max_workers=options.connections, thread_name_prefix="kg-publish") as pool:

        def submit(work: Callable[[], None], names: list[str], digests: list[str | None], triples: int) -> None:
            while len(pending) >= options.connections * 2:
                settle(True)
            future = pool.submit(work)
            results[future] = (names, digests, triples)
            pending.add(future)

        batch: list[tuple[str, bytes]] = []
        for number in sorted(changed):
            quads = options.method == "nquads"
            for name, ntriples in graphs_of_segment(layout.graphs, number, changed[number], quads):
                digest = graphs[name].digest or "?"
                count = ntriples.count(b"\n")
                if not ntriples:  # withdrawn: an empty current copy
                    submit(partial(sender.delete, name), [name], [None], 0)
                elif options.method == "gsp":
                    submit(partial(sender.put, name, ntriples), [name], [digest], count)
                else:
                    batch.append((name, ntriples))
                    if len(batch) >= options.batch:
                        _submit_batch(submit, sender, batch, graphs, state, options)
                        batch = []
        if batch:
            _submit_batch(submit, sender, batch, graphs, state, options)
        for name in gone:
            submit(partial(sender.delete, name), [name], [None], 0)
        while pending:
            settle(True)


def _submit_batch(
    submit: Callable[..., None],
    sender: _Sender,
    batch: list[tuple[str, bytes]],
    graphs: dict[str, Any],
    state: PublishedState,
    options: PublishOptions,
) -> None:
    names = [name for name, _ in batch]
    triples = sum(ntriples.count(b"\n") for _, ntriples in batch)
    digests = [graphs[n].digest or "?" for n in names]
    if options.method != "nquads":
        submit(partial(sender.update, list(batch)), names, digests, triples)
        return
    # adding is not replacing: drop first what the store may hold of these graphs (recorded as sent, or as
    # being sent by a run that died); a graph never sent to this target is only added
    drop = [name for name in names if options.resend or name in state.digests]
    state.sending(names)
    submit(partial(sender.nquads, drop, b"".join(n for _, n in batch)), names, digests, triples)


# ---- the command ------------------------------------------------------------------------------------------


def add_publish_command(commands: Any) -> None:
    """``kg publish`` in the kg CLI's subcommands."""
    command = commands.add_parser(
        "publish",
        help="push the current release into a SPARQL 1.1 store",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    command.add_argument("out", type=Path, help="the output folder of `kg build`")
    command.add_argument("--to", required=True, help="the store's Graph Store endpoint (or Update endpoint)")
    command.add_argument(
        "--method",
        choices=("auto", "nquads", "gsp", "update"),
        default="auto",
        help="how graphs are written: nquads (batches in one N-Quads POST, Oxigraph server), gsp (a PUT per "
        "graph, any GSP store), update (SPARQL Update); auto (default): nquads for a .../store URL, else gsp",
    )
    command.add_argument(
        "--update-url",
        default=None,
        help="the SPARQL Update URL for --method nquads (default: .../store -> .../update)",
    )
    command.add_argument("--connections", type=int, default=4, help="requests at a time (default 4)")
    command.add_argument("--batch", type=int, default=50, help="graphs per request, nquads/update (default 50)")
    command.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    command.add_argument("--auth", choices=("digest", "basic"), default="digest", help="how credentials are sent")
    command.add_argument(
        "--credentials", type=Path, default=None, help="a file holding user:password (or KG_STORE_USER/_PASSWORD)"
    )
    command.add_argument(
        "--bulk",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="nquads: the store's bulk loader (Oxigraph's ?no_transaction; a batch is not atomic then); "
        "default: on with --method auto",
    )
    command.add_argument(
        "--default-graph",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also write the release's merged default graph (each triple once) into the store's default graph, "
        "what changed since the last publish; default: on with --method nquads (Oxigraph server), off else "
        "(Virtuoso's default graph is the union of its graphs)",
    )
    command.add_argument("--dumps-to", type=Path, default=None, help="copy the dumps here for the front ends")
    command.add_argument(
        "--resend", action="store_true", help="send every graph again (the store was emptied or rebuilt)"
    )


def publish_command(args: argparse.Namespace) -> int:
    if args.connections < 1 or args.batch < 1:
        print("kg publish: --connections and --batch must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    options = PublishOptions(
        target=args.to,
        method=args.method,
        update_url=args.update_url,
        connections=args.connections,
        batch=args.batch,
        timeout=args.timeout,
        auth=args.auth,
        credentials=args.credentials,
        dumps_to=args.dumps_to,
        resend=args.resend,
        bulk=args.bulk,
        default_graph=args.default_graph,
    )
    try:
        report = publish(args.out, options)
    except (PublishError, OSError) as error:
        print(f"kg publish: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(report.summary())
    return 0
