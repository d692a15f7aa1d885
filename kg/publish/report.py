"""The build report: what was read, published, warned about and rejected, per file and record.

It is written as it goes (``report.json`` is streamed, one file entry at a time) so that a build of a
hundred thousand articles does not hold every problem in memory; the terminal summary keeps counts and
the first problems only.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg.validation.conflicts import conflict_lines
from kg.vocab import shape_curie

TERMINAL_PROBLEMS = 40
LISTED = ("error", "violation", "warning")  # the severities the terminal summary lists
# Notes about the source system or a journal's settings, not about one file: said once (in the first file that
# shows them) and listed in the report's "repeated_notes" with every file that shows them. A pattern of the
# source system (these codes) is said once per issue; a problem of the journal's header (record "journal":
# a placeholder identifier, a bad ISSN) once per journal, since the editor corrects it once, in the settings.
ONCE_PER_ISSUE = frozenset({"nominal-gregorian-date"})


@dataclass
class Totals:
    files: int = 0
    files_rejected: int = 0
    articles_read: int = 0
    articles_published: int = 0
    articles_quarantined: int = 0
    articles_superseded: int = 0
    articles_merged: int = 0  # copies merged into the article graph of a copy from another format
    files_unchanged: int = 0  # not read again: unchanged since the last build (kg.publish.ledger)
    articles_unchanged: int = 0  # published by those files, still current
    problems_unchanged: int = 0  # problems of those files, reported when they were read
    quads: int = 0
    problems: Counter = field(default_factory=Counter)  # severity -> count

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["problems"] = dict(sorted(self.problems.items()))
        return data


class ReportWriter:
    """Streams ``report.json``: ``{"release": ..., "files": [...], "totals": {...}, ...}``."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.handle: IO[str] = open(path, "w", encoding="utf-8")
        self.handle.write("{\n")
        for key, value in header.items():
            self.handle.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        self.handle.write('"files": [\n')
        self.first = True
        self.totals = Totals()
        self.shown: list[dict[str, Any]] = []
        self.listable = 0  # problems the summary would list, of the files read in this build
        self.records: dict[str, tuple[str, str]] = {}  # published graph -> (file, record), for the checks after
        self.touched: set[str] = set()  # graphs published from files read in this build
        self.warnings: dict[str, tuple[tuple[str, str, str], ...]] = {}  # published graph -> its open warnings
        self.notes: dict[tuple[str, ...], dict[str, Any]] = {}  # notes said once (_said_once)
        self.conflicts: list[dict[str, Any]] = []  # found across records after reading (add_conflicts)
        self.quality: Path | None = None  # the release's quality.json (kg.publish.quality), copied in at close

    def add_file(self, entry: dict[str, Any]) -> None:
        if not self.first:
            self.handle.write(",\n")
        self.first = False
        unchanged = entry.get("unchanged", False)  # carried from an earlier build: counted, not shown again
        entry = self._said_once(entry)
        self.handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True))
        for article in entry.get("articles", []):
            if article.get("status") == "published":
                self.records[article["graph"]] = (entry.get("path", ""), article.get("record", ""))
                self.warnings[article["graph"]] = _open_warnings(article)
                if not unchanged:
                    self.touched.add(article["graph"])
        for problem in _problems_of(entry):
            self.totals.problems[problem["severity"]] += 1
            if unchanged:
                self.totals.problems_unchanged += 1
            elif problem["severity"] in LISTED:
                self.listable += 1
                if len(self.shown) < TERMINAL_PROBLEMS:
                    self.shown.append(problem)

    def _said_once(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The entry less the notes an earlier file already said for its issue or journal (``ONCE_PER_ISSUE``,
        record "journal"); each such note is listed in ``notes`` with every file that shows it.

        The journal is told by the articles' IRIs (up to ``/article/``), the issue by the note itself, which
        names the issue's dates; a file without articles keeps its notes.
        """
        problems = entry.get("problems", [])
        journal = next((a["iri"].partition("/article/")[0] for a in entry.get("articles", []) if "iri" in a), "")
        if not journal:
            return entry
        kept = []
        for problem in problems:
            key = _repeat_key(journal, problem)
            if key is None:
                kept.append(problem)
                continue
            note = self.notes.get(key)
            if note is None:  # said where it is first met
                kept.append(problem)
                scope = "issue" if problem.get("code") in ONCE_PER_ISSUE else "journal"
                note = self.notes[key] = {**problem, "journal": journal, "scope": scope, "files": []}
                note.pop("file", None)
            note["files"].append(entry.get("path", ""))
        return {**entry, "problems": kept}

    def add_conflicts(self, conflicts: list[dict[str, Any]]) -> None:
        """The store-wide findings of the build (``kg.validation.conflicts``), counted by severity."""
        for item in conflicts:
            self.totals.problems[item["severity"]] += 1
        self.conflicts = conflicts

    def summary(self, report_path: Path, checks: int | None) -> list[str]:
        """The terminal summary of this report (``summary_lines``)."""
        shown = self.new_conflicts()
        return summary_lines(self.totals, self.shown, report_path, self.listable, checks, shown, len(self.conflicts))

    def new_conflicts(self) -> list[dict[str, Any]]:
        """The conflicts a graph published by this build takes part in: the summary lists these; the others,
        among files not read again, were listed when they were read and are only counted."""
        return [
            item
            for item in self.conflicts
            if any(source["graph"] in self.touched for value in item["values"] for source in value["sources"])
        ]

    def close(self, trailer: dict[str, Any]) -> None:
        self.handle.write("\n],\n")
        notes = [
            {**note, "files": sorted(note["files"])} for _, note in sorted(self.notes.items()) if len(note["files"]) > 1
        ]
        trailer = {"totals": self.totals.as_dict(), "repeated_notes": notes, "conflicts": self.conflicts, **trailer}
        for key, value in trailer.items():
            self.handle.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, indent=1)},\n")
        # the quality figures (a row per article: 18 MB at 50,000 articles) copied from the file the build wrote,
        # rather than held as objects until now
        self.handle.write('"quality": ')
        if self.quality is not None and self.quality.exists():
            with open(self.quality, encoding="utf-8") as figures:
                shutil.copyfileobj(figures, self.handle)
        else:
            self.handle.write("{}\n")
        self.handle.write("}\n")
        self.handle.close()


def _problems_of(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every problem of a file entry; SHACL results, which the report nests in their article, are given
    the file and the record here, so that the terminal summary names where each one is."""
    problems = list(entry.get("problems", []))
    for article in entry.get("articles", []):
        problems.extend(article.get("problems", []))
        where = {"file": entry.get("path", ""), "record": article.get("record", "")}
        problems.extend({**where, "field": _shape_name(result), **result} for result in article.get("validation", []))
    return problems


def _repeat_key(journal: str, problem: dict[str, Any]) -> tuple[str, ...] | None:
    """What makes a note the same in two files (see ``ONCE_PER_ISSUE``), or None for a file's own problem."""
    if problem.get("code") in ONCE_PER_ISSUE:
        return (journal, problem["code"], problem.get("message", ""))
    if problem.get("record") == "journal" and problem.get("severity") != "error":
        return (journal, problem.get("code", ""), problem.get("field", ""), problem.get("value", ""))
    return None


def _open_warnings(article: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """A published article's warnings (reader's and shapes'): (severity, field, message), as the data-quality
    page lists them. Kept for every article of a build, so as interned tuples: the texts repeat across
    articles, and a tuple of shared strings costs a few dozen bytes where a dict of copies costs hundreds."""
    found = [
        (p["severity"], p.get("field", ""), p.get("message", ""))
        for p in article.get("problems", [])
        if p.get("severity") in ("error", "warning")
    ]
    found.extend(
        (r["severity"], _shape_name(r), r.get("message", ""))
        for r in article.get("validation", [])
        if r.get("severity") in ("violation", "warning")
    )
    return tuple((sys.intern(a), sys.intern(b), sys.intern(c)) for a, b, c in found)


def _shape_name(result: dict[str, Any]) -> str:
    """The field a SHACL result is about: its property path, else its shape (``kgsh:Issue-datesAgree``)."""
    path = result.get("path", "")
    if path:
        return path
    return shape_curie(result.get("shape", ""))


def summary_lines(
    totals: Totals,
    shown: list[dict[str, Any]],
    report_path: Path,
    listable: int = 0,
    checks: int | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    conflicts_total: int = 0,
) -> list[str]:
    """The human summary printed at the end of a build.

    ``checks`` is the number of SHACL checks every article went through, None when validation was off:
    said on every build, so that an install without its shapes can never pass unnoticed.

    It lists the first problems of the files read in this build (``listable`` of them in all); those of
    files not read again were listed when they were read, and are only counted here.
    """
    lines = [
        f"files read: {totals.files} ({totals.files_rejected} rejected)"
        + (
            f", {totals.files_unchanged} unchanged since the last build and not read again "
            f"({totals.articles_unchanged} articles kept)"
            if totals.files_unchanged
            else ""
        ),
        f"articles: {totals.articles_read} read, {totals.articles_published} published, "
        f"{totals.articles_quarantined} quarantined, {totals.articles_superseded} superseded by another file"
        + (f", {totals.articles_merged} merged from another format" if totals.articles_merged else ""),
        f"quads written: {totals.quads}",
        f"validation: {checks} SHACL checks per article"
        if checks is not None
        else "validation: OFF (--no-validate): nothing was checked against the shapes",
        "problems: "
        + (", ".join(f"{count} {severity}" for severity, count in sorted(totals.problems.items())) or "none")
        + (
            f" ({totals.problems_unchanged} of them in unchanged files, not listed here)"
            if totals.problems_unchanged
            else ""
        ),
    ]
    for problem in shown:
        where = ":".join(str(part) for part in (problem.get("file", ""), problem.get("line", "")) if part)
        record = problem.get("record", "")
        field_name = problem.get("field") or problem.get("path", "")
        lines.append(
            f"  {problem['severity'].upper():9} {where}"
            + (f" [{record}]" if record else "")
            + (f" {field_name}:" if field_name else ":")
            + f" {problem.get('message', '')}"
        )
    hidden = listable - len(shown)
    if hidden > 0:
        lines.append(f"  ... and {hidden} more")
    conflicts = conflicts or []
    if conflicts or conflicts_total:
        older = conflicts_total - len(conflicts)
        lines.append(
            f"conflicts across records: {max(conflicts_total, len(conflicts))}, published all the same"
            + (f" ({older} among files not read again, not listed here)" if older > 0 else "")
            + (": each value with its sources:" if conflicts else "")
        )
        lines.extend(conflict_lines(conflicts[:TERMINAL_PROBLEMS]))
    lines.append(f"full report: {report_path}")
    return lines
