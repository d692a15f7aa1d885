"""Every IRI rule in one place.

IRIs are a pure function of normalised source identifiers and the base IRI, so that re-running the build,
in any order of inputs, reproduces every IRI (data model section 7). Things live under ``{base}/id/``;
the server answers them with 303 to ``{base}/doc/{same path}``. Named graphs live under ``{base}/graph/``.

| thing              | IRI                                                        |
|--------------------|------------------------------------------------------------|
| journal            | {base}/id/journal/{issn}                                    |
| volume             | {base}/id/journal/{issn}/volume/{v}                         |
| issue              | {base}/id/journal/{issn}/volume/{v}/issue/{n}               |
| article            | {base}/id/journal/{issn}/article/{code}                     |
| authorship         | {article}/author/{i}  (corresponding: .../corresponding)   |
| person             | {base}/id/person/{key}                                      |
| organization       | {base}/id/org/h-{sha256(affiliation_key(English name))[:12]} |
| keyword concept    | {base}/id/concept/{sha1(folded English label)[:12]}        |
| identifier node    | {thing}/identifier/{scheme}                                 |
| keyword position   | {article}/keyword/{i}  (schema:ListItem: the i-th keyword)  |
| article graph      | {base}/graph/journal/{issn}/article/{code}                  |
| supplement graph   | {article graph}/from/sha256-{sha256 of the file[:16]}       |
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import unicodedata
from urllib.parse import quote

from pyoxigraph import NamedNode

_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]*")  # unreserved characters only: what quote() keeps as is


def segment(value: str) -> str:
    """A path segment from a source value: ASCII kept verbatim, anything else percent-encoded.

    Source codes such as ``A-10-968-1`` stay readable; spaces and slashes cannot break the path.
    """
    if _SAFE_SEGMENT.fullmatch(value):  # nothing to strip, normalise or quote: the common case, made fast
        return value
    value = unicodedata.normalize("NFC", value.strip())
    return quote(value, safe="-._~")


def slug(value: str) -> str:
    """A lower-case ASCII slug ("Suppl 1" -> "suppl-1"); empty when nothing ASCII is left."""
    return _UNSAFE.sub("-", value.lower()).strip("-")


def fold(text: str) -> str:
    """The matching key of a label: NFC, case-folded, whitespace collapsed, Persian letters unified."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("\u064a", "\u06cc").replace("\u0649", "\u06cc").replace("\u0643", "\u06a9")
    return " ".join(text.split())


# Persian (U+06F0-9) and Arabic-Indic (U+0660-9) digits -> ASCII; Arabic Yeh, Alef Maksura, Kaf -> Persian
_KEY_LETTERS = str.maketrans(
    {**{0x06F0 + i: str(i) for i in range(10)}, **{0x0660 + i: str(i) for i in range(10)}}
    | {0x064A: "\u06cc", 0x0649: "\u06cc", 0x0643: "\u06a9"}
)
# What an affiliation may trail without naming another place: periods, commas (Latin and Arabic), semicolons,
# colons, dashes and slashes; often what is left when an e-mail was scrubbed from "..., Iran. , x@y.ir".
_TRAILING_PUNCTUATION = " .,;:\u060c\u061b\u06d4-\u2013\u2014/\\|"


@functools.lru_cache(maxsize=10_000)
def affiliation_key(text: str) -> str:
    """The identity of an affiliation string: two spellings with the same key are one organization.

    Unicode NFKC, Persian letters, ASCII digits, whitespace collapsed, trailing punctuation stripped, case
    folded: "..., Tehran, Iran." and "..., tehran, Iran" meet; the verbatim strings stay the labels.
    """
    text = unicodedata.normalize("NFKC", text).translate(_KEY_LETTERS).casefold()
    return " ".join(text.split()).rstrip(_TRAILING_PUNCTUATION)


