"""Keywords -> literals (``schema:keywords``, ``prism:keyword``) and SKOS concepts (data model 4.4).

When the Persian and English lists have the same length they are paired by position into one concept
with a label in each language (the exports list them in the same order); otherwise each language gets
its own concepts. A concept's IRI hangs on its English label (or Persian, prefixed ``fa-``), so the same
keyword in two articles is one concept. Positional pairing is a heuristic: the concept records it with
``kg:pairedByPosition`` so that it can be revoked.

The order of the source's lists is kept as numbered ``schema:ListItem`` nodes (``kg:keywordListItem``).

Keywords recur (Zipf-like): each concept, and the keyword scheme, is hashed and serialised once per process.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.mappers.graph import Fragment, FragmentCache, GraphBuilder
from kg.vocab import DCTERMS, KG, PRISM, SCHEMA, SKOS, XSD

_CONCEPTS: FragmentCache[tuple[str, str, str, bool], tuple[NamedNode, Fragment]] = FragmentCache(5_000)
_SCHEMES: FragmentCache[str, tuple[NamedNode, Fragment]] = FragmentCache(16)


def map_keywords(
    out: GraphBuilder, minter: Minter, article: NamedNode, keywords_fa: list[str], keywords_en: list[str]
) -> None:
    for lang, keywords in (("fa", keywords_fa), ("en", keywords_en)):
        for keyword in keywords:
            out.text(article, (SCHEMA.keywords, PRISM.keyword), keyword, lang)
    scheme, scheme_ntriples = _SCHEMES.get(minter.base, _describe_scheme, minter)
    pairs, paired = keyword_pairs(keywords_fa, keywords_en)
    for position, (fa, en) in enumerate(pairs, start=1):
        concept, ntriples = _CONCEPTS.get(
            (minter.base, fa, en, paired), _describe_concept, minter, scheme, fa, en, paired
        )
        out.add(article, (DCTERMS.subject, SCHEMA.about), concept)
        out.fragment(ntriples)
        _keyword_position(out, minter, article, concept, position)
    out.fragment(scheme_ntriples)


def keyword_pairs(keywords_fa: list[str], keywords_en: list[str]) -> tuple[list[tuple[str, str]], bool]:
    """The (Persian, English) label of each concept, and whether the source paired them: lists of one
    length are paired by position; otherwise each keyword is a concept of its own language."""
    if keywords_fa and len(keywords_fa) == len(keywords_en):
        return list(zip(keywords_fa, keywords_en, strict=True)), True
    return [("", en) for en in keywords_en] + [(fa, "") for fa in keywords_fa], False


def concept_iri(minter: Minter, fa: str, en: str) -> NamedNode:
    """A concept's IRI as a record mints it: on its English label, else on its Persian one."""
    return minter.concept(en, "en") if en else minter.concept(fa, "fa")


def _keyword_position(out: GraphBuilder, minter: Minter, article: NamedNode, concept: NamedNode, at: int) -> None:
    """The source's order of the keywords, which the set of ``dcterms:subject`` links loses: the i-th keyword
    link as a ``schema:ListItem`` (``{article}/keyword/{i}``), so pages, ``citation_keywords`` and JSON-LD list
    the keywords as the authors did. Unpaired lists number the English keywords first, then the Persian."""
    item = minter.keyword_item(article, at)
    out.types(item, SCHEMA.ListItem)
    out.add(article, KG.keywordListItem, item)
    out.add(item, SCHEMA.item, concept)
    out.value(item, SCHEMA.position, at)


def _describe_concept(minter: Minter, scheme: NamedNode, fa: str, en: str, paired: bool) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    concept = concept_iri(minter, fa, en)
    out.types(concept, SKOS.Concept, SCHEMA.DefinedTerm)
    out.add(concept, (SKOS.inScheme, SCHEMA.inDefinedTermSet), scheme)
    if en:
        out.text(concept, (SKOS.prefLabel, SCHEMA.name), en, "en")
    if fa:
        out.text(concept, (SKOS.prefLabel, SCHEMA.name), fa, "fa")
    if paired:
        out.value(concept, KG.pairedByPosition, "true", XSD.boolean)
    return concept, out.ntriples()


def _describe_scheme(minter: Minter) -> tuple[NamedNode, Fragment]:
    out = GraphBuilder()
    scheme = minter.keyword_scheme()
    out.types(scheme, SKOS.ConceptScheme, SCHEMA.DefinedTermSet)
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "Author keywords", "en")
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "کلیدواژه‌های نویسندگان", "fa")
    return scheme, out.ntriples()
