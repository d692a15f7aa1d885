"""What a PubMed/OJS article carries beyond the journal export's fields, cleaned and set on its record.

History dates (``received``, ``revised``, ``accepted`` and the publication statuses), the PDF link, the
PII/PMID/PMC identifiers, publication types beyond the first, the reference list, and the report of every
element kg does not read. Each problem names the file, the article and the element.
"""

from __future__ import annotations

from kg import dates
from kg.identifiers import normalise_doi, plausible_local_id
from kg.records import Article, Reference
from kg.sources.cleaning import Cleaner
from kg.sources.pubmed_fields import RawArticle
from kg.text import ascii_digits, clean_line

# PubStatus -> the history status kg publishes (records.HISTORY_STATUSES)
_STATUSES = {
    "received": "received",
    "revised": "revised",
    "accepted": "accepted",
    "epublish": "published",
    "ppublish": "published",
    "aheadofprint": "published",
}
_ID_SCHEMES = {"pii": "pii", "pubmed": "pubmed", "pmid": "pubmed", "pmc": "pmc", "pmcid": "pmc"}
_GENERIC_TYPE = "journal article"  # fabio:JournalArticle already says it


def add_extras(cleaner: Cleaner, article: Article, raw: RawArticle) -> None:
    record = article.record_label
    article.pdf_url = cleaner.url(raw.fields.get("pdf_url", ""), record, "pdf_url")
    _history(cleaner, article, raw, record)
    _identifiers(cleaner, article, raw, record)
    _publication_types(cleaner, article, raw, record)
    _references(cleaner, article, raw, record)
    for position, affiliation in raw.nameless:
        where = f" (affiliation: {affiliation.strip()[:80]})" if affiliation.strip() else ""
        cleaner.problem(
            "warning",
            "author-without-name",
            f"author {position} of the AuthorList has no FirstName or LastName{where}; "
            "that author was not published, the others keep their order",
            record,
            f"AuthorList/Author[{position}]/LastName",
        )
    if raw.unmapped:
        names = ", ".join(f"<{name}>" for name in dict.fromkeys(raw.unmapped))
        cleaner.problem(
            "info", "unmapped-element", f"kg does not publish these elements: {names}", record, raw.unmapped[0], names
        )


def _history(cleaner: Cleaner, article: Article, raw: RawArticle, record: str) -> None:
    for status, year, month, day in raw.history:
        field_name = f"History/PubDate[{status}]"
        kind = _STATUSES.get(status.strip().lower())
        parts = [ascii_digits(clean_line(part)) for part in (year, month, day)]
        if kind is None:
            cleaner.problem(
                "info",
                "unmapped-element",
                f"the history status {status!r} is not published",
                record,
                field_name,
                status,
            )
            continue
        iso = _iso(parts)
        if not iso:
            cleaner.problem(
                "warning", "invalid-date", "the history date is not a real date", record, field_name, "-".join(parts)
            )
        elif article.history.get(kind, iso) != iso:
            cleaner.problem(
                "warning",
                "conflicting-dates",
                f"two {kind} dates: {article.history[kind]} and {iso}; the first was published",
                record,
                field_name,
                iso,
            )
        else:
            article.history.setdefault(kind, iso)


def _iso(parts: list[str]) -> str:
    """The ISO date of year, month, day; a year before 1700 is read as a Jalali year."""
    if parts[0].isdigit() and int(parts[0]) < 1700:
        jalali = dates.jalali(*parts)
        return dates.real_gregorian(jalali) if jalali is not None else ""
    return dates.gregorian_iso(*parts) or ""


def _identifiers(cleaner: Cleaner, article: Article, raw: RawArticle, record: str) -> None:
    for kind, value in raw.local_ids:
        scheme = _ID_SCHEMES.get(kind)
        cleaned = clean_line(value)
        field_name = f"ArticleId[{kind}]"
        if scheme is None:
            cleaner.problem(
                "info",
                "unmapped-element",
                f"the identifier type {kind!r} is not published",
                record,
                field_name,
                cleaned,
            )
        elif scheme == "pii" and not plausible_local_id(cleaned):
            cleaner.problem(
                "info", "placeholder", "the PII is a template value; it was not published", record, field_name, cleaned
            )
        elif scheme in ("pubmed", "pmc") and not cleaned.upper().removeprefix("PMC").isdigit():
            cleaner.problem(
                "warning",
                "invalid-identifier",
                f"the {kind} identifier is not a number; it was not published",
                record,
                field_name,
                cleaned,
            )
        else:
            article.local_ids.setdefault(scheme, cleaned)


def _publication_types(cleaner: Cleaner, article: Article, raw: RawArticle, record: str) -> None:
    specific = [clean_line(kind) for kind in raw.publication_types if clean_line(kind).lower() != _GENERIC_TYPE]
    for extra in specific[1:]:
        cleaner.problem(
            "info",
            "extra-publication-type",
            f"only the first specific publication type is published; {extra!r} was not",
            record,
            "PublicationType",
            extra,
        )


def _references(cleaner: Cleaner, article: Article, raw: RawArticle, record: str) -> None:
    for position, (citation, doi_raw) in enumerate(raw.references, start=1):
        citation = clean_line(citation)
        doi = normalise_doi(clean_line(doi_raw)) if clean_line(doi_raw) else ""
        field_name = f"ReferenceList/Reference[{position}]"
        if doi_raw.strip() and not doi:
            cleaner.problem(
                "warning",
                "invalid-doi",
                "the reference's DOI is not a DOI; it was not published",
                record,
                field_name,
                doi_raw,
            )
        if not citation and not doi:
            cleaner.problem("warning", "missing", "the reference is empty; it was not published", record, field_name)
            continue
        article.references.append(Reference(position, citation, doi or ""))
