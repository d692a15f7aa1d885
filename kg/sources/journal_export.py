"""Reader for the journal system's issue export (the format of ``shared/seed/``): ``<journal>`` -> records.

This module only walks the format's XML: the header's fields and ``<pubdate>``s, and each ``<article>``'s
fields and authors. Safe parsing is ``kg.sources.safe_xml``'s and the cleaning is shared by every reader
(``kg.sources.header``, ``kg.sources.article_fields``). The file is parsed whole by lxml's C parser; only a
broken file is streamed again, so that a file truncated at the source still yields the complete articles
before the break, each whole, and a precise error for the rest.
"""

from __future__ import annotations

from lxml import etree

from kg.records import Article, Export, SourceFile
from kg.sources import safe_xml
from kg.sources.article_fields import article
from kg.sources.base import ReadResult, rejected
from kg.sources.cleaning import Cleaner
from kg.sources.header import header_records
from kg.sources.safe_xml import Root

FORMAT = "journal export"


def recognises(root: Root) -> bool:
    """The journal system's export: a ``<journal>`` root without a namespace."""
    return root.name == "journal" and not root.namespace


def read(source: SourceFile, data: bytes, secret: bytes) -> ReadResult:
    """Read one journal export already recognised and guarded. Never raises for bad input."""
    return _Walk(source, data, secret).run()


class _Walk:
    """One walk over one file, collecting the header's and the articles' raw fields."""

    def __init__(self, source: SourceFile, data: bytes, secret: bytes) -> None:
        self.source = source
        self.data = data
        self.cleaner = Cleaner(source, secret)
        self.header: dict[str, str] = {}
        self.pubdates: list[dict[str, str]] = []
        self.broken = False  # the XML broke off: the problem says what was kept

    def run(self) -> ReadResult:
        try:
            root = safe_xml.parse_whole(self.data)
        except etree.XMLSyntaxError:
            return self.run_streaming()
        if root is None:
            return rejected(self.source, "malformed-xml", "no XML element")
        articles_raw: list[tuple[int, dict]] = []
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == "pubdate":
                self.pubdates.append(_child_texts(child))
            elif tag == "articleset":
                articles_raw.extend(
                    (element.sourceline or 0, _article_fields(element)) for element in child if element.tag == "article"
                )
            else:
                self.header[tag] = child.text or ""
        return self.finish(articles_raw)

    def run_streaming(self) -> ReadResult:
        depth = 0
        started = False
        articles_raw: list[tuple[int, dict]] = []
        try:
            for event, element in safe_xml.stream(self.data):
                if event == "start":
                    depth += 1
                    started = True
                    continue
                depth -= 1
                tag = element.tag
                if not isinstance(tag, str):
                    continue
                if depth == 1 and tag not in ("pubdate", "articleset"):
                    self.header[tag] = element.text or ""
                    element.clear()
                elif tag == "pubdate" and depth == 1:
                    self.pubdates.append(_child_texts(element))
                    element.clear()
                elif tag == "article":
                    articles_raw.append((element.sourceline or 0, _article_fields(element)))
                    element.clear()
        except etree.XMLSyntaxError as error:
            line = safe_xml.error_line(error)
            reason = safe_xml.syntax_reason(error)
            if not self.header or not started:
                return rejected(self.source, "malformed-xml", reason, line)
            kept = len(articles_raw)
            read = f"the {kept} complete article(s) before this point were read" if kept else "no article was complete"
            self.cleaner.problem(
                "error",
                "malformed-xml",
                f"{reason}; {read} before this point, the rest of the file could not be read",
                line=line,
            )
            self.broken = True
        if not started:
            return rejected(self.source, "malformed-xml", "no XML element")
        return self.finish(articles_raw)

    def finish(self, articles_raw: list[tuple[int, dict]]) -> ReadResult:
        """Records from the raw header and article fields, however they were parsed."""
        cleaner = self.cleaner
        journal, issue = header_records(cleaner, self.header, self.pubdates)
        if journal is None or issue is None:
            return ReadResult(self.source, problems=cleaner.problems, format=FORMAT)
        articles: list[Article] = []
        for index, (line, fields) in enumerate(articles_raw, start=1):
            found = article(cleaner, index, line, fields, issue)
            if found is not None:
                articles.append(found)
        if not articles_raw and not self.broken:  # a broken file has said how many articles it kept
            cleaner.problem("warning", "no-articles", "the export holds no <article>")
        export = Export(self.source, journal, issue, articles, cleaner.problems)
        return ReadResult(self.source, export, cleaner.problems, format=FORMAT)


def _child_texts(element: etree._Element) -> dict[str, str]:
    """``{tag: text}`` of the child elements (the tag of a comment, PI or entity reference is not a str)."""
    return {child.tag: (child.text or "") for child in element if isinstance(child.tag, str)}


def _article_fields(element: etree._Element) -> dict:
    fields: dict = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == "author_list":
            fields["authors"] = [
                {part.tag: (part.text or "") for part in author.iterchildren(etree.Element)}  # elements only
                for author in child
                if author.tag == "author"
            ]
        else:
            fields[tag] = child.text or ""
    return fields
