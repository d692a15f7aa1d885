"""Example queries for the query page, written against the data model and filled with values from the data.

A query page whose examples return nothing teaches nothing, so each release gets its examples once: a few
small queries pick a frequent keyword, a prolific author, a journal and an article, and the examples are
filled in with them (or keep a placeholder when the release has no such thing).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass

from kg.server.contract import Backend, QueryError, QueryRequest
from kg.vocab import PREFIXES, sparql_prologue

log = logging.getLogger("kg.server.examples")

_JSON = "application/sparql-results+json"
PICK_TIMEOUT = 5.0  # seconds per value query: a slow store gets placeholders, not a slow first page


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    description: str
    query: str


def _prologue(*names: str) -> str:
    return sparql_prologue({name: PREFIXES[name] for name in names})


def build(keyword: str, person: str, journal: str, article: str) -> list[Example]:
    """The examples for given values (IRIs without angle brackets, the keyword as plain text)."""
    keyword_text = json.dumps(keyword.lower(), ensure_ascii=False)
    return [
        Example(
            "keyword",
            "Articles by keyword",
            "Articles whose author keywords contain a word (schema:keywords, one triple per keyword).",
            _prologue("schema")
            + f"""
SELECT DISTINCT ?article ?title ?keyword WHERE {{
  ?article a schema:ScholarlyArticle ;
           schema:keywords ?keyword .
  FILTER(CONTAINS(LCASE(STR(?keyword)), {keyword_text}))
  OPTIONAL {{ ?article schema:headline ?title FILTER(LANG(?title) = LANG(?keyword)) }}
}}
ORDER BY ?article
LIMIT 100
""",
        ),
        Example(
            "author-articles",
            "An author's articles, in order",
            "Every article of one person with the author's position in its author list "
            "(pro:isDocumentContextFor / pro:isHeldBy / schema:position), oldest first.",
            _prologue("schema", "pro")
            + f"""
SELECT DISTINCT ?article ?date ?position ?title WHERE {{
  ?article pro:isDocumentContextFor ?role .
  ?role pro:withRole pro:author ;
        pro:isHeldBy <{person}> ;
        schema:position ?position .
  OPTIONAL {{ ?article schema:datePublished ?date }}
  OPTIONAL {{ ?article schema:headline ?title FILTER(LANG(?title) = "en") }}
}}
ORDER BY ?date ?article
""",
        ),
        Example(
            "article-authors",
            "The authors of an article, in order",
            "The ordered author list of one article, with each author's name.",
            _prologue("schema", "pro")
            + f"""
SELECT DISTINCT ?position ?person ?name WHERE {{
  <{article}> pro:isDocumentContextFor ?role .
  ?role pro:withRole pro:author ;
        schema:position ?position ;
        pro:isHeldBy ?person .
  OPTIONAL {{ ?person schema:name ?name }}
}}
ORDER BY ?position ?name
""",
        ),
        Example(
            "journal-issues",
            "A journal's issues",
            "The issues of one journal (issue schema:isPartOf volume schema:isPartOf journal), by date.",
            _prologue("schema")
            + f"""
SELECT DISTINCT ?issue ?volumeNumber ?issueNumber ?date WHERE {{
  ?issue a schema:PublicationIssue ;
         schema:isPartOf+ <{journal}> .
  OPTIONAL {{ ?issue schema:isPartOf ?volume . ?volume schema:volumeNumber ?volumeNumber }}
  OPTIONAL {{ ?issue schema:issueNumber ?issueNumber }}
  OPTIONAL {{ ?issue schema:datePublished ?date }}
}}
ORDER BY ?date ?issue
""",
        ),
        Example(
            "coauthors",
            "Co-authors",
            "The people who wrote articles with one person, with the number of shared articles.",
            _prologue("schema")
            + f"""
SELECT ?coauthor (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?article) AS ?articles) WHERE {{
  ?article schema:author <{person}>, ?coauthor .
  FILTER(?coauthor != <{person}>)
  OPTIONAL {{ ?coauthor schema:name ?n }}
}}
GROUP BY ?coauthor
ORDER BY DESC(?articles) ?coauthor
""",
        ),
        Example(
            "journals",
            "Journals and their articles",
            "Every journal with its number of articles.",
            _prologue("schema")
            + """
