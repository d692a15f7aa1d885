"""mypy reports no error on kg/ and server/ (``python -m tests.typecheck``, settings in pyproject.toml), and that
command really resolves ``kg.server.*``: an error across the kg/server boundary is reported, on the
repository's paths."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.typecheck import run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_reports_no_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.typecheck"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"mypy (python -m tests.typecheck) failed:\n{done.stdout}{done.stderr}"
    assert "Success: no issues found" in done.stdout


def test_errors_across_the_mapped_package_are_reported_on_repository_paths(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": """
            [tool.setuptools.package-dir]
            "kg" = "kg"
            "kg.server" = "server"

            [tool.mypy]
            python_version = "3.11"
        """,
        "kg/__init__.py": "",
        "kg/config.py": """
            from kg.server.cache import volatile

            ok: bool = volatile("SELECT")
            wrong: bool = volatile(3)
        """,
        "server/__init__.py": "",
        "server/cache.py": """
            from kg.config import ok


            def volatile(query: str) -> bool:
                return bool(query)


            wrong: str = ok
        """,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())

    out, err, status = run([], root=tmp_path)

    assert status == 1, out + err
    assert 'kg/config.py:4: error: Argument 1 to "volatile" has incompatible type "int"; expected "str"' in out
    assert 'server/cache.py:8: error: Incompatible types in assignment (expression has type "bool"' in out
    assert "import-not-found" not in out
    assert "kg/server/" not in out and "kg-typecheck-" not in out
    assert "Found 2 errors in 2 files" in out
