"""Load test of ``kg serve`` on loopback (issue 18): wrk, bounded in time, four kinds of request, two loads.

For each case, ``wrk`` keeps ``concurrency`` keep-alive connections busy for ``--duration`` seconds, each
request taking the next URL of the case's list in turn (a Lua script), so the server sees many different
resources, not one cached answer:

* ``pages``: the HTML pages of articles, people, issues and journals (``/doc/...``, ``Accept: text/html``);
* ``lookup``: ``SELECT ?p ?o { <article> ?p ?o }`` on ``/sparql`` over many articles;
* ``keyword``: ``CONTAINS`` searches over the keywords (``LIMIT 50``), many different words;
* ``dumps``: downloads of every dump file of the release (whole files).

at concurrency 8 and 100 (``--concurrency``). Meanwhile the memory of the server's whole process tree
(gunicorn master, web workers, query processes: the sum of their RSS) is sampled every 0.2 s. The report
gives, per case, requests/s, p50, p99, failed requests (socket errors and any status but 200) and the peak
RSS, and for the run the RSS after warm-up, at the end and at its peak: memory is flat when the end is
within 25 % of the warm-up figure. Exit status 1 when a request failed or memory was not flat.

Usage (``wrk`` from Debian: ``apt-get install wrk``)::

    python -m tests.benchmarks.load [--articles 2000] [--out DIR] [--duration 10] [--concurrency 8 100]
                                    [--json load.json]

Without ``--out`` it generates ``--articles`` synthetic articles (:mod:`tests.benchmarks.synthetic`) and
builds them with ``kg build`` into ``bench-out/load-<N>`` (reused when it is there already).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from tests.benchmarks.build_bench import tree_memory_mb
from tests.benchmarks.server_bench import _free_port, _stop, _wait, wrk_figures

ROOT = Path(__file__).resolve().parent.parent.parent
BASE = "https://kg.example.org"
RESULTS = "application/sparql-results+json"
FLAT = 1.25  # end-of-run RSS at most this times the RSS after warm-up
URLS_PER_CASE = 200

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
KEYWORD = (
    "PREFIX schema: <http://schema.org/>\nSELECT DISTINCT ?article ?keyword WHERE {{\n"
    "  ?article schema:keywords ?keyword .\n  FILTER(CONTAINS(LCASE(STR(?keyword)), {word}))\n}} LIMIT 50"
)
THINGS = (
    "SELECT DISTINCT ?s WHERE {{ ?s a <{type}> }} LIMIT {limit}",
    [
        ("http://schema.org/ScholarlyArticle", 120),
        ("http://schema.org/Person", 50),
        ("http://schema.org/PublicationIssue", 20),
        ("http://schema.org/Periodical", 10),
    ],
)
WORDS = 'SELECT DISTINCT ?k WHERE {{ ?a <http://schema.org/keywords> ?k FILTER(LANG(?k) = "en") }} LIMIT {limit}'


@dataclass
class Case:
    name: str
    concurrency: int
    requests: int
    failed: int
    rps: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float


# ---- the release and the server ---------------------------------------------------------------------------


def build_release(articles: int, out: Path) -> Path:
    """``out`` with a published release of ``articles`` synthetic articles (built once, then reused)."""
    if (out / "current").exists():
        return out
    from kg.build import BuildOptions, build
    from tests.benchmarks.synthetic import generate_corpus

    corpus = out.parent / f"{out.name}-corpus"
    if not corpus.exists():
        generate_corpus(corpus, articles)
    build([corpus], out, BuildOptions(base=BASE, secret=b"load-test"))
    return out


def start_server(
    out: Path, work: Path, workers: int, threads: int, more_config: str = ""
) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` on a free port, access log off; ``more_config``: further TOML sections."""
    port = _free_port()
    config = work / "load.toml"
    config.write_text(
        f'[server]\nworkers = {workers}\nthreads = {threads}\npublic_url = "{BASE}"\n[log]\nlevel = "WARNING"\n'
        f"access_log = false\n{more_config}",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "kg.server.serve", str(out), "--port", str(port), "--config", str(config)]
    with open(work / "server.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/sparql", process, 120)
    return process, url


# ---- what each case requests ------------------------------------------------------------------------------


def _select(url: str, query: str) -> list[str]:
    response = requests.get(url + "/sparql", params={"query": query}, headers={"Accept": RESULTS}, timeout=60)
    response.raise_for_status()
    bindings = response.json()["results"]["bindings"]
    return [next(iter(row.values()))["value"] for row in bindings]


def case_requests(url: str) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """(path, headers) of each case, from the served data itself."""
    template, types = THINGS
    things = [iri for kind, limit in types for iri in _select(url, template.format(type=kind, limit=limit))]
    html = {"Accept": "text/html"}
    pages = [(iri.removeprefix(BASE).replace("/id/", "/doc/", 1), html) for iri in things if iri.startswith(BASE)]
    articles = [iri for iri in things if "/article/" in iri] or things
    sparql = {"Accept": RESULTS}
    lookups = [("/sparql?" + urllib.parse.urlencode({"query": LOOKUP.format(iri=iri)}), sparql) for iri in articles]
    words = sorted({word for k in _select(url, WORDS.format(limit=500)) for word in k.lower().split() if len(word) > 3})
    keywords = [
        ("/sparql?" + urllib.parse.urlencode({"query": KEYWORD.format(word=json.dumps(word))}), sparql)
        for word in words[:URLS_PER_CASE]
    ]
    listing = requests.get(url + "/dumps", headers={"Accept": "application/json"}, timeout=30).json()["dumps"]
    dumps = [(urllib.parse.urlsplit(d["url"]).path, {"Accept": "*/*"}) for d in listing]
    return {"pages": pages[:URLS_PER_CASE], "lookup": lookups[:URLS_PER_CASE], "keyword": keywords, "dumps": dumps}


