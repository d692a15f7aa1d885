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

At the end: the release's dumps and ``build.json`` are copied to ``--dumps-to`` (a folder the front ends
read, ``store.dumps`` in their configuration), then the release marker, the build's run record
(:mod:`kg.publish.marker`), is sent last, which tells every front end that the new release is complete.

Credentials come from ``--credentials FILE`` (one line ``user:password``) or ``KG_STORE_USER`` and
``KG_STORE_PASSWORD``; never from the command line, never written to the log or the state file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
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
from kg.publish.remote_release import PublishError, copy_dumps, folder_lock, release_facts
from kg.publish.remote_state import PublishedState, current_graphs, graphs_of_segment, state_file

log = logging.getLogger("kg.publish.remote")
EXIT_FAILED = 1
EXIT_USAGE = 2
NT = "application/n-triples"
NQ = "application/n-quads"
UPDATE = "application/sparql-update; charset=utf-8"
EMPTY = graph_digest(b"")  # the digest of a withdrawn graph's (empty) current copy


@dataclass
class PublishOptions:
    target: str
    # "nquads" (batches of graphs in one N-Quads POST), "gsp" (Graph Store HTTP Protocol, a PUT per graph),
    # "update" (SPARQL 1.1 Update), or "auto": nquads for an Oxigraph-style ``.../store`` URL, else gsp
    method: str = "auto"
    update_url: str | None = None  # for nquads: where DROP GRAPH goes (default: ``.../store`` -> ``.../update``)
    connections: int = 4
    batch: int = 50  # graphs per SPARQL Update or N-Quads request
    timeout: float = 120.0
    auth: str = "digest"  # how credentials are sent: "digest" (Virtuoso) or "basic"
    credentials: Path | None = None
    dumps_to: Path | None = None
    retries: int = 2
    # nquads: the store's bulk loader, not a transaction per batch (Oxigraph: ?no_transaction); None: with auto
    bulk: bool | None = None
    resend: bool = False  # send every graph, whatever the target is recorded to hold (a store rebuilt empty)


@dataclass
class PublishReport:
    release: str
    sent: int = 0  # graphs written
    deleted: int = 0
    unchanged: int = 0
    triples: int = 0
    requests: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.triples / self.seconds if self.seconds else 0.0
        return (
            f"release {self.release}: {self.sent} graphs sent ({self.triples} triples, {rate:,.0f} triples/s), "
            f"{self.deleted} deleted, {self.unchanged} unchanged, {self.requests} requests in {self.seconds:.1f} s"
            + (f"; {len(self.failed)} failed" if self.failed else "")
        )


def resolve_method(options: PublishOptions) -> str:
    """The write method for ``auto``: batched N-Quads where the URL is an Oxigraph-style dataset endpoint
    (``.../store``, with its SPARQL Update at ``.../update``), measured fastest there; else the portable GSP."""
    if options.method != "auto":
        return options.method
    return "nquads" if options.target.rstrip("/").endswith("/store") else "gsp"


def update_url(options: PublishOptions) -> str:
    """Where SPARQL Update requests go for the nquads method."""
    if options.update_url:
        return options.update_url
    base, found, _ = options.target.rstrip("/").rpartition("/store")
    if not found:
        raise PublishError(f"{options.target}: give the store's SPARQL Update URL (--update-url) for --method nquads")
    return base + "/update"


def credentials(options: PublishOptions) -> tuple[str, str] | None:
    user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
    if user and password is not None:
        return user, password
    if options.credentials is not None:
        line = options.credentials.read_text(encoding="utf-8").strip().splitlines()[0]
        name, _, secret = line.partition(":")
        return name, secret
    return None


def _http(options: PublishOptions) -> Any:
    import requests
    from requests.adapters import HTTPAdapter

    http = requests.Session()
    adapter = HTTPAdapter(pool_maxsize=options.connections, max_retries=0)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    found = credentials(options)
    if found is not None:
        http.auth = requests.auth.HTTPDigestAuth(*found) if options.auth == "digest" else found
    return http


class _Sender:
    """Requests to one store, retried a few times (a busy store may drop a connection), counted."""

    def __init__(self, options: PublishOptions) -> None:
        self.options = options
        self.local = threading.local()
        self.requests = 0
        self._count = threading.Lock()

    def _session(self) -> Any:
        http = getattr(self.local, "http", None)
        if http is None:
            http = self.local.http = _http(self.options)
        return http

    def send(
        self,
        method: str,
        params: dict[str, str] | None,
        body: bytes | None,
        content_type: str,
        retries: int | None = None,
        url: str | None = None,
    ) -> None:
        import requests

        last = ""
        for attempt in range((self.options.retries if retries is None else retries) + 1):
            with self._count:
                self.requests += 1
            try:
                answer = self._session().request(
                    method,
                    url or self.options.target,
                    params=params,
                    data=body,
                    headers={"Content-Type": content_type} if body is not None else {},
                    timeout=(10, self.options.timeout),
                )
            except requests.RequestException as error:
                last = f"{type(error).__name__}: {str(error)[:200]}"
            else:
                if answer.status_code < 300 or (method == "DELETE" and answer.status_code == 404):
                    return
                last = f"{answer.status_code} {answer.text[:300].strip()}"
                if answer.status_code in (400, 401, 403, 413, 415):
                    break  # sending it again cannot help
            time.sleep(0.5 * (attempt + 1))
        raise PublishError(f"{method} {params or ''} to {url or self.options.target}: {last}")

    def put(self, graph: str, ntriples: bytes) -> None:
        if self.options.method != "update":
            self.send("PUT", {"graph": graph}, ntriples, NT)
        else:
            self.update([(graph, ntriples)])

    def delete(self, graph: str) -> None:
        if self.options.method != "update":
            self.send("DELETE", {"graph": graph}, None, NT)
        else:
            self.send("POST", None, f"DROP SILENT GRAPH <{graph}>".encode(), "application/sparql-update")

    def update(self, graphs: list[tuple[str, bytes]]) -> None:
        """One SPARQL Update request replacing these graphs."""
        parts = []
        for graph, ntriples in graphs:
            parts.append(f"DROP SILENT GRAPH <{graph}> ;\n".encode())
            if ntriples:
                parts.append(b"INSERT DATA { GRAPH <" + graph.encode() + b"> {\n" + ntriples + b"} } ;\n")
        body = b"".join(parts).rstrip().rstrip(b";")
        self.send("POST", None, body, UPDATE)

    def nquads(self, drop: list[str], nquads: bytes) -> None:
        """A batch of graphs in one N-Quads POST to the dataset (which adds, not replaces), after one SPARQL
        Update dropping those of them the store may already hold (none on a first publish)."""
        if drop:
            body = " ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in drop).encode()
            self.send("POST", None, body, UPDATE, url=update_url(self.options))
        self.send("POST", {"no_transaction": ""} if self.options.bulk else None, nquads, NQ)


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
    )
    try:
        report = publish(args.out, options)
    except (PublishError, OSError) as error:
        print(f"kg publish: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(report.summary())
    return 0
