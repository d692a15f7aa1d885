"""The little builder every mapper writes into: the statements of one named graph, no I/O.

Mappers add triples with ``add`` (IRI or literal object), ``text`` (a language-tagged literal, skipped
when empty: the data model publishes no empty literals), ``value`` (a plain or typed literal) and ``link``
(an external IRI, checked here), or append a whole ``fragment``: the statements of a thing that recurs (a
journal, a person, a concept), which its mapper makes once and caches (see ``FragmentCache``).

IRIs are pyoxigraph ``NamedNode`` objects, so every IRI is checked when it is made (by the Minter, by
``kg.vocab`` or by ``link``); literals never become pyoxigraph objects, they are written straight as
N-Triples text by ``literal``. Each statement is formatted once, when it is added, as UTF-8 bytes without
its terminator (``<s> <p> <o>``): a cached fragment's bytes are reused as they are (their hashes too, for
the deduplication), and the article's N-Quads are one ``bytes.join`` with `` <graph> .\n`` as separator.
Building pyoxigraph ``Quad`` objects, or formatting each of an article's 300 quads at the end, used to be
the largest cost of a build.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from pyoxigraph import Literal, NamedNode

from kg.vocab import RDF_TYPE, XSD

_XSD_STRING = XSD.string.value
_XSD_INTEGER = XSD.integer.value
_RDF_TYPE = f"<{RDF_TYPE.value}>"

Predicates = tuple[NamedNode, ...] | NamedNode
Fragment = tuple[bytes, ...]  # N-Triples statements, UTF-8, each without its " .\n"


def literal(value: str, language: str = "", datatype: str = "") -> str:
    """A literal as N-Triples text: ``"value"@lang``, ``"value"`` (xsd:string) or ``"value"^^<datatype>``.

    Backslash, quote, LF and CR are escaped (as pyoxigraph writes them), so a statement never holds a raw
    line break and each quad is exactly one line.
    """
    value = _escape(value)
    if language:
        return f'"{value}"@{language}'
    if not datatype or datatype == _XSD_STRING:
        return f'"{value}"'
    return f'"{value}"^^<{datatype}>'


def _escape(value: str) -> str:
    """A literal's value as N-Triples text (without quotes): backslash, quote, LF and CR escaped."""
    if "\\" in value or '"' in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return value


def _object(obj: NamedNode | Literal) -> str:
    if type(obj) is NamedNode:
        return f"<{obj.value}>"
    return literal(obj.value, obj.language or "", obj.datatype.value)


class GraphBuilder:
    """The statements of one graph (or of one cached fragment, when ``graph`` is None)."""

    def __init__(self, graph: NamedNode | None = None) -> None:
        self.graph = graph
        self.statements: list[bytes] = []  # "<s> <p> o" as UTF-8, duplicates included

    def add(self, subject: NamedNode, predicates: Predicates, obj: NamedNode | Literal) -> None:
        if type(obj) is NamedNode and isinstance(predicates, NamedNode):  # the most common statement, made fast
            self.statements.append(f"<{subject.value}> <{predicates.value}> <{obj.value}>".encode())
        else:
            self._each(subject, predicates, _object(obj))

    def describe(self, subject: NamedNode, *pairs: tuple[NamedNode, NamedNode | Literal]) -> None:
        """Several ``(predicate, object)`` statements about one subject (its text is formatted once)."""
        head = f"<{subject.value}> <"
        self.statements.extend(
            [
                (
                    f"{head}{predicate.value}> <{obj.value}>"
                    if type(obj) is NamedNode
                    else f"{head}{predicate.value}> {_object(obj)}"
                ).encode()
                for predicate, obj in pairs
            ]
        )

    def fragment(self, statements: Fragment) -> None:
        """Add statements made by another builder (its ``ntriples``), typically cached ones."""
        self.statements.extend(statements)

    def ntriples(self) -> Fragment:
        """Everything added so far, to be cached and added to other graphs with ``fragment``."""
        return tuple(self.statements)

    def nquads(self) -> tuple[bytes, int]:
        """The graph as N-Quads, each quad once in first-seen order, and the number of quads."""
        if self.graph is None:
            raise ValueError("a fragment builder has no graph to write N-Quads into")
        unique = dict.fromkeys(self.statements)
        count = len(unique)
        if not count:
            return b"", 0
        unique[b""] = None  # so that the join ends the last line too, without copying the bytes again
        return f" <{self.graph.value}> .\n".encode().join(unique), count

    def types(self, subject: NamedNode, *classes: NamedNode) -> None:
        head = f"<{subject.value}> {_RDF_TYPE} <"
        self.statements.extend([f"{head}{cls.value}>".encode() for cls in classes])

    def _each(self, subject: NamedNode, predicates: Predicates, obj: str) -> None:
        """One statement per predicate, sharing subject and object."""
        if isinstance(predicates, NamedNode):
            self.statements.append(f"<{subject.value}> <{predicates.value}> {obj}".encode())
        else:
            head = f"<{subject.value}> <"
            tail = f"> {obj}"
            self.statements.extend([f"{head}{predicate.value}{tail}".encode() for predicate in predicates])

    def text(self, subject: NamedNode, predicates: Predicates, value: str, lang: str) -> None:
        if value:
            self._each(subject, predicates, f'"{_escape(value)}"@{lang}')

    def value(
        self, subject: NamedNode, predicates: Predicates, value: str | int, datatype: NamedNode | None = None
    ) -> None:
        if value == "" or value is None:
            return
        if isinstance(value, int) and datatype is None:
            self._each(subject, predicates, literal(str(value), datatype=_XSD_INTEGER))
        else:
            self._each(subject, predicates, literal(str(value), datatype=datatype.value if datatype else ""))

    def link(self, subject: NamedNode, predicates: Predicates, iri: str) -> None:
        """An external IRI (a web page, a resolver URL) as object; checked by pyoxigraph, so a bad one raises."""
        if iri:
            self._each(subject, predicates, f"<{NamedNode(iri).value}>")


Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class FragmentCache(Generic[Key, Value]):
    """A bounded cache of what a mapper serialised for a recurring thing.

    Journals, issues, people, organizations and concepts recur across the articles of a file and across
    files; their statements are a pure function of the cache key (which must therefore hold every record
    field and the base IRI that go into them), so they are made once per process. The bound keeps a
    worker's memory flat however large the corpus: when full, the oldest entry goes (first in, first
    out, which keeps a hit to a single dict lookup; a frequent thing that was dropped is simply made again).
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: dict[Key, Value] = {}
        self.misses = 0

    def get(self, key: Key, make: Callable[..., Value], *args: object) -> Value:
        """The cached value for ``key``, made by ``make(*args)`` (and kept) when it is not cached."""
        value = self.entries.get(key, _MISSING)
        if value is _MISSING:
            self.misses += 1
            value = make(*args)
            if len(self.entries) >= self.maxsize:
                del self.entries[next(iter(self.entries))]
            self.entries[key] = value
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        self.entries.clear()
        self.misses = 0


_MISSING = object()


def record_key(record: object) -> tuple:
    """A hashable copy of a record (a dataclass of strings, numbers, dicts, lists and records).

    The cache key of what is mapped from the whole record: every field is in it, so a field added to the
    record later cannot be forgotten in the key.
    """
    return tuple(value if type(value) in _ATOMIC else _frozen(value) for value in vars(record).values())


_ATOMIC = frozenset({str, int, float, bool, type(None)})


def _frozen(value: object) -> Hashable:
    if type(value) in _ATOMIC:
        return value
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return (type(value).__name__, record_key(value))
