"""Mappers: records -> RDF quads, one module per entity, no I/O.

``map_article`` is the one entry point the build calls: it gives one article's named graph, holding the
article and everything it needs (journal, volume, issue, people, organizations, concepts, provenance), so
that the article is the unit that is validated, quarantined, replaced on re-import and traced to its file.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.article import map_article as _map_article
from kg.mappers.graph import GraphBuilder
from kg.mappers.history import map_history
from kg.mappers.issue import map_issue
from kg.mappers.journal import map_journal
from kg.mappers.keyword import map_keywords
from kg.mappers.person import map_authors
from kg.mappers.provenance import map_article_provenance
from kg.mappers.reference import map_references
from kg.records import Article, Export


@dataclass
class MappedArticle:
    iri: NamedNode
    graph: NamedNode
    nquads: bytes  # the article's named graph as N-Quads
    quads: int


def map_article(export: Export, article: Article, minter: Minter) -> MappedArticle:
    journal_key = export.journal.key
    graph = minter.article_graph(journal_key, article.key)
    iri = minter.article(journal_key, article.key)
    out = GraphBuilder(graph)
    journal = map_journal(out, minter, export.journal)
    issue = map_issue(out, minter, journal_key, journal, export.issue)
    _map_article(out, minter, article, iri, issue, export.issue, journal_key, export.journal.language)
    map_authors(out, minter, iri, article.authors, journal_key, article.key)
    map_keywords(out, minter, iri, article.keywords_fa, article.keywords_en)
    map_history(out, minter, iri, article)
    map_references(out, iri, article.references)
    map_article_provenance(out, minter, iri, export.source, article.web_url or export.journal.web_url)
    nquads, count = out.nquads()
    return MappedArticle(iri=iri, graph=graph, nquads=nquads, quads=count)
