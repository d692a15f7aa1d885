"""Recognising formats: the registry picks a reader by root element, names what it cannot read, and every
reader shares the safe XML handling (entities refused, compressed files named, truncated files salvaged)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.sources import safe_xml
from kg.sources.registry import read_data

SECRET = b"test"

PUBMED_ARTICLE = """<Article><Journal><PublisherName>P</PublisherName><JournalTitle>Journal of Tests</JournalTitle>
<Issn>2476-6879</Issn><Volume>3</Volume><Issue>2</Issue>
<PubDate PubStatus="epublish"><Year>2024</Year><Month>05</Month><Day>01</Day></PubDate></Journal>
<ArticleTitle>Article number {n}</ArticleTitle><FirstPage>{n}</FirstPage><LastPage>{n}</LastPage>
<AuthorList><Author><FirstName>A</FirstName><LastName>Author {n}</LastName></Author></AuthorList>
</Article>
"""


def read(data: bytes, name: str = "export.xml"):
    return read_data(Path(name), data, SECRET)


def only_problem(data: bytes) -> tuple[str, str]:
    result = read(data)
    assert result.rejected
    assert len(result.problems) == 1
    return result.problems[0].code, result.problems[0].message


@pytest.mark.parametrize(
    ("data", "named", "instead"),
    [
        (
            b'<?xml version="1.0"?><doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1">'
            b"<head/></doi_batch>",
            "Crossref deposit",
            "PubMed (ArticleSet)",
        ),
        (
            b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" '
            b'"JATS-journalpublishing1.dtd">'
            b'<article article-type="research-article" dtd-version="1.2"><front/></article>',
            "JATS article",
            "issue export",
        ),
        (b"<records><record><language>eng</language><title>x</title></record></records>", "DOAJ", "issue export"),
        (
            b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><p>gone<br></body></html>",
            "HTML page",
            "downloads XML",
        ),
        (
            b'<?xml version="1.0"?><PubmedArticleSet><PubmedArticle/></PubmedArticleSet>',
            "PubMed search result",
            "publisher ArticleSet",
        ),
    ],
)
def test_recognised_but_unsupported_formats_are_named(data: bytes, named: str, instead: str) -> None:
    code, message = only_problem(data)
    assert code == "unsupported-format"
    assert named in message and instead in message
    assert "not a journal export" not in message


def test_an_unknown_root_still_says_what_kg_reads() -> None:
    code, message = only_problem(b"<catalogue><item/></catalogue>")
    assert code == "not-a-journal-export"
    assert "<catalogue>" in message and "<ArticleSet>" in message


def test_the_root_is_read_without_parsing_the_file() -> None:
    # a root element first, then 200 KB that are not XML at all: only the first bytes are parsed
    data = b'<?xml version="1.0"?>\n<ArticleSet>\n' + b"\x00\x01 not xml " * 20_000
    root = safe_xml.sniff_root(data)
    assert root is not None and root.name == "ArticleSet" and root.line == 2


def test_an_external_dtd_is_never_fetched_and_entities_are_refused() -> None:
    doctype = b'<!DOCTYPE ArticleSet PUBLIC "-//NLM//DTD PubMed 2.7//EN" "http://127.0.0.1:9/PubMed.dtd">'
    result = read(
        b'<?xml version="1.0"?>' + doctype + b"<ArticleSet>" + PUBMED_ARTICLE.format(n=1).encode() + b"</ArticleSet>"
    )
    assert not result.rejected and len(result.export.articles) == 1  # type: ignore[union-attr]
    hostile = b'<?xml version="1.0"?><!DOCTYPE ArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]><ArticleSet>&x;</ArticleSet>'
    assert only_problem(hostile)[0] == "entity-declaration"


def test_a_compressed_pubmed_file_is_named() -> None:
    data = gzip.compress(b"<ArticleSet>" + PUBMED_ARTICLE.format(n=1).encode() + b"</ArticleSet>")
    code, message = only_problem(data)
    assert code == "compressed-file" and "gunzip" in message


def test_a_truncated_pubmed_file_keeps_its_complete_articles() -> None:
    whole = "".join(PUBMED_ARTICLE.format(n=n) for n in (1, 2, 3))
    cut = whole[: whole.rindex("<ArticleTitle>")]  # the third article breaks off
    result = read(("<ArticleSet>" + cut).encode())
    assert result.export is not None
    assert [article.start_page for article in result.export.articles] == ["1", "2"]
    errors = [problem for problem in result.problems if problem.severity == "error"]
    assert len(errors) == 1 and errors[0].code == "malformed-xml" and "2 complete article(s)" in errors[0].message
    assert errors[0].line is not None


def test_any_casing_of_the_pubmed_elements_is_read() -> None:
    article = PUBMED_ARTICLE.format(n=7).replace("<Article>", "<ARTICLE>").replace("</Article>", "</ARTICLE>")
    article = article.replace("Issn>", "ISSN>").replace("Day>", "DAY>")
    result = read(("<ArticleSet>" + article + "</ArticleSet>").encode())
    assert result.export is not None
    assert result.export.journal.issn_print == "2476-6879"
    assert result.export.issue.gregorian_date == "2024-05-01"
    assert result.export.articles[0].authors[0].family_name.en == "Author 7"


def test_articles_of_two_issues_in_one_file_become_two_exports() -> None:
    second = PUBMED_ARTICLE.format(n=9).replace("<Issue>2</Issue>", "<Issue>3</Issue>")
    result = read(("<ArticleSet>" + PUBMED_ARTICLE.format(n=1) + second + "</ArticleSet>").encode())
    assert [(export.issue.number, len(export.articles)) for export in result.exports] == [("2", 1), ("3", 1)]


def test_problems_name_the_pubmed_element() -> None:
    article = (
        PUBMED_ARTICLE.format(n=4)
        .replace("</Journal>", '</Journal><ELocationID EIdType="doi">not-a-doi</ELocationID>')
        .replace("<Author>", '<Author><Identifier Source="ORCID">0000-0000-0000-0000</Identifier>')
    )
    article = article.replace(
        "</Article>",
        '<History><PubDate PubStatus="received"><Year>2024</Year><Month>02</Month><Day>30</Day></PubDate></History>'
        "<GrantList><Grant/></GrantList></Article>",
    )
    result = read(("<ArticleSet>" + article + "</ArticleSet>").encode())
    found = {(problem.code, problem.field) for problem in result.problems}
    assert ("invalid-doi", "ELocationID[doi]") in found
    assert ("invalid-orcid", "Identifier[ORCID]") in found
    assert ("invalid-date", "History/PubDate[received]") in found
    assert ("unmapped-element", "GrantList") in found
    assert all(problem.file == "export.xml" for problem in result.problems)
    assert result.export is not None and len(result.export.articles) == 1  # the article itself is kept
