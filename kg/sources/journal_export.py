"""Reader for the journal system's issue export (the format of ``shared/seed/``): XML -> records.

The reader is where hostile and broken input stops. It parses with entity resolution, DTD loading and
network access off, refuses any document that declares entities (XXE and "billion laughs" need them;
real exports never have a DOCTYPE), and streams with ``iterparse`` so that a file truncated at the source
still yields the complete articles before the break, each whole, and a precise error for the rest.

Everything it returns is cleaned: whitespace collapsed, Persian orthography normalised in Persian text,
identifiers validated, every value tagged with the language of its script (data model decisions 2-4).
Problems travel with the records as ``Problem`` values naming the file, the record and the field.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from kg import article_types, dates
from kg.identifiers import normalise_doi, normalise_issn, normalise_orcid, plausible_local_id
from kg.iris import fold, keyed_hash, short_hash
from kg.records import Article, Author, Export, Journal, JournalIssue, LangText, Problem, SourceFile
from kg.text import EMAIL, ascii_digits, clean_line, html_to_text, persian, script, scrub_emails

LOCAL_ID_SCHEMES = ("pii", "magiran", "sid", "nlai", "iranmedex", "science")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SNIFF_BYTES = 64 * 1024
# the longest volume or issue number kept (they are IRI segments); real ones are a few characters ("10", "3-4")
MAX_LABEL = 40
# Exports downloaded compressed and saved under their .xml name: (leading bytes, what it is, how to open it)
_ARCHIVES = (
    (b"\x1f\x8b", "gzip-compressed", "gunzip"),
    (b"PK\x03\x04", "a zip archive", "unzip"),
    (b"BZh", "bzip2-compressed", "bunzip2"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz"),
)
_T = TypeVar("_T")
# Values that stand where data should be: template text («عنوان نشریه», "journal title") and the section
# headings an editor typed (or pasted) instead of the text under them. See ``_is_placeholder``.
_PLACEHOLDER_TEXTS = frozenset(
    " ".join(fold(text).replace("\u200c", " ").split())
    for text in (
        "عنوان نشریه",
        "عنوان مجله",
        "عنوان مقاله",
        "عنوان",
        "title",
        "journal title",
        "چکیده",
        "خلاصه",
        "مقدمه",
        "چکیده مقاله",
        "abstract",
        "summary",
        "introduction",
        "background",
        "keywords",
        "کلیدواژه‌ها",
        "کلید واژه ها",
        "n/a",
        "none",
        "null",
        "test",
    )
)
_PLACEHOLDER_EDGES = " .:;,،؛-–—_*()[]\"'«»/\\|"
_E_LOCATOR = re.compile(r"[A-Za-z]+[0-9]+")
# Entities are never resolved, no DTD is loaded, nothing is fetched: XXE and entity bombs stay inert even
# if the pre-check above missed them. huge_tree=False keeps libxml2's own limits on depth and text size.
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
)


@dataclass
class ReadResult:
    """What one file yielded: an export (possibly with only some articles) and/or file-level problems."""

    source: SourceFile
    export: Export | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.export is None


def _source(path: Path, data: bytes) -> SourceFile:
    return SourceFile(path=str(path), name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def read_export(path: Path, secret: bytes) -> ReadResult:
    """Read one export file. Never raises for bad input: problems are returned as values."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        source = SourceFile(path=str(path), name=path.name, sha256="", size=0)
        return ReadResult(source, problems=[_file_error(source, "unreadable", f"cannot read the file: {error}")])
    return read_bytes(path, data, secret)


def read_bytes(path: Path, data: bytes, secret: bytes) -> ReadResult:
    source = _source(path, data)
    # isspace() and search(..., endpos) instead of strip() and a slice: neither copies the file
    if not data or data.isspace():
        return ReadResult(source, problems=[_file_error(source, "empty-file", "the file is empty")])
    for magic, kind, command in _ARCHIVES:
        if data.startswith(magic):
            return ReadResult(
                source,
                problems=[
                    _file_error(
                        source, "compressed-file", f"the file is {kind}, not XML: extract the export first ({command})"
                    )
                ],
            )
    if _DOCTYPE.search(data, 0, _SNIFF_BYTES) and _ENTITY_DECLARATION.search(data):
        return ReadResult(
            source,
            problems=[
                _file_error(
                    source,
                    "entity-declaration",
                    "the file declares XML entities (<!ENTITY>); external entities (XXE) and entity "
                    "expansion are refused, and journal exports never need them",
                )
            ],
        )
    return _Parser(source, data, secret).run()


