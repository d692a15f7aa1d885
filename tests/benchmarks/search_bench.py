"""Benchmark the search index at scale, in one run: build time as a share of the build, index size, latency.

Steps: write a synthetic corpus (``tests.benchmarks.synthetic``, the build benchmark's), ``kg build`` it,
read the index's seconds from the build's report, then serve the release and load ``/api/search`` with ``wrk``
at concurrency 1 and 8: uncached (1,000 distinct two-word Persian queries, a ``wrk`` script rotating through
them) and repeated (a two-word Persian query, a one-word English query, a quoted phrase: the server's query
cache answers); also time the queries in process (no HTTP; cold with the cache emptied, and the distinct ones
each once), then an incremental rebuild after one file changed. Each phase records the load average. Usage::

    python -m tests.benchmarks.search_bench WORK_DIR [--articles 10000] [--duration 5] [--json out.json]

WORK_DIR keeps the corpus and the build, so a second run reuses them (``--rebuild`` builds again).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from kg.build import BuildOptions, build
from kg.search.index import INDEX_FILE, connect
from kg.search.normalise import content_words
from kg.search.query import facet_table, search
from tests.benchmarks.synthetic import generate_corpus


def _build(corpus: Path, out: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    started = time.perf_counter()
    report = build([corpus], out, BuildOptions(base="https://kg.example.org", secret=b"bench", progress=False))
    wall = time.perf_counter() - started
    seconds = report.seconds
    return {
        "exit_code": report.exit_code,
        "wall_s": round(wall, 2),
        "search_s": round(seconds.get("search", 0.0), 2),
        "search_share": round(seconds.get("search", 0.0) / wall, 4) if wall else None,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }


def _queries(index: Path) -> dict[str, str]:
    """Queries built from the data: two Persian words of a title, one English word, an English phrase."""
    conn = connect(index, read_only=True)
    try:
        rows = conn.execute("SELECT doc FROM docs ORDER BY id LIMIT 200").fetchall()
    finally:
        conn.close()
    docs = [json.loads(r[0]) for r in rows]
    fa = next(d["title"]["fa"] for d in docs if "fa" in d["title"] and len(content_words(d["title"]["fa"])) >= 3)
    en = next(d["title"]["en"] for d in docs if "en" in d["title"] and len(d["title"]["en"].split()) >= 4)
    fa_words = [w for w in fa.split() if content_words(w)]
    en_words = [w for w in en.split() if content_words(w)]
    return {
        # the synthetic titles come from a small vocabulary: a title's first two words match a third or more
        # of the corpus, its last two (a place and a year, say) far fewer, as most real queries do
        "persian two words": " ".join(fa_words[:2]),
        "persian two words, end of a title": " ".join(fa_words[-2:]),
        "english one word": en_words[0],
        "english phrase": '"' + " ".join(en_words[:2]) + '"',
    }


def _distinct_queries(index: Path, count: int = 1000) -> list[str]:
    """Two adjacent Persian words of many titles, each pair once: queries no cache has seen (the server keeps
    128 per process), common and rare ones mixed as real visitors type them."""
    conn = connect(index, read_only=True)
    try:
        rows = conn.execute("SELECT doc FROM docs ORDER BY id").fetchall()
    finally:
        conn.close()
    found: dict[str, None] = {}
    for (doc,) in rows:
        words = [w for w in json.loads(doc)["title"].get("fa", "").split() if content_words(w)]
        for pair in zip(words, words[1:], strict=False):
            found.setdefault(" ".join(pair))
        if len(found) >= count:
            break
    return list(found)[:count]


def _in_process_distinct(index: Path, queries: list[str]) -> dict[str, float]:
    """Each distinct query once, in process, as a server's first sight of it: p50 and p99 over them."""
    conn = connect(index, read_only=True)
    table = facet_table(conn)
    times, hits = [], []
    try:
        for query in queries:
            started = time.perf_counter()
            hits.append(search(conn, query, table=table).total)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    times.sort()
    return {
        "queries": len(queries),
        "median_hits": statistics.median(hits),
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
    }


_ROTATE = """
local queries = {%s}
local threads = 0
function setup(thread)
  thread:set("start", threads * 487)
  threads = threads + 1
end
function init(args)
  i = start or 0
end
function request()
  i = i + 1
  return wrk.format("GET", queries[(i %% #queries) + 1])
end
"""


