"""Provenance: where each article graph came from (data model 4.11, decision 5).

The article graph describes itself as a ``prov:Entity`` derived from the source file, which is named by
the SHA-256 of its exact bytes. Nothing here depends on the time of the run, so an unchanged input gives
an identical graph; the run itself (times, software agent) is recorded by the build in ``graph/runs``.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg import __version__
from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.records import SourceFile
from kg.vocab import DCTERMS, PROV, RDF_TYPE, RDFS, SCHEMA, XSD


def map_article_provenance(
    out: GraphBuilder, minter: Minter, article: NamedNode, source: SourceFile, primary_source: str
) -> None:
    graph = out.graph
    if graph is None:
        raise ValueError("provenance describes a named graph: the builder of a cached fragment has none")
    source_iri = minter.source_file(source.sha256)
    out.types(graph, PROV.Entity)
    out.add(graph, PROV.wasDerivedFrom, source_iri)
    out.link(graph, PROV.hadPrimarySource, primary_source)
    out.add(article, SCHEMA.isBasedOn, source_iri)
    out.types(source_iri, PROV.Entity)
    out.value(source_iri, DCTERMS.identifier, source.name)
    out.value(source_iri, DCTERMS.format, "application/xml")
    out.value(source_iri, DCTERMS.extent, source.size, XSD.integer)


def run_quads(
    minter: Minter, run_id: str, started: str, ended: str, graphs: list[NamedNode], sources: list[str]
) -> list[Quad]:
    """The conversion run: a ``prov:Activity`` with its times, agent, inputs and the graphs it made."""
    runs = minter.runs_graph()
    run = minter.run(run_id)
    agent = minter.agent(__version__)
    quads = [
        Quad(run, RDF_TYPE, PROV.Activity, runs),
        Quad(run, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime), runs),
        Quad(run, PROV.endedAtTime, Literal(ended, datatype=XSD.dateTime), runs),
        Quad(run, PROV.wasAssociatedWith, agent, runs),
        Quad(agent, RDF_TYPE, PROV.SoftwareAgent, runs),
        Quad(agent, RDFS.label, Literal(f"kg {__version__}", language="en"), runs),
    ]
    for sha256 in sources:
        quads.append(Quad(run, PROV.used, minter.source_file(sha256), runs))
    for graph in graphs:
        quads.append(Quad(graph, PROV.wasGeneratedBy, run, runs))
        quads.append(Quad(graph, PROV.generatedAtTime, Literal(ended, datatype=XSD.dateTime), runs))
    return quads
