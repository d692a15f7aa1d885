"""The memory ceiling of a query process: how much there is, how much each query may use, and the limit itself.

A SPARQL query can ask for any amount of memory (``ORDER BY`` over a cross product sorts billions of rows in
memory) and grows faster than a time limit can stop it: on a 10,000-article build one such query took a
24 GB machine's whole memory within 30 s. So each query process runs under a ceiling that the kernel
enforces, set with ``setrlimit`` in the process before it opens the store (:func:`apply_ceiling`); no
polling, nothing for a busy machine to delay.

Which limit: ``RLIMIT_DATA``, not ``RLIMIT_AS``. Since Linux 4.7, RLIMIT_DATA bounds the private writable
memory of a process: heap, anonymous mappings, thread stacks, i.e. what a query allocates. RLIMIT_AS bounds
the address space, which also counts what costs no memory: RocksDB reserves a few hundred MB of address
space on opening the store (thread stacks, glibc's per-thread malloc arenas, mapped files), and how much
varies from one start to the next (measured on a 2,000-article store, 9 starts: the address space right
after opening was between 371 and 699 MB, while the private writable part was 83 MB each time, of which
11 MB resident). Under a 512 MB RLIMIT_AS a query would keep anything from nothing (the store would not
even open) to 140 MB of it, depending on the start; under a 512 MB RLIMIT_DATA it keeps about 430 MB,
every time. Shared libraries and files read through
the page cache are not counted (they are shared and the kernel can reclaim them); the resident size of a
process that hit its 512 MB ceiling was measured at 440-470 MB, below the ceiling, since the reserved part
is never all resident.

What happens at the ceiling: an allocation fails. Rust (pyoxigraph) then aborts the process ("memory
allocation of N bytes failed", SIGABRT), RocksDB's C++ does the same (``std::bad_alloc``, terminate,
SIGABRT), and Python raises MemoryError. The pool (:mod:`kg.server.query_workers`) reads an exit by SIGABRT of a
process under a ceiling, or the MemoryError the process reports, as the ceiling being hit: the query is
answered 503 with :func:`kg.server.contract.memory_message` and the process is replaced.

The default ceiling (:func:`default_ceiling`) gives all query processes together at most half of the
machine's memory (or of the cgroup's limit, when the service runs under one), so that the web workers, the
page cache the store is read through, and the rest of the machine keep the other half. ``kg serve`` warns at
start-up when the configuration could use more than the machine has (:func:`check_budget`).

Caveat: the kernel ignores RLIMIT_DATA when booted with ``ignore_rlimit_data``; :func:`check_budget` warns
about that, and on kernels older than 4.7 (where RLIMIT_DATA only limits ``brk``) RLIMIT_AS is used instead.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import resource
from pathlib import Path

MIB = 1 << 20
GIB = 1 << 30
MIN_CEILING = 128 * MIB  # a query process needs about 85 MB of private memory just to open the store
DEFAULT_FLOOR = 256 * MIB
DEFAULT_CAP = 4 * GIB
# Resident size of a web worker (or of gunicorn's master) besides its result cache, with a margin: measured
# 44 MB per web worker and 33 MB for the master after 350 requests on a 2,000-article release.
WEB_WORKER_ESTIMATE = 128 * MIB

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "kib": 1 << 10,
    "kb": 1000,
    "m": MIB,
    "mib": MIB,
    "mb": 1000**2,
    "g": GIB,
    "gib": GIB,
    "gb": 1000**3,
    "t": 1 << 40,
    "tib": 1 << 40,
    "tb": 1000**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(value: int | float | str) -> int:
    """Bytes from ``536870912``, ``"512MiB"``, ``"512 M"``, ``"2GiB"``, ``"1.5 GB"`` (K/M/G alone are binary)."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a size cannot be negative: {value!r}")
        return int(value)
    match = _SIZE.match(str(value))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f'not a size: {value!r} (bytes, or a number with KiB, MiB, GiB, e.g. "512MiB")')
    return int(float(match.group(1)) * _UNITS[unit])


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # cgroup v2 writes "max" for no limit