def _rotating_script(work: Path, paths: list[str]) -> Path:
    """A wrk script asking for each path in turn (each wrk thread from its own place in the list)."""
    script = work / "rotate.lua"
    script.write_text(_ROTATE % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    return script


def _in_process(index: Path, query: str, runs: int = 200) -> dict[str, float]:
    """Latency of ``search`` alone: with the release's query cache as the server keeps it (repeated query),
    and cold (the cache emptied before every run: FTS5, BM25 and facets computed each time)."""
    conn = connect(index, read_only=True)
    table = facet_table(conn)  # as the server keeps it per release
    figures: dict[str, float] = {}
    try:
        for name in ("cold", "cached"):
            times = []
            for _ in range(runs):
                if name == "cold":
                    table.cache.clear()
                started = time.perf_counter()
                figures["hits"] = search(conn, query, table=table).total
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            prefix = "" if name == "cached" else "cold_"
            figures[prefix + "p50_ms"] = round(statistics.median(times), 2)
            figures[prefix + "p99_ms"] = round(times[int(len(times) * 0.99) - 1], 2)
    finally:
        conn.close()
    return figures


def _wrk(url: str, concurrency: int, seconds: int, script: Path | None = None) -> dict[str, Any]:
    from tests.benchmarks.server_bench import _wrk_ms

    extra = ["-s", str(script)] if script else []
    output = subprocess.run(
        ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import re

    def grab(pattern: str) -> str:
        found = re.search(pattern, output)
        return found.group(1) if found else "nan"

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "concurrency": concurrency,
        "requests_s": float(grab(r"Requests/sec:\s+([\d.]+)")),
        "p50_ms": round(_wrk_ms(grab(r"\s50%\s+([\d.]+(?:us|ms|s))")), 2),
        "p99_ms": round(_wrk_ms(grab(r"\s99%\s+([\d.]+(?:us|ms|s))")), 2),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def run(
    work: Path, articles: int, duration: int, rebuild: bool, incremental: bool = True, out_name: str | None = None
) -> dict[str, Any]:
    from tests.server_fixtures import start_server

    corpus, out = work / f"corpus-{articles}", work / (out_name or f"out-{articles}")
    figures: dict[str, Any] = {"articles": articles}
    if not corpus.is_dir():
        generate_corpus(corpus, articles)
    if rebuild and out.exists():
        shutil.rmtree(out)
    if not (out / "current").exists():
        figures["build"] = _build(corpus, out)
    index = out / "current" / INDEX_FILE
    figures["index_bytes"] = index.stat().st_size
    figures["store_bytes"] = sum(p.stat().st_size for p in (out / "current" / "store").rglob("*") if p.is_file())
    queries = _queries(index)
    figures["queries"] = queries
    figures["load_average"] = {"queries": os.getloadavg()}
    figures["in_process"] = {name: _in_process(index, q) for name, q in queries.items()}
    distinct = _distinct_queries(index)
    figures["in_process"]["distinct persian two words, each once"] = _in_process_distinct(index, distinct)
    server = start_server(out, work / "server", {"server": {"workers": 2, "threads": 4}})
    try:
        figures["http"] = {}
        script = _rotating_script(work, ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in distinct])
        # uncached: every request a query the serving process has not kept (1,000 distinct, 128 kept each)
        figures["http"]["distinct persian two words (uncached)"] = [
            _wrk(server.url + "/api/search", c, duration, script) for c in (1, 8)
        ]
        for name, q in queries.items():
            url = server.url + "/api/search?" + urllib.parse.urlencode({"q": q})
            figures["http"][name + " (repeated: cached)"] = [_wrk(url, c, duration) for c in (1, 8)]
        suggest = server.url + "/api/suggest?" + urllib.parse.urlencode({"q": queries["persian two words"][:3]})
        figures["http"]["suggest (3 letters)"] = [_wrk(suggest, c, duration) for c in (1, 8)]
    finally:
        server.stop()
    figures["load_average"]["http"] = os.getloadavg()
    if not incremental:
        return figures
    # an incremental build: one file changed (a word of its first title), the others skipped
    first = sorted(corpus.glob("*.xml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("<title>", "<title>Benchmark ", 1), encoding="utf-8")
    try:
        figures["incremental_build"] = _build(corpus, out)
    finally:
        first.write_text(text, encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--out", help="the build folder's name in WORK_DIR (default out-ARTICLES)")
    parser.add_argument("--no-incremental", action="store_true", help="skip the incremental build")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    figures = run(args.work, args.articles, args.duration, args.rebuild, not args.no_incremental, args.out)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
