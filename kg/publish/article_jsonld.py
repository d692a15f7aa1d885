"""schema.org JSON-LD for article pages, as Google's article guidance recommends (data model section 5).

One plain function, :func:`article_jsonld`, turns the triples around an article (gathered by the SPARQL
query of :func:`article_context_query`) into a ``ScholarlyArticle`` object. The server embeds it in every
article page and serves it on its own; ``kg jsonld`` (:func:`export_command`) writes it to files for journal
sites that publish it on their own pages. Every statement in it is a triple of the knowledge graph, so that
it cannot drift from the data: language-tagged titles, names and keywords are written as ``@value`` /
``@language`` objects and dates as ``xsd:date`` values (the schema.org context would otherwise make them
untagged strings and ``schema:Date``). The only additions are links to the page itself
(``mainEntityOfPage``) and to the authors' pages (``url``).

:func:`script_json` serializes for an HTML ``<script>`` element: ``<``, ``>`` and ``&`` are escaped as
``\\u003c`` etc., so that no value (a title holding ``</script>``) can end the element.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, Literal, NamedNode, QuerySolutions, QueryTriples, Store, Triple

from kg.publish.layout import Layout
from kg.vocab import PRO, RDF_TYPE, RDFS, SCHEMA, SKOS, TIME, XSD

log = logging.getLogger(__name__)

SCHEMA_CONTEXT = "https://schema.org"
CHILD_SEGMENTS = ("author", "identifier", "manifestation", "date-jalali")
LABELS = (SCHEMA.name, SKOS.prefLabel, RDFS.label)
_SCHEMA_TYPES = ("ScholarlyArticle", "Article", "PublicationIssue", "PublicationVolume", "Periodical", "Person")


def article_context_query(article: str) -> str:
    """A CONSTRUCT query for everything an article page shows and its JSON-LD says.

    The article's own triples and those of its parts (authorships, identifiers, manifestation), its authors
    and their organizations, the issue -> volume -> journal chain with the issue's Jalali date, and the labels
    of everything the article links to (keyword concepts, article type, section).
    """
    if re.search(r'[\x00-\x20<>"{}|^`\\]', article):
        raise ValueError(f"not a usable IRI: {article!r}")
    a = f"<{article}>"
    child = json.dumps("^" + re.escape(article) + "/(" + "|".join(CHILD_SEGMENTS) + ")(/|$)")
    labels = " ".join(f"<{p.value}>" for p in LABELS)
    part_of = f"<{SCHEMA.isPartOf.value}>"
    return f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({a} AS ?s) ?s ?p ?o }}
  UNION {{ {a} ?x ?s . FILTER(isIRI(?s) && REGEX(STR(?s), {child})) ?s ?p ?o }}
  UNION {{ {a} <{SCHEMA.author.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} <{PRO.isDocumentContextFor.value}>/<{PRO.relatesToOrganization.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}+ ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}/<{TIME.hasTime.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} {part_of}/<{TIME.hasTime.value}>/<{TIME.inDateTime.value}> ?s . ?s ?p ?o }}
  UNION {{ {a} ?x ?s . FILTER(isIRI(?s)) VALUES ?p {{ {labels} }} ?s ?p ?o }}
}}"""


