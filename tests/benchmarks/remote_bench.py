"""``python -m tests.benchmarks.remote_bench DIR``: kg publish and kg serve --store, measured in one run.

Over the release in ``DIR`` (a ``kg build`` output folder), one after the other on one machine:

1. **load**: ``oxigraph load`` of the release's N-Quads dump into a fresh store (the fastest way in), quads/s;
2. **publish**: ``kg publish DIR --to`` a fresh ``oxigraph serve`` per ``--methods`` entry (``nquads``: batches
   of ``--batch`` graphs in one N-Quads POST, ``nquads+bulk`` the same with ``--bulk``; ``update``: SPARQL
   Update batches; ``gsp``: a PUT per graph), ``--connections`` at a time, quads/s; the ratio to the load is
   the figure to keep (target: 0.5x);
3. **serve**: ``kg serve DIR`` (embedded store) and ``kg serve --store`` over an Oxigraph server (on the
   loaded store: the same quads), each with
   ``wrk`` at ``--concurrency`` connections for ``--duration`` seconds: an article lookup (one SPARQL
   query), the article's linked-data document (Turtle) and its page (HTML, several queries), with the
   result cache on (as deployed) and off.

Prints a table and, with ``--json FILE``, writes the figures. Needs ``wrk`` and the ``oxigraph`` package.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from kg.publish.remote import PublishOptions, publish
from tests.benchmarks.server_bench import LOOKUP, _free_port, _stop, _wait, _wrk_ms
from tests.remote_stores import oxigraph_engine


def wrk(url: str, accept: str, concurrency: int, seconds: float) -> dict[str, Any]:
    output = subprocess.run(
        ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout=30s"]
        + ["--latency", "-H", f"Accept: {accept}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p50 = re.search(r"\s50%\s+([\d.]+(?:us|ms|s))", output)
    p99 = re.search(r"\s99%\s+([\d.]+(?:us|ms|s))", output)
    return {
        "requests": count,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _wrk_ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _wrk_ms(p99.group(1)) if p99 else float("nan"),
    }


def start_front(out_dir: Path, work: Path, store: str | None, cache: bool) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    config = work / f"front-{port}.toml"
    text = "[server]\nworkers = 2\nthreads = 8\n[sparql]\nquery_processes = 2\n"
    text += "" if cache else "cache_bytes = 0\n"
    text += f'[store]\nurl = "{store}"\n' if store else ""
    config.write_text(text, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.server.serve", str(out_dir), "--port", str(port), "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/sparql", process, 120)
    return url, process


def run(
    out_dir: Path,
    connections: int,
    concurrency: int,
    duration: float,
    with_publish: bool = True,
    say: Any = print,
    methods: tuple[str, ...] = ("nquads", "update", "gsp"),
    batch: int = 50,
    with_serve: bool = True,
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="kg-remote-bench-"))
    dump = out_dir / "current" / "dumps" / "kg.nq.gz"
    quads = sum(1 for _ in gzip.open(dump, "rb"))
    report: dict[str, Any] = {"quads": quads, "connections": connections, "concurrency": concurrency}
    try:
        plain = work / "kg.nq"
        with gzip.open(dump, "rb") as source, open(plain, "wb") as target:
            shutil.copyfileobj(source, target)
        binary = str(Path(sys.executable).parent / "oxigraph")
        started = time.perf_counter()
        subprocess.run([binary, "load", "--location", str(work / "loaded"), "--file", str(plain)], check=True)
        load = time.perf_counter() - started
        report["oxigraph_load"] = {"seconds": load, "quads_per_s": quads / load}
        say(f"oxigraph load: {quads} quads in {load:.1f} s ({quads / load:,.0f} quads/s)")

        for method in methods if with_publish else ():
            target_store = oxigraph_engine(work / f"published-{method}").start()
            url = target_store.update_url if method == "update" else target_store.gsp_url
            options = PublishOptions(
                target=url, method=method.split("+")[0], connections=connections, batch=batch, bulk="+bulk" in method
            )
            try:
                shutil.rmtree(out_dir / "published", ignore_errors=True)  # a first publish: everything is sent
                sent = publish(out_dir, options)
                held = _count_quads(target_store.query_url)  # after the clock: what the store holds
                say(f"--method {method}: the store holds {held} quads, the dump has {quads} lines")
            finally:
                target_store.stop()
                shutil.rmtree(work / f"published-{method}", ignore_errors=True)
            rate = sent.triples / sent.seconds
            figures = {"seconds": sent.seconds, "quads_per_s": rate, "graphs": sent.sent, "requests": sent.requests}
            report[f"publish {method}"] = {**figures, "vs_load": rate / (quads / load)}
            say(f"kg publish --method {method}: {sent.summary()}; {rate / (quads / load):.2f}x oxigraph load")
        if not with_serve:
            return report

        # the front ends' store: the loaded one (the quads a publish sends; it saves a second load)
        engine = oxigraph_engine(work / "served")
        engine.command[engine.command.index("--location") + 1] = str(work / "loaded")
        engine.start()
        try:
            article = _first_article(engine.query_url)
            page = "/en/doc" + urllib.parse.urlsplit(article).path[3:]
            lookup = "/sparql?" + urllib.parse.urlencode({"query": LOOKUP.format(article=article)})
            for cache in (True, False):
                for name, store in (("embedded", None), ("store", engine.query_url)):
                    url, process = start_front(out_dir, work, store, cache)
                    try:
                        for what, path, accept in (
                            ("lookup", lookup, "application/sparql-results+json"),
                            ("article document", "/doc" + page[len("/en/doc") :], "text/turtle"),
                            ("article page", page, "text/html"),
                        ):
                            wrk(url + path, accept, concurrency, 1)  # warm up
                            figure = wrk(url + path, accept, concurrency, duration)
                            key = f"{what} | {name} | cache {'on' if cache else 'off'}"
                            report[key] = figure
                            say(f"{key}: {figure}")
                    finally:
                        _stop(process)
        finally:
            engine.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _count_quads(query_url: str) -> int:
    import requests

    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.post(query_url, data={"query": query}, headers={"Accept": "text/csv"}, timeout=600)
    return int(answer.text.split()[-1])


def _first_article(query_url: str) -> str:
    import requests

    answer = requests.post(
        query_url,
        data={"query": "SELECT ?a WHERE { GRAPH ?g { ?a a <http://schema.org/ScholarlyArticle> } } LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return str(answer.json()["results"]["bindings"][0]["a"]["value"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.remote_bench", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--connections", type=int, default=4, help="kg publish --connections (default 4)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-publish", action="store_true", help="only the load and the front ends")
    parser.add_argument("--no-serve", action="store_true", help="only the load and the publishes")
    parser.add_argument("--methods", default="nquads,update,gsp", help="kg publish methods to measure, in order")
    parser.add_argument("--batch", type=int, default=50, help="kg publish --batch (default 50)")
    args = parser.parse_args(argv)
    methods = tuple(m for m in args.methods.split(",") if m)
    report = run(
        args.out_dir,
        args.connections,
        args.concurrency,
        args.duration,
        not args.no_publish,
        methods=methods,
        batch=args.batch,
        with_serve=not args.no_serve,
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
