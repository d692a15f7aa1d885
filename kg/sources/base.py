"""What every reader returns, and the few helpers every reader needs to say what went wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kg.records import Export, Problem, SourceFile


@dataclass
class ReadResult:
    """What one file yielded: an export (possibly with only some articles) and/or file-level problems."""

    source: SourceFile
    export: Export | None = None
    problems: list[Problem] = field(default_factory=list)
    format: str = ""  # the reader's format name ("journal export", "PubMed ArticleSet", ...)
    more: list[Export] = field(default_factory=list)  # a file of several journals or issues: the others

    @property
    def exports(self) -> list[Export]:
        """Every export the file yielded: most files hold one issue of one journal."""
        return ([self.export] if self.export is not None else []) + self.more

    @property
    def rejected(self) -> bool:
        return self.export is None


def source_file(path: Path, data: bytes) -> SourceFile:
    return SourceFile(path=str(path), name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def file_error(source: SourceFile, code: str, message: str, line: int | None = None) -> Problem:
    return Problem("error", code, message, file=source.path, line=line)


def rejected(source: SourceFile, code: str, message: str, line: int | None = None) -> ReadResult:
    """A file of which nothing could be read, with the one problem that says why."""
    return ReadResult(source, problems=[file_error(source, code, message, line)])
