"""Releases as the build publishes them: ``DIR/current -> releases/<id>`` with ``store/`` and ``build.json``
(named in ``kg.publish.layout``, the contract between the build and the server).

What a release is to the routes (an id and its build.json) is :class:`kg.server.contract.Release`; the
folder it was read from stays with :class:`kg.server.backend.LocalBackend`. The server follows the symlink,
not the path: a query process opens ``releases/<id>/store`` (the resolved
path), so a later swap of ``current`` never changes the data under a running query.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kg.publish.layout import Layout, ReleaseLayout
from kg.server.contract import Release


class ReleaseError(Exception):
    """A release that cannot be served (missing or unreadable store or build.json)."""


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
    """Read a release's build.json and check its store is there; the store itself is opened by the workers.

    The :class:`~kg.server.contract.Release` carries no path: the local backend keeps ``path`` beside it.
    """
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
    return Release(id=str(build.get("release") or path.name), build=build, folder=path)
