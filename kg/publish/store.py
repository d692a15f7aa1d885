"""Opening the build's on-disk stores with a bounded RocksDB table cache.

RocksDB keeps the index blocks of every table file it has open in memory, so a store that keeps all its
files open holds memory in proportion to its size. Oxigraph sizes that cache (RocksDB's
``max_open_files``) from the process's soft limit on open files at the moment it opens a store: the
limit minus the 48 descriptors it keeps for itself. Where the limit is high (20,000 on the development
machine), every file stays open, and pyoxigraph has no option to say otherwise.

``open_store`` therefore lowers the soft limit for the time of the opening only and restores it at once.
Measured by bulk-loading the 17 million quads of a 50,000-article build in 16 MB batches, the store's
resident memory grew by 60 MB with every file open and by 31 MB with 48 of them; in the build, the
50,000-article peak fell from 560-584 MB to 533-539 MB, and the store's load time stayed within the spread
of repeated runs (each batch is written as new files that RocksDB merges in the background). The bound
is RocksDB's and soft: files in use (being merged, say) stay open past it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyoxigraph import Store

try:
    import resource
except ImportError:  # not on Unix: the store opens as pyoxigraph opens it
    resource = None  # type: ignore[assignment]

# Oxigraph refuses to open a store when the limit is under 96, and keeps 48 descriptors for itself.
OXIGRAPH_RESERVED_FILES = 48
TABLE_FILES = 48
# Descriptors left free while the limit is low, for whatever else the process opens meanwhile.
_SPARE_FILES = 32


def open_store(path: Path, table_files: int = TABLE_FILES) -> Store:
    """The on-disk store at ``path`` (created if missing), keeping at most about ``table_files`` files open.

    The lowered limit is process-wide while the store opens: other threads (RocksDB's own, of another
    store) can open ``_SPARE_FILES`` more files meanwhile, so call it when nothing else opens many. Where
    the limit cannot be read or lowered (not Linux), the store opens as pyoxigraph opens it.
    """
    if resource is None:
        return Store(str(path))
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        open_now = len(os.listdir("/proc/self/fd"))
    except (OSError, ValueError):
        return Store(str(path))
    limit = max(table_files + OXIGRAPH_RESERVED_FILES, open_now + _SPARE_FILES)
    if soft != resource.RLIM_INFINITY and limit >= soft:
        return Store(str(path))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        return Store(str(path))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
