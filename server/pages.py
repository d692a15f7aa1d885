"""HTML views of things: articles, journals, volumes, issues, persons, organizations and keyword concepts.

One page per thing and language (``/fa/doc/...`` right-to-left, ``/en/doc/...`` left-to-right), linked to
each other, with no external assets. Each view gathers what it shows with a few bounded SPARQL queries
(:mod:`kg.server.describe`) and hands plain values to a template. Every literal keeps its own language on the
page (``lang`` and ``dir`` on its element), so an English title on a Persian page still reads left-to-right.
Article pages are :mod:`kg.server.article_page`'s; what all pages share is in :mod:`kg.server.page_common`.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from pyoxigraph import Literal, NamedNode

from kg.server.article_page import article_page
from kg.server.describe import Index, Rebase, bound_labels, concise_description, construct, iri_ref, select
from kg.server.page_common import (
    UI,
    Link,
    Links,
    Text,
    digits,
    gregorian,
    jalali_date,
    page_context,
    text,
)
from kg.vocab import DCTERMS, FABIO, FOAF, PREFIXES, PRO, SCHEMA, SKOS, TIME

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LIST_LIMIT = 1000


def jalali(index: Index, issue: Any, lang: str) -> str | None:
    """The issue's Solar Hijri date from its OWL-Time description ("1 Esfand 1404" / "۱ اسفند ۱۴۰۴")."""
    for instant in index.objects(issue, TIME.hasTime):
        for description in index.objects(instant, TIME.inDateTime):
            year = index.value(description, TIME.year)
            if year is None:
                continue
            month = index.value(description, TIME.month)
            day = index.value(description, TIME.day)
            return jalali_date(
                (year.value, month.value if month is not None else None, day.value if day is not None else None), lang
            )
    return None


# ---- views -------------------------------------------------------------------------------------------------


def render_thing(iri: str, lang: str, rebase: Rebase, urls: dict[str, Any]) -> str:
    """The HTML page of a stored thing in ``lang``; the view is chosen by its types."""
    node = NamedNode(iri)
    types = {row["t"].value for row in select(f"SELECT DISTINCT ?t WHERE {{ {iri_ref(iri)} a ?t }}")}
    links = Links(rebase, lang)
    if SCHEMA.ScholarlyArticle.value in types:
        return article_page(iri, lang, rebase, links, urls)
    index = Index(concise_description(iri))
    if SCHEMA.Periodical.value in types:
        return container_page("journal", node, index, lang, links, urls)
    if SCHEMA.PublicationVolume.value in types:
        return container_page("volume", node, index, lang, links, urls)
    if SCHEMA.PublicationIssue.value in types:
        return issue_page(node, index, lang, links, urls)
    if SCHEMA.Person.value in types:
        return person_page(node, index, lang, links, urls)
    if SCHEMA.Organization.value in types:
        return organization_page(node, index, lang, links, urls)
    if SKOS.Concept.value in types or SCHEMA.DefinedTerm.value in types:
        return concept_page(node, index, lang, links, urls)
    return generic_page(node, index, lang, links, urls)


def _label(index: Index, node: Any, lang: str, fallback: str = "") -> Text:
    return text(index.label(node, lang)) or Text(fallback or node.value)


def article_items(pattern: str, lang: str, links: Links) -> tuple[list[Link], bool]:
    """The articles matching a SPARQL pattern on ``?a``, newest first, each with its date and pages."""
    # each property its own branch, bound to the articles found (see page_common.bound_labels: a VALUES ?p
    # join read every headline in the store first)
    props = bound_labels("a", (SCHEMA.headline, SCHEMA.datePublished, SCHEMA.pageStart, SCHEMA.pageEnd))
    query = f"""
CONSTRUCT {{ ?a ?p ?o . ?o <{SCHEMA.name.value}> ?n }} WHERE {{
  {{ SELECT DISTINCT ?a WHERE {{ {pattern} ?a a <{SCHEMA.ScholarlyArticle.value}> }}
     ORDER BY ?a LIMIT {LIST_LIMIT + 1} }}
  {{ {props} }} UNION {{
    ?a <{SCHEMA.author.value}> ?o . BIND(<{SCHEMA.author.value}> AS ?p) OPTIONAL {{ ?o <{SCHEMA.name.value}> ?n }} }}
}}"""
    index = Index(construct(query))
    articles = {t.subject for t in index.triples if t.predicate == SCHEMA.headline and isinstance(t.subject, NamedNode)}
    items = []
    for article in articles:
        date = index.value(article, SCHEMA.datePublished)
        start = index.value(article, SCHEMA.pageStart)
        end = index.value(article, SCHEMA.pageEnd)
        notes = []
        if date is not None:
            notes.append(gregorian(date.value, lang))
        if start is not None:
            notes.append(digits(f"{start.value}–{end.value}" if end is not None else start.value, lang))
        authors = [_label(index, p, lang) for p in sorted(index.objects(article, SCHEMA.author), key=str)]
        first_page = _number(start)[0] if start is not None else -1
        key = (date.value if date is not None else "", first_page if first_page >= 0 else 10**9)
        # a Persian comma, not a middle dot: "·" beside Persian digits reads as the digit zero
        note = UI[lang]["sep"].join(notes)
        items.append(Link(links.page(article.value), _label(index, article, lang), note, authors, key))
    items.sort(key=lambda item: (item.key, item.label.value))
    return items[:LIST_LIMIT], len(items) > LIST_LIMIT


