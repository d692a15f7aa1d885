"""Benchmark the SPARQL endpoint against the Oxigraph server and rdflib-endpoint, on the same data, in one run.

For an article lookup (``SELECT ?p ?o { <article> ?p ?o }``) and a keyword search (``CONTAINS`` over every
keyword, ``LIMIT 50``), at each concurrency level, it measures requests/s, p50 and p99 of:

* ``kg serve``: the server as deployed (gunicorn, killable query processes, result cache on, one JSON
  access-log line per request, written to /dev/null);
* ``kg serve, cache off``: the same with ``sparql.cache_bytes = 0``, so every request runs its query;
* ``oxigraph serve-read-only`` (from the ``oxigraph`` package) on the release's store;
* ``rdflib-endpoint`` (``pip install "rdflib-endpoint[cli]"``) over the release's ``kg.nt.gz`` dump, loaded
  into rdflib's memory store (this takes minutes at 10,000 articles; skipped with a note when missing).

then prints a table and the ratios against the targets of issue 4: kg at least 0.3x Oxigraph's requests/s
and at least 4x rdflib-endpoint's at concurrency 8, and a p50 below 10 ms for the article lookup.

The load generator is ``wrk`` when it is on the PATH (``apt-get install wrk``: C, keep-alive, it is not
the bottleneck); otherwise threads with keep-alive ``http.client`` connections (Python: its own cost shows
in the figures above a few thousand requests/s, the report says which client ran). Every measurement is
repeated (``--repeat``) and the median is reported, with the load average of the machine. Usage::

    python -m tests.benchmarks.server_bench DIR [--duration 5] [--repeat 3] [--concurrency 1 8] [--json out.json]
                               [--no-oxigraph] [--no-rdflib] [--no-uncached] [--client wrk|python]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.server.releases import current_target

ACCEPT = "application/sparql-results+json"
PICK_ARTICLE = (
    "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> ; "
    "<http://schema.org/keywords> ?k } ORDER BY ?a LIMIT 1"
)
PICK_KEYWORD = 'SELECT ?k WHERE { ?a <http://schema.org/keywords> ?k FILTER(LANG(?k) = "en") } ORDER BY ?k LIMIT 1'
LOOKUP = "SELECT ?p ?o WHERE {{ <{article}> ?p ?o }}"
KEYWORD = (
    "PREFIX schema: <http://schema.org/>\nSELECT DISTINCT ?article ?keyword WHERE {{\n"
    "  ?article schema:keywords ?keyword .\n"
    "  FILTER(CONTAINS(LCASE(STR(?keyword)), {word}))\n}} LIMIT 50"
)

KG = "kg serve"
KG_UNCACHED = "kg serve, cache off"
OXIGRAPH = "oxigraph serve-read-only"
RDFLIB = "rdflib-endpoint"

# the targets of issue 4
TARGET_VS_OXIGRAPH = 0.3
TARGET_VS_RDFLIB = 4.0
TARGET_P50_MS = 10.0


@dataclass
class Figure:
    server: str
    query: str
    concurrency: int
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    load: float  # 1-minute load average when the measurement ended
    rows: int | str = ""  # rows in one answer (the same on every server: same data, same query)
    runs: list[float] = field(default_factory=list)  # requests/s of each repeat (the median is ``rps``)


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]


# ---- servers ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, query: str, timeout: float = 30.0) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            "GET", parts.path + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": ACCEPT}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until ``ASK {}`` answers 200 (or the process exits, or ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if _get(url, "ASK {}", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout:g} s")


def start_kg(out_dir: Path, work: Path, workers: int, threads: int, processes: int, cache: bool, name: str) -> Server:
    port = _free_port()
    config = work / f"bench-{port}.toml"
    config.write_text(
        f"[server]\nworkers = {workers}\nthreads = {threads}\n"
        f"[sparql]\nquery_processes = {processes}\n" + ("" if cache else "cache_bytes = 0\n"),
        encoding="utf-8",
    )  # logging as deployed: one JSON access-log line per request
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.server.serve", str(out_dir), "--port", str(port), "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    _wait(url, process, 120)
    return Server(name, url, process)


def start_oxigraph(store: Path) -> Server | None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not os.path.exists(binary):
        return None
    port = _free_port()
    # the same default graph as kg serve: the build's materialised merge when the store has one, else the
    # union of the named graphs (with both, the union would count every triple twice)
    union = [] if _default_graph_stored(store) else ["--union-default-graph"]
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}", *union],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, process, 120)
    return Server(OXIGRAPH, url, process)


def _default_graph_stored(store_path: Path) -> bool:
    from pyoxigraph import DefaultGraph, Store

    store = Store.read_only(str(store_path))
    try:
        return next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None
    finally:
        del store


def start_rdflib(release: Path, work: Path, timeout: float) -> Server | str:
    """rdflib-endpoint over the merged N-Triples dump; a string says why it cannot run."""
    binary = shutil.which("rdflib-endpoint") or str(Path(sys.executable).parent / "rdflib-endpoint")
    if not os.path.exists(binary):
        return 'rdflib-endpoint is not installed (pip install "rdflib-endpoint[cli]")'
    dump = release / "dumps" / "kg.nt.gz"
    if not dump.is_file():
        return f"{dump} is missing"
    data = work / "kg.nt"
    with gzip.open(dump, "rb") as source, open(data, "wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(url, process, timeout)
    except RuntimeError as error:
        _stop(process)
        return f"rdflib-endpoint did not start: {error}"
    return Server(RDFLIB, url, process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# ---- load generators -------------------------------------------------------------------------------------


@dataclass
class Sample:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _WRK_UNITS[unit]


def wrk_figures(output: str) -> tuple[int, int, float, float, float]:
    """(requests, failed, requests/s, p50 ms, p99 ms) from the report of ``wrk --latency``: failed counts
    the non-2xx/3xx answers and the socket errors (connect, read, write, timeout)."""
    done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+([\d.]+(?:us|ms|s))", output) if done else None
    p99 = re.search(r"\s99%\s+([\d.]+(?:us|ms|s))", output) if done else None
    nan = float("nan")
    return done, failed, rps, _wrk_ms(p50.group(1)) if p50 else nan, _wrk_ms(p99.group(1)) if p99 else nan


def run_wrk(url: str, query: str, concurrency: int, seconds: float, timeout: float) -> Sample:
    """``wrk --latency`` with ``concurrency`` keep-alive connections for ``seconds``."""
    target = url + "?" + urllib.parse.urlencode({"query": query})
    threads = min(concurrency, 2)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            "--latency",
            "-H",
            f"Accept: {ACCEPT}",
            target,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Sample(*wrk_figures(output))


def run_python(url: str, query: str, concurrency: int, seconds: float, timeout: float) -> Sample:
    """Threads, each with one keep-alive ``http.client`` connection, for ``seconds``."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + "?" + urllib.parse.urlencode({"query": query})
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        mine = latencies[index]
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept": ACCEPT})
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and body
            except OSError:
                connection.close()
                ok = False
            mine.append(time.perf_counter() - started)
            if not ok:
                errors[index] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = sorted(lat for lats in latencies for lat in lats)
    if not done:
        return Sample(0, sum(errors), 0.0, float("nan"), float("nan"))
    return Sample(
        len(done),
        sum(errors),
        len(done) / wall,
        statistics.median(done) * 1000,
        done[min(len(done) - 1, int(len(done) * 0.99))] * 1000,
    )


