"""Writing query results within the limits: a bounded spool and the SPARQL result serializers.

Runs inside the query processes. Results are written completely (to memory, then to a temporary file once
they outgrow ``spool_threshold``) before the web worker sends a single byte, so a query that fails, times
out or exceeds a limit gets an error status instead of a 200 with a truncated body, while a large result
is still never held in memory as a whole.

SELECT results are serialized here rather than by pyoxigraph so that rows can be counted (and the row
limit enforced) as they are produced; CONSTRUCT/DESCRIBE results go through pyoxigraph's own serializers
fed by a counting generator.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import BinaryIO, Generic, TypeVar
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    RdfFormat,
    Triple,
)
from pyoxigraph import serialize as rdf_serialize

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

# media type -> serializer name, for each kind of result
SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}


class ResultTooLarge(Exception):
    """The result passed ``max_result_rows`` or ``max_result_bytes``."""


class Spool:
    """A binary sink that stays in memory while small, spills to a file when large, and enforces a cap."""

    def __init__(self, max_bytes: int, threshold: int, directory: str, prefix: str) -> None:
        self.max_bytes = max_bytes
        self.threshold = threshold
        self.directory = directory
        self.prefix = prefix
        self.size = 0
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None
        self.path: str | None = None

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise ResultTooLarge(f"the result is larger than the limit of {self.max_bytes} bytes")
        if self._memory is not None:
            self._memory.write(data)
            if self._memory.tell() > self.threshold:
                fd, self.path = tempfile.mkstemp(prefix=self.prefix, dir=self.directory)
                self._file = os.fdopen(fd, "wb", buffering=256 * 1024)
                self._file.write(self._memory.getbuffer())
                self._memory = None
        else:
            assert self._file is not None
            self._file.write(data)
        return len(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def finish(self) -> tuple[bytes | None, str | None]:
        """(bytes, None) for a small result, (None, path) for a spooled one; the caller owns the file."""
        if self._file is not None:
            self._file.close()
            return None, self.path
        assert self._memory is not None
        return self._memory.getvalue(), None

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        if self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass


class _Buffered:
    """Collects small string pieces and hands them to the spool in 64 KiB blocks (fewer Python calls)."""

    def __init__(self, sink: Spool) -> None:
        self.sink = sink
        self.parts: list[str] = []
        self.pending = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pending += len(text)
        if self.pending > 65536:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.sink.write("".join(self.parts).encode("utf-8"))
            self.parts, self.pending = [], 0


# ---- SELECT ----------------------------------------------------------------------------------------------

# json.dumps(s, ensure_ascii=False) is this C function behind a Python wrapper that costs ten times more;
# SELECT results call it for every term, so the writer calls it directly.
_json_string: Callable[[str], str] = encode_basestring


def _json_term(term: object) -> str:
    if isinstance(term, NamedNode):
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if isinstance(term, Literal):
        out = '{"type":"literal","value":' + _json_string(term.value)
        if term.language:
            out += ',"xml:lang":' + _json_string(term.language)
            if term.direction is not None:
                out += ',"its:dir":' + _json_string(str(term.direction).rsplit(".", 1)[-1].lower())
        else:
            datatype = term.datatype.value
            if datatype != XSD_STRING:
                out += ',"datatype":' + _json_string(datatype)
        return out + "}"
    if isinstance(term, BlankNode):
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    if isinstance(term, Triple):
        return (
            '{"type":"triple","value":{"subject":'
            + _json_term(term.subject)
            + ',"predicate":'
            + _json_term(term.predicate)
            + ',"object":'
            + _json_term(term.object)
            + "}}"
        )
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, NamedNode):
        return "<uri>" + escape(term.value) + "</uri>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>" + escape(term.value) + "</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>" + escape(term.value) + "</literal>"
        return "<literal>" + escape(term.value) + "</literal>"
    if isinstance(term, BlankNode):
        return "<bnode>" + escape(term.value) + "</bnode>"
    if isinstance(term, Triple):
        return (
            "<triple><subject>"
            + _xml_term(term.subject)
            + "</subject><predicate>"
            + _xml_term(term.predicate)
            + "</predicate><object>"
            + _xml_term(term.object)
            + "</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return str(term)


def _tsv_term(term: object) -> str:
    # pyoxigraph's str() is the N-Triples form, which TSV results use; tabs must not stay raw
    return "" if term is None else str(term).replace("\t", "\\t")


def _rows(solutions: QuerySolutions, max_rows: int) -> Iterator[QuerySolution]:
    for count, solution in enumerate(solutions, 1):
        if count > max_rows:
            raise ResultTooLarge(f"the result has more than the limit of {max_rows} rows")
        yield solution


def write_solutions(solutions: QuerySolutions, kind: str, sink: Spool, max_rows: int) -> int:
    """Serialize SELECT results as ``kind`` (json, xml, csv, tsv) into ``sink``; returns the row count."""
    names = [variable.value for variable in solutions.variables]
    out = _Buffered(sink)
    rows = 0
    if kind == "json":
        out.add('{"head":{"vars":' + json.dumps(names, ensure_ascii=False) + '},"results":{"bindings":[')
        keys = [_json_string(name) + ":" for name in names]
        separator = ""
        for solution in _rows(solutions, max_rows):
            cells = [key + _json_term(term) for key, term in zip(keys, solution, strict=True) if term is not None]
            out.add(separator + "{" + ",".join(cells) + "}")
            separator = ","
            rows += 1
        out.add("]}}")
    elif kind == "xml":
        out.add('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.add("".join(f"<variable name={quoteattr(name)}/>" for name in names) + "</head><results>")
        for solution in _rows(solutions, max_rows):
            cells = [
                f"<binding name={quoteattr(name)}>" + _xml_term(term) + "</binding>"
                for name, term in zip(names, solution, strict=True)
                if term is not None
            ]
            out.add("<result>" + "".join(cells) + "</result>")
            rows += 1
        out.add("</results></sparql>\n")
    elif kind == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(names)
        for solution in _rows(solutions, max_rows):
            writer.writerow([_csv_term(term) for term in solution])
            rows += 1
            if text.tell() > 65536:
                out.add(text.getvalue())
                text.seek(0)
                text.truncate()
        out.add(text.getvalue())
    elif kind == "tsv":
        out.add("\t".join("?" + name for name in names) + "\n")
        for solution in _rows(solutions, max_rows):
            out.add("\t".join(_tsv_term(term) for term in solution) + "\n")
            rows += 1
    else:
        raise ValueError(kind)
    out.flush()
    return rows


def write_boolean(value: bool, kind: str, sink: Spool) -> None:
    """ASK results; CSV and TSV carry a single ``true``/``false`` line, as pyoxigraph and Jena write them."""
    formats = {
        "json": QueryResultsFormat.JSON,
        "xml": QueryResultsFormat.XML,
        "csv": QueryResultsFormat.CSV,
        "tsv": QueryResultsFormat.TSV,
    }
    if kind == "json":
        sink.write(b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}")
        return
    if kind == "xml":
        sink.write(
            b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b"<head/><boolean>" + (b"true" if value else b"false") + b"</boolean></sparql>\n"
        )
        return
    if kind not in formats:
        raise ValueError(kind)
    sink.write(b"true\n" if value else b"false\n")


# ---- CONSTRUCT / DESCRIBE ----------------------------------------------------------------------------------


_Statement = TypeVar("_Statement", Triple, Quad)


def _bounded(statements: Iterable[_Statement], max_rows: int) -> Iterator[_Statement]:
    for count, statement in enumerate(statements, 1):
        if count > max_rows:
            raise ResultTooLarge(f"the result has more than the limit of {max_rows} triples")
        yield statement


class _Counter(Generic[_Statement]):
    def __init__(self, statements: Iterator[_Statement]) -> None:
        self.statements: Iterator[_Statement] = statements
        self.count = 0

    def __iter__(self) -> Iterator[_Statement]:
        for statement in self.statements:
            self.count += 1
            yield statement


def write_triples(
    triples: Iterable[Triple], media_type: str, sink: Spool, max_rows: int, prefixes: dict[str, str] | None = None
) -> int:
    """Serialize a graph result with pyoxigraph's serializer; returns the number of triples."""
    rdf_format = GRAPH_TYPES[media_type]
    counter: _Counter[Triple] | _Counter[Quad]
    if rdf_format in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        quads: Iterator[Quad] = (Quad(t.subject, t.predicate, t.object) for t in triples)
        counter = _Counter(_bounded(quads, max_rows))
    else:
        counter = _Counter(_bounded(triples, max_rows))
    usable_prefixes = prefixes if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
    # pyoxigraph's stub asks for a typing.IO; it only calls write(), which Spool has
    rdf_serialize(counter, sink, rdf_format, prefixes=usable_prefixes)  # type: ignore[arg-type]
    return counter.count
