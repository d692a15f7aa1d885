"""``python -m tests.benchmarks.server_bench`` runs end to end on a small release and reports every figure and target.

Short runs with the Python client (wrk may not be installed); rdflib-endpoint is skipped with a note here
because the test release has no dumps, which is the path a machine without rdflib-endpoint takes too.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.server_bench import KG, KG_UNCACHED, OXIGRAPH, RDFLIB, Options, run, table

pytest_plugins = ["tests.server_fixtures"]


def test_bench_measures_every_server_query_and_level(sparql_release: Path) -> None:
    options = Options(levels=[1, 2], seconds=0.5, repeat=1, client="python", threads=4)
    report = run(sparql_release, options)
    figures = report["figures"]
    servers = {f["server"] for f in figures}
    assert {KG, KG_UNCACHED} <= servers
    expected = len(servers) * 2 * 2  # servers x queries x levels
    assert len(figures) == expected
    for figure in figures:
        assert figure["errors"] == 0, figure
        assert figure["requests"] > 0 and figure["rps"] > 0 and figure["p50_ms"] > 0
        assert figure["rows"] == next(f["rows"] for f in figures if f["query"] == figure["query"])  # same data
    assert any(RDFLIB in note for note in report["notes"])
    whats = [t["what"] for t in report["targets"]]
    assert any("article lookup p50, kg serve, c=2" in w for w in whats)
    if OXIGRAPH in servers:
        assert any(f"kg / {OXIGRAPH}" in w for w in whats)
    text = table(report)
    assert "article lookup" in text and "keyword search" in text and "target" in text
    json.dumps(report)  # what --json writes
