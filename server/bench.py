"""Benchmark the SPARQL endpoint: requests/s, p50 and p99 for an article lookup and a keyword search.

Starts ``kg serve`` (and, with ``--oxigraph``, ``oxigraph serve-read-only`` from ``pip install oxigraph``
on the same store for comparison) on free local ports, then runs each query N times at each concurrency
level with keep-alive clients. Usage::

    python -m server.bench DIR [--requests 400] [--concurrency 1 8] [--oxigraph] [--json out.json]

The client is Python (requests), so its own overhead (~0.3-0.5 ms per request) is in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from server.releases import current_target

ACCEPT = {"Accept": "application/sparql-results+json"}
PICK_ARTICLE = ("SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> ; "
                "<http://schema.org/keywords> ?k } ORDER BY ?a LIMIT 1")
PICK_KEYWORD = ('SELECT ?k WHERE { ?a <http://schema.org/keywords> ?k FILTER(LANG(?k) = "en") } '
                "ORDER BY ?k LIMIT 1")
LOOKUP = "SELECT ?p ?o WHERE {{ <{article}> ?p ?o }}"
KEYWORD = ("PREFIX schema: <http://schema.org/>\nSELECT DISTINCT ?article ?keyword WHERE {{\n"
           "  ?article schema:keywords ?keyword .\n"
           "  FILTER(CONTAINS(LCASE(STR(?keyword)), {word}))\n}} LIMIT 50")


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_kg(out_dir: Path, work: Path, workers: int, threads: int, processes: int) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    config = work / "bench.toml"
    config.write_text(f"[server]\nworkers = {workers}\nthreads = {threads}\n[sparql]\nquery_processes = {processes}\n"
                      "[log]\naccess_log = false\nlevel = \"WARNING\"\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-m", "server.serve", str(out_dir), "--port", str(port),
                                "--config", str(config)], cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    _wait(f"http://127.0.0.1:{port}/health", process)
    while requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code != 200:
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}/sparql", process


def start_oxigraph(store: Path) -> tuple[str, subprocess.Popen] | None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not os.path.exists(binary):
        return None
    port = _free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(store), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/query"
    _wait(url + "?query=ASK%7B%7D", process)
    return url, process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _first(url: str, query: str, name: str) -> str:
    bindings = requests.get(url, params={"query": query}, headers=ACCEPT, timeout=30).json()["results"]["bindings"]
    if not bindings:
        raise SystemExit(f"the data has no {name} to benchmark with")
    return next(iter(bindings[0].values()))["value"]


def measure(server: str, url: str, name: str, query: str, concurrency: int, count: int) -> Figure:
    """``count`` GET requests of ``query`` from ``concurrency`` keep-alive clients."""
    sessions = [requests.Session() for _ in range(concurrency)]
    for session in sessions:  # warm connections and caches
        session.get(url, params={"query": query}, headers=ACCEPT, timeout=30)

    def client(index: int) -> tuple[list[float], int]:
        session = sessions[index]
        latencies, errors = [], 0
        for _ in range(count // concurrency):
            started = time.perf_counter()
            response = session.get(url, params={"query": query}, headers=ACCEPT, timeout=30)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200 or not response.content:
                errors += 1
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(client, range(concurrency)))
    wall = time.perf_counter() - started
    latencies = sorted(lat for lats, _ in results for lat in lats)
    done = len(latencies)
    return Figure(server, name, concurrency, done, sum(e for _, e in results), round(done / wall, 1),
                  round(statistics.median(latencies) * 1000, 2),
                  round(latencies[min(done - 1, int(done * 0.99))] * 1000, 2))


def run(out_dir: Path, count: int, levels: list[int], oxigraph: bool, workers: int, threads: int,
        processes: int) -> list[Figure]:
    target = current_target(out_dir)
    if target is None:
        raise SystemExit(f"{out_dir}/current does not exist: run kg build first")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as work:
        servers = [("kg serve", *start_kg(out_dir, Path(work), workers, threads, processes))]
        if oxigraph:
            started = start_oxigraph(target / "store")
            if started is None:
                print("oxigraph CLI not found (pip install oxigraph); comparing nothing", file=sys.stderr)
            else:
                servers.append(("oxigraph serve-read-only", *started))
        try:
            url = servers[0][1]
            article = _first(url, PICK_ARTICLE, "article")
            word = _first(url, PICK_KEYWORD, "keyword").split()[0].lower()
            queries = {"article lookup": LOOKUP.format(article=article),
                       "keyword search": KEYWORD.format(word=json.dumps(word, ensure_ascii=False))}
            for server, url, _ in servers:
                for name, query in queries.items():
                    for level in levels:
                        figures.append(measure(server, url, name, query, level, count))
        finally:
            for _, _, process in servers:
                _stop(process)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--requests", type=int, default=400, help="requests per query and level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--oxigraph", action="store_true", help="also measure oxigraph serve-read-only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--query-processes", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.out_dir, args.requests, args.concurrency, args.oxigraph, args.workers, args.threads,
                  args.query_processes)
    print(f"{'server':26} {'query':15} {'conc':>4} {'req':>5} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for f in figures:
        print(f"{f.server:26} {f.query:15} {f.concurrency:>4} {f.requests:>5} {f.errors:>4} {f.rps:>8} "
              f"{f.p50_ms:>8} {f.p99_ms:>8}")
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
