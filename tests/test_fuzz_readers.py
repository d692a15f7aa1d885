"""Fuzzed readers (issue 18): mutated real exports never crash, hang or half-publish.

Seeds are real exports (tests/fixtures/fuzz/, see SOURCE.md). ``hypothesis`` mutates them: truncation at a
random offset, random byte flips, a deleted or duplicated element, a huge value, deep nesting, odd encodings
(UTF-16, a BOM, a wrong declaration, bytes invalid in UTF-8, NUL). Each mutated file is read by the real
reader (:func:`kg.sources.registry.read_data`) and every article it yields is mapped to RDF
(:func:`kg.mappers.map_article`), as ``kg build`` does. The invariants:

* no exception escapes and each case ends within ``CASE_SECONDS`` (a hang is cut by an alarm and fails);
* every problem names the file, and its line or its record (a malformed-XML error: its line); a rejected
  file says why;
* nothing half-published: what a truncated file yields is exactly the original's articles, each whole
  (field for field), and when an article is missing an error says so.

The cases that broke an invariant once are kept in tests/fuzz_regressions/ and read on every run.
The default ("ci") profile is deterministic and bounded (about a minute); a longer, random run is::

    KG_FUZZ_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz_readers.py -q
"""

from __future__ import annotations

import copy
import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kg.iris import Minter
from kg.mappers import map_article
from kg.records import Article
from kg.sources.base import ReadResult
from kg.sources.registry import read_data as read_bytes

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {path.name: path.read_bytes() for path in sorted((ROOT / "tests" / "fixtures" / "fuzz").glob("*.xml"))}
REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
SECRET = b"fuzz-secret"
MINTER = Minter("https://kg.example.org")
CASE_SECONDS = 5.0  # one mutated file, read and mapped (the seeds take a few ms each)
HANG_SECONDS = 30.0  # the alarm that turns a hang into a failure
# problems about the file as a whole, which have no line to name
WHOLE_FILE_CODES = {"empty-file", "compressed-file", "entity-declaration", "unreadable", "no-articles"}

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=_SUPPRESS
)
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=_SUPPRESS)
FUZZ = settings.get_profile(os.environ.get("KG_FUZZ_PROFILE", "ci"))


class Hang(Exception):
    """A case ran past HANG_SECONDS."""


@contextmanager
def alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_and_map(name: str, data: bytes) -> ReadResult:
    """Read ``data`` as the file ``name`` and map every article it yields; the invariants on the way."""
    path = Path("fuzz") / name
    started = time.monotonic()
    with alarm(HANG_SECONDS):
        result = read_bytes(path, data, SECRET)
        if result.export is not None:
            for article in result.export.articles:
                map_article(result.export, article, MINTER)
    seconds = time.monotonic() - started
    assert seconds < CASE_SECONDS, f"{name}: {len(data)} bytes took {seconds:.1f} s"
    for problem in result.problems:
        assert problem.file == str(path), problem
        # where in the file: a line, or the record (issue, article code or "article N (line L)") and field
        assert problem.line or problem.record or problem.code in WHOLE_FILE_CODES, problem
        if problem.code == "malformed-xml":
            assert problem.line, f"a malformed-XML error without its line: {problem}"
    if result.rejected:
        assert any(problem.severity == "error" for problem in result.problems), result.problems
    return result


def comparable(article: Article) -> dict[str, Any]:
    fields = dataclasses.asdict(article)
    fields.pop("problems")
    return fields


ORIGINALS = {name: read_bytes(Path(name), data, SECRET) for name, data in SEEDS.items()}


# ---- mutations ------------------------------------------------------------------------------------------


