"""schema.org JSON-LD for article pages, as Google's and schema.org's article guidance recommend.

:func:`article_jsonld` renders an :class:`kg.publish.article_view.ArticleView` (the one view of an article
that its page and its ``citation_*`` tags are rendered from too) as a ``ScholarlyArticle``: headline in the
page's language and ``name`` in every language, abstract, authors in order with their affiliations
(``Organization``), identifiers as ``PropertyValue`` (the DOI), genre, language, keywords in the source's
order, the keyword concepts as ``about``, the issue -> volume -> journal chain with ISSNs, ``sameAs``. The
server embeds it in every article page and serves it on its own; ``kg jsonld`` (:func:`export_command`)
writes it to files for journal sites that publish it on their own pages.

Every statement in it is a triple of the knowledge graph, so that it cannot drift from the data:
language-tagged values are ``@value`` / ``@language`` objects, and ``datePublished`` is a plain ISO date that
a small context entry types ``xsd:date`` as the graph does (the schema.org context alone would make it a
``schema:Date``). The only additions are links to pages (``mainEntityOfPage``, the authors' ``url``).

:func:`script_json` serializes for an HTML ``<script>`` element: ``<``, ``>`` and ``&`` are escaped as
``\\u003c`` etc., so that no value (a title holding ``</script>``) can end the element.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, Literal, QuerySolutions, QueryTriples, Store

from kg.publish.article_view import ArticleView, Container, Named, article_context_query, article_view
from kg.publish.layout import Layout
from kg.vocab import SCHEMA, XSD

log = logging.getLogger(__name__)

SCHEMA_CONTEXT = "https://schema.org"
# the graph's dates are xsd:date; the schema.org context would type a plain "2026-03-01" as schema:Date
CONTEXT: list[Any] = [SCHEMA_CONTEXT, {"datePublished": {"@id": SCHEMA.datePublished.value, "@type": XSD.date.value}}]
_CONTAINER_TYPES = ("PublicationIssue", "PublicationVolume", "Periodical")


def _literal(literal: Literal) -> Any:
    """A literal as JSON-LD that expands back to exactly this literal under the schema.org context."""
    if literal.language:
        return {"@value": literal.value, "@language": literal.language}
    if literal.datatype == XSD.string:
        return literal.value
    return {"@value": literal.value, "@type": literal.datatype.value}


def _date(literal: Literal) -> Any:
    """``datePublished``: the plain ISO date when it is an ``xsd:date`` (typed by :data:`CONTEXT`)."""
    return literal.value if literal.datatype == XSD.date else _literal(literal)


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def default_document(iri: str) -> str:
    """The page of a thing: ``.../id/x`` -> ``.../doc/x``."""
    return iri.replace("/id/", "/doc/", 1)


def article_jsonld(
    view: ArticleView,
    lang: str,
    *,
    rebase: Callable[[str], str] = lambda iri: iri,
    page: str | None = None,
    document: Callable[[str], str] = default_document,
) -> dict[str, Any]:
    """The schema.org ``ScholarlyArticle`` of an article's view, for a page in ``lang``.

    ``rebase`` maps minted IRIs to the ones the reader should see (``kg jsonld --base``; the server keeps the
    minted IRIs); ``page`` is the page the object is embedded in, ``document`` maps a (rebased) thing IRI to
    its page, for the authors' ``url``.
    """
    out: dict[str, Any] = {"@context": CONTEXT, "@type": _one_or_many(view.types), "@id": rebase(view.iri)}
    if page:
        out["mainEntityOfPage"] = page
    headline = view.headline(lang)
    if headline is not None:
        out["headline"] = _literal(headline)
    if view.names:
        out["name"] = _one_or_many([_literal(n) for n in view.names])
    abstract = view.abstract(lang)
    if abstract is not None:
        out["abstract"] = _literal(abstract)
    if view.language is not None:
        out["inLanguage"] = _literal(view.language)
    if view.date is not None:
        out["datePublished"] = _date(view.date)
    if view.genre is not None:
        out["genre"] = _term(view.genre, lang, rebase)
    authors = [_author(author, lang, rebase, document) for author in view.authors]
    if authors:
        out["author"] = authors
    if view.identifiers:
        out["identifier"] = _one_or_many(
            [
                {"@type": "PropertyValue", "@id": rebase(i.iri), "propertyID": i.property_id, "value": i.value}
                for i in view.identifiers
            ]
        )
    if view.issue is not None:
        out["isPartOf"] = _container(view.issue, lang, rebase)
    for key, value in (("pageStart", view.page_start), ("pageEnd", view.page_end), ("pagination", view.pagination)):
        if value is not None:
            out[key] = _literal(value)
    keywords = view.keywords_in(lang)
    if keywords:
        out["keywords"] = [_literal(k) for k in keywords]
    if view.keywords:
        out["about"] = [_term(concept, lang, rebase) for concept in view.keywords]
    if view.url:
        out["url"] = rebase(view.url)
    if view.pdf is not None and view.pdf_url:
        out["encoding"] = {
            "@id": rebase(view.pdf.iri),
            "@type": "MediaObject",
            "contentUrl": view.pdf_url,
            "encodingFormat": "application/pdf",
        }
    if view.same_as:
        out["sameAs"] = _one_or_many([rebase(s) for s in view.same_as])
    return out


def _term(term: Named, lang: str, rebase: Callable[[str], str]) -> dict[str, Any]:
    """A keyword concept or an article type: ``DefinedTerm`` with its name in ``lang``."""
    entry: dict[str, Any] = {"@id": rebase(term.iri)}
    if "DefinedTerm" in term.types:
        entry["@type"] = "DefinedTerm"
    name = term.label(lang)
    if name is not None:
        entry["name"] = _literal(name)
    return entry


def _author(author: Any, lang: str, rebase: Callable[[str], str], document: Callable[[str], str]) -> dict[str, Any]:
    person = author.person
    entry: dict[str, Any] = {"@type": "Person", "@id": rebase(person.iri)}
    name = person.label(lang)
    if name is not None:
        entry["name"] = _literal(name)
    entry["url"] = document(rebase(person.iri))
    if author.same_as:
        entry["sameAs"] = _one_or_many([rebase(s) for s in author.same_as])
    orgs = []
    for org in author.organizations:
        item: dict[str, Any] = {"@type": "Organization", "@id": rebase(org.iri)}
        org_name = org.label(lang)
        if org_name is not None:
            item["name"] = _literal(org_name)
        orgs.append(item)
    if orgs:
        entry["affiliation"] = _one_or_many(orgs)
    return entry


def _container(container: Container, lang: str, rebase: Callable[[str], str]) -> dict[str, Any]:
    """Issue -> volume -> periodical, each with what identifies it (number, name, ISSNs)."""
    entry: dict[str, Any] = {"@id": rebase(container.iri)}
    types = [t for t in container.types if t in _CONTAINER_TYPES]
    if types:
        entry["@type"] = _one_or_many(types)
    if container.number is not None:
        key = "issueNumber" if "PublicationIssue" in types else "volumeNumber"
        entry[key] = _literal(container.number)
    if container.date is not None:
        entry["datePublished"] = _date(container.date)
    name = next((n for n in container.names if n.language == lang), container.names[0] if container.names else None)
    if name is not None:
        entry["name"] = _literal(name)
    if container.issns:
        entry["issn"] = _one_or_many(list(container.issns))
    if container.publisher is not None:  # on the periodical, where the graph states it
        entry["publisher"] = _term(container.publisher, lang, rebase) | {"@type": "Organization"}
    if container.parent is not None:
        entry["isPartOf"] = _container(container.parent, lang, rebase)
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
        view = article_view(constructed, article)
        language = view.original_language if view.original_language in ("fa", "en") else "fa"
        page = default_document(rebase(article))
        data = article_jsonld(view, language or "fa", rebase=rebase, page=page)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written += 1
    print(f"kg jsonld: wrote {written} file(s) to {to_dir}", file=sys.stderr)
    return 0 if written else 2


__all__ = ["article_jsonld", "script_json", "export_command"]
