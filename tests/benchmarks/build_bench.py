"""``kg bench``: how fast the build is, stage by stage, on a synthetic corpus of N articles.

One run generates a corpus (``tests.benchmarks.synthetic``) and then measures, over the same files:

- **parse**: lxml parses every file and counts its articles. Nothing can read the exports faster, so this
  is the ceiling the other figures are compared with.
- **map**: ``kg.pipeline.map_file`` on every file in one process (read, clean, map, serialise to N-Quads
  bytes; no store, no validation). Its rate over the parse rate says how much the Python side costs.
- **build**: the real ``kg.build.build`` into a fresh output folder (worker pool, validation, store, dumps,
  report), with ``--processes`` workers.
- **load**: ``oxigraph load`` of the build's own N-Quads dump into a fresh store, right after the build
  (``tests.benchmarks.store_load``): the yardstick of issue 18's target for the build's time.
- **rebuild**: two more builds over that folder, as a nightly job would run them: with nothing changed
  (the current release stays), then with one more issue export of ``REBUILD_ARTICLES`` articles (only that
  file is read; the dumps are written again).

Each stage runs in its own spawned child process, so that one stage's memory does not inflate the next
one's peak: the child reports its own high-water mark (``VmHWM``) and that of its waited-for children, and
the parent samples the summed RSS of the child's whole process tree ten times a second, which is what the
stage needs with a worker pool (an upper bound: pages shared by forked workers are counted twice).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.build_report import format_table, summarise
from tests.benchmarks.memory import TreeSampler as _TreeSampler
from tests.benchmarks.memory import tree_memory_mb as tree_memory_mb  # re-exported: load.py, tests
from tests.benchmarks.memory import vmhwm_mb as _vmhwm_mb
from tests.benchmarks.store_load import stage_store_load

log = logging.getLogger(__name__)

BENCH_SECRET = b"kg-bench-secret-not-for-production"
BENCH_BASE = "https://kg.example.org"
SAMPLE_SECONDS = 0.1
TIMELINE_SECONDS = 1.0


# ---------------------------------------------------------------------------------------------- stages
# Each stage runs in a child process and returns a plain dict (it crosses a pipe).


def stage_generate(corpus: str, articles: int, seed: int, articles_per_file: int | None) -> dict:
    """Write the synthetic corpus; timed so that the report shows how much of a run is set-up."""
    from tests.benchmarks.synthetic import generate_corpus

    t0 = time.perf_counter()
    paths = generate_corpus(Path(corpus), articles, seed=seed, articles_per_file=articles_per_file)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "files": len(paths),
        "articles": articles,
        "bytes": sum(p.stat().st_size for p in paths),
    }


def stage_parse(corpus: str) -> dict:
    """Parse every file with lxml and count articles: the ceiling for any reader of this format."""
    from lxml import etree

    paths = _corpus_files(Path(corpus))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    t0 = time.perf_counter()
    articles = size = 0
    for path in paths:
        data = path.read_bytes()
        size += len(data)
        root = etree.fromstring(data, parser)
        articles += len(root.findall("articleset/article"))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "files": len(paths), "articles": articles, "bytes": size}


def stage_map(corpus: str, profile: str | None = None) -> dict:
    """Read, clean, map and serialise every file in this one process, with no store and no validation."""
    from kg.iris import Minter
    from kg.pipeline import map_file

    paths = _corpus_files(Path(corpus))
    options = _options(processes=1, validate=False)
    minter = Minter(options.base)  # one per process, as the build's workers do
    profiler = _start_profile(profile)
    t0 = time.perf_counter()
    articles = triples = nquads_bytes = failed = 0
    for path in paths:
        result = map_file(path, options, minter)
        a, t, b = _file_result_counts(result)
        articles, triples, nquads_bytes = articles + a, triples + t, nquads_bytes + b
        failed += 0 if a else 1
    seconds = time.perf_counter() - t0
    _stop_profile(profiler, profile)
    return {
        "seconds": seconds,
        "files": len(paths),
        "articles": articles,
        "triples": triples,
        "nquads_bytes": nquads_bytes,
        "files_without_articles": failed,
    }


def stage_build(
    corpus: str, out: str, processes: int | None, validate: bool = True, profile: str | None = None
) -> dict:
    """The real build into a fresh folder; counts and per-stage timings come from its report."""
    from kg.build import build

    out_dir = Path(out)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    options = _options(processes=processes, validate=validate)
    profiler = _start_profile(profile)
    t0 = time.perf_counter()
    main_before, workers_before = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(resource.RUSAGE_CHILDREN)
    report = build([Path(corpus)], out_dir, options)
    seconds = time.perf_counter() - t0
    _stop_profile(profiler, profile)
    figures = _report_figures(report)
    figures["seconds"] = seconds
    # CPU seconds of the build's main process (store, dumps) and of its worker processes, which the pool
    # has joined by now: their sum is what the run cost the machine, whatever the load.
    figures["cpu_main"] = _cpu_seconds(resource.RUSAGE_SELF) - main_before
    figures["cpu_workers"] = _cpu_seconds(resource.RUSAGE_CHILDREN) - workers_before
    figures["out_bytes"] = _tree_size(out_dir)
    return figures


def stage_rebuild(corpus: str, out: str, processes: int | None, validate: bool = True) -> dict:
    """Rebuild the ``build`` stage's folder: unchanged, then with one new issue file beside the corpus."""
    from kg.build import build
    from tests.benchmarks.synthetic import generate_corpus

    options = _options(processes=processes, validate=validate)
    t0 = time.perf_counter()
    unchanged = build([Path(corpus)], Path(out), options)
    unchanged_seconds = time.perf_counter() - t0
    extra = Path(out).parent / "new-issue"
    if extra.exists():
        shutil.rmtree(extra)
    generate_corpus(extra, REBUILD_ARTICLES, seed=REBUILD_SEED, articles_per_file=REBUILD_ARTICLES)
    t0 = time.perf_counter()
    report = build([Path(corpus), extra], Path(out), options)
    seconds = time.perf_counter() - t0
    figures = _report_figures(report)
    figures.update(
        seconds=seconds,
        unchanged_seconds=unchanged_seconds,
        files_unchanged=report.totals.files_unchanged,
        unchanged_exit_code=unchanged.exit_code,
        unchanged_release_kept=unchanged.summary[0].startswith("nothing changed"),
        dump_parts_rewritten=len(_rewritten_parts(report)),
        dump_parts=len(list((Path(out) / "dump-parts").glob("*.nq.gz"))),
    )
    return figures


