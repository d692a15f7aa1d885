"""What users install: the sdist and the wheel, built for real, installed into a fresh virtualenv outside the
checkout (not editable), and run there.

``python -m build`` makes the sdist and then the wheel from the unpacked sdist, so a file the sdist forgets
is missing from the wheel too. The installed ``kg`` must validate with the full set of shapes, serve what it
built, and refuse to build when its shapes are gone (exit 3, naming them, the output folder untouched).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from kg import DISTRIBUTION, __version__
from kg.resources import SHAPE_FILES
from tests.server_fixtures import free_port, wait_healthy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "kg" / "sample" / "seed" / "mshsj-v10n4-a968.xml"
ARTICLE_PATH = "/id/journal/2476-6879/article/A-10-968-1"
EXPECTED_WARNING = "kgsh:Issue-datesAgree"  # the seed's issue, given a Gregorian date 18 days off the Jalali one


@dataclass
class Install:
    work: Path
    venv: Path
    wheel: Path
    site: Path  # the installed package folder, site-packages/kg

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["KG_SECRET"] = "install-test-secret"
        return subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    work = tmp_path_factory.mktemp("install")
    assert not work.resolve().is_relative_to(ROOT)
    dist = work / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next(dist.glob("*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import kg, sys; print(kg.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    site = Path(where.stdout.strip()).parent
    assert site.is_relative_to(venv), f"kg was imported from {site}, not from the virtualenv"
    return Install(work, venv, wheel, site)


def _source_files() -> set[str]:
    """What the wheel must hold, as paths inside it: the code, shapes, ontology, templates and sample."""
    expected: set[str] = set()
    for folder, prefix, patterns in (
        ("kg", "kg", ("**/*.py", "sample/**/*")),
        ("server", "kg/server", ("*.py", "templates/*", "static/*")),
        ("shapes", "kg/shapes", ("*.ttl",)),
        ("ontology", "kg/ontology", ("*.ttl", "*.jsonld", "vocab/*")),
    ):
        for pattern in patterns:
            for path in (ROOT / folder).glob(pattern):
                if path.is_file() and "__pycache__" not in path.parts:
                    expected.add(f"{prefix}/{path.relative_to(ROOT / folder).as_posix()}")
    return expected


def test_wheel_carries_everything_under_one_import_name(install: Install) -> None:
    names = set(zipfile.ZipFile(install.wheel).namelist())
    missing = sorted(_source_files() - names)
    assert not missing, f"the wheel lacks {missing}"
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"kg"}, f"top-level names besides kg would clash: {top_level}"
    shown = install.run("pip", "show", "--files", DISTRIBUTION)
    assert shown.returncode == 0 and f"Name: {DISTRIBUTION}" in shown.stdout
    files = [line.strip() for line in shown.stdout.split("Files:", 1)[1].splitlines() if line.strip()]
    assert files and not [name for name in files if name.startswith("server/")]


def test_version_comes_from_the_package_metadata(install: Install) -> None:
    result = install.run("kg", "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kg {__version__}" and __version__ != "0+unknown"


def test_installed_kg_builds_with_every_check_and_serves(install: Install) -> None:
    from kg.validation import Validator

    full_set = len(Validator().checks)
    seed = install.work / "seed-dates-apart.xml"  # the seed's own Gregorian date is the nominal one: no warning
    seed.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "<month>3</month>\n\t<day>1</day>", "<month>3</month>\n\t<day>10</day>"
        ),
        encoding="utf-8",
    )
    built = install.run("kg", "build", str(seed), "--out", "out")
    assert built.returncode == 0, built.stderr
    assert f"validation: {full_set} SHACL checks per article" in built.stderr
    assert EXPECTED_WARNING in built.stderr

    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    server = subprocess.Popen(
        [str(install.venv / "bin" / "kg"), "serve", "out", "--port", str(port)],
        cwd=install.work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server, 90, lambda: server.stderr.read().decode() if server.stderr else "")
        sparql = SPARQLWrapper(base + "/sparql")
        sparql.setQuery("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <http://schema.org/ScholarlyArticle> }")
        sparql.setReturnFormat(JSON)
        rows = sparql.queryAndConvert()["results"]["bindings"]
        assert rows == [
            {"n": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
        ]
        page = requests.get(base + ARTICLE_PATH, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        assert "application/ld+json" in page.text
        description = requests.get(base + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
        assert f'"kg {__version__}"@en' in description.text
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)


def test_an_install_without_its_shapes_refuses_to_build_or_validate(install: Install) -> None:
    shapes = install.site / "shapes"
    kept = install.work / "shapes-kept"
    shutil.copytree(shapes, kept)
    try:
        for name in SHAPE_FILES[:3]:
            (shapes / name).unlink()
        built = install.run("kg", "build", str(SEED), "--out", "out-without-shapes")
        assert built.returncode == 3, built.stderr
        assert "SHACL shapes missing" in built.stderr
        assert all(name in built.stderr for name in SHAPE_FILES[:3])
        assert not (install.work / "out-without-shapes").exists(), "the output folder was touched"
        validated = install.run("kg", "validate", str(SEED))
        assert validated.returncode == 3, validated.stderr
        assert "SHACL shapes missing" in validated.stderr and SHAPE_FILES[0] in validated.stderr

        shutil.rmtree(shapes)  # the whole package gone: the message names it
        built = install.run("kg", "build", str(SEED), "--out", "out-without-shapes")
        assert built.returncode == 3 and "kg.shapes" in built.stderr
        assert not (install.work / "out-without-shapes").exists()
    finally:
        shutil.rmtree(shapes, ignore_errors=True)
        shutil.copytree(kept, shapes)
