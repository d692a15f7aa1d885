"""``python -m tests.benchmarks.remote_bench DIR``: kg publish and kg serve --store, measured in one run.

Over the release in ``DIR`` (a ``kg build`` output folder), one after the other on one machine:

1. **load**: ``oxigraph load`` of the release's N-Quads dump (the named graphs) and N-Triples dump (the merged
   default graph, as ``kg publish`` writes it) into a fresh store (the fastest way in), statements/s;
2. **publish**: ``kg publish DIR --to`` a fresh ``oxigraph serve`` per ``--methods`` entry (``nquads``: batches
   of ``--batch`` graphs in one N-Quads POST, ``nquads+bulk`` the same with ``--bulk``; ``update``: SPARQL
   Update batches; ``gsp``: a PUT per graph), ``--connections`` at a time, quads/s; the ratio to the load is
   the figure to keep (target: 0.5x);
3. **serve**: ``kg serve DIR`` (embedded store) and ``kg serve --store`` over an Oxigraph server (on the
   loaded store: the same statements), reading the store's default graph (``store.default_graph = "store"``)
   and, with ``--union``, the union of its named graphs as before the merged graph was published, each with
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


def start_front(
    out_dir: Path, work: Path, store: str | None, cache: bool, default_graph: str = "auto"
) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    config = work / f"front-{port}.toml"
    text = "[server]\nworkers = 2\nthreads = 8\n[sparql]\nquery_processes = 2\n"
    text += "" if cache else "cache_bytes = 0\n"
    text += f'[store]\nurl = "{store}"\ndefault_graph = "{default_graph}"\n' if store else ""
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
    union: bool = False,
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="kg-remote-bench-"))
    dump = out_dir / "current" / "dumps" / "kg.nq.gz"
    quads = sum(1 for _ in gzip.open(dump, "rb"))
    triples = sum(1 for _ in gzip.open(dump.with_name("kg.nt.gz"), "rb"))  # the merged graph, once per part
    statements = quads + triples
    report: dict[str, Any] = {"quads": quads, "triples": triples, "connections": connections}
    report["concurrency"] = concurrency
    try:
        plain, merged = work / "kg.nq", work / "kg.nt"
        for source_path, target_path in ((dump, plain), (dump.with_name("kg.nt.gz"), merged)):
            with gzip.open(source_path, "rb") as source, open(target_path, "wb") as target:
                shutil.copyfileobj(source, target)
        binary = str(Path(sys.executable).parent / "oxigraph")
        started = time.perf_counter()
        # both files, in parallel: the N-Quads into their graphs, the N-Triples into the default graph
        command = [binary, "load", "--location", str(work / "loaded"), "--file", str(plain), str(merged)]
        subprocess.run(command, check=True)
        load = time.perf_counter() - started
        report["oxigraph_load"] = {"seconds": load, "statements_per_s": statements / load}
        say(f"oxigraph load: {quads} quads + {triples} triples in {load:.1f} s ({statements / load:,.0f} /s)")

        for method in methods if with_publish else ():
            target_store = oxigraph_engine(work / f"published-{method}").start()
            url = target_store.update_url if method == "update" else target_store.gsp_url
            options = PublishOptions(
                target=url, method=method.split("+")[0], connections=connections, batch=batch, bulk="+bulk" in method
            )
            try:
                shutil.rmtree(out_dir / "published", ignore_errors=True)  # a first publish: everything is sent
                sent = publish(out_dir, options)
                held = _count(target_store.query_url, "GRAPH ?g { ?s ?p ?o }")  # after the clock: what it holds
                default = _count(target_store.query_url, "?s ?p ?o")
                say(f"--method {method}: the store holds {held} quads (the dump: {quads}), {default} triples in its")
                say(f"default graph (the merged graph: {count_distinct(merged)} distinct triples)")
            finally:
                target_store.stop()
                shutil.rmtree(work / f"published-{method}", ignore_errors=True)
            rate = (sent.triples + sent.default_added) / sent.seconds  # lines sent, as the load's lines read
            figures = {"seconds": sent.seconds, "statements_per_s": rate, "graphs": sent.sent}
            figures["requests"] = sent.requests
            report[f"publish {method}"] = {**figures, "vs_load": rate / (statements / load)}
            say(f"kg publish --method {method}: {sent.summary()}; {rate / (statements / load):.2f}x oxigraph load")
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
            fronts = [("embedded", None, "auto"), ("store", engine.query_url, "store")]
            if union:
                fronts.append(("store, union", engine.query_url, "union"))
            for cache in (True, False):
                for name, store, default_graph in fronts:
                    url, process = start_front(out_dir, work, store, cache, default_graph)
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


def count_distinct(path: Path) -> int:
    with open(path, "rb") as lines:
        return len(set(lines))


def _count(query_url: str, pattern: str) -> int:
    import requests

    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
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
    parser.add_argument("--union", action="store_true", help="also a front end over the union of the named graphs")
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
        union=args.union,
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
