"""The data-quality figures of a release, per journal and per issue: what a journal editor opens after an upload.

For each journal and each of its issues: how many articles have both titles, both abstracts, keywords and a
DOI, how many authors have an ORCID iD and an affiliation, and the open warnings (the report's, after one
problem per cause, and the conflicts across records), each with the articles concerned, so that the page
links to them. Computed by the build from the release's store once its merged default graph is loaded (so an
incremental build gives the figures of the whole release, not of its new files), from facts per node that a
build finds again only where its changes touch (``kg.publish.quality_facts``), a journal at a time: each
journal's figures are kept beside the facts and made again only when they can differ (``write_figures``);
written into the release as ``quality.json`` and into ``report.json``; the server only reads that file
(``kg.server.quality``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg.publish.quality_facts import FactsTable, QualityFacts, compact_json, gather

# Figure -> what it counts. Article figures count articles; author figures count author positions.
ARTICLE_FIGURES = ("both_titles", "both_abstracts", "keywords", "doi")
AUTHOR_FIGURES = ("orcid", "affiliation")
FIGURES = ARTICLE_FIGURES + AUTHOR_FIGURES


def quality_figures(
    store: Store,
    warnings: dict[str, tuple[tuple[str, str, str], ...]],
    conflicts: list[dict[str, Any]],
    facts: QualityFacts | None = None,
) -> dict[str, Any]:
    """The figures of every journal in the store, at once; ``warnings`` maps an article graph to its open
    warnings ((severity, field, message)). ``facts``: what they are computed from
    (``kg.publish.quality_facts``), found in the store when not given. The build writes the same figures a
    journal at a time (``write_figures``); this is what they are compared with."""
    facts = facts if facts is not None else gather(store)
    journals: dict[str, list[str]] = {}  # journal -> its articles, in order; journals by their first article
    for iri in sorted(facts.articles):
        issue = facts.issues.get(facts.articles[iri]["issue"])
        if issue is not None:  # an article outside any journal's issues is in no journal's figures
            journals.setdefault(issue["journal"], []).append(iri)
    owned = _conflicts_by_journal(conflicts, journals)
    out = [_journal_figures(j, articles, facts, warnings, owned.get(j, [])) for j, articles in journals.items()]
    return {"figures": list(FIGURES), "journals": out, "conflicts": conflicts}


def write_figures(
    path: Path,
    table: FactsTable,
    dirty: set[str] | None,
    warnings: dict[str, tuple[tuple[str, str, str], ...]],
    conflicts: list[dict[str, Any]],
) -> int:
    """Write ``quality.json`` from the figures of each journal kept in ``table``, made again only for a
    journal whose facts changed (``dirty``; None: every journal) or whose articles' warnings or own
    conflicts did (a digest of them is kept beside its figures); how many journals' figures were made.

    The text is the one ``json.dumps`` of ``quality_figures`` writes, byte for byte: the journals' figures
    are each encoded with the same options and joined in the same order (by their first article). A
    one-issue rebuild at 50,000 articles makes one journal's figures, where it made all of them.
    """
    journals: dict[str, list[str]] = {}
    for article, journal in table.articles_by_journal():
        journals.setdefault(journal, []).append(article)
    owned = _conflicts_by_journal(conflicts, journals)
    kept = table.kept_figures()
    made = 0
    for journal, articles in journals.items():
        own = owned.get(journal, [])
        digest = _digest(articles, warnings, own)
        if dirty is None or journal in dirty or kept.get(journal) != (articles[0], digest):
            figures = _journal_figures(journal, articles, table.of_journal(journal), warnings, own)
            table.keep_figures(journal, articles[0], digest, compact_json(figures))
            made += 1
    table.drop_figures(set(kept) - set(journals))
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '{"conflicts":' + compact_json(conflicts) + ',"figures":' + compact_json(list(FIGURES)) + ',"journals":['
        )
        for n, text in enumerate(table.figures_texts()):
            out.write(("," if n else "") + text)
        out.write("]}\n")
    return made


def _digest(articles: list[str], warnings: dict[str, tuple[tuple[str, str, str], ...]], own: list[Any]) -> str:
    """What a journal's figures depend on besides its facts: its articles' open warnings and its conflicts."""
    digest = hashlib.blake2b(digest_size=16)
    for article in articles:
        said = warnings.get(_graph_of(article), ())
        digest.update(f"{article}\n{said!r}\n".encode())
    digest.update(compact_json(own).encode("utf-8"))
    return digest.hexdigest()


def _graph_of(article: str) -> str:
    """The graph an article is published in, by which ``warnings`` are keyed."""
    return article.replace("/id/journal/", "/graph/journal/", 1)


def _conflicts_by_journal(
    conflicts: list[dict[str, Any]], journals: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each journal's own conflicts, in their order: those on the journal or on a node under its IRI."""
    owned: dict[str, list[dict[str, Any]]] = {}
    for conflict in conflicts:
        focus: str = conflict["focus"]
        for at in [len(focus)] + [n for n, char in enumerate(focus) if char == "/"]:
            if focus[:at] in journals:
                owned.setdefault(focus[:at], []).append(conflict)
    return owned