class _Graph:
    """Just enough of a graph to read the article's triples: objects by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for t in dict.fromkeys(triples):
            if isinstance(t.subject, Triple):
                continue  # a quoted triple as subject (RDF 1.2) says nothing about the article's resources
            self.out[t.subject.value][t.predicate.value].append(t.object)

    def objects(self, subject: str, predicate: NamedNode) -> list[Any]:
        return list(self.out.get(subject, {}).get(predicate.value, []))

    def first(self, subject: str, predicate: NamedNode) -> Any | None:
        values = sorted(self.objects(subject, predicate), key=lambda v: v.value)
        return values[0] if values else None

    def text(self, subject: str, predicate: NamedNode, lang: str) -> Literal | None:
        """The literal in ``lang``, else an untagged one, else any (in a stable order)."""
        found = [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]
        for wanted in (lang, None):
            for literal in found:
                if literal.language == wanted:
                    return literal
        return sorted(found, key=lambda lit: (lit.language or "", lit.value))[0] if found else None


def _literal(literal: Literal) -> Any:
    """A literal as JSON-LD that expands back to exactly this literal under the schema.org context."""
    if literal.language:
        return {"@value": literal.value, "@language": literal.language}
    if literal.datatype == XSD.string:
        return literal.value
    return {"@value": literal.value, "@type": literal.datatype.value}


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def default_document(iri: str) -> str:
    """The page of a thing: ``.../id/x`` -> ``.../doc/x``."""
    return iri.replace("/id/", "/doc/", 1)


def article_jsonld(
    triples: Iterable[Triple],
    article: str,
    lang: str,
    *,
    rebase: Callable[[str], str] = lambda iri: iri,
    page: str | None = None,
    document: Callable[[str], str] = default_document,
) -> dict[str, Any]:
    """The schema.org ``ScholarlyArticle`` of ``article`` (a stored IRI) for a page in ``lang``.

    ``triples`` are the answer to :func:`article_context_query`; ``rebase`` maps stored IRIs to the ones the
    reader should see (the public base); ``page`` is the page the object is embedded in, ``document`` maps a
    (rebased) thing IRI to its page, for the authors' ``url``.
    """
    graph = _Graph(triples)
    out: dict[str, Any] = {"@context": SCHEMA_CONTEXT}
    types = [t.value[len(SCHEMA.iri) :] for t in graph.objects(article, RDF_TYPE) if t.value.startswith(SCHEMA.iri)]
    out["@type"] = _one_or_many(sorted(types) or ["ScholarlyArticle"])
    out["@id"] = rebase(article)
    if page:
        out["mainEntityOfPage"] = page
    title = graph.text(article, SCHEMA.headline, lang)
    if title is not None:
        out["headline"] = _literal(title)
    name = graph.text(article, SCHEMA.name, lang)
    if name is not None:
        out["name"] = _literal(name)
    language = graph.first(article, SCHEMA.inLanguage)
    if language is not None:
        out["inLanguage"] = _literal(language)
    published = graph.first(article, SCHEMA.datePublished)
    if published is not None:
        out["datePublished"] = _literal(published)

    authors = []
    for person in _authors_in_order(graph, article):
        entry: dict[str, Any] = {"@type": "Person", "@id": rebase(person)}
        person_name = graph.text(person, SCHEMA.name, lang)
        if person_name is not None:
            entry["name"] = _literal(person_name)
        entry["url"] = document(rebase(person))
        same = sorted(o.value for o in graph.objects(person, SCHEMA.sameAs) if isinstance(o, NamedNode))
        if same:
            entry["sameAs"] = _one_or_many([rebase(s) for s in same])
        authors.append(entry)
    if authors:
        out["author"] = authors

    issue = graph.first(article, SCHEMA.isPartOf)
    if isinstance(issue, NamedNode):
        out["isPartOf"] = _container(graph, issue.value, lang, rebase)
    for key, predicate in (
        ("pageStart", SCHEMA.pageStart),
        ("pageEnd", SCHEMA.pageEnd),
        ("pagination", SCHEMA.pagination),
    ):
        value = graph.first(article, predicate)
        if value is not None:
            out[key] = _literal(value)
    keywords = [o for o in graph.objects(article, SCHEMA.keywords) if isinstance(o, Literal)]
    in_lang = [k for k in keywords if k.language == lang] or keywords
    if in_lang:
        out["keywords"] = [_literal(k) for k in in_lang]
    url = graph.first(article, SCHEMA.url)
    if isinstance(url, NamedNode):
        out["url"] = rebase(url.value)
    same_as = sorted(o.value for o in graph.objects(article, SCHEMA.sameAs) if isinstance(o, NamedNode))
    if same_as:
        out["sameAs"] = _one_or_many([rebase(s) for s in same_as])
    return out


def _authors_in_order(graph: _Graph, article: str) -> list[str]:
    """Persons by authorship position (``pro:RoleInTime`` with ``schema:position``), then any others."""
    positioned: list[tuple[int, str]] = []
    for role in graph.objects(article, PRO.isDocumentContextFor):
        if PRO.author not in graph.objects(role.value, PRO.withRole):
            continue
        position = graph.first(role.value, SCHEMA.position)
        person = graph.first(role.value, PRO.isHeldBy)
        if position is not None and person is not None:
            try:
                positioned.append((int(position.value), person.value))
            except ValueError:
                continue
    ordered = [person for _, person in sorted(positioned)]
    for person in sorted(o.value for o in graph.objects(article, SCHEMA.author)):
        if person not in ordered:
            ordered.append(person)
    return ordered


def _container(graph: _Graph, iri: str, lang: str, rebase: Callable[[str], str], depth: int = 0) -> dict[str, Any]:
    """Issue -> volume -> periodical, each with what identifies it (number, name, ISSNs)."""
    entry: dict[str, Any] = {"@id": rebase(iri)}
    types = sorted(
        t.value[len(SCHEMA.iri) :]
        for t in graph.objects(iri, RDF_TYPE)
        if t.value.startswith(SCHEMA.iri) and t.value[len(SCHEMA.iri) :] in _SCHEMA_TYPES
    )
    if types:
        entry["@type"] = _one_or_many(types)
    for key, predicate in (
        ("issueNumber", SCHEMA.issueNumber),
        ("volumeNumber", SCHEMA.volumeNumber),
        ("datePublished", SCHEMA.datePublished),
    ):
        value = graph.first(iri, predicate)
        if value is not None:
            entry[key] = _literal(value)
    name = graph.text(iri, SCHEMA.name, lang)
    if name is not None:
        entry["name"] = _literal(name)
    issns = sorted(o.value for o in graph.objects(iri, SCHEMA.issn) if isinstance(o, Literal))
    if issns:
        entry["issn"] = _one_or_many(issns)
    parent = graph.first(iri, SCHEMA.isPartOf)
    if isinstance(parent, NamedNode) and depth < 3:
        entry["isPartOf"] = _container(graph, parent.value, lang, rebase, depth + 1)
    return entry


def script_json(data: Any) -> str:
    """JSON for an HTML ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u003c`` etc., never ``</script>``."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# ---- kg jsonld ---------------------------------------------------------------------------------------------


