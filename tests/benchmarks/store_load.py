"""``kg bench``'s yardstick for the build: ``oxigraph load`` of the build's own N-Quads dump, in the same run.

Issue 18 asks that a full build (reading, mapping, validating, the store, the default graph and the dumps)
take at most ``TARGET_BUILD_OVER_LOAD`` times what the store's own bulk loader needs to load what that build
published. Rates on this shared machine move by 2x from run to run, so the two are measured in one run, one
after the other: the ratio holds where absolute figures do not.

The dump is decompressed first (not timed), so that ``oxigraph load`` reads plain N-Quads as fast as it can:
the yardstick is the loader alone. The binary is the ``oxigraph`` CLI of the test extras, beside the running
Python; without it the stage is skipped and says so.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_BUILD_OVER_LOAD = 2.0


def oxigraph_binary() -> Path | None:
    """The ``oxigraph`` CLI installed beside this Python (the test extras), or one on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def stage_store_load(out: str) -> dict[str, Any]:
    """``oxigraph load`` of ``out``'s current N-Quads dump into a fresh store: seconds and quads."""
    binary = oxigraph_binary()
    dump = Path(out) / "current" / "dumps" / "kg.nq.gz"
    if binary is None:
        return {"seconds": 0.0, "skipped": "no oxigraph CLI (install the test extras)"}
    work = Path(out).parent / "oxigraph-load"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        plain = work / "kg.nq"
        quads = 0
        with gzip.open(dump, "rb") as source, open(plain, "wb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                quads += block.count(b"\n")
                target.write(block)
        started = time.perf_counter()
        subprocess.run(
            [str(binary), "load", "--location", str(work / "store"), "--file", str(plain)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": seconds, "quads": quads, "triples": quads, "dump_bytes": dump.stat().st_size}


def load_figures(figures: dict[str, Any], targets: dict[str, bool]) -> None:
    """The build against ``oxigraph load`` of its dump, into ``figures`` and ``targets`` (``summarise``)."""
    built, loaded = figures["stages"].get("build"), figures["stages"].get("load")
    if not built or not loaded or not loaded.get("seconds"):
        return
    figures["build_over_load"] = built["seconds"] / loaded["seconds"]
    targets[f"build <= {TARGET_BUILD_OVER_LOAD:g}x oxigraph load of its dump"] = (
        figures["build_over_load"] <= TARGET_BUILD_OVER_LOAD
    )


def load_lines(figures: dict[str, Any]) -> list[str]:
    """What ``kg bench`` prints of it: both times and their ratio, with the target."""
    loaded = figures["stages"].get("load")
    if not loaded:
        return []
    if loaded.get("skipped"):
        return [f"oxigraph load: skipped ({loaded['skipped']})"]
    built = figures["stages"]["build"]
    return [
        f"full build {built['seconds']:.1f}s against oxigraph load of its own N-Quads dump "
        f"({loaded['quads']:,} quads) {loaded['seconds']:.1f}s: {figures['build_over_load']:.2f}x "
        f"(target <= {TARGET_BUILD_OVER_LOAD:g}x)"
    ]
