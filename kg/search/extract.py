"""What the search index holds about each article (``Article``), and its reference reading from a store.

The build reads the articles from its N-Quads files (``kg.search.nquads``, about twice as fast);
:func:`articles` reads the same fields from a store with one SPARQL query per field, the definition the
fast reader is tested against (``tests/test_search_release.py``).

Each query runs inside each article's named graph (decision 5: it holds the article's people, journal and
issue too): over the union default graph every shared person or keyword would be matched once per graph
that repeats it, which multiplied the rows by thousands at scale.

Reading what was published (the store, or the graph files it is loaded from) rather than the mapper's records
keeps the index to the published articles (validation held back the quarantined ones; ranking picked one copy
of each), and keeps ``kg.build`` to one line.
Every field keeps its language so that pages can show the visitor's language first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from kg.vocab import DCTERMS, FABIO, SCHEMA

_ARTICLE = f"?a a <{SCHEMA.ScholarlyArticle.value}> . "
# field -> the pattern binding ?v (the value) and, where the value belongs to a node, ?x (that node)
_FIELDS = {
    "title": f"{{ ?a <{DCTERMS.title.value}> ?v }} UNION {{ ?a <{FABIO.hasTranslatedTitle.value}> ?v }}",
    "abstract": f"?a <{SCHEMA.abstract.value}> ?v",
    "keyword": f"?a <{SCHEMA.keywords.value}> ?v FILTER(isLiteral(?v))",
    "concept": f"?a <{SCHEMA.about.value}> ?x . ?x <{SCHEMA.name.value}> ?v",
    "person": f"?a <{SCHEMA.author.value}> ?x . ?x <{SCHEMA.name.value}> ?v",
    "affiliation": f"?a <{SCHEMA.author.value}>/<{SCHEMA.affiliation.value}> ?x . ?x <{SCHEMA.name.value}> ?v",
    "journal": f"?a <{SCHEMA.isPartOf.value}>/<{SCHEMA.isPartOf.value}>? ?i . ?i <{SCHEMA.isPartOf.value}> ?x . "
    f"?x a <{SCHEMA.Periodical.value}> ; <{SCHEMA.name.value}> ?v",
    "type": f"?a <{SCHEMA.genre.value}> ?x . ?x <{SCHEMA.name.value}> ?v",
    "date": f"?a <{SCHEMA.datePublished.value}> ?v",
    "lang": f"?a <{SCHEMA.inLanguage.value}> ?v",
}


@dataclass
class Article:
    """One article's searchable text and facets; ``texts`` maps a field to its (value, language) pairs."""

    iri: str
    graph: str = ""  # the named graph it is published in
    texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # field -> IRI -> lang -> label
    date: str = ""
    lang: str = ""
    _digest: str = ""  # computed once, when the article is complete

    def add(self, name: str, value: str, lang: str, link: str | None) -> None:
        if link is not None:
            labels = self.links.setdefault(name, {}).setdefault(link, {})
            # a node named twice in one language keeps the first name in sorted order, whatever order it is read in
            labels[lang] = min(labels.get(lang, value), value)
        if name not in ("journal", "type"):
            values = self.texts.setdefault(name, [])
            if (value, lang) not in values:
                values.append((value, lang))

    def as_dict(self) -> dict[str, Any]:
        """A canonical form: the same article always gives the same dict (sorted), whatever the store order."""
        return {
            "iri": self.iri,
            "texts": {k: sorted(set(v)) for k, v in sorted(self.texts.items())},
            "links": {
                k: {i: dict(sorted(ls.items())) for i, ls in sorted(v.items())} for k, v in sorted(self.links.items())
            },
            "date": self.date,
            "lang": self.lang,
        }

    def digest(self) -> str:
        """What the incremental index compares: an article is re-indexed only when this changes."""
        if self._digest:
            return self._digest
        blob = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        self._digest = hashlib.sha256(blob).hexdigest()[:32]
        return self._digest

    @property
    def year(self) -> int | None:
        head = self.date[:4]
        return int(head) if head.isdigit() else None


def articles(store: Store, graphs: list[str] | None = None) -> dict[str, Article]:
    """The published articles of ``store`` (all, or those in ``graphs``), keyed by IRI."""
    found: dict[str, Article] = {}
    if graphs is None:
        blocks = [""]
    else:
        blocks = [
            "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs[i : i + _BLOCK]) + " } "
            for i in range(0, len(graphs), _BLOCK)
        ]
    for name, pattern in _FIELDS.items():
        for block in blocks:
            query = f"SELECT ?a ?v ?x ?g WHERE {{ {block}GRAPH ?g {{ {_ARTICLE}{pattern} }} }}"
            for row in store.query(query):  # type: ignore[union-attr]
                _add(found, name, row[0], row[1], row[2], row[3])
    return found


_BLOCK = 200  # graphs per VALUES block


def _add(found: dict[str, Article], name: str, node: Any, value: Any, link: Any, graph: Any) -> None:
    if not isinstance(node, NamedNode) or not isinstance(value, Literal):
        return
    article = found.get(node.value)
    if article is None:
        article = found[node.value] = Article(node.value, graph=graph.value if isinstance(graph, NamedNode) else "")
    if name == "date":
        article.date = min(filter(None, (article.date, value.value)))
    elif name == "lang":
        article.lang = max(article.lang, value.value)  # the same choice whatever order the rows come in
    else:
        article.add(name, value.value, value.language or "", link.value if isinstance(link, NamedNode) else None)