def container_page(kind: str, node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    """A journal or a volume: what it is and its issues, newest first."""
    ref = iri_ref(node.value)
    # the issue's type inside each branch, after the journal's own links: joined after the UNION, Oxigraph read
    # every issue of the store first (60 ms per journal page at 10,000 articles against under 1 ms)
    is_issue = f"?issue a <{SCHEMA.PublicationIssue.value}> ."
    if kind == "journal":
        where = (
            f"{{ ?vol <{SCHEMA.isPartOf.value}> {ref} . ?vol a <{SCHEMA.PublicationVolume.value}> . "
            f"?issue <{SCHEMA.isPartOf.value}> ?vol . {is_issue} }} "
            f"UNION {{ ?issue <{SCHEMA.isPartOf.value}> {ref} . {is_issue} }}"
        )
    else:
        where = f"?issue <{SCHEMA.isPartOf.value}> {ref} . {is_issue} BIND({ref} AS ?vol)"
    rows = select(f"""
SELECT ?issue ?vol ?vn ?in ?date (COUNT(DISTINCT ?a) AS ?n) WHERE {{
  {where}
  OPTIONAL {{ ?vol <{SCHEMA.volumeNumber.value}> ?vn }}
  OPTIONAL {{ ?issue <{SCHEMA.issueNumber.value}> ?in }}
  OPTIONAL {{ ?issue <{SCHEMA.datePublished.value}> ?date }}
  OPTIONAL {{ ?a <{SCHEMA.isPartOf.value}> ?issue . ?a a <{SCHEMA.ScholarlyArticle.value}> }}
}} GROUP BY ?issue ?vol ?vn ?in ?date""")
    ui = UI[lang]
    issues = []
    for row in rows:
        vn, number = row.get("vn"), row.get("in")
        label = " ".join(
            part
            for part in (
                f"{ui['volume']} {vn.value}" if vn is not None else "",
                f"{ui['issue']} {number.value}" if number is not None else "",
            )
            if part
        )
        notes = [gregorian(row["date"].value, lang)] if row.get("date") is not None else []
        notes.append(f"{ui['articles']}: {row['n'].value}")
        issues.append(
            (
                (_number(vn), _number(number)),
                Link(
                    links.page(row["issue"].value),
                    Text(digits(label or row["issue"].value, lang)),
                    digits(ui["sep"].join(notes), lang),
                ),
            )
        )
    issues.sort(key=lambda pair: pair[0], reverse=True)
    title = _label(index, node, lang)
    if kind == "volume":
        number = index.value(node, SCHEMA.volumeNumber)
        title = Text(digits(f"{ui['volume']} {number.value}", lang)) if number is not None else title
    journal = index.value(node, SCHEMA.isPartOf) if kind == "volume" else None
    return render_template(
        "container.html",
        page=page_context(kind, title, lang, urls),
        issues=[link for _, link in issues],
        names=[text(n) for n in index.objects(node, SCHEMA.name)],
        issns=sorted(i.value for i in index.objects(node, SCHEMA.issn)),
        homepage=(index.value(node, FOAF.homepage) or index.value(node, SCHEMA.url)),
        journal=Link(links.page(journal.value), _label(index, journal, lang)) if journal is not None else None,
    )


def _number(literal: Any) -> tuple[int, str]:
    if literal is None:
        return (-1, "")
    try:
        return (int(literal.value), literal.value)
    except ValueError:
        return (-1, literal.value)


def issue_page(node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    ui = UI[lang]
    ref = iri_ref(node.value)
    articles, more = article_items(f"?a <{SCHEMA.isPartOf.value}> {ref} .", lang, links)
    articles.sort(key=lambda item: (item.key[1], item.label.value))  # by first page
    # the volume and the journal, each by its type (the journal of a volume is not in the issue's
    # description: ask for the chain); a volume has no name, it is shown by its number
    rows = select(f"""SELECT ?c ?type ?name ?vn WHERE {{ {ref} <{SCHEMA.isPartOf.value}>+ ?c .
                      VALUES ?type {{ <{SCHEMA.PublicationVolume.value}> <{SCHEMA.Periodical.value}> }} ?c a ?type .
                      OPTIONAL {{ ?c <{SCHEMA.name.value}> ?name }}
                      OPTIONAL {{ ?c <{SCHEMA.volumeNumber.value}> ?vn }} }}""")
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(row["type"].value, {"iri": row["c"].value, "names": [], "number": None})
        if row.get("name") is not None:
            entry["names"].append(row["name"])
        if row.get("vn") is not None:
            entry["number"] = row["vn"].value
    volume = journal = None
    if SCHEMA.PublicationVolume.value in found:
        entry = found[SCHEMA.PublicationVolume.value]
        label = Text(digits(entry["number"], lang)) if entry["number"] else Text(ui["volume"])
        volume = Link(links.page(entry["iri"]), label)
    if SCHEMA.Periodical.value in found:
        entry = found[SCHEMA.Periodical.value]
        names = entry["names"]
        name = next((n for n in names if getattr(n, "language", None) == lang), names[0] if names else None)
        journal = Link(links.page(entry["iri"]), text(name) or Text(ui["journal"]))
    number = index.value(node, SCHEMA.issueNumber)
    date = index.value(node, SCHEMA.datePublished)
    title = Text(digits(f"{ui['issue']} {number.value}", lang)) if number is not None else _label(index, node, lang)
    return render_template(
        "issue.html",
        page=page_context("issue", title, lang, urls),
        articles=articles,
        more=more,
        journal=journal,
        volume=volume,
        date=gregorian(date.value, lang) if date is not None else None,
        date_iso=date.value if date is not None else None,
        date_jalali=jalali(index, node, lang),
    )


def person_page(node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    ref = iri_ref(node.value)
    articles, more = article_items(f"?a <{SCHEMA.author.value}> {ref} .", lang, links)
    articles.sort(key=lambda item: item.key, reverse=True)  # newest first
    orgs = [Link(links.page(o.value), _label(index, o, lang)) for o in index.objects(node, SCHEMA.affiliation)]
    same = sorted(s.value for s in index.objects(node, SCHEMA.sameAs))
    return render_template(
        "person.html",
        page=page_context("person", _label(index, node, lang), lang, urls),
        articles=articles,
        more=more,
        names=[text(n) for n in index.objects(node, SCHEMA.name)],
        orgs=orgs,
        same=same,
    )


def organization_page(node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    ref = iri_ref(node.value)
    articles, more = article_items(
        f"?a <{PRO.isDocumentContextFor.value}> ?role . ?role <{PRO.relatesToOrganization.value}> {ref} .", lang, links
    )
    people = select(
        f"SELECT DISTINCT ?p ?name WHERE {{ ?p <{SCHEMA.affiliation.value}> {ref} . "
        f"OPTIONAL {{ ?p <{SCHEMA.name.value}> ?name }} }} LIMIT {LIST_LIMIT}"
    )
    by_person: dict[str, list[Any]] = {}
    for row in people:
        by_person.setdefault(row["p"].value, []).append(row.get("name"))
    persons = []
    for person, names in by_person.items():
        named = [n for n in names if n is not None]
        label = next((n for n in named if n.language == lang), named[0] if named else None)
        persons.append(Link(links.page(person), text(label) or Text(person)))
    persons.sort(key=lambda link: link.label.value)
    return render_template(
        "organization.html",
        page=page_context("organization", _label(index, node, lang), lang, urls),
        names=[text(n) for n in index.objects(node, SCHEMA.name)],
        articles=articles,
        more=more,
        people=persons,
    )


def concept_page(node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    """A keyword concept (or an article type or section term) and the articles about it."""
    ref = iri_ref(node.value)
    predicates = " ".join(f"<{p.value}>" for p in (DCTERMS.subject, SCHEMA.genre, FABIO.hasSubjectTerm))
    articles, more = article_items(f"VALUES ?link {{ {predicates} }} ?a ?link {ref} .", lang, links)
    articles.sort(key=lambda item: item.key, reverse=True)  # newest first
    labels = [text(n) for n in index.objects(node, SKOS.prefLabel) or index.objects(node, SCHEMA.name)]
    return render_template(
        "concept.html",
        page=page_context("concept", _label(index, node, lang), lang, urls),
        labels=labels,
        articles=articles,
        more=more,
    )


def generic_page(node: NamedNode, index: Index, lang: str, links: Links, urls: dict[str, Any]) -> str:
    """Any other thing (an authorship, an identifier, a calendar, a source file): its triples as a table."""
    rows = []
    for triple in index.triples:
        rows.append(
            (
                _cell(triple.subject, index, lang, links),
                _cell(triple.predicate, index, lang, links),
                _cell(triple.object, index, lang, links),
            )
        )
    return render_template(
        "generic.html", page=page_context("resource", _label(index, node, lang), lang, urls), rows=rows
    )


def _cell(term: Any, index: Index, lang: str, links: Links) -> Link | Text:
    if isinstance(term, NamedNode):
        label = index.label(term, lang)
        shown = Text(label.value, label.language or "") if label is not None else Text(compact(term.value))
        return Link(links.page(term.value), shown)
    if isinstance(term, Literal):
        return Text(term.value, term.language or "")
    return Text(str(term))


def compact(iri: str) -> str:
    """``http://schema.org/name`` -> ``schema:name`` for the known vocabularies; other IRIs as they are."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def rows_for_triples(triples: list[Any], lang: str, links: Links) -> list[tuple[Any, Any, Any]]:
    """Table rows for a list of triples (the named-graph page)."""
    index = Index(triples)
    return [
        (
            _cell(t.subject, index, lang, links),
            _cell(t.predicate, index, lang, links),
            _cell(t.object, index, lang, links),
        )
        for t in index.triples
    ]