def _elements(data: bytes) -> tuple[etree._Element, list[etree._Element]]:
    root = etree.fromstring(data)
    return root, [element for element in root.iter() if isinstance(element.tag, str) and element is not root]


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@st.composite
def element_edit(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    """Delete, duplicate, inflate or deepen one element of a seed."""
    root, elements = _elements(data)
    element = elements[draw(st.integers(0, len(elements) - 1))]
    kind = draw(st.sampled_from(["delete", "duplicate", "huge", "deep"]))
    if kind == "delete":
        element.getparent().remove(element)
    elif kind == "duplicate":
        element.addnext(copy.deepcopy(element))
    elif kind == "huge":
        unit = draw(st.sampled_from(["x", "داده ", "a b c ", "\u200c", "&<>", "10.1000/x"]))
        element.text = unit * draw(st.integers(100_000, 2_000_000 // len(unit)))
    else:
        depth = draw(st.integers(50, 5000))
        inner = element
        for _ in range(depth):
            inner = etree.SubElement(inner, draw(st.sampled_from(["b", "title", "article", "author"])))
    return f"{kind}-{element.tag}", _serialise(root)


ENCODINGS = ["utf-16", "utf-16-le-no-bom", "bom", "declared-1256", "latin-bytes", "invalid-utf8", "nul"]


def reencode(data: bytes, kind: str, offset: int) -> bytes:
    text = data.decode("utf-8")
    if kind == "utf-16":
        return text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    if kind == "utf-16-le-no-bom":
        return text.encode("utf-16-le")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "declared-1256":
        return data.replace(b'encoding="utf-8"', b'encoding="windows-1256"')
    if kind == "latin-bytes":
        return text.encode("cp1256", errors="replace")  # Persian in a legacy code page, declared as UTF-8
    insert = b"\xff\xc3(" if kind == "invalid-utf8" else b"\x00"
    return data[:offset] + insert + data[offset:]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(seed name, what was done, the mutated bytes)."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = SEEDS[name]
    kind = draw(st.sampled_from(["flip", "element", "encoding"]))
    if kind == "flip":
        flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), min_size=1, max_size=8))
        buffer = bytearray(data)
        for offset, value in flips:
            buffer[offset] = value
        return name, f"flip{flips}", bytes(buffer)
    if kind == "element":
        what, out = draw(element_edit(data))
        return name, what, out
    encoding = draw(st.sampled_from(ENCODINGS))
    return name, encoding, reencode(data, encoding, draw(st.integers(0, len(data))))


# ---- tests ----------------------------------------------------------------------------------------------


def test_the_seeds_read_cleanly() -> None:
    for name, data in SEEDS.items():
        result = read_and_map(name, data)
        assert result.export is not None and result.export.articles, (name, result.problems)


@FUZZ
@given(name=st.sampled_from(sorted(SEEDS)), fraction=st.floats(0.0, 1.0))
def test_truncated_exports_yield_whole_articles_or_say_what_was_lost(name: str, fraction: float) -> None:
    data = SEEDS[name]
    cut = data[: int(len(data) * fraction)]
    result = read_and_map(name, cut)
    original = ORIGINALS[name].export
    assert original is not None
    kept = result.export.articles if result.export is not None else []
    originals = [comparable(article) for article in original.articles]
    for article in kept:
        assert comparable(article) in originals, f"a truncated article was published: {article.record_label}"
    if len(kept) < len(originals):
        assert any(problem.severity == "error" for problem in result.problems), "articles dropped silently"


@FUZZ
@given(case=mutated())
def test_mutated_exports_never_crash_hang_or_go_unreported(case: tuple[str, str, bytes]) -> None:
    name, what, data = case
    read_and_map(f"{what[:40]}-{name}", data)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.xml")), ids=lambda path: path.name)
def test_found_cases_stay_fixed(path: Path) -> None:
    read_and_map(path.name, path.read_bytes())


def test_a_huge_issue_number_is_not_published() -> None:
    path = REGRESSIONS / "huge-issue-number.xml"
    result = read_and_map(path.name, path.read_bytes())
    assert result.export is not None and result.export.issue.number == "0"
    (problem,) = [p for p in result.problems if p.code == "too-long"]
    assert problem.field == "number" and problem.record == "issue" and "2,000 characters" in problem.message
