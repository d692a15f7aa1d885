"""Memory of a benchmark stage: its own high-water mark and the summed RSS and PSS of its process tree, from /proc.

Used by ``build_bench`` (each stage in a child process, sampled by the parent) and the server load test.
"""

from __future__ import annotations

import os
import time

LIST_SECONDS = 1.0  # how often the sampler lists the tree's processes again
PSS_SECONDS = 5.0  # how often it sums the tree's PSS (a page-table walk per process: too dear every tick)


def vmhwm_mb(pid: int) -> float:
    return _status_kb(pid, "VmHWM:") / 1024


def _status_kb(pid: int, key: str, file: str = "status") -> float:
    """The kB figure on the line starting with ``key`` of ``/proc/<pid>/<file>`` (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(key):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def _rss_kb(pid: int) -> float:
    """Resident set size of one process from ``/proc/<pid>/statm`` (cheap: no page-table walk)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0.0


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


def _descendants(pid: int) -> list[int]:
    """The process and all its descendants, from the parent ids in ``/proc/*/stat``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def tree_memory_mb(pid: int) -> float:
    """Memory of a process tree now: the sum of its processes' RSS, in MiB.

    An upper bound: pages a forked worker still shares with its parent are counted in both. PSS would
    be exact, but reading ``smaps_rollup`` walks page tables and costs tens of milliseconds per large
    process, which on a two-core machine would slow down the very stage being measured.
    """
    return sum(_rss_kb(p) for p in _descendants(pid)) / 1024


def _pss_kb(pid: int) -> float:
    """Proportional set size of one process (``/proc/<pid>/smaps_rollup``): a page shared by n processes
    counts 1/n in each, so the tree's sum is the memory it occupies."""
    return _status_kb(pid, "Pss:", "smaps_rollup")


class TreeSampler:
    """Samples a stage's process-tree memory: RSS every tick, the list of processes once a second, and the
    tree's PSS every ``PSS_SECONDS`` into ``peak_pss_mb``.

    The RSS sum is an upper bound: a child forked from the build (its workers, the steps beside its main
    process) shares most of its pages with it, and each is counted in both. The PSS sum counts them once.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.pids = [pid]
        self.listed = float("-inf")
        self.pss_at = float("-inf")
        self.peak_pss_mb = 0.0

    def sample(self) -> float:
        now = time.monotonic()
        if now - self.listed >= LIST_SECONDS:
            self.pids, self.listed = _descendants(self.pid), now
        if now - self.pss_at >= PSS_SECONDS:
            self.pss_at = now
            self.peak_pss_mb = max(self.peak_pss_mb, sum(_pss_kb(p) for p in self.pids) / 1024)
        return sum(_rss_kb(p) for p in self.pids) / 1024
