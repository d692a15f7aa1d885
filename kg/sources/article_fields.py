"""An article and its authors from their fields (any reader's, cleaned alike): titles tagged by script,
identifiers checked, pages, keywords, the article's key (its code, else ``kg.iris.article_key_fallback``)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from kg import article_types
from kg.identifiers import normalise_doi, normalise_orcid, plausible_local_id
from kg.iris import article_key_fallback, keyed_hash
from kg.records import Article, Author, JournalIssue
from kg.sources.cleaning import Cleaner
from kg.text import EMAIL, ascii_digits, clean_line, html_to_text


def article(c: Cleaner, index: int, line: int, fields: dict, issue: JournalIssue) -> Article | None:
    web_url = c.url(fields.get("web_url", ""), f"article {index}", "web_url")
    code = article_code(web_url)
    record = code or f"article {index} (line {line})"
    title = c.bilingual(fields, "title", "title_fa", record)
    language = clean_line(fields.get("language", "")).lower()
    doi = c.identifier(
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
    start_page, end_page = c.pages(start_page, end_page, record)
    if start_page.isdigit() and end_page.isdigit() and int(start_page) > int(end_page):
        c.problem(
            "warning",
            "page-order",
            f"start page {start_page} is after end page {end_page}",
            record,
            "start_page",
            f"{start_page}-{end_page}",
        )
    key = code
    if not key:
        key, derived_from = article_key_fallback(doi, issue.volume, issue.number, start_page, title.en, title.fa)
        if key:
            c.problem(
                "warning",
                "no-article-code",
                f"the article has no code (no web_url); its IRI key '{key}' was derived from its {derived_from}",
                record,
                "web_url",
            )
    if not key:
        c.problem(
            "error",
            "no-article-identity",
            "the article has no code, DOI, pages or title, so it cannot be identified; it was not published",
            record,
            "title",
        )
        return None
    content_type = c.bilingual(fields, "content_type", "content_type_fa", record)
    type_slug = article_types.classify(content_type.en, content_type.fa) if content_type else ""
    if content_type and not type_slug:
        c.problem(
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
        abstract=c.without_placeholders(
            c.bilingual(fields, "abstract", "abstract_fa", record, html_to_text), record, "abstract"
        ),
        section=c.bilingual(fields, "subject", "subject_fa", record),
        content_type=content_type,
        article_type=type_slug,
        keywords_fa=c.keywords(fields.get("keyword_fa", ""), "fa", record, "keyword_fa"),
        keywords_en=c.keywords(fields.get("keyword", ""), "en", record, "keyword"),
        start_page=start_page,
        end_page=end_page,
        web_url=web_url,
    )
    for position, author_fields in enumerate(fields.get("authors", []), start=1):
        article.authors.append(author(c, position, author_fields, record))
    return article


def author(c: Cleaner, position: int, fields: dict[str, str], record: str) -> Author:
    where = f"{record}, author {position}"
    orcid = c.identifier(
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
        given_name=c.bilingual(fields, "first_name", "first_name_fa", where),
        middle_name=c.bilingual(fields, "middle_name", "middle_name_fa", where),
        family_name=c.bilingual(fields, "last_name", "last_name_fa", where),
        suffix=c.bilingual(fields, "suffix", "suffix_fa", where),
        orcid=orcid,
        source_code=code if plausible_local_id(code) else "",
        email_key=keyed_hash(c.secret, email) if email else "",
        corresponding=clean_line(fields.get("coreauthor", "")).casefold() == "yes",
        affiliation=c.bilingual(fields, "affiliation", "affiliation_fa", where),
    )


def article_code(web_url: str) -> str:
    """The journal system's article code in an article URL (``a_code=`` or ``article_code=``), or ""."""
    if not web_url:
        return ""
    query = parse_qs(urlsplit(web_url).query)
    for name in ("a_code", "article_code"):
        values = query.get(name)
        if values and values[0].strip():
            return values[0].strip()
    return ""