def _file_error(source: SourceFile, code: str, message: str, line: int | None = None) -> Problem:
    return Problem("error", code, message, file=source.path, line=line)


class _Parser:
    """One pass of iterparse over one file, building the header and articles as elements end."""

    def __init__(self, source: SourceFile, data: bytes, secret: bytes) -> None:
        self.source = source
        self.data = data
        self.secret = secret
        self.header: dict[str, str] = {}
        self.pubdates: list[dict[str, str]] = []
        self.article_elements: list[tuple[int, dict]] = []
        self.problems: list[Problem] = []
        self.broken = False  # the XML broke off: the problem says what was kept

    def problem(
        self,
        severity: str,
        code: str,
        message: str,
        record: str = "",
        field: str = "",
        value: str = "",
        line: int | None = None,
    ) -> None:
        self.problems.append(Problem(severity, code, message, self.source.path, record, field, value[:200], line))

    def run(self) -> ReadResult:
        """Parse the whole file at once (lxml's C parser); only a broken file is streamed again.

        The streaming pass exists to salvage what a truncated or damaged file holds: it sees each
        ``<article>`` end, so it keeps every complete article before the break and names the line.
        """
        try:
            root = etree.fromstring(self.data, _SAFE_PARSER)
        except etree.XMLSyntaxError:
            return self.run_streaming()
        if root is None:
            return ReadResult(self.source, problems=[_file_error(self.source, "malformed-xml", "no XML element")])
        if root.tag != "journal":
            return self.not_an_export(str(root.tag), root.sourceline)
        articles_raw: list[tuple[int, dict]] = []
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == "pubdate":
                self.pubdates.append(_child_texts(child))
            elif tag == "articleset":
                articles_raw.extend(
                    (article.sourceline or 0, _article_fields(article)) for article in child if article.tag == "article"
                )
            else:
                self.header[tag] = child.text or ""
        return self.finish(articles_raw)

    def not_an_export(self, root_tag: str, line: int | None) -> ReadResult:
        message = f"not a journal export: the root element is <{root_tag}>, expected <journal>"
        return ReadResult(self.source, problems=[_file_error(self.source, "not-a-journal-export", message, line)])

    def run_streaming(self) -> ReadResult:
        from io import BytesIO

        parser_events = etree.iterparse(
            BytesIO(self.data),
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        root_tag: str | None = None
        depth = 0
        articles_raw: list[tuple[int, dict]] = []
        try:
            for event, element in parser_events:
                if event == "start":
                    depth += 1
                    if root_tag is None:
                        root_tag = str(element.tag)
                        if root_tag != "journal":
                            return self.not_an_export(root_tag, element.sourceline)
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
            line = error.lineno or _logged_error_line(error)
            reason = _syntax_reason(error)
            if not self.header or root_tag is None:
                return ReadResult(self.source, problems=[_file_error(self.source, "malformed-xml", reason, line)])
            kept = len(articles_raw)
            read = f"the {kept} complete article(s) before this point were read" if kept else "no article was complete"
            self.problem(
                "error",
                "malformed-xml",
                f"{reason}; {read} before this point, the rest of the file could not be read",
                line=line,
            )
            self.broken = True
        if root_tag is None:
            return ReadResult(self.source, problems=[_file_error(self.source, "malformed-xml", "no XML element")])
        return self.finish(articles_raw)

    def finish(self, articles_raw: list[tuple[int, dict]]) -> ReadResult:
        """Records from the raw header and article fields, however they were parsed."""
        journal, issue = self.header_records()
        if journal is None or issue is None:
            return ReadResult(self.source, problems=self.problems)
        articles = []
        for index, (line, fields) in enumerate(articles_raw, start=1):
            article = self.article(index, line, fields, journal, issue)
            if article is not None:
                articles.append(article)
        if not articles_raw and not self.broken:  # a broken file has said how many articles it kept
            self.problem("warning", "no-articles", "the export holds no <article>")
        export = Export(self.source, journal, issue, articles, self.problems)
        return ReadResult(self.source, export, self.problems)

    # ---------------------------------------------------------------------------------- header
    def header_records(self) -> tuple[Journal | None, JournalIssue | None]:
        """The journal and issue the header describes (None when the journal cannot be identified).

        Every file of an issue repeats its header, and issues are often exported one file per article:
        each distinct header is read once per process (``_read_header``) and its problems are reported
        again for this file.
        """
        key = (tuple(self.header.items()), tuple(tuple(pubdate.items()) for pubdate in self.pubdates))
        journal, issue, problems = _read_header(key, self.secret)
        for problem in problems:
            self.problem(
                problem.severity,
                problem.code,
                problem.message,
                problem.record,
                problem.field,
                problem.value,
                problem.line,
            )
        return _copy(journal), _copy(issue)

    def read_header(self) -> tuple[Journal | None, JournalIssue | None]:
        """The journal and issue from ``self.header`` and ``self.pubdates``, reporting their problems."""
        journal = self.journal()
        if journal is None:
            return None, None
        return journal, self.issue(journal)

    def bilingual(
        self,
        fields: dict[str, str],
        en_field: str,
        fa_field: str,
        record: str,
        clean: Callable[[str], str] = clean_line,
    ) -> LangText:
        """A pair of fields tagged by script, not by field name (decision 4), Persian normalised."""
        en_raw = fields.get(en_field) or ""
        fa_raw = fields.get(fa_field) or ""
        if not (en_raw or fa_raw):  # most optional fields (middle names, suffixes) are empty
            return LangText()
        # Names, affiliations, sections and content types recur: their one-line pairs are tagged once.
        tag = _tag_line_pair if clean is clean_line else _tag_pair
        fa, en, notes = tag(en_raw, fa_raw, clean)
        for kind, lang, actual, value in notes:
            field_name = fa_field if lang == "fa" else en_field
            self.problem(*_pair_problem(kind, field_name, actual), record, field_name, value)
        return LangText(fa, en)

    def without_placeholder(self, value: str, record: str, field_name: str) -> str:
        """The value, or "" (reported as a warning) when it is only a placeholder (``_is_placeholder``)."""
        if not value or not _is_placeholder(value):
            return value
        self.problem(
            "warning",
            "placeholder",
            f"<{field_name}> holds only {value!r}, a placeholder or heading, not data; it was not published",
            record,
            field_name,
            value,
        )
        return ""

    def without_placeholders(self, text: LangText, record: str, en_field: str) -> LangText:
        """A pair of fields without their placeholders (the Persian field is named ``{en_field}_fa``)."""
        return LangText(
            self.without_placeholder(text.fa, record, f"{en_field}_fa"),
            self.without_placeholder(text.en, record, en_field),
        )

    def journal(self) -> Journal | None:
        header = self.header
        title = self.without_placeholders(self.bilingual(header, "title", "title_fa", "journal"), "journal", "title")
        issn_print = self.issn("journal_id_issn")
        issn_online = self.issn("journal_id_issn_online")
        local_ids: dict[str, str] = {}
        for scheme in LOCAL_ID_SCHEMES:
            raw = clean_line(header.get(f"journal_id_{scheme}", ""))
            if not raw:
                continue
            value = plausible_local_id(raw)
            if value:
                local_ids[scheme] = value
            else:
                self.problem(
                    "info",
                    "placeholder",
                    f"journal_id_{scheme} holds a template value, not an identifier; it was not published",
                    "journal",
                    f"journal_id_{scheme}",
                    raw,
                )
        doi = self.identifier(
            header,
            "journal_id_doi",
            normalise_doi,
            "journal",
            "info",
            "invalid-doi",
            "journal_id_doi is not a DOI (10.NNNN/suffix); it was not published",
        )
        key = issn_print or issn_online
        if not key:
            if local_ids.get("nlai"):
                key = f"nlai-{local_ids['nlai']}"
            elif title:
                key = f"j-{short_hash(fold(title.en or title.fa))}"
                self.problem(
                    "warning",
                    "no-issn",
                    "the journal has no valid ISSN; its IRI is derived from its title",
                    "journal",
                    "journal_id_issn",
                )
            else:
                self.problem(
                    "error",
                    "no-journal-identity",
                    "the journal has neither a valid ISSN nor a "
                    "title, so it cannot be identified; nothing of this file was published",
                    "journal",
                    "title",
                )
                return None
        if not title:
            self.problem("warning", "missing", "the journal has no title", "journal", "title")
        language = clean_line(header.get("language", "")).lower()
        return Journal(
            key=key,
            title=title,
            short_title=self.without_placeholder(clean_line(header.get("short_title", "")), "journal", "short_title"),
            subject=self.bilingual(header, "subject", "subject_fa", "journal"),
            web_url=self.url(header.get("web_url", ""), "journal", "web_url"),
            issn_print=issn_print,
            issn_online=issn_online,
            doi=doi,
            local_ids=local_ids,
            language=language,
        )

    def identifier(
        self,
        fields: dict[str, str],
        field_name: str,
        normalise: Callable[[str], str | None],
        record: str,
        severity: str,
        code: str,
        message: str,
    ) -> str:
        """A validated identifier from a field, or "" (reported with ``message``) when it is not one."""
        raw = clean_line(fields.get(field_name, ""))
        if not raw:
            return ""
        value = normalise(raw)
        if value is None:
            self.problem(severity, code, message, record, field_name, raw)
            return ""
        return value

    def issn(self, field_name: str) -> str:
        raw = clean_line(self.header.get(field_name, ""))
        return self.identifier(
            self.header,
            field_name,
            normalise_issn,
            "journal",
            "warning",
            "invalid-issn",
            f"{field_name} {raw!r} is not a valid ISSN (format or check digit); it was not published",
        )

    def url(self, raw: str, record: str, field_name: str) -> str:
        value = clean_line(raw)
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            self.problem(
                "warning",
                "invalid-url",
                f"{field_name} is not an http(s) URL; it was not published",
                record,
                field_name,
                value,
            )
            return ""
        return value

    def issue(self, journal: Journal) -> JournalIssue:
        volume = self.short_label(ascii_digits(clean_line(self.header.get("volume", ""))), "volume")
        number = self.short_label(ascii_digits(clean_line(self.header.get("number", ""))), "number")
        if not number:
            self.problem(
                "warning", "missing", "the issue has no number; articles are attached to issue '0'", "issue", "number"
            )
            number = "0"
        gregorian = ""
        jalali = None
        for pubdate in self.pubdates:
            kind = clean_line(pubdate.get("type", "")).lower()
            parts = [ascii_digits(clean_line(pubdate.get(name, ""))) for name in ("year", "month", "day")]
            if kind == "gregorian":
                gregorian = dates.gregorian_iso(*parts) or ""
                if not gregorian:
                    self.problem(
                        "warning",
                        "invalid-date",
                        "the Gregorian pubdate is not a real date",
                        "issue",
                        "pubdate[gregorian]",
                        "-".join(parts),
                    )
            elif kind == "jalali":
                jalali = dates.jalali(*parts)
                if jalali is None:
                    self.problem(
                        "warning",
                        "invalid-date",
                        "the Jalali pubdate is not a real date",
                        "issue",
                        "pubdate[jalali]",
                        "-".join(parts),
                    )
        # Both dates are kept as declared; whether they agree is a SHACL warning (shapes/issue.ttl), except
        # for the exports' nominal Gregorian date, said here once per file.
        if jalali is not None and gregorian and gregorian == dates.nominal_gregorian(jalali):
            real = dates.real_gregorian(jalali)
            if real != gregorian:
                jalali_iso = f"{jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}"
                self.problem(
                    "info",
                    "nominal-gregorian-date",
                    f"the Gregorian date {gregorian} is a nominal one (the 1st of the third Gregorian month after "
                    f"the Jalali month), not the issue's day: the Jalali date {jalali_iso} is {real}. Both are "
                    "published as declared",
                    "issue",
                    "pubdate[gregorian]",
                    gregorian,
                )
        return JournalIssue(volume=volume, number=number, gregorian_date=gregorian, jalali_date=jalali)

    def short_label(self, value: str, field_name: str) -> str:
        """``value``, or "" (with a warning) when it is too long to be a volume or issue number: it would
        become part of every IRI of the issue and its articles."""
        if len(value) <= MAX_LABEL:
            return value
        self.problem(
            "warning",
            "too-long",
            f"the issue's {field_name} is {len(value):,} characters long (at most {MAX_LABEL}): it is not a "
            f"{field_name} and was not published",
            "issue",
            field_name,
            value,
        )
        return ""

    # -------------------------------------------------------------------------------- articles
    def article(self, index: int, line: int, fields: dict, journal: Journal, issue: JournalIssue) -> Article | None:
        web_url = self.url(fields.get("web_url", ""), f"article {index}", "web_url")
        code = _article_code(web_url)
        record = code or f"article {index} (line {line})"
        title = self.bilingual(fields, "title", "title_fa", record)
        language = clean_line(fields.get("language", "")).lower()
        doi = self.identifier(
            fields,
            "article_id_doi",
            normalise_doi,
            record,
            "warning",
            "invalid-doi",
            "article_id_doi is not a DOI (10.NNNN/suffix); it was not published",
        )
        start_page = ascii_digits(clean_line(fields.get("start_page", "")))
        end_page = ascii_digits(clean_line(fields.get("end_page", "")))
        start_page, end_page = self.pages(start_page, end_page, record)
        if start_page.isdigit() and end_page.isdigit() and int(start_page) > int(end_page):
            self.problem(
                "warning",
                "page-order",
                f"start page {start_page} is after end page {end_page}",
                record,
                "start_page",
                f"{start_page}-{end_page}",
            )
        key = code
        if not key:
            if doi:
                key = f"doi-{short_hash(doi)}"
            elif start_page and issue.volume:
                key = f"v{issue.volume}-n{issue.number}-p{start_page}"
            elif title:
                key = "t-" + short_hash(f"{issue.volume}|{issue.number}|{fold(title.en)}|{fold(title.fa)}")
            else:
                key = ""
            if key:
                self.problem(
                    "warning",
                    "no-article-code",
                    f"the article has no code (no web_url); its IRI key "
                    f"'{key}' was derived from its {'DOI' if doi else 'pages' if start_page else 'titles'}",
                    record,
                    "web_url",
                )
        if not key:
            self.problem(
                "error",
                "no-article-identity",
                "the article has no code, DOI, pages or title, so it cannot be identified; it was not published",
                record,
                "title",
            )
            return None
        content_type = self.bilingual(fields, "content_type", "content_type_fa", record)
        type_slug = article_types.classify(content_type.en, content_type.fa) if content_type else ""
        if content_type and not type_slug:
            self.problem(
                "warning",
                "unmapped-article-type",
                f"the article type {content_type.en or content_type.fa!r} could not be mapped to a known "
                "kind; it is published as a plain journal article with its label kept",
                record,
                "content_type",
                content_type.en or content_type.fa,
            )
        article = Article(
            key=key,
            record_label=record,
            title=title,
            language=language,
            doi=doi,
            abstract=self.without_placeholders(
                self.bilingual(fields, "abstract", "abstract_fa", record, html_to_text), record, "abstract"
            ),
            section=self.bilingual(fields, "subject", "subject_fa", record),
            content_type=content_type,
            article_type=type_slug,
            keywords_fa=self.keywords(fields.get("keyword_fa", ""), "fa", record, "keyword_fa"),
            keywords_en=self.keywords(fields.get("keyword", ""), "en", record, "keyword"),
            start_page=start_page,
            end_page=end_page,
            web_url=web_url,
        )
        for position, author_fields in enumerate(fields.get("authors", []), start=1):
            article.authors.append(self.author(position, author_fields, record))
        return article

    def pages(self, start_page: str, end_page: str, record: str) -> tuple[str, str]:
        """First and last page; an electronic locator ("e45") paired with a page number is the locator alone.

        "e45" to "30" is no range: the locator identifies the article, the number is a leftover of a
        printed range. The locator is published as the first page (``prism:startingPage``), with a warning.
        """
        start_locator, end_locator = _E_LOCATOR.fullmatch(start_page), _E_LOCATOR.fullmatch(end_page)
        if (start_locator and end_page.isdigit()) or (end_locator and start_page.isdigit()):
            locator = start_page if start_locator else end_page
            self.problem(
                "warning",
                "mixed-page-range",
                f"the pages run from {start_page!r} to {end_page!r}: an electronic locator and a page number "
                f"make no range; only the locator {locator!r} was published",
                record,
                "start_page" if start_locator else "end_page",
                f"{start_page}-{end_page}",
            )
            return locator, ""
        return start_page, end_page

    def keywords(self, raw: str, lang: str, record: str, field_name: str) -> list[str]:
        text = scrub_emails(clean_line(raw))
        if not text:
            return []
        text = _KEYWORDS_LABEL.sub("", text)
        seen: set[str] = set()
        result = []
        for part in _KEYWORD_SEPARATORS.split(text):
            keyword, key = _keyword(part, lang)
            if keyword and key not in seen:
                seen.add(key)
                result.append(keyword)
        return result

    def author(self, position: int, fields: dict[str, str], record: str) -> Author:
        where = f"{record}, author {position}"
        orcid = self.identifier(
            fields,
            "orcid",
            normalise_orcid,
            where,
            "warning",
            "invalid-orcid",
            "the ORCID is malformed or its check character is wrong; it was not published",
        )
        email = clean_line(fields.get("email", "")).lower()
        if not EMAIL.fullmatch(email):
            # an e-mail pasted into the affiliation still tells people apart, and is never published
            match = EMAIL.search(fields.get("affiliation", "") or "")
            email = match.group(0).lower() if match else ""
        code = clean_line(fields.get("code", ""))
        return Author(
            position=position,
            given_name=self.bilingual(fields, "first_name", "first_name_fa", where),
            middle_name=self.bilingual(fields, "middle_name", "middle_name_fa", where),
            family_name=self.bilingual(fields, "last_name", "last_name_fa", where),
            suffix=self.bilingual(fields, "suffix", "suffix_fa", where),
            orcid=orcid,
            source_code=code if plausible_local_id(code) else "",
            email_key=keyed_hash(self.secret, email) if email else "",
            corresponding=clean_line(fields.get("coreauthor", "")).casefold() == "yes",
            affiliation=self.bilingual(fields, "affiliation", "affiliation_fa", where),
        )


_NO_SOURCE = SourceFile(path="", name="", sha256="", size=0)
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})
_HeaderKey = tuple[tuple[tuple[str, str], ...], tuple[tuple[tuple[str, str], ...], ...]]


