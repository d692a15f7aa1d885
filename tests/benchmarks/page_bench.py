"""Uncached page latency per page type under wrk (issue 15/18): articles, people, issues, journals.

The server runs with the SPARQL result cache off (``sparql.cache_bytes = 0``): the pages' queries go through
that cache, and with it on a page seen once answers from memory. So every request runs the page's queries
and renders it: the latency of an uncached page. For each page type, ``wrk``
cycles through up to ``--pages`` different things of that type (``/en/doc/...``) at each concurrency level
for ``--duration`` seconds and the report gives requests/s, p50 and p99. Usage::

    python -m tests.benchmarks.page_bench [--articles 10000] [--out DIR] [--duration 10] [--concurrency 1 8]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.benchmarks import load
from tests.benchmarks.load import BASE, ROOT, _select, build_release, lua_script, run_wrk
from tests.benchmarks.server_bench import _stop

TYPES = {
    "article": "http://schema.org/ScholarlyArticle",
    "person": "http://schema.org/Person",
    "issue": "http://schema.org/PublicationIssue",
    "journal": "http://schema.org/Periodical",
}


def start_server(out: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` as in the load test (2 workers x 8 threads, access log off) with the result cache off."""
    return load.start_server(out, work, 2, 8, "[sparql]\ncache_bytes = 0\n")


def run(
    out: Path, duration: float, levels: list[int], pages: int
) -> list[tuple[str, int, int, int, float, float, float]]:
    """(page type, concurrency, requests, failed, requests/s, p50 ms, p99 ms) per case."""
    work = Path(tempfile.mkdtemp(prefix="kg-pages-"))
    process, url = start_server(out, work)
    rows = []
    try:
        for kind, type_iri in TYPES.items():
            things = _select(url, f"SELECT ?s WHERE {{ ?s a <{type_iri}> }} ORDER BY ?s LIMIT {pages}")
            items = [("/en/doc/" + iri.removeprefix(BASE + "/id/"), {"Accept": "text/html"}) for iri in things]
            script = lua_script(items, work)
            for level in levels:
                done, failed, rps, p50, p99 = run_wrk(url, script, level, duration)
                rows.append((kind, level, done, failed, rps, p50, p99))
                print(
                    f"{kind:8s} c={level:<3d} {done:6d} req {failed:3d} failed {rps:8.1f} req/s "
                    f"p50 {p50:8.1f} ms p99 {p99:8.1f} ms",
                    flush=True,
                )
    finally:
        _stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args(argv)
    out = args.out or build_release(args.articles, ROOT / "bench-out" / f"load-{args.articles}")
    rows = run(out, args.duration, args.concurrency, args.pages)
    return 1 if any(row[3] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
