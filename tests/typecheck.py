"""Type-check kg/ and server/ with mypy as the one import package they install as: ``python -m tests.typecheck``.

pyproject.toml maps the design's top-level folders into ``kg`` (``server/`` is ``kg.server``, through
setuptools' ``package-dir``), and the editable install resolves that with an import hook, which mypy does not
run: plain ``mypy kg server`` takes ``server/`` for a package ``server`` and cannot find any ``kg.server.*``
import. So this lays the package out as it is installed, in a temporary folder of symlinks (``kg/`` file by
file, ``kg/server`` -> ``server/``, read from the same ``package-dir`` table), runs mypy there with the
``[tool.mypy]`` settings of pyproject.toml, and prints its report with the repository's paths
(``server/pages.py:12``). The repository's other packages (``tests``) are linked beside it, so imports of them
resolve (pyproject.toml keeps their errors out of the report).

Arguments are passed on to mypy (``python -m tests.typecheck --pretty``); the exit status is mypy's.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_dirs(root: Path = ROOT) -> dict[str, Path]:
    """The import package's folders, from pyproject.toml: {"kg": root/"kg", "kg.server": root/"server", ...}."""
    with open(root / "pyproject.toml", "rb") as f:
        table = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {name: root / folder for name, folder in table.items()}


def lay_out(tree: Path, root: Path = ROOT) -> dict[str, str]:
    """Symlink the installed layout into ``tree``; return {path in tree + "/": repository path + "/"}."""
    packages = package_dirs(root)
    targets = {name.replace(".", "/"): folder for name, folder in packages.items()}
    for name in sorted(targets, key=lambda n: n.count("/")):
        folder = targets[name]
        place = tree / name
        place.mkdir(parents=True, exist_ok=True)
        for entry in folder.iterdir():
            if entry.name == "__pycache__" or f"{name}/{entry.name}" in targets:
                continue  # a mapped subpackage gets its own folder
            (place / entry.name).symlink_to(entry)
    for entry in root.iterdir():  # the checkout's other packages, as on sys.path when run from a clone
        if entry.is_dir() and (entry / "__init__.py").is_file() and entry not in packages.values():
            (tree / entry.name).symlink_to(entry)
    return {f"{name}/": f"{os.path.relpath(folder, root)}/" for name, folder in targets.items()}


def repository_paths(report: str, paths: dict[str, str], tree: Path) -> str:
    """mypy's report with the tree's paths (relative or absolute) turned back into the repository's."""
    report = report.replace(f"{tree}/", "")
    longest_first = sorted(paths, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(p) for p in longest_first) + ")")
    return pattern.sub(lambda m: paths[m.group(1)], report)


def run(args: list[str], root: Path = ROOT) -> tuple[str, str, int]:
    """mypy on the installed layout of ``root``: (stdout, stderr, exit status), with repository paths."""
    from mypy import api

    with tempfile.TemporaryDirectory(prefix="kg-typecheck-") as tmp:
        tree = Path(tmp).resolve()
        paths = lay_out(tree, root)
        here = Path.cwd()
        os.chdir(tree)  # mypy puts the working folder on its search path: the tree's, not the checkout's kg/
        try:
            config = ["--config-file", str(root / "pyproject.toml")]
            cache = ["--cache-dir", str(root / ".mypy_cache" / "kg-typecheck")]
            out, err, status = api.run([*config, *cache, *args, "kg"])
        finally:
            os.chdir(here)
    return repository_paths(out, paths, tree), repository_paths(err, paths, tree), status


def main(argv: list[str] | None = None) -> int:
    out, err, status = run(sys.argv[1:] if argv is None else argv)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main())