# An issue's files are read one after another (inputs are sorted), so only the last few headers recur.
@functools.lru_cache(maxsize=64)
def _read_header(key: _HeaderKey, secret: bytes) -> tuple[Journal | None, JournalIssue | None, tuple[Problem, ...]]:
    """Journal, issue and problems (without a file) from a header's fields and pubdates; cached.

    The records are shared by every caller: copy them (``_copy``) before handing them out.
    """
    header, pubdates = key
    scratch = _Parser(_NO_SOURCE, b"", secret)
    scratch.header = dict(header)
    scratch.pubdates = [dict(pubdate) for pubdate in pubdates]
    journal, issue = scratch.read_header()
    return journal, issue, tuple(scratch.problems)


def _copy(value: _T) -> _T:
    """A copy of a record whose records, dicts and lists are copies too: records are mutable."""
    if type(value) in _IMMUTABLE:
        return value
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [_copy(item) for item in value]  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{name: _copy(item) for name, item in vars(value).items()})
    return value


_NAMES = {"fa": "Persian", "en": "English"}
# What went wrong in a pair of fields: (kind, the field's language, the script found, the value).
_PairNote = tuple[str, str, str, str]


def _tag_pair(en_raw: str, fa_raw: str, clean: Callable[[str], str]) -> tuple[str, str, tuple[_PairNote, ...]]:
    """Clean two fields and keep each value under the language of its script: ``(fa, en, notes)``.

    A value in the other field's script moves there when that field is empty, and is dropped (with a
    note) when that field already has a value. A pure function of its arguments, so that it can be cached.
    """
    en = scrub_emails(clean(en_raw)) if en_raw else ""
    fa = scrub_emails(clean(fa_raw)) if fa_raw else ""
    tagged = {"fa": "", "en": ""}
    notes: list[_PairNote] = []
    for value, expected in ((fa, "fa"), (en, "en")):
        if not value:
            continue
        actual = script(value) or expected
        if actual == expected:
            tagged[expected] = value
            continue
        other_value = fa if actual == "fa" else en
        if other_value and fold(other_value) != fold(value):
            notes.append(("differs", expected, actual, value))
        elif other_value:
            notes.append(("repeats", expected, actual, value))
        else:
            notes.append(("moved", expected, actual, value))
            tagged[actual] = value
    fa = tagged["fa"]
    return persian(fa) if fa else "", tagged["en"], tuple(notes)


