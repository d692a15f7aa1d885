"""The SHACL shapes kg validates with, and the SHACL terms both validators read them by.

The shapes are the ``*.ttl`` files of ``shapes/`` (installed as ``kg.shapes`` and read through
``kg.resources``), one per entity. ``store.ttl`` is apart: its shapes only show across records, and only
``kg validate --store`` runs them (``kg.validation.store_check``). Tests pass a folder of their own.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

import rdflib
from rdflib import URIRef

from kg.resources import STORE_SHAPES_FILE, MissingResource
from kg.resources import shape_files as packaged_shape_files

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

SEVERITY_IRI: dict[str, URIRef] = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}


class UnsupportedShape(ValueError):
    """A shape uses SHACL this compiler does not translate; validating with it would miss results."""


def shape_files(shapes_dir: Path | None = None, store: bool = False) -> list[Traversable]:
    """The shapes files: the installed ones (``kg.resources``), or every ``*.ttl`` of ``shapes_dir`` but
    ``store.ttl`` (only that one, when ``store``). Raises ``MissingResource`` when installed ones lack."""
    if shapes_dir is None:
        return list(packaged_shape_files(store))
    files = sorted(Path(shapes_dir).glob("*.ttl"))
    return [f for f in files if (f.name == STORE_SHAPES_FILE) == store]


def load_shapes(shapes_dir: Path | None = None, store: bool = False) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shape_files(shapes_dir, store):
        graph.parse(data=path.read_bytes(), format="turtle")
    if not len(graph):
        raise MissingResource(
            "SHACL shapes",
            [path.name for path in shape_files(shapes_dir, store)] or ["*.ttl"],
            shapes_dir or "kg.shapes",
        )
    return graph


def severity(term: rdflib.term.Node | None) -> str:
    """The name of a ``sh:severity`` (or ``sh:resultSeverity``) term: "violation", "warning" or "info".

    A shape without one, or with a severity of its own making, reports violations (SHACL 2.1.5).
    """
    for name, iri in SEVERITY_IRI.items():
        if term == iri:
            return name
    return "violation"


def max_counts(shapes: rdflib.Graph) -> dict[str, int]:
    """Each shape's ``sh:maxCount``: attribution re-checks a merged batch's cardinality results with it."""
    return {str(shape): int(str(limit)) for shape, limit in shapes.subject_objects(SH.maxCount)}
