"""What merging costs: the synthetic corpus built with its PubMed rendering, every article merged.

``python -m tests.benchmarks.merge_bench [--articles N]`` renders the synthetic journal-export corpus in the
PubMed format (``reader_bench.to_pubmed``), then builds, each into a fresh folder and in one run: the
journal exports alone, the PubMed files alone, and both together (each article's PubMed copy merged into
its journal-export copy, ``kg.publish.merge``). It prints the wall times, the merge step's own time (the
report's ``"merged"`` section) and the ratio of the merged build to the two separate ones. Ratios within
one run only: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from kg.build import BuildOptions, build
from tests.benchmarks.reader_bench import make_corpora


def _build(inputs: list[Path], out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    result = build(inputs, out, BuildOptions(secret=b"merge-bench", progress=False))
    seconds = time.perf_counter() - started
    assert result.exit_code in (0, 1), result.summary
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return seconds, report


def run(articles: int, seed: int, workdir: Path) -> dict:
    journal, pubmed = make_corpora(workdir, articles, seed)
    alone_journal, _ = _build([workdir / "journal"], workdir / "out-journal")
    alone_pubmed, _ = _build([workdir / "pubmed"], workdir / "out-pubmed")
    together, report = _build([workdir / "journal", workdir / "pubmed"], workdir / "out-both")
    merged = report["merged"]
    return {
        "files": len(journal) + len(pubmed),
        "articles_merged": report["totals"]["articles_merged"],
        "disagreements": merged["disagreements"],
        "seconds": {
            "journal_alone": round(alone_journal, 2),
            "pubmed_alone": round(alone_pubmed, 2),
            "both_merged": round(together, 2),
            "merge_step": merged["seconds"],
        },
        "ratio_merged_to_separate": round(together / (alone_journal + alone_pubmed), 3),
        "merge_step_share": round(merged["seconds"] / together, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.merge_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-merge-"))
    try:
        print(json.dumps(run(args.articles, args.seed, workdir), indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
