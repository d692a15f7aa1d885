"""Plain records: what a reader makes of one export, before any RDF.

Readers fill these from XML; mappers turn them into triples. They hold *cleaned* values (whitespace
collapsed, Persian orthography normalised, identifiers validated) so that mappers stay simple, and they
carry the problems found while cleaning as ``Problem`` values so the report can name file, record and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in the input: what the report shows a journal editor.

    ``severity`` is "error" (the file or record could not be published), "warning" (published, but a
    person should look) or "info".
    """

    severity: str
    code: str
    message: str
    file: str = ""
    record: str = ""
    field: str = ""
    value: str = ""
    line: int | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class LangText:
    """A natural-language value in up to two languages, already tagged by script (decision 4)."""

    fa: str = ""
    en: str = ""

    def items(self) -> list[tuple[str, str]]:
        return [(lang, text) for lang, text in (("fa", self.fa), ("en", self.en)) if text]

    def __bool__(self) -> bool:
        return bool(self.fa or self.en)


@dataclass
class JalaliDate:
    year: int
    month: int
    day: int


@dataclass
class Journal:
    key: str  # the normalised ISSN (or fallback key) that names the journal's IRI
    title: LangText
    short_title: str = ""
    subject: LangText = field(default_factory=LangText)
    web_url: str = ""
    issn_print: str = ""
    issn_online: str = ""
    doi: str = ""
    local_ids: dict[str, str] = field(default_factory=dict)  # scheme (magiran, sid, ...) -> value
    language: str = ""
    publisher: LangText = field(default_factory=LangText)  # PubMed's PublisherName


@dataclass
class JournalIssue:
    """A volume and issue of a journal (the export's issue header)."""

    volume: str
    number: str
    gregorian_date: str = ""  # ISO yyyy-mm-dd as declared
    jalali_date: JalaliDate | None = None


@dataclass
class Author:
    position: int
    given_name: LangText = field(default_factory=LangText)
    middle_name: LangText = field(default_factory=LangText)
    family_name: LangText = field(default_factory=LangText)
    suffix: LangText = field(default_factory=LangText)
    orcid: str = ""  # validated, bare form 0000-0000-0000-000X
    source_code: str = ""
    email_key: str = ""  # keyed hash of the normalised e-mail; the address itself never leaves the reader
    corresponding: bool = False
    affiliation: LangText = field(default_factory=LangText)


# The article history statuses kg publishes (``kg.mappers.history``), in their order.
HISTORY_STATUSES = ("received", "revised", "accepted", "published")


@dataclass
class Reference:
    """One entry of an article's reference list: the citation as printed, and its DOI when it has one."""

    position: int
    citation: str
    doi: str = ""


@dataclass
class Article:
    key: str  # article code from web_url, else a hash-based key
    record_label: str  # how the report names the record: "A-10-968-1" or "article 3"
    title: LangText
    language: str = ""
    doi: str = ""
    abstract: LangText = field(default_factory=LangText)
    section: LangText = field(default_factory=LangText)
    content_type: LangText = field(default_factory=LangText)
    article_type: str = ""  # slug from the controlled list in kg.article_types, "" when unmapped
    keywords_fa: list[str] = field(default_factory=list)
    keywords_en: list[str] = field(default_factory=list)
    start_page: str = ""
    end_page: str = ""
    web_url: str = ""
    authors: list[Author] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pdf_url: str = ""
    history: dict[str, str] = field(default_factory=dict)  # status (HISTORY_STATUSES) -> ISO date
    local_ids: dict[str, str] = field(default_factory=dict)  # scheme (pii, pubmed, pmc) -> value
    references: list[Reference] = field(default_factory=list)


@dataclass
class SourceFile:
    path: str  # as given on the command line (what the report shows)
    name: str  # file name
    sha256: str
    size: int


@dataclass
class Export:
    """Everything one file yielded: its journal and issue header and its articles."""

    source: SourceFile
    journal: Journal
    issue: JournalIssue
    articles: list[Article]
    problems: list[Problem] = field(default_factory=list)  # file-level problems (journal/issue header)
