"""SHACL property paths three ways: compiled to SPARQL, written into results, read back from them.

A shape's ``sh:path`` is RDF (an IRI, or a blank node for inverse, sequence, alternative and ``*``/``+``/``?``
paths). The compiler needs it as a SPARQL property path (``sparql_path``); a result carries it as the short
text the build's reports print (``render_path``: ``iri``, ``^<iri>``, ``<iri>+``, a ``/`` sequence); and
attribution and the W3C report need the predicate of the plain and inverse ones back (``simple_path``).
"""

from __future__ import annotations

import rdflib
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.validation.shapes import SH, UnsupportedShape


def render_path(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    """A result path as the build's reports write it: an IRI, ``^<iri>``, ``<iri>+``, or "" (other paths)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^<{inverse}>"
    for key, suffix in ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, key)
        if inner is not None:
            return f"{render_path(graph, inner)}{suffix}" if isinstance(inner, BNode) else f"<{inner}>{suffix}"
    if (path, RDF.first, None) in graph:
        return "/".join(
            render_path(graph, item) if isinstance(item, BNode) else f"<{item}>" for item in Collection(graph, path)
        )
    return ""


def sparql_path(graph: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(sparql_path(graph, step) for step in Collection(graph, path)) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{sparql_path(graph, inverse)}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(graph, step) for step in Collection(graph, alternatives)) + ")"
    for key, suffix in ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, key)
        if inner is not None:
            return f"({sparql_path(graph, inner)}){suffix}"
    raise UnsupportedShape(f"unsupported property path {path}")


def simple_path(path: str) -> tuple[URIRef | None, bool]:
    """The predicate of a plain (``iri``) or inverse (``^<iri>``) rendered path; None for longer paths."""
    if path.startswith("^<") and path.endswith(">") and path.count("<") == 1:
        return URIRef(path[2:-1]), True
    if path and not path.startswith(("^", "<")):
        return URIRef(path), False
    return None, False
