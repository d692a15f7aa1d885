"""``kg export crossref|doaj DIR``: deposit files for the published release's articles.

The records come from the release's ``oai.sqlite`` (written by the build from the validated graph, see
``kg.publish.datestamps``), so the files say what the graph, the SPARQL endpoint and OAI-PMH say. Every
live article by default; ``--journal IRI`` or ``--issue IRI`` narrows. The file goes to ``--out`` or to
standard output; the report (skipped articles, missing values) goes to standard error.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from kg.export.crossref import Deposit, ExportConfigError, crossref_deposit
from kg.export.doaj import doaj_records
from kg.publish.datestamps import unpack
from kg.publish.layout import Layout

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 2, 3
KINDS = ("crossref", "doaj")


def release_records(out_dir: Path, journal: str | None = None, issue: str | None = None) -> Iterator[dict[str, Any]]:
    """The live article records of the published release, by issue and first page, narrowed if asked."""
    table = Layout(Path(out_dir)).current_release().oai
    if not table.is_file():
        raise FileNotFoundError(f"{table}: no published release with article records (run kg build first)")
    connection = sqlite3.connect(f"file:{table}?mode=ro", uri=True)
    try:
        rows = [json.loads(unpack(r[0])) for r in connection.execute("SELECT record FROM records WHERE deleted = 0")]
    finally:
        connection.close()
    rows.sort(key=lambda r: (r.get("issue") or "", _page(r.get("page_start")), r["id"]))
    for record in rows:
        if journal and record.get("journal") != journal:
            continue
        if issue and record.get("issue") != issue:
            continue
        yield record


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def export(
    kind: str, out_dir: Path, config: dict[str, Any], journal: str | None = None, issue: str | None = None
) -> Deposit:
    """The deposit file of this kind for the release's (narrowed) articles."""
    records = release_records(out_dir, journal, issue)
    if kind == "crossref":
        settings = (config.get("export") or {}).get("crossref") or {}
        return crossref_deposit(records, settings, datetime.datetime.now(datetime.UTC))
    if kind == "doaj":
        return doaj_records(records)
    raise ValueError(f"unknown export {kind!r}; one of {', '.join(KINDS)}")


def export_command(
    kind: str,
    out_dir: Path,
    config: dict[str, Any],
    journal: str | None,
    issue: str | None,
    out_file: Path | None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Write the file; 0 when it holds at least one article, 2 when none qualified, 3 on a usage error."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        deposit = export(kind, out_dir, config, journal, issue)
    except (FileNotFoundError, ExportConfigError) as error:
        print(f"kg export {kind}: error: {error}", file=stderr)
        return EXIT_USAGE
    for line in deposit.report:
        print(f"kg export {kind}: {line}", file=stderr)
    print(
        f"kg export {kind}: {len(deposit.included)} articles written, {len(deposit.report)} report lines", file=stderr
    )
    if out_file is not None:
        out_file.write_text(deposit.xml, encoding="utf-8")
    else:
        stdout.write(deposit.xml)
    return EXIT_OK if deposit.included else EXIT_NOTHING