SELECT ?journal (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?article) AS ?articles) WHERE {
  ?journal a schema:Periodical .
  ?article a schema:ScholarlyArticle ;
           schema:isPartOf+ ?journal .
  OPTIONAL { ?journal schema:name ?t }
}
GROUP BY ?journal
ORDER BY DESC(?articles)
""",
        ),
        Example(
            "graphs",
            "Article graphs",
            "Each article has its own named graph; GRAPH reaches one, the default graph is their union.",
            """
SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY ?graph
LIMIT 50
""",
        ),
        Example(
            "search",
            "Full-text search joined with the graph",
            "kgs:score(?article, \"words\") is the article's BM25 score in the release's search index (titles, "
            "abstracts, keywords, people, journals; Persian spellings folded), unbound when it does not match; "
            'kgs:matches(?text, "words") tests one literal, the Persian-aware replacement for CONTAINS.',
            _prologue("schema")
            + "PREFIX kgs: <https://w3id.org/kg/search#>\n"
            + f"""
SELECT ?article ?score ?journal ?title WHERE {{
  ?article a schema:ScholarlyArticle ;
           schema:isPartOf/schema:isPartOf/schema:isPartOf ?journal .
  BIND(kgs:score(?article, {keyword_text}) AS ?score)
  FILTER(BOUND(?score))
  OPTIONAL {{ ?article schema:headline ?title FILTER(kgs:matches(?title, {keyword_text})) }}
}}
ORDER BY DESC(?score)
LIMIT 20
""",
        ),
    ]


_PICKS = {
    "keyword": _prologue("schema")
    + """SELECT ?value (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a schema:keywords ?value FILTER(LANG(?value) = "en") } GROUP BY ?value ORDER BY DESC(?n) ?value LIMIT 1""",
    # the person with the most co-authors, then the most articles: both person examples show something
    "person": _prologue("schema")
    + """SELECT ?value (COUNT(DISTINCT ?a) AS ?n) (COUNT(DISTINCT ?other) AS ?c)
  WHERE { ?a schema:author ?value . OPTIONAL { ?a schema:author ?other FILTER(?other != ?value) } }
  GROUP BY ?value ORDER BY DESC(?c) DESC(?n) ?value LIMIT 1""",
    "journal": _prologue("schema") + "SELECT ?value WHERE { ?value a schema:Periodical } ORDER BY ?value LIMIT 1",
    "article": _prologue("schema", "pro")
    + """SELECT ?value WHERE {
  ?value a schema:ScholarlyArticle ; pro:isDocumentContextFor ?r } ORDER BY ?value LIMIT 1""",
}
_PLACEHOLDERS = {
    "keyword": "data",
    "person": "https://example.org/id/person/REPLACE-ME",
    "journal": "https://example.org/id/journal/REPLACE-ME",
    "article": "https://example.org/id/journal/REPLACE-ME/article/REPLACE-ME",
}
_cache: dict[str, list[Example]] = {}
_lock = threading.Lock()


class _NotNow(Exception):
    """A value query failed (time limit, busy store): try again on a later page load."""


def _pick(backend: Backend, name: str) -> str:
    media = {"solutions": _JSON, "boolean": _JSON, "graph": None}
    try:
        reply = backend.query(QueryRequest(query=_PICKS[name], media=media), timeout=PICK_TIMEOUT)
    except QueryError as error:
        log.warning("example value %s not found: %s", name, error)
        raise _NotNow(name) from error
    body = reply.body
    if body is None and reply.path:  # cannot happen for LIMIT 1, but never leave a spool file behind
        with open(reply.path, "rb") as handle:
            body = handle.read()
        os.unlink(reply.path)
    bindings = json.loads(body or b"{}").get("results", {}).get("bindings", [])
    if not bindings or "value" not in bindings[0]:
        return _PLACEHOLDERS[name]
    return bindings[0]["value"]["value"]


def for_release(backend: Backend) -> list[Example]:
    """The examples for the served release, computed once per release."""
    release = backend.release()
    key = release.id if release else ""
    with _lock:
        if key in _cache:
            return _cache[key]
    if release is None:
        return build(**_PLACEHOLDERS)
    values = dict(_PLACEHOLDERS)
    complete = True
    for name in _PICKS:
        try:
            values[name] = _pick(backend, name)
        except _NotNow:
            complete = False  # placeholders this time, but not remembered: a busy moment must not stick
    examples = build(**values)
    if complete:
        with _lock:
            _cache.clear()
            _cache[key] = examples
    return examples
