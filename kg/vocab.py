"""Every namespace and vocabulary term kg emits, in one place.

Mappers import terms from here and never spell an IRI themselves, so that the test that checks every
emitted class and property against the official vocabulary files (``ontology/vocab/``) covers all of them.
Terms are pyoxigraph ``NamedNode`` objects because the pipeline builds pyoxigraph quads directly: it
never holds the graph in an rdflib ``Graph``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import NamedNode


class Namespace:
    """A vocabulary namespace: ``SCHEMA.name`` or ``SCHEMA["name"]`` gives the term as a NamedNode."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self._cache: dict[str, NamedNode] = {}

    def __getitem__(self, local: str) -> NamedNode:
        term = self._cache.get(local)
        if term is None:
            term = self._cache[local] = NamedNode(self.iri + local)
        return term

    def __getattr__(self, local: str) -> NamedNode:
        # Called only when normal lookup fails: the term is then stored as an attribute, so the
        # mappers' hot loops pay a plain attribute read from the second use on.
        if local.startswith("_"):
            raise AttributeError(local)
        term = self[local]
        setattr(self, local, term)
        return term


SCHEMA = Namespace("http://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
PRO = Namespace("http://purl.org/spar/pro/")
SCORO = Namespace("http://purl.org/spar/scoro/")
DATACITE = Namespace("http://purl.org/spar/datacite/")
LITERAL = Namespace("http://www.essepuntato.it/2010/06/literalreification/")
OCO = Namespace("https://w3id.org/oc/ontology/")
CITO = Namespace("http://purl.org/spar/cito/")  # defined in ontology/vocab/oco.ttl
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TIME = Namespace("http://www.w3.org/2006/time#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
KG = Namespace("https://w3id.org/kg/ns#")  # the project's own few terms: ontology/kg.ttl
KGS = Namespace("https://w3id.org/kg/search#")  # SPARQL search functions (kg.search.sparql_functions)
SHAPES_NS = "https://w3id.org/kg/shapes#"  # the shapes of shapes/*.ttl (prefix kgsh:)

RDF_TYPE = RDF.type

PREFIXES: dict[str, str] = {
    "schema": SCHEMA.iri,
    "fabio": FABIO.iri,
    "prism": PRISM.iri,
    "frbr": FRBR.iri,
    "pro": PRO.iri,
    "scoro": SCORO.iri,
    "datacite": DATACITE.iri,
    "literal": LITERAL.iri,
    "oco": OCO.iri,
    "cito": CITO.iri,
    "foaf": FOAF.iri,
    "dcterms": DCTERMS.iri,
    "skos": SKOS.iri,
    "time": TIME.iri,
    "prov": PROV.iri,
    "xsd": XSD.iri,
    "rdfs": RDFS.iri,
    "kg": KG.iri,
}


def sparql_prologue(prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``PREFIX`` declarations for SPARQL text, one per line (the project's prefixes by default)."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


# External IRIs that are values, not terms.
LANGUAGE_IRI = {
    "fa": NamedNode("http://id.loc.gov/vocabulary/iso639-1/fa"),
    "en": NamedNode("http://id.loc.gov/vocabulary/iso639-1/en"),
    "ar": NamedNode("http://id.loc.gov/vocabulary/iso639-1/ar"),
}
SOLAR_HIJRI_DBPEDIA = NamedNode("http://dbpedia.org/resource/Solar_Hijri_calendar")
DOI_RESOLVER = "https://doi.org/"
ORCID_RESOLVER = "https://orcid.org/"


def shape_curie(iri: str) -> str:
    """A shape of ``shapes/`` as ``kgsh:Name``, the way reports show it; any other IRI as it is."""
    return "kgsh:" + iri.removeprefix(SHAPES_NS) if iri.startswith(SHAPES_NS) else iri
