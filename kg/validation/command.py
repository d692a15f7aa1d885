"""``kg validate INPUT... | --store DIR [--format text|turtle|json] [--engine sparql|pyshacl]``: the shapes'
verdict, for people.

It is given article graphs, not files: for input files the command line has them read and mapped exactly
as the build reads and maps them (``kg.pipeline.map_inputs``), so an editor can check an export before
sending it, and this module validates them in batches as the build does. With ``--store`` it validates a
built output folder, the store-wide checks included (``kg.validation.store_check``). The text format is
what an editor reads: counts by severity and by shape first, then each result with its message. Every
input the reader rejected (wholly or in part: a file-level error) is named on stderr with its reason. Exit
code 0 when nothing is a violation and nothing was rejected, 1 when something is a violation or an input
was rejected (also when every input was), 2 when there was nothing to validate. ``--engine
pyshacl`` validates with pySHACL, the reference implementation, instead of the build's compiled SPARQL
checks (same results, slower).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from kg.validation.conflicts import conflict_lines, store_conflicts
from kg.validation.results import ValidationResult, sort_key, without_restated
from kg.validation.store_check import validate_store
from kg.validation.validator import BatchValidator, shared_validator
from kg.vocab import KG, shape_curie

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_VIOLATIONS = 1  # or an input was rejected
EXIT_NOTHING = 2
BATCH = 100


def run(
    articles: list[tuple[str, bytes]],
    reader: list[dict],
    store_dir: Path | None,
    format: str,
    engine: str = "sparql",
    out: TextIO | None = None,
) -> int:
    """Validate these article graphs ((graph IRI, N-Quads)) and/or the store of ``store_dir``; print the
    results in ``format`` beside the ``reader``'s own problems; return the exit code."""
    out = out or sys.stdout
    rejected = [problem for problem in reader if problem.get("severity") == "error" and not problem.get("record")]
    for problem in rejected:
        print(f"kg validate: rejected {problem.get('file', '')}: {problem.get('message', '')}", file=sys.stderr)
    validator = _validator(engine)
    results = _without_restated(validate_batches(articles, validator), articles, reader)
    conflicts: list[dict] = []
    if store_dir is not None:
        try:
            outcome = validate_store(store_dir, validator)
        except FileNotFoundError as error:
            print(f"kg validate: {error}", file=sys.stderr)
            return EXIT_NOTHING
        results.update(outcome.by_graph)
        if outcome.store:
            results["(whole store)"] = outcome.store
            conflicts = store_conflicts(store_dir)
    if not results:
        if rejected:
            print(f"kg validate: nothing to validate: {len(rejected)} input(s) rejected", file=sys.stderr)
            return EXIT_VIOLATIONS
        print("kg validate: nothing to validate", file=sys.stderr)
        return EXIT_NOTHING
    if format == "json":
        out.write(render_json(results, reader, conflicts) + "\n")
    elif format == "turtle":
        out.write(render_turtle(results))
    else:
        out.write(render_text(results, reader))
        if conflicts:
            out.write("\nacross records, with the files and records that state each value:\n")
            out.write("\n".join(conflict_lines(conflicts)) + "\n")
    violations = any(item.severity == "violation" for items in results.values() for item in items)
    return EXIT_VIOLATIONS if violations or rejected else EXIT_OK


def _without_restated(
    results: dict[str, list[ValidationResult]], articles: list[tuple[str, bytes]], reader: list[dict]
) -> dict[str, list[ValidationResult]]:
    """One problem per cause, as in the build (``RESTATED_BY_READER``). The reader's problems are not tied to
    graphs here, so an article's are told from its graph: an article type label that was kept with no type
    mapped from it is the reader's ``unmapped-article-type``, when the reader reported any."""
    codes = {problem.get("code", "") for problem in reader}
    if "unmapped-article-type" not in codes:
        return results
    label = f"<{KG.contentTypeLabel.value}>".encode()
    unmapped = {graph for graph, payload in articles if label in payload}
    return {
        graph: without_restated(found, {"unmapped-article-type"}) if graph in unmapped else found
        for graph, found in results.items()
    }


def _validator(engine: str) -> BatchValidator:
    if engine == "pyshacl":
        from kg.validation.reference import PyShaclValidator  # loads pySHACL: only when asked for

        return PyShaclValidator()
    return shared_validator()


def validate_batches(
    articles: list[tuple[str, bytes]], validator: BatchValidator | None = None
) -> dict[str, list[ValidationResult]]:
    """Every article graph mapped to its results, validated ``BATCH`` at a time as the build does."""
    validator = validator or shared_validator()
    results: dict[str, list[ValidationResult]] = {}
    for start in range(0, len(articles), BATCH):
        results.update(validator.validate_articles(articles[start : start + BATCH]))
    if articles:
        log.info("validated %d articles", len(articles))
    return results


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


def render_json(
    results: dict[str, list[ValidationResult]], reader: list[dict] | None = None, conflicts: list[dict] | None = None
) -> str:
    items = [item for found in results.values() for item in found]
    return json.dumps(
        {
            "counts": dict(Counter(item.severity for item in items)),
            "graphs": {graph: [item.as_dict() for item in found] for graph, found in sorted(results.items())},
            "reader": reader or [],
            "conflicts": conflicts or [],
        },
        ensure_ascii=False,
        indent=1,
    )


def render_turtle(results: dict[str, list[ValidationResult]]) -> str:
    """One W3C SHACL validation report over everything validated."""
    items = sorted({item for found in results.values() for item in found}, key=sort_key)
    return ValidationResult.report_turtle(items)