def _rewritten_parts(report: Any) -> list[str]:
    """The dump parts a build rewrote, as its report.json says (kg.publish.dump_parts)."""
    if report.report_path is None:
        return []
    return list(json.loads(Path(report.report_path).read_text(encoding="utf-8")).get("dump_parts_rewritten", []))


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


STAGES: dict[str, Callable[..., dict]] = {
    "generate": stage_generate,
    "parse": stage_parse,
    "map": stage_map,
    "build": stage_build,
    "load": stage_store_load,
    "rebuild": stage_rebuild,
}
REBUILD_ARTICLES = 20  # one issue
REBUILD_SEED = 7919  # another corpus seed: new articles, recurring people and keywords


# ------------------------------------------------------------------------------------ adapters to kg.build


def _options(processes: int | None, validate: bool = True) -> Any:
    from kg.build import BuildOptions

    return BuildOptions(base=BENCH_BASE, secret=BENCH_SECRET, processes=processes, validate=validate, progress=False)


def _file_result_counts(result: Any) -> tuple[int, int, int]:
    """(articles, triples, N-Quads bytes) of one ``kg.pipeline.FileResult``."""
    return (len(result.articles), sum(a.quads for a in result.articles), sum(len(a.nquads) for a in result.articles))


def _report_figures(report: Any) -> dict:
    """Counts and timings of a ``kg.build.BuildReport`` as a flat dict.

    ``read``, ``map`` and ``validate`` are CPU seconds summed over the worker processes; ``store``,
    ``dumps`` and ``default_graph`` are wall time in the main process.
    """
    totals = report.totals.as_dict()
    figures: dict[str, Any] = {k: v for k, v in totals.items() if isinstance(v, int)}
    figures["problems"] = totals.get("problems", {})
    figures["articles"] = totals.get("articles_read", 0)  # published + quarantined + superseded
    figures["triples"] = totals.get("quads", 0)
    figures["exit_code"] = report.exit_code
    figures["timings"] = {k: float(v) for k, v in report.seconds.items()}
    figures["dumps"] = [d.as_dict() for d in report.dumps]
    return figures


# ------------------------------------------------------------------------------- child processes, memory


