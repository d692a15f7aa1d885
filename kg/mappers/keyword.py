"""Keywords -> literals (``schema:keywords``, ``prism:keyword``) and SKOS concepts (data model 4.4).

When the Persian and English lists have the same length they are paired by position into one concept
with a label in each language (the exports list them in the same order); otherwise each language gets
its own concepts. A concept's IRI hangs on its English label (or Persian, prefixed ``fa-``), so the same
keyword in two articles is one concept. Positional pairing is a heuristic: the concept records it with
``kg:pairedByPosition`` so that it can be revoked.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg.iris import Minter
from kg.mappers.graph import GraphBuilder
from kg.vocab import DCTERMS, KG, PRISM, SCHEMA, SKOS, XSD


def map_keywords(out: GraphBuilder, minter: Minter, article: NamedNode, keywords_fa: list[str],
                 keywords_en: list[str]) -> None:
    for lang, keywords in (("fa", keywords_fa), ("en", keywords_en)):
        for keyword in keywords:
            out.text(article, (SCHEMA.keywords, PRISM.keyword), keyword, lang)
    scheme = minter.keyword_scheme()
    if keywords_fa and len(keywords_fa) == len(keywords_en):
        pairs = [(fa, en) for fa, en in zip(keywords_fa, keywords_en, strict=True)]
        paired = True
    else:
        pairs = [("", en) for en in keywords_en] + [(fa, "") for fa in keywords_fa]
        paired = False
    for fa, en in pairs:
        concept = minter.concept(en, "en") if en else minter.concept(fa, "fa")
        out.add(article, DCTERMS.subject, concept)
        out.add(article, SCHEMA.about, concept)
        out.types(concept, SKOS.Concept, SCHEMA.DefinedTerm)
        out.add(concept, SKOS.inScheme, scheme)
        out.add(concept, SCHEMA.inDefinedTermSet, scheme)
        if en:
            out.text(concept, (SKOS.prefLabel, SCHEMA.name), en, "en")
        if fa:
            out.text(concept, (SKOS.prefLabel, SCHEMA.name), fa, "fa")
        if paired:
            out.add(concept, KG.pairedByPosition, Literal("true", datatype=XSD.boolean))
    out.types(scheme, SKOS.ConceptScheme, SCHEMA.DefinedTermSet)
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "Author keywords", "en")
    out.text(scheme, (SCHEMA.name, DCTERMS.title), "کلیدواژه‌های نویسندگان", "fa")
