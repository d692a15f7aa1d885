"""The article page: HTML, Highwire ``citation_*`` tags, sharing tags and JSON-LD from one view.

The article's triples are read once into a :class:`kg.publish.article_view.ArticleView`; the page's rows, its
indexing and sharing tags and its schema.org JSON-LD (:func:`kg.publish.article_jsonld.article_jsonld`) are
all rendered from that view, so they cannot disagree.

Google Scholar should see one record per article: the ``citation_*`` tags are on the page in the article's
own language only; both language pages carry ``rel="canonical"`` to themselves and ``hreflang`` alternates
to each other (base template). Every page gets ``<meta name="description">`` and OpenGraph / Twitter card
tags, so that a shared link shows the title and the start of the abstract.
"""

from __future__ import annotations

import re
from typing import Any

from flask import render_template
from pyoxigraph import Literal

from kg.publish.article_jsonld import article_jsonld, script_json
from kg.publish.article_view import ArticleView, Named, article_context_query, article_view
from kg.server.describe import Rebase, construct
from kg.server.page_common import UI, Link, Links, Text, digits, gregorian, jalali_date, page_context, text

DESCRIPTION_LENGTH = 200
OG_LOCALES = {"fa": "fa_IR", "en": "en_US"}


def load_view(iri: str) -> ArticleView:
    """The article's view, from one bounded CONSTRUCT through the backend."""
    return article_view(construct(article_context_query(iri)), iri)


def article_page(iri: str, lang: str, rebase: Rebase, links: Links, urls: dict[str, Any]) -> str:
    """The HTML page of an article in ``lang``."""
    view = load_view(iri)
    ui = UI[lang]
    title = text(view.headline(lang))
    abstract = text(view.abstract(lang))
    meta = [("description", summary(abstract.value if abstract else (title.value if title else "")))]
    if view.original_language in (lang, None):
        meta += citation_tags(view, lang, urls["self"])
    data = article_jsonld(view, lang, page=urls["self"], document=links.page)
    sharing = sharing_tags(view, lang, urls, links)
    twitter = [tag for tag in sharing if tag[0].startswith("twitter:")]  # Twitter reads name=, OpenGraph property=
    page = page_context(
        "article",
        title,
        lang,
        urls,
        meta=meta + twitter,
        properties=[tag for tag in sharing if tag not in twitter],
        jsonld=script_json(data),
    )
    journal = view.container("Periodical")
    volume = view.container("PublicationVolume")
    issue = view.container("PublicationIssue")
    start, end = view.page_start, view.page_end
    return render_template(
        "article.html",
        page=page,
        other_titles=[text(t) for t in view.headlines if title is None or t.value != title.value],
        authors=[
            {
                "link": Link(links.page(a.person.iri), _label(a.person, lang, ui["person"])),
                "corresponding": a.corresponding,
                "orgs": [Link(links.page(o.iri), _label(o, lang, ui["organization"])) for o in a.organizations],
                "orcid": a.orcid,
            }
            for a in view.authors
        ],
        paragraphs=[Text(p.strip(), abstract.lang) for p in abstract.value.split("\n\n") if p.strip()]
        if abstract
        else [],
        keywords=[Link(links.page(k.iri), _label(k, lang, ui["concept"])) for k in view.keywords],
        journal=Link(links.page(journal.iri), _container_name(journal.names, lang, ui["journal"])) if journal else None,
        volume=_numbered(volume, lang, links),
        issue=_numbered(issue, lang, links),
        pages=digits(f"{start.value}–{end.value}" if end is not None else start.value, lang) if start else None,
        date=gregorian(view.date.value, lang) if view.date is not None else None,
        date_iso=view.date.value if view.date is not None else None,
        date_jalali=jalali_date(issue.jalali, lang) if issue is not None else None,
        doi=view.doi.value if view.doi is not None else None,
        source=view.url,
        genre=Link(links.page(view.genre.iri), _label(view.genre, lang, ui["type"])) if view.genre else None,
        section=text(_pick_lang(view.sections, lang)),
    )