def _cgroup_limits() -> list[int]:
    """Memory limits of the cgroups this process runs in (v2 ``memory.max``, v1 ``memory.limit_in_bytes``)."""
    limits: list[int] = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return limits
    root = Path("/sys/fs/cgroup")
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2: the limit of the group and of each group above it
            group = root / path.lstrip("/")
            while True:
                limit = _read_int(group / "memory.max")
                if limit is not None:
                    limits.append(limit)
                if group == root or root not in group.parents:
                    break
                group = group.parent
        elif "memory" in controllers.split(","):
            for group in (root / "memory" / path.lstrip("/"), root / "memory"):
                limit = _read_int(group / "memory.limit_in_bytes")
                if limit is not None:
                    limits.append(limit)
                    break
    return limits


@functools.lru_cache(maxsize=1)
def machine_memory() -> int:
    """The memory this service can have: the machine's RAM, or less when a cgroup limits it."""
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return min([physical, *(limit for limit in _cgroup_limits() if limit > 0)])


def default_ceiling(workers: int, query_processes: int, memory: int | None = None) -> int:
    """Half the machine's memory shared by every query process, within [256 MiB, 4 GiB], in whole MiB.

    E.g. 2 workers x 2 query processes on 24 GB: 3 GiB each; on 4 GB: 512 MiB each.
    """
    memory = machine_memory() if memory is None else memory
    share = memory // (2 * workers * query_processes)
    return max(DEFAULT_FLOOR, min(DEFAULT_CAP, share)) // MIB * MIB


def _data_limit_works() -> bool:
    """RLIMIT_DATA counts mmap'ed memory (not only brk) from Linux 4.7 on."""
    if platform.system() != "Linux":
        return False
    numbers = re.findall(r"\d+", platform.release())[:2]
    return len(numbers) == 2 and (int(numbers[0]), int(numbers[1])) >= (4, 7)


def limit_kind() -> str:
    """The resource limit :func:`apply_ceiling` sets here: ``RLIMIT_DATA`` or (old kernels) ``RLIMIT_AS``."""
    return "RLIMIT_DATA" if _data_limit_works() else "RLIMIT_AS"


def apply_ceiling(limit: int) -> None:
    """Limit this process (a query process, before it opens the store) to ``limit`` bytes; 0: no limit.

    Also turns core dumps off: a process that hits the ceiling aborts, and a core file of it would be as
    large as the ceiling, written to disk for every such query.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limit <= 0:
        return
    kind = getattr(resource, limit_kind())
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(kind, (limit, limit))


def ignored_by_kernel() -> bool:
    """True when the kernel was booted to ignore RLIMIT_DATA (it then only logs a warning)."""
    try:
        return "ignore_rlimit_data" in Path("/proc/cmdline").read_text().split()
    except OSError:
        return False


def budget(workers: int, query_processes: int, ceiling: int, cache_bytes: int) -> int:
    """What the server may use at most: every query process at its ceiling, the web workers with full
    result caches, and gunicorn's master."""
    return workers * (query_processes * ceiling + WEB_WORKER_ESTIMATE + cache_bytes) + WEB_WORKER_ESTIMATE


def check_budget(workers: int, query_processes: int, ceiling: int, cache_bytes: int) -> list[str]:
    """Warnings for the start-up log: a configuration that could exhaust the machine, or no ceiling at all."""
    memory = machine_memory()
    warnings = []
    if ceiling <= 0:
        warnings.append(
            "sparql.max_query_memory is 0: queries have no memory ceiling, and one query can use all of the "
            f"machine's memory ({memory // MIB} MiB)"
        )
        return warnings
    total = budget(workers, query_processes, ceiling, cache_bytes)
    if total > memory:
        warnings.append(
            f"the server could use more memory than the machine has: {workers} workers x ({query_processes} "
            f"query processes x {ceiling // MIB} MiB sparql.max_query_memory + about {WEB_WORKER_ESTIMATE // MIB} "
            f"MiB per web worker + {cache_bytes // MIB} MiB sparql.cache_bytes) + the master = {total // MIB} MiB, "
            f"memory available: {memory // MIB} MiB. Lower sparql.max_query_memory, sparql.query_processes "
            "or server.workers"
        )
    if limit_kind() == "RLIMIT_DATA" and ignored_by_kernel():
        warnings.append("the kernel was booted with ignore_rlimit_data: the per-query memory ceiling is not enforced")
    return warnings
