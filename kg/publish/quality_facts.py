"""What the data-quality figures are computed from, per node, kept from one release to the next.

``kg.publish.quality`` turns these facts into the figures of every journal and issue; this module finds them
in the release's store. A full pass queries every article (3-8 s at 10,000 articles on the shared 2-core
machine, most of what a one-issue rebuild took for its checks); so each release keeps its facts
(``quality-facts.json.gz`` beside ``quality.json``) and the next build queries again only the nodes whose
merged triples it changed (``kg.publish.default_graph.DefaultGraphChanges``, known exactly from the dump
parts' differences), and carries the others' facts over. The facts are normalised so that each one
depends only on its own node's triples:

- an article: its issue, the languages of its titles and abstracts, whether it has keywords and a DOI, its
  name, and how many authorships it has and how many of them have an ORCID iD and an affiliation
  (``authors``: three counts, all the figures need); authorships are the article's own nodes
  (``…/author/N``) and a person's ORCID link is stated wherever the person is (its IRI is the ORCID's);
- an issue: its journal, volume number, issue number and date;
- a journal: its names.

A pass restricted to some nodes runs the same queries as the full pass with a ``VALUES`` block, so the
facts of a node are the same whichever pass found them, and an incremental build's figures equal a full
build's (``tests/test_quality.py`` builds both and compares).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import QuerySolutions, Store

from kg.publish.default_graph import DefaultGraphChanges
from kg.vocab import PREFIXES

FACTS_VERSION = 2  # a change of what the facts hold makes the next build compute them all again (2: author counts)
_VALUES = 400  # nodes bound per query

_ARTICLES = """SELECT DISTINCT ?article ?issue WHERE { #VALUES
    ?article a schema:ScholarlyArticle ; schema:isPartOf ?issue . ?issue a schema:PublicationIssue .
}"""
_LANGS = """SELECT DISTINCT ?article ?what (LANG(?text) AS ?lang) WHERE { #VALUES
    { ?article a schema:ScholarlyArticle ; schema:headline ?text . BIND("title" AS ?what) }
    UNION { ?article a schema:ScholarlyArticle ; schema:abstract ?text . BIND("abstract" AS ?what) }
}"""
_HAS = """SELECT DISTINCT ?article ?what WHERE { #VALUES
    { ?article a schema:ScholarlyArticle ; schema:keywords ?k . BIND("keywords" AS ?what) }
    UNION { ?article a schema:ScholarlyArticle ; prism:doi ?d . BIND("doi" AS ?what) }
}"""
_AUTHORS = """SELECT DISTINCT ?article ?role ?orcid ?org WHERE { #VALUES
    ?article a schema:ScholarlyArticle ; pro:isDocumentContextFor ?role .
    ?role pro:withRole pro:author .
    OPTIONAL { ?role pro:isHeldBy/schema:sameAs ?orcid FILTER (STRSTARTS(STR(?orcid), "https://orcid.org/")) }
    OPTIONAL { ?role pro:relatesToOrganization ?org }
}"""
_ISSUES = """SELECT DISTINCT ?issue ?journal ?volume ?number ?date WHERE { #VALUES
    ?issue a schema:PublicationIssue ; schema:isPartOf+ ?journal .
    ?journal a schema:Periodical .
    OPTIONAL { ?issue schema:isPartOf/schema:volumeNumber ?volume }
    OPTIONAL { ?issue schema:issueNumber ?number }
    OPTIONAL { ?issue schema:datePublished ?date }
}"""
# one query per type: a VALUES block of types beside one of nodes made pyoxigraph scan every typed node
_NAMES = """SELECT DISTINCT ?thing ?name (LANG(?name) AS ?lang) WHERE { #VALUES
    ?thing a schema:TYPE ; schema:name ?name .
}"""
_ARTICLES_IN = "SELECT DISTINCT ?article WHERE { #VALUES\n ?article a schema:ScholarlyArticle ; schema:isPartOf ?part }"
_ISSUES_OF = "SELECT DISTINCT ?issue WHERE { #VALUES\n ?issue a schema:PublicationIssue ; schema:isPartOf+ ?part }"
_ARTICLES_OF = """SELECT DISTINCT ?article WHERE { #VALUES
    ?article pro:isDocumentContextFor ?role . ?role pro:isHeldBy ?person }"""


@dataclass
class QualityFacts:
    """The facts of every article, issue and journal of a release (JSON-ready: lists, not sets)."""

    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: dict[str, dict[str, str]] = field(default_factory=dict)
    journals: dict[str, dict[str, str]] = field(default_factory=dict)  # journal -> its names by language
    parts: str = ""  # the state of the dump parts they are of (``DefaultGraphChanges.after``)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": FACTS_VERSION,
            "parts": self.parts,
            "articles": self.articles,
            "issues": self.issues,
            "journals": self.journals,
        }


def _query(
    store: Store, query: str, variable: str | None = None, nodes: Collection[str] | None = None
) -> Iterator[list[str]]:
    """The rows of ``query`` (the store's default graph), its ``#VALUES`` mark bound to ``nodes`` when given.

    Streamed: a full pass at 50,000 articles is 600,000 rows, which held as lists (and sorted) raised the
    build's peak by hundreds of megabytes; the callers keep the smallest value where a node has several,
    which does not depend on the order of the rows.
    """
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    if nodes is None:
        batches = [query]
    else:
        ordered = sorted(nodes)
        batches = [
            query.replace(
                "#VALUES", f"VALUES ?{variable} {{ " + " ".join(f"<{n}>" for n in ordered[i : i + _VALUES]) + " }"
            )
            for i in range(0, len(ordered), _VALUES)
        ]
    for text in batches:
        found = store.query(prologue + text)
        assert isinstance(found, QuerySolutions)
        for row in found:
            yield [term.value if term is not None else "" for term in row]


def gather(
    store: Store,
    articles: Collection[str] | None = None,
    issues: Collection[str] | None = None,
    journals: Collection[str] | None = None,
) -> QualityFacts:
    """The facts of the given nodes (None: of every node of that kind) from the store's default graph.

    Where a node has several values (two dates of one issue: a conflict the store checks report), the
    smallest is kept, so that the figures do not depend on the order of the rows.
    """
    facts = QualityFacts()
    if articles is None or articles:
        _gather_articles(store, articles, facts)
    if issues is None or issues:
        for issue, journal, volume, number, date in _query(store, _ISSUES, "issue", issues):
            known = facts.issues.get(issue)
            if known is None:
                facts.issues[issue] = {"journal": journal, "volume": volume, "number": number, "date": date}
                continue
            for name, value in (("journal", journal), ("volume", volume), ("number", number), ("date", date)):
                if value and (not known[name] or value < known[name]):
                    known[name] = value
    if journals is None or journals:
        for thing, name, lang in _query(store, _NAMES.replace("TYPE", "Periodical"), "thing", journals):
            _keep_smallest(facts.journals.setdefault(thing, {}), lang or "en", name)
    return facts


def _keep_smallest(values: dict[str, str], key: str, value: str) -> None:
    known = values.get(key)
    if known is None or value < known:
        values[key] = value


def _gather_articles(store: Store, articles: Collection[str] | None, facts: QualityFacts) -> None:
    found = facts.articles
    for article, issue in _query(store, _ARTICLES, "article", articles):
        known = found.get(article)
        if known is None:
            found[article] = {
                "issue": issue,
                "langs": [],
                "keywords": False,
                "doi": False,
                "name": {},
                "authors": [0, 0, 0],
            }
        elif issue < known["issue"]:
            known["issue"] = issue
    for article, what, lang in _query(store, _LANGS, "article", articles):
        if article in found:
            found[article]["langs"].append([what, lang])
    for fact in found.values():
        fact["langs"].sort()
    for article, what in _query(store, _HAS, "article", articles):
        if article in found:
            found[article][what] = True
    roles: dict[tuple[str, str], list[bool]] = {}  # (article, authorship) -> [ORCID iD, affiliation]
    for article, role, orcid, org in _query(store, _AUTHORS, "article", articles):
        if article in found:
            seen = roles.setdefault((article, role), [False, False])
            seen[0] |= bool(orcid)
            seen[1] |= bool(org)
    for (article, _), (has_orcid, has_org) in roles.items():
        counts = found[article]["authors"]  # [authorships, with an ORCID iD, with an affiliation]
        counts[0] += 1
        counts[1] += has_orcid
        counts[2] += has_org
    for thing, name, lang in _query(store, _NAMES.replace("TYPE", "ScholarlyArticle"), "thing", articles):
        if thing in found:
            _keep_smallest(found[thing]["name"], lang or "en", name)


def update(store: Store, previous: QualityFacts | None, changes: DefaultGraphChanges) -> QualityFacts:
    """The facts of the release in ``store``: ``previous`` (the last release's) with the nodes whose merged
    triples ``changes`` says changed found again; or all of them found again, when there is no previous
    facts, or they are of another state of the parts than the one ``changes`` starts from.

    Where a person's ``schema:sameAs`` links changed (an ORCID iD), its authorships' articles are found again.
    """
    if previous is None or changes.subjects is None or previous.parts != changes.before:
        facts = gather(store)
        facts.parts = changes.after
        return facts
    changed, same_as = changes.subjects, changes.same_as
    # an article that went, came or changed has changed triples; its facts are found again (or not found)
    redo_articles = set(changed) | {s.partition("/author/")[0] for s in changed if "/author/" in s}
    redo_articles |= {row[0] for row in _query(store, _ARTICLES_IN, "part", changed)}  # an issue typed anew
    if same_as:
        redo_articles |= {row[0] for row in _query(store, _ARTICLES_OF, "person", same_as)}
    facts = QualityFacts(articles={a: f for a, f in previous.articles.items() if a not in redo_articles})
    facts.articles.update(gather(store, redo_articles, (), ()).articles)
    issues_now = {f["issue"] for f in facts.articles.values()}
    # an issue's facts follow its own triples and its volume's and journal's (isPartOf+, volumeNumber)
    redo_issues = {i for i in issues_now if i in changed or i not in previous.issues}
    parts = changed - issues_now - set(facts.articles)
    if parts:
        redo_issues |= {row[0] for row in _query(store, _ISSUES_OF, "part", parts)} & issues_now
    carried = {i: f for i, f in previous.issues.items() if i in issues_now and i not in redo_issues}
    fresh = gather(store, (), redo_issues, ())
    facts.issues = {**carried, **fresh.issues}
    journals_now = {f["journal"] for f in facts.issues.values()}
    redo_journals = {j for j in journals_now if j in changed or j not in previous.journals}
    facts.journals = {j: n for j, n in previous.journals.items() if j in journals_now and j not in redo_journals}
    facts.journals.update(gather(store, (), (), redo_journals).journals)
    facts.parts = changes.after
    return facts


def load(path: Path) -> QualityFacts | None:
    """A release's facts, or None when it has none (an older release) or they are of another version."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(data, dict) or data.get("version") != FACTS_VERSION:
        return None
    return QualityFacts(data["articles"], data["issues"], data["journals"], str(data.get("parts", "")))


def save(path: Path, facts: QualityFacts) -> None:
    """Write the facts: the text ``json.dump`` would write (sorted keys, no spaces), made a few thousand nodes at
    a time by json's C encoder. ``json.dump`` itself uses the Python encoder (2 s at 50,000 articles, most of
    a one-issue rebuild's quality step); ``json.dumps`` of the whole would hold all its text at once."""
    data = facts.as_dict()
    with gzip.GzipFile(path, "wb", compresslevel=1, mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write("{")
        for n, key in enumerate(sorted(data)):
            out.write(("," if n else "") + _dumps(key) + ":")
            value = data[key]
            if isinstance(value, dict) and value:
                _write_mapping(out, value)
            else:
                out.write(_dumps(value))
        out.write("}")


_CHUNK = 2000  # nodes encoded at a time


def _write_mapping(out: io.TextIOWrapper, mapping: dict[str, Any]) -> None:
    keys = sorted(mapping)
    out.write("{")
    for start in range(0, len(keys), _CHUNK):
        text = _dumps({key: mapping[key] for key in keys[start : start + _CHUNK]})
        out.write(("," if start else "") + text[1:-1])
    out.write("}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
