"""The SPARQL 1.1 Service Description of the endpoint, with the limits it enforces.

GET /sparql without a query returns it (SPARQL 1.1 Service Description section 2). It states what a
client needs to know before querying: the default graph is the union of the article graphs
(``sd:UnionDefaultGraph``), the result formats, whether federation is possible, and the configured limits
(in the project's ``kg:`` namespace, since the SD vocabulary has no terms for them): time, memory per query,
query length, result rows and bytes, as ``kg:queryTimeLimit``, ``kg:maxQueryMemory``, ``kg:maxQueryLength``,
``kg:maxResultRows``, ``kg:maxResultBytes`` (defined in ``ontology/kg.ttl``).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, Triple, serialize

from kg import __version__
from kg.iris import Minter
from kg.server.config import Config
from kg.server.contract import Backend
from kg.server.results import GRAPH_TYPES
from kg.vocab import DCTERMS, KG, PREFIXES, PROV, RDF_TYPE, RDFS, SD, VOID, XSD

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
]


def description_triples(endpoint: str, config: Config, backend: Backend) -> list[Triple]:
    """The description as triples (the dataset pages of a later issue can reuse them)."""
    service = NamedNode(endpoint)
    dataset = NamedNode(endpoint + "#dataset")
    default_graph = NamedNode(endpoint + "#default-graph")
    triples = [
        Triple(service, RDF_TYPE, SD.Service),
        Triple(service, SD.endpoint, service),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(service, SD.defaultEntailmentRegime, NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, SD.defaultDataset, dataset),
        Triple(dataset, RDF_TYPE, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default_graph),
        Triple(default_graph, RDF_TYPE, SD.Graph),
        Triple(service, KG.queryTimeLimit, Literal(f"{config.query_timeout:g}", datatype=XSD.decimal)),
        Triple(service, KG.maxQueryLength, Literal(str(config.max_query_length), datatype=XSD.integer)),
        Triple(service, KG.maxResultRows, Literal(str(config.max_result_rows), datatype=XSD.integer)),
        Triple(service, KG.maxResultBytes, Literal(str(config.max_result_bytes), datatype=XSD.integer)),
    ]
    if config.query_memory > 0:
        triples.append(Triple(service, KG.maxQueryMemory, Literal(str(config.query_memory), datatype=XSD.integer)))
    if backend.default_graph_is_union():
        triples.append(Triple(service, SD.feature, SD.UnionDefaultGraph))
    triples += [Triple(service, SD.resultFormat, NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    if config.allow_service:
        triples.append(Triple(service, SD.feature, SD.BasicFederatedQuery))
        triples += [Triple(service, KG.allowedServiceEndpoint, NamedNode(iri)) for iri in config.allow_service]
    # the kg serving this endpoint (the VoID names the one that built the release; they may differ)
    triples += software_agent_triples(service, endpoint.rsplit("/sparql", 1)[0], __version__)
    release = backend.release()
    if release is not None:
        triples.append(Triple(dataset, DCTERMS.identifier, Literal(release.id)))
        count = release.default_graph_triples  # not the quads written: the default graph is their merge
        if count is not None:
            triples.append(Triple(default_graph, VOID.triples, Literal(str(count), datatype=XSD.integer)))
    return triples


def software_agent_triples(thing: NamedNode, base: str, version: str) -> list[Triple]:
    """``thing prov:wasAttributedTo`` the kg release that made it: the agent IRI of the provenance graph."""
    agent = Minter(base).agent(version)
    return [
        Triple(thing, PROV.wasAttributedTo, agent),
        Triple(agent, RDF_TYPE, PROV.SoftwareAgent),
        Triple(agent, RDFS.label, Literal(f"kg {version}", language="en")),
    ]


def service_description(endpoint: str, config: Config, backend: Backend, media_type: str) -> bytes:
    prefixes = {
        "sd": SD.iri,
        "kg": KG.iri,
        "void": VOID.iri,
        "dcterms": DCTERMS.iri,
        "prov": PREFIXES["prov"],
        "xsd": PREFIXES["xsd"],
    }
    rdf_format = GRAPH_TYPES[media_type]
    triples = description_triples(endpoint, config, backend)
    statements: list[Triple] | list[Quad] = triples
    if media_type in ("application/n-quads", "application/trig"):  # dataset formats: the default graph
        statements = [Quad(t.subject, t.predicate, t.object) for t in triples]
    usable = prefixes if media_type in ("text/turtle", "application/trig", "application/rdf+xml") else None
    body = serialize(statements, format=rdf_format, prefixes=usable)
    if body is None:  # serialize() returns bytes when given no output; None would be a pyoxigraph change
        raise RuntimeError("pyoxigraph.serialize returned nothing for the service description")
    return body
