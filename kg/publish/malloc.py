"""The memory manager's settings for the build: the C allocator's and the cyclic garbage collector's
(moved out of ``kg.build``, which is at its size limit)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between two collections of the youngest generation (Python's default: 700).
BUILD_GC_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while the build runs; its thresholds are restored after.

    The build holds a few hundred thousand long-lived objects (identity claims, ledger entries, report
    entries) and makes millions of short-lived ones (JSON values), nearly none in reference cycles; at the
    default threshold the collector ran every 700 allocations and walked the young ones each time: a third
    of a one-issue rebuild's time at 50,000 articles (12.1 -> 9.8 s; the identity table's save 1.5 -> 0.6 s).
    Reference counting still frees everything not in a cycle at once; the rare cycle waits a little longer.
    Worker processes forked meanwhile keep the setting.
    """
    before = gc.get_threshold()
    gc.set_threshold(BUILD_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def map_large_buffers() -> None:
    """Ask glibc to serve every allocation above 1 MB by mmap, so that freeing it returns it to the system.

    The build passes 16 MB batches of N-Quads and 80 KB article payloads around; glibc's default raises
    its mmap threshold as such blocks are freed, after which they come from the heap, which fragments and
    never shrinks: the main process's resident memory then grew with the corpus. Does nothing where
    the C library is not glibc. Worker processes are forked after this and keep the setting.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass


_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>