def citation_tags(view: ArticleView, lang: str, page_url: str) -> list[tuple[str, str]]:
    """Highwire Press tags (Google Scholar's inclusion guidelines), each author followed by its institutions."""
    meta: list[tuple[str, str]] = []
    title = view.headline(lang)
    if title is not None:
        meta.append(("citation_title", title.value))
    for author in view.authors:
        name = author.person.label(lang)
        meta.append(("citation_author", name.value if name is not None else author.person.iri))
        for org in author.organizations:
            org_name = org.label(lang)
            if org_name is not None:
                meta.append(("citation_author_institution", org_name.value))
    if view.date is not None:
        meta.append(("citation_publication_date", view.date.value[:10].replace("-", "/")))
    journal = view.container("Periodical")
    if journal is not None and journal.names:
        meta.append(("citation_journal_title", _container_name(journal.names, lang, "").value))
    meta += [("citation_issn", issn) for issn in (journal.issns if journal is not None else ())]
    if journal is not None and journal.publisher is not None:
        publisher = journal.publisher.label(lang)
        if publisher is not None:
            meta.append(("citation_publisher", publisher.value))
    for tag, kind in (("citation_volume", "PublicationVolume"), ("citation_issue", "PublicationIssue")):
        found = view.container(kind)
        if found is not None and found.number is not None:
            meta.append((tag, found.number.value))
    if view.page_start is not None:
        meta.append(("citation_firstpage", view.page_start.value))
    if view.page_end is not None:
        meta.append(("citation_lastpage", view.page_end.value))
    if view.doi is not None:
        meta.append(("citation_doi", view.doi.value))
    if view.language is not None:
        meta.append(("citation_language", view.language.value))
    keywords = view.keywords_in(lang)
    if keywords:
        meta.append(("citation_keywords", "; ".join(k.value for k in keywords)))
    abstract = view.abstract(lang)
    if abstract is not None:
        meta.append(("citation_abstract", abstract.value))
    meta.append(("citation_abstract_html_url", page_url))
    if view.pdf_url:
        meta.append(("citation_pdf_url", view.pdf_url))
    return meta


def sharing_tags(view: ArticleView, lang: str, urls: dict[str, Any], links: Links) -> list[tuple[str, str]]:
    """OpenGraph (``property=``) and Twitter card tags: title, start of the abstract, page, locale."""
    title = view.headline(lang)
    abstract = view.abstract(lang)
    description = summary(abstract.value if abstract is not None else (title.value if title is not None else ""))
    tags = [
        ("og:type", "article"),
        ("og:site_name", UI[lang]["site"]),
        ("og:url", urls["self"]),
        ("og:locale", OG_LOCALES.get(lang, lang)),
    ]
    tags += [("og:locale:alternate", OG_LOCALES[other]) for other in OG_LOCALES if other != lang]
    if title is not None:
        tags.append(("og:title", title.value))
    if description:
        tags.append(("og:description", description))
    if view.date is not None:
        tags.append(("article:published_time", view.date.value))
    tags += [("article:author", links.page(a.person.iri)) for a in view.authors]
    tags += [("article:tag", k.value) for k in view.keywords_in(lang)]
    tags.append(("twitter:card", "summary"))
    if title is not None:
        tags.append(("twitter:title", title.value))
    if description:
        tags.append(("twitter:description", description))
    return tags


def summary(value: str, length: int = DESCRIPTION_LENGTH) -> str:
    """The first ``length`` characters of a text on one line, cut at a word with an ellipsis."""
    flat = re.sub(r"\s+", " ", value).strip()
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"


def _label(thing: Named, lang: str, fallback: str) -> Text:
    """A thing's label in ``lang`` (else another language); the kind of thing, never its raw IRI."""
    return text(thing.label(lang)) or Text(fallback)


def _pick_lang(literals: list[Literal], lang: str) -> Literal | None:
    return next((lit for lit in literals if lit.language == lang), literals[0] if literals else None)


def _container_name(names: tuple[Literal, ...], lang: str, fallback: str) -> Text:
    return text(_pick_lang(list(names), lang)) or Text(fallback)


def _numbered(container: Any, lang: str, links: Links) -> Link | None:
    if container is None or container.number is None:
        return None
    return Link(links.page(container.iri), Text(digits(container.number.value, lang)))
