"""Shared fixtures: the bundled sample, built once per test session with the real `kg build`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "kg" / "sample"
SEED = SAMPLE / "seed" / "mshsj-v10n4-a968.xml"
CORPUS = SAMPLE / "corpus"
VOCAB = ROOT / "ontology" / "vocab"
TEST_SECRET = "test-secret-not-for-production"


@pytest.fixture(scope="session", autouse=True)
def _test_secret() -> None:
    os.environ["KG_SECRET"] = TEST_SECRET


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and the corpus built into a fresh output folder; returns DIR."""
    from kg.build import BuildOptions, build

    out = tmp_path_factory.mktemp("sample-build")
    options = BuildOptions(base="https://kg.example.org", secret=TEST_SECRET.encode())
    build([SEED, CORPUS], out, options)
    return out
