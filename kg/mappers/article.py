"""Article -> ``schema:ScholarlyArticle`` + ``fabio:JournalArticle`` and its parts (data model 3.3).

Titles go to ``schema:headline``/``schema:name`` in both languages, ``dcterms:title`` for the original
language and ``fabio:hasTranslatedTitle`` for the other. Pages sit on the article (schema.org) and on its
``fabio:DigitalManifestation`` (PRISM, as OpenCitations does). Dates are inherited from the issue.
Sections and article types recur: their descriptions are serialised once per process (``FragmentCache``).
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.article_types import TYPES, ArticleType
from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder
from kg.mappers.identifiers import map_identifier
from kg.records import Article, JournalIssue, LangText
from kg.vocab import DCTERMS, FABIO, FOAF, FRBR, KG, LANGUAGE_IRI, PRISM, SCHEMA, SKOS, XSD

_SECTIONS: FragmentCache[tuple[str, str, str, str], tuple[NamedNode, Fragment]] = FragmentCache(2_000)
_TYPES: FragmentCache[tuple[str, str], tuple[NamedNode, Fragment]] = FragmentCache(64)


def map_article(
    out: GraphBuilder,
    minter: Minter,
    article: Article,
    iri: NamedNode,
    issue_iri: NamedNode,
    issue: JournalIssue,
    journal_key: str,
    journal_language: str,
) -> None:
    article_type = TYPES.get(article.article_type)
    extra_classes = [FABIO[name] for name in article_type.fabio_classes] if article_type else []
    if FABIO.JournalEditorial in extra_classes:
        out.types(iri, SCHEMA.ScholarlyArticle, *extra_classes)
    else:
        out.types(iri, SCHEMA.ScholarlyArticle, FABIO.JournalArticle, *extra_classes)

    language = article.language if article.language in LANGUAGE_IRI else ""
    if language:
        out.value(iri, SCHEMA.inLanguage, language)
        out.add(iri, DCTERMS.language, LANGUAGE_IRI[language])
    original = (
        language if language in ("fa", "en") else (journal_language if journal_language in ("fa", "en") else "fa")
    )
    for lang, title in article.title.items():
        title_term = (
            DCTERMS.title if (lang == original or not getattr(article.title, original)) else FABIO.hasTranslatedTitle
        )
        out.text(iri, (SCHEMA.headline, SCHEMA.name, title_term), title, lang)
    for lang, abstract in article.abstract.items():
        out.text(iri, (SCHEMA.abstract, DCTERMS.abstract), abstract, lang)

    if article.section:
        for lang, label in article.section.items():
            out.text(iri, SCHEMA.articleSection, label, lang)
        section, ntriples = _SECTIONS.get(
            (minter.base, journal_key, article.section.fa, article.section.en),
            _describe_section,
            minter,
            journal_key,
            article.section,
        )
        out.add(iri, FABIO.hasSubjectTerm, section)
        out.fragment(ntriples)

    for lang, label in article.content_type.items():
        out.text(iri, KG.contentTypeLabel, label, lang)
    if article_type:
        term, ntriples = _TYPES.get((minter.base, article_type.slug), _describe_article_type, minter, article_type)
        out.add(iri, SCHEMA.genre, term)
        out.fragment(ntriples)

    if article.start_page or article.end_page:
        out.value(iri, SCHEMA.pageStart, article.start_page)
        out.value(iri, SCHEMA.pageEnd, article.end_page)
        manifestation = minter.manifestation(iri)
        out.add(iri, FRBR.embodiment, manifestation)
        out.types(manifestation, FABIO.DigitalManifestation)
        out.value(manifestation, PRISM.startingPage, article.start_page)
        out.value(manifestation, PRISM.endingPage, article.end_page)
        if article.start_page and article.end_page:
            page_range = f"{article.start_page}-{article.end_page}"
            out.value(iri, SCHEMA.pagination, page_range)
            out.value(manifestation, PRISM.pageRange, page_range)

    if article.doi:
        out.value(iri, PRISM.doi, article.doi)
        out.link(iri, SCHEMA.sameAs, "https://doi.org/" + article.doi)
        map_identifier(out, minter, iri, "doi", article.doi)
    out.link(iri, (SCHEMA.url, FOAF.page), article.web_url)

    out.add(iri, (SCHEMA.isPartOf, FRBR.partOf), issue_iri)
    out.value(iri, PRISM.volume, issue.volume)
    out.value(iri, PRISM.issueIdentifier, issue.number)
    if issue.gregorian_date:
        out.value(iri, (SCHEMA.datePublished, PRISM.publicationDate), issue.gregorian_date, XSD.date)
    out.link(iri, FOAF.isPrimaryTopicOf, minter.document(iri))


def _describe_section(minter: Minter, journal_key: str, section: LangText) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    iri = minter.section(journal_key, section.en or section.fa)
    out.types(iri, FABIO.SubjectTerm, SKOS.Concept, SCHEMA.DefinedTerm)
    for lang, label in section.items():
        out.text(iri, (SCHEMA.name, SKOS.prefLabel), label, lang)
    return iri, out.ntriples()


def _describe_article_type(minter: Minter, article_type: ArticleType) -> tuple[NamedNode, Fragment]:
    """The article type's concept and the scheme of article types."""
    out = GraphBuilder()
    term = minter.article_type(article_type.slug)
    scheme = minter.article_type_scheme()
    out.types(term, SCHEMA.DefinedTerm, SKOS.Concept)
    out.text(term, (SCHEMA.name, SKOS.prefLabel), article_type.label_en, "en")
    out.text(term, (SCHEMA.name, SKOS.prefLabel), article_type.label_fa, "fa")
    out.add(term, (SCHEMA.inDefinedTermSet, SKOS.inScheme), scheme)
    for name in article_type.fabio_classes or ("JournalArticle",):
        out.add(term, SCHEMA.sameAs, FABIO[name])
    out.types(scheme, SCHEMA.DefinedTermSet, SKOS.ConceptScheme)
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "Article types", "en")
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "انواع مقاله", "fa")
    return term, out.ntriples()