def _rebaser(build: str, public: str) -> Callable[[str], str]:
    build, public = build.rstrip("/"), public.rstrip("/")

    def rebase(iri: str) -> str:
        if build != public and (iri == build or iri.startswith(build + "/")):
            return public + iri[len(build) :]
        return iri

    return rebase


def open_release_store(out_dir: Path) -> tuple[Store, dict[str, Any]]:
    """The store of ``DIR/current`` opened read-only, and the release's build.json."""
    current = Layout(Path(out_dir)).current_release()
    build = json.loads(current.build_info.read_text(encoding="utf-8"))
    return Store.read_only(str(current.store)), build


def query_options(store: Store) -> dict[str, Any]:
    """The union of the named graphs as the default graph, unless the build stored a merged default graph."""
    stored = next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None
    return {} if stored else {"use_default_graph_as_union": True}


def article_file(to_dir: Path, article: str, base: str) -> Path | None:
    """``{to}/journal/{issn}/article/{code}.jsonld`` for ``{base}/id/journal/{issn}/article/{code}``."""
    prefix = base.rstrip("/") + "/id/"
    if not article.startswith(prefix):
        return None
    parts = article[len(prefix) :].split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return to_dir.joinpath(*parts[:-1], parts[-1] + ".jsonld")


def export_command(out_dir: Path, to_dir: Path, base: str | None) -> int:
    """``kg jsonld DIR --to FOLDER [--base IRI]``: one JSON-LD file per article of the published release.

    Each file holds the article in its own language, with IRIs and ``mainEntityOfPage`` under ``base``
    (default: the build's base). Returns the exit status (0, or 2 when there is no release or no article).
    """
    try:
        store, build = open_release_store(out_dir)
    except (OSError, ValueError) as error:
        print(f"kg jsonld: no published release in {out_dir}: {error}", file=sys.stderr)
        return 2
    build_base = str(build.get("base") or "").rstrip("/")
    public = (base or build_base).rstrip("/")
    rebase = _rebaser(build_base, public)
    options = query_options(store)
    rows = store.query(f"SELECT DISTINCT ?a WHERE {{ ?a a <{SCHEMA.ScholarlyArticle.value}> }}", **options)
    if not isinstance(rows, QuerySolutions):
        raise TypeError("pyoxigraph answered a SELECT query without solutions")
    articles = sorted(str(row["a"].value) for row in rows)
    written = 0
    for article in articles:
        target = article_file(to_dir, article, build_base)
        if target is None:
            log.warning("skipped %s: not under the build's base", article)
            continue
        constructed = store.query(article_context_query(article), **options)
        if not isinstance(constructed, QueryTriples):
            raise TypeError("pyoxigraph answered a CONSTRUCT query without triples")
        triples = list(constructed)
        language = next((o.value for o in _Graph(triples).objects(article, SCHEMA.inLanguage)), "fa")
        page = default_document(rebase(article))
        data = article_jsonld(
            triples, article, language if language in ("fa", "en") else "fa", rebase=rebase, page=page
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written += 1
    print(f"kg jsonld: wrote {written} file(s) to {to_dir}", file=sys.stderr)
    return 0 if written else 2


__all__ = ["article_context_query", "article_jsonld", "script_json", "export_command"]