def lua_script(items: list[tuple[str, dict[str, str]]], folder: Path) -> Path:
    """A wrk script sending the requests in turn (the connections of a wrk thread share the turn)."""
    rows = ",\n".join(
        "{" + json.dumps(path) + ", {" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in h.items()) + "}}"
        for path, h in items
    )
    script = folder / f"requests-{len(items)}-{abs(hash(rows))}.lua"
    script.write_text(
        "local items = {\n" + rows + "\n}\n"
        "local counter = 0\n"
        "function request()\n"
        "  counter = counter % #items + 1\n"
        "  local item = items[counter]\n"
        '  return wrk.format("GET", item[1], item[2])\n'
        "end\n",
        encoding="utf-8",
    )
    return script


# ---- measuring --------------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """RSS of the server's process tree every 0.2 s, in MiB."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.samples.append((time.monotonic(), tree_memory_mb(self.pid)))

    def peak(self, since: float) -> float:
        return max((mb for at, mb in self.samples if at >= since), default=0.0)


def run_wrk(url: str, script: Path, concurrency: int, seconds: float) -> tuple[int, int, float, float, float]:
    """(requests, failed, requests/s, p50 ms, p99 ms) of one wrk run."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(concurrency, 2)}",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout=30s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(output)


def settle(url: str, limit: float = 60.0) -> float:
    """Seconds until the server answers ``ASK {}`` within 0.5 s again (work left over from the last case)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        asked = time.monotonic()
        try:
            requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=limit)
        except requests.RequestException:
            pass
        if time.monotonic() - asked < 0.5:
            break
    return time.monotonic() - started


def run(out: Path, duration: float, levels: list[int], workers: int, threads: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="kg-load-"))
    process, url = start_server(out, work, workers, threads)
    sampler = Sampler(process.pid)
    try:
        cases = case_requests(url)
        scripts = {name: lua_script(items, work) for name, items in cases.items()}
        for script in scripts.values():  # warm-up: every query process has opened the store
            run_wrk(url, script, 8, 1)
        sampler.start()
        time.sleep(0.5)
        warm = tree_memory_mb(process.pid)
        figures = []
        for concurrency in levels:
            for name, script in scripts.items():
                settled = settle(url)
                started = time.monotonic()
                done, failed, rps, p50, p99 = run_wrk(url, script, concurrency, duration)
                figure = Case(name, concurrency, done, failed, rps, p50, p99, sampler.peak(started))
                print(
                    f"{name:8} c={concurrency:<4} {rps:9.1f} req/s  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  "
                    f"failed {failed}  peak RSS {figure.peak_rss_mb:.0f} MiB  (settled in {settled:.1f} s)",
                    flush=True,
                )
                figures.append(figure)
        time.sleep(0.5)
        end = tree_memory_mb(process.pid)
    finally:
        sampler.stopped.set()
        _stop(process)
        shutil.rmtree(work, ignore_errors=True)
    peak = max((mb for _, mb in sampler.samples), default=0.0)
    return {
        "cases": [asdict(f) for f in figures],
        "urls": {name: len(items) for name, items in cases.items()},
        "rss_warm_mb": round(warm, 1),
        "rss_end_mb": round(end, 1),
        "rss_peak_mb": round(peak, 1),
        "flat": end <= warm * FLAT,
        "failed": sum(f.failed for f in figures),
        "workers": workers,
        "threads": threads,
        "duration_s": duration,
        "load_average": os.getloadavg()[0],
    }


def table(report: dict[str, object]) -> str:
    lines = [
        "| case | concurrency | requests/s | p50 ms | p99 ms | failed | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in report["cases"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {case['name']} | {case['concurrency']} | {case['rps']:.0f} | {case['p50_ms']:.1f} | "
            f"{case['p99_ms']:.1f} | {case['failed']} | {case['peak_rss_mb']:.0f} |"
        )
    lines.append(
        f"\nRSS of the process tree: {report['rss_warm_mb']} MiB after warm-up, {report['rss_end_mb']} MiB at the end, "
        f"{report['rss_peak_mb']} MiB at its peak (flat: {report['flat']}); failed requests: {report['failed']}."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.load", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="synthetic articles to build (without --out)")
    parser.add_argument("--out", type=Path, help="an output folder of kg build to serve")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 100])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    out = args.out or build_release(args.articles, ROOT / "bench-out" / f"load-{args.articles}")
    report = run(out, args.duration, args.concurrency, args.workers, args.threads)
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if report["failed"] == 0 and report["flat"] else 1


if __name__ == "__main__":
    sys.exit(main())
