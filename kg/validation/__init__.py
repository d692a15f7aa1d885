"""SHACL validation of article graphs and of a published store: the validate stage of the pipeline.

Every article graph is checked against the shapes of ``shapes/`` before it is published, in batches, with
every result attributed to its article. The modules, in the order a check flows through them:

- ``shapes``: where the shapes are read from, and the SHACL terms both validators read them by;
- ``paths``: SHACL property paths as SPARQL, as report text, and back;
- ``compiler``: the shapes compiled to one SPARQL query per (shape, constraint) that returns only the
  violations, refusing any SHACL it does not translate;
- ``validator``: the build's ``Validator``, which runs those queries with pyoxigraph over a merged batch;
- ``attribution``: which articles of a batch each result belongs to;
- ``results``: ``ValidationResult`` and the W3C validation report;
- ``reference``: ``PyShaclValidator``, pySHACL over the same shapes, the reference the tests compare
  with (imported on its own: it is the only module that loads pySHACL);
- ``store_check``: a built store validated graph by graph, then the store-wide shapes;
- ``command``: ``kg validate``.

This package validates graphs it is given and never imports the build that uses it: the build's workers
(``kg.pipeline``) call ``Validator``, and ``kg validate`` has its input files mapped by the pipeline
before it validates them.
"""

from kg.validation.compiler import Check, compile_shapes
from kg.validation.results import ValidationResult, report_graph, sort_key
from kg.validation.shapes import SH, UnsupportedShape, load_shapes, severity, shape_files
from kg.validation.store_check import StoreValidation, run_store_shapes, validate_store
from kg.validation.validator import BatchValidator, Validator, report_turtle, shared_validator

__all__ = [
    "SH",
    "BatchValidator",
    "Check",
    "StoreValidation",
    "UnsupportedShape",
    "ValidationResult",
    "Validator",
    "compile_shapes",
    "load_shapes",
    "report_graph",
    "report_turtle",
    "run_store_shapes",
    "severity",
    "shape_files",
    "shared_validator",
    "sort_key",
    "validate_store",
]
