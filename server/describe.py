"""Reading descriptions for the linked-data routes, through the backend's SPARQL interface only.

The documents, pages and dataset description need small, bounded pieces of the graph: a thing's concise
bounded description, the labels of what it links to, the articles of a person. They are asked for as SPARQL
CONSTRUCT/SELECT queries through :class:`kg.server.backend.Backend`, so they run in the same killable query
processes (and under the same time limit) as the public endpoint, and work unchanged over a remote store.

The store holds IRIs minted under the build's base (``build.json`` "base"); the server may be reached under
another address (a staging copy, the demo on localhost). The rule: the minted IRI is the identifier in every
response (pages, RDF, JSON-LD, SPARQL, dumps, VoID); only the links a person follows (``href``, ``Location``,
``Link``) go to where the server is reached. :class:`Rebase` knows both bases and makes those links.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from kg.publish.article_view import CHILD_SEGMENTS  # the nodes that exist only through their parent
from kg.server.contract import Backend, QueryError, QueryRequest, Release, Reply
from kg.vocab import RDFS, SCHEMA, SKOS

NT = "application/n-triples"
SRJ = "application/sparql-results+json"
LABELS = (SCHEMA.name, SKOS.prefLabel, RDFS.label)
Term = NamedNode | BlankNode | Literal


def backend() -> Backend:
    return current_app.extensions["kg_backend"]


# ---- bases ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebase:
    """The build's base IRI (what identifiers are minted under) and the public base (where this server is
    reached, for links)."""

    build: str
    public: str

    def local(self, iri: str) -> str:
        """Where a minted IRI is reached on this server: a link, never an identifier in a response."""
        if self.build != self.public and (iri == self.build or iri.startswith(self.build + "/")):
            return self.public + iri[len(self.build) :]
        return iri

    def minted(self, iri: str) -> str:
        """The identifier a link of this server stands for (``local``'s inverse): what a client that took
        a link for an identifier sends back still finds what it named."""
        if self.build != self.public and (iri == self.public or iri.startswith(self.public + "/")):
            return self.build + iri[len(self.public) :]
        return iri


def public_base() -> str:
    """Where this response is served: ``server.public_url`` if configured, else the address of the request."""
    configured = current_app.config["KG"].public_url
    return (configured or request.host_url).rstrip("/")


def current_release() -> Release | None:
    """The served release; right after start, waits (as a query would) for this worker to open it."""
    release = backend().release()
    if release is None:
        try:
            exists("urn:kg:ping")  # waits for the release like any query, up to sparql.queue_timeout
        except QueryError:
            return None
        release = backend().release()
    return release


def build_base() -> str:
    release = current_release()
    base = release.base if release is not None else None
    return (base or public_base()).rstrip("/")


def rebase() -> Rebase:
    return Rebase(build_base(), public_base())


# ---- queries ----------------------------------------------------------------------------------------------


def _body(reply: Reply) -> bytes:
    if reply.body is not None:
        return reply.body
    assert reply.path is not None
    try:
        with open(reply.path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(reply.path)


def construct(query: str) -> list[Triple]:
    """The triples of a CONSTRUCT query over the union of the graphs, each once."""
    reply = backend().query(QueryRequest(query=query, media={"graph": NT, "solutions": SRJ, "boolean": SRJ}))
    return list(dict.fromkeys(parse(_body(reply), format=RdfFormat.N_TRIPLES)))


def select(query: str) -> list[dict[str, Term]]:
    """The solutions of a SELECT query as pyoxigraph terms, by variable name."""
    reply = backend().query(QueryRequest(query=query, media={"graph": NT, "solutions": SRJ, "boolean": SRJ}))
    data = json.loads(_body(reply))
    rows = []
    for binding in data.get("results", {}).get("bindings", []):
        rows.append({name: _term(value) for name, value in binding.items()})
    return rows


def _term(value: dict[str, str]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return NamedNode(value["value"])
    if kind == "bnode":
        return BlankNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return Literal(value["value"], datatype=NamedNode(value["datatype"]))
    return Literal(value["value"])


def iri_ref(iri: str) -> str:
    """``<iri>`` for a SPARQL query; refuses characters that could break out of the IRI reference."""
    if re.search(r'[\x00-\x20<>"{}|^`\\]', iri):
        raise ValueError(f"not a usable IRI: {iri!r}")
    return f"<{iri}>"


def concise_description(iri: str) -> list[Triple]:
    """The thing's concise bounded description, plus the labels of what it (and its parts) link to.

    Its own triples, those of the nodes that exist only through it (``{iri}/author/1``, ``/identifier/doi``,
    ``/manifestation``, ``/date-jalali`` and ``/date-jalali/description``), and ``schema:name``,
    ``skos:prefLabel`` and ``rdfs:label`` of every IRI these link to, so that a client can show the links.
    The pages and the RDF documents share it.
    """
    return construct(concise_description_query(iri))


def bound_labels(variable: str, predicates: tuple[Any, ...] = LABELS) -> str:
    """A pattern for the labels of ``?variable``, one UNION branch per predicate, binding ``?p`` and ``?o``.

    Why not ``VALUES ?p { ... } ?s ?p ?o``: Oxigraph evaluates that VALUES join first, reading every label in
    the store before joining with the few things found, which took seconds per page at 2,000 articles. One
    branch per predicate keeps ``?variable`` bound when each branch runs.
    """
    return " UNION ".join(f"{{ ?{variable} <{p.value}> ?o BIND(<{p.value}> AS ?p) }}" for p in predicates)


def concise_description_query(iri: str) -> str:
    """The CONSTRUCT query of :func:`concise_description`, asked selectively.

    The thing's own triples, those of the nodes that exist only through it (``{iri}/author/1``, ...), and the
    labels of what it and those nodes link to. The children are found from the thing's own links (a cheap
    prefix test before the regular expression) and the labels by :func:`bound_labels`.
    """
    ref = iri_ref(iri)
    child = json.dumps("^" + re.escape(iri) + "/(" + "|".join(CHILD_SEGMENTS) + ")(/|$)")
    prefix = json.dumps(iri + "/")
    is_child = f"isIRI(?c) && STRSTARTS(STR(?c), {prefix}) && REGEX(STR(?c), {child})"
    is_child_s = f"isIRI(?s) && STRSTARTS(STR(?s), {prefix}) && REGEX(STR(?s), {child})"
    labels = bound_labels("s")
    return f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({ref} AS ?s) ?s ?p ?o }}
  UNION {{ {ref} ?p1 ?s . FILTER({is_child_s}) ?s ?p ?o }}
  UNION {{ {ref} ?p1 ?c . FILTER({is_child}) ?c ?p2 ?s . FILTER({is_child_s}) ?s ?p ?o }}
  UNION {{ {ref} ?p1 ?s . FILTER(isIRI(?s)) {labels} }}
  UNION {{ {ref} ?p1 ?c . FILTER({is_child}) ?c ?p2 ?s . FILTER(isIRI(?s)) {labels} }}
}}"""