Client = Callable[[str, str, int, float, float], Sample]


# a run should complete at least this many requests; a slower server gets one longer run instead
MIN_REQUESTS = 20
MAX_SLOW_SECONDS = 60.0


def measure(
    client: Client,
    server: Server,
    name: str,
    query: str,
    concurrency: int,
    seconds: float,
    repeat: int,
    timeout: float,
    latency: float,
) -> Figure:
    """A short warm-up, then ``repeat`` runs; the figure is the run with the median requests/s.

    ``latency`` is the time one request took alone: when ``seconds`` would not hold ``MIN_REQUESTS`` of
    them (rdflib-endpoint's keyword search takes seconds), one run of up to ``MAX_SLOW_SECONDS`` is made.
    """
    if latency * MIN_REQUESTS > seconds:
        seconds, repeat = min(MAX_SLOW_SECONDS, latency * MIN_REQUESTS), 1
    else:
        client(server.url, query, concurrency, min(1.0, seconds), timeout)
    samples = [client(server.url, query, concurrency, seconds, timeout) for _ in range(repeat)]
    ordered = sorted(samples, key=lambda s: s.rps)
    median = ordered[len(ordered) // 2]
    return Figure(
        server.name,
        name,
        concurrency,
        median.requests,
        median.errors,
        round(median.rps, 1),
        round(median.p50_ms, 2),
        round(median.p99_ms, 2),
        load=round(os.getloadavg()[0], 2),
        runs=[round(s.rps, 1) for s in samples],
    )


# ---- the run ---------------------------------------------------------------------------------------------


def _first(url: str, query: str, name: str) -> str:
    status, body = _get(url, query)
    bindings = json.loads(body)["results"]["bindings"] if status == 200 else []
    if not bindings:
        raise SystemExit(f"the data has no {name} to benchmark with")
    return next(iter(bindings[0].values()))["value"]


def _rows(url: str, query: str, timeout: float) -> tuple[int | str, float]:
    """The number of rows of one answer (or what went wrong), and how long it took."""
    started = time.perf_counter()
    try:
        status, body = _get(url, query, timeout)
    except OSError as error:
        return f"error: {error}", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    if status != 200:
        return f"HTTP {status}", elapsed
    return len(json.loads(body)["results"]["bindings"]), elapsed


@dataclass
class Options:
    levels: list[int]
    seconds: float
    repeat: int
    oxigraph: bool = True
    rdflib: bool = True
    uncached: bool = True
    client: str = "auto"
    workers: int = 2
    threads: int = 8
    processes: int = 2
    timeout: float = 60.0
    rdflib_start_timeout: float = 1800.0


def run(out_dir: Path, options: Options, say: Callable[[str], None] = print) -> dict[str, object]:
    """Start the servers one after the other (each measured alone on the machine) and measure them."""
    release = current_target(out_dir)
    if release is None:
        raise SystemExit(f"{out_dir}/current does not exist: run kg build first")
    use_wrk = options.client == "wrk" or (options.client == "auto" and shutil.which("wrk") is not None)
    client: Client = run_wrk if use_wrk else run_python
    say(
        f"load generator: {'wrk' if use_wrk else 'python http.client threads'}; "
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    figures: list[Figure] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        kg = start_kg(out_dir, work, options.workers, options.threads, options.processes, True, KG)
        try:
            article = _first(kg.url, PICK_ARTICLE, "article")
            word = _first(kg.url, PICK_KEYWORD, "keyword").split()[0].lower()
        finally:
            _stop(kg.process)
        queries = {
            "article lookup": LOOKUP.format(article=article),
            "keyword search": KEYWORD.format(word=json.dumps(word, ensure_ascii=False)),
        }
        say(f"article lookup: <{article}>; keyword search: {word!r}")

        starters: list[tuple[str, Callable[[], Server | str | None]]] = [
            (KG, lambda: start_kg(out_dir, work, options.workers, options.threads, options.processes, True, KG))
        ]
        if options.uncached:
            starters.append(
                (
                    KG_UNCACHED,
                    lambda: start_kg(
                        out_dir, work, options.workers, options.threads, options.processes, False, KG_UNCACHED
                    ),
                )
            )
        if options.oxigraph:
            starters.append((OXIGRAPH, lambda: start_oxigraph(release / "store")))
        if options.rdflib:
            starters.append((RDFLIB, lambda: start_rdflib(release, work, options.rdflib_start_timeout)))
        for name, start in starters:
            say(f"starting {name} ...")
            try:
                started = start()
            except RuntimeError as error:
                started = str(error)
            if started is None:
                started = f"{name} is not installed"
            if isinstance(started, str):
                notes.append(f"{name} skipped: {started}")
                say(notes[-1])
                continue
            try:
                for query_name, query in queries.items():
                    rows, latency = _rows(started.url, query, options.timeout)
                    for level in options.levels:
                        figure = measure(
                            client,
                            started,
                            query_name,
                            query,
                            level,
                            options.seconds,
                            options.repeat,
                            options.timeout,
                            latency,
                        )
                        figure.rows = rows
                        figures.append(figure)
                        say(
                            f"  {query_name} c={level} ({rows} rows): {figure.rps} req/s, p50 {figure.p50_ms} ms, "
                            f"p99 {figure.p99_ms} ms, errors {figure.errors} (runs {figure.runs}, "
                            f"load {figure.load})"
                        )
            finally:
                _stop(started.process)
    return {
        "client": "wrk" if use_wrk else "python",
        "cores": os.cpu_count(),
        "release": release.name,
        "figures": [asdict(f) for f in figures],
        "notes": notes,
        "targets": targets(figures),
    }


def targets(figures: list[Figure]) -> list[dict[str, object]]:
    """The ratios of issue 4, for each query at the highest concurrency measured."""
    by = {(f.server, f.query, f.concurrency): f for f in figures}
    levels = sorted({f.concurrency for f in figures})
    out: list[dict[str, object]] = []
    if not levels:
        return out
    top = levels[-1]
    for query in ("article lookup", "keyword search"):
        kg = by.get((KG, query, top))
        if kg is None:
            continue
        for other, goal in ((OXIGRAPH, TARGET_VS_OXIGRAPH), (RDFLIB, TARGET_VS_RDFLIB)):
            them = by.get((other, query, top))
            if them is not None and them.rps > 0:
                ratio = kg.rps / them.rps
                out.append(
                    {
                        "what": f"{query}, c={top}: kg / {other} req/s",
                        "value": round(ratio, 2),
                        "target": f">= {goal:g}",
                        "met": ratio >= goal,
                    }
                )
            uncached = by.get((KG_UNCACHED, query, top))
            if them is not None and uncached is not None and them.rps > 0:
                ratio = uncached.rps / them.rps
                out.append(
                    {
                        "what": f"{query}, c={top}: kg (cache off) / {other} req/s",
                        "value": round(ratio, 2),
                        "target": f">= {goal:g}",
                        "met": ratio >= goal,
                    }
                )
    for server in (KG, KG_UNCACHED):
        for level in levels:
            figure = by.get((server, "article lookup", level))
            if figure is not None:
                out.append(
                    {
                        "what": f"article lookup p50, {server}, c={level} (ms)",
                        "value": figure.p50_ms,
                        "target": f"< {TARGET_P50_MS:g}",
                        "met": figure.p50_ms < TARGET_P50_MS,
                    }
                )
    return out


def table(report: dict[str, object]) -> str:
    lines = [
        f"{'server':26} {'query':15} {'rows':>4} {'conc':>4} {'requests':>8} {'err':>4} {'req/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'load':>5}"
    ]
    for f in report["figures"]:  # type: ignore[attr-defined]
        lines.append(
            f"{f['server']:26} {f['query']:15} {f['rows']!s:>4} {f['concurrency']:>4} {f['requests']:>8} "
            f"{f['errors']:>4} {f['rps']:>9} {f['p50_ms']:>8} {f['p99_ms']:>8} {f['load']:>5}"
        )
    lines.append("")
    for target in report["targets"]:  # type: ignore[attr-defined]
        lines.append(
            f"{target['what']:62} {target['value']:>8} (target {target['target']}: "
            f"{'met' if target['met'] else 'NOT met'})"
        )
    for note in report["notes"]:  # type: ignore[attr-defined]
        lines.append(f"note: {note}")
    lines.append(f"client: {report['client']}, {report['cores']} cores, release {report['release']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.server_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out_dir", type=Path, help="the output folder of kg build")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is kept (default 3)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto: wrk when installed)"
    )
    parser.add_argument("--no-oxigraph", dest="oxigraph", action="store_false", help="skip the Oxigraph server")
    parser.add_argument("--no-rdflib", dest="rdflib", action="store_false", help="skip rdflib-endpoint")
    parser.add_argument(
        "--no-uncached", dest="uncached", action="store_false", help="skip kg serve with the result cache off"
    )
    parser.add_argument("--oxigraph", dest="_oxigraph", action="store_true", help=argparse.SUPPRESS)  # now the default
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--query-processes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request (s)")
    parser.add_argument(
        "--rdflib-start-timeout", type=float, default=1800.0, help="seconds rdflib-endpoint may take to load the dump"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    options = Options(
        args.concurrency,
        args.duration,
        max(1, args.repeat),
        args.oxigraph,
        args.rdflib,
        args.uncached,
        args.client,
        args.workers,
        args.threads,
        args.query_processes,
        args.timeout,
        args.rdflib_start_timeout,
    )
    report = run(args.out_dir, options, say=lambda text: print(text, file=sys.stderr, flush=True))
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
