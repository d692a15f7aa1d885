"""``kg bench``'s figures of one run: rates per stage, ratios, memory, the targets met, and the printed table.

Split from ``build_bench`` (which runs the stages) so that each stays small; the targets are issue 10's
(mapping speed, build rate, peak memory) and issue 18's (rebuild times; the build against ``oxigraph load``
of its own dump, ``store_load``).
"""

from __future__ import annotations

import os
import platform
from typing import Any

from tests.benchmarks.store_load import load_figures, load_lines

# Targets from the issue that asked for the benchmark.
TARGET_MAP_OVER_PARSE = 0.2
TARGET_BUILD_ARTICLES_PER_S = 150.0
TARGET_PEAK_MB = 1536.0
TARGET_REBUILD_SECONDS = {10_000: 5.0, 50_000: 10.0}  # one new issue of 20 articles (issue 18)


def summarise(
    stages: dict[str, dict],
    articles: int,
    processes: int | None,
    load_before: float | None = None,
    parent_peak_mb: float = 0.0,
) -> dict:
    """The figures of one run: rates per stage, ratios, memory, and which targets were met.

    The load averages are recorded because on a small machine other work skews every rate.
    """
    parse, mapped, built = stages.get("parse", {}), stages.get("map", {}), stages.get("build", {})
    figures: dict[str, Any] = {
        "articles": articles,
        "processes": processes or os.cpu_count(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "stages": stages,
    }
    for stage in stages.values():
        stage["articles_per_s"] = _rate(stage.get("articles", 0), stage["seconds"])
        triples = stage.get("triples")
        if triples:
            stage["triples_per_s"] = _rate(triples, stage["seconds"])
    if parse and mapped:
        figures["map_over_parse"] = _rate(mapped["articles_per_s"], parse["articles_per_s"])
    timings = built.get("timings", {})
    worker = sum(timings.get(k, 0.0) for k in ("read", "map", "validate"))
    if timings.get("validate") and worker:
        # Share of the workers' CPU (reading, mapping, validating) spent in SHACL validation, and share of
        # the whole build's CPU (workers and the main process's store and dumps).
        figures["validation_share"] = timings["validate"] / worker
        total_cpu = built.get("cpu_main", 0.0) + built.get("cpu_workers", 0.0)
        if total_cpu:
            figures["validation_share_of_build_cpu"] = timings["validate"] / total_cpu
    # kg's own peak: the load stage is oxigraph's process, the yardstick, not part of the build
    # measured as the tree's PSS (a forked child's shared pages once; the RSS sum is printed beside it)
    peaks = [s.get("peak_pss_mb", s["peak_tree_mb"]) for name, s in stages.items() if name != "load"]
    figures["peak_mb"] = max(peaks + [parent_peak_mb])
    targets: dict[str, bool] = {}
    if "map_over_parse" in figures:
        targets[f"map >= {TARGET_MAP_OVER_PARSE}x parse"] = figures["map_over_parse"] >= TARGET_MAP_OVER_PARSE
    if built:
        met = built["articles_per_s"] >= TARGET_BUILD_ARTICLES_PER_S
        targets[f"build >= {TARGET_BUILD_ARTICLES_PER_S:.0f} articles/s"] = met
    targets[f"peak < {TARGET_PEAK_MB:.0f} MB"] = figures["peak_mb"] < TARGET_PEAK_MB
    load_figures(figures, targets)
    rebuilt = stages.get("rebuild")
    if rebuilt and built:
        figures["rebuild_over_build"] = rebuilt["seconds"] / built["seconds"]
    if rebuilt and articles in TARGET_REBUILD_SECONDS:
        limit = TARGET_REBUILD_SECONDS[articles]
        targets[f"rebuild after one new issue <= {limit:.0f} s"] = rebuilt["seconds"] <= limit
    figures["targets"] = targets
    return figures


def _cell(text: str, width: int, column: int) -> str:
    return text.ljust(width) if column == 0 else text.rjust(width)


def format_table(figures: dict) -> str:
    """The figures as the plain-text table ``kg bench`` prints."""
    rows = [("stage", "seconds", "articles", "articles/s", "triples/s", "peak MB", "tree MB", "tree PSS MB")]
    for name, s in figures["stages"].items():
        rated = name not in ("rebuild", "load")  # a rebuild's time is not per article: it is mostly the dumps
        rows.append(
            (
                name,
                f"{s['seconds']:.2f}",
                f"{s.get('articles', 0):,}",
                f"{s.get('articles_per_s', 0):,.0f}" if rated else "-",
                f"{s['triples_per_s']:,.0f}" if rated and s.get("triples_per_s") else "-",
                f"{max(s['vmhwm_mb'], s['children_maxrss_mb']):,.0f}",
                f"{s['peak_tree_mb']:,.0f}",
                f"{s.get('peak_pss_mb', 0):,.0f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_cell(c, w, i) for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    built = figures["stages"].get("build", {})
    lines.append("")
    if "map_over_parse" in figures:
        lines.append(f"mapping / parse-only rate: {figures['map_over_parse']:.3f}")
    if built:
        lines.append(
            f"build: {built.get('articles_published', 0):,} published, "
            f"{built.get('articles_quarantined', 0):,} quarantined, "
            f"{built.get('triples', 0):,} triples, {figures['processes']} processes"
        )
        if built.get("timings"):
            parts = ", ".join(f"{k} {v:.1f}s" for k, v in built["timings"].items())
            lines.append(f"build timings: {parts}")
    if built.get("cpu_main") is not None:
        lines.append(
            f"build CPU: main process {built['cpu_main']:.1f}s (store, dumps), "
            f"workers {built.get('cpu_workers', 0.0):.1f}s (read, map, validate)"
        )
    if "validation_share" in figures:
        lines.append(
            f"validation share of the workers' CPU: {figures['validation_share']:.1%}"
            + (
                f", of the whole build's CPU: {figures['validation_share_of_build_cpu']:.1%}"
                if "validation_share_of_build_cpu" in figures
                else ""
            )
        )
    lines += load_lines(figures)
    rebuilt = figures["stages"].get("rebuild")
    if rebuilt:
        kept = " (release kept)" if rebuilt.get("unchanged_release_kept") else ""
        lines.append(
            f"rebuild: nothing changed {rebuilt['unchanged_seconds']:.1f}s{kept}; "
            f"one new issue of {rebuilt.get('articles_read', 0)} articles {rebuilt['seconds']:.1f}s "
            f"({rebuilt.get('files_unchanged', 0):,} files not read again, "
            f"dumps {rebuilt.get('timings', {}).get('dumps', 0):.1f}s, of it the changed dump parts and default graph "
            f"{rebuilt.get('timings', {}).get('dump_parts', 0):.1f}s; "
            f"{rebuilt.get('dump_parts_rewritten', 0)} of {rebuilt.get('dump_parts', 0)} dump parts rewritten)"
            + (f"; {figures['rebuild_over_build']:.3f}x the full build" if "rebuild_over_build" in figures else "")
        )
    lines.append(f"peak memory of the run (largest kg stage, its process tree's PSS): {figures['peak_mb']:,.0f} MB")
    if figures.get("load_average_before") is not None:
        lines.append(
            f"load average before/after: {figures['load_average_before']:.1f} / "
            f"{figures['load_average_after']:.1f} on {figures['cpus']} CPUs"
        )
    for target, met in figures["targets"].items():
        lines.append(f"target {target}: {'met' if met else 'MISSED'}")
    return "\n".join(lines)


def _rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0