def _child(name: str, kwargs: dict, conn: Any) -> None:
    """Entry point of a stage's child process: run it, add the memory high-water marks, send it back."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        result = STAGES[name](**kwargs)
        result["vmhwm_mb"] = _vmhwm_mb(os.getpid())
        # ru_maxrss is in KiB on Linux: the largest of this stage's waited-for children (pool workers).
        result["children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        conn.send(("ok", result))
    except BaseException as error:  # report any failure to the parent instead of dying silently
        import traceback

        conn.send(("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def run_stage(name: str, **kwargs: Any) -> dict:
    """Run one stage in a fresh spawned process while sampling its process tree's memory.

    Spawn (not fork) so the child starts from a clean interpreter: its peak is its own, not the parent's.
    """
    from tests.benchmarks import build_bench as bench  # the module, not __main__: spawned children import it

    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=bench._child, args=(name, kwargs, sender), name=f"kg-bench-{name}")
    t0 = time.perf_counter()
    process.start()
    sender.close()
    peak_tree = 0.0
    timeline: list[tuple[float, float]] = []  # (seconds since start, tree MB), at most one a second
    sampler: _TreeSampler | None = None
    message: tuple[str, Any] | None = None
    while True:
        if message is None and receiver.poll(SAMPLE_SECONDS):
            try:
                message = receiver.recv()
            except EOFError:
                message = ("error", "the stage process ended without a result")
        if process.pid is not None:
            sampler = sampler or _TreeSampler(process.pid)
            now = sampler.sample()
            peak_tree = max(peak_tree, now)
            elapsed = time.perf_counter() - t0
            if not timeline or elapsed - timeline[-1][0] >= TIMELINE_SECONDS:
                timeline.append((round(elapsed, 1), round(now, 1)))
        if message is not None or not process.is_alive():
            break
    process.join()
    wall = time.perf_counter() - t0
    if message is None:
        message = ("error", f"the stage process exited with code {process.exitcode}")
    status, payload = message
    if status != "ok":
        raise RuntimeError(f"stage {name} failed: {payload}")
    payload["wall_seconds"] = wall
    payload["memory_timeline"] = timeline
    payload["peak_tree_mb"] = max(peak_tree, payload["vmhwm_mb"], payload["children_maxrss_mb"])
    # what the tree occupies (shared pages once), never below the largest single process's high-water mark
    pss = sampler.peak_pss_mb if sampler is not None else 0.0
    payload["peak_pss_mb"] = max(pss, payload["vmhwm_mb"], payload["children_maxrss_mb"])
    return payload


# ---------------------------------------------------------------------------------------------- helpers


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.xml"))


def _tree_size(path: Path) -> int:
    """Bytes on disk under ``path``, counting each inode once (a release store hard-links its files)."""
    sizes: dict[tuple[int, int], int] = {}
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            sizes[(st.st_dev, st.st_ino)] = st.st_size
    return sum(sizes.values())


def _start_profile(target: str | None) -> Any:
    if not target:
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _stop_profile(profiler: Any, target: str | None) -> None:
    if profiler is not None and target:
        profiler.disable()
        profiler.dump_stats(target)


# --------------------------------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg bench",
        description="Measure parse-only, mapping and full-build throughput and memory on a synthetic corpus.",
    )
    parser.add_argument("--articles", type=int, default=1000, help="articles to generate (default 1000)")
    parser.add_argument("--workdir", type=Path, help="corpus and build go here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    parser.add_argument("--processes", type=int, help="build worker processes (default: the build's default)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--articles-per-file", type=int, help="fixed issue size instead of the realistic mix")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--stages",
        default="parse,map,build,rebuild",
        help="which measured stages to run, comma-separated (default parse,map,build,rebuild)",
    )
    parser.add_argument(
        "--profile", type=Path, help="write cProfile stats of the map and build stages to DIR/<stage>.prof"
    )
    parser.add_argument("--no-validate", action="store_true", help="build without SHACL validation")
    parser.add_argument("--check", action="store_true", help="exit with status 3 if a target is missed")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 on success, 2 on a bad argument, 1 when a stage fails, 3 on a missed target."""
    if argv and argv[0] == "--":  # `kg bench -- --articles N`, as argparse REMAINDER may pass it on
        argv = argv[1:]
    if argv and argv[0] == "readers":  # `kg bench readers`: the PubMed reader against the journal export's
        from tests.benchmarks.reader_bench import main as readers_main

        return readers_main(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.articles < 1:
        log.error("--articles must be at least 1")
        return 2
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STAGES or s in ("generate", "load")]
    if unknown:
        log.error("unknown stage(s): %s", ", ".join(unknown))
        return 2
    if "rebuild" in wanted and "build" not in wanted:
        log.error("the rebuild stage rebuilds what the build stage built: give both")
        return 2
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-")) if temporary else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    corpus, out = workdir / "corpus", workdir / "out"
    if corpus.exists():
        shutil.rmtree(corpus)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    stages: dict[str, dict] = {}
    load_before = os.getloadavg()[0]
    try:
        plan: list[tuple[str, dict]] = [
            (
                "generate",
                {
                    "corpus": str(corpus),
                    "articles": args.articles,
                    "seed": args.seed,
                    "articles_per_file": args.articles_per_file,
                },
            )
        ]
        profile = {s: str(args.profile / f"{s}.prof") if args.profile else None for s in ("map", "build")}
        kwargs = {
            "parse": {"corpus": str(corpus)},
            "map": {"corpus": str(corpus), "profile": profile["map"]},
            "build": {
                "corpus": str(corpus),
                "out": str(out),
                "processes": args.processes,
                "validate": not args.no_validate,
                "profile": profile["build"],
            },
            "load": {"out": str(out)},  # after the build, in the same run: its dump, oxigraph load
            "rebuild": {
                "corpus": str(corpus),
                "out": str(out),
                "processes": args.processes,
                "validate": not args.no_validate,
            },
        }
        wanted += ["load"] if "build" in wanted else []
        plan += [(s, kwargs[s]) for s in ("parse", "map", "build", "load", "rebuild") if s in wanted]
        for name, stage_kwargs in plan:
            log.info("bench: %s ...", name)
            stages[name] = run_stage(name, **stage_kwargs)
            log.info("bench: %s done in %.1f s", name, stages[name]["seconds"])
    except RuntimeError as error:
        log.error("%s", error)
        return 1
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep or not temporary:
            log.info("bench: work directory kept at %s", workdir)
    figures = summarise(stages, args.articles, args.processes, load_before, _vmhwm_mb(os.getpid()))
    print(format_table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.check and not all(figures["targets"].values()):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
