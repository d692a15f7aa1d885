"""A cheap look at a query's text before it runs: its form, its FROM clauses and its SERVICE endpoints.

The request path must decide three things without paying for a full parse (pyoxigraph parses again in the
query process anyway): which result formats apply (the query form decides), whether the query names its own
dataset (FROM / FROM NAMED: then the union default graph must not override it) and whether it calls out to
another endpoint (SERVICE: refused unless the operator allowed that endpoint). A small tokenizer that knows
where strings, IRIs and comments are is enough for all three, because SPARQL keywords cannot be escaped
(oxigraph applies ``\\u`` escapes only inside IRIs and strings). When in doubt the scan refuses: a false
"SERVICE found" costs a clear 403, a missed one would let a query reach the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*(?:\\[uU][0-9A-Fa-f]+[^<>"{}|^`\\\x00-\x20]*)*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<word>(?:[^\W\d]|_)[\w.\-\u00B7]*(?::(?:[\w.\-:%\u00B7]|\\.)*)?|:(?:[\w.\-:%\u00B7]|\\.)*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass
class Scan:
    """What the tokenizer saw; ``form`` is None when no query form keyword was found (parse error ahead)."""

    form: str | None = None
    update_keyword: str | None = None
    has_from: bool = False
    services: list[str | None] = field(default_factory=list)  # resolved endpoint IRIs; None: unresolvable


def _unescape_iri(text: str) -> str:
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _tokens(query: str) -> list[tuple[str, str]]:
    return [
        (match.lastgroup or "other", match.group())
        for match in _TOKEN.finditer(query)
        if match.lastgroup not in ("ws", "comment")
    ]


def scan(query: str) -> Scan:
    """Tokenize once and collect the form, FROM, and every SERVICE endpoint (resolved when possible)."""
    result = Scan()
    tokens = _tokens(query)
    prefixes: dict[str, str] = {}
    base: str | None = None
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "word":
            upper = text.rstrip(".").upper()
            if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
                name = tokens[i + 1][1]
                iri = _unescape_iri(tokens[i + 2][1][1:-1])
                prefixes[name.rstrip(":")] = urljoin(base, iri) if base else iri
                i += 3
                continue
            if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
                iri = _unescape_iri(tokens[i + 1][1][1:-1])
                base = urljoin(base, iri) if base else iri
                i += 2
                continue
            if result.form is None and result.update_keyword is None:
                if upper in QUERY_FORMS:
                    result.form = upper
                elif upper in UPDATE_KEYWORDS:
                    result.update_keyword = upper
            if upper == "FROM":
                result.has_from = True
            elif upper == "SERVICE":
                j = i + 1
                if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                    j += 1
                result.services.append(_endpoint(tokens[j] if j < len(tokens) else None, prefixes, base))
                i = j
        i += 1
    return result


def _endpoint(token: tuple[str, str] | None, prefixes: dict[str, str], base: str | None) -> str | None:
    """The IRI a SERVICE names, or None when it is a variable or cannot be resolved (then: refuse)."""
    if token is None:
        return None
    kind, text = token
    if kind == "iri":
        iri = _unescape_iri(text[1:-1])
        if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return iri
        return urljoin(base, iri) if base else None
    if kind == "word" and ":" in text:
        prefix, _, local = text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def refused_services(found: Scan, allowed: tuple[str, ...]) -> list[str]:
    """The SERVICE endpoints of a query that the configuration does not allow (as text for the message)."""
    return [
        endpoint or "(a variable or unresolvable IRI)"
        for endpoint in found.services
        if endpoint is None or endpoint not in allowed
    ]