def _journal_figures(
    journal_iri: str,
    articles: list[str],
    facts: QualityFacts,
    warnings: dict[str, tuple[tuple[str, str, str], ...]],
    conflicts: list[dict[str, Any]],
) -> dict[str, Any]:
    """One journal's figures: its issues, newest first, each with its articles (``articles``, in order)."""
    issues: dict[str, dict[str, Any]] = {}
    for iri in articles:  # each row made straight from the facts: no copy of them is held
        known = facts.articles[iri]
        issue_facts = facts.issues[known["issue"]]
        langs = {(what, lang) for what, lang in known["langs"]}
        has = {
            "both_titles": {("title", "fa"), ("title", "en")} <= langs,
            "both_abstracts": {("abstract", "fa"), ("abstract", "en")} <= langs,
            "keywords": bool(known["keywords"]),
            "doi": bool(known["doi"]),
        }
        authors, with_orcid, with_affiliation = known["authors"]
        with_item = {"orcid": with_orcid, "affiliation": with_affiliation}
        graph = _graph_of(iri)
        row = {
            "iri": iri,
            "title": dict(known["name"]),
            "missing": [name for name in ARTICLE_FIGURES if not has[name]]
            + [name for name in AUTHOR_FIGURES if with_item[name] < authors],
            "authors": authors,
            "warnings": [
                {"severity": severity, "field": field, "message": message}
                for severity, field, message in warnings.get(graph, ())
            ],
        }
        issue = issues.setdefault(
            known["issue"],
            {
                "iri": known["issue"],
                "volume": issue_facts["volume"],
                "number": issue_facts["number"],
                "date": issue_facts["date"],
                "articles": [],
            },
        )
        issue["articles"].append({**row, "_has": has, "_authors": with_item})
    ordered = sorted(issues.values(), key=lambda i: (i["date"], i["iri"]), reverse=True)
    for issue in ordered:
        issue.update(_figures(issue["articles"]))
        for row in issue["articles"]:
            del row["_has"], row["_authors"]
    return {
        "iri": journal_iri,
        "name": dict(facts.journals.get(journal_iri, {})),
        **_totals(ordered, sum(len(issue["articles"]) for issue in ordered)),
        "conflicts": conflicts,
        "issues": ordered,
    }


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """An issue's counts: articles, authors, and how many of them have each figure's item."""
    counts: dict[str, int] = {name: sum(row["_has"][name] for row in rows) for name in ARTICLE_FIGURES}
    counts.update({name: sum(row["_authors"][name] for row in rows) for name in AUTHOR_FIGURES})
    return {
        "article_count": len(rows),
        "author_count": sum(row["authors"] for row in rows),
        "counts": counts,
        "warning_count": sum(len(row["warnings"]) for row in rows),
    }


def _totals(issues: list[dict[str, Any]], articles: int) -> dict[str, Any]:
    """A journal's counts: the sums of its issues'."""
    return {
        "article_count": articles,
        "author_count": sum(issue["author_count"] for issue in issues),
        "counts": {name: sum(issue["counts"][name] for issue in issues) for name in FIGURES},
        "warning_count": sum(issue["warning_count"] for issue in issues),
    }


def write_quality(path: Path, figures: dict[str, Any]) -> None:
    """``quality.json`` of a release (all its figures at once): what the server's data-quality pages show."""
    path.write_text(compact_json(figures) + "\n", encoding="utf-8")
