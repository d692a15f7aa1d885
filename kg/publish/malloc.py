"""The C allocator's settings for the build (moved out of ``kg.build``, which is at its size limit)."""

from __future__ import annotations


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
