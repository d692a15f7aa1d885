"""Benchmark OAI-PMH over a synthetic corpus: the first ListRecords page and a whole harvest.

Generates ``--articles`` synthetic articles (``tests.benchmarks.synthetic``), builds them with the real
``kg build`` (which writes the release's ``oai.sqlite``; the time of that step is reported as
``channels``), serves the folder with ``kg.server.serve`` as deployed, then measures

* the first page of ``ListRecords`` (100 records) in each metadata format of ``--formats`` (``oai_dc``,
  stored as it is served, and ``jats``, rendered per request from the stored record): ``--requests``
  sequential requests over one keep-alive connection, the formats taking turns, p50 and p99;
* a whole harvest with ``sickle`` (the client BASE-like harvesters use) in each format, through every
  resumption token, checking that it got every article once.

Targets of issue 17: first page p50 < 50 ms, whole harvest of 10,000 articles < 60 s. Usage::

    python -m tests.benchmarks.oai_bench [--articles 10000] [--requests 50] [--formats oai_dc,jats]
                                         [--out DIR] [--keep] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from tests.benchmarks.server_bench import _free_port, _stop
from tests.benchmarks.synthetic import generate_corpus


def build_corpus(articles: int, work: Path, out: Path) -> dict[str, Any]:
    from kg.build import BuildOptions, build

    corpus = work / "corpus"
    generate_corpus(corpus, articles, seed=17)
    started = time.perf_counter()
    report = build([corpus], out, BuildOptions(base="https://kg.example.org", secret=b"bench", progress=False))
    if report.exit_code not in (0, 1):
        raise SystemExit("the build failed:\n" + "\n".join(report.summary))
    return {"build_seconds": time.perf_counter() - started, "channels_seconds": report.seconds.get("channels")}


def start(out: Path, work: Path) -> tuple[Any, str]:
    import subprocess

    port = _free_port()
    config = work / "oai-bench.toml"
    config.write_text("[server]\nworkers = 2\nthreads = 4\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.server.serve", str(out), "--port", str(port), "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.2)
    _stop(process)
    raise SystemExit("the server did not start")


def first_page(url: str, count: int, formats: list[str]) -> dict[str, float]:
    """p50/p99 of the first ListRecords page per format, the formats taking turns (same load for each)."""
    session = requests.Session()
    times: dict[str, list[float]] = {prefix: [] for prefix in formats}
    for prefix in formats:  # warm: the release's table opened by this worker
        session.get(url + "/oai", params={"verb": "ListRecords", "metadataPrefix": prefix}, timeout=30)
    for _ in range(count):
        for prefix in formats:
            started = time.perf_counter()
            response = session.get(url + "/oai", params={"verb": "ListRecords", "metadataPrefix": prefix}, timeout=30)
            times[prefix].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and b"<resumptionToken" in response.content
    figures = {}
    for prefix, found in times.items():
        found.sort()
        figures[f"{prefix}_first_page_p50_ms"] = statistics.median(found)
        figures[f"{prefix}_first_page_p99_ms"] = found[int(len(found) * 0.99) - 1]
    return figures


def harvest(url: str, expected: int, prefix: str) -> dict[str, float]:
    from sickle import Sickle

    started = time.perf_counter()
    identifiers = [record.header.identifier for record in Sickle(url + "/oai").ListRecords(metadataPrefix=prefix)]
    seconds = time.perf_counter() - started
    if len(identifiers) != expected or len(set(identifiers)) != expected:
        raise SystemExit(
            f"the harvest got {len(identifiers)} records ({len(set(identifiers))} distinct), not {expected}"
        )
    return {
        f"{prefix}_harvest_seconds": seconds,
        f"{prefix}_harvested": len(identifiers),
        f"{prefix}_records_per_second": len(identifiers) / seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--formats", default="oai_dc,jats", help="metadata prefixes, comma-separated")
    parser.add_argument("--out", type=Path, default=None, help="build folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the build folder")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    formats = [prefix.strip() for prefix in args.formats.split(",") if prefix.strip()]
    work = Path(tempfile.mkdtemp(prefix="oai-bench-"))
    out = args.out or work / "out"
    figures: dict[str, Any] = {"articles": args.articles}
    try:
        if not (out / "current").exists():
            figures.update(build_corpus(args.articles, work, out))
        import sqlite3

        with sqlite3.connect(out / "current" / "oai.sqlite") as db:
            expected = db.execute("SELECT count(*) FROM records").fetchone()[0]
        figures["records"] = expected
        process, url = start(out, work)
        try:
            figures.update(first_page(url, args.requests, formats))
            for prefix in formats:
                figures.update(harvest(url, expected, prefix))
        finally:
            _stop(process)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for key, value in figures.items():
        print(f"{key:24} {value:.3f}" if isinstance(value, float) else f"{key:24} {value}")
    for prefix in formats:
        print(
            f"{prefix}: targets: first page p50 < 50 ms: {figures[f'{prefix}_first_page_p50_ms']:.1f} ms; "
            f"whole harvest < 60 s: {figures[f'{prefix}_harvest_seconds']:.1f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