_tag_line_pair = functools.lru_cache(maxsize=10_000)(_tag_pair)


def _pair_problem(kind: str, field_name: str, actual: str) -> tuple[str, str, str]:
    """Severity, code and message of a ``_tag_pair`` note about ``field_name``."""
    language = _NAMES[actual]
    if kind == "differs":
        return (
            "warning",
            "wrong-script",
            f"<{field_name}> holds {language} text that differs from the {language} field; it was not published",
        )
    if kind == "repeats":
        return "info", "duplicate-language", f"<{field_name}> repeats the {language} value; the copy was not published"
    return "warning", "wrong-script", f"<{field_name}> holds {language} text; it was published as @{actual}"


_KEYWORDS_LABEL = re.compile(r"^\s*(key\s*words?|کلید\s*واژه(ها)?|کلمات کلیدی)\s*[:：]\s*", re.I)
_KEYWORD_SEPARATORS = re.compile(r"[,،;؛]")


def collapse_keyword(text: str) -> str:
    return " ".join(text.split()).strip(" .:")


@functools.lru_cache(maxsize=10_000)
def _keyword(part: str, lang: str) -> tuple[str, str]:
    """One keyword as published and its matching key; cached, since keywords recur across articles."""
    keyword = collapse_keyword(part)
    if not keyword:
        return "", ""
    if lang == "fa":
        keyword = persian(keyword)
    return keyword, fold(keyword)


