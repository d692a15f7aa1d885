"""Reader for the PubMed/NLM publisher ``ArticleSet`` and its OJS ``<Articles JournalTitle=...>`` variant.

Journal systems write it with or without the NLM DOCTYPE (never fetched: ``kg.sources.safe_xml``), with any
casing of element names (``<ARTICLE>``, ``<ISSN>``, ``<DAY>``) and, in OJS, lower-case ``title``,
``abstract`` and ``affiliation`` with a ``locale``. Element names are therefore matched lower-cased. Each
``<Article>`` carries its own ``<Journal>`` header: articles are grouped by header into exports.

The walk only collects fields under the journal export's names (``kg.sources.pubmed_fields``) and hands
them to the cleaning every reader shares; what that cleaning has no field for (history dates, publisher,
PDF link, references, PII/PMID) is cleaned here and set on the records. Every element is either read or
reported as ``unmapped-element``.
"""

from __future__ import annotations

from lxml import etree

from kg.records import Export, SourceFile
from kg.sources import safe_xml
from kg.sources.article_fields import article
from kg.sources.base import ReadResult, rejected
from kg.sources.cleaning import Cleaner
from kg.sources.header import header_records
from kg.sources.pubmed_extras import add_extras
from kg.sources.pubmed_fields import ARTICLE_NAMES, HEADER_NAMES, RawArticle, raw_article
from kg.sources.safe_xml import Root

FORMAT = "PubMed ArticleSet"


def recognises(root: Root) -> bool:
    """``<ArticleSet>`` (publisher format) or OJS's ``<Articles>``, any casing, without a namespace."""
    return root.name.lower() in ("articleset", "articles") and not root.namespace


def read(source: SourceFile, data: bytes, secret: bytes) -> ReadResult:
    """Read one recognised and guarded file. Never raises for bad input."""
    cleaner = Cleaner(source, secret, ARTICLE_NAMES)
    raws: list[RawArticle] = []
    try:
        root = safe_xml.parse_whole(data)
        if root is None:
            return rejected(source, "malformed-xml", "no XML element")
        raws = [raw_article(element) for element in root if safe_xml.local_name(element) == "article"]
    except etree.XMLSyntaxError:
        raws = []
        try:
            for event, element in safe_xml.stream(data):
                if event == "end" and safe_xml.local_name(element) == "article":
                    raws.append(raw_article(element))
                    element.clear()
        except etree.XMLSyntaxError as error:
            reason = safe_xml.syntax_reason(error)
            kept = (
                f"the {len(raws)} complete article(s) before this point were read"
                if raws
                else "no article was complete"
            )
            if not raws:
                return rejected(source, "malformed-xml", f"{reason}; {kept}", safe_xml.error_line(error))
            cleaner.problem(
                "error",
                "malformed-xml",
                f"{reason}; {kept}, the rest of the file could not be read",
                line=safe_xml.error_line(error),
            )
    if not raws:
        cleaner.problem("warning", "no-articles", "the file holds no <Article>")
        return ReadResult(source, problems=cleaner.problems, format=FORMAT)
    return _exports(source, secret, cleaner, raws)


def _exports(source: SourceFile, secret: bytes, cleaner: Cleaner, raws: list[RawArticle]) -> ReadResult:
    """One export per distinct ``<Journal>`` header, in the order the headers first appear."""
    header_cleaner = Cleaner(source, secret, HEADER_NAMES)
    header_cleaner.problems = cleaner.problems  # one list: the report reads them in file order
    groups: dict[tuple, list[tuple[int, RawArticle]]] = {}
    for index, raw in enumerate(raws, start=1):
        key = (tuple(raw.header.items()), tuple(tuple(date.items()) for date in raw.pubdates))
        groups.setdefault(key, []).append((index, raw))
    exports: list[Export] = []
    for members in groups.values():
        first = members[0][1]
        journal, issue = header_records(header_cleaner, first.header, first.pubdates)
        if journal is None or issue is None:
            continue
        journal.publisher = first.publisher(cleaner)
        articles = []
        for index, raw in members:
            found = article(cleaner, index, raw.line, raw.fields, issue)
            if found is not None:
                add_extras(cleaner, found, raw)
                articles.append(found)
        exports.append(Export(source, journal, issue, articles, cleaner.problems))
    if not exports:
        return ReadResult(source, problems=cleaner.problems, format=FORMAT)
    return ReadResult(source, exports[0], cleaner.problems, format=FORMAT, more=exports[1:])