def exists(iri: str) -> bool:
    """True when the store holds a triple about ``iri`` (minted things always have their types)."""
    reply = backend().query(
        QueryRequest(query=f"ASK {{ {iri_ref(iri)} ?p ?o }}", media={"graph": NT, "solutions": SRJ, "boolean": SRJ})
    )
    return bool(json.loads(_body(reply)).get("boolean"))


# ---- reading triples in Python -----------------------------------------------------------------------------


class Index:
    """Triples indexed by subject and by object, with label helpers for the pages."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples = list(dict.fromkeys(triples))
        self.out: dict[Any, dict[NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[Any, dict[NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            if isinstance(t.subject, Triple) or isinstance(t.object, Triple):
                continue  # a quoted triple (RDF 1.2) is no thing of a page: the store's data has none
            self.out[t.subject][t.predicate].append(t.object)
            self.into[t.object][t.predicate].append(t.subject)

    def objects(self, subject: Any, predicate: NamedNode) -> list[Term]:
        return list(self.out.get(subject, {}).get(predicate, []))

    def subjects(self, predicate: NamedNode, obj: Any) -> list[Term]:
        return list(self.into.get(obj, {}).get(predicate, []))

    def value(self, subject: Any, predicate: NamedNode) -> Term | None:
        values = self.objects(subject, predicate)
        return sorted(values, key=lambda v: v.value)[0] if values else None

    def types(self, subject: Any) -> set[str]:
        return {t.value for t in self.objects(subject, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}

    def text(self, subject: Any, predicates: tuple[NamedNode, ...] | NamedNode, lang: str) -> Literal | None:
        """The literal in ``lang`` if there is one, else one in another language, else None."""
        if isinstance(predicates, NamedNode):
            predicates = (predicates,)
        found: list[Literal] = []
        for predicate in predicates:
            found += [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]
        if not found:
            return None
        for literal in found:
            if literal.language == lang:
                return literal
        untagged = [lit for lit in found if not lit.language]
        return untagged[0] if untagged else sorted(found, key=lambda lit: lit.language or "")[0]

    def texts(self, subject: Any, predicate: NamedNode, lang: str) -> list[Literal]:
        return [o for o in self.objects(subject, predicate) if isinstance(o, Literal) and o.language == lang]

    def label(self, subject: Any, lang: str) -> Literal | None:
        return self.text(subject, (SCHEMA.headline, *LABELS), lang)
