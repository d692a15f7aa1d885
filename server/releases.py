"""Releases as the build publishes them: ``DIR/current -> releases/<id>`` with ``store/`` and ``build.json``
(named in ``kg.publish.layout``, the contract between the build and the server).

The server follows the symlink, not the path: a query process opens ``releases/<id>/store`` (the resolved
path), so a later swap of ``current`` never changes the data under a running query.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.publish.layout import Layout, ReleaseLayout


class ReleaseError(Exception):
    """A release that cannot be served (missing or unreadable store or build.json)."""


@dataclass(frozen=True)
class Release:
    """One published release: where it is and what its build.json says."""

    id: str
    path: Path
    build: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Path:
        return ReleaseLayout(self.path).store

    @property
    def dumps(self) -> Path:
        return ReleaseLayout(self.path).dumps

    @property
    def base(self) -> str | None:
        return self.build.get("base")

    @property
    def counts(self) -> dict[str, Any]:
        return self.build.get("counts") or {}

    @property
    def default_graph_triples(self) -> int | None:
        """The triples of the SPARQL default graph (the merged graph: the N-Triples dump), not the quads written."""
        count = self.counts.get("default_graph_triples")
        if isinstance(count, int):
            return count
        merged = next((d.get("triples") for d in self.build.get("dumps", []) if d.get("format") == "N-Triples"), None)
        return merged if isinstance(merged, int) else None


def current_target(out_dir: Path) -> Path | None:
    """Where ``DIR/current`` points now (resolved), or None before the first build. One readlink: cheap."""
    link = Layout(Path(out_dir)).current
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    except OSError:  # not a symlink: a plain directory is accepted as the release itself
        return link.resolve() if link.is_dir() else None
    return (link.parent / target).resolve()


def load_release(path: Path) -> Release:
    """Read a release's build.json and check its store is there; the store itself is opened by the workers."""
    files = ReleaseLayout(path)
    build_file = files.build_info
    try:
        build = json.loads(build_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReleaseError(f"{build_file}: {error}") from error
    if not isinstance(build, dict):
        raise ReleaseError(f"{build_file}: not a JSON object")
    if not files.store.is_dir():
        raise ReleaseError(f"{files.store}: no store in this release")
    return Release(id=str(build.get("release") or path.name), path=path, build=build)
