"""The release marker: how a SPARQL store says which release it holds, and since when.

The marker is the build's own run record, the graph ``BASE/graph/runs`` (:func:`kg.mappers.provenance.run_quads`:
one ``prov:Activity`` per build, ``BASE/id/run/<release id>``, with its ``prov:endedAtTime``). ``kg publish
--to`` sends that graph last, after every article graph has reached the store, so a front end
(:mod:`kg.server.remote`) that reads a newer run knows the data under it is complete, and drops its caches.

Why not a graph of its own: anything else written into the store would be data that queries over the union
of the graphs see and the release does not hold (Oxigraph's union default graph includes the default graph
too), so statistics, VoID counts and ``?s ?p ?o`` answers would differ from the embedded store's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The newest run in a graph named .../graph/runs (front ends need not know the base to find it).
MARKER_QUERY = (
    "SELECT ?run ?time WHERE { GRAPH ?g { ?run a <http://www.w3.org/ns/prov#Activity> ; "
    "<http://www.w3.org/ns/prov#endedAtTime> ?time } "
    # the end time has whole seconds: two releases within one second are told apart by the run's IRI, whose
    # release id (a UTC timestamp to the microsecond) sorts as they were made
    'FILTER(STRENDS(STR(?g), "/graph/runs")) } ORDER BY DESC(STR(?time)) DESC(STR(?run)) LIMIT 1'
)
RUN_PATH = "/id/run/"  # kg.iris.Minter.run: BASE/id/run/<release id>


@dataclass(frozen=True)
class Marker:
    release: str
    published: str  # xsd:dateTime (the run's end)
    base: str


def marker_from_solutions(results: dict[str, Any]) -> Marker | None:
    """The marker from the SPARQL JSON results of :data:`MARKER_QUERY` (None when the store has none)."""
    bindings = results.get("results", {}).get("bindings", [])
    if not bindings:
        return None
    try:
        run, time = bindings[0]["run"]["value"], bindings[0]["time"]["value"]
    except KeyError:
        return None
    base, found, release = run.rpartition(RUN_PATH)
    if not found or not release:
        return None
    return Marker(release, time, base)
