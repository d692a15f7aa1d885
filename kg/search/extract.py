"""What the search index holds about each article, read from the build's store with one SPARQL query.

Reading the store rather than the mapper's records keeps the index to what was published (validation
held back the quarantined articles; ranking picked one copy of each), and keeps ``kg.build`` to one line.
Every field keeps its language so that pages can show the visitor's language first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from kg.vocab import DCTERMS, FABIO, SCHEMA

_QUERY = f"""
SELECT DISTINCT ?a ?f ?v ?x WHERE {{
  ?a a <{SCHEMA.ScholarlyArticle.value}> .
  {{ ?a <{DCTERMS.title.value}> ?v BIND("title" AS ?f) }}
  UNION {{ ?a <{FABIO.hasTranslatedTitle.value}> ?v BIND("title" AS ?f) }}
  UNION {{ ?a <{SCHEMA.abstract.value}> ?v BIND("abstract" AS ?f) }}
  UNION {{ ?a <{SCHEMA.keywords.value}> ?v BIND("keyword" AS ?f) FILTER(isLiteral(?v)) }}
  UNION {{ ?a <{SCHEMA.about.value}> ?x . ?x <{SCHEMA.name.value}> ?v BIND("concept" AS ?f) }}
  UNION {{ ?a <{SCHEMA.author.value}> ?x . ?x <{SCHEMA.name.value}> ?v BIND("person" AS ?f) }}
  UNION {{ ?a <{SCHEMA.author.value}>/<{SCHEMA.affiliation.value}> ?x . ?x <{SCHEMA.name.value}> ?v
           BIND("affiliation" AS ?f) }}
  UNION {{ ?a <{SCHEMA.isPartOf.value}>+ ?x . ?x a <{SCHEMA.Periodical.value}> ; <{SCHEMA.name.value}> ?v
           BIND("journal" AS ?f) }}
  UNION {{ ?a <{SCHEMA.genre.value}> ?x . ?x <{SCHEMA.name.value}> ?v BIND("type" AS ?f) }}
  UNION {{ ?a <{SCHEMA.datePublished.value}> ?v BIND("date" AS ?f) }}
  UNION {{ ?a <{SCHEMA.inLanguage.value}> ?v BIND("lang" AS ?f) }}
}}
"""


@dataclass
class Article:
    """One article's searchable text and facets; ``texts`` maps a field to its (value, language) pairs."""

    iri: str
    texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # field -> IRI -> lang -> label
    date: str = ""
    lang: str = ""

    def add(self, name: str, value: str, lang: str, link: str | None) -> None:
        if link is not None:
            self.links.setdefault(name, {}).setdefault(link, {})[lang] = value
        if name not in ("journal", "type"):
            self.texts.setdefault(name, []).append((value, lang))

    def as_dict(self) -> dict[str, Any]:
        """A canonical form: the same article always gives the same dict (sorted), whatever the store order."""
        return {
            "iri": self.iri,
            "texts": {k: sorted(set(v)) for k, v in sorted(self.texts.items())},
            "links": {k: {i: dict(sorted(ls.items())) for i, ls in sorted(v.items())} for k, v in sorted(self.links.items())},
            "date": self.date,
            "lang": self.lang,
        }

    def digest(self) -> str:
        """What the incremental index compares: an article is re-indexed only when this changes."""
        blob = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:32]

    @property
    def year(self) -> int | None:
        head = self.date[:4]
        return int(head) if head.isdigit() else None


def articles(store: Store) -> dict[str, Article]:
    """Every published article of ``store`` (the union of its named graphs), keyed by IRI."""
    found: dict[str, Article] = {}
    for row in store.query(_QUERY, use_default_graph_as_union=True):  # type: ignore[union-attr]
        article_node, name_term, value, link = row[0], row[1], row[2], row[3]
        if not isinstance(article_node, NamedNode) or not isinstance(value, Literal):
            continue
        article = found.get(article_node.value)
        if article is None:
            article = found[article_node.value] = Article(article_node.value)
        name = name_term.value if isinstance(name_term, Literal) else ""
        if name == "date":
            article.date = min(filter(None, (article.date, value.value)))
        elif name == "lang":
            article.lang = value.value
        else:
            article.add(name, value.value, value.language or "", link.value if isinstance(link, NamedNode) else None)
    return found
