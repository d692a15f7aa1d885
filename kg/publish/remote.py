"""``kg publish DIR --to URL``: push the current release of a build folder into a SPARQL 1.1 store.

Each article graph is sent on its own, so the store holds exactly the release's graphs and a graph can be
replaced alone: with the Graph Store HTTP Protocol (``--method gsp``, the default: ``PUT URL?graph=G`` with
the graph's N-Triples, ``DELETE`` for a graph no longer published), or with SPARQL 1.1 Update where the store
has no GSP (``--method update``: ``DROP SILENT GRAPH``/``INSERT DATA`` for ``--batch`` graphs per request).
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
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from kg.iris import Minter
from kg.publish.graphs import graph_digest
from kg.publish.layout import STORE, Layout
from kg.publish.remote_state import PublishedState, current_graphs, graphs_of_segment, state_file

log = logging.getLogger("kg.publish.remote")
EXIT_FAILED = 1
EXIT_USAGE = 2
NT = "application/n-triples"
UPDATE = "application/sparql-update; charset=utf-8"
EMPTY = graph_digest(b"")  # the digest of a withdrawn graph's (empty) current copy


class PublishError(Exception):
    """A request the store refused (after retries) or a folder that cannot be published."""


@dataclass
class PublishOptions:
    target: str
    method: str = "gsp"  # "gsp" (Graph Store HTTP Protocol) or "update" (SPARQL 1.1 Update)
    connections: int = 4
    batch: int = 50  # graphs per SPARQL Update request
    timeout: float = 120.0
    auth: str = "digest"  # how credentials are sent: "digest" (Virtuoso) or "basic"
    credentials: Path | None = None
    dumps_to: Path | None = None
    retries: int = 2
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
    ) -> None:
        import requests

        last = ""
        for attempt in range((self.options.retries if retries is None else retries) + 1):
            with self._count:
                self.requests += 1
            try:
                answer = self._session().request(
                    method,
                    self.options.target,
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
        raise PublishError(f"{method} {params or ''} to {self.options.target}: {last}")

    def put(self, graph: str, ntriples: bytes) -> None:
        if self.options.method == "gsp":
            self.send("PUT", {"graph": graph}, ntriples, NT)
        else:
            self.update([(graph, ntriples)])

    def delete(self, graph: str) -> None:
        if self.options.method == "gsp":
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


@contextmanager
def _folder_lock(layout: Layout) -> Iterator[None]:
    """The build folder's lock (``DIR/.build.lock``): no build changes the graph files while they are read."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(layout.lock, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise PublishError(f"a kg build is running on {layout.root}; publish when it has ended") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _release_facts(layout: Layout) -> dict[str, Any]:
    path = layout.current_release().build_info
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PublishError(f"{path}: no published release to send ({error})") from error
    if not facts.get("release") or not facts.get("base"):
        raise PublishError(f"{path}: the release has no id or base")
    return facts


def copy_dumps(layout: Layout, release_id: str, folder: Path) -> Path:
    """The release's files but its store (build.json, dumps/, ...) into ``folder/<release id>/``, complete
    before it is named."""
    target = folder / release_id
    if (target / "build.json").exists():
        return target
    staging = folder / f".{release_id}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    source = layout.current_release()
    # everything of the release but its store: build.json, dumps/, the OAI records, the quality report...
    shutil.copytree(source.path.resolve(), staging, ignore=shutil.ignore_patterns(STORE))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def publish(out_dir: Path, options: PublishOptions, progress: Callable[[str], None] | None = None) -> PublishReport:
    """Send what changed since the last publish of ``out_dir`` to ``options.target``; raises PublishError."""
    layout = Layout(out_dir)
    started = time.perf_counter()
    with _folder_lock(layout):
        facts = _release_facts(layout)
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
            for name, ntriples in graphs_of_segment(layout.graphs, number, changed[number]):
                digest = graphs[name].digest or "?"
                count = ntriples.count(b"\n")
                if not ntriples:  # withdrawn: an empty current copy
                    submit(partial(sender.delete, name), [name], [None], 0)
                elif options.method == "gsp":
                    submit(partial(sender.put, name, ntriples), [name], [digest], count)
                else:
                    batch.append((name, ntriples))
                    if len(batch) >= options.batch:
                        _submit_batch(submit, sender, batch, graphs)
                        batch = []
        if batch:
            _submit_batch(submit, sender, batch, graphs)
        for name in gone:
            submit(partial(sender.delete, name), [name], [None], 0)
        while pending:
            settle(True)


def _submit_batch(
    submit: Callable[..., None], sender: _Sender, batch: list[tuple[str, bytes]], graphs: dict[str, Any]
) -> None:
    names = [name for name, _ in batch]
    triples = sum(ntriples.count(b"\n") for _, ntriples in batch)
    submit(partial(sender.update, list(batch)), names, [graphs[n].digest or "?" for n in names], triples)


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
    command.add_argument("--method", choices=("gsp", "update"), default="gsp", help="how graphs are written")
    command.add_argument("--connections", type=int, default=4, help="requests at a time (default 4)")
    command.add_argument("--batch", type=int, default=50, help="graphs per SPARQL Update request (default 50)")
    command.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    command.add_argument("--auth", choices=("digest", "basic"), default="digest", help="how credentials are sent")
    command.add_argument(
        "--credentials", type=Path, default=None, help="a file holding user:password (or KG_STORE_USER/_PASSWORD)"
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
        connections=args.connections,
        batch=args.batch,
        timeout=args.timeout,
        auth=args.auth,
        credentials=args.credentials,
        dumps_to=args.dumps_to,
        resend=args.resend,
    )
    try:
        report = publish(args.out, options)
    except (PublishError, OSError) as error:
        print(f"kg publish: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(report.summary())
    return 0