def short_hash(text: str, length: int = 12, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()[:length]


@functools.lru_cache(maxsize=5_000)  # people recur, and so do their addresses; kept in this process only
def keyed_hash(secret: bytes, value: str) -> str:
    """HMAC-SHA-256 of a private value (an e-mail), base32, 16 characters.

    Without the deployment secret nobody can test a guessed address against it (decision 3).
    """
    digest = hmac.digest(secret, value.encode("utf-8"), "sha256")  # one-shot, in C
    # 16 base32 characters are exactly the first 10 bytes (base32 encodes 5-byte groups on their own):
    # the same key as encoding the whole digest and cutting, for a third of the (pure Python) encoding.
    return base64.b32encode(digest[:10]).decode("ascii").lower()


class Minter:
    """Mints the IRIs of one build under one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def _iri(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}/{path}")

    # bibliographic containers -------------------------------------------------------------
    def journal(self, journal_key: str) -> NamedNode:
        return self._iri(f"id/journal/{segment(journal_key)}")

    def volume(self, journal_key: str, volume: str) -> NamedNode:
        return self._iri(f"id/journal/{segment(journal_key)}/volume/{segment(volume)}")

    def issue(self, journal_key: str, volume: str, number: str) -> NamedNode:
        if volume:
            return self._iri(f"id/journal/{segment(journal_key)}/volume/{segment(volume)}/issue/{segment(number)}")
        return self._iri(f"id/journal/{segment(journal_key)}/issue/{segment(number)}")

    def article(self, journal_key: str, article_key: str) -> NamedNode:
        return self._iri(f"id/journal/{segment(journal_key)}/article/{segment(article_key)}")

    def article_graph(self, journal_key: str, article_key: str) -> NamedNode:
        return self._iri(f"graph/journal/{segment(journal_key)}/article/{segment(article_key)}")

    def journal_subject(self, journal_key: str, label: str) -> NamedNode:
        return self._iri(f"id/journal/{segment(journal_key)}/subject/{slug(label) or short_hash(fold(label))}")

    def section(self, journal_key: str, label: str) -> NamedNode:
        return self._iri(f"id/journal/{segment(journal_key)}/section/{slug(label) or short_hash(fold(label))}")

    # nodes that exist only through their parent ----------------------------------------------
    @staticmethod
    def child(parent: NamedNode, *path: str) -> NamedNode:
        return NamedNode(parent.value + "/" + "/".join(map(segment, path)))

    def identifier(self, thing: NamedNode, scheme: str) -> NamedNode:
        return self.child(thing, "identifier", scheme)

    def authorship(self, article: NamedNode, position: int) -> NamedNode:
        return self.child(article, "author", str(position))

    def corresponding_role(self, article: NamedNode, position: int) -> NamedNode:
        return self.child(article, "author", str(position), "corresponding")

    def keyword_item(self, article: NamedNode, position: int) -> NamedNode:
        return self.child(article, "keyword", str(position))

    def manifestation(self, article: NamedNode) -> NamedNode:
        return self.child(article, "manifestation")

    def jalali_date(self, issue: NamedNode) -> NamedNode:
        return self.child(issue, "date-jalali")

    def jalali_date_description(self, issue: NamedNode) -> NamedNode:
        return self.child(issue, "date-jalali", "description")

    # agents and concepts ---------------------------------------------------------------------
    def person_by_orcid(self, orcid: str) -> NamedNode:
        return self._iri(f"id/person/orcid-{orcid}")

    def person_by_code(self, system: str, code: str) -> NamedNode:
        return self._iri(f"id/person/code-{slug(system)}-{segment(code)}")

    def person_by_email_key(self, email_key: str) -> NamedNode:
        return self._iri(f"id/person/h-{email_key}")

    def person_in_article(self, journal_key: str, article_key: str, position: int) -> NamedNode:
        return self._iri(f"id/person/a-{segment(journal_key)}-{segment(article_key)}-{position}")

    def organization(self, name: str, lang: str = "en") -> NamedNode:
        """The organization an affiliation names, keyed on its normalised English string (else Persian)."""
        key = affiliation_key(name)
        return self._iri(f"id/org/h-{short_hash(key if lang == 'en' else f'{lang}:{key}')}")

    def concept(self, label: str, lang: str) -> NamedNode:
        key = short_hash(fold(label), 12, "sha1")
        return self._iri(f"id/concept/{key}" if lang == "en" else f"id/concept/{lang}-{key}")

    def keyword_scheme(self) -> NamedNode:
        return self._iri("id/scheme/author-keywords")

    def article_type(self, type_slug: str) -> NamedNode:
        return self._iri(f"id/article-type/{type_slug}")

    def article_type_scheme(self) -> NamedNode:
        return self._iri("id/scheme/article-types")

    def calendar(self) -> NamedNode:
        return self._iri("id/calendar/solar-hijri")

    # provenance and dataset ----------------------------------------------------------------
    def source_file(self, sha256: str) -> NamedNode:
        return self._iri(f"id/source/sha256-{sha256[:32]}")

    def agent(self, version: str) -> NamedNode:
        return self._iri(f"id/agent/kg-{segment(version)}")

    def run(self, timestamp: str) -> NamedNode:
        return self._iri(f"id/run/{segment(timestamp)}")

    def runs_graph(self) -> NamedNode:
        return self._iri("graph/runs")

    def dataset(self) -> NamedNode:
        return self._iri("id/dataset")

    def release_graph(self) -> NamedNode:
        """The release marker's graph in a SPARQL store that ``kg publish --to`` fills (kg.publish.marker)."""
        return self._iri("graph/release")

    def document(self, thing: NamedNode) -> str:
        """The document that describes a thing: /id/... -> /doc/... (303 target)."""
        prefix = self.base + "/id/"
        if thing.value.startswith(prefix):
            return self.base + "/doc/" + thing.value[len(prefix) :]
        return thing.value


# ------------------------------------------------------------------ key fallbacks (every reader)
SUPPLEMENT = "/from/sha256-"


def supplement_graph(article_graph: str, sha256: str) -> str:
    """The graph of what a copy of an article from a file of another format adds to its article graph
    (``kg.publish.merge``): named by the article graph and the file, so it is traced and withdrawn with it."""
    return f"{article_graph}{SUPPLEMENT}{sha256[:16]}"


def supplemented_graph(graph: str) -> str | None:
    """The article graph a supplement graph belongs to (None for any other graph)."""
    head, found, _ = graph.rpartition(SUPPLEMENT)
    return head if found else None


def article_key_fallback(
    doi: str, volume: str, number: str, start_page: str, title_en: str, title_fa: str
) -> tuple[str, str]:
    """The key of an article without a code, and what it was derived from ("DOI", "pages", "titles").

    Every reader uses this one rule, so that an article read from two formats without its code still meets
    itself by DOI. ``("", "")`` when nothing identifies it (the reader reports that as an error).
    """
    if doi:
        return f"doi-{short_hash(doi)}", "DOI"
    if start_page and volume:
        return f"v{volume}-n{number}-p{start_page}", "pages"
    if title_en or title_fa:
        return "t-" + short_hash(f"{volume}|{number}|{fold(title_en)}|{fold(title_fa)}"), "titles"
    return "", ""


def journal_key(issn_print: str, issn_online: str, nlai: str, title: str) -> tuple[str, str]:
    """The key of a journal and what it was derived from: an ISSN, the NLAI number, or a title hash.

    ``("", "")`` when the journal has none of them.
    """
    if issn_print or issn_online:
        return issn_print or issn_online, "ISSN"
    if nlai:
        return f"nlai-{nlai}", "NLAI"
    if title:
        return f"j-{short_hash(fold(title))}", "title"
    return "", ""