def _is_placeholder(value: str) -> bool:
    """Whether a text is only a placeholder: a template value or section heading («چکیده», "Abstract",
    «مقدمه», "Introduction", ...), a number alone, or one character repeated ("-", "...", "xxx")."""
    key = " ".join(fold(value).replace("\u200c", " ").split()).strip(_PLACEHOLDER_EDGES)
    if key in _PLACEHOLDER_TEXTS or ascii_digits(key).isdigit():
        return True
    return len(set(key.replace(" ", ""))) <= 1


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


def _article_code(web_url: str) -> str:
    if not web_url:
        return ""
    query = parse_qs(urlsplit(web_url).query)
    for name in ("a_code", "article_code"):
        values = query.get(name)
        if values and values[0].strip():
            return values[0].strip()
    return ""


def _logged_error_line(error: etree.XMLSyntaxError) -> int | None:
    """The line of the parser's first logged error: iterparse with entities unresolved reports an undefined
    entity only as "no element found" at line 0, with the real error (and its line) in the error log."""
    entry = _logged_error(error)
    return entry.line if entry is not None and entry.line else None


def _logged_error(error: etree.XMLSyntaxError) -> etree._LogEntry | None:
    log = getattr(error, "error_log", None)
    return next(iter(log), None) if log is not None and (error.lineno or 0) == 0 else None


def _syntax_reason(error: etree.XMLSyntaxError) -> str:
    message = str(error.msg if getattr(error, "msg", None) else error)
    logged = _logged_error(error)
    if logged is not None and logged.message:
        message = logged.message.strip()
    message = re.sub(r",? line \d+, column \d+.*$", "", message)
    if "Document is empty" in message:
        return "malformed XML: no content"
    if "not proper UTF-8" in message or "encoding" in message.lower() or "Char 0x" in message:
        return f"undecodable bytes: {message} (declare the file's encoding or convert it to UTF-8)"
    if "Premature end" in message or "EndTag" in message or "end of data" in message.lower():
        return f"the XML is truncated: {message}"
    return f"malformed XML: {message}"
