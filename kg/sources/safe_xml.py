"""Safe XML handling every reader shares: where hostile and broken input stops.

Parsers here never resolve entities, never load a DTD and never touch the network, so a DOCTYPE that names
an external DTD (the NLM PubMed one, OJS's "HBI_DTD") is read as plain markup and nothing is fetched. A
document that *declares* entities is refused before parsing (XXE and "billion laughs" need them; real
exports never do). Compressed files saved under an ``.xml`` name are named with the command that opens them.
``sniff_root`` reads only the first element's start tag, so a reader can be chosen without parsing the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from lxml import etree

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
SNIFF_BYTES = 64 * 1024
# Exports downloaded compressed and saved under their .xml name: (leading bytes, what it is, how to open it)
ARCHIVES = (
    (b"\x1f\x8b", "gzip-compressed", "gunzip"),
    (b"PK\x03\x04", "a zip archive", "unzip"),
    (b"BZh", "bzip2-compressed", "bunzip2"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz"),
)
# Entities are never resolved, no DTD is loaded, nothing is fetched: XXE and entity bombs stay inert even
# if the pre-check in ``guard`` missed them.
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
)


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused before any parsing: a problem code and its message."""

    code: str
    message: str


@dataclass(frozen=True)
class Root:
    """The first element of a file: its local name, namespace and attributes (what recognises a format)."""

    name: str
    namespace: str
    attributes: dict[str, str]
    doctype: str  # the DOCTYPE's root name and identifiers as written, "" when there is none
    line: int | None


def guard(data: bytes) -> Refusal | None:
    """Why the bytes cannot be read as XML at all (empty, compressed, declaring entities), or None."""
    # isspace() and search(..., endpos) instead of strip() and a slice: neither copies the file
    if not data or data.isspace():
        return Refusal("empty-file", "the file is empty")
    for magic, kind, command in ARCHIVES:
        if data.startswith(magic):
            return Refusal("compressed-file", f"the file is {kind}, not XML: extract the export first ({command})")
    if _DOCTYPE.search(data, 0, SNIFF_BYTES) and _ENTITY_DECLARATION.search(data):
        return Refusal(
            "entity-declaration",
            "the file declares XML entities (<!ENTITY>); external entities (XXE) and entity "
            "expansion are refused, and journal exports never need them",
        )
    return None


# The common case read without a parser: an optional declaration, then a root start tag without namespace.
_SIMPLE_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)((?:\s[^<>]*?)?)/?>")
_ATTRIBUTE = re.compile(rb"""([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(text: bytes) -> dict[str, str]:
    """The attributes of a start tag read by ``_SIMPLE_START`` (values as written, entities not expanded)."""
    return {
        match.group(1).decode("utf-8", "replace").rsplit(":", 1)[-1]: (match.group(2) or match.group(3) or b"").decode(
            "utf-8", "replace"
        )
        for match in _ATTRIBUTE.finditer(text)
    }


_DOCTYPE_TEXT = re.compile(rb"<!DOCTYPE\s+([^>\[]*)", re.IGNORECASE)


def sniff_root(data: bytes) -> Root | None:
    """The root element, read from the first bytes only (None when no start tag is found there).

    A pull parser is fed the file in 16 KB pieces until its first start event: a whole issue is never
    parsed twice just to learn its format.
    """
    simple = _SIMPLE_START.match(data, 0, SNIFF_BYTES)
    if simple is not None and b"<!" not in data[: simple.start(1)]:  # no DOCTYPE or comment before the root
        tag = simple.group(1).decode("ascii")
        if b":" not in simple.group(1) and b"xmlns" not in simple.group(2):
            line = data.count(b"\n", 0, simple.start(1)) + 1
            return Root(tag, "", _attributes(simple.group(2)), "", line)
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    doctype_match = _DOCTYPE_TEXT.search(data, 0, SNIFF_BYTES)
    doctype = doctype_match.group(1).decode("utf-8", "replace").strip() if doctype_match else ""
    for offset in range(0, min(len(data), SNIFF_BYTES), 16 * 1024):
        broken = False
        try:
            parser.feed(data[offset : offset + 16 * 1024])
        except etree.XMLSyntaxError:
            broken = True  # a file broken early may still have opened its root element
        for _event, element in parser.read_events():
            qname = etree.QName(element)
            attributes = {etree.QName(key).localname: value for key, value in element.attrib.items()}
            return Root(qname.localname, qname.namespace or "", attributes, doctype, element.sourceline)
        if broken:
            return None
    return None


def parse_whole(data: bytes) -> etree._Element | None:
    """The document's root, parsed at once by lxml's C parser; raises ``XMLSyntaxError`` when it is broken."""
    return etree.fromstring(data, SAFE_PARSER)


def stream(data: bytes) -> Iterator[tuple[str, etree._Element]]:
    """``iterparse`` start and end events: what a reader walks to keep the whole records of a broken file."""
    return iter(
        etree.iterparse(
            BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    )


def error_line(error: etree.XMLSyntaxError) -> int | None:
    """The line of a syntax error; iterparse with entities unresolved reports an undefined entity only as
    "no element found" at line 0, with the real error (and its line) in the error log."""
    if error.lineno:
        return error.lineno
    entry = _logged_error(error)
    return entry.line if entry is not None and entry.line else None


def _logged_error(error: etree.XMLSyntaxError) -> etree._LogEntry | None:
    log = getattr(error, "error_log", None)
    return next(iter(log), None) if log is not None and (error.lineno or 0) == 0 else None


def syntax_reason(error: etree.XMLSyntaxError) -> str:
    """What a syntax error means to the person who sent the file (truncated, undecodable, malformed)."""
    message = str(error.msg if getattr(error, "msg", None) else error)
    logged = _logged_error(error)
    if logged is not None and logged.message:
        message = logged.message.strip()
    message = re.sub(r",? line \d+, column \d+.*$", "", message)
    if "Document is empty" in message:
        return "malformed XML: no content"
    if "not proper UTF-8" in message or "encoding" in message.lower() or "Char 0x" in message:
        return f"undecodable bytes: {message} (declare the file's encoding or convert it to UTF-8)"
    if "Premature end" in message or "EndTag" in message or "end of data" in message.lower():
        return f"the XML is truncated: {message}"
    return f"malformed XML: {message}"


def element_name(element: etree._Element) -> str:
    """The element's tag without namespace, as written (what a report names)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def local_name(element: etree._Element) -> str:
    """The element's tag without namespace, lower-cased ("" for comments and PIs): formats vary in case."""
    tag = element.tag
    try:
        return _LOCAL_NAMES[tag]  # type: ignore[index]
    except KeyError:
        pass
    except TypeError:  # a comment's or PI's tag is a function, and not hashable as a str key would be
        return ""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1].lower()
    return name


_LOCAL_NAMES: dict[str, str] = {}  # a format has a few dozen tags: each is lowered once per process
