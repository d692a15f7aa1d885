"""Which reader reads a file: recognised by its root element and namespace, never by its name.

A reader is a module of ``kg.sources`` with a ``FORMAT`` name, ``recognises(root) -> bool`` (given only the
root element's start tag, read by ``kg.sources.safe_xml.sniff_root``) and ``read(source, data, secret) ->
ReadResult``. Registering a format is one line in ``READERS``. Formats kg recognises but cannot read are
listed in ``UNSUPPORTED`` with what to export instead, so that a Crossref deposit or a saved HTML error page
is not answered with "your file is broken".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lxml import etree

from kg.records import SourceFile
from kg.sources import journal_export, pubmed, safe_xml
from kg.sources.base import ReadResult, rejected, source_file
from kg.sources.safe_xml import Root


class Reader(Protocol):
    """What a reader module provides (see the module docstring)."""

    FORMAT: str

    def recognises(self, root: Root) -> bool: ...

    def read(self, source: SourceFile, data: bytes, secret: bytes) -> ReadResult: ...


READERS: tuple[Reader, ...] = (journal_export, pubmed)
_READABLE = "the journal system's issue export (<journal>) or its PubMed/NLM publisher <ArticleSet> (OJS: <Articles>)"
_INSTEAD = "export the issue from the journal system as its XML issue export or as PubMed (ArticleSet) XML"


@dataclass(frozen=True)
class Unsupported:
    """A format kg recognises and does not read: its name, how to tell it, what to send instead."""

    name: str
    matches: Callable[[Root], bool]
    instead: str


UNSUPPORTED = (
    Unsupported(
        "a Crossref deposit (<doi_batch>)",
        lambda root: root.name in ("doi_batch", "crossref_result") or "crossref.org" in root.namespace,
        _INSTEAD + " (the Crossref deposit is made from the same data, but kg does not read it)",
    ),
    Unsupported(
        "a JATS article (<article>)",
        lambda root: root.name == "article" and (not root.namespace or "jats" in root.namespace.lower()),
        _INSTEAD + " (JATS holds one article's full text; kg reads issue metadata)",
    ),
    Unsupported(
        "a PubMed search result (<PubmedArticleSet>)",
        lambda root: root.name in ("PubmedArticleSet", "PubmedBookArticleSet"),
        "export the publisher ArticleSet from the journal system instead of a file downloaded from PubMed",
    ),
    Unsupported(
        "DOAJ article XML (<records>)",
        lambda root: root.name == "records" and not root.namespace,
        _INSTEAD + " (the DOAJ upload format carries no issue header)",
    ),
    Unsupported(
        "an OAI-PMH response (<OAI-PMH>)",
        lambda root: root.name == "OAI-PMH",
        _INSTEAD + " (harvested OAI-PMH records are not read)",
    ),
    Unsupported(
        "an HTML page (an error or login page saved under an .xml name?)",
        lambda root: root.name.lower() == "html" or root.doctype.lower().startswith("html"),
        "open the export's address in a browser, check that it downloads XML rather than a web page, and save that",
    ),
)
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)


def read_file(path: Path, secret: bytes) -> ReadResult:
    """Read one file of any known format. Never raises for bad input: problems are returned as values."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        source = SourceFile(path=str(path), name=path.name, sha256="", size=0)
        return rejected(source, "unreadable", f"cannot read the file: {error}")
    return read_data(path, data, secret)


def read_data(path: Path, data: bytes, secret: bytes) -> ReadResult:
    """Guard, recognise and read the bytes of one file."""
    source = source_file(path, data)
    refusal = safe_xml.guard(data)
    if refusal is not None:
        return rejected(source, refusal.code, refusal.message)
    if _HTML_START.match(data, 0, 4096):  # HTML is rarely well-formed XML: tell it before parsing
        return _unsupported(source, UNSUPPORTED[-1], None)
    root = safe_xml.sniff_root(data)
    if root is None:
        return _malformed(source, data)
    for reader in READERS:
        if reader.recognises(root):
            return reader.read(source, data, secret)
    for unsupported in UNSUPPORTED:
        if unsupported.matches(root):
            return _unsupported(source, unsupported, root.line)
    shown = f"{{{root.namespace}}}{root.name}" if root.namespace else root.name
    message = f"not a journal export: the root element is <{shown}>; kg reads {_READABLE}"
    return rejected(source, "not-a-journal-export", message, root.line)


def format_of(data: bytes) -> str:
    """The name of the format the bytes are in ("" when no reader recognises them)."""
    root = safe_xml.sniff_root(data)
    return next((reader.FORMAT for reader in READERS if root is not None and reader.recognises(root)), "")


def _unsupported(source: SourceFile, unsupported: Unsupported, line: int | None) -> ReadResult:
    message = f"the file is {unsupported.name}, a format kg does not read: {unsupported.instead}"
    return rejected(source, "unsupported-format", message, line)


def _malformed(source: SourceFile, data: bytes) -> ReadResult:
    """The syntax error that kept the root element from being read."""
    try:
        safe_xml.parse_whole(data)
    except etree.XMLSyntaxError as error:
        return rejected(source, "malformed-xml", safe_xml.syntax_reason(error), safe_xml.error_line(error))
    return rejected(source, "malformed-xml", "no XML element")
