"""kg.publish.store.open_store: a store whose RocksDB keeps a bounded number of table files open."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from kg.publish.store import open_store


def _open_table_files(store_dir: Path) -> int:
    """How many of this process's descriptors point at the store's table (.sst) files."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(store_dir)) and target.endswith(".sst"):
            count += 1
    return count


def _load_batches(store: Store, batches: int, first: int = 0) -> None:
    """Many small bulk loads into graphs ``first``...: each writes new table files, as the build's flushes do."""
    for batch in range(first, first + batches):
        lines = "".join(
            f'<https://example.org/s{batch}-{i}> <https://example.org/p> "value {batch} {i}" '
            f"<https://example.org/g{batch}> .\n"
            for i in range(50)
        )
        store.bulk_load(lines.encode(), format=RdfFormat.N_QUADS)


def test_open_store_bounds_the_open_table_files_and_restores_the_limit(tmp_path: Path) -> None:
    limit_before = resource.getrlimit(resource.RLIMIT_NOFILE)
    if limit_before[0] != resource.RLIM_INFINITY and limit_before[0] <= 200:
        pytest.skip(f"the open-files limit ({limit_before[0]}) already keeps RocksDB's table cache small")
    bounded_dir, unbounded_dir = tmp_path / "bounded", tmp_path / "unbounded"
    bounded = open_store(bounded_dir, table_files=48)
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == limit_before
    unbounded = Store(str(unbounded_dir))
    for store in (bounded, unbounded):
        for rounds in range(1, 5):  # as the build does: batch after batch, each written as new files
            _load_batches(store, 20, first=20 * (rounds - 1))
            store.flush()
            # read everything, so that every file RocksDB keeps open has been opened
            assert len(list(store.named_graphs())) == 20 * rounds
            assert len(list(store.quads_for_pattern(None, None, None, None))) == 20 * rounds * 50
    on_disk = len(list(bounded_dir.glob("*.sst")))
    assert on_disk > 200  # enough files for the bound to matter
    # pyoxigraph's default, which open_store exists to avoid: every table file stays open (give or take the
    # few that a background merge is creating or retiring at this moment)
    assert _open_table_files(unbounded_dir) >= 0.9 * len(list(unbounded_dir.glob("*.sst")))
    # RocksDB's bound is soft (files in use stay open past it), but far from every file: 57 of 485 here
    assert _open_table_files(bounded_dir) < on_disk / 4
    del bounded, unbounded


def test_open_store_reopens_a_store_with_its_data(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    _load_batches(store, 3)
    store.flush()
    del store
    reopened = open_store(tmp_path / "store")
    assert len(list(reopened.named_graphs())) == 3
