"""A release made public: its ``build.json`` written, the folder moved into place, ``current`` swapped.

The writing side of the contract that ``kg.server.releases`` reads: a release is staged in
``releases/.<id>.partial``, renamed to ``releases/<id>`` once complete (``build.json`` is its last file),
and published by pointing ``current`` at it in one rename, so a reader sees the old release or the new
one, never a half-written one. The newest few releases are kept: a server may still be answering from the
previous one. Where each of these is in the output folder is ``kg.publish.layout``'s to say.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

from kg.publish.dumps import replace_atomically
from kg.publish.layout import Layout, ReleaseLayout


def write_build_info(release: ReleaseLayout, facts: dict[str, Any]) -> None:
    """``build.json``: the facts the server describes the release with (base IRI, id, times, counts, dumps)."""
    release.build_info.write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")


def published_base(layout: Layout) -> str:
    """The base IRI of the release the folder publishes ("" when it has none yet)."""
    try:
        return json.loads(layout.current_release().build_info.read_text(encoding="utf-8")).get("base", "")
    except (OSError, ValueError, AttributeError):
        return ""


def publish(layout: Layout, release_id: str) -> Path:
    """Move the staged release into place and point ``current`` (and the shortcuts through it) at it."""
    release = layout.release(release_id).path
    layout.staging(release_id).path.rename(release)
    (current, target), *shortcuts = layout.links(release_id).items()
    replace_atomically(current, target)
    for link, through_current in shortcuts:
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            replace_atomically(link, through_current)
    return release


def prune(layout: Layout, keep: int) -> None:
    """Keep the newest ``keep`` releases: a server may still be answering from the previous one."""
    finished = layout.finished_releases()
    for old in finished[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)


def prune_ahead(layout: Layout, keep: int) -> threading.Thread:
    """Start deleting, in a thread beside the build, the releases that publishing its release will prune:
    all but the newest ``keep - 1`` (the current one among them). Deleting a release's 1-2 GB of files took
    half a second at the end of a one-issue rebuild at 50,000 articles; beside the reading it costs nothing.
    Should the build fail, ``keep - 1`` releases are left rather than ``keep``; none a server answers from.
    The caller joins the thread before ``prune``."""
    current = layout.current.resolve()
    finished = layout.finished_releases()
    doomed = [old for old in finished[: -(keep - 1)] if old.resolve() != current] if keep > 1 else []
    thread = threading.Thread(target=_delete, args=(doomed,), name="prune-ahead")
    thread.start()
    return thread


def _delete(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
