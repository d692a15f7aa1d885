"""``kg validate INPUT... | --store DIR [--format text|turtle|json] [--engine sparql|pyshacl]``.

The shapes' verdict, for people.

For input files it reads and maps them exactly as the build does (``kg.build.map_file``) and validates
the article graphs in batches, so an editor can check an export before sending it; with ``--store`` it
validates a built output folder, including the store-wide checks. The text format is what an editor reads:
counts by severity and by shape first, then each result with its message. Exit code 0 when nothing is a
violation, 1 when something is, 2 when there was nothing to validate. ``--engine pyshacl`` validates with
pySHACL, the reference implementation, instead of the build's compiled SPARQL checks (same results, slower).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from kg.validate import PyShaclValidator, ValidationResult, Validator, shared_validator, sort_key
from kg.vocab import shape_curie

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_NOTHING = 2
BATCH = 100
_VALIDATE_ONLY_SECRET = b"kg-validate: person IRIs are not published"


def run(
    inputs: list[Path],
    store_dir: Path | None,
    format: str,
    base: str,
    out: TextIO | None = None,
    engine: str = "sparql",
) -> int:
    out = out or sys.stdout
    validator = PyShaclValidator() if engine == "pyshacl" else shared_validator()
    results: dict[str, list[ValidationResult]] = {}
    reader: list[dict] = []
    if inputs:
        found, reader = validate_inputs(inputs, base, validator)
        results.update(found)
    if store_dir is not None:
        from kg.validation_store import validate_store

        try:
            outcome = validate_store(store_dir, validator)
        except FileNotFoundError as error:
            print(f"kg validate: {error}", file=sys.stderr)
            return EXIT_NOTHING
        results.update(outcome.by_graph)
        if outcome.store:
            results["(whole store)"] = outcome.store
    if not results:
        print("kg validate: nothing to validate", file=sys.stderr)
        return EXIT_NOTHING
    if format == "json":
        out.write(render_json(results, reader) + "\n")
    elif format == "turtle":
        out.write(render_turtle(results))
    else:
        out.write(render_text(results, reader))
    violations = any(item.severity == "violation" for items in results.values() for item in items)
    return EXIT_VIOLATIONS if violations else EXIT_OK


def validate_inputs(
    inputs: list[Path],
    base: str,
    validator: Validator | PyShaclValidator | None = None,
) -> tuple[dict[str, list[ValidationResult]], list[dict]]:
    """Read, map and validate export files; also return the reader's own problems (file, record, field)."""
    from kg.build import BuildOptions, collect_inputs, map_file

    files, missing = collect_inputs(inputs)
    options = BuildOptions(base=base, secret=_VALIDATE_ONLY_SECRET, validate=False)
    reader = [problem.as_dict() for problem in missing]
    articles: list[tuple[str, bytes]] = []
    for path in files:
        mapped = map_file(path, options)
        reader.extend({"file": mapped.path, **problem} for problem in mapped.problems)
        for article in mapped.articles:
            reader.extend({"file": mapped.path, **problem} for problem in article.problems)
            articles.append((article.graph, article.nquads))
    validator = validator or shared_validator()
    results: dict[str, list[ValidationResult]] = {}
    for start in range(0, len(articles), BATCH):
        results.update(validator.validate_articles(articles[start : start + BATCH]))
    log.info("validated %d articles from %d files", len(articles), len(files))
    return results, reader


def render_text(results: dict[str, list[ValidationResult]], reader: list[dict] | None = None) -> str:
    """Counts by severity and by shape, then every result under the graph it belongs to."""
    items = [item for found in results.values() for item in found]
    severities = Counter(item.severity for item in items)
    shapes = Counter((item.severity, item.shape) for item in items)
    lines = [
        f"{len(results)} graphs validated: "
        + ", ".join(
            f"{severities.get(name, 0)} {name}{'s' if severities.get(name, 0) != 1 else ''}"
            for name in ("violation", "warning", "info")
        )
    ]
    if reader:
        lines.append(f"the reader also reported {len(reader)} problems (listed at the end)")
    if shapes:
        lines.append("")
        lines.append("by shape:")
        for (severity, shape), count in sorted(
            shapes.items(), key=lambda kv: (sort_key(ValidationResult(kv[0][0], kv[0][1], "", "", "", "")), -kv[1])
        ):
            lines.append(f"  {count:5d}  {severity:9s} {shape_curie(shape)}")
    for graph in sorted(results):
        if not results[graph]:
            continue
        lines.append("")
        lines.append(graph)
        for item in results[graph]:
            lines.append(f"  {item.severity.upper()} {shape_curie(item.shape)}")
            lines.append(f"    {item.message}")
            detail = ", ".join(
                part
                for part in (
                    f"focus {item.focus}",
                    f"path {item.path}" if item.path else "",
                    f"value {item.value!r}" if item.value else "",
                )
                if part
            )
            lines.append(f"    ({detail})")
    if reader:
        lines.append("")
        lines.append("reader problems:")
        for problem in reader:
            where = " ".join(str(problem.get(key, "")) for key in ("file", "record", "field") if problem.get(key))
            lines.append(f"  {problem.get('severity', '').upper()} {where}: {problem.get('message', '')}")
    return "\n".join(lines) + "\n"


def render_json(results: dict[str, list[ValidationResult]], reader: list[dict] | None = None) -> str:
    items = [item for found in results.values() for item in found]
    return json.dumps(
        {
            "counts": dict(Counter(item.severity for item in items)),
            "graphs": {graph: [item.as_dict() for item in found] for graph, found in sorted(results.items())},
            "reader": reader or [],
        },
        ensure_ascii=False,
        indent=1,
    )


def render_turtle(results: dict[str, list[ValidationResult]]) -> str:
    """One W3C SHACL validation report over everything validated."""
    items = sorted({item for found in results.values() for item in found}, key=sort_key)
    return ValidationResult.report_turtle(items)
