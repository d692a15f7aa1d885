"""What ``kg publish --to`` reads of a build folder's release, apart from its graphs: the folder's lock (no
build changes the files while they are sent), the release's facts (id, base) and its files but the store,
copied where the front ends read the dumps."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.publish.layout import STORE, Layout


class PublishError(Exception):
    """A request the store refused (after retries) or a folder that cannot be published."""


@contextmanager
def folder_lock(layout: Layout) -> Iterator[None]:
    """The build folder's lock (``DIR/.build.lock``): no build changes the graph files while they are read."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(layout.lock, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise PublishError(f"a kg build is running on {layout.root}; publish when it has ended") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def release_facts(layout: Layout) -> dict[str, Any]:
    path = layout.current_release().build_info
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PublishError(f"{path}: no published release to send ({error})") from error
    if not facts.get("release") or not facts.get("base"):
        raise PublishError(f"{path}: the release has no id or base")
    return facts


def copy_dumps(layout: Layout, release_id: str, folder: Path) -> Path:
    """The release's files but its store (build.json, dumps/, ...) into ``folder/<release id>/``, complete
    before it is named."""
    target = folder / release_id
    if (target / "build.json").exists():
        return target
    staging = folder / f".{release_id}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    source = layout.current_release()
    # everything of the release but its store: build.json, dumps/, the OAI records, the quality report...
    shutil.copytree(source.path.resolve(), staging, ignore=shutil.ignore_patterns(STORE))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
