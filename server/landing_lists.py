"""What the landing page shows of the data itself: the latest issues, a few complete articles, and how many
articles are records cut short at the source.

A newcomer should meet a real article first: many sample (and real) export records are truncated at the
source, with no authors, abstract or keywords, and a page of such a record shows almost nothing. So the
landing page lists complete articles (authors, abstract and keywords present), the richest first, and says
plainly how many records lack them. The lists come from a few bounded SELECT queries through the backend,
computed once per release (a landing page is requested often; the counts do not change within a release).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kg.server.describe import Rebase, select
from kg.server.page_common import GREGORIAN_MONTHS
from kg.vocab import DCTERMS, SCHEMA

LATEST_ISSUES = 6
COMPLETE_ARTICLES = 5


@dataclass
class Listed:
    """One entry of a landing-page list: the minted IRI, its English and Persian labels, a short note."""

    iri: str
    en: str
    fa: str
    note: str = ""


@dataclass
class LandingLists:
    issues: list[Listed] = field(default_factory=list)
    articles: list[Listed] = field(default_factory=list)
    articles_total: int = 0
    incomplete: int = 0  # articles without authors, abstract or keywords (their source records lack them)


_cache: dict[str, LandingLists] = {}
_lock = threading.Lock()


def landing_lists(release_id: str) -> LandingLists:
    """The lists of the served release (computed on first use, then kept)."""
    with _lock:
        found = _cache.get(release_id)
    if found is None:
        found = _compute()
        with _lock:
            _cache.clear()  # only the served release is worth keeping
            _cache[release_id] = found
    return found


def _date(value: str) -> str:
    try:
        year, month, day = (int(part) for part in value[:10].split("-"))
        return f"{day} {GREGORIAN_MONTHS['en'][month - 1]} {year}"
    except (ValueError, IndexError):
        return value


def _compute() -> LandingLists:
    lists = LandingLists()
    s = SCHEMA
    rows = select(f"""
SELECT ?issue ?date ?vn ?in (SAMPLE(?en) AS ?jen) (SAMPLE(?fa) AS ?jfa) WHERE {{
  {{ SELECT ?issue ?date WHERE {{ ?issue a <{s.PublicationIssue.value}> ; <{s.datePublished.value}> ?date }}
     ORDER BY DESC(?date) ?issue LIMIT {LATEST_ISSUES} }}
  OPTIONAL {{ ?issue <{s.issueNumber.value}> ?in }}
  OPTIONAL {{ ?issue <{s.isPartOf.value}> ?vol . ?vol <{s.volumeNumber.value}> ?vn }}
  OPTIONAL {{ ?issue <{s.isPartOf.value}>+ ?j . ?j a <{s.Periodical.value}> ; <{s.name.value}> ?en
             FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?issue <{s.isPartOf.value}>+ ?j2 . ?j2 a <{s.Periodical.value}> ; <{s.name.value}> ?fa
             FILTER(LANG(?fa) = "fa") }}
}} GROUP BY ?issue ?date ?vn ?in ORDER BY DESC(?date) ?issue""")
    for row in rows:
        numbers = ", ".join(
            part
            for part in (
                f"vol. {row['vn'].value}" if row.get("vn") is not None else "",
                f"no. {row['in'].value}" if row.get("in") is not None else "",
            )
            if part
        )
        en = row["jen"].value if row.get("jen") is not None else ""
        fa = row["jfa"].value if row.get("jfa") is not None else en
        lists.issues.append(Listed(row["issue"].value, f"{en or fa} {numbers}".strip(), fa, _date(row["date"].value)))

    complete = f"""?a <{s.author.value}> ?p ; <{s.abstract.value}> ?abs ; <{DCTERMS.subject.value}> ?k ."""
    rows = select(f"""
SELECT ?a (COUNT(DISTINCT ?p) + COUNT(DISTINCT ?k) AS ?richness) (SAMPLE(?en) AS ?ten) (SAMPLE(?fa) AS ?tfa)
WHERE {{
  ?a a <{s.ScholarlyArticle.value}> . {complete}
  OPTIONAL {{ ?a <{s.headline.value}> ?en FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?a <{s.headline.value}> ?fa FILTER(LANG(?fa) = "fa") }}
}} GROUP BY ?a ORDER BY DESC(?richness) ?a LIMIT {COMPLETE_ARTICLES}""")
    for row in rows:
        en = row["ten"].value if row.get("ten") is not None else ""
        fa = row["tfa"].value if row.get("tfa") is not None else en
        lists.articles.append(Listed(row["a"].value, en or fa, fa))

    # two plain counts (no EXISTS inside IF: Virtuoso 7.2 refuses that, error SQ074)
    total = select(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{s.ScholarlyArticle.value}> }}")
    completes = select(f"""
SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{
  ?a a <{s.ScholarlyArticle.value}> ; <{s.author.value}> [] ; <{s.abstract.value}> [] ; <{DCTERMS.subject.value}> [] .
}}""")
    if total and completes:
        lists.articles_total = int(total[0]["n"].value)
        lists.incomplete = lists.articles_total - int(completes[0]["n"].value)
    return lists


def page_links(lists: LandingLists, rb: Rebase) -> dict[str, object]:
    """The template's values: each entry with the link to its English and Persian page on this server."""

    def pages(entry: Listed) -> tuple[str, str, Listed]:
        local = rb.local(entry.iri)
        return local.replace("/id/", "/en/doc/", 1), local.replace("/id/", "/fa/doc/", 1), entry

    return {
        "latest_issues": [pages(e) for e in lists.issues],
        "complete_articles": [pages(e) for e in lists.articles],
        "articles_total": lists.articles_total,
        "incomplete_articles": lists.incomplete,
    }
